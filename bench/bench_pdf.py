"""PDF extraction speed and memory: the seed repeated to 208 pages, per engine.

    .venv/bin/python bench/bench_pdf.py                 # medians of 5 runs (3 for the slow pdfplumber ones)
    .venv/bin/python bench/bench_pdf.py --runs 3 --slow-runs 1
    .venv/bin/python bench/bench_pdf.py --write         # also update bench/RESULTS.md

The PDFs are rendered once into bench/work/ (git-ignored): the seed's elements ten times
over, cut to 208, 200 and 30 pages. Timed in one process, interleaved run by run, so the
ratios compare like with like on a busy machine:

    baseline         pypdfium2: load each page, its text page, get_text_range(), close
    pdfplumber text  pdfplumber: page.extract_text(), page closed after use
    read <engine>    pipeline.ingest.read_document: the PDF reader alone
    extract <engine> pipeline.run.extract_document: reader and every later stage; the
                     spaCy pipeline is loaded once beforehand and not timed

and where the time of `extract pdfium` goes, in the same runs:

    pages opened     pypdfium2: load each page and its text page, close them (the part of
                     the baseline any reader pays)
    reader parts     inside `read pdfium`: opening pages, text runs, character boxes,
                     lines and tables, the second pass, the clean-up
    stage parts      the stages after the reader on the read document: parties, outline
                     and commitments; the spaCy pipeline; owners and quantities

Goal (the issue): extract of a text PDF within 2x of the baseline, with the same rows
as the pdfplumber engine. Peak RSS of extract at 30 and 200 pages, each in a fresh
process (VmHWM), shows whether memory stays flat in the page count.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pdfplumber  # noqa: E402
import pypdfium2 as pdfium  # noqa: E402

from pipeline.commitments import find_commitments  # noqa: E402
from pipeline.errors import ModelNotBuiltError  # noqa: E402
from pipeline.export import commitment_row  # noqa: E402
from pipeline import ingest  # noqa: E402
from pipeline.ingest import pdf as pdf_reader  # noqa: E402
from pipeline.ingest import pdfium as pdfium_reader  # noqa: E402
from pipeline.ingest import read_document  # noqa: E402
from pipeline.nlp import UNUSED_BY_STAGES, build_and_save, load_pipeline  # noqa: E402
from pipeline.outline import agreement_year, outline  # noqa: E402
from pipeline.parties import PartyRegister, find_parties  # noqa: E402
from pipeline.run import enrich, extract_document  # noqa: E402
from common import RESULTS, machine, write_section  # noqa: E402
from pipeline.settings import Settings  # noqa: E402

WORK = ROOT / "bench" / "work"
PAGES = (208, 200, 30)
ENGINES = ("pdfplumber", "auto", "pdfium")
SEED_REPEATS = 10  # the seed renders to 24 A5 pages; ten times over is enough for 208


def seed_pdfs() -> dict[int, Path]:
    """pages -> the seed rendered as one long agreement and cut to that many pages."""
    paths = {pages: WORK / f"seed-{pages}-pages.pdf" for pages in PAGES}
    if all(path.exists() for path in paths.values()):
        return paths
    from tests.render.pdf import render_pdf
    from tests.render.source import seed_elements
    WORK.mkdir(parents=True, exist_ok=True)
    long = render_pdf(seed_elements() * SEED_REPEATS, WORK / "seed-long.pdf")
    source = pdfium.PdfDocument(long)
    if len(source) < max(PAGES):
        raise SystemExit(f"the repeated seed has {len(source)} pages, fewer than {max(PAGES)}")
    for pages, path in paths.items():
        cut = pdfium.PdfDocument.new()
        cut.import_pages(source, list(range(pages)))
        cut.save(path)
        cut.close()
    source.close()
    long.unlink()
    return paths


def settings_with_model() -> Settings:
    """Settings whose spaCy pipeline loads: the project's models/, else one built in bench/work."""
    settings = Settings()
    try:
        load_pipeline(settings)
    except ModelNotBuiltError:
        settings = Settings(model_path=build_and_save(WORK / "model" / "nl_agreements"))
    return settings


# --- what is timed ------------------------------------------------------------------

def pypdfium2_text(path: Path) -> int:
    document = pdfium.PdfDocument(path)
    characters = 0
    for index in range(len(document)):
        page = document[index]
        textpage = page.get_textpage()
        characters += len(textpage.get_text_range())
        textpage.close()
        page.close()
    document.close()
    return characters


def pages_opened(path: Path) -> int:
    document = pdfium.PdfDocument(path)
    count = len(document)
    for index in range(count):
        page = document[index]
        page.get_textpage().close()
        page.close()
    document.close()
    return count


# Functions timed inside `read pdfium`: (module, name) -> the part of the reader it is.
# open_page holds page_runs_of; the report takes the one off the other.
READER_PARTS = {
    (pdfium_reader, "open_page"): "open",
    (pdfium_reader, "page_runs_of"): "text, runs and styles (calls into pdfium)",
    (pdfium_reader, "batch_chars"): "character boxes",
    (pdfium_reader, "runs_by_page"): "lines and tables",
    (pdfium_reader, "page_content"): "lines and tables",
    (pdf_reader, "document_layout"): "second pass: body font, spacing, running headers",
    (pdf_reader, "document_blocks"): "second pass: headings, paragraphs, footnotes",
    (ingest, "normalize"): "clean-up (normalize)",
}


class PartTimer:
    """CPU seconds spent in some functions (of other modules) while `timing` is set."""

    def __init__(self, functions):
        self.seconds = dict.fromkeys(functions, 0.0)
        self.timing = False
        for module, name in functions:
            setattr(module, name, self._timed((module, name), getattr(module, name)))

    def _timed(self, key, function):
        def timed(*args, **kwargs):
            if not self.timing:
                return function(*args, **kwargs)
            start = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[key] += time.process_time() - start
        return timed


def stage_parts(document, nlp) -> dict:
    """The stages of pipeline.run.extract_read one by one: name -> a call doing it."""
    def structure():
        register = PartyRegister(find_parties(document), nlp)
        agreement_year(document)
        return register, find_commitments(document.id, outline(document, register))[0]

    register, commitments = structure()
    texts = [c.text for c in commitments]
    docs = list(nlp.pipe(texts, disable=UNUSED_BY_STAGES))
    year = agreement_year(document)
    return {"parties, outline, commitments": structure,
            "spaCy (tokenizer, rulers)": lambda: list(nlp.pipe(texts, disable=UNUSED_BY_STAGES)),
            "owners, actors, quantities": lambda: [enrich(c, d, register, year) for c, d in zip(commitments, docs)]}


def pdfplumber_text(path: Path) -> int:
    characters = 0
    with pdfplumber.open(path) as document:
        for page in document.pages:
            characters += len(page.extract_text() or "")
            page.close()
    return characters


def timed(function) -> tuple[float, float]:
    """(wall, CPU) seconds of one call; CPU time counts this process only, so it holds
    steadier than wall time while other work shares the cores."""
    wall, cpu = time.perf_counter(), time.process_time()
    function()
    return time.perf_counter() - wall, time.process_time() - cpu


def measure(path: Path, pages: int, runs: int, slow_runs: int, settings: Settings) -> dict:
    """Medians (ms per page) of every measure on one PDF, interleaved run by run."""
    nlp = load_pipeline(settings)
    engines = {engine: replace(settings, pdf_engine=engine) for engine in ENGINES}
    rows = {engine: [commitment_row(c) for c in extract_document(path, engines[engine], nlp).commitments]
            for engine in ENGINES}  # also warms every code path up
    stages = stage_parts(read_document(path, engines["pdfium"]), nlp)
    timer = PartTimer(READER_PARTS)

    def read_with_parts() -> tuple[float, float]:
        """`read pdfium`, recording the CPU time of its parts as well (no wall time: 0)."""
        before = dict(timer.seconds)
        timer.timing = True
        wall, cpu = timed(lambda: read_document(path, engines["pdfium"]))
        timer.timing = False
        parts: dict[str, float] = {}
        for key, part in READER_PARTS.items():
            parts[part] = parts.get(part, 0.0) + timer.seconds[key] - before[key]
        for part, seconds in parts.items():
            timings.setdefault(f"reader: {part}", []).append((0.0, seconds * 1000 / pages))
        return wall, cpu

    timings: dict[str, list[tuple[float, float]]] = {}
    for run in range(runs):
        slow = run < slow_runs
        steps = [("baseline", lambda: pypdfium2_text(path)), ("pages opened", lambda: pages_opened(path))]
        steps += [(f"stage: {name}", call) for name, call in stages.items()]
        if slow:
            steps.append(("pdfplumber text", lambda: pdfplumber_text(path)))
        for engine in ENGINES:
            if engine != "pdfplumber" or slow:
                steps.append((f"read {engine}", read_with_parts if engine == "pdfium"
                               else lambda e=engine: read_document(path, engines[e])))
                steps.append((f"extract {engine}", lambda e=engine: extract_document(path, engines[e], nlp)))
        for name, step in steps:
            wall, cpu = step() if step is read_with_parts else timed(step)
            timings.setdefault(name, []).append((wall * 1000 / pages, cpu * 1000 / pages))
    wall = {name: statistics.median(w for w, _ in values) for name, values in timings.items()}
    cpu = {name: statistics.median(c for _, c in values) for name, values in timings.items()}
    return {"pages": pages, "runs": {name: len(values) for name, values in timings.items()},
            "ms_per_page": wall, "cpu_ms_per_page": cpu,
            "ratio": {name: value / wall["baseline"] for name, value in wall.items()},
            "cpu_ratio": {name: value / cpu["baseline"] for name, value in cpu.items()},
            "same_rows": {engine: rows[engine] == rows["pdfplumber"] for engine in ENGINES},
            "commitments": len(rows["pdfplumber"])}


def peak_rss(path: Path, engine: str, model_path: Path) -> dict:
    """Peak resident memory (MB) of one extract in a fresh process, and before it (model loaded)."""
    output = subprocess.run([sys.executable, __file__, "--child-rss", str(path), engine, str(model_path)],
                            check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def child_rss(path: Path, engine: str, model_path: Path) -> None:
    """Resident memory once the model is loaded, and the peak during the extract.

    Loading spaCy peaks higher than a short extract, so the peak is reset first
    (Linux: "5" into /proc/self/clear_refs) where the kernel allows it.
    """
    settings = Settings(model_path=model_path, pdf_engine=engine)
    nlp = load_pipeline(settings)
    gc.collect()
    before = memory_mb("VmRSS")
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass
    extract_document(path, settings, nlp)
    print(json.dumps({"before_mb": before, "peak_mb": memory_mb("VmHWM"),
                      "process_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def memory_mb(field: str) -> float:
    """VmRSS (now) or VmHWM (peak) of this process in MB, from /proc/self/status."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # no /proc: the peak so far


# --- report -------------------------------------------------------------------------



def report(timing: dict, memory: dict[tuple[int, str], dict]) -> str:
    date = subprocess.run(["date"], capture_output=True, text=True).stdout.strip()
    ms, ratio = timing["ms_per_page"], timing["ratio"]
    cpu, cpu_ratio = timing["cpu_ms_per_page"], timing["cpu_ratio"]
    lines = [
        "## PDF extraction speed",
        "",
        f"{date}; {machine()}. `.venv/bin/python bench/bench_pdf.py`: the seed rendered ten times over",
        f"and cut to {timing['pages']} A5 pages ({timing['commitments']} commitments), medians of "
        f"{timing['runs']['baseline']} runs ({timing['runs'].get('pdfplumber text', 0)} for the pdfplumber ones), "
        "interleaved in one process; wall and CPU time (of this process only, steadier on a shared "
        "machine), ratios against the baseline of the same run. `extract - read` is what the stages after "
        "the reader (parties, outline, commitments, spaCy, owners, quantities) add.",
        "",
        "| measure | ms/page | x baseline | CPU ms/page | x baseline (CPU) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    labels = {"baseline": "pypdfium2 get_text_range (baseline)", "pdfplumber text": "pdfplumber extract_text"}
    for name in ["baseline", "pdfplumber text", *[f"{step} {engine}" for engine in ENGINES
                                                  for step in ("read", "extract")]]:
        if name in ms:
            lines.append(f"| {labels.get(name, name)} | {ms[name]:.1f} | {ratio[name]:.1f} "
                         f"| {cpu[name]:.1f} | {cpu_ratio[name]:.1f} |")
    for engine in ("pdfium",):
        step = {key: values[f"extract {engine}"] - values[f"read {engine}"]
                for key, values in (("wall", ms), ("cpu", cpu))}
        lines.append(f"| extract - read ({engine}) | {step['wall']:.1f} | {step['wall'] / ms['baseline']:.1f} "
                     f"| {step['cpu']:.1f} | {step['cpu'] / cpu['baseline']:.1f} |")
    best = min((f"extract {engine}" for engine in ENGINES), key=cpu.__getitem__)
    after = (cpu["extract pdfium"] - cpu["read pdfium"]) / cpu["baseline"]
    lines += ["", f"Goal, extract within 2x of the baseline: {'met' if cpu_ratio[best] <= 2 else 'not met'}; "
              f"fastest is {best}, {cpu_ratio[best]:.1f}x (CPU). The stages after the reader alone take "
              f"{after:.1f}x, the pdfium reader {cpu_ratio['read pdfium']:.1f}x."]
    lines += ["", *breakdown(cpu)]
    same = ", ".join(f"{engine}: {'yes' if timing['same_rows'][engine] else 'NO'}"
                     for engine in ENGINES if engine != "pdfplumber")
    page_counts = sorted({pages for pages, _ in memory})
    lines += ["", f"Same commitment rows as the pdfplumber engine: {same}.", "",
              "Peak RSS in MB, one fresh process per cell: of the whole process (spaCy loaded) / during the "
              "extract (peak reset after loading) / resident before the extract.", "",
              "| engine | " + " | ".join(f"{pages} pages" for pages in page_counts) + " |",
              "| --- |" + " ---: |" * len(page_counts)]
    for engine in ENGINES:
        cells = [memory[(pages, engine)] for pages in page_counts]
        lines.append(f"| {engine} | " + " | ".join(
            f"{c['process_peak_mb']:.0f} / {c['peak_mb']:.0f} / {c['before_mb']:.0f}" for c in cells) + " |")
    return "\n".join(lines)




def breakdown(cpu: dict[str, float]) -> list[str]:
    """Where the CPU time of `extract pdfium` goes: its reader's parts, timed inside it, and
    the stages after it, each timed alone on the read document."""
    base = cpu["baseline"]
    part = {name.removeprefix("reader: "): value for name, value in cpu.items() if name.startswith("reader: ")}
    opening = part.pop("open") - part["text, runs and styles (calls into pdfium)"]
    measured = opening + sum(part.values())
    stages = {name.removeprefix("stage: "): value for name, value in cpu.items() if name.startswith("stage: ")}
    after = cpu["extract pdfium"] - cpu["read pdfium"]
    rows = [("reader: opening pages and text pages, page boxes, ruled-line paths", opening),
            *((f"reader: {name}", value) for name, value in part.items()),
            ("reader: the rest (closing pages, batching, the format check)", cpu["read pdfium"] - measured),
            ("read pdfium", cpu["read pdfium"]),
            *((f"stage: {name}", value) for name, value in stages.items()),
            ("stages after the reader (extract pdfium - read pdfium)", after),
            ("extract pdfium", cpu["extract pdfium"])]
    table = ["Where the CPU time of extract pdfium goes (medians; the reader's parts are timed inside "
             "`read pdfium`, each stage alone on the read document):", "",
             "| part | CPU ms/page | x baseline |", "| --- | ---: | ---: |"]
    table += [f"| {name} | {value:.2f} | {value / base:.2f} |" for name, value in rows]
    table += ["", f"For scale: loading each page and its text page and closing them, as the baseline does "
              f"but without reading the text, takes {cpu['pages opened']:.2f} ms/page "
              f"({cpu['pages opened'] / base:.2f}x). The goal, 2x, leaves {2 * base:.2f} ms/page for all of "
              f"extract pdfium."]
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of the fast measures [5]")
    parser.add_argument("--slow-runs", type=int, default=3, help="runs of the pdfplumber measures [3]")
    parser.add_argument("--write", action="store_true", help="update the PDF section of bench/RESULTS.md")
    parser.add_argument("--child-rss", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_rss:
        path, engine, model_path = args.child_rss
        child_rss(Path(path), engine, Path(model_path))
        return
    paths = seed_pdfs()
    settings = settings_with_model()
    timing = measure(paths[208], 208, args.runs, min(args.slow_runs, args.runs), settings)
    memory = {(pages, engine): peak_rss(paths[pages], engine, settings.model_path)
              for pages in (30, 200) for engine in ENGINES}
    section = report(timing, memory)
    print(section)
    print(json.dumps({key: timing[key] for key in ("ms_per_page", "ratio", "cpu_ms_per_page", "cpu_ratio")},
                     indent=1), file=sys.stderr)
    if args.write:
        write_section("pdf", section)
        print(f"\nWritten to {RESULTS}")


if __name__ == "__main__":
    main()
