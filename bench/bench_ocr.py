"""OCR speed and accuracy: seconds per page and character accuracy of a scan against its text PDF.

    .venv/bin/python bench/bench_ocr.py                  # 3 runs at 200 and 300 dpi
    .venv/bin/python bench/bench_ocr.py --dpi 200 --runs 1 --pages 6
    .venv/bin/python bench/bench_ocr.py --write          # also update the OCR section of bench/RESULTS.md

The seed is rendered to a text PDF and "scanned" (tests/render/scan.py: rasterised at
200 dpi, blurred, turned 0.4 degrees, saved as JPEG pages without a text layer). Each
page of the scan is read by `pipeline.ingest.ocr.ocr_page` at each `--dpi`; its text
(lines, then table cells) is compared with what the reader takes from the same page of
the text PDF (pdfplumber characters -> lines and tables, `pdf.page_content`), which is
also the baseline timing. Character accuracy is rapidfuzz's normalised Levenshtein
similarity, whitespace collapsed. For scale, plain Tesseract on the page image (default
page segmentation, no deskew, no rule removal) is timed and scored the same way. Last,
the whole document is extracted from the scan and its commitments compared with those of
the text PDF: numbers, owners, owner source, horizon, headings.
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


def ocr_run(scan: Path, pages: int, settings) -> tuple[list[str], list[float], list[float]]:
    from pipeline.ingest.ocr import ocr_page

    texts, seconds, confidences = [], [], []
    for index in range(pages):
        started = time.perf_counter()
        read = ocr_page(scan, index, settings)
        seconds.append(time.perf_counter() - started)
        texts.append(page_text(read.lines, read.tables))
        confidences.append(read.confidence or 0.0)
    return texts, seconds, confidences


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


def same_commitments(text_pdf: Path, scan: Path, settings, work: Path) -> tuple[int, int, list[str]]:
    """How many of the text PDF's commitments the scan gives with the same number, owners,
    owner source, horizon and headings; and the differences."""
    from pipeline.nlp import build_and_save, load_pipeline
    from pipeline.run import extract_document

    settings = replace(settings, model_path=build_and_save(work / "model"))
    nlp = load_pipeline(settings)
    expected = {c.number: c for c in extract_document(text_pdf, settings, nlp).commitments}
    found = extract_document(scan, settings, nlp).commitments
    differences = [f"{c.number}: not in the text PDF" for c in found if c.number not in expected]
    same = 0
    for commitment in found:
        want = expected.get(commitment.number)
        if want is None:
            continue
        if (commitment.owners, commitment.owner_source, commitment.section) == \
                (want.owners, want.owner_source, want.section):
            same += 1
        else:
            differences.append(f"{commitment.number}: {commitment.owners} {commitment.owner_source} "
                               f"{commitment.section.section!r}")
    missing = sorted(set(expected) - {c.number for c in found}, key=int)
    differences += [f"{number}: missing" for number in missing]
    return same, len(expected), differences




def tesseract_version() -> str:
    import pytesseract
    return str(pytesseract.get_tesseract_version()).split()[0]




def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dpi", type=int, nargs="+", default=[200, 300], help="OCR resolutions to measure")
    parser.add_argument("--runs", type=int, default=3, help="runs per resolution; per-page medians")
    parser.add_argument("--pages", type=int, default=None, help="only the first N pages")
    parser.add_argument("--write", action="store_true", help="update the OCR section of bench/RESULTS.md")
    args = parser.parse_args()

    from pipeline.ingest.ocr import ocr_problem
    from pipeline.settings import Settings
    from tests.render.pdf import render_pdf
    from tests.render.scan import render_scan
    from tests.render.source import seed_elements

    settings = Settings()
    problem = ocr_problem(settings.ocr_language)
    if problem:
        print(f"cannot measure OCR: {problem}", file=sys.stderr)
        return 1
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-ocr-") as folder:
        work = Path(folder)
        text_pdf = render_pdf(seed_elements(), work / "aa-en-hunze-2021.pdf")
        scan = render_scan(text_pdf, work / "aa-en-hunze-2021-scan.pdf", **SCAN)
        references, layer_seconds = text_layer(text_pdf)
        pages = min(args.pages or len(references), len(references))
        rows = []
        layer = statistics.median(layer_seconds[:pages])
        rows.append(("text layer (pdfplumber, the reference)", "—", layer, (1.0, 1.0, 1.0), None))
        print(f"text layer: {layer * 1000:.0f} ms/page", flush=True)
        for dpi in args.dpi:
            runs = [ocr_run(scan, pages, replace(settings, ocr_dpi=dpi)) for _ in range(args.runs)]
            per_page = [statistics.median(run[1][i] for run in runs) for i in range(pages)]
            texts, _, confidences = runs[-1]
            score = accuracy(texts, references)
            rows.append((f"`ocr_page`, {dpi} dpi", f"{args.runs}", statistics.median(per_page), score,
                         statistics.fmean(confidences)))
            print(f"ocr {dpi} dpi: {statistics.median(per_page):.2f} s/page, accuracy {score[0]:.4f} "
                  f"(lowest page {score[1]:.4f}, whole {score[2]:.4f})", flush=True)
        plain_texts, plain_seconds = plain_tesseract(scan, pages, SCAN["dpi"], settings.ocr_language)
        plain = accuracy(plain_texts, references)
        rows.append((f"plain Tesseract (`image_to_string`), {SCAN['dpi']} dpi", "1",
                     statistics.median(plain_seconds), plain, None))
        print(f"plain tesseract: {statistics.median(plain_seconds):.2f} s/page, accuracy {plain[0]:.4f}", flush=True)
        same, total, differences = same_commitments(text_pdf, scan, replace(settings, ocr_dpi=SCAN["dpi"]), work)
        print(f"commitments: {same}/{total} the same" + (f"; {differences[:5]}" if differences else ""), flush=True)
    load_after = os.getloadavg()[0]

    lines = [
        f"## OCR ({datetime.date.today().isoformat()})", "",
        f"Machine: {machine()}; Tesseract {tesseract_version()} (`nld`), one thread per page "
        f"(OMP_THREAD_LIMIT=1). Load average (1 min) {load_before:.1f} before, {load_after:.1f} after.",
        f"Input: the seed rendered to PDF ({pages} A5 pages) and scanned at {SCAN['dpi']} dpi, blur "
        f"{SCAN['blur']} px, turned {SCAN['rotate_degrees']} degrees, JPEG pages "
        f"(`tests/render/scan.py`). Command: `.venv/bin/python bench/bench_ocr.py --write`.", "",
        "| reader | runs | seconds per page (median) | character accuracy, mean of pages | lowest page | "
        "whole document | mean word confidence |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, runs, seconds, (mean, lowest, whole), confidence in rows:
        conf = f"{confidence:.1f}%" if confidence is not None else "—"
        lines.append(f"| {name} | {runs} | {seconds:.3f} | {mean * 100:.2f}% | {lowest * 100:.2f}% | "
                     f"{whole * 100:.2f}% | {conf} |")
    lines += [
        "",
        f"- Commitments extracted from the scan with the number, owners, owner source, horizon and "
        f"headings of the text PDF: **{same} of {total}**"
        + (f" (differences: {'; '.join(differences[:5])})" if differences else "") + ".",
        "- Character accuracy: rapidfuzz `Levenshtein.normalized_similarity` of each page's text "
        "(lines, then table cells; whitespace collapsed) against the reader's text of the same page "
        "of the text PDF. Plain Tesseract reads tables in its own order, which costs it some of its score.",
        "- `ocr_page` seconds include rendering the page with pypdfium2, deskewing, finding and "
        "erasing ruled lines, Tesseract, and turning words into the reader's lines.",
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
