"""Records -> tables and files. The only module that uses pandas.

Every file is written to a temporary name in the target folder and renamed into place,
so an interrupted run never leaves a half-written table.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

TABLE_FORMATS = ("jsonl", "csv", "parquet")


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; rename it onto `target` only on success."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    # mkstemp makes the file private (0600); give it the permissions a plain open() would.
    umask = os.umask(0)
    os.umask(umask)
    tmp_path.chmod(0o666 & ~umask)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        tmp_path.unlink(missing_ok=True)


def write_text_atomic(target: Path, text: str) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return target


def to_plain(value: Any) -> Any:
    """Dataclasses, tuples and paths -> JSON-ready dicts, lists and strings."""
    if isinstance(value, (str, int, float, type(None))):
        return value
    if hasattr(type(value), "__dataclass_fields__") and not isinstance(value, type):
        return {name: to_plain(getattr(value, name)) for name in _field_names(type(value))}
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


@functools.lru_cache(maxsize=None)
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def _flat_cell(value: Any) -> Any:
    """CSV and Parquet cells: lists of strings joined with "; ", other nesting as JSON."""
    if isinstance(value, list):
        if all(isinstance(v, str) for v in value):
            return "; ".join(value)
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def write_table(rows: Iterable[Mapping[str, Any]], out_dir: Path, name: str,
                columns: list[str], formats: Iterable[str] = TABLE_FORMATS) -> list[Path]:
    """Write rows (plain dicts) as name.jsonl / name.csv / name.parquet in out_dir.

    JSONL keeps nested values (lists, objects); CSV and Parquet get flat cells.
    `columns` fixes the column order and is written even when there are no rows.
    """
    rows = [dict(row) for row in rows]
    written = []
    for fmt in formats:
        target = out_dir / f"{name}.{fmt}"
        with atomic_path(target) as tmp:
            if fmt == "jsonl":
                with tmp.open("w", encoding="utf-8") as handle:
                    for row in rows:
                        handle.write(json.dumps({c: row.get(c) for c in columns}, ensure_ascii=False) + "\n")
            else:
                frame = pd.DataFrame([{c: _flat_cell(row.get(c)) for c in columns} for row in rows],
                                     columns=columns)
                if fmt == "csv":
                    frame.to_csv(tmp, index=False)
                elif fmt == "parquet":
                    frame.to_parquet(tmp, index=False)
                else:
                    raise ValueError(f"unknown table format {fmt!r}")
        written.append(target)
    return written


COMMITMENT_COLUMNS = [
    "document", "year", "period_start", "period_end", "key", "number", "label", "chapter", "theme", "section", "horizon",
    "owners", "owner_source", "owner_column", "actors", "heading_owners", "text", "text_hash", "subitems", "footnotes",
    "lead_in", "due", "quantities", "confidence", "doubts", "corrected", "page", "paragraph", "line",
]
PARTY_COLUMNS = ["document", "name", "short_name", "role", "signatory", "function", "aliases", "source"]
ISSUE_COLUMNS = ["document", "kind", "message", "where", "key"]
DOCUMENT_COLUMNS = ["document", "path", "format", "year", "period_start", "period_end", "pages", "commitments",
                    "parties", "issues"]


def commitment_row(commitment) -> dict[str, Any]:
    """A Commitment as one flat row: its Section's fields are lifted to the top level, and
    `text_hash` (pipeline.corrections.text_hash) names its text for corrections.csv."""
    from pipeline.corrections import text_hash

    row = to_plain(commitment)
    section = row.pop("section")
    row.update({key: section[key] for key in ("chapter", "theme", "section", "horizon", "heading_owners")})
    row["text_hash"] = text_hash(commitment.text)
    return row


def document_row(extraction) -> dict[str, Any]:
    document = extraction.document
    return {"document": document.id, "path": str(document.path), "format": document.format,
            "year": extraction.year, "period_start": extraction.period_start,
            "period_end": extraction.period_end, "pages": document.page_count,
            "commitments": len(extraction.commitments), "parties": len(extraction.parties),
            "issues": len(extraction.issues)}


def write_extractions(extractions, out_dir: Path, formats: Iterable[str] = TABLE_FORMATS) -> list[Path]:
    """commitments.* (all formats), parties.csv, issues.csv, documents.csv and review.csv
    (pipeline/review.py: the least sure commitments first) for one run.

    Several documents share the tables; the `document` column keeps their rows apart.
    """
    from pipeline.review import REVIEW_COLUMNS, commitment_items, review_queue

    extractions = list(extractions)
    written = write_table((commitment_row(c) for e in extractions for c in e.commitments),
                          out_dir, "commitments", COMMITMENT_COLUMNS, formats)
    written += write_table((to_plain(p) for e in extractions for p in e.parties),
                           out_dir, "parties", PARTY_COLUMNS, ["csv"])
    written += write_table((to_plain(i) for e in extractions for i in e.issues),
                           out_dir, "issues", ISSUE_COLUMNS, ["csv"])
    written += write_table((document_row(e) for e in extractions),
                           out_dir, "documents", DOCUMENT_COLUMNS, ["csv"])
    written += write_table(review_queue(item for e in extractions for item in commitment_items(e.commitments)),
                           out_dir, "review", REVIEW_COLUMNS, ["csv"])
    return written
