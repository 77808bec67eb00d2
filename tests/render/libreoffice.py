"""DOCX -> PDF with LibreOffice: a second PDF producer besides reportlab, whose PDFs look
like those exported from a word processor (list numbers at tab stops, words broken in
narrow table columns, its own fonts and table rules).

    pdf = docx_to_pdf(render_layout_docx(parts, tmp / "x.docx"))   # tmp / "x.pdf"

Skips the calling test when LibreOffice is not installed (scripts/system-packages.sh
installs it on Debian).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest


def docx_to_pdf(docx: Path) -> Path:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed; scripts/system-packages.sh installs it")
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:  # never a user's running office
        subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(docx.parent), str(docx)],
                       check=True, capture_output=True, timeout=180)
    pdf = docx.with_suffix(".pdf")
    if not pdf.is_file():
        raise RuntimeError(f"LibreOffice wrote no {pdf.name}")
    return pdf
