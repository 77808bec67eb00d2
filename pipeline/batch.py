"""A corpus of agreements in one run: discover, extract in parallel, group into series, diff
consecutive years, publish one dataset.

    inputs/ ──discover──> Source (path, id, sha256)
            ──extract_all──> Extraction per Source (a process pool; the cache skips known files)
            ──place_in_series──> Member (series key, year, position), warnings
            ──diff_series──> Pair per consecutive two of a series (pipeline.diff)
            ──pipeline.publish──> tables, agreements.sqlite, monitor.xlsx, datapackage.json, index.html

`run_batch` lists these stages in order. A bad file becomes a `Failure` (a row of errors.csv)
and the rest goes on.

The cache (`OUT/.cache/`) holds one JSON entry per document and per compared pair, named by
the files' content hashes and a hash of the settings and of the pipeline's source code, so a
rerun only reads what changed: renaming or moving a file reuses its entry, editing it or the
code does not. It also keeps the last run's result: when nothing it was made from changed and
its outputs are all there, a rerun returns it without writing anything. An entry not written
or used for CACHE_KEEP_DAYS days (a file gone from the inputs, earlier code or settings)
is deleted at the end of a run. Entries are data only (pipeline.records: the frozen records
field by field), never pickles, so a file planted in `.cache/` cannot run code; delete
`.cache/` to start afresh.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import gc
import hashlib
import importlib
import json
import logging
import os
import pickle
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from multiprocessing import get_context
from pathlib import Path
from typing import Any

# Only light modules at the top: a rerun with nothing to do must not wait for spaCy, pandas
# or scipy to import. The stages import them when they have work.
from pipeline.corrections import (Corrections, PairCorrections, correct_extraction, find_corrections,
                                  forbidden_in_groups, pair_corrections, read_corrections, unmatched_corrections)
from pipeline.errors import AgreementError, ModelNotBuiltError, write_problem
from pipeline.ingest import OTHER_WORD_FILES, SUFFIX_FORMATS, SUPPORTED, document_id, too_large, unique_ids
from pipeline.records import from_data, to_data
from pipeline.settings import DASK, DEFAULT_ENGINE, DEFAULT_TIME_LIMIT, ENGINES, Settings
from pipeline.types import CORPORATIE, GEMEENTE, Extraction, Issue

log = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
CACHE_DIR = ".cache"
DIFFS_DIR = "diffs"
REPORT_NAME = "report.html"  # what pipeline.diff.write_diff writes beside the matches
MANIFEST_NAME = "manifest.csv"  # picked up from the inputs folder when --manifest is not given
MANIFEST_COLUMNS = ("file", "series", "year")
RUN_RECORD = "run"  # .cache/run-<run key>-<settings hash>.json: the last run's result
CACHE_SUFFIX = ".json"
CACHE_FORMAT = 1  # written in every entry; an entry of another format is a miss
OLD_CACHE_SUFFIXES = (".pickle",)  # entries of earlier releases: never read, deleted by `prune`
CACHE_KEEP_DAYS = 30  # a cache entry not written or used for this long is deleted after a run
CACHE_KEY_SUFFIXES = {".py", ".jsonl", ".csv", ".json"}  # code, patterns, package data
# Modules that only write outputs: editing them must not throw the cached extractions away.
NOT_IN_CACHE_KEY = {"publish.py", "cli.py", "__main__.py"}
# Failures that may go away without the file or the code changing: never cached. A time
# limit passed on a busy machine may not be on the next run (but see extract_within_limit).
TRANSIENT_ERRORS = {"BrokenProcessPool", "ModelNotBuiltError", "MissingDependencyError", "MemoryError",
                    "OSError", "PermissionError", "TimeoutError", "TimeLimitError"}
# A worker still stuck this long after the limit (in a C library, which the limit's signal
# cannot interrupt) is ended.
HARD_LIMIT_GRACE = 30.0
LOCK_NAME = "lock"  # .cache/lock, locked while a batch writes the output folder

# Where a member's series and year came from (documents.series_from / year_from).
FROM_MANIFEST = "manifest"
FROM_PARTIES = "parties"
FROM_TITLE = "title"
FROM_DOCUMENT = "document"
FROM_FILE_NAME = "file-name"
FROM_NOWHERE = "none"

_YEAR_IN_NAME = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_MUNICIPALITY_IN_NAME = re.compile(r".*\bgemeente\s+(.+)$", re.IGNORECASE)
_MUNICIPALITY_IN_TITLE = re.compile(
    r"^prestatieafspraken\s+(?:(?:de\s+)?gemeente\s+)?([^\W\d][^\d]*?)(?:\s+\d{4}.*)?$", re.IGNORECASE)


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Source:
    """One input file found under the inputs folder."""

    path: Path
    relative: str  # path under the inputs folder, with "/": "drenthe/aa-en-hunze-2021.pdf"
    document: str  # the id every table uses
    sha256: str  # of the file's bytes; "" when it could not be read


@dataclass(frozen=True)
class Failure:
    """A file (or a pair of files) that could not be processed: one row of errors.csv."""

    path: str
    document: str
    stage: str  # extract | diff
    error: str  # exception class: UnsupportedFormatError, ...
    reason: str


@dataclass(frozen=True)
class ManifestEntry:
    """One row of the manifest: empty cells leave the document's own value alone."""

    file: str
    series: str | None = None
    year: int | None = None


@dataclass(frozen=True)
class Member:
    """An extracted document placed in its series."""

    source: Source
    extraction: Extraction
    series: str
    year: int | None
    position: int  # 1-based order in the series
    series_from: str  # manifest | parties | title | file-name
    year_from: str  # manifest | document | file-name | none

    @property
    def document(self) -> str:
        return self.source.document


@dataclass(frozen=True)
class Pair:
    """Two consecutive members of a series and what became of each commitment."""

    series: str
    old: Member
    new: Member
    match_rows: tuple[Mapping[str, Any], ...]  # pipeline.matching.match_rows of the diff
    report: str  # report.html relative to the output folder

    @property
    def pair_id(self) -> str:
        return f"{self.old.document}__{self.new.document}"


@dataclass(frozen=True)
class BatchResult:
    """Everything a batch produced; `publish` turns it into files."""

    members: tuple[Member, ...]
    pairs: tuple[Pair, ...]
    failures: tuple[Failure, ...]
    warnings: tuple[Issue, ...]
    read: int  # files read this run
    cached: int  # files answered from the cache
    written: tuple[Path, ...] = ()  # relative to the output folder
    seconds: Mapping[str, float] = field(default_factory=dict)  # wall time per stage: extract, diff, publish

    @property
    def ok(self) -> bool:
        return not self.failures


# --------------------------------------------------------------------------- the stages in order


def run_batch(inputs: Path, out_dir: Path, settings: Settings, workers: int | None = None,
              manifest: Path | None = None, progress: bool | None = None,
              time_limit: float | None = DEFAULT_TIME_LIMIT, engine: str = DEFAULT_ENGINE,
              scheduler: str | None = None, corrections: Path | None = None) -> BatchResult:
    """Extract every agreement under `inputs`, diff consecutive years, publish into `out_dir`.

    `workers` defaults to the number of cores (spawned ones: at most one per
    SPAWNED_WORKER_DOCUMENTS documents to read); `manifest` to `inputs/manifest.csv` if there is one; `progress` (a tqdm bar) to whether stderr is a terminal, else log lines.
    `time_limit` caps the seconds one document may take (None: no limit; see `extract_within_limit`;
    the pool enforces it, a Dask worker's threads cannot be interrupted and do not).
    `engine` "pool" runs the work in processes of this machine; "dask" as tasks on a Dask
    cluster (pipeline.distributed): the one at `scheduler` ("tcp://HOST:PORT"), else a
    LocalCluster of `workers` processes.
    `corrections` (pipeline/corrections.py) defaults to `inputs/corrections.csv` if there is one.
    Raises AgreementError only for a bad manifest or corrections file, an inputs folder without
    documents, an unbuilt spaCy pipeline, a Dask cluster that cannot be used, or an output folder
    that cannot be written (see `output_folder`); bad documents become `failures`.

        result = run_batch(Path("inputs"), Path("outputs"), Settings())
        result = run_batch(Path("inputs"), Path("outputs"), Settings(), engine="dask", scheduler="tcp://10.0.0.5:8786")
        result.read, result.cached, [f.reason for f in result.failures]
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
    if scheduler and engine != DASK:
        raise ValueError("a scheduler address needs engine='dask'")
    started = time.perf_counter()
    inputs, out_dir = Path(inputs), Path(out_dir)
    entries = read_manifest(manifest) if manifest else find_manifest(inputs)
    fixes = read_corrections(corrections) if corrections else find_corrections([inputs])
    sources = discover(inputs, exclude=out_dir)
    if not sources:
        raise AgreementError(inputs, f"no agreements found in this folder or below it (expected {SUPPORTED} files)")
    pool = engine_workers(engine, settings, workers, scheduler, time_limit)  # started on first use
    with output_folder(out_dir):
        return _run_in(out_dir, inputs, sources, entries, settings, pool, progress, started, fixes)


def _run_in(out_dir: Path, inputs: Path, sources: list[Source], entries: Mapping[str, ManifestEntry],
            settings: Settings, pool, progress: bool | None, started: float, fixes: Corrections) -> BatchResult:
    """The stages of `run_batch`, the output folder held."""
    cache = Cache(out_dir / CACHE_DIR, settings_hash(settings))
    key = run_key(inputs, sources, entries, cache, fixes.digest)
    previous = previous_run(cache, key, out_dir)
    if previous is not None:
        log.info("batch: nothing changed since the last run; %s is up to date", out_dir)
        return replace(previous, read=0, cached=len(sources), seconds={})
    bar = _want_progress(progress)
    clock = Stopwatch()
    with pool:
        with clock("extract"):
            extracted = correct_all(extract_all(sources, cache, pool, bar), fixes)
            members, warnings = place_in_series(sources, extracted.extractions, entries)
        # pandas (in pipeline.publish) is imported only when there is something to publish.
        from pipeline.publish import document_tables, publish

        documents = []  # the tables that need no diff, made while the workers diff
        with clock("diff"):
            pairs, diff_failures, diff_warnings = diff_series(
                members, cache, out_dir, pool, bar, meanwhile=lambda: documents.extend(document_tables(members)),
                corrections=fixes)
        result = BatchResult(members=members, pairs=pairs, failures=extracted.failures + diff_failures,
                             warnings=warnings + diff_warnings, read=extracted.read, cached=extracted.cached)
        records: list[tuple[BatchResult, bytes | None]] = []

        def record(files: list[Path]) -> None:  # while the side jobs of publishing finish
            written = tuple(path.relative_to(out_dir) for path in files)
            records.append(run_record(replace(result, written=written)))

        with clock("publish"), writing_outputs(out_dir):
            publish(result, out_dir, pool.beside, documents, meanwhile=record)
    result, kept = records[0]
    result = replace(result, seconds=clock.seconds)
    remember_run(cache, key, kept)
    pruned = cache.prune()
    if pruned:
        log.info("batch: %d cache entries unused for %d days deleted", pruned, CACHE_KEEP_DAYS)
    log.info("batch: %d documents (%d files read, %d from cache), %d pairs, %d errors in %.1f s (%s)",
             len(members), result.read, result.cached, len(pairs), len(result.failures),
             time.perf_counter() - started, ", ".join(f"{k} {v:.1f} s" for k, v in clock.seconds.items()))
    return result


def engine_workers(engine: str, settings: Settings, workers: int | None, scheduler: str | None,
                   time_limit: float | None = None):
    """The pool the stages hand their work to: Workers (processes here) or, for "dask",
    pipeline.distributed.DaskWorkers (tasks on a cluster), which answers the same calls."""
    if engine == DASK:
        from pipeline.distributed import DaskWorkers
        return DaskWorkers(settings, workers, scheduler)
    return Workers(settings, workers, time_limit)


class Stopwatch:
    """Seconds per stage, for the log and the benchmark.

        clock = Stopwatch()
        with clock("extract"): ...
        clock.seconds  ->  {"extract": 12.5}
    """

    def __init__(self):
        self.seconds: dict[str, float] = {}

    @contextlib.contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - started


# --------------------------------------------------------------------------- the output folder


@contextlib.contextmanager
def output_folder(out_dir: Path) -> Iterator[None]:
    """Hold the output folder for one run: make it (and .cache/), lock it so a second batch
    cannot write there at the same time, and delete what a killed run left: every output is
    written under a temporary name (".commitments.csv.x1y2.tmp") and renamed, so a run
    killed midway leaves those, never a half-written output.

    Raises AgreementError when the folder cannot be written (a file in its place, a
    read-only disk, no permission) or another batch holds it. The lock (a POSIX record
    lock) goes with the process that took it, however that process ends.
    """
    try:
        (out_dir / CACHE_DIR).mkdir(parents=True, exist_ok=True)
        handle = (out_dir / CACHE_DIR / LOCK_NAME).open("a+b")
    except OSError as error:
        raise AgreementError(out_dir, f"cannot write the outputs here ({write_problem(out_dir, error)})") from error
    try:
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock
            fcntl = None
        if fcntl is not None:
            try:
                fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as error:
                raise AgreementError(out_dir, "another batch is writing to this folder; "
                                              "wait for it to end, or write elsewhere") from error
        for stale in [*out_dir.rglob(".*.tmp")]:
            with contextlib.suppress(OSError):
                stale.unlink()
        yield
    finally:
        handle.close()


@contextlib.contextmanager
def writing_outputs(out_dir: Path) -> Iterator[None]:
    """An OSError while writing the outputs (a full disk) as one AgreementError; the files an
    earlier run wrote stay as they were (each is replaced only once its successor is whole)."""
    try:
        yield
    except OSError as error:
        raise AgreementError(out_dir, f"cannot write the outputs ({write_problem(out_dir, error)}); "
                                      "the outputs of an earlier run are left as they were") from error


# --------------------------------------------------------------------------- discover


def discover(inputs: Path, exclude: Path | None = None) -> list[Source]:
    """Every PDF, DOCX and text file under `inputs`, recursively, in path order (and the Word
    files of other kinds, .doc, .docm, .dotx, which extraction then refuses, saying why).

    Hidden files and folders (".cache"), Word's lock files ("~$x.docx") and the folder
    `exclude` (the output folder, when it lies inside the inputs) are skipped.

        inputs/a/x-2021.pdf, inputs/b/x-2021.pdf, inputs/y.txt
        -> ids x-2021-pdf, x-2021-pdf-2, y
    """
    if not inputs.is_dir():
        raise AgreementError(inputs, "is not a folder of agreements")
    skip = exclude.resolve() if exclude else None
    paths = sorted((p for p in inputs.rglob("*") if _is_document(p, inputs, skip)),
                   key=lambda p: p.relative_to(inputs).as_posix())
    ids = unique_ids(paths)
    return [Source(path=p, relative=p.relative_to(inputs).as_posix(), document=i, sha256=file_sha256(p))
            for p, i in zip(paths, ids)]


def _is_document(path: Path, inputs: Path, skip: Path | None) -> bool:
    parts = path.relative_to(inputs).parts
    if any(part.startswith((".", "~$")) for part in parts):
        return False
    if skip is not None:  # the folder, not the file: a file may be a link that loops
        folder = path.parent.resolve()
        if folder == skip or skip in folder.parents:
            return False
    # Not only regular files: a broken or looping link, a pipe named x.txt gets a row in
    # errors.csv saying what it is, rather than going unmentioned.
    return path.suffix.lower() in DISCOVERED_SUFFIXES and not path.is_dir()


# Word files that are not .docx are found too, so that errors.csv says what to do with them.
DISCOVERED_SUFFIXES = set(SUFFIX_FORMATS) | set(OTHER_WORD_FILES)




def file_sha256(path: Path) -> str:
    """The hex SHA-256 of a file's bytes; "" when it cannot be read, is not a regular file (a
    pipe would block) or is too large to be read: extraction reports why."""
    digest = hashlib.sha256()
    if not path.is_file() or too_large(path):  # a file refused unread is not read to hash it either
        return ""
    try:
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return ""
    return digest.hexdigest()


# --------------------------------------------------------------------------- manifest


def read_manifest(path: Path) -> dict[str, ManifestEntry]:
    """The manifest CSV (columns file, series, year) by file, as written in it.

    `file` is the path under the inputs folder, or just the file name when that is unique;
    `series` is lower-cased and hyphenated like the series the documents give ("Tynaarlo
    herzien" -> "tynaarlo-herzien").

        file,series,year
        drenthe/aa-en-hunze-2021.pdf,aa-en-hunze,2021
        scan-003.pdf,tynaarlo,
        -> {"drenthe/aa-en-hunze-2021.pdf": ManifestEntry(..., "aa-en-hunze", 2021),
            "scan-003.pdf": ManifestEntry("scan-003.pdf", "tynaarlo", None)}
    """
    try:
        with Path(path).open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in MANIFEST_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise AgreementError(path, f"manifest lacks the column(s) {', '.join(missing)}; "
                                           f"expected a CSV header {','.join(MANIFEST_COLUMNS)}")
            rows = list(reader)
    except OSError as error:
        raise AgreementError(path, f"manifest cannot be read ({error.strerror})") from error
    entries = {}
    for line, row in enumerate(rows, start=2):
        file = (row["file"] or "").strip().replace("\\", "/")
        if not file:
            continue
        entries[file] = ManifestEntry(file, series_slug(row["series"] or "") or None,
                                      _manifest_year(row["year"], path, line))
    return entries


def _manifest_year(cell: str | None, path: Path, line: int) -> int | None:
    cell = (cell or "").strip()
    if not cell:
        return None
    if not re.fullmatch(r"\d{4}", cell):
        raise AgreementError(path, f"line {line}: year must be four digits, not {cell!r}")
    return int(cell)


def find_manifest(inputs: Path) -> dict[str, ManifestEntry]:
    """inputs/manifest.csv if there is one; no manifest is no override."""
    path = inputs / MANIFEST_NAME
    return read_manifest(path) if path.is_file() else {}


def manifest_entry(source: Source, entries: Mapping[str, ManifestEntry]) -> ManifestEntry | None:
    """The manifest row for a file: by its path under the inputs folder, else by its name."""
    if source.relative in entries:
        return entries[source.relative]
    return entries.get(source.path.name)


# --------------------------------------------------------------------------- cache


def settings_hash(settings: Settings) -> str:
    """A short hash of the settings and of the pipeline's source and pattern files.

    Any change that could change an extraction or a diff gives new cache names, so stale
    entries are never read.
    """
    return hashlib.sha256(f"{settings.fingerprint}|{code_fingerprint()}".encode()).hexdigest()[:16]


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of the pipeline's code, patterns and package data, taken once per process: the
    code a process runs is the code it imported, whatever changes on disk later."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.suffix in CACHE_KEY_SUFFIXES and path.name not in NOT_IN_CACHE_KEY:
            digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def publish_fingerprint() -> str:
    """A hash of the code that writes the outputs (publish.py and its templates), once per process."""
    digest = hashlib.sha256()
    for path in [PACKAGE_DIR / "publish.py", *sorted((PACKAGE_DIR / "templates").glob("*.html"))]:
        digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class Cache:
    """Entries in `folder`, named "<content sha256>-<settings hash>.json" (`encode_entry`).

    A missing or unreadable entry is a miss, never an error: the work is simply redone. An
    entry that cannot be written (a full disk) is left out with a warning.
    """

    folder: Path
    settings: str

    def path(self, *hashes: str) -> Path:
        return self.folder / f"{'-'.join(hashes)}-{self.settings}{CACHE_SUFFIX}"

    def get(self, *hashes: str) -> Any | None:
        if not all(hashes):
            return None
        path = self.path(*hashes)
        try:
            value = decode_entry(path.read_bytes())
            os.utime(path)  # used: `prune` keeps it
            return value
        except FileNotFoundError:
            return None
        except Exception as error:  # a truncated or foreign entry: redo the work
            log.warning("cache: ignoring %s (%s)", path.name, error)
            return None

    def put(self, value: Any, *hashes: str) -> None:
        self.put_bytes(encode_entry(value), *hashes)

    def put_bytes(self, data: bytes, *hashes: str) -> None:
        """Store an entry already encoded (`encode_entry`)."""
        from pipeline.export import atomic_path

        if not all(hashes):
            return
        try:
            with atomic_path(self.path(*hashes)) as tmp:
                tmp.write_bytes(data)
        except OSError as error:
            log.warning("cache: cannot keep %s (%s); it is made again next run",
                        self.path(*hashes).name, error.strerror or error)

    def prune(self, days: float = CACHE_KEEP_DAYS) -> int:
        """Delete the entries not written or used for `days` days: those of files gone from
        the inputs and of earlier code or settings; and, whatever their age, entries of an
        earlier format (pickles), which are never read. Returns how many were deleted."""
        cutoff = time.time() - days * 86400
        removed = 0
        for entry in self.folder.glob("*"):
            try:
                if entry.suffix in OLD_CACHE_SUFFIXES or (entry.suffix == CACHE_SUFFIX
                                                           and entry.stat().st_mtime < cutoff):
                    entry.unlink()
                    removed += 1
            except OSError:  # gone meanwhile, or not ours to delete: leave it
                continue
        return removed


def encode_entry(value: Extraction | Failure | BatchResult | tuple[Mapping[str, Any], ...]) -> bytes:
    """A cache entry: an extraction, a failure, a pair's match rows or a run's result as JSON.

        {"format": 1, "kind": "Extraction", "value": {"document": {"path": ..., "blocks": [...]}, ...}}
    """
    if isinstance(value, BatchResult):
        kind, data = "BatchResult", result_to_data(value)
    elif isinstance(value, (Extraction, Failure)):
        kind, data = type(value).__name__, to_data(value)
    elif isinstance(value, tuple):
        kind, data = "MatchRows", to_data(value)
    else:
        raise TypeError(f"the cache keeps no {type(value).__name__}")
    entry = {"format": CACHE_FORMAT, "kind": kind, "value": data}
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode_entry(data: bytes) -> Extraction | Failure | BatchResult | tuple[dict[str, Any], ...]:
    """The value `encode_entry` stored; ValueError for anything else."""
    entry = json.loads(data)
    if not isinstance(entry, dict) or entry.get("format") != CACHE_FORMAT:
        raise ValueError(f"not a cache entry of format {CACHE_FORMAT}")
    kind = entry.get("kind")
    if kind == "BatchResult":
        return result_from_data(entry["value"])
    if kind not in _ENTRY_KINDS:
        raise ValueError(f"unknown kind of cache entry {kind!r}")
    return from_data(_ENTRY_KINDS[kind], entry["value"])


_ENTRY_KINDS = {"Extraction": Extraction, "Failure": Failure, "MatchRows": tuple[dict[str, Any], ...]}


def result_to_data(result: BatchResult) -> dict[str, Any]:
    """A run's result as data; a pair names its two members by their place in `members`
    rather than holding copies of their extractions."""
    place = {id(member): index for index, member in enumerate(result.members)}
    data = {name: to_data(getattr(result, name)) for name in ("members", "failures", "warnings", "read",
                                                             "cached", "written", "seconds")}
    data["pairs"] = [{"series": p.series, "old": place[id(p.old)], "new": place[id(p.new)],
                      "match_rows": to_data(p.match_rows), "report": p.report} for p in result.pairs]
    return data


def result_from_data(data: dict[str, Any]) -> BatchResult:
    members = from_data(tuple[Member, ...], data["members"])
    pairs = tuple(Pair(p["series"], members[p["old"]], members[p["new"]],
                       from_data(tuple[dict[str, Any], ...], p["match_rows"]), p["report"])
                  for p in data["pairs"])
    return BatchResult(members=members, pairs=pairs, failures=from_data(tuple[Failure, ...], data["failures"]),
                       warnings=from_data(tuple[Issue, ...], data["warnings"]), read=data["read"],
                       cached=data["cached"], written=from_data(tuple[Path, ...], data["written"]),
                       seconds=from_data(dict[str, float], data["seconds"]))


def run_key(inputs: Path, sources: Iterable[Source], entries: Mapping[str, ManifestEntry], cache: Cache,
            corrections: str = "") -> str:
    """A hash of everything the outputs are made from: the inputs folder, each file's path, id
    and content, the manifest, the corrections (their digest), the settings and the pipeline's
    code, the publishing code too."""
    digest = hashlib.sha256(f"{inputs.resolve()}|{cache.settings}|{publish_fingerprint()}".encode())
    for source in sources:
        digest.update(f"|{source.relative}|{source.document}|{source.sha256}".encode())
    digest.update(repr(sorted(entries.items())).encode())
    digest.update(f"|corrections {corrections}".encode())
    return digest.hexdigest()[:16]


def previous_run(cache: Cache, key: str, out_dir: Path) -> BatchResult | None:
    """The result of the last run when nothing it was made from has changed and every file it
    wrote is still there; a rerun of an unchanged corpus then reads, diffs and writes nothing."""
    result = cache.get(RUN_RECORD, key)
    if result is None:
        return None
    outputs = [*result.written, *(pair.report for pair in result.pairs)]
    return result if all((out_dir / path).is_file() for path in outputs) else None


def run_record(result: BatchResult) -> tuple[BatchResult, bytes | None]:
    """`result` and what `remember_run` keeps of it: the result as a cache entry, or None when
    a failure may go away by itself (the next run then tries again)."""
    if any(f.error in TRANSIENT_ERRORS for f in result.failures):
        return result, None
    return result, encode_entry(result)


def remember_run(cache: Cache, key: str, record: bytes | None) -> None:
    """Keep this run's record (`run_record`) for the next run; only the latest is kept."""
    for old in cache.folder.glob(f"{RUN_RECORD}-*{CACHE_SUFFIX}"):
        old.unlink(missing_ok=True)
    if record is not None:
        cache.put_bytes(record, RUN_RECORD, key)


def relabel(extraction: Extraction, document: str, path: Path) -> Extraction:
    """A cached extraction under the id and path of the file it now stands for (renamed,
    moved, or a copy of another file).

        relabel(<Extraction of 'old-name'>, "new-name", Path("inputs/new-name.txt"))
        -> every record's `document` is "new-name"
    """
    if extraction.document.id == document and extraction.document.path == path:
        return extraction
    retag = lambda records: tuple(replace(r, document=document) for r in records)  # noqa: E731
    return replace(
        extraction,
        document=replace(extraction.document, id=document, path=path, issues=retag(extraction.document.issues)),
        parties=retag(extraction.parties), commitments=retag(extraction.commitments),
        issues=retag(extraction.issues))


# --------------------------------------------------------------------------- extract


@dataclass(frozen=True)
class Extracted:
    """What extract_all found: extractions by document id, failures, and how they were got."""

    extractions: Mapping[str, Extraction]
    failures: tuple[Failure, ...]
    read: int  # files read this run
    cached: int  # files answered from the cache (a known bad file too)


def extract_all(sources: list[Source], cache: Cache, pool: Workers, progress: bool) -> Extracted:
    """Extract every source: from the cache when its content was seen before with these
    settings, else in the worker processes.

    Each result, a failure too, is cached as soon as it is made (`cache_outcome`), so an
    interrupted run keeps what it finished and a rerun does not read a known bad file again.
    """
    extractions: dict[str, Extraction] = {}
    failures: list[Failure] = []
    todo = []
    for source in sources:
        cached = cache.get(source.sha256)
        if isinstance(cached, Failure):
            failures.append(replace(cached, path=str(source.path), document=source.document))
        elif cached is not None:
            extractions[source.document] = relabel(cached, source.document, source.path)
        else:
            todo.append(source)
    if todo:
        log.info("batch: %d documents to read, %d from cache, %d worker(s)",
                 len(todo), len(sources) - len(todo), pool.size_for(len(todo)))
    outcomes = pool.extract(todo, cache)
    with Progress(len(todo), progress, "extract") as bar:
        for source, outcome in outcomes:
            if isinstance(outcome, Failure):
                if outcome.error == ModelNotBuiltError.__name__:
                    raise ModelNotBuiltError(pool.settings.model_path, outcome.reason)
                failures.append(outcome)
                bar.done(source.document, f"error: {outcome.reason}")
            else:
                extractions[source.document] = outcome
                bar.done(source.document, f"{len(outcome.commitments)} commitments")
    return Extracted(extractions, tuple(sorted(failures, key=lambda f: f.path)),
                     read=len(todo), cached=len(sources) - len(todo))


def extract_source(source: Source, settings: Settings, nlp, read: Any = None) -> Extraction | Failure:
    """Extract one file; every error, expected or not, becomes a Failure so the batch goes on.
    `read` is the file's Document (or the Failure of reading it) when it was read already.

    Failures are returned, not raised, because AgreementError does not survive pickling
    between processes.
    """
    from pipeline.run import extract_document, extract_read
    if isinstance(read, Failure):
        return read
    try:
        if read is not None:
            return extract_read(read, nlp)
        return extract_document(source.path, settings, nlp, source.document)
    except Exception as error:  # one odd file must not stop a corpus of hundreds
        return _failure(source, error)


def extract_within_limit(source: Source, settings: Settings, nlp, read: Any = None,
                         limit: float | None = None, hang_cache: Cache | None = None) -> Extraction | Failure:
    """`extract_source` within `limit` seconds: past it, a TimeLimitError Failure (not cached:
    the next run tries again).

    In a worker process (`hang_cache` given), a document still stuck HARD_LIMIT_GRACE seconds
    after the limit, in a C library the limit cannot interrupt, ends the worker; its failure
    is cached first, so the next run does not try it again (the documents the pool was
    working on beside it fail as BrokenProcessPool, and are tried again).
    """
    from pipeline.errors import HungDocumentError, TimeLimitError
    from pipeline.limits import limit_message, time_limit

    def remember_hang() -> None:
        cache.put(Failure(str(source.path), source.document, "extract", HungDocumentError.__name__,
                          limit_message(limit) + f"; still running {HARD_LIMIT_GRACE:g} s later, so the "
                          "worker process was ended"), source.sha256)

    cache = hang_cache
    try:
        with time_limit(limit, source.path, HARD_LIMIT_GRACE if cache is not None else None,
                        remember_hang if cache is not None else None):
            return extract_source(source, settings, nlp, read)
    except TimeLimitError as error:
        return _failure(source, error)


def cache_outcome(outcome: Extraction | Failure, source: Source, cache: Cache) -> bytes:
    """An extraction or failure kept in the cache, unless the failure may go away by itself;
    returned pickled, as a worker sends it back to the process that asked (a pickle between
    this program's own processes only, never stored)."""
    entry = cache_entry(outcome)
    if entry is not None:
        cache.put_bytes(entry, source.sha256)
    return pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)


def cache_entry(outcome: Extraction | Failure) -> bytes | None:
    """The cache entry of an extraction or failure (`encode_entry`); None for a failure that
    may go away by itself (TRANSIENT_ERRORS), which is not kept."""
    if isinstance(outcome, Failure) and outcome.error in TRANSIENT_ERRORS:
        return None
    return encode_entry(outcome)


def _failure(source: Source, error: Exception) -> Failure:
    reason = error.problem if isinstance(error, AgreementError) else str(error) or repr(error)
    return Failure(str(source.path), source.document, "extract", type(error).__name__, reason)


# --------------------------------------------------------------------------- worker processes


def default_workers() -> int:
    """The cores this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


# Worker processes are forked where that is safe (Linux): a forked worker starts at once
# and sees what this process holds (the spaCy pipeline, the extractions, the tables)
# without importing, loading (~3 s a worker) or receiving a pickled copy of any of it.
# Elsewhere they are spawned and given a pickled copy.
START_METHOD = "fork" if sys.platform == "linux" else "spawn"

# A forked worker starts in milliseconds; a spawned one takes ~3 s (imports, spaCy
# pipeline), about as long as reading ten documents. Without --workers, no more workers
# are started than the documents repay.
SPAWNED_WORKER_DOCUMENTS = 10
BESIDE_NICENESS = 10  # how much lower the priority of the later side jobs is: see Workers.beside
LATER_STAGES = ("pipeline.diff", "pipeline.publish")
_SHARED: dict[str, Any] = {}  # what the workers of the running pool work on: see Workers.start


class Workers:
    """Extractions, diffs and the slow outputs in worker processes, or in this process for
    one worker.

    Each stage starts a fresh pool (`start`) whose workers share that stage's data: the
    spaCy pipeline for reading, the pairs for diffing, the tables for publishing. Forked,
    a worker inherits them as they are; tasks are only indexes and file names, and the
    answers are small (a worker caches and writes what it made). With nothing to read no
    pool is started: the diffs of a rerun are too few to pay for processes.

        with Workers(settings, 2) as pool:
            for source, extraction_or_failure in pool.extract(sources, cache): ...
            for task, rows_or_failure in pool.diff(tasks, cache): ...
            futures = pool.beside([(write_sqlite, tables, path), ...])
    """

    def __init__(self, settings: Settings, requested: int | None, time_limit: float | None = None):
        self.settings, self.requested, self.time_limit = settings, requested, time_limit
        self.pool: ProcessPoolExecutor | None = None
        self.size = 0  # worker processes of the running pool
        self.used = False  # a pool read documents this run: the later stages use one too
        self.nlp = None  # the spaCy pipeline in this process

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool, self.size = None, 0

    def start(self, size: int, **shared: Any) -> ProcessPoolExecutor:
        """A fresh pool of `size` workers that see `shared` as _SHARED (the running pool, if
        any, is stopped first).

        Forked workers start here, before this process starts any thread (a bar's), so no
        lock is copied while held.
        """
        self.stop()
        if START_METHOD == "fork":
            _SHARED.clear()
            _SHARED.update(shared)
            self.pool = ProcessPoolExecutor(size, mp_context=get_context("fork"))
            # Frozen, the objects this process holds are never visited by a worker's garbage
            # collector, which would otherwise touch, and so copy, every page of them.
            gc.freeze()
            self.pool.submit(int)  # forks every worker now
            gc.unfreeze()
        else:
            self.pool = ProcessPoolExecutor(size, mp_context=get_context("spawn"),
                                            initializer=_share, initargs=(shared,))
        self.size, self.used = size, True
        return self.pool

    def load_nlp(self):
        if self.nlp is None:
            from pipeline.nlp import load_pipeline
            self.nlp = load_pipeline(self.settings)
        return self.nlp

    def size_for(self, documents: int) -> int:
        """Processes for reading `documents`: as many as requested (never more than documents);
        by default one per core, but spawned ones no more than the documents repay
        (SPAWNED_WORKER_DOCUMENTS).

            requested 2, 5 documents -> 2;  default on 8 cores, 25 documents -> 8 (forked), 2 (spawned)
        """
        if self.requested:
            return max(1, min(self.requested, documents))
        per_worker = SPAWNED_WORKER_DOCUMENTS if START_METHOD == "spawn" else 1
        return max(1, min(default_workers(), documents // per_worker))

    def extract(self, sources: list[Source], cache: Cache) -> Iterator[tuple[Source, Extraction | Failure]]:
        """(source, extraction or failure) for each source, each cached where it was made."""
        # A large scan's pages are tasks of their own, so they count as documents here.
        scans = split_scans(sources, self.settings) if sources and self.size_for(sys.maxsize) > 1 else {}
        size = self.size_for(len(sources) + sum(len(pages) - 1 for pages in scans.values()))
        if size <= 1:
            return self._extract_here(sources, cache)
        # Largest files first: the slow ones (PDFs) start early instead of leaving one
        # worker busy alone at the end.
        ordered = sorted(sources, key=_size, reverse=True)
        if START_METHOD == "fork":
            whole = [source for source in ordered if source.document not in scans]
            read = (ReadAhead(whole, self.settings, self.time_limit).during(self.load_nlp)
                    if self.nlp is None else {})
            log.info("batch: %d document(s) read while the spaCy pipeline loaded", len(read))
            self.start(size, nlp=self.nlp, settings=self.settings, cache=cache, read=read,
                       time_limit=self.time_limit)
        else:  # each spawned worker loads its own pipeline
            self.start(size, settings=self.settings, cache=cache, load_nlp=True, time_limit=self.time_limit)
        # The pages of a large scan first, each a task of its own, so every worker reads
        # some; the scan itself is read when its last page is back.
        pending: dict[Future, Any] = {}
        for source in ordered:
            for index in scans.get(source.document, ()):
                pending[self.pool.submit(_ocr_page_in_worker, source, index)] = ScanPage(source, index)
        pending.update({self.pool.submit(_extract_in_worker, source): source
                        for source in ordered if source.document not in scans})
        # While the workers read: the later stages' imports (~1 s), which their forked
        # workers then inherit.
        for module in LATER_STAGES:
            importlib.import_module(module)
        return self._extract_results(pending, scans)

    def _extract_results(self, pending: dict[Future, Any], scans: dict[str, list[int]]
                         ) -> Iterator[tuple[Source, Extraction | Failure]]:
        """(source, outcome) as each document is done. The pages of a scan are kept as they
        come back, and the scan is read with them when its last one is in; a page that
        failed is left out (the reader reads it itself, and reports what it hits)."""
        pages: dict[str, dict[int, Any]] = {document: {} for document in scans}
        waiting = {document: len(indexes) for document, indexes in scans.items()}
        for task, outcome in self._as_completed(pending):
            if not isinstance(task, ScanPage):
                yield task, pickle.loads(outcome) if isinstance(outcome, bytes) else outcome
                continue
            document = task.source.document
            if outcome is not None:
                pages[document][task.index] = outcome
            waiting[document] -= 1
            if not waiting[document]:
                try:
                    pending[self.pool.submit(_extract_in_worker, task.source, pages.pop(document))] = task.source
                except BrokenProcessPool:
                    yield task.source, _broken(task.source)

    def _extract_here(self, sources: list[Source], cache: Cache) -> Iterator[tuple[Source, Extraction | Failure]]:
        for source in sources:
            outcome = extract_within_limit(source, self.settings, self.load_nlp(), None, self.time_limit)
            cache_outcome(outcome, source, cache)
            yield source, outcome

    def diff(self, tasks: list[PairTask], cache: Cache) -> Iterator[tuple[PairTask, tuple | Failure]]:
        """(task, match rows or failure) for each pair, each cached and written where it was made."""
        if not self.used or len(tasks) < 2:
            return ((task, diff_and_cache(task, self.settings, cache)) for task in tasks)
        self.start(min(self.size, len(tasks)), tasks=tasks, settings=self.settings, cache=cache)
        return self._as_completed({self.pool.submit(_diff_in_worker, index): task
                                   for index, task in enumerate(tasks)})

    def beside(self, jobs: list[tuple]) -> list[Future]:
        """Run each (function, *arguments) in a worker of its own; [] (run them yourself)
        when this batch uses no worker processes.

        The first job is the one to finish first (the longest): the others run at a lower
        priority (BESIDE_NICENESS), so on a machine with fewer cores than jobs they take
        what the first job and this process leave.
        """
        if not self.used:
            return []
        self.start(len(jobs), jobs=jobs)
        return [self.pool.submit(_job_in_worker, index) for index in range(len(jobs))]

    def _as_completed(self, pending: dict[Future, Any]) -> Iterator[tuple[Any, Any]]:
        """(task, outcome) as each finishes; a dead worker process is a Failure of its task."""
        try:
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    task = pending.pop(future)
                    try:
                        yield task, future.result()
                    except BrokenProcessPool:
                        # Out of memory or a crash in a PDF library: this task or one run
                        # beside it is the cause; neither can be told apart from here. Such
                        # failures are not cached, so the next run tries these files again.
                        yield task, _broken(task)
        finally:
            for future in pending:
                future.cancel()


def _size(source: Source) -> int:
    try:
        return source.path.stat().st_size
    except OSError:
        return 0


def _broken(task: Source | PairTask | ScanPage) -> Failure | None:
    if isinstance(task, ScanPage):  # left out: the reader reads the page itself
        return None
    reason = "a worker process died while this was being processed"
    if isinstance(task, Source):
        return Failure(str(task.path), task.document, "extract", "BrokenProcessPool", reason)
    return task.failure("BrokenProcessPool", reason)


def _share(shared: dict[str, Any]) -> None:
    """A spawned worker's start: the stage's data, and its own spaCy pipeline if asked for;
    an unbuilt model is kept as the error every document then reports."""
    _SHARED.update(shared)
    if shared.get("load_nlp"):
        from pipeline.nlp import load_pipeline
        try:
            _SHARED["nlp"] = load_pipeline(shared["settings"])
        except AgreementError as error:
            _SHARED["nlp"] = error


def split_scans(sources: list[Source], settings: Settings) -> dict[str, list[int]]:
    """{document id: the 0-based pages to read by OCR as tasks of their own} for each large
    scan among `sources` (`pipeline.ingest.ocr.pages_to_split`)."""
    if not any(source.path.suffix.lower() == ".pdf" for source in sources):
        return {}
    from pipeline.ingest import ocr

    if ocr.ocr_problem(settings.ocr_language):
        return {}
    scans = {source.document: pages for source in sources
             if (pages := ocr.pages_to_split(source.path, settings))}
    if scans:
        log.info("batch: %d page(s) of %d large scan(s) read by OCR on every worker",
                 sum(map(len, scans.values())), len(scans))
    return scans


@dataclass(frozen=True)
class ScanPage:
    """A page of a large scan read by OCR as a task of its own (0-based index)."""
    source: Source
    index: int


def _ocr_page_in_worker(source: Source, index: int):
    """Page `index` (0-based) of a scan read by OCR (an OcrPage), within the time limit;
    None when it fails: the reader then reads the page itself and reports the problem
    with the document, as it would without the split."""
    from pipeline.ingest.ocr import ocr_page
    from pipeline.limits import time_limit

    try:
        with time_limit(_SHARED.get("time_limit"), source.path):
            return ocr_page(source.path, index, _SHARED["settings"])
    except Exception as error:
        log.debug("%s: page %d left to the reader: %s", source.path, index + 1, error)
        return None


def _extract_in_worker(source: Source, pages: Mapping[int, Any] | None = None) -> bytes | Failure:
    """One document extracted and cached; `pages`: those of a large scan read by OCR in
    tasks of their own (`_ocr_page_in_worker`), by 0-based index."""
    if isinstance(_SHARED["nlp"], AgreementError):
        return _failure(source, _SHARED["nlp"])
    document = _SHARED.get("read", {}).get(source.document)
    with _prepared(source, pages):
        outcome = extract_within_limit(source, _SHARED["settings"], _SHARED["nlp"], document,
                                       _SHARED.get("time_limit"), hang_cache=_SHARED["cache"])
    return cache_outcome(outcome, source, _SHARED["cache"])


def _prepared(source: Source, pages: Mapping[int, Any] | None):
    if not pages:
        return contextlib.nullcontext()
    from pipeline.ingest.ocr import prepared_pages

    return prepared_pages(source.path, pages)


class ReadAhead:
    """One forked process reading documents, largest first, while this one loads the spaCy
    pipeline (~1.3 s in which a second core would otherwise wait): the workers then take
    up those documents from the reading on.

        read = ReadAhead(sources, settings).during(load)  ->  {document id: Document or Failure}
    """

    def __init__(self, sources: list[Source], settings: Settings, time_limit: float | None = None):
        self.sources, self.settings, self.time_limit = list(sources), settings, time_limit
        self.read: dict[str, Any] = {}
        self.stopping = False
        self.pool = ProcessPoolExecutor(1, mp_context=get_context("fork"))

    def during(self, work: Callable[[], Any]) -> dict[str, Any]:
        """Read while `work` runs; returns what was read by the time it is done (the
        document being read then is waited for)."""
        try:
            self._next()
            work()
        finally:
            self.stopping = True
            self.pool.shutdown(wait=True)  # no thread of it outlives this: workers fork next
        return self.read

    def _next(self) -> None:
        if self.sources and not self.stopping:
            source = self.sources.pop(0)
            try:
                future = self.pool.submit(_read_in_worker, source, self.settings, self.time_limit)
            except RuntimeError:  # shut down meanwhile: the workers read it
                return
            future.add_done_callback(lambda done: self._done(source, done))

    def _done(self, source: Source, future: Future) -> None:
        if not future.cancelled() and future.exception() is None:
            self.read[source.document] = pickle.loads(future.result())
        self._next()


def _read_in_worker(source: Source, settings: Settings, time_limit: float | None = None) -> bytes:
    """A document read (pipeline.ingest), or the Failure of reading it, pickled. A read stuck
    past the time limit ends this process; the workers then read that document."""
    from pipeline.ingest import read_document
    from pipeline.limits import time_limit as limit
    try:
        with limit(time_limit, source.path, hard_after=HARD_LIMIT_GRACE):
            document = read_document(source.path, settings, source.document)
        return pickle.dumps(document, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as error:  # reported as extract_source would
        return pickle.dumps(_failure(source, error), protocol=pickle.HIGHEST_PROTOCOL)


def _diff_in_worker(index: int) -> tuple | Failure:
    from pipeline import matching
    matching.THREADS = 1  # the pool already keeps every core busy
    return diff_and_cache(_SHARED["tasks"][index], _SHARED["settings"], _SHARED["cache"])


def _job_in_worker(index: int) -> Any:
    function, *arguments = _SHARED["jobs"][index]
    if index and hasattr(os, "nice"):
        os.nice(BESIDE_NICENESS)
    return function(*arguments)


def _want_progress(progress: bool | None) -> bool:
    return sys.stderr.isatty() if progress is None else progress


class Progress:
    """A tqdm bar on a terminal; otherwise one log line per item.

        extract [3/40] aa-en-hunze-2022: 76 commitments
        extract [4/40] broken: error: not a valid PDF (...)
    """

    def __init__(self, total: int, bar: bool, stage: str):
        self.total, self.count, self.stage, self.bar = total, 0, stage, None
        if bar and total:
            from tqdm import tqdm
            tqdm.monitor_interval = 0  # no monitor thread: worker processes are forked later
            self.bar = tqdm(total=total, unit="doc" if stage == "extract" else "pair", desc=stage,
                            file=sys.stderr)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.close()

    def done(self, label: str, detail: str) -> None:
        self.count += 1
        if self.bar is not None:
            self.bar.set_postfix_str(label, refresh=False)
            self.bar.update(1)
        else:
            log.info("%s [%d/%d] %s: %s", self.stage, self.count, self.total, label, detail)


# --------------------------------------------------------------------------- series


def series_slug(text: str) -> str:
    """A name as a series key or path segment.

    >>> series_slug("Aa en Hunze"), series_slug("De Volmacht")
    ('aa-en-hunze', 'de-volmacht')
    """
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def municipality(extraction: Extraction) -> tuple[str | None, str]:
    """The municipality's name and where it came from: the party list, else the title.

        party "Gemeente Aa en Hunze" (role gemeente)   -> ("Aa en Hunze", "parties")
        title "Prestatieafspraken Tynaarlo 2022"        -> ("Tynaarlo", "title")
    """
    from pipeline.period import TITLE_BLOCKS

    for party in extraction.parties:
        if party.role == GEMEENTE:
            found = _MUNICIPALITY_IN_NAME.match(party.name)
            return (found.group(1) if found else party.name).strip(), FROM_PARTIES
    for block in extraction.document.blocks[:TITLE_BLOCKS]:
        found = _MUNICIPALITY_IN_TITLE.match(block.text.strip())
        if found:
            return found.group(1).strip(), FROM_TITLE
    return None, FROM_NOWHERE


def series_key(extraction: Extraction, source: Source) -> tuple[str, str]:
    """The agreement series a document belongs to, and where that came from.

    The municipality plus the sorted short names of the corporations; without a
    municipality, the file name without its year.

        Gemeente Aa en Hunze, corporations Woonborg and De Volmacht
            -> ("aa-en-hunze--de-volmacht--woonborg", "parties")
        no party list, no title, file "scan-tynaarlo-2022.pdf" -> ("scan-tynaarlo", "file-name")
    """
    name, origin = municipality(extraction)
    if name:
        corporations = sorted({series_slug(p.short_name) for p in extraction.parties if p.role == CORPORATIE})
        return "--".join([series_slug(name), *corporations]), origin
    return file_series(source.path), FROM_FILE_NAME


def file_series(path: Path) -> str:
    """The file name without year digits.

    >>> file_series(Path("Aa en Hunze 2021.pdf")), file_series(Path("2022-tynaarlo.docx"))
    ('aa-en-hunze', 'tynaarlo')
    """
    return series_slug(_YEAR_IN_NAME.sub(" ", document_id(path))) or "document"


def file_year(path: Path) -> int | None:
    """The first 19xx/20xx year in a file name.

    >>> file_year(Path("aa-en-hunze-2021.pdf")), file_year(Path("scan-003.pdf"))
    (2021, None)
    """
    found = _YEAR_IN_NAME.search(path.stem)
    return int(found.group(0)) if found else None


def place(source: Source, extraction: Extraction, entry: ManifestEntry | None) -> Member:
    """Series and year of one document: the manifest, else the document, else its file name."""
    series, series_from = series_key(extraction, source)
    year, year_from = extraction.year, FROM_DOCUMENT
    if year is None:
        year = file_year(source.path)
        year_from = FROM_FILE_NAME if year is not None else FROM_NOWHERE
    if entry and entry.series:
        series, series_from = entry.series, FROM_MANIFEST
    if entry and entry.year is not None:
        year, year_from = entry.year, FROM_MANIFEST
    return Member(source, extraction, series, year, 0, series_from, year_from)


def place_in_series(sources: list[Source], extractions: Mapping[str, Extraction],
                    entries: Mapping[str, ManifestEntry] | None = None
                    ) -> tuple[tuple[Member, ...], tuple[Issue, ...]]:
    """Members ordered by series, then year (unknown last), then file order; and warnings.

    Two documents of one series and year are both kept, in file order, with a "same-year"
    warning; a document without a year goes last with a "no-year" warning.
    """
    entries = entries or {}
    members = [place(s, extractions[s.document], manifest_entry(s, entries))
               for s in sources if s.document in extractions]
    file_order = {s.document: i for i, s in enumerate(sources)}
    members.sort(key=lambda m: (m.series, m.year is None, m.year or 0, file_order[m.document]))
    placed, warnings = [], []
    for index, member in enumerate(members):
        before = members[index - 1] if index else None
        same_series = before is not None and before.series == member.series
        position = placed[-1].position + 1 if same_series else 1
        placed.append(replace(member, position=position))
        if member.year is None:
            warnings.append(Issue(member.document, "no-year",
                                  f"no agreement year in the document or its file name; placed last in "
                                  f"series {member.series} (give it a year in the manifest)"))
        elif same_series and before.year == member.year:
            warnings.append(Issue(member.document, "same-year",
                                  f"{before.document} is also series {member.series}, year {member.year}; "
                                  f"both kept and diffed in file order"))
    warnings += [Issue("", "manifest-unmatched", f"manifest row {file!r} matches no input file")
                 for file in _unmatched(sources, entries)]
    return tuple(placed), tuple(warnings)


def _unmatched(sources: Iterable[Source], entries: Mapping[str, ManifestEntry]) -> list[str]:
    known = {s.relative for s in sources} | {s.path.name for s in sources}
    return [file for file in entries if file not in known]


def consecutive(members: Iterable[Member]) -> Iterator[tuple[Member, Member]]:
    """Each member with the next one of its series.

        a-2021, a-2022, a-2023, b-2021 -> (a-2021, a-2022), (a-2022, a-2023)
    """
    members = list(members)
    for old, new in zip(members, members[1:]):
        if old.series == new.series:
            yield old, new


# --------------------------------------------------------------------------- diff


@dataclass(frozen=True, eq=False)  # compared by identity: hashing whole extractions is slow
class PairTask:
    """Two consecutive members to compare, and the folder for their matches and report;
    `corrections` are the pins and forbids that fit them, `issues` those that do not."""

    old: Member
    new: Member
    folder: Path
    corrections: PairCorrections = PairCorrections()
    issues: tuple[Issue, ...] = ()
    corrections_key: str = ""  # Corrections.fingerprint of the two documents; "" when none names them

    @property
    def hashes(self) -> tuple[str, ...]:
        """The cache key of the pair's diff: both files' contents, and the corrections naming them."""
        return (self.old.source.sha256, self.new.source.sha256) + ((self.corrections_key,) if self.corrections_key else ())

    def failure(self, error: str, reason: str) -> Failure:
        return Failure(f"{self.old.source.path} -> {self.new.source.path}",
                       f"{self.old.document}__{self.new.document}", "diff", error, reason)


def diff_series(members: tuple[Member, ...], cache: Cache, out_dir: Path, pool: Workers, progress: bool,
                meanwhile: Callable[[], Any] | None = None, corrections: Corrections = Corrections()
                ) -> tuple[tuple[Pair, ...], tuple[Failure, ...], tuple[Issue, ...]]:
    """Diff each consecutive pair of a series; its matches and report.html go to
    diffs/<series>/<old>__<new>/. Returns the pairs, failures, and the corrections' issues.

    A diff found in the cache (same two files, same settings, same corrections) whose report
    is still there is neither recomputed nor rewritten. `meanwhile` runs in a thread of its own
    once the diffs are handed to the workers (with one worker: while this thread diffs), so
    this process works while they do.
    """
    tasks = pair_tasks(members, out_dir, corrections)
    outcomes: dict[PairTask, Pair | Failure] = {}
    todo = []
    for task in tasks:
        cached = cache.get(*task.hashes)
        if cached is not None and (task.folder / REPORT_NAME).is_file():
            outcomes[task] = pair_of(task, cached, out_dir)
        else:
            todo.append(task)
    diffed = pool.diff(todo, cache)  # before the bar: workers fork before its thread starts
    with ThreadPoolExecutor(1, thread_name_prefix="meanwhile") as side:
        # In a thread: the Dask engine hands its tasks out as the results come in, which
        # `meanwhile` would otherwise hold up until it is done.
        beside = side.submit(meanwhile) if meanwhile is not None else None
        with Progress(len(todo), progress, "diff") as bar:
            for task, outcome in diffed:
                if isinstance(outcome, Failure):
                    bar.done(task.folder.name, f"error: {outcome.reason}")
                    outcomes[task] = outcome
                else:
                    bar.done(task.folder.name, f"{len(outcome)} relations")
                    outcomes[task] = pair_of(task, outcome, out_dir)
        if beside is not None:
            beside.result()  # its exception, if any, is this stage's
    results = [outcomes[task] for task in tasks]
    return (tuple(r for r in results if isinstance(r, Pair)), tuple(r for r in results if isinstance(r, Failure)),
            correction_issues(members, tasks, outcomes, corrections))


def pair_of(task: PairTask, rows: tuple[Mapping[str, Any], ...], out_dir: Path) -> Pair:
    """A pair's match rows (diff_and_cache) as a Pair."""
    return Pair(task.old.series, task.old, task.new, rows, (task.folder / REPORT_NAME).relative_to(out_dir).as_posix())


def diff_and_cache(task: PairTask, settings: Settings, cache: Cache) -> tuple[dict[str, Any], ...] | Failure:
    """One pair diffed, its matches and report written, its match rows
    (pipeline.matching.match_rows) cached and returned; or a Failure, not cached."""
    try:
        from pipeline.diff import diff, write_diff
        from pipeline.matching import match_rows

        # Only a pair with corrections passes them: diff(old, new, settings) stays the seam.
        corrected = (task.corrections, task.issues) if task.corrections or task.issues else ()
        result = diff(task.old.extraction, task.new.extraction, settings, *corrected)
        write_diff(result, task.folder)
        rows = tuple(dict(row) for row in match_rows(result.matches))
    except Exception as error:  # one odd pair must not stop the corpus
        return task.failure(type(error).__name__, str(error) or repr(error))
    cache.put(rows, *task.hashes)
    return rows


# --------------------------------------------------------------------------- corrections


def correct_all(extracted: Extracted, corrections: Corrections) -> Extracted:
    """Every extraction with its corrections applied (pipeline.corrections.correct_extraction).

    Applied after the cache, so the cached extractions stay those of the files alone and a
    changed corrections file never needs a document read again.
    """
    if not corrections:
        return extracted
    return replace(extracted, extractions={document: correct_extraction(extraction, corrections)
                                           for document, extraction in extracted.extractions.items()})


def pair_tasks(members: tuple[Member, ...], out_dir: Path, corrections: Corrections) -> list[PairTask]:
    """A PairTask for each consecutive pair, with the pins and forbids that fit it and the
    corrections' fingerprint in its cache key."""
    tasks = []
    for old, new in consecutive(members):
        folder = out_dir / DIFFS_DIR / old.series / f"{old.document}__{new.document}"
        pair, issues = pair_corrections(corrections, old.extraction, new.extraction)
        tasks.append(PairTask(old, new, folder, pair, issues, corrections.fingerprint(old.document, new.document)))
    return tasks


def correction_issues(members: tuple[Member, ...], tasks: list[PairTask], outcomes: Mapping[PairTask, Any],
                      corrections: Corrections) -> tuple[Issue, ...]:
    """The corrections' issues the documents do not hold: pins and forbids that no longer fit,
    forbids inside a split or merge, rows naming documents not read or not compared."""
    if not corrections:
        return ()
    issues = [issue for task in tasks for issue in task.issues]
    for task in tasks:
        outcome = outcomes.get(task)
        if isinstance(outcome, Pair) and task.corrections:
            issues += forbidden_in_groups(outcome.match_rows, task.corrections, task.old.document)
    issues += unmatched_corrections(corrections, [m.document for m in members],
                                    [(t.old.document, t.new.document) for t in tasks])
    return tuple(issues)
