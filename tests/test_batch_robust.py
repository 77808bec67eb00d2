"""The batch when things go wrong around it: a document that takes too long, a run killed
with SIGKILL, an output folder that cannot be written (a file in its place, a read-only
or full disk, another batch in it).

The read-only and full disks are small tmpfs mounts, which need root (as the tests run
here); elsewhere those two tests skip, saying so.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import pipeline.run
from pipeline.batch import run_batch
from pipeline.cli import main
from pipeline.errors import AgreementError
from tests.test_batch import next_year, renamed, table
from tests.test_hostile import assert_outputs_parse
from tests.render.source import SEED

ROOT = Path(__file__).resolve().parent.parent
TABLES = ("documents", "commitments", "parties", "quantities", "pairs", "matches", "issues", "errors")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Three agreements, two of one series (a pair to diff), and a file that is no PDF."""
    folder = tmp_path_factory.mktemp("robust") / "corpus"
    seed = SEED.read_text(encoding="utf-8")
    (folder / "tynaarlo").mkdir(parents=True)
    (folder / "aa-en-hunze-2021.txt").write_text(seed, encoding="utf-8")
    (folder / "tynaarlo" / "tweede.txt").write_text(renamed(seed, "Tynaarlo"), encoding="utf-8")
    (folder / "tynaarlo" / "eerste.txt").write_text(renamed(next_year(seed), "Tynaarlo"), encoding="utf-8")
    (folder / "kapot.pdf").write_bytes(b"%PDF-1.4\nnot really a pdf\n")
    return folder


def _slow_for(document_id: str, seconds: float, block_signals: bool = False):
    """pipeline.run.extract_read, taking `seconds` longer for one document; with
    `block_signals`, deaf to the time limit's signal, as a C library that never returns is."""
    real = pipeline.run.extract_read

    def slow(document, nlp):
        if document.id == document_id:
            if block_signals:
                signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
            time.sleep(seconds)
        return real(document, nlp)
    return slow


# --------------------------------------------------------------------------- the time limit


@pytest.mark.parametrize("workers", [1, 2])
def test_a_document_past_the_time_limit_is_a_row_of_errors(corpus, settings, tmp_path, monkeypatch, workers):
    monkeypatch.setattr(pipeline.run, "extract_read", _slow_for("eerste", 300))
    started = time.perf_counter()
    result = run_batch(corpus, tmp_path / "out", settings, workers=workers, progress=False, time_limit=5)
    assert time.perf_counter() - started < 120
    failures = {f.document: f for f in result.failures}
    assert set(failures) == {"eerste", "kapot"}
    assert (failures["eerste"].error, failures["eerste"].reason) == (
        "TimeLimitError", "took longer than 5 s, the time limit per document (--time-limit); stopped")
    assert len(result.members) == 2
    rows = {row["document"]: row for row in table(tmp_path / "out", "errors")}
    assert rows["eerste"]["error"] == "TimeLimitError"
    # Not remembered: the next run, without the hang, reads it.
    monkeypatch.undo()
    again = run_batch(corpus, tmp_path / "out", settings, workers=workers, progress=False, time_limit=5)
    assert again.read == 1 and [f.document for f in again.failures] == ["kapot"]


def test_a_worker_stuck_past_the_limit_is_ended_and_its_document_remembered(corpus, settings, tmp_path,
                                                                          monkeypatch):
    monkeypatch.setattr(pipeline.run, "extract_read", _slow_for("eerste", 300, block_signals=True))
    monkeypatch.setattr("pipeline.batch.HARD_LIMIT_GRACE", 2.0)
    started = time.perf_counter()
    result = run_batch(corpus, tmp_path / "out", settings, workers=2, progress=False, time_limit=4)
    assert time.perf_counter() - started < 120
    failures = {f.document: f for f in result.failures}
    assert failures["eerste"].error == "BrokenProcessPool"  # what the pool saw: a worker that died
    monkeypatch.undo()
    again = run_batch(corpus, tmp_path / "out", settings, workers=2, progress=False, time_limit=4)
    failures = {f.document: f for f in again.failures}
    assert set(failures) == {"eerste", "kapot"}
    assert failures["eerste"].error == "HungDocumentError"
    assert failures["eerste"].reason == ("took longer than 4 s, the time limit per document (--time-limit); stopped; "
                                         "still running 2 s later, so the worker process was ended")
    assert len(again.members) == 2


def test_the_time_limit_option(corpus, model_path, tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline.run, "extract_read", _slow_for("tweede", 300))
    result = CliRunner().invoke(main, ["batch", str(corpus), "--out", str(tmp_path / "out"), "--workers", "1",
                                       "--time-limit", "5", "--model", str(model_path)])
    assert result.exit_code == 1
    assert (f"Error: {corpus / 'tynaarlo' / 'tweede.txt'}: took longer than 5 s, the time limit per document "
            "(--time-limit); stopped") in result.output
    assert "--time-limit" in CliRunner().invoke(main, ["batch", "--help"]).output


# --------------------------------------------------------------------------- killed


def _start_batch(inputs: Path, out: Path, model_path: Path) -> subprocess.Popen:
    """`agreements batch` in a session of its own, so the whole group (workers too) can be killed."""
    return subprocess.Popen([sys.executable, "-m", "pipeline", "batch", str(inputs), "--out", str(out),
                             "--workers", "2", "--model", str(model_path)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def _kill_when(process: subprocess.Popen, ready, timeout: float = 300) -> None:
    """SIGKILL the batch and its workers as soon as `ready()` holds."""
    deadline = time.monotonic() + timeout
    while not ready():
        if process.poll() is not None:
            pytest.fail("the batch ended before it could be killed midway")
        if time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            pytest.fail("the moment to kill never came")
        time.sleep(0.002)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _entries(out: Path) -> list[Path]:
    return [p for p in (out / ".cache").glob("*.json")] if (out / ".cache").is_dir() else []


def _publishing(out: Path) -> bool:
    """A table is being written: its temporary file is there."""
    return any(out.glob(".*.tmp")) if out.is_dir() else False


def test_a_batch_killed_midway_loses_nothing(corpus, model_path, settings, tmp_path):
    inputs, out = tmp_path / "in", tmp_path / "out"
    shutil.copytree(corpus, inputs)

    # killed while extracting: nothing is published yet, the documents done are kept
    batch = _start_batch(inputs, out, model_path)
    _kill_when(batch, lambda: len(_entries(out)) >= 2)
    kept = len(_entries(out))
    assert kept >= 2 and not (out / "commitments.csv").exists()

    done = subprocess.run([sys.executable, "-m", "pipeline", "batch", str(inputs), "--out", str(out),
                           "--workers", "2", "--model", str(model_path)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 1, done.stderr[-2000:]  # kapot.pdf
    assert f"{4 - kept} files read, {kept} from cache" in done.stdout  # the work before the kill was kept
    first = {name: (out / f"{name}.csv").read_bytes() for name in TABLES}

    # a new year added, and the run killed while it writes the tables: each table is the last
    # run's or the new one, whole
    (inputs / "tynaarlo" / "derde.txt").write_text(renamed(next_year(next_year(SEED.read_text())), "Tynaarlo"))
    reference = run_batch(inputs, tmp_path / "uninterrupted", settings, workers=2, progress=False)
    new = {name: (tmp_path / "uninterrupted" / f"{name}.csv").read_bytes() for name in TABLES}
    assert new != first
    batch = _start_batch(inputs, out, model_path)
    _kill_when(batch, lambda: _publishing(out))
    assert_outputs_parse(out)
    for name in TABLES:
        assert (out / f"{name}.csv").read_bytes() in (first[name], new[name]), name
    assert list(out.glob(".*.tmp"))  # what the killed run left ...

    rerun = run_batch(inputs, out, settings, workers=2, progress=False)
    assert not list(out.rglob(".*.tmp"))  # ... the next run clears away
    assert_outputs_parse(out)
    assert len(rerun.members) == len(reference.members) == 4
    for name in TABLES:
        assert (out / f"{name}.csv").read_bytes() == new[name], name


# --------------------------------------------------------------------------- output folders


def test_a_file_where_the_output_folder_should_be(corpus, model_path, tmp_path):
    (tmp_path / "out").write_text("not a folder")
    result = CliRunner().invoke(main, ["batch", str(corpus), "--out", str(tmp_path / "out"),
                                       "--model", str(model_path)])
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"Error: {tmp_path / 'out'}: cannot write the outputs here (a file, not a folder, has this name)"]
    result = CliRunner().invoke(main, ["extract", str(SEED), "--out", str(tmp_path / "out"),
                                       "--model", str(model_path)])
    assert result.exit_code == 2
    assert f"Error: {tmp_path / 'out'}: cannot write the outputs here (a file, not a folder, has this name)" in result.output


def test_another_batch_in_the_same_folder(corpus, settings, tmp_path):
    (tmp_path / "out" / ".cache").mkdir(parents=True)
    holder = subprocess.Popen([sys.executable, "-c",
                               "import fcntl, sys, time\n"
                               f"handle = open({str(tmp_path / 'out' / '.cache' / 'lock')!r}, 'a+b')\n"
                               "fcntl.lockf(handle, fcntl.LOCK_EX)\nprint('locked', flush=True)\ntime.sleep(60)\n"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "locked\n"
        with pytest.raises(AgreementError, match=r"out: another batch is writing to this folder; wait for it to end, "
                                                 r"or write elsewhere$"):
            run_batch(corpus, tmp_path / "out", settings, workers=1, progress=False)
    finally:
        holder.kill()
        holder.wait()
    result = run_batch(corpus, tmp_path / "out", settings, workers=1, progress=False)  # the lock went with it
    assert len(result.members) == 3


@pytest.fixture
def mount_tmpfs(tmp_path):
    """mount_tmpfs(folder, options): a tmpfs at `folder`, unmounted afterwards; skips where
    this process may not mount (not root, no CAP_SYS_ADMIN)."""
    mounted = []

    def mount(folder: Path, options: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"a read-only or full disk is made with a tmpfs mount, which this process may not do "
                        f"({done.stderr.strip() or done.returncode})")
        mounted.append(folder)
        return folder

    yield mount
    for folder in reversed(mounted):
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_read_only_output_folder(corpus, settings, tmp_path, mount_tmpfs):
    disk = mount_tmpfs(tmp_path / "ro", "ro,size=1m")
    with pytest.raises(AgreementError, match=r"ro/out: cannot write the outputs here \(Read-only file system\)$"):
        run_batch(corpus, disk / "out", settings, workers=1, progress=False)


def test_a_full_disk_leaves_the_last_outputs_whole(corpus, settings, tmp_path, mount_tmpfs):
    disk = mount_tmpfs(tmp_path / "full", "size=24m")
    inputs = tmp_path / "in"
    shutil.copytree(corpus, inputs)
    run_batch(inputs, disk / "out", settings, workers=1, progress=False)
    before = {name: (disk / "out" / f"{name}.csv").read_bytes() for name in TABLES}
    free = os.statvfs(disk)
    with (disk / "filler").open("wb") as filler:
        filler.write(b"\0" * (free.f_bavail * free.f_frsize - 64 * 1024))
    (inputs / "tynaarlo" / "derde.txt").write_text(next_year(renamed(next_year(SEED.read_text()), "Tynaarlo")))
    with pytest.raises(AgreementError, match=r"full/out: cannot write the outputs \(No space left on device\); "
                                             r"the outputs of an earlier run are left as they were$"):
        run_batch(inputs, disk / "out", settings, workers=1, progress=False)
    assert {name: (disk / "out" / f"{name}.csv").read_bytes() for name in TABLES} == before
    assert_outputs_parse(disk / "out")
    assert not list((disk / "out").glob(".*.tmp"))
