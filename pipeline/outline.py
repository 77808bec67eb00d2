"""Headings -> sections: where each block stands (chapter, theme, section, horizon).

    "4 Prestatieafspraken"                    -> chapter
    "4.1 Betaalbaarheid"                      -> theme
    "Prestaties Woonborg en De Volmacht 2021" -> section, owners Woonborg and De Volmacht
    "Doorkijk naar 2022 en verder"            -> section, horizon outlook

Readers that know headings (DOCX styles, PDF fonts) mark them; for plain text the
shape of the line decides: a short line without closing punctuation.

A heading that names parties gives them to every commitment below it, down to the next
heading that names others: "3 Afspraken corporaties" > "3.1 Betaalbaarheid" > items
belong to the corporations. Table-of-contents entries ("1 Inleiding ....... 3", or a
run of lines ending in page numbers) are marked `TOC` and open no section; a page
number glued to a real heading ("3 Betaalbaarheid 12") is dropped from its title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from pipeline.ingest.normalize import BULLET_RE
from pipeline.parties import PartyRegister
from pipeline.types import CURRENT, FOOTNOTE, HEADING, OUTLOOK, PARAGRAPH, Block, Document, Section

CHAPTER = "chapter"
THEME = "theme"
SUBSECTION = "section"
TOC = "toc"  # a table-of-contents entry: not a heading, not a commitment

MAX_HEADING_WORDS = 10
# "3.1 Huurbeleid", "2. Betaalbaarheid", "Artikel 3 Betaalbaarheid", "Hoofdstuk 2: Wonen", "Thema 1 - Zorg".
_HEADING_PREFIX = r"(?:(?i:artikel|hoofdstuk|thema|paragraaf|deel)\s+)"
_NUMBERED_HEADING = re.compile(
    rf"^(?P<prefix>{_HEADING_PREFIX})?(?P<num>\d{{1,2}}(?:\.\d{{1,2}}){{0,2}})(?:\.|(?(prefix)\s*[:\-\u2013]|))?"
    r"\s+(?P<title>\S.*)$")
# Unnumbered headings may end in a full stop only when they start like one of these.
_SECTION_WORDS = re.compile(
    r"^(?:prestaties|afspraken|gezamenlijke|gezamenlijk|wat\s+(?:doet|doen|gaat|gaan)|acties|inzet|bijdrage)\b",
    re.IGNORECASE)
_HEADING_WORDS = re.compile(
    r"^(prestaties|afspraken|gezamenlijke|doorkijk|vooruitblik|jaarafspraken|overige)\b", re.IGNORECASE)
_OUTLOOK = re.compile(
    r"^(?:\d{1,2}(?:\.\d{1,2})*\.?\s+)?(doorkijk|vooruitblik|toekomst|verkenning)|\ben verder\b|\bna \d{4}\b|\bvanaf \d{4}\b|"
    r"\blange(re)? termijn\b", re.IGNORECASE)
# A heading never ends on an article, preposition or conjunction; a line broken
# mid-sentence ("1. De gemeente verstrekt het jaarverslag om te toetsen aan") does.
_OPEN_ENDINGS = {
    "aan", "als", "bij", "dat", "de", "die", "door", "een", "en", "het", "in", "met", "naar",
    "of", "om", "op", "over", "te", "tot", "uit", "van", "voor", "zijn", "wordt", "worden",
}
_DOTTED_LEADER = re.compile(r"(\.{3,}|\u2026|_{3,})\s*(?:(?i:p\.?|blz\.?|pag\.?|pagina|bladzijde)\s*)?\d+\s*$")
_PAGE_NUMBER_TAIL = re.compile(r"\s+\d{1,3}$")
# A page mark that says it is one: "p. 8", "blz. 8", "pag. 8", "pagina 8", "(p. 8)".
_PAGE_MARK = re.compile(r"[\s,\-\u2013(]+(?i:p\.|p|blz\.?|pag\.?|pagina|bladzijde)\s*\d{1,3}\)?\s*$")
# Several contents entries on one line: "1) Inleiding 2) Leeswijzer 3) Afspraken".
_INLINE_ENTRY = re.compile(r"(?:^|\s)(\d{1,2})[.)]?\s+[A-Z\u00c0-\u00de][^\d]*?(?=\s+\d{1,2}[.)]?\s+[A-Z\u00c0-\u00de]|\s*$)")
_LEAD_IN = re.compile(r":\s*$")
_APPENDIX = re.compile(r"^(?:\d{1,2}\.?\s+)?(?:bijlage|bijlagen|annex|appendix)\b", re.IGNORECASE)
_LIST_LABEL = re.compile(r"^(\d{1,3})[.)]\s")
# A section number as headings print it ("3", "3.1"), not an item label ("12.").
_CHAPTER_NUMBER = re.compile(r"^\d{1,2}(?:\.\d{1,2}){0,2}\s")


@dataclass(frozen=True)
class Placed:
    """A block with its place in the outline and, for headings, their role."""

    block: Block
    section: Section
    role: str | None = None  # chapter | theme | section for headings, toc for contents entries, else None


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


def heading_title(text: str) -> str:
    """A heading's text as a section name: no closing full stop, no glued page number.

    >>> heading_title("3 Betaalbaarheid 12"), heading_title("Doorkijk naar 2022 en verder.")
    ('3 Betaalbaarheid', 'Doorkijk naar 2022 en verder')
    """
    return without_page_number(text.rstrip(".").strip())


def without_page_number(text: str) -> str:
    """A numbered heading's trailing number is a page number: "3 Betaalbaarheid 12" -> "3 Betaalbaarheid"."""
    numbered = _NUMBERED_HEADING.match(text)
    if numbered and page_number_tail(numbered.group("title")):
        return _PAGE_NUMBER_TAIL.sub("", text)
    return text


def page_number_tail(text: str) -> re.Match[str] | None:
    """The number a line ends in, with the space before it: "Inleiding 3" -> " 3"."""
    # Most lines end in a word; the cheap test spares the search its scan of the whole line.
    return _PAGE_NUMBER_TAIL.search(text) if _ends_in_digit(text) else None


def has_dotted_leader(text: str) -> bool:
    """A contents entry's dots, ellipsis or underscores up to a page number: "3.1 Huurbeleid ...... 5",
    "Inleiding ........ p. 3"."""
    return _ends_in_digit(text) and _DOTTED_LEADER.search(text) is not None


def has_page_mark(text: str) -> bool:
    """A contents entry that names its page: "3.1 Huurbeleid p. 8", "Bijlage 2 (blz. 12)", "Inleiding, pagina 3"."""
    return _ends_in_digit(text.rstrip(")")) and _PAGE_MARK.search(text) is not None


def is_contents_line(text: str) -> bool:
    """A line that is a list of contents entries: three or more numbered titles in a row, in
    order, on one line ("1) Inleiding 2) Leeswijzer 3) Afspraken per thema").

    >>> is_contents_line("1) Inleiding 2) Leeswijzer 3) Afspraken"), is_contents_line("1. De gemeente bouwt 2 woningen.")
    (True, False)
    """
    numbers = [int(m.group(1)) for m in _INLINE_ENTRY.finditer(text)]
    return len(numbers) >= 3 and numbers == list(range(numbers[0], numbers[0] + len(numbers)))


def _ends_in_digit(text: str) -> bool:
    """Does the last character that is not white space count as a digit (regex \\d)?"""
    return text.rstrip()[-1:].isdecimal()


def heading_role(block: Block) -> str | None:
    """chapter, theme or section for a heading block or a heading-shaped line; else None.

    Looks at the block alone; `outline` also looks at its neighbours (contents runs,
    a sentence broken over a page).
    """
    text = block.text
    if has_dotted_leader(text) or has_page_mark(text) or is_contents_line(text):
        return None  # a contents entry, whatever its font
    numbered = _NUMBERED_HEADING.match(text)
    if block.kind == PARAGRAPH:
        if page_number_tail(text) and not (numbered and _CHAPTER_NUMBER.match(text)):
            return None  # "Inleiding 3", "12. De gemeente bouwt 45": no heading with a page number
        if not looks_like_heading(without_page_number(text)):
            return None
    elif block.kind != HEADING:
        return None
    if numbered:
        depth = numbered.group("num").count(".") + 1
        return (CHAPTER, THEME, SUBSECTION)[min(depth, 3) - 1]
    if block.kind == HEADING and block.heading_level is not None:
        role = {0: None, 1: CHAPTER, 2: THEME}.get(block.heading_level, SUBSECTION)
        if role == THEME and is_section_heading(text):
            return SUBSECTION  # "Afspraken gemeente" below "1 Samenwerking": a PDF's second font size
        return role
    return SUBSECTION


def is_section_heading(text: str) -> bool:
    """A heading that says whose or when, never a theme: "Prestaties gemeente 2021",
    "Afspraken corporaties", "Gezamenlijke afspraken", "Wat doet de corporatie?",
    "Doorkijk naar 2025", "Vooruitblik 2025". A PDF only tells its font size, which in a
    document without numbered themes puts these one level below the chapters.

    >>> is_section_heading("Afspraken huurdersorganisaties"), is_section_heading("Betaalbaarheid")
    (True, False)
    """
    numbered = _NUMBERED_HEADING.match(text)
    title = numbered.group("title") if numbered else text
    return bool(_SECTION_WORDS.match(title)) or is_outlook(text)


def is_toc_entry(block: Block) -> bool:
    """A line shaped like a contents entry: dotted leaders, or a heading and a page number.

    >>> is_toc_entry(Block("3.1 Huurbeleid ........ 5")), is_toc_entry(Block("2 Samenwerking 4"))
    (True, True)
    """
    if block.kind not in (PARAGRAPH, HEADING):
        return False
    if has_dotted_leader(block.text) or has_page_mark(block.text) or is_contents_line(block.text):
        return True
    tail = page_number_tail(block.text)
    return bool(tail) and looks_like_heading(block.text[:tail.start()])


def is_outlook(heading: str) -> bool:
    """"Doorkijk naar 2022 en verder" -> True."""
    return bool(_OUTLOOK.search(heading))


def block_roles(blocks: tuple[Block, ...]) -> list[str | None]:
    """The role of every block, its neighbours considered.

    The first block is the document's title, whatever its style. A contents entry is
    one with dotted leaders, or one of two or more neighbouring lines that end in page
    numbers (a single such heading has a page number glued to it).

    A line that only looks like a heading is not one when it runs on in lowercase in
    the next block (a sentence cut by a page or column break), or when it is what a
    lead-in ending in ":" introduces, alone or as one of a numbered list:
    "De afspraken zijn ingedeeld in vier thema's:" / "1. Samenwerking" / "2. Betaalbaarheid".
    """
    roles = [None] + [heading_role(block) for block in blocks[1:]]
    toc_shaped = [is_toc_entry(block) for block in blocks]
    body = [i for i, block in enumerate(blocks) if block.kind != FOOTNOTE]
    listed: set[int] = set()  # heading-shaped lines found to be items of a list
    for position, i in enumerate(body):
        if i == 0:
            continue
        before = body[position - 1] if position > 0 else None
        after = body[position + 1] if position + 1 < len(body) else None
        by_shape = roles[i] is not None and blocks[i].kind == PARAGRAPH
        if toc_shaped[i] and (has_dotted_leader(blocks[i].text) or has_page_mark(blocks[i].text)
                              or is_contents_line(blocks[i].text)
                              or (before is not None and toc_shaped[before])
                              or (after is not None and toc_shaped[after])):
            roles[i] = TOC
        elif by_shape and after is not None and blocks[after].kind == PARAGRAPH \
                and blocks[after].text[:1].islower():
            roles[i] = None
        elif by_shape and before is not None and (
                _LEAD_IN.search(blocks[before].text) or (before in listed and _next_in_list(blocks[before], blocks[i]))):
            roles[i] = None
            listed.add(i)
    return roles


def _next_in_list(previous: Block, block: Block) -> bool:
    """Does `block` carry the number after `previous`'s ("1. Samenwerking" -> "2. Betaalbaarheid")?"""
    a, b = _LIST_LABEL.match(previous.text), _LIST_LABEL.match(block.text)
    return bool(a and b) and int(b.group(1)) == int(a.group(1)) + 1


def outline(document: Document, register: PartyRegister) -> tuple[Placed, ...]:
    """Give every block its Section; heading blocks also get their role.

    Blocks before the first top-level heading are preamble (`in_body=False`); a document
    without one is all body. When the top headings have no numbered or styled headings
    below them that could be themes, they are the themes themselves ("1. Beschikbaarheid",
    "2. Betaalbaarheid"): `theme`, not `chapter` (see `themes_on_top`). Owners named by a
    heading hold for everything below it until a heading at the same or a higher level; a
    lower heading that names parties of its own overrides them, an outlook has none.
    """
    found = block_roles(document.blocks)
    roles = themes_on_top(found, document.blocks)
    has_top = CHAPTER in found  # headings above everything else: before the first, the preamble
    top_themes = has_top and CHAPTER not in roles

    placed = []
    section = Section(in_body=not has_top)
    chapter_owners: tuple[str, ...] = ()
    theme_owners: tuple[str, ...] = ()
    chapter_outlook = theme_outlook = False
    for block, role in zip(document.blocks, roles):
        text = heading_title(block.text) if role in (CHAPTER, THEME, SUBSECTION) else ""
        # An outlook heading ("Doorkijk naar 2022 en verder") makes everything below it an
        # outlook with no owners, at whichever level the document sets it.
        if role == CHAPTER:
            chapter_outlook = theme_outlook = is_outlook(text)
            chapter_owners = theme_owners = () if chapter_outlook else register.heading_owners(text)
            section = Section(chapter=text, in_body=True, heading_owners=chapter_owners,
                              horizon=OUTLOOK if chapter_outlook else CURRENT)
        elif role == THEME and (section.in_body or top_themes):
            theme_outlook = chapter_outlook or is_outlook(text)
            theme_owners = () if theme_outlook else (register.heading_owners(text) or chapter_owners)
            section = Section(chapter=section.chapter, theme=text, in_body=True, heading_owners=theme_owners,
                              horizon=OUTLOOK if theme_outlook else CURRENT)
        elif role == SUBSECTION and section.in_body:
            outlook = theme_outlook or is_outlook(text)
            owners = () if outlook else (register.heading_owners(text) or theme_owners)
            section = replace(section, section=text, horizon=OUTLOOK if outlook else CURRENT,
                              heading_owners=owners)
        placed.append(Placed(block, section, role))
    return tuple(placed)


def themes_on_top(roles: list[str | None], blocks: tuple[Block, ...]) -> list[str | None]:
    """Chapters are themes when nothing below them is: a document whose top headings
    ("1. Beschikbaarheid", "Artikel 3 Betaalbaarheid") have only unnumbered sub-headings
    ("Prestaties gemeente") or none has its themes at the top. A document with headings at
    the theme level ("4.1 Betaalbaarheid") keeps its chapters ("4 Prestatieafspraken").
    Appendices ("Bijlage 2: bedragen") hold no themes, whatever their level.

    >>> blocks = tuple(Block(t) for t in ("Titel", "1 Wonen", "Prestaties gemeente", "2 Zorg"))
    >>> themes_on_top([None, CHAPTER, SUBSECTION, CHAPTER], blocks)
    [None, 'theme', 'section', 'theme']
    """
    if CHAPTER not in roles:
        return roles
    appendix = next((i for i, block in enumerate(blocks) if roles[i] is not None and _APPENDIX.match(block.text)),
                    len(blocks))
    if THEME in roles[:appendix]:
        return roles
    # "2 Gezamenlijke afspraken", "3 Afspraken gemeente", "4 Vooruitblik": chapters by party or
    # horizon, no theme
    return [THEME if role == CHAPTER and not is_section_heading(heading_title(block.text)) else role
            for role, block in zip(roles, blocks)]

