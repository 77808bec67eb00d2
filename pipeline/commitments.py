"""Numbered items -> Commitment records.

A commitment starts at a numbered paragraph in the body and takes along what belongs
to it: continuation paragraphs (a page break or footnote splits a paragraph in two),
bullets and lettered sub-items, and the footnotes its text refers to.

    "12. De Volmacht hanteert ... (€ 663) ¹." + "¹ De huurprijsgrenzen ..." ->
    Commitment(number="12", text="De Volmacht hanteert ... (€ 663) ¹.",
               footnotes=("¹ De huurprijsgrenzen ...",))
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from pipeline.ingest.normalize import BULLET_RE, LABEL_RE, DIGIT_TO_SUPERSCRIPT, SUPERSCRIPT_DIGITS, footnote_marker
from pipeline.outline import Placed
from pipeline.types import FOOTNOTE, HEADING, PARAGRAPH, TABLE, Block, Commitment, Issue, Section

_TOC_LINE = re.compile(r"(\.{3,}|\u2026|_{3,})\s*\d+\s*$")
_PARTY_LIST_LINE = re.compile(r"vertegenwoordigd door|hierna te noemen|hierna genoemd", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?:;]['\"\u2019\u201d)]?$|[" + SUPERSCRIPT_DIGITS + r"]\.?$")
_LEAD_IN = re.compile(r":\s*$")


@dataclass(frozen=True)
class Label:
    """A parsed number label: "3.2.1" -> parts ("3", "2", "1"), punct ""."""

    text: str  # as printed without trailing punctuation
    punct: str  # ".", ")", "()" or ""
    lettered: bool

    @property
    def depth(self) -> int:
        return self.text.count(".") + 1

    @property
    def style(self) -> tuple[int, str, bool]:
        return (self.depth, self.punct, self.lettered)

    @property
    def last(self) -> int | None:
        tail = self.text.rsplit(".", 1)[-1]
        return int(tail) if tail.isdigit() else None


def parse_label(text: str) -> tuple[Label, str] | None:
    """Split a paragraph into its number label and the rest.

    >>> parse_label("3.2.1 Partijen monitoren.")
    (Label(text='3.2.1', punct='', lettered=False), 'Partijen monitoren.')
    >>> parse_label("b) de gemeente")[0].lettered
    True
    """
    match = LABEL_RE.match(text)
    if not match:
        return None
    if match.group("paren"):
        raw, punct = match.group("paren"), "()"
    else:
        raw, punct = match.group("label"), match.group("punct") or ""
    lettered = raw.isalpha()
    if not lettered and not punct and "." not in raw:
        return None  # "12 woningen" or "1 Inleiding" is not an item label
    if lettered and not punct:
        return None  # "a" alone is a word
    return Label(raw, punct, lettered), text[match.end():].strip()


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

    @property
    def text(self) -> str:
        return "\n".join(self.parts)


def find_commitments(document_id: str, placed: tuple[Placed, ...]) -> tuple[tuple[Commitment, ...], tuple[Issue, ...]]:
    """Collect every numbered commitment in the body, with the numbering oddities found."""
    drafts: list[_Draft] = []
    open_draft: _Draft | None = None
    item_style: tuple[int, str, bool] | None = None
    last_paragraph: Placed | None = None

    for entry in placed:
        block, section = entry.block, entry.section
        if block.kind == FOOTNOTE:
            _attach_footnote(block.text, open_draft, drafts)
            continue
        if not section.in_body or entry.role is not None or block.kind in (HEADING, TABLE):
            open_draft = None
            last_paragraph = None
            continue
        labelled = parse_label(block.text)
        bullet = BULLET_RE.match(block.text)
        if labelled and not _is_false_item(block.text, labelled[1]):
            label, rest = labelled
            if item_style is None and not label.lettered:
                item_style = label.style
            if label.style == item_style:
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
                marker = f"({label.text})" if label.punct == "()" else f"{label.text}{label.punct}"
                open_draft.add_subitem(marker, rest)
                continue
        elif bullet and open_draft is not None:
            open_draft.add_subitem("-", block.text[bullet.end():].strip())
            continue
        elif open_draft is not None and block.kind == PARAGRAPH:
            open_draft.add_paragraph(block.text)
            continue
        last_paragraph = entry

    commitments, key_issues = assign_keys([_freeze(document_id, draft) for draft in drafts], document_id)
    return tuple(commitments), tuple(numbering_issues(document_id, commitments) + key_issues)


def _is_false_item(text: str, rest: str) -> bool:
    """Numbered lines that are not commitments: TOC entries, party lists, bare numbers."""
    return bool(_TOC_LINE.search(text) or _PARTY_LIST_LINE.search(text) or not rest)


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


def _freeze(document_id: str, draft: _Draft) -> Commitment:
    block = draft.block
    return Commitment(
        document=document_id, number=draft.label.text, key=draft.label.text, text=draft.text,
        section=draft.section, subitems=tuple(draft.subitems), footnotes=tuple(draft.footnotes),
        lead_in=draft.lead_in, page=block.page, paragraph=block.paragraph, line=block.line,
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

    Repeats are reported by `assign_keys`, which has to resolve them anyway.
    """
    issues = []
    previous: Commitment | None = None
    for commitment in commitments:
        number = Label(commitment.number, ".", False).last
        prev_number = Label(previous.number, ".", False).last if previous else None
        if previous is not None and number is not None and prev_number is not None:
            same_parent = commitment.number.rpartition(".")[0] == previous.number.rpartition(".")[0]
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
        keyed.append(replace(commitment, key=key))
    return keyed, issues
