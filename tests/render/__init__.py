"""Render fixture documents from text at test time (DOCX with Word numbering, PDF)."""
