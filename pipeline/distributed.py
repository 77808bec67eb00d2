"""`agreements batch --engine dask`: the batch's extractions and diffs as tasks on a Dask
distributed cluster, a running one (`--scheduler tcp://HOST:PORT`) or a LocalCluster of
worker processes on this machine.

    with DaskWorkers(settings, requested=2, scheduler=None) as pool:     # a LocalCluster
        for source, extraction_or_failure in pool.extract(sources, cache): ...
        for task, rows_or_failure in pool.diff(tasks, cache): ...

`DaskWorkers` answers what pipeline.batch asks of its process pool (`Workers`), so the batch
runs its stages in the same order and reports progress the same way (a bar on a terminal,
log lines otherwise). What goes where:

- Inputs: the client (this process) reads each file and sends its bytes with its task; the
  worker writes them into a private temporary folder under the file's own name, extracts
  them and sends the Extraction or Failure back, labelled with the client's path. Workers
  need neither the inputs nor a shared disk. At most IN_FLIGHT_PER_THREAD tasks per worker
  thread are handed to the scheduler at a time, so neither it nor the client holds the
  bytes of the whole corpus.
- The spaCy pipeline: the client sends the model's files in a WorkerPlugin; each worker
  loads it once, when it joins (a worker that restarts loads it again), and keeps it while
  the plugin comes back with the same files.
- Diffs: the client sends the two extractions without their text blocks (a diff reads
  commitments, parties, ids and years); the worker diffs, renders the matches tables and
  report.html, and sends the rows and the files' bytes back.
- Outputs and the cache: the client writes every file and every cache entry, as the
  process pool's workers do on this machine (`pipeline.batch.cache_outcome`, `Cache.put`).
- A worker that dies: the scheduler runs its tasks again on another worker, up to
  `distributed.scheduler.allowed-failures` times (3 by default); a task whose workers all
  died is a Failure "KilledWorker", which is not cached (the next run tries again).
- A large scan: the worker reading it sends each of its pages that needs OCR as a task of
  its own (`pipeline.ingest.ocr.pages_to_split`), so all workers read pages of it, and then
  reads the document with those pages (`pipeline.ingest.ocr.prepared_pages`).

Every worker must run the same pipeline code as the client (the same installed version):
a worker whose code differs is refused with one clear error.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pipeline.batch import (START_METHOD, Cache, Failure, PairTask, Source, Workers, _failure, cache_entry,
                            cache_outcome, code_fingerprint, default_workers, encode_entry, extract_source,
                            relabel)
from pipeline.errors import AgreementError, ClusterError, ModelNotBuiltError, UnreadableDocumentError
from pipeline.settings import Settings
from pipeline.types import Extraction

log = logging.getLogger(__name__)

INSTALL_HINT = "install the 'dask' extra: pip install 'prestatieafspraken[dask]'"
PLUGIN_NAME = "agreements-pipeline"
# Tasks handed to the scheduler per worker thread at a time: enough that no worker waits
# for the client between two tasks, few enough to keep the bytes in flight small.
IN_FLIGHT_PER_THREAD = 4
# A diff's task is short (tens of milliseconds) and its arguments small (two extractions
# without their text blocks): more of them are kept in flight, so the workers do not wait
# while the client writes what came back.
DIFF_IN_FLIGHT_PER_THREAD = 16
# A LocalCluster's workers run without Dask's statistical profiler (a thread that samples
# every task thread every 10 ms, for the dashboard): it cost 8% of a batch's wall time
# (bench/RESULTS.md). A cluster of your own keeps its own settings (README).
LOCAL_CLUSTER_CONFIG = {"distributed.worker.profile.enabled": False}
CONNECT_TIMEOUT = "10s"
# The parts of the built model the stages never load (pipeline.nlp.load_pipeline): not sent.
MODEL_PARTS_NOT_SENT = {"tokenizer", "lemmatizer"}


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class ExtractOutput:
    """What a worker sends back for one document: the Extraction or Failure, and its cache
    entry (`pipeline.batch.cache_entry`; None when it is not to be kept)."""
    outcome: Extraction | Failure
    entry: bytes | None


@dataclass(frozen=True)
class DiffOutput:
    """What a worker sends back for a pair: the match rows and the pair folder's files."""

    rows: tuple[dict[str, Any], ...]  # pipeline.matching.match_rows
    files: tuple[tuple[str, bytes], ...]  # matches.jsonl, .csv, .parquet, report.html
    entry: bytes  # the rows' cache entry (pipeline.batch.encode_entry)


@dataclass(frozen=True)
class DiffError:
    error: str  # exception class
    reason: str


# --------------------------------------------------------------------------- the client side


class DaskWorkers:
    """The batch's worker pool on a Dask cluster: pipeline.batch.Workers' interface.

    The cluster is connected to (or the LocalCluster started) when there is first work for
    it, so a rerun with nothing to do starts nothing. `requested` is the LocalCluster's
    worker count (one thread each; default one per core); with `scheduler` the cluster's
    own workers are used.
    """

    def __init__(self, settings: Settings, requested: int | None = None, scheduler: str | None = None):
        self.settings, self.requested, self.scheduler = settings, requested, scheduler
        self.client = None
        self.cluster = None
        self.quieted = logging.NOTSET  # the level of the "distributed" logger before a LocalCluster
        self.local: Workers | None = None  # the processes of this machine that publish
        self.config = None  # the dask settings of a LocalCluster, undone by stop()

    def __enter__(self) -> DaskWorkers:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        self._shutdown()
        if self.local is not None:
            self.local.stop()
            self.local = None

    def _shutdown(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None
            logging.getLogger("distributed").setLevel(self.quieted)
        if self.config is not None:
            self.config.__exit__(None, None, None)
            self.config = None

    # -- connecting

    def connect(self):
        """The client, connected and with the pipeline plugin on every worker."""
        if self.client is not None:
            return self.client
        model = model_files(self.settings.model_path)  # before anything starts: an unbuilt model is one error
        try:
            from distributed import Client, LocalCluster
        except ImportError as error:
            raise ClusterError("--engine dask", f"needs dask and distributed; {INSTALL_HINT}") from error
        if self.scheduler:
            try:
                self.client = Client(self.scheduler, timeout=CONNECT_TIMEOUT)
            except (OSError, TimeoutError) as error:
                raise ClusterError(self.scheduler, "no Dask scheduler answers there (start one with "
                                                   "`dask scheduler`, and workers with `dask worker ADDRESS`)"
                                   ) from error
        else:
            # The scheduler and nannies of a LocalCluster log into this process: only their
            # warnings, not a line per worker and client coming and going.
            self.quieted = logging.getLogger("distributed").level
            logging.getLogger("distributed").setLevel(logging.WARNING)
            import dask

            config = dict(LOCAL_CLUSTER_CONFIG)
            if START_METHOD == "fork":
                # As the pool's workers (pipeline.batch.START_METHOD): forked once this process
                # has loaded the pipeline, the workers start with it, instead of each importing
                # the stages and loading it (~4 s of a core each). Their plugin finds it loaded.
                loaded_pipeline(self.settings, model)
                config["distributed.worker.multiprocessing-method"] = "fork"
            self.config = dask.config.set(config)
            self.cluster = LocalCluster(n_workers=self.requested or default_workers(), threads_per_worker=1,
                                        processes=True, dashboard_address=":0", silence_logs=logging.WARNING)
            self.client = Client(self.cluster)
        try:
            self.client.register_plugin(PipelinePlugin(self.settings, model, code_fingerprint()), name=PLUGIN_NAME)
        except CodeMismatchError as error:
            self.stop()
            raise ClusterError(self.scheduler or "LocalCluster", str(error)) from error
        log.info("batch: Dask cluster %s, %d worker thread(s)", self.client.scheduler.address, self.threads())
        return self.client

    def threads(self) -> int:
        return max(1, sum(self.connect().nthreads().values()))

    def size_for(self, documents: int) -> int:
        """Worker threads of the cluster (for the log)."""
        return self.threads()

    # -- the stages

    def extract(self, sources: list[Source], cache: Cache) -> Iterator[tuple[Source, Extraction | Failure]]:
        """(source, extraction or failure) for each source as each finishes, each cached here."""
        if not sources:
            return iter(())
        client = self.connect()
        ordered = sorted(sources, key=_size, reverse=True)  # slow ones first, as the pool does
        run = uuid.uuid4().hex[:8]

        def submit(source: Source):
            try:
                data = source.path.read_bytes()
            except OSError as error:
                return _unreadable(source, error)
            return client.submit(extract_task, source, data, key=f"extract-{source.document}-{run}", pure=False)

        def finish(source: Source, outcome: Any) -> tuple[Source, Extraction | Failure]:
            if isinstance(outcome, ExtractOutput):
                if outcome.entry is not None:
                    cache.put_bytes(outcome.entry, source.sha256)
                return source, outcome.outcome
            if isinstance(outcome, BaseException):
                outcome = _task_failure(source, outcome)
            cache_outcome(outcome, source, cache)  # a failure made here: an unreadable file, a lost task
            return source, outcome

        return (finish(source, outcome) for source, outcome in self._as_completed(ordered, submit))

    def diff(self, tasks: list[PairTask], cache: Cache) -> Iterator[tuple[PairTask, tuple | Failure]]:
        """(task, match rows or failure) for each pair; its files written and rows cached here."""
        if not tasks:
            return iter(())
        client = self.connect()
        run = uuid.uuid4().hex[:8]

        def submit(task: PairTask):
            corrected = (task.corrections, task.issues) if task.corrections or task.issues else ()
            return client.submit(diff_task, for_diff(task.old.extraction), for_diff(task.new.extraction), *corrected,
                                 key=f"diff-{task.folder.name}-{run}", pure=False)

        def finish(task: PairTask, outcome: Any) -> tuple[PairTask, tuple | Failure]:
            if isinstance(outcome, BaseException):
                return task, task.failure(*_error_of(outcome))
            if isinstance(outcome, DiffError):
                return task, task.failure(outcome.error, outcome.reason)
            write_files(task.folder, outcome.files)
            cache.put_bytes(outcome.entry, *task.hashes)
            return task, outcome.rows

        return (finish(task, outcome) for task, outcome in self._as_completed(tasks, submit, DIFF_IN_FLIGHT_PER_THREAD))

    def beside(self, jobs: list[tuple]) -> list:
        """The side jobs of publishing write files, so they run on this machine: in processes
        of its own, as the pool's (pipeline.batch.Workers.beside), when they can be forked.

        Publishing is the batch's last stage: the cluster is not needed any more. It is
        shut down first (a LocalCluster in well under a second), so no thread of the client
        or of the cluster is running when this process forks (the one left, Dask's idle
        offload thread, holds no lock)."""
        self.stop()
        if START_METHOD != "fork":
            return []
        self.local = Workers(self.settings, None)
        self.local.used = True  # the batch did work: its side jobs are worth their processes
        return self.local.beside(jobs)

    def _as_completed(self, items: list, submit: Callable[[Any], Any],
                      per_thread: int = IN_FLIGHT_PER_THREAD) -> Iterator[tuple[Any, Any]]:
        """(item, result or the task's exception) as each task finishes; `submit` makes an
        item's future (or its outcome right away). Only a window of tasks is in flight."""
        from distributed import as_completed

        window = per_thread * self.threads()
        waiting = deque(items)
        owner: dict[Any, Any] = {}
        done = as_completed()

        def hand_out() -> Iterator[tuple[Any, Any]]:
            while waiting and len(owner) < window:
                item = waiting.popleft()
                future = submit(item)
                if isinstance(future, Failure):  # answered without a task
                    yield item, future
                else:
                    owner[future] = item
                    done.add(future)

        yield from hand_out()
        while owner:
            future = next(done)
            item = owner.pop(future)
            try:
                outcome = future.result()
            except Exception as error:  # a task's own exception, or KilledWorker
                outcome = error
            future.release()
            yield item, outcome
            yield from hand_out()


def model_files(path: Path) -> dict[str, bytes]:
    """The built spaCy pipeline's files by relative path, without the parts the stages
    never load; raises ModelNotBuiltError when it was not built."""
    from pipeline.nlp import NOT_BUILT

    path = Path(path)
    if not (path / "config.cfg").is_file():
        raise ModelNotBuiltError(path, NOT_BUILT)
    return {file.relative_to(path).as_posix(): file.read_bytes()
            for file in sorted(path.rglob("*"))
            if file.is_file() and file.relative_to(path).parts[0] not in MODEL_PARTS_NOT_SENT}


def for_diff(extraction: Extraction) -> Extraction:
    """What a diff reads of an extraction: everything but the document's text blocks."""
    return replace(extraction, document=replace(extraction.document, blocks=()))


def write_files(folder: Path, files: tuple[tuple[str, bytes], ...]) -> None:
    """Each (name, bytes) into `folder`, under a temporary name renamed into place."""
    from pipeline.export import atomic_path

    for name, data in files:
        with atomic_path(folder / name) as tmp:
            tmp.write_bytes(data)


def _size(source: Source) -> int:
    try:
        return source.path.stat().st_size
    except OSError:
        return 0


def _unreadable(source: Source, error: OSError) -> Failure:
    """The Failure the reader gives a file it cannot open (pipeline.ingest.read_document)."""
    if isinstance(error, FileNotFoundError):
        problem = UnreadableDocumentError(source.path, "file not found")
    elif isinstance(error, IsADirectoryError):
        problem = UnreadableDocumentError(source.path, "is a folder, not a document")
    else:
        problem = UnreadableDocumentError(source.path, f"cannot be read ({error.strerror})")
    return _failure(source, problem)


def _error_of(error: BaseException) -> tuple[str, str]:
    name = type(error).__name__
    if name == "KilledWorker":
        return name, "every worker that ran this died (out of memory, or a crash in a PDF library)"
    return name, str(error) or repr(error)


def _task_failure(source: Source, error: BaseException) -> Failure:
    return Failure(str(source.path), source.document, "extract", *_error_of(error))


class CodeMismatchError(Exception):
    """A worker runs other pipeline code than the client."""


# --------------------------------------------------------------------------- the worker side


_MODELS: dict[str, Any] = {}  # in a worker process: the loaded pipeline by the hash of its files


try:
    from distributed.diagnostics.plugin import WorkerPlugin
except ImportError:  # without dask only the error in DaskWorkers.connect is reached
    WorkerPlugin = object


class PipelinePlugin(WorkerPlugin):
    """Loads the spaCy pipeline once per worker, from the files the client sent.

        client.register_plugin(PipelinePlugin(settings, model_files(path), code_fingerprint()))

    A worker whose pipeline code differs from the client's refuses the plugin (the client
    then stops with CodeMismatchError); a model that does not load is kept as the error
    each document then reports.
    """

    idempotent = False  # registered again, it replaces the old one (other settings, other model)

    def __init__(self, settings: Settings, model: dict[str, bytes], code: str):
        self.settings, self.model, self.code = settings, model, code
        self.nlp: Any = None

    def setup(self, worker) -> None:
        if code_fingerprint() != self.code:
            raise CodeMismatchError(f"worker {worker.address} runs other pipeline code than this client; "
                                    "install the same version of prestatieafspraken on every worker")
        from pipeline import matching

        matching.THREADS = 1  # one worker thread per core already keeps every core busy
        self.nlp = loaded_pipeline(self.settings, self.model)


def loaded_pipeline(settings: Settings, model: dict[str, bytes]) -> Any:
    """The spaCy pipeline of these model files, loaded once per process (kept while the
    same files come again), or the AgreementError of loading it. Also imports the later
    stages, here rather than in the first task."""
    digest = hashlib.sha256(repr(sorted((k, hashlib.sha256(v).hexdigest()) for k, v in model.items()))
                            .encode()).hexdigest()
    if digest not in _MODELS:
        from pipeline.nlp import load_pipeline

        folder = Path(tempfile.mkdtemp(prefix="agreements-model-"))
        for name, data in model.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
        try:
            nlp = load_pipeline(replace(settings, model_path=folder))
        except AgreementError as error:
            nlp = error
        _MODELS.clear()
        _MODELS[digest] = nlp
        import pipeline.diff  # noqa: F401
        import pipeline.run  # noqa: F401
    return _MODELS[digest]


def _plugin() -> PipelinePlugin:
    from distributed import get_worker

    return get_worker().plugins[PLUGIN_NAME]


def extract_task(source: Source, data: bytes) -> ExtractOutput:
    """One document on a worker: its bytes as a file of its own name in a private folder,
    extracted with the worker's pipeline, labelled with the client's path, and encoded as
    its cache entry (here, so the client only writes it)."""
    plugin = _plugin()
    if isinstance(plugin.nlp, AgreementError):
        failure = _failure(source, plugin.nlp)
        return ExtractOutput(failure, cache_entry(failure))
    with tempfile.TemporaryDirectory(prefix="agreements-") as folder:
        path = Path(folder) / source.path.name
        path.write_bytes(data)
        here = replace(source, path=path)
        from pipeline.ingest import ocr

        with ocr.prepared_pages(path, scan_pages(here, plugin.settings)):
            outcome = extract_source(here, plugin.settings, plugin.nlp)
    if isinstance(outcome, Failure):
        outcome = replace(outcome, path=str(source.path))
    else:
        outcome = relabel(outcome, source.document, source.path)
    return ExtractOutput(outcome, cache_entry(outcome))


def scan_pages(source: Source, settings: Settings) -> dict:
    """The pages of a large scan read by OCR as tasks of their own, on every worker, by
    0-based index; {} for any other file. A page whose task failed is left out (the reader
    then reads it itself and reports what it hits)."""
    from distributed import wait, worker_client

    from pipeline.ingest import ocr

    pages = ocr.pages_to_split(source.path, settings)
    if not pages:
        return {}
    run = uuid.uuid4().hex[:8]
    with worker_client() as client:  # this task leaves its thread to the page tasks meanwhile
        futures = [client.submit(ocr_page_task, ocr.page_pdf(source.path, index), index + 1, settings,
                                 key=f"ocr-page-{source.document}-{index + 1}-{run}", pure=False)
                   for index in pages]
        wait(futures)
        read = {index: future.result() for index, future in zip(pages, futures) if future.status == "finished"}
        for future in futures:
            future.release()
    return read


def ocr_page_task(data: bytes, page_number: int, settings: Settings):
    """One page of a scan (a one-page PDF) read by OCR on a worker."""
    from pipeline.ingest.ocr import ocr_page_pdf

    return ocr_page_pdf(data, page_number, settings)


def diff_task(old: Extraction, new: Extraction, *corrected) -> DiffOutput | DiffError:
    """One pair diffed on a worker: the match rows, and the matches tables and report.html
    as the client is to write them (pipeline.diff.write_diff, into a private folder).
    `corrected`: the pair's pins and forbids and their issues, as the pool passes them."""
    settings = _plugin().settings
    try:
        from pipeline.diff import diff, write_diff
        from pipeline.matching import match_rows

        result = diff(old, new, settings, *corrected)
        with tempfile.TemporaryDirectory(prefix="agreements-diff-") as folder:
            files = tuple((path.name, path.read_bytes()) for path in write_diff(result, Path(folder)))
        rows = tuple(dict(row) for row in match_rows(result.matches))
    except Exception as error:  # one odd pair must not stop the corpus
        return DiffError(type(error).__name__, str(error) or repr(error))
    return DiffOutput(rows, files, encode_entry(rows))
