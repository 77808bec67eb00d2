"""Headings -> sections: where each block stands (chapter, theme, section, horizon).

    "4 Prestatieafspraken"                    -> chapter
    "4.1 Betaalbaarheid"                      -> theme
    "Prestaties Woonborg en De Volmacht 2021" -> section, owners Woonborg and De Volmacht
    "Doorkijk naar 2022 en verder"            -> section, horizon outlook

Readers that know headings (DOCX styles, PDF fonts) mark them; for plain text the
shape of the line decides: a short line without closing punctuation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from pipeline.ingest.normalize import BULLET_RE
from pipeline.parties import PartyRegister
from pipeline.types import CURRENT, HEADING, OUTLOOK, PARAGRAPH, Block, Document, Section

CHAPTER = "chapter"
THEME = "theme"
SUBSECTION = "section"

MAX_HEADING_WORDS = 10
_NUMBERED_HEADING = re.compile(r"^(?P<num>\d{1,2}(?:\.\d{1,2}){0,2})\.?\s+(?P<title>\S.*)$")
# Unnumbered headings may end in a full stop only when they start like one of these.
_HEADING_WORDS = re.compile(
    r"^(prestaties|afspraken|gezamenlijke|doorkijk|vooruitblik|jaarafspraken|overige)\b", re.IGNORECASE)
_OUTLOOK = re.compile(
    r"^(doorkijk|vooruitblik|toekomst|verkenning)|\ben verder\b|\bna \d{4}\b|\bvanaf \d{4}\b|"
    r"\blange(re)? termijn\b", re.IGNORECASE)
# A heading never ends on an article, preposition or conjunction; a line broken
# mid-sentence ("1. De gemeente verstrekt het jaarverslag om te toetsen aan") does.
_OPEN_ENDINGS = {
    "aan", "als", "bij", "dat", "de", "die", "door", "een", "en", "het", "in", "met", "naar",
    "of", "om", "op", "over", "te", "tot", "uit", "van", "voor", "zijn", "wordt", "worden",
}
_TOC_LINE = re.compile(r"(\.{3,}|\u2026|_{3,})\s*\d+\s*$|\s\d{1,3}$")


@dataclass(frozen=True)
class Placed:
    """A block with its place in the outline and, for headings, their role."""

    block: Block
    section: Section
    role: str | None = None  # chapter | theme | section for headings, else None


def looks_like_heading(text: str) -> bool:
    """Shape of a plain-text heading: short, capitalised, no sentence punctuation.

    >>> looks_like_heading("Prestaties gemeente 2021"), looks_like_heading("De gemeente nodigt uit.")
    (True, False)
    """
    if not text or BULLET_RE.match(text) or len(text.split()) > MAX_HEADING_WORDS:
        return False
    body = text
    numbered = _NUMBERED_HEADING.match(text)
    if numbered:
        body = numbered.group("title")
    first = body.lstrip("*'\"(")[:1]
    if not first.isupper() and not first.isdigit():
        return False
    if re.search(r"[:;,]$", body) or ":" in body:
        return False
    if body.split()[-1] in _OPEN_ENDINGS or re.search(r"[.!?]\s+[A-Z]", body):
        return False  # broken mid-sentence, or a sentence ends inside it
    if body.endswith(".") or body.endswith("?") or body.endswith("!"):
        return bool(_HEADING_WORDS.match(body)) and body.count(".") == 1
    return True


def heading_role(block: Block) -> str | None:
    """chapter, theme or section for a heading block or a heading-shaped line; else None."""
    text = block.text
    if block.kind != HEADING and not (block.kind == PARAGRAPH and looks_like_heading(text)):
        return None
    if _TOC_LINE.search(text) and block.kind != HEADING:
        return None
    numbered = _NUMBERED_HEADING.match(text)
    if numbered:
        depth = numbered.group("num").count(".") + 1
        return (CHAPTER, THEME, SUBSECTION)[min(depth, 3) - 1]
    if block.kind == HEADING and block.heading_level is not None:
        return {0: None, 1: CHAPTER, 2: THEME}.get(block.heading_level, SUBSECTION)
    return SUBSECTION


def is_outlook(heading: str) -> bool:
    """"Doorkijk naar 2022 en verder" -> True."""
    return bool(_OUTLOOK.search(heading))


def outline(document: Document, register: PartyRegister) -> tuple[Placed, ...]:
    """Give every block its Section; heading blocks also get their role.

    Blocks before the first chapter heading are preamble (`in_body=False`); a document
    without chapter headings is all body.
    """
    # The first block is the document's title, whatever its style.
    roles = [None] + [heading_role(block) for block in document.blocks[1:]]
    has_chapters = CHAPTER in roles

    placed = []
    section = Section(in_body=not has_chapters)
    for block, role in zip(document.blocks, roles):
        text = block.text.rstrip(".").strip()
        if role == CHAPTER:
            section = Section(chapter=text, in_body=True)
        elif role == THEME and section.in_body:
            section = Section(chapter=section.chapter, theme=text, in_body=True)
        elif role == SUBSECTION and section.in_body:
            outlook = is_outlook(text)
            owners = () if outlook else register.heading_owners(text)
            section = replace(section, section=text, horizon=OUTLOOK if outlook else CURRENT,
                              heading_owners=owners)
        placed.append(Placed(block, section, role))
    return tuple(placed)


_MONTHS = ("januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december")
_YEAR_PATTERNS = (
    re.compile(r"\bjaarafspraken\s+(?:voor\s+|van\s+)?(?:het\s+jaar\s+)?(\d{4})\b", re.IGNORECASE),
    re.compile(r"\bprestatieafspraken\s+(?:voor\s+|van\s+)?(?:het\s+jaar\s+)?(\d{4})\b(?!\s*[-\u2013/])",
               re.IGNORECASE),
)
_SIGNING_DATE = re.compile(
    rf"\b(?:ondertekend|getekend|vastgesteld)\b[^.]*?\b\d{{1,2}}\s+(?:{_MONTHS})\s+(\d{{4}})", re.IGNORECASE)
_DATE_LINE = re.compile(rf"^datum\s*:?\s*\d{{1,2}}\s+(?:{_MONTHS})\s+(\d{{4}})", re.IGNORECASE)
TITLE_BLOCKS = 12  # how far into the document the title page reaches


def agreement_year(document: Document) -> int | None:
    """The year the agreement is for, read from the document itself.

    "Jaarafspraken voor 2021" or "Prestatieafspraken 2022" on the title page; otherwise
    the year of the signing date; None when the document names neither.
    """
    title_texts = [b.text for b in document.blocks[:TITLE_BLOCKS]]
    for pattern in _YEAR_PATTERNS:
        for text in title_texts:
            found = pattern.search(text)
            if found:
                return int(found.group(1))
    for block in document.blocks:
        found = _SIGNING_DATE.search(block.text) or _DATE_LINE.search(block.text)
        if found:
            return int(found.group(1))
    return None
