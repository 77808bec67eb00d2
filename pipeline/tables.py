"""Commitments printed as table rows: one table per theme, one row per afspraak.

    4.1 Betaalbaarheid
    | Nr. | Afspraak                                   | Wie         | Wanneer |
    | 1   | De corporaties beperken de huurstijging.   | Corporaties | 2024    |
    |     | Zij overleggen hierover met HV Dijkveld.   |             |         |
    | 2   | De gemeente zet energiecoaches in.         | Gemeente    | Q2 2024 |
    -> TableItem(number="1", text="De corporaties beperken de huurstijging.\\nZij overleggen ...",
                 owner="Corporaties", due="2024"), TableItem(number="2", ...)

The header row names the columns in the document's own words (Nr. / Afspraak / Wie /
Wanneer, or Nummer / Prestatie / Trekker / Planning, ...). A row without a number
continues the row above it: a word processor splits a long row over a page break, and
authors add rows for a second paragraph. A table that runs over a page break arrives as
two TABLE blocks; the second is the same table when it has as many columns and starts
with the same header row again (Word's "repeat header row") or with no header at all.

Many agreements print no numbers at all, only the afspraak and who and when:

    | Afspraak                                   | Wie         | Wanneer |
    | De corporaties beperken de huurstijging.   | Corporaties | 2024    |
    | De gemeente zet energiecoaches in.         | Gemeente    | Q2 2024 |
    -> TableItem(number="1", printed=False, ...), TableItem(number="2", printed=False, ...)

Such a table counts as a commitments table when its header names an owner or a timing
column beside the afspraak column (a "Thema | Toelichting" table is no list of
afspraken), and every row with afspraak text is one commitment, numbered by its place
among the table's afspraken. With no number to tell a new row from the rest of the
previous one, a row continues the one above only where a page break can have cut it:
it opens a piece after a page break, its owner and timing cells are empty and the text
above stops mid-sentence. A row with nothing but a few words in the afspraak cell and no
sentence end ("Doorkijk naar 2025") names a group of rows and is no commitment.

The owner column stays as printed here; parties.py resolves it to parties.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Sequence

from pipeline.ingest.normalize import clean_number
from pipeline.outline import is_outlook
from pipeline.types import TABLE, Block

# Column roles and the header words that name them (compared without case, punctuation
# and a trailing colon or question mark).
NUMBER, TEXT, OWNER, DUE = "number", "text", "owner", "due"
HEADER_WORDS: dict[str, frozenset[str]] = {
    NUMBER: frozenset({"nr", "nr.", "nummer", "no", "no.", "#", "afspraaknummer", "afspraak nr", "volgnummer"}),
    TEXT: frozenset({"afspraak", "afspraken", "prestatie", "prestaties", "prestatieafspraak", "actie",
                     "acties", "omschrijving", "wat", "inhoud", "activiteit", "activiteiten"}),
    OWNER: frozenset({"wie", "trekker", "trekkers", "verantwoordelijke", "verantwoordelijk", "partij",
                      "partijen", "eigenaar", "uitvoerder", "door wie", "wie is trekker", "kartrekker"}),
    DUE: frozenset({"wanneer", "planning", "gereed", "termijn", "datum", "deadline", "jaar", "gereed in",
                    "tijdpad", "looptijd", "periode"}),
}
# Columns a commitments table has beside those: who else takes part, how progress is measured.
# Their header words also mark a line of fields below a commitment ("Betrokken: HBH").
OTHER_COLUMN_WORDS = frozenset({"betrokken", "betrokkenen", "partners", "in samenwerking met", "indicator",
                                "indicatoren", "resultaat", "meetbaar resultaat", "kpi", "budget", "status"})
# The header stands in the first rows; a caption row ("Thema Betaalbaarheid") may come first.
HEADER_SEARCH_ROWS = 2
# "3", "2.1.", "B1" (a theme letter and a number), "Afspraak 4", "nr. 7".
_NUMBER_CELL = re.compile(r"^(?:(?i:afspraak|actie|prestatie|nr\.?|nummer)\s*)?"
                          r"(?P<number>\d{1,3}(?:\.\d{1,3})*|[A-Z]{1,2}\.?\d{1,3}(?:\.\d{1,3})*)[.):]?$")
_SENTENCE_END = re.compile(r"[.!?:;]['\"\u2019\u201d)]?$")
# Bullets inside a cell; readers join a cell's lines and paragraphs with spaces.
_CELL_BULLET = re.compile(r"\s*[\u2022\u25aa\u25cf\u25e6\uf0b7]\s+")
# Without a number column, an afspraak column makes a commitments table beside an owner
# column, or beside a timing column when both headers name nothing but afspraken and
# their timing: "Omschrijving | Bedrag | Jaar" is a budget, "Activiteit | Datum" a calendar.
UNNUMBERED_TEXT_WORDS = frozenset({"afspraak", "afspraken", "prestatie", "prestaties", "prestatieafspraak",
                                   "actie", "acties", "activiteit", "activiteiten", "wat"})
UNNUMBERED_DUE_WORDS = frozenset({"wanneer", "planning", "gereed", "gereed in", "termijn", "deadline", "tijdpad"})
# A group row in a table without numbers: a caption of a few words ("Thema betaalbaarheid").
GROUP_ROW_MAX_WORDS = 8


@dataclass(frozen=True)
class Columns:
    """Where a commitments table keeps what: column indexes and its header row."""

    header: tuple[str, ...]  # the header row as printed
    header_row: int  # its index in the first piece's rows
    number: int | None  # None: the table prints no numbers
    text: int
    owner: int | None = None
    due: int | None = None


@dataclass(frozen=True)
class TableItem:
    """One commitment read from a table; `block` is the piece its first row stands in."""

    number: str  # clean, without trailing punctuation: "3", "2.1", "B1"; see `printed`
    text: str  # the afspraak cell, continuation rows joined; bullets on lines of their own
    subitems: tuple[str, ...]
    owner: str | None  # the owner cell as printed
    due: str | None  # the timing cell as printed
    block: Block
    # False in a table without a number column: `number` is then the row's place among
    # the table's afspraken ("1", "2", ...), printed nowhere.
    printed: bool = True
    # Below a group row that looks ahead ("Doorkijk naar 2025"): an outlook, not this year's.
    outlook: bool = False
    group: str | None = None  # the caption of the group rows above it: "B Betaalbaarheid"
    label: str = ""  # the number cell as printed: "3.", "B1", "Afspraak 4"; "" when none is printed


def _header_key(cell: str) -> str:
    return re.sub(r"\s+", " ", cell.strip().lower().rstrip(":?").strip())


def column_role(cell: str) -> str | None:
    """The role a header cell names: "Nr." -> number, "Trekker" -> owner, "Toelichting" -> None.

    >>> [column_role(c) for c in ("Nr.", "Afspraak", "Wie?", "Planning", "Toelichting")]
    ['number', 'text', 'owner', 'due', None]
    """
    for role, words in HEADER_WORDS.items():
        if _names(cell, words):
            return role
    return None


def _names(cell: str, words: frozenset[str]) -> bool:
    """Does a header cell say one of `words` (also before a "/" or "(")? A word too wide
    for its narrow column is broken over two lines, which a reader joins with a space
    ("Verantwoordelijk e"), so the cell is also compared without spaces."""
    key = _header_key(cell)
    return (any(candidate in words for candidate in (key, key.split("/")[0].strip(), key.split("(")[0].strip()))
            or key.replace(" ", "") in _without_spaces(words))


@functools.lru_cache(maxsize=None)
def _without_spaces(words: frozenset[str]) -> frozenset[str]:
    return frozenset(word.replace(" ", "") for word in words)


def find_columns(rows: Sequence[Sequence[str]]) -> Columns | None:
    """The columns of a commitments table, or None for any other table.

    A commitments table has a header row with a number and an afspraak column, or, when
    it prints no numbers, an afspraak column and an owner column, or an afspraak and a
    timing column whose headers name nothing else (UNNUMBERED_TEXT_WORDS, UNNUMBERED_DUE_WORDS):

    >>> find_columns([("Afspraak", "Wie", "Wanneer"), ("De gemeente bouwt.", "Gemeente", "2024")])
    Columns(header=('Afspraak', 'Wie', 'Wanneer'), header_row=0, number=None, text=0, owner=1, due=2)
    >>> find_columns([("Thema", "Toelichting"), ("Betaalbaarheid", "De huren blijven laag.")]) is None
    True
    """
    headers = [(index, tuple(row), _roles(row)) for index, row in enumerate(rows[:HEADER_SEARCH_ROWS])]
    for index, header, roles in headers:
        if NUMBER in roles and TEXT in roles:
            return Columns(header=header, header_row=index, number=roles[NUMBER], text=roles[TEXT],
                           owner=roles.get(OWNER), due=roles.get(DUE))
    for index, header, roles in headers:
        if TEXT in roles and (OWNER in roles or (
                DUE in roles and _names(header[roles[TEXT]], UNNUMBERED_TEXT_WORDS)
                and _names(header[roles[DUE]], UNNUMBERED_DUE_WORDS))):
            return Columns(header=header, header_row=index, number=None, text=roles[TEXT],
                           owner=roles.get(OWNER), due=roles.get(DUE))
    return None


def _roles(row: Sequence[str]) -> dict[str, int]:
    """Role -> the first column whose header names it."""
    roles: dict[str, int] = {}
    for column, cell in enumerate(row):
        role = column_role(cell)
        if role is not None and role not in roles:
            roles[role] = column
    return roles


def width(block: Block) -> int:
    return max((len(row) for row in block.rows), default=0)


def continues_table(previous: Block, following: Block, columns: Columns) -> bool:
    """Is `following` the rest of the table `previous` belongs to (after a page break)?

    It must have as many columns, start on the same or the next page, and begin with the
    same header again or with no header: a different header starts a table of its own.
    """
    if following.kind != TABLE or previous.kind != TABLE or width(following) != width(previous):
        return False
    if previous.page is not None and following.page is not None \
            and following.page not in (previous.page, previous.page + 1):
        return False
    own = find_columns(following.rows)
    return own is None or _same_header(own.header, columns.header)


def _same_header(a: Sequence[str], b: Sequence[str]) -> bool:
    return [_header_key(cell) for cell in a] == [_header_key(cell) for cell in b]


def table_items(pieces: Sequence[Block]) -> tuple[TableItem, ...]:
    """The commitments of one table, given as the pieces a page break cut it into.

    Returns () when the first piece is not a commitments table.
    """
    if not pieces:
        return ()
    columns = find_columns(pieces[0].rows)
    if columns is None:
        return ()
    if columns.number is None:
        return _unnumbered_items(pieces, columns)
    drafts: list[_Row] = []
    current: _Row | None = None
    group = Group()
    for piece, _, row in _body_rows(pieces, columns):
        number = _cell(row, columns.number)
        text, owner, due = (_cell(row, columns.text), _cell(row, columns.owner), _cell(row, columns.due))
        match = _NUMBER_CELL.match(number)
        if match and text:
            clean = _in_group_series(clean_number(match.group("number")), group, drafts)
            current = _Row(clean, piece, [text], [owner], [due], group=group,
                           label=clean if clean != clean_number(match.group("number")) else number)
            drafts.append(current)
        elif not number and current is not None and not (
                _is_group_row(row, text) and text[:1].isupper() and _SENTENCE_END.search(current.last_text)):
            current.add(text, owner, due)  # a row split over a page, or a second paragraph
        else:
            current = None  # a group row ("B Betaalbaarheid", "Doorkijk naar 2025") or an unnumbered line
            group = group.after(row)
    return tuple(draft.item() for draft in drafts)


def _in_group_series(number: str, group: Group, drafts: list[_Row]) -> str:
    """A theme letter misread by OCR ("E3" between "L2" and the caption "L Leefbaarheid"):
    the number that continues the series of its group, when the caption's letter and the
    row above say so; any other number as it is.

    >>> rows = [_Row("L2", None, [], [], [], group=Group("L Leefbaarheid"))]
    >>> _in_group_series("E3", Group("L Leefbaarheid"), rows), _in_group_series("M1", Group("M Milieu"), rows)
    ('L3', 'M1')
    """
    found = re.fullmatch(r"([A-Z]{1,2})(\d{1,3})", number)
    caption = (group.caption or "").split()
    if not found or not drafts or not caption or not caption[0].rstrip(".").isalpha():
        return number
    letter = caption[0].rstrip(".").upper()
    previous = re.fullmatch(rf"{letter}(\d{{1,3}})", drafts[-1].number)
    if found.group(1) != letter and previous and int(found.group(2)) == int(previous.group(1)) + 1 \
            and drafts[-1].group.caption == group.caption:
        return f"{letter}{found.group(2)}"
    return number


def _unnumbered_items(pieces: Sequence[Block], columns: Columns) -> tuple[TableItem, ...]:
    """The commitments of a table without a number column: one per row with afspraak text.

    A row continues the item above when it opens a piece after a page break, leaves the
    owner and timing cells empty, and the item above stops mid-sentence (Word cut the row
    at the page's end); a row without afspraak text adds its owner or timing to it.
    """
    drafts: list[_Row] = []
    current: _Row | None = None
    group = Group()
    for piece, opens_piece, row in _body_rows(pieces, columns):
        text, owner, due = (_cell(row, columns.text), _cell(row, columns.owner), _cell(row, columns.due))
        if not text:
            if current is not None and (owner or due):
                current.add(text, owner, due)  # the owner or timing cell ran on below the row
            elif any(cell.strip() for cell in row):
                current = None  # a caption in another column
                group = group.after(row)
        elif current is not None and opens_piece and not owner and not due \
                and not _SENTENCE_END.search(current.last_text):
            current.add(text, owner, due)
        elif _is_group_row(row, text):
            current = None
            group = group.after(row)
        else:
            current = _Row(str(len(drafts) + 1), piece, [text], [owner], [due], printed=False, group=group)
            drafts.append(current)
    return tuple(draft.item() for draft in drafts)


def _body_rows(pieces: Sequence[Block], columns: Columns):
    """(piece, opens the piece?, row) for every row below the header, repeated headers left out."""
    for piece_index, piece in enumerate(pieces):
        opens_piece = piece_index > 0
        for row_index, row in enumerate(piece.rows):
            if piece_index == 0 and row_index <= columns.header_row:
                continue  # the header and any caption above it
            if _same_header(row, columns.header):
                continue  # the header repeated at the top of a new page
            yield piece, opens_piece, row
            opens_piece = False


@dataclass(frozen=True)
class Group:
    """What the group rows above a row say: the theme they name ("B Betaalbaarheid") and
    whether the rows are an outlook ("Doorkijk naar 2026 en verder")."""

    caption: str | None = None
    outlook: bool = False

    def after(self, row: Sequence[str]) -> Group:
        """The group below a group row: one that looks ahead starts an outlook and keeps the
        theme; another caption names a new theme and ends the outlook; an empty row or a
        line of text is no caption and changes nothing but the outlook."""
        cells = [cell.strip() for cell in row if cell.strip()]
        if not cells:
            return self
        caption = cells[0]
        if is_outlook(caption):
            return Group(self.caption, True)
        if len(cells) == 1 and len(caption.split()) <= GROUP_ROW_MAX_WORDS and not _SENTENCE_END.search(caption):
            return Group(caption, False)
        return Group(self.caption, False)


def _is_group_row(row: Sequence[str], text: str) -> bool:
    """A caption over the rows below it: a few words in the afspraak cell, no sentence end,
    every other cell empty ("Doorkijk naar 2025")."""
    return (bool(text) and sum(1 for cell in row if cell.strip()) == 1
            and len(text.split()) <= GROUP_ROW_MAX_WORDS and not _SENTENCE_END.search(text))


def _cell(row: Sequence[str], column: int | None) -> str:
    if column is None or column >= len(row):
        return ""
    return row[column].strip()


@dataclass
class _Row:
    """One numbered row and its continuation rows, while the table is read."""

    number: str
    block: Block
    texts: list[str]
    owners: list[str]
    dues: list[str]
    printed: bool = True
    group: Group = Group()
    label: str = ""

    @property
    def last_text(self) -> str:
        return next((text for text in reversed(self.texts) if text), "")

    def add(self, text: str, owner: str, due: str) -> None:
        self.texts.append(text)
        self.owners.append(owner)
        self.dues.append(due)

    def item(self) -> TableItem:
        lines: list[str] = []
        subitems: list[str] = []
        for text in filter(None, self.texts):
            head, *bullets = _CELL_BULLET.split(text)
            if head:
                if lines and not _SENTENCE_END.search(lines[-1]) and not subitems:
                    lines[-1] = f"{lines[-1]} {head}"  # a sentence the page break cut
                else:
                    lines.append(head)
            for bullet in filter(None, (b.strip() for b in bullets)):
                subitems.append(bullet)
                lines.append(f"- {bullet}")
        return TableItem(number=self.number, text="\n".join(lines), subitems=tuple(subitems),
                         owner=_joined(self.owners, ", "), due=_joined(self.dues, " "), block=self.block,
                         printed=self.printed, outlook=self.group.outlook, group=self.group.caption,
                         label=self.label)


def _joined(parts: list[str], separator: str) -> str | None:
    return separator.join(part for part in parts if part) or None
