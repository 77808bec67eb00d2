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

The owner column stays as printed here; parties.py resolves it to parties.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

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
# The header stands in the first rows; a caption row ("Thema Betaalbaarheid") may come first.
HEADER_SEARCH_ROWS = 2
_NUMBER_CELL = re.compile(r"^(?P<number>\d{1,3}(?:\.\d{1,3})*)[.)]?$")
_SENTENCE_END = re.compile(r"[.!?:;]['\"\u2019\u201d)]?$")
# Bullets inside a cell; readers join a cell's lines and paragraphs with spaces.
_CELL_BULLET = re.compile(r"\s*[\u2022\u25aa\u25cf\u25e6\uf0b7]\s+")


@dataclass(frozen=True)
class Columns:
    """Where a commitments table keeps what: column indexes and its header row."""

    header: tuple[str, ...]  # the header row as printed
    header_row: int  # its index in the first piece's rows
    number: int
    text: int
    owner: int | None = None
    due: int | None = None


@dataclass(frozen=True)
class TableItem:
    """One commitment read from a table; `block` is the piece its numbered row stands in."""

    number: str  # as printed, without trailing punctuation: "3", "2.1"
    text: str  # the afspraak cell, continuation rows joined; bullets on lines of their own
    subitems: tuple[str, ...]
    owner: str | None  # the owner cell as printed
    due: str | None  # the timing cell as printed
    block: Block


def _header_key(cell: str) -> str:
    return re.sub(r"\s+", " ", cell.strip().lower().rstrip(":?").strip())


def column_role(cell: str) -> str | None:
    """The role a header cell names: "Nr." -> number, "Trekker" -> owner, "Toelichting" -> None.

    >>> [column_role(c) for c in ("Nr.", "Afspraak", "Wie?", "Planning", "Toelichting")]
    ['number', 'text', 'owner', 'due', None]
    """
    key = _header_key(cell)
    candidates = [key, key.split("/")[0].strip(), key.split("(")[0].strip()]
    for role, words in HEADER_WORDS.items():
        if any(candidate in words for candidate in candidates):
            return role
    return None


def find_columns(rows: Sequence[Sequence[str]]) -> Columns | None:
    """The columns of a commitments table, or None for any other table.

    A commitments table has a header row with at least a number and an afspraak column.
    """
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        roles: dict[str, int] = {}
        for column, cell in enumerate(row):
            role = column_role(cell)
            if role is not None and role not in roles:
                roles[role] = column
        if NUMBER in roles and TEXT in roles:
            return Columns(header=tuple(row), header_row=index, number=roles[NUMBER], text=roles[TEXT],
                           owner=roles.get(OWNER), due=roles.get(DUE))
    return None


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
    drafts: list[_Row] = []
    current: _Row | None = None
    for piece_index, piece in enumerate(pieces):
        for row_index, row in enumerate(piece.rows):
            if piece_index == 0 and row_index <= columns.header_row:
                continue  # the header and any caption above it
            if _same_header(row, columns.header):
                continue  # the header repeated at the top of a new page
            number = _cell(row, columns.number)
            text, owner, due = (_cell(row, columns.text), _cell(row, columns.owner), _cell(row, columns.due))
            match = _NUMBER_CELL.match(number)
            if match and text:
                current = _Row(match.group("number"), piece, [text], [owner], [due])
                drafts.append(current)
            elif not number and current is not None:
                current.add(text, owner, due)  # a row split over a page, or a second paragraph
            else:
                current = None  # a group row ("Doorkijk naar 2025") or an unnumbered line
    return tuple(draft.item() for draft in drafts)


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
                         owner=_joined(self.owners, ", "), due=_joined(self.dues, " "), block=self.block)


def _joined(parts: list[str], separator: str) -> str | None:
    return separator.join(part for part in parts if part) or None
