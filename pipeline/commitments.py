"""Numbered items -> Commitment records.

A commitment starts at a numbered paragraph in the body and takes along what belongs
to it: continuation paragraphs (a page break or footnote splits a paragraph in two),
bullets and lettered sub-items, and the footnotes its text refers to.

    "12. De Volmacht hanteert ... (€ 663) ¹." + "¹ De huurprijsgrenzen ..." ->
    Commitment(number="12", text="De Volmacht hanteert ... (€ 663) ¹.",
               footnotes=("¹ De huurprijsgrenzen ...",))

Which labels start a commitment: the label style most body items share ("12.", or
"3.2.1" in a hierarchically numbered document), and any label one level below the
number of the heading it stands under ("2.1" under "2 Samenwerking"). Other labels
inside a commitment are its sub-items ("a.", "1)").

Numbered lines that are not commitments: contents entries, the party list
("Ondergetekenden: 1. ..., 2. ..."), recitals ("Overwegende dat: ..."), and lists that
only name things, such as the themes or parts of the document ("De afspraken zijn
ingedeeld in vier thema's: 1. Betaalbaarheid ..."), recognised by their lead-in or
because every item repeats a heading of the document.

Rows of a commitments table (Nr. | Afspraak | Wie | Wanneer) are commitments too; see
pipeline/tables.py. A table without a number column (Afspraak | Wie | Wanneer) prints no
numbers, so its rows get one that cannot be mistaken for a printed number: "T2.3" is the
third afspraak of the document's second such table (see `unprinted_number`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from pipeline.ingest.normalize import (BULLET_RE, DIGIT_TO_SUPERSCRIPT, LABEL_RE, SUPERSCRIPT_DIGITS, clean_number,
                                      footnote_marker)
from pipeline.nlp import GROUPS_KEY
from pipeline.outline import CHAPTER, SUBSECTION, THEME, Placed, has_dotted_leader
from pipeline.parties import PartyRegister, is_lead_in
from pipeline.period import MONTH_NAMES
from pipeline.tables import DUE, HEADER_WORDS, OTHER_COLUMN_WORDS, OWNER, TableItem, column_role, continues_table, find_columns, table_items
from pipeline.verbs import VerbLexicon
from pipeline.types import (
    FOOTNOTE, HEADING, OUTLOOK, PARAGRAPH, TABLE, UNPRINTED_PREFIX, Block, Commitment, Issue, Section, is_unprinted,
)

_PARTY_LIST_LINE = re.compile(r"vertegenwoordigd door|hierna te noemen|hierna genoemd", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?:;]['\"\u2019\u201d)]?$|[" + SUPERSCRIPT_DIGITS + r"]\.?$")
_LEAD_IN = re.compile(r":\s*$")
# Lead-ins of numbered lists that are never commitments: the signing parties, recitals,
# definitions, the steps of the yearly cycle.
_NOT_COMMITMENTS_LEAD_IN = re.compile(
    r"^\s*(?:de\s+)?ondergetekenden\b|\boverwegende\b|\bin aanmerking nemende(?:\s+dat)?\b|\bconsiderans\b|"
    r"^\s*(?:de\s+)?partijen\s*:?\s*$|\bwordt\s+(?:hierna\s+)?verstaan\b|\bverstaan\s+(?:we|wij|partijen)\s+onder\b|"
    r"\b(?:begrippen|definities|begripsbepalingen)\b.*:|"
    r"\b(?:jaarcyclus|cyclus|processtappen|stappen|tijdpad|jaarplanning)\b[^.]*:", re.IGNORECASE)
# A lead-in announcing the parts of the document rather than what parties will do; the
# first part may follow on the same line ("... bestaan uit drie delen: 1. Rollen ...;").
_STRUCTURE_LEAD_IN = re.compile(
    r"\b(?:thema'?s|onderwerpen|onderdelen|delen|hoofdstukken|paragrafen|bijlagen|pijlers|"
    r"bouwstenen|opgaven)\b[^.]*:", re.IGNORECASE)
# Headings whose numbered lines are never commitments: definitions, contents, recitals, the cycle.
_NOT_COMMITMENTS_HEADING = re.compile(
    r"\b(?:begripsbepalingen|begripsbepaling|begrippen|begrippenlijst|definities|afkortingen|"
    r"inhoudsopgave|considerans|overwegingen|jaarcyclus|cyclus|leeswijzer)\b|^(?:\S+\s+)?inhoud$", re.IGNORECASE)
# The closing formula and signatures after the last commitment: never part of it.
_CLOSING = re.compile(r"^\s*(?:aldus\b|ondertekend\b|getekend\b|namens\s|handtekening|voor\s+akkoord\b|"
                      r"(?:plaats\s+en\s+)?datum\s*:|"
                      rf"[A-Z][\w'\- ]{{1,40}},\s+\d{{1,2}}\s+(?:{MONTH_NAMES})\s+\d{{4}}\.?(?:\s|$))",  # "Ravensbeek, 2 december 2025"
                      re.IGNORECASE)
OTHER = "other"  # a field that names no owner and no timing: "Betrokken: HBH"
# Several fields on one line: "Trekker: gemeente; gereed: Q2 2025", "Wie: X | Wanneer: 2025".
_FIELD_KEYS = "|".join(re.escape(word) for word in sorted(
    HEADER_WORDS[OWNER] | HEADER_WORDS[DUE] | OTHER_COLUMN_WORDS, key=len, reverse=True))
_FIELD_SEPARATOR = re.compile(rf"\s*[;|]\s*|\s+(?=(?i:{_FIELD_KEYS})\s*:)")
# Fields after the commitment's last sentence, maybe in brackets: "... vast. (Trekker: gemeente)".
_TRAILING_FIELD = re.compile(r"(?:(?<=[.!?])\s+|\s*\()(?P<fields>(?i:trekker|wie|verantwoordelijke?|eigenaar|"
                             r"kartrekker|uitvoerder)\s*:[^()]+?)\)?\.?$")
# A title-like line is short: a commitment of a few words still holds a verb or a subject,
# which opens it ("De gemeente stelt ...", "Partijen ..."); "Reactie huurdersorganisaties op
# het bod" names a party, but not as its subject.
MAX_TITLE_WORDS = 10
# An item that only names something: a few words, no sentence inside.
MAX_NAME_WORDS = 8
# The number of a heading: "3.1 Huurbeleid", "Artikel 3 Betaalbaarheid", "Hoofdstuk 2: Wonen".
_HEADING_NUMBER = re.compile(r"^(?:(?i:artikel|hoofdstuk|thema|paragraaf|deel)\s+)?(\d{1,3}(?:\.\d{1,3})*)[.:]?\s")
# The number given to a row of a table without a number column: "T<table>.<row>".
def unprinted_number(table: int, row: str) -> str:
    """The number of a table row that prints none: the document's 2nd such table, its
    3rd afspraak -> "T2.3". Printed numbers are digits and dots, so the two never meet.

    >>> unprinted_number(2, "3"), is_unprinted("T2.3"), is_unprinted("2.3")
    ('T2.3', True, False)
    """
    return f"{UNPRINTED_PREFIX}{table}.{row}"


@dataclass(frozen=True)
class Label:
    """A parsed number label: "3.2.1" -> text "3.2.1"; "Afspraak 3.2:" -> text "3.2", prefix
    "afspraak", printed "Afspraak 3.2:"; "B1" -> text "B1" (a theme letter and a number)."""

    text: str  # the clean number: no trailing punctuation, no word before it
    punct: str  # ".", ")", ":", "()" or ""
    lettered: bool  # "a", "b": a letter alone
    prefix: str = ""  # the word before the number, lower-cased: "afspraak", "actie"
    printed: str = ""  # the label exactly as printed; empty when the document prints none

    @property
    def depth(self) -> int:
        return self.text.count(".") + 1

    @property
    def coded(self) -> bool:
        """A theme letter and a number: "B1", "V3"."""
        return self.text[:1].isupper()

    @property
    def style(self) -> tuple:
        """What the labels of one list share: depth, punctuation, letter / coded / number, the word before."""
        kind = "letter" if self.lettered else ("coded" if self.coded else "number")
        return (self.depth, self.punct, kind, self.prefix)

    @property
    def last(self) -> int | None:
        tail = re.search(r"(\d+)$", self.text)
        return int(tail.group(1)) if tail and not self.lettered else None

    @property
    def parent(self) -> str:
        """"3.2.1" -> "3.2"; "B12" -> "B" (its theme letter); "12" -> ""."""
        head = self.text.rpartition(".")[0]
        if head or not self.coded:
            return head
        return re.match(r"[A-Z]+", self.text).group(0)


def parse_label(text: str) -> tuple[Label, str] | None:
    """Split a paragraph into its number label and the rest.

    >>> parse_label("3.2.1 Partijen monitoren.")
    (Label(text='3.2.1', punct='', lettered=False, prefix='', printed='3.2.1'), 'Partijen monitoren.')
    >>> parse_label("b) de gemeente")[0].lettered, parse_label("Afspraak 3.2: De gemeente")[0].text
    (True, '3.2')
    """
    match = LABEL_RE.match(text)
    if not match:
        return None
    prefix = ""
    if match.group("paren"):
        raw, punct = match.group("paren"), "()"
    elif match.group("prefixed"):
        raw, punct, prefix = match.group("prefixed"), match.group("ppunct") or "", match.group("prefix").strip().lower()
    elif match.group("coded"):
        raw, punct = match.group("coded"), match.group("cpunct") or ""
    else:
        raw, punct = match.group("label"), match.group("punct") or ""
    lettered = raw.isalpha()
    if not prefix and not raw[:1].isupper():
        if not lettered and not punct and "." not in raw:
            return None  # "12 woningen" or "1 Inleiding" is not an item label
        if not punct and any(len(group) == 3 for group in raw.split(".")[1:]):
            return None  # "1.500 woningen": a thousands separator, not a multi-level number
        if lettered and not punct:
            return None  # "a" alone is a word
    number = clean_number(raw)
    printed = text[:match.end()].strip()
    return Label(number, punct, lettered, prefix, printed), text[match.end():].strip()


@dataclass
class _Draft:
    """A commitment being assembled; frozen into a Commitment when it closes."""

    label: Label
    block: Block
    section: Section
    parts: list[str]
    subitems: list[str] = field(default_factory=list)
    footnotes: list[str] = field(default_factory=list)
    lead_in: str | None = None
    last_is_subitem: bool = False
    due: str | None = None
    owner_column: str | None = None

    @classmethod
    def from_table(cls, item: TableItem, section: Section, unnumbered_table: int) -> _Draft:
        """`unnumbered_table`: which table without a number column this is (1, 2, ...)."""
        number = item.number if item.printed else unprinted_number(unnumbered_table, item.number)
        if item.group:  # below a group row: its theme, or a section of the heading's theme
            section = replace(section, theme=item.group) if section.theme is None else \
                replace(section, section=item.group)
        if item.outlook:  # below a "Doorkijk ..." row of the table: as below such a heading
            section = replace(section, horizon=OUTLOOK, heading_owners=())
        return cls(Label(number, "", False, printed=item.label), item.block, section, item.text.split("\n"),
                   subitems=list(item.subitems), due=item.due, owner_column=item.owner)

    def add_paragraph(self, text: str) -> None:
        """A paragraph after the item: the rest of a broken sentence, or a new line of it.

        After a sub-item only a lowercase start continues it (bullets rarely end in a stop).
        """
        previous = self.parts[-1]
        if self.last_is_subitem:
            joined = text[:1].islower()
        else:
            joined = not _SENTENCE_END.search(previous) or text[:1].islower()
        if joined:
            self.parts[-1] = f"{previous} {text}"
        else:
            self.parts.append(text)
            self.last_is_subitem = False

    def add_subitem(self, marker: str, text: str) -> None:
        self.subitems.append(text)
        self.parts.append(f"{marker} {text}")
        self.last_is_subitem = True

    def take_fields(self, text: str) -> bool:
        """A line that says who or when, as a commitments table's columns would: "Trekker:
        gemeente", "Planning: Q2 2025", "Wie: corporaties; wanneer: 2025". Returns True when
        the line was such a line and is taken as owner and timing, not as text."""
        fields = field_line(text)
        for role, value in fields or ():
            self.add_field(role, value)
        return fields is not None

    def add_field(self, role: str, value: str) -> None:
        if role == OWNER:
            self.owner_column = f"{self.owner_column}, {value}" if self.owner_column else value
        elif role == DUE:
            self.due = f"{self.due} {value}" if self.due else value
        else:
            self.parts.append(value)  # "Betrokken: HBH": stays in the text, on a line of its own

    @property
    def text(self) -> str:
        return "\n".join(self.parts)


def find_commitments(document_id: str, placed: tuple[Placed, ...], sentences: Sentences | None = None
                     ) -> tuple[tuple[Commitment, ...], tuple[Issue, ...]]:
    """Collect every numbered commitment in the body, with the numbering oddities found.

        "2 Samenwerking" / "2.1 Partijen overleggen ..." / "a. bestuurlijk" / "b. ambtelijk"
        -> Commitment(number="2.1", subitems=("bestuurlijk", "ambtelijk"), ...)
    """
    labelled_at = labelled_items(placed)
    item_style = dominant_item_style(labelled_at)
    not_commitments = non_commitment_items(placed, item_style, labelled_at, sentences)
    drafts: list[_Draft] = []
    open_draft: _Draft | None = None
    last_paragraph: Placed | None = None
    unnumbered_tables = 0

    def opens_list(start: int) -> bool:
        """Does a commitment start at the next block that is not a footnote?"""
        following = next((i for i in range(start, len(placed)) if placed[i].block.kind != FOOTNOTE), None)
        labelled = labelled_at.get(following) if following is not None else None
        return labelled is not None and following not in not_commitments and starts_commitment(
            labelled[0], placed[following].section, item_style)

    index = 0
    while index < len(placed):
        position, entry = index, placed[index]
        block, section = entry.block, entry.section
        index += 1
        if block.kind == FOOTNOTE:
            _attach_footnote(block.text, open_draft, drafts)
            continue
        # A commitments table is read wherever it stands, also in a document whose only
        # heading comes after it ("Ondertekening"); its rows may be commitments; it ends the open one.
        if block.kind == TABLE and (section.in_body or find_columns(block.rows) is not None):
            pieces, notes, index = _table_pieces(placed, position)
            items = table_items(pieces)
            if sentences is not None and items and not any(item.printed for item in items) \
                    and all(sentences.title_like(item.text) for item in items):
                items = ()  # "Wanneer | Wat | Wie" of the yearly cycle: steps, not afspraken
            unnumbered_tables += any(not item.printed for item in items)
            drafts.extend(_Draft.from_table(item, section, unnumbered_tables) for item in items)
            for note in notes:
                _attach_footnote(note.text, None, drafts)
        if not section.in_body or entry.role is not None or block.kind in (HEADING, TABLE):
            open_draft = None
            last_paragraph = None
            continue
        labelled = labelled_at.get(position)
        bullet = BULLET_RE.match(block.text)
        if labelled:
            label, rest = labelled
            if position in not_commitments:
                open_draft = None
                last_paragraph = None
                continue
            if starts_commitment(label, section, item_style):
                lead_in = None
                if last_paragraph is not None and _LEAD_IN.search(last_paragraph.block.text):
                    lead_in = last_paragraph.block.text
                elif open_draft is not None and drafts and open_draft.lead_in \
                        and open_draft.section == section:
                    lead_in = open_draft.lead_in
                open_draft = _Draft(label, block, section, [rest], lead_in=lead_in)
                drafts.append(open_draft)
                continue
            if open_draft is not None:
                marker = label.printed
                open_draft.add_subitem(marker, rest)
                continue
        elif bullet and open_draft is not None:
            if not open_draft.take_fields(block.text[bullet.end():].strip()):
                open_draft.add_subitem("-", block.text[bullet.end():].strip())
            continue
        elif open_draft is not None and block.kind == PARAGRAPH and not (
                _LEAD_IN.search(block.text) and opens_list(index)) and not _CLOSING.match(block.text):
            if not open_draft.take_fields(block.text):
                open_draft.add_paragraph(block.text)
            continue
        else:
            open_draft = None  # a lead-in of the list that follows ends the item above it
        last_paragraph = entry

    commitments, key_issues = assign_keys([_freeze(document_id, draft) for draft in drafts], document_id)
    return tuple(commitments), tuple(numbering_issues(document_id, commitments) + key_issues)


def _table_pieces(placed: tuple[Placed, ...], start: int) -> tuple[list[Block], list[Block], int]:
    """The table at `start` and its continuations after page breaks, the footnotes printed
    between the pieces, and the index after the last piece."""
    pieces = [placed[start].block]
    columns = find_columns(pieces[0].rows)
    notes: list[Block] = []
    pending: list[Block] = []
    end = cursor = start + 1
    while columns is not None and cursor < len(placed):
        block = placed[cursor].block
        cursor += 1
        if block.kind == FOOTNOTE:
            pending.append(block)
        elif continues_table(pieces[-1], block, columns):
            pieces.append(block)
            notes.extend(pending)
            pending.clear()
            end = cursor
        else:
            break
    return pieces, notes, end


def labelled_items(placed: tuple[Placed, ...]) -> dict[int, tuple[Label, str]]:
    """Index -> (label, rest) of every body paragraph that carries a number label."""
    labelled_at = {}
    for index, entry in enumerate(placed):
        block = entry.block
        if not entry.section.in_body or entry.role is not None or block.kind != PARAGRAPH:
            continue
        labelled = parse_label(block.text)
        if labelled and not _is_false_item(block.text, labelled[1]):
            labelled_at[index] = labelled
    return labelled_at


def dominant_item_style(labelled_at: dict[int, tuple[Label, str]]) -> tuple | None:
    """The label style of the commitments (see Label.style).

    The style with the most different labels wins: commitments count on ("1." ... "76.")
    while numbered sub-items start again under every commitment ("1)", "2)", "1)", ...),
    however many there are; on a tie the style seen first wins. Letters number the
    commitments only where nothing else does ("a) De gemeente ...", "b) ..."); otherwise
    they are sub-items.
    """
    labels: dict[tuple, set[str]] = {}
    letters: dict[tuple, set[str]] = {}
    for label, _ in labelled_at.values():
        (letters if label.lettered else labels).setdefault(label.style, set()).add(label.text)
    labels = labels or letters
    if not labels:
        return None
    return max(labels, key=lambda style: len(labels[style]))  # max() keeps the first of equals


def heading_numbers(section: Section) -> set[str]:
    """The numbers of the headings a block stands under: {"3", "3.1"}."""
    numbers = set()
    for heading in (section.chapter, section.theme, section.section):
        match = _HEADING_NUMBER.match(heading or "")
        if match:
            numbers.add(match.group(1))
    return numbers


def starts_commitment(label: Label, section: Section, item_style: tuple | None) -> bool:
    """Does this label open a commitment (rather than a sub-item of the open one)?

    Yes for the document's item style, and for a number one level below its heading's
    number: "2.1" under "2 Samenwerking", "3.1.2" under "3.1 Huurbeleid", "Afspraak 3.2"
    under "Artikel 3 Betaalbaarheid".
    """
    if label.style == item_style:
        return True
    if label.lettered:
        return False
    parent = label.parent
    return bool(parent) and parent in heading_numbers(section)


def non_commitment_items(placed: tuple[Placed, ...], item_style, labelled_at: dict[int, tuple[Label, str]],
                         sentences: Sentences | None = None) -> set[int]:
    """Indexes of numbered paragraphs in lists that are not commitments.

    A list is a run of commitment-style labels with consecutive numbers and nothing but
    their own continuation lines between them. It is not a list of commitments when its
    lead-in introduces the signing parties, recitals, definitions or the steps of the yearly
    cycle; when every item only names something and either the lead-in announces parts or
    themes, or every item repeats a heading of the document; or when every item is a
    title-like noun phrase (see `Sentences`) and no lead-in announces afspraken. Numbered
    lines below a heading of definitions, contents or the cycle are none either.
    """
    titles = {_title_key(entry.block.text) for entry in placed if entry.role in (CHAPTER, THEME, SUBSECTION)}
    skipped: set[int] = {index for index in labelled_at if _under_non_commitment_heading(placed[index].section)}
    for lead_in, items in _item_lists(placed, item_style, labelled_at):
        texts = [rest for _, rest in items]
        names_only = all(_only_names(text) for text in texts)
        titles_only = sentences is not None and all(sentences.title_like(text) for text in texts)
        if _NOT_COMMITMENTS_LEAD_IN.search(lead_in) or (names_only and (
                _STRUCTURE_LEAD_IN.search(lead_in) or all(_title_key(text) in titles for text in texts))) or (
                titles_only and not is_lead_in(lead_in)):
            skipped.update(index for index, _ in items)
    return skipped


def _under_non_commitment_heading(section: Section) -> bool:
    """Below "Artikel 1 Begripsbepalingen", "Inhoudsopgave", "Jaarcyclus": no commitments."""
    heading = section.section or section.theme or section.chapter
    return bool(heading) and bool(_NOT_COMMITMENTS_HEADING.search(_title_key(heading)))


class Sentences:
    """Does a numbered line commit someone? A commitment is a sentence: it has a verb that can
    only be one ("verbetert", "actualiseren", "zal") or a party or group word as its subject
    ("De gemeente ...", "Partijen ..."), or it is longer than a title. A title-like noun
    phrase is none of these: "Organisatie en samenwerking", "Deel 2: afspraken over samenwerking;",
    "Bod corporaties voor 1 juli".
    """

    def __init__(self, verbs: VerbLexicon, register: PartyRegister | None = None):
        self.verbs = verbs
        self.register = register

    def title_like(self, text: str) -> bool:
        words = text.rstrip(".;,: ").split()
        if not words or len(words) > MAX_TITLE_WORDS or re.search(r"[.!?;]\s+[A-Z]", text):
            return False
        if self.verbs.has_verb(text):
            return False
        return not self._party_subject(text)

    def _party_subject(self, text: str) -> bool:
        """A party or group word opens the text: "De gemeente stelt ...", "Woonborg en De Volmacht ..."."""
        if self.register is None:
            return False
        doc = self.register.parse(text)
        return any(mention.start == 0 for mention in self.register.mentions(doc)) or any(
            span.start == 0 for span in doc.spans.get(GROUPS_KEY, []))


def _item_lists(placed: tuple[Placed, ...], item_style, labelled: dict[int, tuple[Label, str]]):
    """(lead-in text, [(index, rest), ...]) for every run of consecutively numbered items."""
    lists: list[tuple[str, list[tuple[int, str]]]] = []
    current: list[tuple[int, str]] | None = None
    previous_label: Label | None = None
    for index, entry in enumerate(placed):
        block = entry.block
        if block.kind == FOOTNOTE:
            continue
        if index in labelled:
            label, rest = labelled[index]
            if not starts_commitment(label, entry.section, item_style):
                continue  # a sub-item
            follows = (current is not None and previous_label is not None and label.last is not None
                       and previous_label.last is not None and label.last == previous_label.last + 1
                       and label.parent == previous_label.parent)
            if not follows:
                before = placed[index - 1].block.text if index > 0 else ""
                current = []
                lists.append((before, current))
            current.append((index, rest))
            previous_label = label
        elif entry.role is not None or block.kind != PARAGRAPH or _LEAD_IN.search(block.text):
            current, previous_label = None, None
    return lists


def _only_names(text: str) -> bool:
    """"Betaalbaarheid", "Deel A: rollen en verantwoordelijkheden;" -> True; a sentence with a
    subject and verb usually runs longer or holds a full stop inside."""
    words = text.rstrip(".;,: ").split()
    return 0 < len(words) <= MAX_NAME_WORDS and not re.search(r"[.!?]\s+[A-Z]", text)


def _title_key(text: str) -> str:
    """"3.1 Huurbeleid" and "Huurbeleid;" -> "huurbeleid"."""
    text = re.sub(r"^\s*\d{1,3}(?:\.\d{1,3})*[.)]?\s+", "", text)
    text = re.sub(r"\s+\d{1,3}\s*$", "", text)  # a page number
    return re.sub(r"[^\w]+", " ", text.lower()).strip()


def _is_false_item(text: str, rest: str) -> bool:
    """Numbered lines that are not commitments: TOC entries, party lists, bare numbers."""
    return not rest or has_dotted_leader(text) or bool(_PARTY_LIST_LINE.search(text))


def _attach_footnote(text: str, open_draft: _Draft | None, drafts: list[_Draft]) -> None:
    """Give a footnote to the commitment whose text carries its mark (the open one first)."""
    mark = footnote_marker(text)
    if mark is None:
        return
    superscript = mark.translate(DIGIT_TO_SUPERSCRIPT)
    candidates = ([open_draft] if open_draft else []) + drafts[::-1]
    for draft in candidates:
        if superscript in draft.text:
            draft.footnotes.append(text)
            return


def field_line(text: str) -> list[tuple[str, str]] | None:
    """The (owner | due | other, value) pairs of a line of fields, or None for any other line.

    Every part must name a column a commitments table has: who or when (the header words of
    pipeline/tables.py: Trekker, Wie, Verantwoordelijke, Eigenaar, Planning, Gereed, ...),
    or who else takes part and how progress is measured (Betrokken, Indicator, ...); the
    first part says who or when.

    >>> field_line("Trekker: gemeente; gereed: Q2 2025"), field_line("Toelichting: zie bijlage")
    ([('owner', 'gemeente'), ('due', 'Q2 2025')], None)
    >>> field_line("Trekker: Hazelwonen. Betrokken: Broekhuizen, HBH.")
    [('owner', 'Hazelwonen'), ('other', 'Betrokken: Broekhuizen, HBH')]
    """
    parts = [part for part in _FIELD_SEPARATOR.split(text.strip().rstrip(".")) if part.strip()]
    fields = []
    for part in parts:
        key, colon, value = part.partition(":")
        value = value.strip().rstrip(".;,").strip()
        if not colon or len(key.split()) > 3 or not value:
            return None
        role = column_role(key)
        if role in (OWNER, DUE):
            fields.append((role, value))
        elif fields and key.strip().lower() in OTHER_COLUMN_WORDS:
            fields.append((OTHER, f"{key.strip()}: {value}"))
        else:
            return None
    return fields or None


def _trailing_fields(text: str) -> tuple[str, list[tuple[str, str]]]:
    """A commitment that ends with its owner: "De gemeente stelt vast. (Trekker: gemeente)"
    -> ("De gemeente stelt vast.", [("owner", "gemeente")])."""
    found = _TRAILING_FIELD.search(text)
    if found:
        fields = field_line(found.group("fields"))
        if fields:
            return text[:found.start()].rstrip(), fields
    return text, []


def _freeze(document_id: str, draft: _Draft) -> Commitment:
    if draft.parts:
        draft.parts[0], fields = _trailing_fields(draft.parts[0])
        for role, value in fields:
            draft.add_field(role, value)
    block = draft.block
    return Commitment(
        document=document_id, number=draft.label.text, key=draft.label.text, label=draft.label.printed,
        text=draft.text,
        section=draft.section, subitems=tuple(draft.subitems), footnotes=tuple(draft.footnotes),
        lead_in=draft.lead_in, due=draft.due, owner_column=draft.owner_column, page=block.page, paragraph=block.paragraph, line=block.line,
    )


def where(commitment: Commitment) -> str:
    """Provenance as words: "page 3", "paragraph 45" or "line 120"."""
    if commitment.page is not None:
        return f"page {commitment.page}"
    if commitment.paragraph is not None:
        return f"paragraph {commitment.paragraph}"
    if commitment.line is not None:
        return f"line {commitment.line}"
    return ""


def numbering_issues(document_id: str, commitments: list[Commitment]) -> list[Issue]:
    """Gaps and backward steps in the running numbers; a restart at 1 is a new list.

    Repeats are reported by `assign_keys`, which has to resolve them anyway. Numbers the
    document does not print ("T2.3") are left out: they cannot be wrong.
    """
    issues = []
    previous: Commitment | None = None
    for commitment in commitments:
        if is_unprinted(commitment.number):
            continue
        label, prev_label = _number_label(commitment.number), _number_label(previous.number) if previous else None
        number, prev_number = label.last, prev_label.last if prev_label else None
        if previous is not None and number is not None and prev_number is not None:
            same_parent = label.parent == prev_label.parent
            if same_parent and number > prev_number + 1:
                missing = ", ".join(str(n) for n in range(prev_number + 1, number))
                issues.append(Issue(document_id, "numbering-gap",
                                    f"after {previous.number} comes {commitment.number}; missing {missing}",
                                    where(commitment), commitment.key))
            elif same_parent and number < prev_number and number != 1:
                issues.append(Issue(document_id, "numbering-backwards",
                                    f"{commitment.number} follows {previous.number}",
                                    where(commitment), commitment.key))
        previous = commitment
    return issues


def _number_label(number: str) -> Label:
    """A clean number as a Label, for its place in a list: "B3" -> last 3, parent "B"."""
    return Label(number, "", number.isalpha())


def _qualifier(section: Section) -> str:
    """"4.1 Betaalbaarheid" -> "4.1"; an unnumbered theme -> its words, hyphenated."""
    for heading in (section.theme, section.section, section.chapter):
        if heading:
            number = re.match(r"^(\d+(?:\.\d+)*)\s", heading)
            return number.group(1) if number else re.sub(r"\W+", "-", heading.lower()).strip("-")
    return "body"


def assign_keys(commitments: list[Commitment], document_id: str) -> tuple[list[Commitment], list[Issue]]:
    """Keys unique within the document: the printed number, qualified by theme if numbers repeat.

    A number printed twice within one theme gets "~2" and a repeated-number issue.
    """
    issues: list[Issue] = []
    numbers = [c.number for c in commitments]
    restarts = len(set(numbers)) < len(numbers)
    keyed = []
    seen: dict[str, int] = {}
    for commitment in commitments:
        key = f"{_qualifier(commitment.section)}/{commitment.number}" if restarts else commitment.number
        if key in seen:
            seen[key] += 1
            issues.append(Issue(document_id, "repeated-number",
                                f"number {commitment.number} appears again in the same section; "
                                f"keyed {key}~{seen[key]}", where(commitment), key))
            key = f"{key}~{seen[key]}"
        else:
            seen[key] = 1
        keyed.append(commitment if key == commitment.key else replace(commitment, key=key))
    return keyed, issues
