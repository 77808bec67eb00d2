"""Matches -> report.html: one self-contained page (inline CSS and JS, no network) that
opens from disk.

First the counts (per status, per theme, per party), then every relation side by side:
the old text with deletions struck through, the new text with insertions marked, the
parts of a split or merge stacked in one row, each relation with its confidence and reason,
and filters by status, theme, party and confidence (a slider, and "only to review": below
pipeline.review.REVIEW_BELOW).

    html = render_report(old_extraction, new_extraction, matches)
    write_report(out_dir / "report.html", html)
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, PackageLoader

from pipeline.export import write_text_atomic
from pipeline.matching import DROPPED, NEW, STATUSES, Match, carried_opcodes, summarize, word_diff
from pipeline.review import REVIEW_BELOW
from pipeline.settings import Settings
from pipeline.types import Extraction, is_unprinted

NO_THEME = "(no theme)"
NO_OWNER = "(no owner)"

STATUS_LABELS = {
    "unchanged": "unchanged", "modified": "modified", "split": "split", "merged": "merged",
    "new": "new", "dropped": "dropped",
}


@functools.cache
def environment() -> Environment:
    # Autoescape everything: commitment texts are user data and may hold "<" or "&".
    return Environment(loader=PackageLoader("pipeline", "templates"), autoescape=True,
                       trim_blocks=True, lstrip_blocks=True)


@dataclass(frozen=True)
class Piece:
    """One commitment in a row of the report, with its text as diff segments."""

    number: str
    key: str
    segments: tuple[tuple[str, str], ...]  # ("equal" | "delete" | "insert", text)

    @property
    def label(self) -> str:
        """The number as the report shows it: "12." as printed; "T1.3" (a row of a table
        without numbers) with no point, since the document prints no such number."""
        return self.number if is_unprinted(self.number) else f"{self.number}."


@dataclass(frozen=True)
class Row:
    match: Match
    old: tuple[Piece, ...]
    new: tuple[Piece, ...]
    theme: str
    parties: tuple[str, ...]
    notes: tuple[str, ...]  # owner, section and quantity changes, flags


def report_row(match: Match, old_year: int | None = None, new_year: int | None = None) -> Row:
    """A Match laid out for the side-by-side table; a moved agreement year and an indexed
    threshold are marked "carried", apart from real changes."""
    if match.status in (NEW, DROPPED):
        op = "insert" if match.status == NEW else "delete"
        old_segments = tuple(((op, t),) for t in match.old_texts)
        new_segments = tuple(((op, t),) for t in match.new_texts)
    else:
        diff = word_diff(match.old_texts, match.new_texts)
        carried = carried_opcodes(diff, old_year, new_year)
        old_segments, new_segments = diff.side_pieces("old", carried), diff.side_pieces("new", carried)
    return Row(match,
               tuple(Piece(n, k, s) for n, k, s in zip(match.old_numbers, match.old_keys, old_segments)),
               tuple(Piece(n, k, s) for n, k, s in zip(match.new_numbers, match.new_keys, new_segments)),
               match.theme or NO_THEME, match.owners or (NO_OWNER,), notes(match))


def notes(match: Match) -> tuple[str, ...]:
    """What a reader should know about a relation besides its text, one line each.

    >>> m = Match("unchanged", ("12",), ("13",), ("12",), ("13",), ("a",), ("a",), 1.0, 1.0, 1.0,
    ...           renumbered=True, year_shift=True)
    >>> notes(m)
    ('renumbered 12 → 13', 'agreement year moved (carried over)')
    """
    found = []
    if match.renumbered:
        found.append(f"renumbered {', '.join(match.old_numbers)} → {', '.join(match.new_numbers)}")
    if match.year_shift:
        found.append("agreement year moved (carried over)")
    found += [f"indexation: {i}" for i in match.indexations]
    found += [f"quantity: {q}" for q in match.quantity_changes]
    if match.owner_change:
        found.append(f"owner: {match.owner_change}")
    if match.section_change:
        found.append(f"section: {match.section_change}")
    if match.closest and match.status in (NEW, DROPPED):
        found.append(f"closest: {match.closest} (similarity {match.similarity:.2f})")
    return tuple(found)


def counts_by(rows: Sequence[Row], label_of) -> list[tuple[str, dict[str, int], int]]:
    """(label, count per status, total) for every label, labels sorted by name; a row with
    several labels (owners) counts under each."""
    counts: dict[str, Counter] = {}
    for row in rows:
        for label in label_of(row):
            counts.setdefault(label, Counter())[row.match.status] += 1
    return [(label, {s: c.get(s, 0) for s in STATUSES}, sum(c.values()))
            for label, c in sorted(counts.items(), key=lambda kv: kv[0].lower())]


def document_label(extraction: Extraction) -> str:
    year = f" ({extraction.year})" if extraction.year else ""
    return f"{extraction.document.id}{year}"


def render_report(old_extraction: Extraction, new_extraction: Extraction, matches: Iterable[Match],
                  settings: Settings | None = None, years: tuple[int | None, int | None] | None = None) -> str:
    """The report as one HTML string (UTF-8, nothing loaded from elsewhere).

    `settings`, when given, are shown at the bottom so a reader knows the cut-offs used;
    `years` (old, new) are the agreement years the matching used (default: the
    extractions' own), which tell carried-over years and thresholds from changes.
    """
    matches = tuple(matches)
    old_year, new_year = years or (old_extraction.year, new_extraction.year)
    rows = [report_row(m, old_year, new_year) for m in matches]
    parties = sorted({p for row in rows for p in row.parties}, key=str.lower)
    template = environment().get_template("report.html")
    return template.render(
        old=document_label(old_extraction), new=document_label(new_extraction),
        summary=summarize(matches), statuses=STATUSES, labels=STATUS_LABELS, rows=rows,
        by_theme=counts_by(rows, lambda r: [r.theme]), by_party=counts_by(rows, lambda r: r.parties),
        themes=sorted({r.theme for r in rows}, key=str.lower), parties=parties,
        settings=settings, total=len(rows), review_below=REVIEW_BELOW,
        to_review=sum(m.confidence < REVIEW_BELOW for m in matches))


def write_report(path: Path, html: str) -> Path:
    """Write the report under a temporary name and rename it into place."""
    return write_text_atomic(Path(path), html)
