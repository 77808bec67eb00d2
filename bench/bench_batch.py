"""Batch speed: documents per minute with 1 and 2 workers, and a rerun with nothing changed.

    .venv/bin/python bench/bench_batch.py                 # 100 documents, 5 runs each, two corpora
    .venv/bin/python bench/bench_batch.py --documents 30 --repeats 1 --mix pdf

Each corpus is rendered from the seed once, in a temporary folder: 20 municipalities x 5 years
(each year the agreement of the year before with years shifted, a quantity changed, an item
dropped and one added). Corpus "pdf" is mostly PDF, as published agreements are; "mixed" has
more DOCX and text, which read faster, so the fixed costs weigh more.

Every timed run is `agreements batch` in a fresh process (as a user runs it: imports, worker
start-up, extraction, diffs, every output) into a fresh output folder; runs with 1 and 2
workers alternate. The rerun repeats the last command on its finished folder. Medians of
`--repeats` runs; the ratios come from the medians of this one invocation. The machine's own
parallel capacity (two busy processes vs one) is measured before and after, because other
work on a shared machine lowers what 2 workers can gain.

Goals: 2 workers >= 1.8x the documents per minute of 1 worker; a rerun under 5% of the first
run's time. Results go into bench/RESULTS.md (section "Batch").
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import machine, write_section  # noqa: E402

MUNICIPALITIES = [
    "Aa en Hunze", "Assen", "Borger-Odoorn", "Coevorden", "De Wolden", "Emmen", "Hoogeveen", "Meppel",
    "Midden-Drenthe", "Noordenveld", "Tynaarlo", "Westerveld", "Ooststellingwerf", "Opsterland",
    "Weststellingwerf", "Steenwijkerland", "Hardenberg", "Ommen", "Staphorst", "Westerwolde",
    "Veendam", "Pekela", "Oldambt", "Stadskanaal", "Midden-Groningen",
]
YEARS_PER_SERIES = 5
# The format of document i is MIX[i % 5]. Published agreements are mostly PDF ("pdf"); "mixed"
# has more of the cheap formats, so fixed costs (worker start-up, diffs, publishing) weigh more.
FORMAT_MIXES = {
    "pdf": ("pdf", "docx", "pdf", "text", "pdf"),
    "mixed": ("pdf", "docx", "text", "docx", "text"),
}


def build_corpus(folder: Path, documents: int, mix: str = "pdf") -> dict[str, int]:
    """Render `documents` agreements into `folder`; returns the count per format."""
    from tests.render.docx import render_docx
    from tests.render.pdf import render_pdf
    from tests.render.source import SEED, parse
    from tests.test_batch import next_year, renamed

    seed = SEED.read_text(encoding="utf-8")
    years = [seed]
    for _ in range(YEARS_PER_SERIES - 1):
        years.append(next_year(years[-1]))
    formats = {"pdf": 0, "docx": 0, "text": 0}
    for index in range(documents):
        municipality = MUNICIPALITIES[index // YEARS_PER_SERIES % len(MUNICIPALITIES)]
        year = index % YEARS_PER_SERIES
        text = renamed(years[year], municipality) if municipality != "Aa en Hunze" else years[year]
        stem = folder / municipality.lower().replace(" ", "-") / f"agreement-{2021 + year}-{index}"
        stem.parent.mkdir(parents=True, exist_ok=True)
        kind = FORMAT_MIXES[mix][index % 5]
        if kind == "pdf":
            render_pdf(parse(text), stem.with_suffix(".pdf"), header=f"Prestatieafspraken {municipality}")
        elif kind == "docx":
            render_docx(parse(text), stem.with_suffix(".docx"))
        else:
            stem.with_suffix(".txt").write_text(text, encoding="utf-8")
        formats[kind] += 1
    return formats


def timed(call) -> tuple[float, object]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def cpu_seconds() -> float:
    """User + system time of this process and of its finished children (the worker processes)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _burn(loops: int) -> float:
    started = time.perf_counter()
    total = 0
    for i in range(loops):
        total += i * i
    return time.perf_counter() - started


def parallel_capacity(loops: int = 10_000_000) -> float:
    """How much faster two CPU-bound processes finish two loads than one process finishes
    them in turn (2.0 on two idle cores; less when other work shares the machine)."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    with ProcessPoolExecutor(2, mp_context=get_context("spawn")) as pool:
        list(pool.map(_burn, [1000, 1000]))  # both processes started and warm
        alone = pool.submit(_burn, loops).result() + pool.submit(_burn, loops).result()
        started = time.perf_counter()
        list(pool.map(_burn, [loops, loops]))
        return alone / (time.perf_counter() - started)


_STAGES = re.compile(r"in [0-9.]+ s \((?P<stages>[^)]*)\)")
_COUNTS = re.compile(r"\((?P<read>\d+) files read, (?P<cached>\d+) from cache\)")


def run_cli(inputs: Path, out: Path, model: Path, workers: int, *options: str) -> dict:
    """`agreements batch` in a fresh process, as a user runs it: wall and CPU time (the worker
    processes included), seconds per stage from its log line, files read and cached."""
    command = [sys.executable, "-m", "pipeline", "batch", str(inputs), "--out", str(out),
               "--workers", str(workers), "--model", str(model), *options]
    before = cpu_seconds()
    seconds, done = timed(lambda: subprocess.run(command, capture_output=True, text=True, cwd=ROOT))
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    counts = _COUNTS.search(done.stdout)
    stages = _STAGES.search(done.stderr)
    run = {"wall": seconds, "cpu": cpu_seconds() - before,
           "read": int(counts["read"]), "cached": int(counts["cached"])}
    for part in (stages["stages"].split(", ") if stages else []):
        name, value, _ = part.split(" ")
        run[name] = float(value)
    return run


def bench_corpus(inputs: Path, out_root: Path, model: Path, documents: int, repeats: int,
                 workers: list[int]) -> dict:
    """Median wall time, stage times and CPU time per worker count, and of the reruns."""
    runs: dict[int, list[dict]] = {w: [] for w in workers}
    for repeat in range(repeats):
        for count in workers:  # interleaved, so drift in the machine hits every count alike
            run = run_cli(inputs, out_root / f"out-{count}-{repeat}", model, count)
            assert (run["read"], run["cached"]) == (documents, 0), run
            runs[count].append(run)
            print(f"  run {repeat + 1}, {count} worker(s): {run['wall']:.1f} s wall, {run['cpu']:.1f} s CPU, "
                  f"extract {run['extract']:.1f} s, diff {run['diff']:.1f} s, publish {run['publish']:.1f} s; "
                  f"load {os.getloadavg()[0]:.1f}", flush=True)
    last = out_root / f"out-{max(workers)}-{repeats - 1}"
    reruns = [run_cli(inputs, last, model, max(workers)) for _ in range(repeats)]
    assert all((r["read"], r["cached"]) == (0, documents) for r in reruns), reruns
    keys = ("wall", "cpu", "extract", "diff", "publish")
    medians = {w: {key: statistics.median(run[key] for run in runs[w]) for key in keys} for w in workers}
    pairs = len(list((last / "diffs").glob("*/*/report.html")))
    # Each repeat runs 1 and 2 workers back to back: their ratio is less exposed to the
    # machine's drift than the ratio of the medians.
    paired = statistics.median(a["wall"] / b["wall"] for a, b in zip(runs[min(workers)], runs[max(workers)]))
    return {"medians": medians, "rerun": statistics.median(r["wall"] for r in reruns), "pairs": pairs,
            "paired": paired}


def report(mix: str, formats: dict[str, int], documents: int, measured: dict, workers: list[int]) -> list[str]:
    medians, base, top = measured["medians"], min(workers), max(workers)
    lines = ["", f"Corpus `{mix}`: {documents} documents ({formats['pdf']} PDF, {formats['docx']} DOCX, "
             f"{formats['text']} text) in {documents // YEARS_PER_SERIES} series, {measured['pairs']} comparisons.",
             "", "| run | wall | documents per minute | extract | diff | publish | CPU, all processes |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for w in workers:
        m = medians[w]
        lines.append(f"| {w} worker{'s' if w > 1 else ''} | {m['wall']:.1f} s | {documents / m['wall'] * 60:.0f} | "
                     f"{m['extract']:.1f} s | {m['diff']:.1f} s | {m['publish']:.1f} s | {m['cpu']:.1f} s |")
    lines += [f"| rerun, nothing changed | {measured['rerun']:.2f} s | | | | | |", "",
              f"- whole batch, {top} vs {base} worker: **{medians[base]['wall'] / medians[top]['wall']:.2f}x** "
              f"documents per minute (goal >= 1.8x); median of the run-by-run ratios: **{measured['paired']:.2f}x**",
              f"- extraction stage alone (worker start-up included): "
              f"**{medians[base]['extract'] / medians[top]['extract']:.2f}x**",
              f"- rerun / first run ({top} workers): **{measured['rerun'] / medians[top]['wall'] * 100:.1f}%** "
              "(goal < 5%)"]
    return lines


NOTES = """
- Stage seconds come from each run's own log line. `extract` includes importing spaCy and
  loading the pipeline, once, in the main process (~1.3 s); with 2 workers a forked reader
  meanwhile reads the largest documents. The workers are forked after the load and start
  at once. Each later stage forks fresh workers that inherit its data (the pairs for the
  diffs, the tables for publishing), so tasks and answers stay small; workers write their
  own cache entries. The heap is frozen (`gc.freeze`) around each fork and at exit.
- While the workers diff, the main process makes the tables that need no diff
  (documents, commitments, parties, quantities). Publishing then runs the workbook (the
  longest job, ~0.8 s) and the SQLite database (at a lower priority) in two workers while
  the main process writes the CSV and Parquet tables and stores the run record.
- What does not run in parallel: interpreter start and discovery, importing spaCy and
  loading the pipeline (one core reads meanwhile), the match rows and their frames before
  publishing (~0.2 s), and the end of the workbook. With 1 worker the matching's
  `rapidfuzz.cdist` still uses both cores; in the 2-worker diff stage each worker uses one.
- "Two CPU-bound processes" is what this machine gave two processes at the time (a
  shared virtual machine); the whole-batch ratio cannot exceed it.
- The rerun finds every file's content hash, the settings and the code unchanged since the
  last run's record in `.cache/` and all outputs in place: it writes nothing. One changed
  file is read alone; its series is diffed and everything published again."""


ENGINE_RUNS = {  # name -> options of `agreements batch`; "{scheduler}" is the running cluster
    "pool": (),
    "dask": ("--engine", "dask"),
    "dask-running": ("--engine", "dask", "--scheduler", "{scheduler}"),
}
ENGINE_NAMES = {
    "pool": "process pool (default)",
    "dask": "Dask, LocalCluster started by the run",
    "dask-running": "Dask, a running cluster (`--scheduler`)",
}


def bench_engines(inputs: Path, out_root: Path, model: Path, documents: int, repeats: int, workers: int) -> dict:
    """Median wall and stage times of the pool and of the Dask engine (a LocalCluster the
    run starts, and a running one reached by --scheduler), alternating in each repeat."""
    import dask
    from distributed import LocalCluster

    from pipeline.distributed import LOCAL_CLUSTER_CONFIG

    runs: dict[str, list[dict]] = {name: [] for name in ENGINE_RUNS}
    with dask.config.set(LOCAL_CLUSTER_CONFIG), LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
            silence_logs=40) as cluster:
        options = {name: [o.format(scheduler=cluster.scheduler_address) for o in opts]
                   for name, opts in ENGINE_RUNS.items()}
        # Its workers load the pipeline for the first run they serve; a running cluster serves many.
        run_cli(inputs, out_root / "warm-up", model, workers, *options["dask-running"])
        for repeat in range(repeats):
            for name in ENGINE_RUNS:
                run = run_cli(inputs, out_root / f"out-{name}-{repeat}", model, workers, *options[name])
                assert (run["read"], run["cached"]) == (documents, 0), run
                runs[name].append(run)
                print(f"  run {repeat + 1}, {name}: {run['wall']:.1f} s wall, extract {run['extract']:.1f} s, "
                      f"diff {run['diff']:.1f} s, publish {run['publish']:.1f} s; load {os.getloadavg()[0]:.1f}",
                      flush=True)
    keys = ("wall", "cpu", "extract", "diff", "publish")
    medians = {name: {key: statistics.median(run[key] for run in runs[name]) for key in keys} for name in runs}
    paired = {name: statistics.median(run["wall"] / base["wall"] for run, base in zip(runs[name], runs["pool"]))
              for name in runs}
    return {"medians": medians, "paired": paired, "runs": runs}


def report_engines(formats: dict[str, int], documents: int, workers: int, measured: dict) -> list[str]:
    medians, paired = measured["medians"], measured["paired"]
    lines = [f"Corpus `pdf`: {documents} documents ({formats['pdf']} PDF, {formats['docx']} DOCX, "
             f"{formats['text']} text), {workers} workers (processes of 1 thread) for each engine.", "",
             "| engine | wall | documents per minute | extract | diff | publish | x pool (medians) | "
             "x pool (run by run) |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name in ENGINE_RUNS:
        m = medians[name]
        lines.append(f"| {ENGINE_NAMES[name]} | {m['wall']:.1f} s | {documents / m['wall'] * 60:.0f} | "
                     f"{m['extract']:.1f} s | {m['diff']:.1f} s | {m['publish']:.1f} s | "
                     f"{m['wall'] / medians['pool']['wall']:.2f}x | {paired[name]:.2f}x |")
    lines += ["", "All runs (wall s): " + "; ".join(
        f"{name}: " + ", ".join(f"{run['wall']:.1f}" for run in measured["runs"][name]) for name in ENGINE_RUNS) + "."]
    return lines


ENGINE_NOTES = """
- Goal: the Dask path within 1.2x of the pool's wall time (the "x pool" columns; over 1.0
  is slower).
- Each run is `agreements batch` in a fresh process into a fresh folder, so every engine
  pays its own start: the pool imports spaCy and loads the pipeline once and forks its
  workers with it (while a forked reader reads the largest documents); the Dask client
  loads the pipeline, then starts a LocalCluster (scheduler, nannies) whose workers are
  forked with it; the running cluster's workers keep theirs between runs (one untimed
  run warmed them), and its scheduler runs in the benchmark's process.
- The machine is shared: when the load average stays above 2 (see above) the cores were
  contended, and the run-by-run ratio (each engine against the pool run just before it)
  is the steadier figure.
- With Dask the client sends every file's bytes and writes every output and cache entry
  (matches tables and report.html of every pair, from the bytes the workers send back;
  the workers encode the cache entries). Publishing starts once the cluster is shut down,
  with the workbook and the database in two forked processes, as the pool does. The
  LocalCluster's workers run without Dask's statistical profiler; the running cluster of
  this benchmark is started with the same settings."""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--mix", nargs="+", choices=sorted(FORMAT_MIXES), default=["pdf", "mixed"])
    parser.add_argument("--write", action="store_true", help="update the batch section of bench/RESULTS.md")
    parser.add_argument("--engines", action="store_true",
                        help="instead: the pool against the Dask engine, 2 workers each, corpus pdf "
                             "(section batch-engines of bench/RESULTS.md)")
    args = parser.parse_args()
    if args.engines:
        return main_engines(args)

    from pipeline.nlp import build_and_save

    load_before, capacity_before = os.getloadavg(), parallel_capacity()
    work = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    results = []
    try:
        model = build_and_save(work / "model")
        for mix in args.mix:
            inputs = work / mix / "inputs"
            seconds, formats = timed(lambda: build_corpus(inputs, args.documents, mix))
            print(f"corpus {mix}: {formats} rendered in {seconds:.0f} s", flush=True)
            measured = bench_corpus(inputs, work / mix, model, args.documents, args.repeats, args.workers)
            results.append((mix, formats, measured))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    lines = [f"## Batch ({datetime.date.today().isoformat()})", "",
             f"Machine: {machine()}. Load average (1 min) {load_before[0]:.1f} before, "
             f"{os.getloadavg()[0]:.1f} after; two CPU-bound processes ran {capacity_before:.2f}x before and "
             f"{parallel_capacity():.2f}x after as fast as one (2.00 on two idle cores; less when other work "
             "shares the machine).",
             f"Command: `.venv/bin/python bench/bench_batch.py --write`: medians of {args.repeats} runs, each "
             "`agreements batch` in a fresh process (imports, worker start-up, discovery, extraction, diffs, "
             "every output) into a fresh folder, 1 and 2 workers alternating; the reruns repeat the last "
             "command on its finished folder."]
    for mix, formats, measured in results:
        lines += report(mix, formats, args.documents, measured, args.workers)
    return publish_section("batch", "\n".join(lines) + "\n" + NOTES, args.write)


def main_engines(args) -> int:
    from pipeline.nlp import build_and_save

    workers = max(args.workers)
    load_before = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="bench-engines-"))
    try:
        model = build_and_save(work / "model")
        inputs = work / "pdf" / "inputs"
        formats = build_corpus(inputs, args.documents, "pdf")
        measured = bench_engines(inputs, work / "pdf", model, args.documents, args.repeats, workers)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    lines = [f"## Batch engines: process pool and Dask ({datetime.date.today().isoformat()})", "",
             f"Machine: {machine()}. Load average (1 min) {load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} "
             "after (a shared machine: above 2.0 other work competed for the 2 cores).",
             f"Command: `.venv/bin/python bench/bench_batch.py --engines --write`: medians of {args.repeats} runs, "
             "the three engines alternating in each.", ""]
    lines += report_engines(formats, args.documents, workers, measured)
    return publish_section("batch-engines", "\n".join(lines) + "\n" + ENGINE_NOTES, args.write)


def publish_section(name: str, section: str, write: bool) -> int:
    """Print a section of bench/RESULTS.md, and write it there with --write."""
    print()
    print(section)
    if write:
        write_section(name, section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
