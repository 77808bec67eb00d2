"""`agreements batch --engine dask`: the batch as tasks on a Dask cluster gives what the
local process pool gives, on the corpus of test_batch.py:

- every table, every pair's matches and report.html the same, the bad file the same row
  of errors.csv, the cache the client wrote usable by the pool;
- a worker that dies in the middle of a document: its task runs again on the other one;
- a large scan: its pages read by OCR as tasks of their own, on both workers.

One LocalCluster (2 worker processes, 1 thread each) serves the whole session; each run
connects to it through `scheduler=`, as to a cluster started with `dask scheduler`.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.batch import run_batch
from pipeline.errors import ClusterError
from tests.test_batch import build_corpus, table

distributed = pytest.importorskip("distributed", reason="the dask extra is not installed (make setup installs it)")

TABLES = ("documents", "commitments", "parties", "quantities", "pairs", "matches", "issues", "errors")


@pytest.fixture(scope="session")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  silence_logs=40) as local:
        yield local.scheduler_address


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return build_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def pool_run(corpus, settings, tmp_path_factory):
    out = tmp_path_factory.mktemp("pool")
    return run_batch(corpus, out, settings, workers=2, progress=False), out


@pytest.fixture(scope="module")
def dask_run(corpus, settings, cluster, tmp_path_factory):
    out = tmp_path_factory.mktemp("dask")
    return run_batch(corpus, out, settings, progress=False, engine="dask", scheduler=cluster), out


def outputs(out: Path) -> dict[str, bytes]:
    """Every file a batch wrote but the cache, by path under the output folder."""
    return {path.relative_to(out).as_posix(): path.read_bytes() for path in sorted(out.rglob("*"))
            if path.is_file() and ".cache" not in path.relative_to(out).parts}


def test_dask_gives_the_tables_and_reports_of_the_pool(pool_run, dask_run):
    (_, pool_out), (dask, dask_out) = pool_run, dask_run
    assert (dask.read, dask.cached, len(dask.members), len(dask.pairs)) == (6, 0, 5, 3)
    for name in TABLES:
        assert table(dask_out, name) == table(pool_out, name), name
    pair_files = {name: data for name, data in outputs(pool_out).items() if name.startswith("diffs/")}
    # matches.jsonl, .csv, .parquet, report.html, review.csv and issues.csv of each pair
    assert len(pair_files) == 3 * 6
    assert {name: data for name, data in outputs(dask_out).items() if name.startswith("diffs/")} == pair_files
    assert set(outputs(dask_out)) == set(outputs(pool_out))


def test_a_local_cluster_of_the_run_gives_the_same(corpus, pool_run, settings, tmp_path):
    """Without --scheduler the run starts a LocalCluster of its own (on Linux its workers
    are forked once this process has loaded the pipeline) and stops it at the end."""
    import threading

    before = set(threading.enumerate())
    result = run_batch(corpus, tmp_path / "out", settings, workers=2, progress=False, engine="dask")
    assert (result.read, len(result.pairs), [f.document for f in result.failures]) == (6, 3, ["kapot"])
    for name in TABLES:
        assert table(tmp_path / "out", name) == table(pool_run[1], name), name
    assert not [t for t in threading.enumerate() if t not in before and t.name == "dask-shutdown"]


def test_a_bad_file_is_an_error_row_and_the_rest_completes(dask_run):
    result, out = dask_run
    (failure,) = result.failures
    assert failure.path.endswith("kapot.pdf") and failure.error == "UnreadableDocumentError"
    rows = table(out, "errors")
    assert [(r["document"], r["stage"]) for r in rows] == [("kapot", "extract")]
    assert "not a readable PDF" in rows[0]["reason"]


def test_the_client_writes_a_cache_the_pool_reads(corpus, dask_run, settings, tmp_path):
    """Workers write nothing: the cache entries are the client's, and a pool run on the
    same output folder reads no file again."""
    _, out = dask_run
    shutil.copytree(out, tmp_path / "out")
    shutil.rmtree(tmp_path / "out" / "diffs")  # the reports are gone: diffs again, reads nothing
    again = run_batch(corpus, tmp_path / "out", settings, workers=2, progress=False)
    assert (again.read, again.cached) == (0, 6)
    assert table(tmp_path / "out", "matches") == table(out, "matches")


class KillFirstExtraction(distributed.WorkerPlugin):
    """Ends the worker process that starts the first document task (once: a marker file)."""

    def __init__(self, marker: str):
        self.marker = marker

    def transition(self, key, start, finish, **kwargs):
        if finish == "executing" and str(key).startswith("extract-") and not os.path.exists(self.marker):
            Path(self.marker).write_text(str(key))
            os._exit(1)


def test_a_task_whose_worker_dies_runs_again_on_another(corpus, pool_run, settings, cluster, tmp_path):
    import cloudpickle

    import tests.test_distributed as this

    marker = tmp_path / "killed"
    cloudpickle.register_pickle_by_value(this)  # the workers cannot import the tests
    with distributed.Client(cluster) as client:
        client.register_plugin(KillFirstExtraction(str(marker)), name="kill-first-extraction")
        try:
            result = run_batch(corpus, tmp_path / "out", settings, progress=False, engine="dask", scheduler=cluster)
        finally:
            client.unregister_worker_plugin("kill-first-extraction")
            cloudpickle.unregister_pickle_by_value(this)
        client.wait_for_workers(2, timeout=60)  # the nanny restarted the one that died
    assert marker.read_text().startswith("extract-")
    assert [f.document for f in result.failures] == ["kapot"]
    for name in TABLES:
        assert table(tmp_path / "out", name) == table(pool_run[1], name), name


def test_an_unreachable_scheduler_is_one_clear_error(corpus, settings, tmp_path, monkeypatch):
    monkeypatch.setattr("pipeline.distributed.CONNECT_TIMEOUT", "1s")
    with pytest.raises(ClusterError, match=r"^tcp://127\.0\.0\.1:9: no Dask scheduler answers there \(start one with "
                                           r"`dask scheduler`"):
        run_batch(corpus, tmp_path / "out", settings, progress=False, engine="dask", scheduler="tcp://127.0.0.1:9")


def test_a_scheduler_needs_the_dask_engine(corpus, settings, tmp_path):
    with pytest.raises(ValueError, match="engine='dask'"):
        run_batch(corpus, tmp_path / "out", settings, scheduler="tcp://127.0.0.1:8786")
    with pytest.raises(ValueError, match="engine must be one of"):
        run_batch(corpus, tmp_path / "out", settings, engine="spark")



def test_corrections_reach_the_workers_as_they_reach_the_pool(corpus, pool_run, settings, cluster, tmp_path):
    """corrections.csv in the inputs folder: a pin of a dropped and a new item, a forbid of a
    carried pair and a stale owners correction give, through the cluster, the tables the
    pool gives with it, and both apply them."""
    from pipeline.corrections import text_hash

    matches = table(pool_run[1], "matches")
    items = {row["commitment_id"]: row for row in table(pool_run[1], "commitments")}
    pair = next(row["pair_id"] for row in matches if row["status"] == "dropped")
    rows = [row for row in matches if row["pair_id"] == pair]
    dropped = next(row for row in rows if row["status"] == "dropped")
    added = next(row for row in rows if row["status"] == "new")
    carried = next(row for row in rows if row["status"] in ("unchanged", "modified"))

    def side(row: dict, which: str) -> str:
        item = items[row[f"{which}_commitment_id"]]
        return f"{item['document']},{item['key']},{text_hash(item['text'])}"

    inputs = tmp_path / "inputs"
    shutil.copytree(corpus, inputs)
    (inputs / "corrections.csv").write_text("\n".join([
        "action,document,key,text_hash,value,new_document,new_key,new_text_hash,note",
        f"pin,{side(dropped, 'old')},,{side(added, 'new')},",
        f"forbid,{side(carried, 'old')},,{side(carried, 'new')},",
        f"owners,{side(dropped, 'old').rsplit(',', 1)[0]},{text_hash('another text')},de gemeente,,,,"]) + "\n",
        encoding="utf-8")
    pool_out, dask_out = tmp_path / "pool", tmp_path / "dask"
    run_batch(inputs, pool_out, settings, workers=2, progress=False)
    run_batch(inputs, dask_out, settings, progress=False, engine="dask", scheduler=cluster)
    for name in TABLES:
        assert table(dask_out, name) == table(pool_out, name), name
    corrected = {row["reason"] for row in table(dask_out, "matches") if row["pair_id"] == pair}
    assert "correction: pinned pair" in corrected
    assert any(reason.startswith("correction: not paired with ") for reason in corrected)
    assert [row["kind"] for row in table(dask_out, "issues") if row["kind"].startswith("stale")] == ["stale-correction"]

@pytest.mark.ocr
def test_the_pages_of_a_large_scan_are_read_on_every_worker(settings, nlp, cluster, tmp_path):
    """A five-page scan: each page is a task of its own, both workers read some, and the
    rows are those of reading the scan in one process."""
    from pipeline.ingest import ocr
    from pipeline.run import extract_document
    from tests.render.scan import render_five_page_scan

    if ocr.ocr_problem(settings.ocr_language):
        pytest.skip(ocr.ocr_problem(settings.ocr_language))
    scan = render_five_page_scan(tmp_path, dpi=200)
    scan_settings = replace(settings, ocr_dpi=200)
    with distributed.Client(cluster) as client, distributed.get_task_stream(client) as stream:
        result = run_batch(tmp_path / "scans", tmp_path / "out", scan_settings, progress=False,
                           engine="dask", scheduler=cluster)
    pages = [task for task in stream.data if str(task["key"]).startswith("ocr-page-")]
    assert len(pages) == 5
    assert len({task["worker"] for task in pages}) == 2
    (member,) = result.members
    expected = extract_document(scan, scan_settings, nlp, "deel-2021")
    assert len(expected.commitments) == 13
    assert member.extraction.commitments == expected.commitments
    assert [i.where for i in member.extraction.issues if i.kind == "ocr"] == [f"page {n}" for n in range(1, 6)]


def test_the_command_line_takes_the_engine_and_the_scheduler(corpus, model_path, cluster, tmp_path):
    from click.testing import CliRunner

    from pipeline.cli import main

    refused = CliRunner().invoke(main, ["batch", str(corpus), "--out", str(tmp_path / "a"),
                                        "--scheduler", "tcp://127.0.0.1:8786"])
    assert refused.exit_code == 2 and "--scheduler needs --engine dask" in refused.output
    done = CliRunner().invoke(main, ["batch", str(corpus), "--out", str(tmp_path / "b"), "--engine", "dask",
                                     "--scheduler", cluster, "--model", str(model_path)])
    assert done.exit_code == 1  # kapot.pdf
    assert "5 documents in 2 series (6 files read, 0 from cache), 3 comparisons, 1 error" in done.output


def test_an_unbuilt_pipeline_stops_the_batch_before_a_cluster_starts(corpus, tmp_path):
    from pipeline.errors import ModelNotBuiltError
    from pipeline.settings import Settings

    with pytest.raises(ModelNotBuiltError, match=r"nowhere: .*agreements build-model"):
        run_batch(corpus, tmp_path / "out", Settings(model_path=tmp_path / "nowhere"), progress=False,
                  engine="dask", scheduler="tcp://127.0.0.1:9")
