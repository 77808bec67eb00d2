"""A batch's records -> one dataset: tables, agreements.sqlite, monitor.xlsx, datapackage.json,
index.html. With export.py, the only module that uses pandas.

Every table is described once, as a `Table` of typed `Field`s with its keys; the CSV and
Parquet files, the SQLite tables and the Frictionless schema are all made from that one
description, so they cannot drift apart. Ids join the tables:

    documents.document          "aa-en-hunze-2022"                       (from the file name)
    commitments.commitment_id   "aa-en-hunze-2022#12"                    (document#key)
    quantities.quantity_id      "aa-en-hunze-2022#12/1"                  (+ commitment_id)
    parties.party_id            "aa-en-hunze-2022#de-volmacht"           (document#short name)
    pairs.pair_id               "aa-en-hunze-2021__aa-en-hunze-2022"     (old__new)
    matches.match_id            "aa-en-hunze-2021__aa-en-hunze-2022/12"  (pair/relation; "/12.2" for
                                the second part of a split), + old_commitment_id, new_commitment_id
    lineage.lineage_id          "aa-en-hunze-2021#12"                    (its first commitment; pipeline/lineage.py)
    lineage_steps.step_id       "aa-en-hunze-2021#12@3"                  (lineage@position), + commitment_id
    review.rank                 1, 2, ...                                (least sure first; pipeline/review.py)

Every file is written under a temporary name and renamed into place.
"""

from __future__ import annotations

import errno
import itertools
import json
import os
import sqlite3
import re
import numbers
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

from pipeline import lineage
from pipeline.export import COMMITMENT_COLUMNS, atomic_path, commitment_row, to_plain, write_text_atomic
from pipeline.review import commitment_items, match_items, review_queue

if TYPE_CHECKING:
    from pipeline.batch import BatchResult, Member, Pair

TABLE_FORMATS = ("csv", "parquet")
SQLITE_NAME = "agreements.sqlite"
XLSX_NAME = "monitor.xlsx"
DATAPACKAGE_NAME = "datapackage.json"
INDEX_NAME = "index.html"
FTS_COLUMNS = ("text", "theme", "section")  # what Datasette's search box searches
UNCHANGED = "unchanged"  # pipeline.matching.UNCHANGED: the status the changes sheet leaves out


# --------------------------------------------------------------------------- table descriptions


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # Frictionless type: string | integer | number | boolean
    description: str = ""


@dataclass(frozen=True)
class ForeignKey:
    field: str
    table: str
    reference: str


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]


def _fields(*specs: str) -> tuple[Field, ...]:
    """Fields from "name:type:description" strings; the type defaults to string.

    >>> _fields("year:integer:agreement year", "text")[0]
    Field(name='year', type='integer', description='agreement year')
    """
    out = []
    for spec in specs:
        name, _, rest = spec.partition(":")
        type_, _, description = rest.partition(":")
        out.append(Field(name, type_ or "string", description))
    return tuple(out)


DOCUMENT_FK = ForeignKey("document", "documents", "document")
# The commitment columns of `agreements extract` (export.COMMITMENT_COLUMNS), so a column added
# there appears here too; quantities have a table of their own.
COMMITMENT_DESCRIPTIONS = {
    "key": "string:unique within the document", "number": "string:the clean number (12, 3.2, B1)",
    "label": "string:the number label exactly as printed (12., Afspraak 3.2:, B1)",
    "horizon": "string:current or outlook", "owners": "string:owning parties by short name, '; '-separated",
    "text": "string:the commitment without its number", "page": "integer:PDF page",
    "paragraph": "integer:DOCX body paragraph", "line": "integer:text line",
    "period_start": "integer:first year of a multi-year agreement", "period_end": "integer:its last year",
    "confidence": "number:how sure the extraction is, 0-1", "doubts": "string:why not more, '; '-separated",
    "text_hash": "string:names the text in corrections.csv (12 hex digits of its SHA-256)",
    "corrected": "string:the fields corrections.csv set (owners, theme), '; '-separated",
    "owner_source": "string:column, heading, text, lead-in, correction or none"}
COMMITMENT_FIELDS = tuple(f"{name}:{COMMITMENT_DESCRIPTIONS.get(name, '')}"
                          for name in COMMITMENT_COLUMNS if name not in ("document", "year", "quantities"))

DOCUMENTS = Table("documents", "One row per input document that was read.", _fields(
    "document::id from the file name", "series::agreement series (municipality and corporations)",
    "position:integer:order in its series, 1-based", "year:integer:agreement year",
    "period_start:integer:first year of a multi-year agreement", "period_end:integer:its last year",
    "year_from::manifest, document, file-name or none", "series_from::manifest, parties, title or file-name",
    "path::path under the inputs folder", "format::pdf, docx or text", "sha256::of the file's bytes",
    "pages:integer", "commitments:integer", "parties:integer", "issues:integer"),
    ("document",))
COMMITMENTS = Table("commitments", "One row per numbered commitment (afspraak). Quantities are in "
                    "the quantities table.", _fields(
    "commitment_id::document#key", "document", "series", "year:integer", *COMMITMENT_FIELDS),
    ("commitment_id",), (DOCUMENT_FK,))
PARTIES = Table("parties", "One row per party of an agreement.", _fields(
    "party_id::document#short name", "document", "series", "name", "short_name",
    "role::gemeente, corporatie or huurdersorganisatie", "signatory", "function", "aliases",
    "source::definition, table, or (no definitions) title, signature or owner-column"),
    ("party_id",), (DOCUMENT_FK,))
QUANTITIES = Table("quantities", "One row per quantity found in a commitment (long format).", _fields(
    "quantity_id::commitment_id/n", "commitment_id", "document",
    "kind::euro, percent, count, label, index, year or date",
    "value:number:the number (euro, percent, count, index, year)",
    "value_text::a label letter or ISO date", "value_max:number:upper end of a range",
    "unit", "qualifier::minimaal, maximaal, circa, ...", "text::the words it came from"),
    ("quantity_id",), (ForeignKey("commitment_id", "commitments", "commitment_id"), DOCUMENT_FK))
PAIRS = Table("pairs", "One row per two consecutive documents of a series that were compared.", _fields(
    "pair_id::old__new", "series", "old_document", "new_document", "old_year:integer", "new_year:integer",
    "matches:integer", "summary::match count per status", "report::report.html, relative to this folder"),
    ("pair_id",), (ForeignKey("old_document", "documents", "document"),
                   ForeignKey("new_document", "documents", "document")))
MATCH_BASE = _fields(
    "match_id::pair_id/n", "pair_id", "series", "old_document", "new_document",
    "old_commitment_id::empty for an added commitment", "new_commitment_id::empty for a removed commitment",
    "status::what became of the commitment")
MATCH_KEYS = (ForeignKey("pair_id", "pairs", "pair_id"),
              ForeignKey("old_commitment_id", "commitments", "commitment_id"),
              ForeignKey("new_commitment_id", "commitments", "commitment_id"))
ISSUES = Table("issues", "Oddities found while reading (numbering gaps, commitments without owner) "
               "and while grouping (two documents of one series and year, no year).", _fields(
    "document", "kind", "message", "where", "key", "commitment_id::the commitment concerned, if any"),
    (), (DOCUMENT_FK, ForeignKey("commitment_id", "commitments", "commitment_id")))
ERRORS = Table("errors", "One row per file (or pair) that could not be processed.", _fields(
    "path", "document", "stage::extract or diff", "error::exception class", "reason"))
REVIEW = Table("review", "The review queue: commitments and relations less sure than the review threshold, "
               "least sure first (pipeline/review.py).", _fields(
    "rank:integer:1 = the least sure", "confidence:number:0-1", "kind::commitment or match",
    "status::of a match", "why::a commitment's doubts, a match's reason", "series",
    "commitment_id::of a commitment row", "document", "key", "number", "text_hash::for corrections.csv",
    "pair_id::of a match row", "old_document", "old_key", "old_text_hash", "new_document", "new_key",
    "new_text_hash", "text", "old_text", "new_text"),
    ("rank",), (ForeignKey("commitment_id", "commitments", "commitment_id"), ForeignKey("pair_id", "pairs", "pair_id")))
LINEAGE_BASE = _fields(
    "lineage_id::the commitment id of the chain's first commitment", "series",
    "first_year:integer:first year with a commitment of the chain", "last_year:integer:its last",
    "years:integer:documents in which the chain has a commitment",
    "start::first-year, new, split (a part of a split: see parent) or unlinked",
    "end::last-year, dropped, merged (see merged_into) or unlinked",
    "parent::split: the chain it split from", "merged_into::merged: the chain that goes on",
    "first_commitment_id", "last_commitment_id",
    "path::the chain in one line: year, number and status per document")
LINEAGE_STEPS = Table("lineage_steps", "One row per chain and document it reaches (the long form of lineage).",
                      _fields("step_id::lineage_id@position", "lineage_id", "series",
                              "position:integer:of the document in its series", "label::year (2022, 2022_2 for "
                              "a second document of that year)", "year:integer", "document",
                              "commitment_id::empty where the chain ends (dropped, merged)", "number",
                              "status::how it got here: unchanged, modified, split, merged, new, dropped; "
                              "empty in the first document", "confidence:number:of that relation",
                              "reason::of that relation"),
                      ("step_id",), (ForeignKey("lineage_id", "lineage", "lineage_id"), DOCUMENT_FK,
                                     ForeignKey("commitment_id", "commitments", "commitment_id")))


# --------------------------------------------------------------------------- rows


def _flat(value: Any) -> Any:
    """A cell for CSV, Parquet and SQLite: lists of strings joined with "; ", other nesting JSON.

    >>> _flat(["Woonborg", "De Volmacht"]), _flat({"a": 1}), _flat(3)
    ('Woonborg; De Volmacht', '{"a": 1}', 3)
    """
    if isinstance(value, (list, tuple)):
        if all(isinstance(v, str) for v in value):
            return "; ".join(value)
        return json.dumps(to_plain(value), ensure_ascii=False)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value


_NESTED = (list, tuple, dict)  # the types of value _flat changes


def commitment_id(document: str, key: str) -> str:
    """The id that joins a commitment across tables.

    >>> commitment_id("aa-en-hunze-2021", "4.1/3")
    'aa-en-hunze-2021#4.1/3'
    """
    return f"{document}#{key}"


def document_rows(members: Iterable[Member]) -> Iterator[dict]:
    for m in members:
        e = m.extraction
        yield {"document": m.document, "series": m.series, "position": m.position, "year": m.year,
               "period_start": e.period_start, "period_end": e.period_end, "year_from": m.year_from, "series_from": m.series_from, "path": m.source.relative,
               "format": e.document.format, "sha256": m.source.sha256, "pages": e.document.page_count,
               "commitments": len(e.commitments), "parties": len(e.parties), "issues": len(e.issues)}


def commitment_rows(members: Iterable[Member]) -> Iterator[dict]:
    for m in members:
        for c in m.extraction.commitments:
            row = commitment_row(replace(c, quantities=()))  # they have a table of their own
            row.update(commitment_id=commitment_id(m.document, c.key), document=m.document,
                       series=m.series, year=m.year)
            yield row


def party_rows(members: Iterable[Member]) -> Iterator[dict]:
    from pipeline.batch import series_slug
    for m in members:
        seen: Counter = Counter()
        for party in m.extraction.parties:
            slug = series_slug(party.short_name or party.name) or "party"
            seen[slug] += 1
            row = to_plain(party)
            row.update(party_id=f"{m.document}#{slug}" + (f"-{seen[slug]}" if seen[slug] > 1 else ""),
                       document=m.document, series=m.series)
            yield row


def quantity_rows(members: Iterable[Member]) -> Iterator[dict]:
    for m in members:
        for c in m.extraction.commitments:
            cid = commitment_id(m.document, c.key)
            for n, q in enumerate(c.quantities, start=1):
                numeric = isinstance(q.value, (int, float)) and not isinstance(q.value, bool)
                yield {"quantity_id": f"{cid}/{n}", "commitment_id": cid, "document": m.document,
                       "kind": q.kind, "value": q.value if numeric else None,
                       "value_text": None if numeric or q.value is None else str(q.value),
                       "value_max": q.value_max, "unit": q.unit, "qualifier": q.qualifier, "text": q.text}


def issue_rows(members: Iterable[Member], warnings: Iterable) -> Iterator[dict]:
    keys = {m.document: {c.key for c in m.extraction.commitments} for m in members}
    for issue in [i for m in members for i in m.extraction.issues] + list(warnings):
        row = to_plain(issue)
        known = issue.key is not None and issue.key in keys.get(issue.document, ())
        row.update(document=issue.document or None,
                   commitment_id=commitment_id(issue.document, issue.key) if known else None)
        yield row


def _keys(row: Mapping[str, Any], side: str) -> list[str | None]:
    """The commitment keys on one side of a match row: "old_key" (or "old_keys" for a merge).

    >>> _keys({"old_key": "12"}, "old"), _keys({"new_keys": ["3", "4"]}, "new"), _keys({}, "old")
    (['12'], ['3', '4'], [None])
    """
    value = row.get(f"{side}_key", row.get(f"{side}_keys"))
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value] or [None]
    return [None if value in (None, "") else str(value)]


def match_rows(pairs: Iterable[Pair]) -> Iterator[dict]:
    """One row per old/new commitment of each match; a split or merge gives one row per part.

    The match's own columns (status, score, ...) follow the id columns unchanged.
    """
    base = {f.name for f in MATCH_BASE}
    for pair in pairs:
        for n, row in enumerate(pair.match_rows, start=1):
            parts = list(itertools.product(_keys(row, "old"), _keys(row, "new")))
            extra = {k: _flat(v) if type(v) in _NESTED else v for k, v in row.items()
                     if k not in base and not k.startswith(("old_key", "new_key"))}
            for i, (old, new) in enumerate(parts, start=1):
                yield {"match_id": f"{pair.pair_id}/{n}" + (f".{i}" if len(parts) > 1 else ""),
                       "pair_id": pair.pair_id, "series": pair.series,
                       "old_document": pair.old.document, "new_document": pair.new.document,
                       "old_commitment_id": commitment_id(pair.old.document, old) if old else None,
                       "new_commitment_id": commitment_id(pair.new.document, new) if new else None,
                       "status": row.get("status"), **extra}


def review_rows(members: Iterable[Member], pairs: Iterable[Pair]) -> list[dict]:
    """The corpus' review queue: every unsure relation of every pair and every unsure commitment."""
    items = []
    for pair in pairs:
        items += match_items(pair.match_rows, pair.old.extraction, pair.new.extraction,
                             extra={"series": pair.series, "pair_id": pair.pair_id})
    for m in members:
        items += [{**item, "commitment_id": commitment_id(m.document, item["key"])}
                  for item in commitment_items(m.extraction.commitments, extra={"series": m.series})]
    return review_queue(items)


def lineage_table(labels: Iterable[str]) -> Table:
    """The lineage table: one row per chain, a commitment and a status column per year label."""
    per_label = tuple(f for label in labels for f in _fields(
        f"commitment_{label}::the chain's commitment in {label.replace('_', ' (') + (')' if '_' in label else '')}",
        f"status_{label}::how it got there (unchanged, modified, split, merged, new, dropped)"))
    return Table("lineage", "One row per commitment chain: an afspraak followed through every year of its series "
                 "(pipeline/lineage.py).", LINEAGE_BASE + per_label, ("lineage_id",),
                 (ForeignKey("first_commitment_id", "commitments", "commitment_id"),
                  ForeignKey("last_commitment_id", "commitments", "commitment_id")))


def pair_rows(pairs: Iterable[Pair]) -> Iterator[dict]:
    for pair in pairs:
        counts = Counter(str(row.get("status")) for row in pair.match_rows)
        yield {"pair_id": pair.pair_id, "series": pair.series, "old_document": pair.old.document,
               "new_document": pair.new.document, "old_year": pair.old.year, "new_year": pair.new.year,
               "matches": len(pair.match_rows), "summary": "; ".join(f"{k} {v}" for k, v in sorted(counts.items())),
               "report": pair.report}


def error_rows(failures: Iterable) -> Iterator[dict]:
    return (to_plain(f) for f in failures)


def matches_table(rows: list[dict]) -> Table:
    """The matches table: fixed id columns, then whatever columns pipeline.matching gives, typed
    from their values."""
    base = {f.name for f in MATCH_BASE}
    extra = [name for name in dict.fromkeys(k for row in rows for k in row) if name not in base]
    fields = MATCH_BASE + tuple(Field(name, infer_type(row.get(name) for row in rows)) for name in extra)
    return Table("matches", "One row per commitment of year N and what became of it in year N+1 "
                 "(pipeline.matching).", fields, ("match_id",), MATCH_KEYS)


def infer_type(values: Iterable[Any]) -> str:
    """The Frictionless type of a column of Python (or numpy) values.

    >>> infer_type([1, None, 2]), infer_type([0.5, 1]), infer_type([True]), infer_type(["a", 1])
    ('integer', 'number', 'boolean', 'string')
    """
    kinds = {_kind(kind) for kind in set(map(type, values)) if kind is not type(None)}
    if kinds == {"boolean"}:
        return "boolean"
    if kinds == {"integer"}:
        return "integer"
    if kinds and kinds <= {"integer", "number"}:
        return "number"
    return "string"


def _kind(kind: type) -> str:
    """The Frictionless type of values of one Python type."""
    if issubclass(kind, (bool, np.bool_)):
        return "boolean"
    if issubclass(kind, numbers.Integral):
        return "integer"
    if issubclass(kind, numbers.Real):
        return "number"
    return "string"


# --------------------------------------------------------------------------- frames and files


_DTYPES = {"integer": "Int64", "number": "Float64", "boolean": "boolean", "string": "string"}


def frame(rows: Iterable[Mapping[str, Any]], table: Table) -> pd.DataFrame:
    """Rows as a frame with the table's columns and nullable dtypes, so an integer column
    with gaps stays integer ("2021", not "2021.0") in CSV and Parquet."""
    rows = rows if isinstance(rows, list) else list(rows)
    data = {c: [_flat(v) if isinstance(v, (list, tuple, dict)) else v for v in (row.get(c) for row in rows)]
            for c in table.columns}  # column by column: most cells need no flattening
    out = pd.DataFrame(data, columns=table.columns)
    return out.astype({f.name: _DTYPES[f.type] for f in table.fields})


def write_frame(data: pd.DataFrame, out_dir: Path, name: str, formats: Iterable[str] = TABLE_FORMATS) -> list[Path]:
    written = []
    for fmt in formats:
        target = out_dir / f"{name}.{fmt}"
        with atomic_path(target) as tmp:
            if fmt == "csv":
                data.to_csv(tmp, index=False)
            else:
                data.to_parquet(tmp, index=False)
        written.append(target)
    return written


class TableRows(NamedTuple):
    """One table of a batch: its description, its rows, and the rows as a typed frame."""

    table: Table
    rows: list[dict]
    data: pd.DataFrame


def table_rows(table: Table, rows: Iterable[dict]) -> TableRows:
    rows = list(rows)
    return TableRows(table, rows, frame(rows, table))


def document_tables(members: tuple[Member, ...]) -> list[TableRows]:
    """The tables that do not depend on the diffs: documents, commitments, parties and
    quantities. pipeline.batch makes them while its workers diff."""
    return [table_rows(DOCUMENTS, document_rows(members)), table_rows(COMMITMENTS, commitment_rows(members)),
            table_rows(PARTIES, party_rows(members)), table_rows(QUANTITIES, quantity_rows(members))]


def corpus_tables(result: BatchResult, documents: list[TableRows] | None = None,
                  chains: tuple[lineage.Chain, ...] | None = None) -> list[TableRows]:
    """Every table of a batch, in the order their foreign keys need (referenced first);
    `documents` is what `document_tables` already made of the same members, `chains` the
    batch's `lineage.chains_of`."""
    if documents is None:
        documents = document_tables(result.members)
    matches = list(match_rows(result.pairs))
    if chains is None:
        chains = lineage.chains_of(result.members, result.pairs)
    labels = lineage.all_labels(chains)
    return [*documents, table_rows(PAIRS, pair_rows(result.pairs)), table_rows(matches_table(matches), matches),
            table_rows(ISSUES, issue_rows(result.members, result.warnings)),
            table_rows(ERRORS, error_rows(result.failures)),
            table_rows(REVIEW, review_rows(result.members, result.pairs)),
            table_rows(lineage_table(labels), lineage.chain_rows(chains, labels)),
            table_rows(LINEAGE_STEPS, lineage.step_rows(chains))]


Job = tuple  # (function, *arguments): one side job of publishing
Beside = Callable[[list[Job]], list[Future]]


def publish(result: BatchResult, out_dir: Path, beside: Beside | None = None,
            documents: list[TableRows] | None = None,
            meanwhile: Callable[[list[Path]], Any] | None = None) -> list[Path]:
    """Write every output of a batch into `out_dir`; returns the files written.

        commitments, parties, quantities, matches, pairs, documents, issues, errors (.csv, .parquet)
        agreements.sqlite, monitor.xlsx, datapackage.json, index.html

    plus review (the review queue), lineage and lineage_steps (every commitment through the years).

    `documents`: the batch's `document_tables`, when they were made beforehand. `beside`
    (the batch's worker processes: pipeline.batch.Workers.beside) runs the two side jobs,
    the database and the workbook, each in a process of its own, while this process writes
    the rest; without it they run here, one after the other. `meanwhile(files)` is called
    with every file this call writes once this process has written its share, while the
    side jobs may still run.
    """
    chains = lineage.chains_of(result.members, result.pairs)
    tables = corpus_tables(result, documents, chains)
    # The workbook first: it takes longest (see Workers.beside).
    side_jobs: list[Job] = [(write_monitor, result, tables, out_dir / XLSX_NAME, chains),
                            (write_sqlite, [(t.table, t.data) for t in tables], out_dir / SQLITE_NAME)]
    futures = beside(side_jobs) if beside else []
    if not futures:
        for job, *args in side_jobs:
            job(*args)
    written = [path for t in tables for path in write_frame(t.data, out_dir, t.table.name)]
    written += [out_dir / SQLITE_NAME, out_dir / XLSX_NAME]
    written.append(write_datapackage([t.table for t in tables], out_dir / DATAPACKAGE_NAME))
    written.append(write_index(result, out_dir / INDEX_NAME, chains))
    if meanwhile is not None:
        meanwhile(written)
    for future in futures:
        future.result()
    return written


def write_monitor(result: BatchResult, tables: list[TableRows], target: Path,
                  chains: tuple[lineage.Chain, ...] = ()) -> Path:
    """monitor.xlsx from a batch, its `corpus_tables` and its lineage chains."""
    return write_workbook(monitor_sheets(result, {t.table.name: t.rows for t in tables}, chains), target)


# --------------------------------------------------------------------------- sqlite


_SQL_TYPES = {"integer": int, "number": float, "boolean": int, "string": str}


def write_sqlite(tables: list[tuple[Table, pd.DataFrame]], target: Path) -> Path:
    """The tables in one SQLite database, with primary and foreign keys and a full-text index
    on the commitments (Datasette shows a search box for it).

        sqlite-utils search outputs/agreements.sqlite commitments huurverhoging
    """
    import sqlite_utils

    with atomic_path(target) as tmp:
        db = sqlite_utils.Database(tmp)
        # A new file that only becomes the database when it is complete (atomic_path): no
        # journal or fsync is needed while it is built, and the build is ~5x faster without.
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        try:
            for table, data in tables:
                db[table.name].create({f.name: _SQL_TYPES[f.type] for f in table.fields},
                                      pk=list(table.primary_key) or None,
                                      foreign_keys=[(k.field, k.table, k.reference) for k in table.foreign_keys])
                names = ", ".join(f"[{c}]" for c in table.columns)
                with db.conn:  # one transaction per table; rows as tuples: ~3x faster than insert_all
                    db.conn.executemany(f"INSERT INTO [{table.name}] ({names}) "
                                        f"VALUES ({', '.join('?' * len(table.columns))})", _records(data))
            db["commitments"].enable_fts(list(FTS_COLUMNS))
            db.index_foreign_keys()
        except sqlite3.OperationalError as error:
            if "full" in str(error):  # SQLite's word for ENOSPC: raise it as the OSError it is
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp)) from error
            raise
        finally:
            db.close()
    return target


def _records(data: pd.DataFrame) -> Iterator[tuple]:
    """Frame rows as tuples of plain Python values, missing ones as None."""
    clean = data.astype(object).where(data.notna(), None)
    return clean.itertuples(index=False, name=None)


# --------------------------------------------------------------------------- monitor.xlsx

SHEET_COLUMNS = (  # (column, header, width cap); status and note are left for the policy officer
    ("number", "number", 8), ("theme", "theme", 28), ("section", "section", 28), ("owners", "owners", 24),
    ("text", "text", 80), ("quantities", "quantities", 30), ("change", "change", 12),
    ("previous", "previous number", 10), ("status", "status", 16), ("note", "note", 40),
    ("commitment_id", "commitment_id", 30))
CHANGE_COLUMNS = (
    ("series", "series", 24), ("old_document", "old document", 22), ("new_document", "new document", 22),
    ("change", "change", 12), ("old_number", "old number", 10), ("new_number", "new number", 10),
    ("old_text", "old text", 60), ("new_text", "new text", 60), ("status", "status", 16), ("note", "note", 40),
    ("old_commitment_id", "old_commitment_id", 28), ("new_commitment_id", "new_commitment_id", 28))
REVIEW_SHEET = "Te controleren"
REVIEW_SHEET_COLUMNS = (
    ("rank", "rank", 6), ("confidence", "confidence", 11), ("kind", "kind", 11), ("change", "change", 12),
    ("why", "why", 48), ("where", "document", 34), ("keys", "key", 14), ("text", "text", 60),
    ("new_text", "new text", 60), ("hashes", "text_hash", 28), ("status", "status", 16), ("note", "note", 40),
    ("id", "commitment_id / pair_id", 30))
LINEAGE_SHEET_TAIL = (
    ("start", "start", 11), ("end", "end", 10), ("text", "latest text", 70), ("parent", "split from", 28),
    ("merged_into", "merged into", 28), ("status", "status", 16), ("note", "note", 40),
    ("lineage_id", "lineage_id", 28))
WRAPPED = {"text", "old_text", "new_text"}
FILL_IN = {"status", "note"}  # empty on purpose: the policy officer's columns, at full width


@dataclass(frozen=True)
class Sheet:
    """One worksheet: its name, (column, header, width cap) triples and cell values by row."""

    title: str
    columns: tuple[tuple[str, str, int], ...]
    rows: tuple[tuple[Any, ...], ...]


def monitor_sheets(result: BatchResult, rows: Mapping[str, list[dict]],
                   chains: Iterable[lineage.Chain] = ()) -> list[Sheet]:
    """The workbook for policy officers: a "changes" sheet, the review queue ("Te
    controleren"), then per series its lineage (one row per chain, a column per year) and
    one sheet per year."""
    commitments = {row["commitment_id"]: row for row in rows["commitments"]}
    matches = rows["matches"]
    by_new = {m["new_commitment_id"]: m for m in matches if m["new_commitment_id"]}
    sheets = [_sheet("changes", CHANGE_COLUMNS, change_rows(matches, commitments)),
              _sheet(REVIEW_SHEET, REVIEW_SHEET_COLUMNS, review_sheet_rows(rows.get("review", [])))]
    by_series: dict[str, list[lineage.Chain]] = {}
    for chain in chains:
        by_series.setdefault(chain.series, []).append(chain)
    titles = iter(lineage_titles(by_series))
    previous = None
    for title, member in zip(sheet_titles(result.members), result.members):
        if member.series != previous and member.series in by_series:
            found = by_series[member.series]
            labels = lineage.all_labels(found)
            columns = tuple((f"y{label}", label.replace("_", " #"), 14) for label in labels) + LINEAGE_SHEET_TAIL
            sheets.append(_sheet(next(titles), columns, lineage_sheet_rows(found)))
        previous = member.series
        sheets.append(_sheet(title, SHEET_COLUMNS, member_rows(member, commitments, by_new)))
    return sheets


def review_sheet_rows(rows: Iterable[Mapping[str, Any]]) -> Iterator[dict]:
    """The review queue for the sheet: a commitment's document and key, or a match's two sides."""
    for r in rows:
        if r.get("kind") == "commitment":
            yield {**r, "change": None, "status": None, "where": r.get("document"), "keys": r.get("key"),
                   "hashes": r.get("text_hash"), "id": r.get("commitment_id")}
        else:
            yield {**r, "change": r.get("status"), "status": None,
                   "where": f"{r.get('old_document') or '–'} → {r.get('new_document') or '–'}",
                   "keys": f"{r.get('old_key') or '–'} → {r.get('new_key') or '–'}",
                   "text": r.get("old_text"), "hashes": f"{r.get('old_text_hash') or '–'} → {r.get('new_text_hash') or '–'}",
                   "id": r.get("pair_id")}


def lineage_sheet_rows(chains: Iterable[lineage.Chain]) -> Iterator[dict]:
    """One row per chain: per year its number, and how it got there when that is not a plain
    carry-over ("13 (modified)", "dropped")."""
    for chain in chains:
        row: dict[str, Any] = {"start": chain.start, "end": chain.end, "text": chain.text, "parent": chain.parent,
                               "merged_into": chain.merged_into, "lineage_id": chain.lineage_id}
        for s in chain.steps:
            shown = s.number if s.commitment_id else ""
            if s.status and s.status != "unchanged":
                shown = f"{shown} ({s.status})" if shown else s.status
            row[f"y{s.label}"] = shown
        yield row


def lineage_titles(series: Iterable[str]) -> list[str]:
    """A sheet name per series' lineage: "aa-en-hunze lineage" (31 characters at most, unique)."""
    titles, seen = [], Counter()
    for key in series:
        base = f"{key.split('--')[0][:31 - len(' lineage') - 4]} lineage"
        seen[base] += 1
        titles.append(base if seen[base] == 1 else f"{base} ({seen[base]})")
    return titles


def _sheet(title: str, columns: tuple[tuple[str, str, int], ...], rows: Iterable[Mapping[str, Any]]) -> Sheet:
    return Sheet(title, columns, tuple(tuple(_cell(_flat(row.get(name))) for name, _, _ in columns)
                                       for row in rows))


def member_rows(member: Member, commitments: Mapping[str, dict], by_new: Mapping[str, dict]) -> Iterator[dict]:
    """One row per commitment of a document, with what its predecessor became ("change")."""
    for c in member.extraction.commitments:
        cid = commitment_id(member.document, c.key)
        match = by_new.get(cid)
        old = commitments.get(match["old_commitment_id"]) if match and match["old_commitment_id"] else None
        yield {**commitments[cid], "quantities": "; ".join(q.text for q in c.quantities),
               "change": match["status"] if match else None, "previous": old["number"] if old else None}


def change_rows(matches: Iterable[dict], commitments: Mapping[str, dict]) -> Iterator[dict]:
    """Every match that is not "unchanged", with both texts side by side."""
    for m in matches:
        if m["status"] == UNCHANGED:
            continue
        old = commitments.get(m["old_commitment_id"] or "", {})
        new = commitments.get(m["new_commitment_id"] or "", {})
        yield {**m, "change": m["status"], "status": None, "old_number": old.get("number"),
               "new_number": new.get("number"), "old_text": old.get("text"), "new_text": new.get("text")}


def sheet_titles(members: Iterable[Member]) -> list[str]:
    """Excel sheet names (at most 31 characters, unique) for each member: municipality and year.

        aa-en-hunze--de-volmacht--woonborg, 2021 -> "aa-en-hunze 2021"; a second one -> "aa-en-hunze 2021 (2)"
    """
    titles, seen = [], Counter()
    for m in members:
        year = str(m.year) if m.year else "no year"  # "?" is one of the characters Excel refuses
        base = f"{m.series.split('--')[0][:31 - len(year) - 5]} {year}"
        seen[base] += 1
        titles.append(base if seen[base] == 1 else f"{base} ({seen[base]})")
    return titles


def write_workbook(sheets: Iterable[Sheet], target: Path) -> Path:
    """monitor.xlsx: each sheet with a bold, frozen header row, an autofilter over its rows,
    widths fitted to the content (up to each column's cap) and long texts wrapped.

    Written with XlsxWriter, row by row (its constant-memory mode), several times faster
    than building the workbook in openpyxl.
    """
    import xlsxwriter
    import xlsxwriter.exceptions

    with atomic_path(target) as tmp:
        # Cells are text as given: no formulas, links or numbers guessed from strings.
        book = xlsxwriter.Workbook(str(tmp), {"constant_memory": True, "strings_to_formulas": False,
                                              "strings_to_urls": False, "strings_to_numbers": False})
        header, wrapped = book.add_format({"bold": True}), book.add_format({"text_wrap": True, "valign": "top"})
        for spec in sheets:
            _fill_sheet(book.add_worksheet(spec.title), spec, header, wrapped)
        try:
            book.close()
        except xlsxwriter.exceptions.FileCreateError as error:  # an OSError (a full disk), wrapped
            raise error.args[0] if error.args and isinstance(error.args[0], OSError) else OSError(str(error))
    return target


def _fill_sheet(sheet, spec: Sheet, header, wrapped) -> None:
    longest = [len(title) for _, title, _ in spec.columns]
    for values in spec.rows:
        longest = [max(n, len(str(v or "").split("\n")[0])) for n, v in zip(longest, values)]
    for index, ((name, _, cap), width) in enumerate(zip(spec.columns, longest)):
        # A column's format is what its cells without one of their own show: the wrap.
        sheet.set_column(index, index, cap if name in FILL_IN else min(width + 2, cap),
                         wrapped if name in WRAPPED else None)
    sheet.write_row(0, 0, [title for _, title, _ in spec.columns], header)
    for row, values in enumerate(spec.rows, start=1):
        sheet.write_row(row, 0, values)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(spec.rows), len(spec.columns) - 1)


def _cell(value: Any) -> Any:
    """Text without the control characters Excel refuses (all but tab and newline).

    >>> _cell("a\\x0bb\\tc\\r"), _cell(None), _cell(3)
    ('ab\\tc', None, 3)
    """
    if isinstance(value, str):
        return _CONTROL.sub("", value)
    return value


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")  # what _cell removes


# --------------------------------------------------------------------------- datapackage.json


def datapackage(tables: Iterable[Table]) -> dict[str, Any]:
    """A Frictionless Tabular Data Package describing the CSV tables.

    `frictionless validate outputs/datapackage.json` checks types, primary and foreign keys.
    """
    return {
        "name": "prestatieafspraken",
        "title": "Commitments (afspraken) of Dutch prestatieafspraken, compared year on year",
        "profile": "tabular-data-package",
        "resources": [{
            "name": t.name, "path": f"{t.name}.csv", "profile": "tabular-data-resource",
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "description": t.description + f" Also as {t.name}.parquet and in {SQLITE_NAME}.",
            "schema": _schema(t)} for t in tables],
    }


def _schema(table: Table) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "fields": [{"name": f.name, "type": f.type, **({"description": f.description} if f.description else {})}
                   for f in table.fields],
        "missingValues": [""]}
    if table.primary_key:
        schema["primaryKey"] = list(table.primary_key)
    if table.foreign_keys:
        schema["foreignKeys"] = [{"fields": [k.field], "reference": {"resource": k.table, "fields": [k.reference]}}
                                 for k in table.foreign_keys]
    return schema


def write_datapackage(tables: Iterable[Table], target: Path) -> Path:
    return write_text_atomic(target, json.dumps(datapackage(tables), indent=2, ensure_ascii=False) + "\n")


# --------------------------------------------------------------------------- index.html


def write_index(result: BatchResult, target: Path, chains: Iterable[lineage.Chain] | None = None) -> Path:
    """index.html: every series with its documents, the picture of its chains over the years
    (an inline SVG: one row per chain, one mark per year it has a commitment, coloured by
    status) and a link to each year-on-year report."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    if chains is None:
        chains = lineage.chains_of(result.members, result.pairs)
    env = Environment(loader=PackageLoader("pipeline", "templates"), autoescape=select_autoescape())
    series: dict[str, dict[str, Any]] = {}
    for member in result.members:
        series.setdefault(member.series, {"members": [], "pairs": [], "chains": []})["members"].append(member)
    for pair, row in zip(result.pairs, pair_rows(result.pairs)):
        series[pair.series]["pairs"].append(row)
    for chain in chains:
        series[chain.series]["chains"].append(chain)
    for group in series.values():
        found = group["chains"]
        group["chart"] = lineage.chart(found, lineage.all_labels(found)) if len(group["members"]) > 1 else None
        group["ends"] = Counter(c.end for c in found)
    html = env.get_template("index.html").render(
        series=series, failures=result.failures, warnings=result.warnings,
        documents=len(result.members), commitments=sum(len(m.extraction.commitments) for m in result.members),
        tables=[t.name for t in (DOCUMENTS, COMMITMENTS, PARTIES, QUANTITIES, PAIRS, ISSUES, ERRORS)]
        + ["matches", REVIEW.name, "lineage", LINEAGE_STEPS.name],
        sqlite=SQLITE_NAME, xlsx=XLSX_NAME, datapackage=DATAPACKAGE_NAME)
    return write_text_atomic(target, html)
