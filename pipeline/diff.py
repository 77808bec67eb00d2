"""Two years of one agreement -> what became of every commitment, written as tables and a report.

    old = load_extraction_folder(Path("outputs/aa-en-hunze-2021"))   # or run.extract_document(...)
    result = diff(old, new, settings)
    write_diff(result, Path("outputs/diff-2021-2022"))
    print(format_summary(result.summary))

writes matches.jsonl / .csv / .parquet (one row per relation, pipeline.matching.MATCH_COLUMNS),
review.csv (pipeline/review.py), issues.csv and report.html into the folder.

Corrections (pipeline/corrections.py) pin or forbid pairs: `diff(old, new, settings,
pair_corrections(...))`; the owners, theme and removals of each side are applied to the
extractions before (`correct_extraction`).
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from pipeline.corrections import PairCorrections, forbid_notes, forbidden_in_groups
from pipeline.errors import UnreadableDocumentError
from pipeline.export import ISSUE_COLUMNS, to_plain, write_table
from pipeline.matching import MATCH_COLUMNS, STATUSES, Match, match_commitments, match_rows, summarize
from pipeline.report import render_report, write_report
from pipeline.review import REVIEW_COLUMNS, commitment_items, match_items, review_queue
from pipeline.settings import Settings
from pipeline.types import CURRENT, Commitment, Document, Extraction, Issue, Party, Quantity, Section

COMMITMENTS_FILE = "commitments.jsonl"
PARTIES_FILE = "parties.csv"
REPORT_FILE = "report.html"


@dataclass(frozen=True)
class DiffResult:
    """The comparison of two extractions: every relation, and the count per status."""

    old: Extraction
    new: Extraction
    matches: tuple[Match, ...]
    summary: dict[str, int]
    settings: Settings
    years: tuple[int | None, int | None] = (None, None)  # the agreement years the matching used
    issues: tuple[Issue, ...] = ()  # both sides' issues and the corrections' (stale, not applicable)


def diff(old: Extraction, new: Extraction, settings: Settings,
         corrections: PairCorrections = PairCorrections(), issues: Iterable[Issue] = ()) -> DiffResult:
    """Match the commitments of two years of one agreement (by content, never by number).

    The agreement years come from the extractions (else from the document ids,
    "aa-en-hunze-2022"); they decide which year changes are a carry-over and which rent
    thresholds count as indexation. `corrections` pins and forbids pairs (keys that fit,
    from pipeline.corrections.pair_corrections); `issues` are its issues, kept in the result.
    """
    old_year = old.year if old.year is not None else year_from_id(old.document.id)
    new_year = new.year if new.year is not None else year_from_id(new.document.id)
    matches = match_commitments(old.commitments, new.commitments, settings, old_year, new_year,
                                pins=corrections.pins, forbids=corrections.forbids)
    matches = forbid_notes(matches, corrections)
    issues = (*old.issues, *new.issues, *issues, *forbidden_in_groups(matches, corrections, old.document.id))
    return DiffResult(old, new, matches, summarize(matches), settings, (old_year, new_year), issues)


def review_rows(result: DiffResult) -> list[dict[str, Any]]:
    """The review queue of a diff: its unsure relations and both sides' unsure commitments."""
    return review_queue([*match_items(match_rows(result.matches), result.old, result.new),
                         *commitment_items(result.old.commitments), *commitment_items(result.new.commitments)])


def write_diff(result: DiffResult, out_dir: Path) -> list[Path]:
    """matches.{jsonl,csv,parquet}, review.csv, issues.csv and report.html in `out_dir`, each
    written atomically."""
    out_dir = Path(out_dir)
    written = write_table(match_rows(result.matches), out_dir, "matches", MATCH_COLUMNS)
    written += write_table(review_rows(result), out_dir, "review", REVIEW_COLUMNS, ["csv"])
    written += write_table((to_plain(i) for i in result.issues), out_dir, "issues", ISSUE_COLUMNS, ["csv"])
    html = render_report(result.old, result.new, result.matches, result.settings, result.years)
    written.append(write_report(out_dir / REPORT_FILE, html))
    return written


def format_summary(summary: dict[str, int]) -> str:
    """The one line the CLI prints.

    >>> format_summary({"unchanged": 60, "modified": 3, "split": 1, "merged": 1, "new": 2, "dropped": 2})
    '69 relations: 60 unchanged, 3 modified, 1 split, 1 merged, 2 new, 2 dropped'
    """
    parts = ", ".join(f"{summary.get(s, 0)} {s}" for s in STATUSES)
    return f"{sum(summary.values())} relations: {parts}"


# --------------------------------------------------------------------------- extract folders


def is_extraction_folder(path: Path) -> bool:
    """True for a folder `agreements extract` wrote (it holds commitments.jsonl)."""
    return Path(path).is_dir() and (Path(path) / COMMITMENTS_FILE).is_file()


def load_extraction_folder(path: Path, document: str | None = None) -> Extraction:
    """Rebuild one document's Extraction from a folder `agreements extract` wrote.

    commitments.jsonl gives the Commitment records (their Section fields flattened into
    the row), parties.csv the parties. A folder holding several documents needs
    `document` (an id from its `document` column).

    Raises UnreadableDocumentError (naming the folder) when it is no extract folder, or
    the document is missing or ambiguous.
    """
    path = Path(path)
    if not is_extraction_folder(path):
        raise UnreadableDocumentError(path, f"no {COMMITMENTS_FILE} here: pass a folder written by "
                                      "`agreements extract`, or a PDF, DOCX or text file")
    rows = read_jsonl(path / COMMITMENTS_FILE)
    documents = list(dict.fromkeys(str(r.get("document")) for r in rows))
    chosen = choose_document(path, documents, document)
    commitments = tuple(commitment_from_row(r) for r in rows if str(r.get("document")) == chosen)
    parties = tuple(p for p in read_parties(path / PARTIES_FILE) if p.document == chosen)
    years = Counter(c.year for c in commitments if c.year is not None)
    year = years.most_common(1)[0][0] if years else year_from_id(chosen)
    source = Document(path=path, id=chosen, format="extraction", blocks=())
    first = commitments[0] if commitments else None
    return Extraction(document=source, year=year, parties=parties, commitments=commitments,
                      period_start=first.period_start if first else None,
                      period_end=first.period_end if first else None)


def choose_document(path: Path, documents: list[str], wanted: str | None) -> str:
    if wanted is not None:
        if wanted not in documents:
            raise UnreadableDocumentError(path, f"document {wanted!r} is not in {COMMITMENTS_FILE} "
                                          f"(it holds: {', '.join(documents) or 'nothing'})")
        return wanted
    if len(documents) != 1:
        raise UnreadableDocumentError(path, f"{COMMITMENTS_FILE} holds {len(documents)} documents "
                                      f"({', '.join(documents) or 'none'}); extract each year into its own folder")
    return documents[0]


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    rows = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as error:
                raise UnreadableDocumentError(path, f"line {number} is no JSON ({error.msg})") from error
    return rows


_SECTION_FIELDS = ("chapter", "theme", "section", "horizon", "heading_owners")
_TUPLE_FIELDS = ("subitems", "footnotes", "owners", "actors", "doubts", "corrected")


def commitment_from_row(row: dict[str, Any]) -> Commitment:
    """One commitments.jsonl row -> Commitment (unknown columns are ignored).

    >>> c = commitment_from_row({"document": "d", "number": "12", "key": "12", "text": "x",
    ...                          "theme": "4.1 Betaalbaarheid", "owners": ["De Volmacht"],
    ...                          "quantities": [{"kind": "euro", "value": 663.0, "unit": "EUR", "text": "€ 663"}]})
    >>> c.section.theme, c.owners, c.quantities[0].value
    ('4.1 Betaalbaarheid', ('De Volmacht',), 663.0)
    """
    section = Section(chapter=row.get("chapter"), theme=row.get("theme"), section=row.get("section"),
                      horizon=row.get("horizon") or CURRENT,
                      heading_owners=tuple(row.get("heading_owners") or ()), in_body=True)
    known = {f.name for f in fields(Commitment)} - {"section", "quantities"}
    values = {k: v for k, v in row.items() if k in known}
    for name in _TUPLE_FIELDS:
        values[name] = tuple(values.get(name) or ())
    quantity_fields = {f.name for f in fields(Quantity)}
    quantities = tuple(Quantity(**{k: v for k, v in q.items() if k in quantity_fields})
                       for q in row.get("quantities") or ())
    values["number"] = str(values.get("number", ""))
    values["key"] = str(values.get("key") or values["number"])
    return Commitment(section=section, quantities=quantities, **values)


def read_parties(path: Path) -> list[Party]:
    """parties.csv -> Party records; empty cells are None, aliases are "; "-joined."""
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return [Party(document=row["document"], name=row["name"], short_name=row["short_name"],
                      role=row.get("role") or None, signatory=row.get("signatory") or None,
                      function=row.get("function") or None,
                      aliases=tuple(a for a in (row.get("aliases") or "").split("; ") if a),
                      source=row.get("source") or "definition")
                for row in csv.DictReader(handle)]


def year_from_id(document: str) -> int | None:
    """The last year in a document id, for folders whose rows carry no year.

    >>> year_from_id("aa-en-hunze-2022"), year_from_id("x")
    (2022, None)
    """
    found = re.findall(r"(?<![0-9])(?:19|20)[0-9]{2}(?![0-9])", document)
    return int(found[-1]) if found else None
