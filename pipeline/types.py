"""Frozen records exchanged between the stages.

Readers produce a `Document` of ordered `Block`s; later stages enrich records with
`dataclasses.replace` and never mutate what another stage holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# Block kinds a reader may emit.
HEADING = "heading"
PARAGRAPH = "paragraph"
TABLE = "table"
FOOTNOTE = "footnote"

# Commitment horizons.
CURRENT = "current"  # this agreement year's commitment
OUTLOOK = "outlook"  # "Doorkijk naar 2022 en verder"

# Where the owners of a commitment came from.
OWNER_FROM_COLUMN = "column"  # the Wie / Trekker column of a commitments table
OWNER_FROM_HEADING = "heading"  # "Prestaties gemeente 2021", "Afspraken corporaties"
OWNER_FROM_LEAD_IN = "lead-in"  # "Partijen maken hierover de volgende afspraken:"
OWNER_FROM_TEXT = "text"  # the sentence subject: "De Volmacht hanteert ..."
OWNER_FROM_CORRECTION = "correction"  # corrections.csv sets them
OWNER_NONE = "none"

# Party roles.
GEMEENTE = "gemeente"
CORPORATIE = "corporatie"
HUURDERSORGANISATIE = "huurdersorganisatie"


@dataclass(frozen=True)
class Block:
    """One paragraph, heading, footnote or table as a reader found it, in reading order.

    `text` holds the line as printed, number label included: a Word auto-number is
    rendered into it ("12. De Volmacht ..."), bullets keep their glyph ("• ..."), so
    every later stage sees the same text whatever the format.
    """

    text: str
    kind: str = PARAGRAPH
    heading_level: int | None = None  # known from DOCX styles or PDF fonts; None = unknown
    page: int | None = None  # 1-based, PDF
    paragraph: int | None = None  # 0-based body paragraph index, DOCX
    line: int | None = None  # 1-based, text
    rows: tuple[tuple[str, ...], ...] = ()  # cells, for kind == TABLE
    style: str | None = None  # DOCX style name or PDF font hint, for diagnostics


@dataclass(frozen=True)
class Issue:
    """An oddity found while reading: users see it as a row of issues.csv."""

    document: str
    kind: str  # e.g. numbering-gap, no-owner, unreadable-page, repeated-number
    message: str
    where: str = ""  # "page 3", "line 120", "paragraph 45"
    key: str | None = None  # the commitment concerned, if any


@dataclass(frozen=True)
class Document:
    """What a reader made of one input file."""

    path: Path
    id: str  # from the file name: "aa-en-hunze-2021"
    format: str  # text | pdf | docx
    blocks: tuple[Block, ...]
    page_count: int | None = None
    issues: tuple[Issue, ...] = ()


@dataclass(frozen=True)
class Party:
    """A party of the agreement, as its preamble introduces it."""

    document: str
    name: str  # full legal name: "Woningstichting De Volmacht"
    short_name: str  # "hierna te noemen": "De Volmacht"
    role: str | None  # gemeente | corporatie | huurdersorganisatie
    signatory: str | None = None
    function: str | None = None
    aliases: tuple[str, ...] = ()  # other spellings seen: "Woningstichting De Volmacht", "AH Woon"
    # Where it was found: definition ("hierna te noemen"), table (of parties), or, when the
    # document defines none, title, signature or owner-column (see pipeline/party_list.py).
    source: str = "definition"


@dataclass(frozen=True)
class Quantity:
    """An amount found in a commitment: "€ 663" -> kind euro, value 663.0, unit EUR."""

    kind: str  # euro | percent | count | label | index | year | date
    value: float | str | None  # number; label letter "A"; ISO date "2021-01-01"
    unit: str | None  # "EUR", "%", the counted noun ("woningen"), None
    text: str  # the span it came from
    value_max: float | None = None  # upper end of a range: "5 tot 10 woningen"
    qualifier: str | None = None  # minimaal | maximaal | circa | ...


@dataclass(frozen=True)
class Section:
    """Where a block stands in the document's outline."""

    chapter: str | None = None  # "4 Prestatieafspraken"
    theme: str | None = None  # "4.1 Betaalbaarheid"
    section: str | None = None  # "Prestaties Woonborg en De Volmacht 2021"
    horizon: str = CURRENT
    heading_owners: tuple[str, ...] = ()  # party short names the section heading names
    in_body: bool = False  # False in the preamble (party list, signatures)


@dataclass(frozen=True)
class Commitment:
    """One numbered afspraak, sub-items and continuation paragraphs included."""

    document: str
    # The clean number: "12", "3.2.1", "3.2" (of "Afspraak 3.2:"), "B1". A row of a table without
    # a number column prints none and gets "T2.3": the document's 2nd such table, its 3rd
    # afspraak (see is_unprinted).
    number: str
    key: str  # unique within the document
    text: str  # whole commitment without its label; sub-items on their own lines
    section: Section
    label: str = ""  # the label exactly as printed: "12.", "Afspraak 3.2:", "B1", "a)"; "" when none is printed
    year: int | None = None
    period_start: int | None = None  # first and last year of a multi-year agreement
    period_end: int | None = None
    subitems: tuple[str, ...] = ()
    footnotes: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    owner_source: str = OWNER_NONE
    actors: tuple[str, ...] = ()
    due: str | None = None  # timing column of a commitments table: "Q2 2024", "doorlopend"
    owner_column: str | None = None  # owner column of a commitments table as printed: "Corporaties, gemeente"
    lead_in: str | None = None  # the sentence that introduces its list: "... de volgende afspraken:"
    quantities: tuple[Quantity, ...] = ()
    confidence: float = 1.0  # how sure its extraction is, 0-1 (pipeline/confidence.py)
    doubts: tuple[str, ...] = ()  # why not more: "owner from the sentence subject", "read by OCR"
    corrected: tuple[str, ...] = ()  # fields corrections.csv set: "owners", "theme" (pipeline/corrections.py)
    page: int | None = None
    paragraph: int | None = None
    line: int | None = None


UNPRINTED_PREFIX = "T"  # starts the number of a table row that prints none: "T2.3"


def is_unprinted(number: str) -> bool:
    """Is a commitment's number one the document does not print (a row of a table
    without a number column)? Printed numbers are digits and dots."""
    return number.startswith(UNPRINTED_PREFIX)


@dataclass(frozen=True)
class Extraction:
    """Everything extracted from one document."""

    document: Document
    year: int | None
    parties: tuple[Party, ...]
    commitments: tuple[Commitment, ...]
    issues: tuple[Issue, ...] = field(default=())
    period_start: int | None = None  # first and last year of a multi-year agreement, else None
    period_end: int | None = None
