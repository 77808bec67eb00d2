"""OCR speed and accuracy: pages per minute by engine and worker count, and character
accuracy of a scan against its text PDF at each resolution.

    .venv/bin/python bench/bench_ocr.py                  # everything below, 3 runs
    .venv/bin/python bench/bench_ocr.py --dpi 200 --runs 1 --pages 6
    .venv/bin/python bench/bench_ocr.py --write          # also update the OCR section of bench/RESULTS.md

Throughput: 30 scanned pages (the seed rendered to PDF and longer, cut at 30 pages, then
"scanned" by tests/render/scan.py) read by `pipeline.ingest.ocr.ocr_page` in a process
pool of 1 and 2 workers, through pytesseract (the tesseract program per page) and through
tesserocr (libtesseract in the worker, one TessBaseAPI kept); each worker reads one page
untimed first (imports, the language model). The four combinations alternate in every
run; medians of the runs, ratios from this invocation.

Accuracy: the seed is rendered to a text PDF and "scanned" at 200 and at 300 dpi
(rasterised, blurred, turned 0.4 degrees, saved as JPEG pages without a text layer).
Each page of each scan is read at each `--dpi`; its text (lines, then table cells) is
compared with what the reader takes from the same page of the text PDF (pdfplumber
characters -> lines and tables, `pdf.page_content`), which is also the baseline timing.
Character accuracy is rapidfuzz's normalised Levenshtein similarity, whitespace
collapsed. The whole document is then extracted from those pages (`ocr.prepared_pages`)
and its commitments compared with those of the text PDF: numbers, owners, owner source,
horizon, headings. For scale, plain Tesseract on the page image (default page
segmentation, no deskew, no rule removal) is timed and scored the same way.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
import unicodedata
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import RESULTS, machine, write_section  # noqa: E402

SCAN = {"dpi": 200, "blur": 0.7, "rotate_degrees": 0.4}
SCAN_DPIS = (200, 300)  # what scanners save: accuracy is measured on a scan at each
THROUGHPUT_PAGES = 30
WORKER_COUNTS = (1, 2)


def normalised(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def page_text(lines, tables) -> str:
    """A page as the reader has it: its lines in reading order, then its table cells row by row."""
    cells = [cell for table in tables for row in table.rows for cell in row if cell]
    return normalised(" ".join([line.text for line in lines] + cells))


def text_layer(pdf_path: Path) -> tuple[list[str], list[float]]:
    """The reader's text of each page of the text PDF, and the seconds each took."""
    import pdfplumber

    from pipeline.ingest.pdf import page_content

    texts, seconds = [], []
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            started = time.perf_counter()
            content = page_content(page)
            seconds.append(time.perf_counter() - started)
            texts.append(page_text(content.lines, content.tables))
    return texts, seconds


def ocr_run(scan: Path, pages: int, settings) -> tuple[list, list[float]]:
    """Each page read by `ocr_page` (the default engine), and the seconds each took."""
    from pipeline.ingest.ocr import ocr_page

    read, seconds = [], []
    for index in range(pages):
        started = time.perf_counter()
        read.append(ocr_page(scan, index, settings))
        seconds.append(time.perf_counter() - started)
    return read, seconds


def page_texts(read) -> list[str]:
    return [page_text(page.lines, page.tables) for page in read]


# --- throughput: engines x workers ---------------------------------------------------------

def _read_page(scan: str, index: int, dpi: int, engine: str) -> float:
    """In a pool worker: one page by one engine; its confidence (so the result is used)."""
    from dataclasses import replace

    from pipeline.ingest.ocr import ocr_page
    from pipeline.settings import Settings

    return ocr_page(Path(scan), index, replace(Settings(), ocr_dpi=dpi), engine=engine).confidence or 0.0


def throughput_pdf(work: Path, pages: int) -> Path:
    """A scan of exactly `pages` pages: the seed rendered (and again, from its chapter 4,
    until long enough), cut, scanned as in the accuracy part."""
    import pypdfium2 as pdfium

    from tests.render.pdf import render_pdf
    from tests.render.scan import render_scan
    from tests.render.source import seed_elements

    elements = seed_elements()
    start = next(i for i, e in enumerate(elements) if e.text.startswith("4 "))
    long = render_pdf(elements + elements[start:], work / "long.pdf")
    source, cut = pdfium.PdfDocument(long), pdfium.PdfDocument.new()
    cut.import_pages(source, list(range(min(pages, len(source)))))
    cut.save(work / "cut.pdf")
    cut.close()
    source.close()
    return render_scan(work / "cut.pdf", work / "throughput-scan.pdf", **SCAN)


def throughput(scan: Path, pages: int, runs: int, engines: list[str]) -> dict[tuple[str, int], list[float]]:
    """Seconds to read `pages` pages per (engine, workers), one list entry per run; each
    pool's workers are started and warm (one page read) before the clock starts."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    seconds: dict[tuple[str, int], list[float]] = {(e, w): [] for e in engines for w in WORKER_COUNTS}
    for run in range(runs):
        for engine in engines:
            for workers in WORKER_COUNTS:
                with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
                    list(pool.map(_read_page, [str(scan)] * workers, [pages - 1] * workers,
                                  [SCAN["dpi"]] * workers, [engine] * workers))
                    started = time.perf_counter()
                    list(pool.map(_read_page, [str(scan)] * pages, range(pages), [SCAN["dpi"]] * pages,
                                  [engine] * pages))
                    seconds[(engine, workers)].append(time.perf_counter() - started)
                print(f"  run {run + 1}: {engine}, {workers} worker(s): "
                      f"{pages / seconds[(engine, workers)][-1] * 60:.0f} pages/min; "
                      f"load {os.getloadavg()[0]:.1f}", flush=True)
    return seconds


def plain_tesseract(scan: Path, pages: int, dpi: int, language: str) -> tuple[list[str], list[float]]:
    import pytesseract

    from pipeline.ingest.ocr import render_page_image, single_threaded_tesseract

    texts, seconds = [], []
    for index in range(pages):
        started = time.perf_counter()
        image, _, _ = render_page_image(scan, index, dpi)
        with single_threaded_tesseract():
            texts.append(normalised(pytesseract.image_to_string(image, lang=language)))
        seconds.append(time.perf_counter() - started)
    return texts, seconds


def accuracy(texts: list[str], references: list[str]) -> tuple[float, float, float]:
    """Mean and lowest per-page similarity, and the similarity of the whole text."""
    from rapidfuzz.distance import Levenshtein

    per_page = [Levenshtein.normalized_similarity(text, reference) for text, reference in zip(texts, references)]
    whole = Levenshtein.normalized_similarity(" ".join(texts), " ".join(references[:len(texts)]))
    return statistics.fmean(per_page), min(per_page), whole


COMPARED = ("owners", "owner_source", "section", "text")  # section: chapter, theme, section, horizon


def same_commitments(text_pdf: Path, scan: Path, read: list, settings, nlp) -> tuple[int, int, list[str]]:
    """How many of the text PDF's commitments the scan gives (its pages as `read` at
    settings.ocr_dpi) with the same number, owners, owner source, horizon and headings;
    and the differences."""
    from pipeline.ingest.ocr import prepared_pages
    from pipeline.run import extract_document

    expected = {c.number: c for c in extract_document(text_pdf, settings, nlp).commitments}
    with prepared_pages(scan, dict(enumerate(read))):
        found = extract_document(scan, settings, nlp).commitments
    differences = [f"{c.number}: not in the text PDF" for c in found if c.number not in expected]
    same = 0
    for commitment in found:
        want = expected.get(commitment.number)
        if want is None:
            continue
        fields = [name for name in COMPARED if getattr(commitment, name) != getattr(want, name)]
        if not fields:
            same += 1
        else:
            differences.append(f"{commitment.number}: {', '.join(fields)}")
    missing = sorted(set(expected) - {c.number for c in found}, key=int)
    differences += [f"{number}: missing" for number in missing]
    return same, len(expected), differences


def tesseract_version() -> str:
    import pytesseract
    return str(pytesseract.get_tesseract_version()).split()[0]




def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dpi", type=int, nargs="+", default=[200, 250, 300], help="OCR resolutions to measure")
    parser.add_argument("--runs", type=int, default=3, help="runs of the throughput measurement; medians")
    parser.add_argument("--accuracy-runs", type=int, default=1,
                        help="runs of each resolution (the text is the same every run; per-page medians)")
    parser.add_argument("--pages", type=int, default=None, help="only the first N pages (accuracy)")
    parser.add_argument("--write", action="store_true", help="update the OCR section of bench/RESULTS.md")
    args = parser.parse_args()

    from pipeline.ingest.ocr import OCR_ENGINES, ocr_problem, pytesseract_problem, tesserocr_data
    from pipeline.nlp import build_and_save, load_pipeline
    from pipeline.settings import DEFAULT_OCR_DPI, Settings
    from tests.render.pdf import render_pdf
    from tests.render.scan import render_scan
    from tests.render.source import seed_elements

    settings = Settings()
    problem = ocr_problem(settings.ocr_language)
    if problem:
        print(f"cannot measure OCR: {problem}", file=sys.stderr)
        return 1
    engines = [e for e in OCR_ENGINES if (tesserocr_data(settings.ocr_language) if e == "tesserocr"
                                          else pytesseract_problem(settings.ocr_language) is None)]
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-ocr-") as folder:
        work = Path(folder)
        settings = replace(settings, model_path=build_and_save(work / "model"))
        nlp = load_pipeline(settings)
        big_scan = throughput_pdf(work, THROUGHPUT_PAGES)
        print(f"throughput: {THROUGHPUT_PAGES} pages, engines {engines}", flush=True)
        speed = throughput(big_scan, THROUGHPUT_PAGES, args.runs, engines)

        text_pdf = render_pdf(seed_elements(), work / "aa-en-hunze-2021.pdf")
        references, layer_seconds = text_layer(text_pdf)
        pages = min(args.pages or len(references), len(references))
        accuracy_rows = [("text layer (pdfplumber, the reference)", "—", "—", statistics.median(layer_seconds[:pages]),
                          (1.0, 1.0, 1.0), None, "—")]
        for scan_dpi in SCAN_DPIS:
            scan = render_scan(text_pdf, work / f"scan-{scan_dpi}.pdf", **{**SCAN, "dpi": scan_dpi})
            for dpi in args.dpi:
                dpi_settings = replace(settings, ocr_dpi=dpi)
                runs = [ocr_run(scan, pages, dpi_settings) for _ in range(args.accuracy_runs)]
                per_page = [statistics.median(run[1][i] for run in runs) for i in range(pages)]
                read = runs[-1][0]
                score = accuracy(page_texts(read), references)
                same, total, differences = (same_commitments(text_pdf, scan, read, dpi_settings, nlp)
                                            if pages == len(references) else (0, 0, ["(not all pages read)"]))
                confidence = statistics.fmean(page.confidence or 0.0 for page in read)
                accuracy_rows.append((f"{scan_dpi} dpi scan", f"{dpi} dpi", f"{args.accuracy_runs}",
                                      statistics.median(per_page),
                                      score, confidence, f"{same} of {total}"
                                      + (f" (differ: {'; '.join(differences[:6])})" if differences else "")))
                print(f"scan {scan_dpi} dpi read at {dpi} dpi: {statistics.median(per_page):.2f} s/page, accuracy "
                      f"{score[0]:.4f} (lowest page {score[1]:.4f}, whole {score[2]:.4f}), commitments {same}/{total}",
                      flush=True)
        plain_texts, plain_seconds = plain_tesseract(work / f"scan-{SCAN['dpi']}.pdf", pages, SCAN["dpi"],
                                                     settings.ocr_language)
        accuracy_rows.append((f"{SCAN['dpi']} dpi scan, plain Tesseract (`image_to_string`)", f"{SCAN['dpi']} dpi",
                              "1", statistics.median(plain_seconds), accuracy(plain_texts, references), None, "—"))
    load_after = os.getloadavg()[0]

    per_minute = {key: THROUGHPUT_PAGES / statistics.median(values) * 60 for key, values in speed.items()}
    lines = [
        f"## OCR ({datetime.date.today().isoformat()})", "",
        f"Machine: {machine()}; Tesseract {tesseract_version()} (`nld`), one thread per process "
        f"(OMP_THREAD_LIMIT=1). Load average (1 min) {load_before:.1f} before, {load_after:.1f} after "
        "(a shared machine: above 2.0 other work competed for the 2 cores).",
        "Command: `.venv/bin/python bench/bench_ocr.py --write`.", "",
        f"### Pages per minute ({THROUGHPUT_PAGES} scanned pages, read at {SCAN['dpi']} dpi)", "",
        f"A {THROUGHPUT_PAGES}-page scan ({SCAN['dpi']} dpi, blur {SCAN['blur']} px, turned "
        f"{SCAN['rotate_degrees']} degrees, JPEG pages) read page by page by `ocr_page` in a process pool, each "
        f"worker warm; the engines and worker counts alternate in each of {args.runs} runs; medians.", "",
        "| engine | 1 worker | 2 workers | 2 vs 1 worker |",
        "| --- | ---: | ---: | ---: |",
    ]
    for engine in engines:
        one, two = per_minute[(engine, 1)], per_minute[(engine, 2)]
        lines.append(f"| {engine} | {one:.0f} | {two:.0f} | {two / one:.2f}x |")
    if set(engines) == set(OCR_ENGINES):
        lines += ["", "tesserocr vs pytesseract: " + ", ".join(
            f"**{per_minute[('tesserocr', w)] / per_minute[('pytesseract', w)]:.2f}x** with {w} worker{'s' * (w > 1)}"
            for w in WORKER_COUNTS) + " (both read the same hOCR from the same libtesseract: the tests compare "
            "them page by page)."]
    lines += [
        "", "All runs (pages/min): " + "; ".join(
            f"{e} x{w}: " + ", ".join(f"{THROUGHPUT_PAGES / v * 60:.0f}" for v in speed[(e, w)])
            for e in engines for w in WORKER_COUNTS) + ".",
        "", f"### Accuracy by resolution (the seed, {pages} A5 pages, {SCAN['blur']} px blur, turned "
        f"{SCAN['rotate_degrees']} degrees, JPEG)", "",
        "| input | read at | runs | seconds per page (median, 1 process) | character accuracy, mean of pages | "
        "lowest page | whole document | mean word confidence | commitments as in the text PDF |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, dpi, runs, seconds, (mean, lowest, whole), confidence, same in accuracy_rows:
        conf = f"{confidence:.1f}%" if confidence is not None else "—"
        lines.append(f"| {name} | {dpi} | {runs} | {seconds:.3f} | {mean * 100:.2f}% | {lowest * 100:.2f}% | "
                     f"{whole * 100:.2f}% | {conf} | {same} |")
    lines += [
        "",
        f"- The pipeline renders scans at `DEFAULT_OCR_DPI` = {DEFAULT_OCR_DPI}.",
        "- Commitments: number, owners, owner source, headings and horizon, and the whole text the same as "
        "from the text PDF; \"differ\" names the commitments that are not, and what differs (in the text "
        "mostly a quote mark: ' read as ’).",
        "- Character accuracy: rapidfuzz `Levenshtein.normalized_similarity` of each page's text "
        "(lines, then table cells; whitespace collapsed) against the reader's text of the same page "
        "of the text PDF. Plain Tesseract reads tables in its own order, which costs it some of its score.",
        "- `ocr_page` seconds include rendering the page with pypdfium2, deskewing, finding and "
        "erasing ruled lines, Tesseract (the default engine), and turning words into the reader's lines.",
    ]
    section = "\n".join(lines)
    print()
    print(section)
    if args.write:
        write_section("ocr", section)
        print(f"\nWritten to {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
