"""OCR of scanned PDFs: the seed printed to PDF, scanned (blurred, turned slightly, no
text layer) and read back by Tesseract gives the same commitments as the text PDF.

The tests that run Tesseract are marked `ocr` and skip, saying why, when the tesseract
program or its Dutch model is missing (Debian: tesseract-ocr tesseract-ocr-nld). The
missing-dependency messages are pinned without Tesseract.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pdfplumber
import pytest
from PIL import Image, ImageDraw

from pipeline.errors import EmptyDocumentError, MissingDependencyError
from pipeline.ingest import ocr, read_document
from pipeline.ingest.pdf import read_pdf
from pipeline.run import extract_document
from pipeline.settings import DEFAULT_OCR_LANGUAGE, Settings
from pipeline.types import HEADING
from tests.render.pdf import render_lines_pdf, render_pdf
from tests.render.scan import render_five_page_scan, render_scan
from tests.render.source import seed_elements
from tests.seed_expectations import THEMES

LABEL = re.compile(r"^\d{1,2}\. ")
SCAN_DPI = 200  # what an office scanner saves; OCR reads the page at the same resolution
INSTALL = r"pip install 'prestatieafspraken\[ocr\]'\) and Debian's tesseract-ocr tesseract-ocr-nld"


@pytest.fixture(scope="module")
def tesseract():
    """Skip, saying what is missing, unless Tesseract and its Dutch model are installed."""
    ocr.ocr_problem.cache_clear()
    problem = ocr.ocr_problem(DEFAULT_OCR_LANGUAGE)
    if problem:
        pytest.skip(f"{problem} (Debian: apt-get install tesseract-ocr tesseract-ocr-nld)")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scan")
    text_pdf = render_pdf(seed_elements(), folder / "aa-en-hunze-2021.pdf")
    scan = render_scan(text_pdf, folder / "aa-en-hunze-2021-scan.pdf", dpi=SCAN_DPI, rotate_degrees=0.4)
    return text_pdf, scan


@pytest.fixture(scope="module")
def extractions(tesseract, rendered, settings, nlp):
    text_pdf, scan = rendered
    return (extract_document(text_pdf, settings, nlp),
            extract_document(scan, replace(settings, ocr_dpi=SCAN_DPI), nlp, doc_id="aa-en-hunze-2021"))


def replace_settings(**changes) -> Settings:
    return replace(Settings(), **changes)


def by_number(extraction):
    return {c.number: c for c in extraction.commitments}


# --- the fixture itself ----------------------------------------------------------------

def test_the_scan_is_image_only(rendered):
    text_pdf, scan = rendered
    with pdfplumber.open(scan) as pdf, pdfplumber.open(text_pdf) as original:
        assert len(pdf.pages) == len(original.pages) >= 20
        assert not any(page.chars for page in pdf.pages)
        assert all(len(page.images) == 1 for page in pdf.pages)
        assert abs(pdf.pages[0].width - original.pages[0].width) < 1


# --- scan against text PDF -------------------------------------------------------------

@pytest.mark.ocr
def test_scan_gives_exactly_the_numbers_of_the_text_pdf(extractions):
    text, scan = extractions
    assert [c.number for c in text.commitments] == [str(n) for n in range(1, 77)]
    assert [c.number for c in scan.commitments] == [c.number for c in text.commitments]
    assert [c.key for c in scan.commitments] == [c.key for c in text.commitments]


@pytest.mark.ocr
def test_scan_gives_the_same_owners_and_horizon_per_number(extractions):
    text, scan = extractions
    expected = by_number(text)
    for number, commitment in by_number(scan).items():
        want = expected[number]
        assert (commitment.owners, commitment.owner_source, commitment.section.horizon) == \
               (want.owners, want.owner_source, want.section.horizon), number


@pytest.mark.ocr
def test_scan_places_every_commitment_under_the_same_headings(extractions):
    text, scan = extractions
    expected = by_number(text)
    for number, commitment in by_number(scan).items():
        assert commitment.section == expected[number].section, number
    themes = {c.section.theme for c in scan.commitments if c.section.theme}
    assert themes == set(THEMES)
    assert [p.short_name for p in scan.parties] == [p.short_name for p in text.parties]
    assert scan.year == text.year == 2021


@pytest.mark.ocr
def test_scan_keeps_sub_items_page_breaks_and_footnote_marks(extractions):
    """Bullets (which Tesseract reads as "*"), items broken over a page, footnote marks."""
    text, scan = extractions
    scanned, expected = by_number(scan), by_number(text)
    assert [len(c.subitems) for c in scan.commitments] == [len(c.subitems) for c in text.commitments]
    assert scanned["17"].subitems[0].startswith("80% van de woningen")
    assert "te toetsen aan marktontwikkelingen en om te bepalen" in scanned["22"].text
    # the raised mark "¹." (which Tesseract reads as "BE" or "h") is read again as digits
    assert scanned["12"].text.endswith("(€ 663) \u00b9.")
    assert [len(c.footnotes) for c in scan.commitments] == [len(c.footnotes) for c in text.commitments]
    assert [c.page for c in scan.commitments] == [c.page for c in expected.values()]


@pytest.mark.ocr
def test_every_scanned_page_says_it_was_read_by_ocr(extractions):
    text, scan = extractions
    ocr_issues = [i for i in scan.issues if i.kind == "ocr"]
    assert [i.where for i in ocr_issues] == [f"page {n}" for n in range(1, scan.document.page_count + 1)]
    assert all("mean word confidence" in i.message for i in ocr_issues)
    assert not [i for i in text.issues if i.kind == "ocr"]
    others = [(i.kind, i.key) for i in scan.issues if i.kind != "ocr"]
    assert others == [(i.kind, i.key) for i in text.issues]


def test_ocr_never_leaves_a_scan_unread(rendered):
    with pytest.raises(EmptyDocumentError, match="no text found in the document"):
        read_document(rendered[1], replace_settings(ocr="never"))


@pytest.mark.ocr
def test_ocr_always_reads_a_text_pdf_from_its_image(tesseract, tmp_path):
    path = render_lines_pdf([["Prestatieafspraken 2021", "", "1. Partijen werken samen."]], tmp_path / "een.pdf")
    document = read_pdf(path, "een", replace_settings(ocr="always"))
    assert [b.text for b in document.blocks] == ["Prestatieafspraken 2021", "1. Partijen werken samen."]
    assert [i.kind for i in document.issues] == ["ocr"]


@pytest.mark.ocr
def test_a_blank_page_is_still_a_page_without_text(tesseract, tmp_path):
    path = render_lines_pdf([["1. Partijen werken samen."], []], tmp_path / "half.pdf")
    document = read_pdf(path, "half", replace_settings())
    assert [b.text for b in document.blocks] == ["1. Partijen werken samen."]
    assert [(i.kind, i.where) for i in document.issues] == [("no-text-layer", "page 2")]


@pytest.mark.ocr
def test_a_two_column_scan_reads_column_by_column(tesseract, tmp_path):
    """Each column is read on its own: Tesseract would join a line to the one beside it."""
    elements = seed_elements()
    start = next(i for i, e in enumerate(elements) if e.text.startswith("4.1 "))
    text_pdf = render_pdf(elements[:1] + elements[start:start + 30], tmp_path / "kolommen.pdf", columns=2)
    scan = render_scan(text_pdf, tmp_path / "kolommen-scan.pdf", dpi=SCAN_DPI)
    expected = read_pdf(text_pdf, "kolommen", Settings())
    scanned = read_pdf(scan, "kolommen", replace_settings(ocr_dpi=SCAN_DPI))

    def outline(document):
        return [(b.kind, b.text.split(" ", 1)[0] if LABEL.match(b.text) else b.kind == HEADING and b.text)
                for b in document.blocks]

    assert outline(scanned) == outline(expected)
    assert len([b for b in expected.blocks if LABEL.match(b.text)]) >= 10


@pytest.mark.parametrize("degrees", [0.0, 0.4, -1.5, 2.5])
def test_skew_is_measured(rendered, degrees):
    """A page fed askew by `degrees` (anticlockwise) is turned back by as much."""
    image, width, _ = ocr.render_page_image(rendered[0], 10, SCAN_DPI)
    askew = image.rotate(degrees, resample=Image.Resampling.BICUBIC, fillcolor=255)
    assert ocr.skew_angle(askew, width / image.width) == pytest.approx(-degrees, abs=0.15)


# --- missing dependencies --------------------------------------------------------------

def forget_engines():
    for cached in (ocr.ocr_problem, ocr.ocr_engine, ocr.tesserocr_data):
        cached.cache_clear()


@pytest.fixture
def fresh_check():
    """The dependency checks are cached per process; forget them around each test."""
    forget_engines()
    yield
    forget_engines()


@pytest.fixture
def without_tesserocr(fresh_check, monkeypatch):
    """As if tesserocr were not installed: pytesseract and the tesseract program read."""
    monkeypatch.setitem(sys.modules, "tesserocr", None)  # import fails as if not installed


def test_missing_tesseract_program_says_what_to_install(without_tesserocr, monkeypatch):
    pytesseract = pytest.importorskip("pytesseract")
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    with pytest.raises(MissingDependencyError,
                       match=r"^scan\.pdf: OCR needs the tesseract program, which is not installed or not on "
                             rf"PATH; install the 'ocr' extra \({INSTALL}, or read without OCR \(--ocr never\)$"):
        ocr.require_ocr(Path("scan.pdf"), "nld")


def test_missing_pytesseract_says_what_to_install(without_tesserocr, monkeypatch):
    monkeypatch.setitem(sys.modules, "pytesseract", None)  # import fails as if not installed
    with pytest.raises(MissingDependencyError, match=rf"OCR needs the Python package pytesseract.*{INSTALL}"):
        ocr.require_ocr(Path("scan.pdf"), "nld")


def test_missing_dutch_model_says_what_to_install(without_tesserocr, monkeypatch):
    pytesseract = pytest.importorskip("pytesseract")
    monkeypatch.setattr(pytesseract, "get_tesseract_version", lambda: "5.3.0")
    monkeypatch.setattr(ocr, "installed_languages", lambda: {"eng", "osd"})
    with pytest.raises(MissingDependencyError, match=rf"OCR needs Tesseract's 'nld' language model.*{INSTALL}"):
        ocr.require_ocr(Path("scan.pdf"), "nld")


def test_a_scan_without_ocr_installed_names_the_file(without_tesserocr, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "pytesseract", None)
    path = render_lines_pdf([[], []], tmp_path / "getekend.pdf")
    with pytest.raises(MissingDependencyError, match=r"getekend\.pdf: OCR needs .*tesseract-ocr-nld"):
        read_document(path, replace_settings(ocr="auto"))
    with pytest.raises(MissingDependencyError, match=r"getekend\.pdf: OCR needs"):
        read_document(path, replace_settings(ocr="always"))


def test_a_scanned_page_in_a_text_pdf_is_an_issue_when_ocr_is_missing(without_tesserocr, monkeypatch, tmp_path):
    """A signed last page scanned into a text PDF: the text is read, the page reported."""
    monkeypatch.setitem(sys.modules, "pytesseract", None)
    path = render_lines_pdf([["1. Partijen werken samen."], []], tmp_path / "half.pdf")
    document = read_pdf(path, "half", replace_settings(ocr="auto"))
    assert [b.text for b in document.blocks] == ["1. Partijen werken samen."]
    assert [(i.kind, i.where) for i in document.issues] == [("no-text-layer", "page 2")]


# --- engines: tesserocr in this process, pytesseract through the program ----------------

@pytest.fixture(scope="module")
def both_engines(tesseract):
    """Skip, saying why, unless tesserocr and pytesseract can both read Dutch here."""
    forget_engines()
    if ocr.tesserocr_data(DEFAULT_OCR_LANGUAGE) is None:
        pytest.skip("tesserocr is not installed or finds no 'nld' model (make setup builds it against "
                    "Debian's libtesseract-dev libleptonica-dev; OCR then runs through pytesseract)")
    if ocr.pytesseract_problem(DEFAULT_OCR_LANGUAGE):
        pytest.skip(ocr.pytesseract_problem(DEFAULT_OCR_LANGUAGE))


# Page 9 has the footnote mark read again as digits ("(€ 663) ¹."), page 12 a ruled table.
ENGINE_PAGES = [0, 8, 11]


@pytest.mark.ocr
@pytest.mark.parametrize("index", ENGINE_PAGES)
def test_tesserocr_reads_a_page_as_the_tesseract_program_does(both_engines, rendered, index):
    settings = replace_settings(ocr_dpi=SCAN_DPI)
    by_program = ocr.ocr_page(rendered[1], index, settings, engine=ocr.PYTESSERACT)
    in_process = ocr.ocr_page(rendered[1], index, settings, engine=ocr.TESSEROCR)
    assert in_process == by_program
    assert by_program.lines and by_program.confidence > 80


@pytest.mark.ocr
def test_tesserocr_is_the_engine_when_installed_and_pytesseract_otherwise(both_engines, monkeypatch):
    forget_engines()
    assert ocr.ocr_engine(DEFAULT_OCR_LANGUAGE) == ocr.TESSEROCR
    forget_engines()
    monkeypatch.setitem(sys.modules, "tesserocr", None)
    assert ocr.ocr_engine(DEFAULT_OCR_LANGUAGE) == ocr.PYTESSERACT
    assert ocr.ocr_problem(DEFAULT_OCR_LANGUAGE) is None
    forget_engines()


THREADS_AFTER_A_PAGE = """
import sys
from dataclasses import replace
from pathlib import Path
from pipeline.ingest import ocr
from pipeline.settings import Settings

def threads():
    return int(next(line for line in open("/proc/self/status") if line.startswith("Threads:")).split()[1])

before = threads()
ocr.ocr_page(Path(sys.argv[1]), 1, replace(Settings(), ocr_dpi=200), engine=ocr.TESSEROCR)
print(before, threads())
"""


@pytest.mark.ocr
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="counts threads in /proc")
def test_tesserocr_reads_on_one_thread_unless_the_user_says_otherwise(both_engines, rendered):
    """OMP_THREAD_LIMIT=1 is set when libtesseract loads its OpenMP runtime; a user's own
    limit is kept (and then Tesseract does start threads of its own)."""
    import subprocess

    def threads(**environment) -> tuple[int, int]:
        env = {k: v for k, v in os.environ.items() if k != "OMP_THREAD_LIMIT"} | environment
        done = subprocess.run([sys.executable, "-c", THREADS_AFTER_A_PAGE, str(rendered[1])], env=env,
                              capture_output=True, text=True, check=True, cwd=Path(__file__).parent.parent)
        before, after = done.stdout.split()
        return int(before), int(after)

    before, after = threads()
    assert after == before
    before, after = threads(OMP_THREAD_LIMIT="3")
    assert after > before


@pytest.mark.ocr
def test_a_page_read_alone_is_the_page_read_in_its_document(tesseract, rendered):
    """What a worker reads of a one-page PDF cut from a scan is what the reader gets when it
    reads that page of the whole file; handed to the reader, the page is not read again."""
    settings = replace_settings(ocr_dpi=SCAN_DPI)
    scan = rendered[1]
    with pdfplumber.open(scan) as pdf:
        assert ocr.scanned_pages(scan, settings) == list(range(len(pdf.pages)))
    assert ocr.scanned_pages(rendered[0], settings) == []
    alone = ocr.ocr_page_pdf(ocr.page_pdf(scan, 8), 9, settings)
    assert alone == ocr.ocr_page(scan, 8, settings)
    assert {line.page for line in alone.lines} == {9}
    with ocr.prepared_pages(scan, {8: "read elsewhere"}):
        assert ocr.ocr_page(scan, 8, settings) == "read elsewhere"
    assert ocr.ocr_page(scan, 8, settings) == alone



@pytest.mark.ocr
def test_only_a_scan_of_several_pages_is_split_into_page_tasks(tesseract, rendered, tmp_path):
    """pages_to_split: every page of a scan of SPLIT_SCAN_PAGES or more; nothing for a text
    PDF (its bytes a page are below a scan's, so it is not even looked into), a short scan,
    a text file, or with OCR off."""
    settings = replace_settings(ocr_dpi=SCAN_DPI)
    text_pdf, scan = rendered
    with pdfplumber.open(scan) as pdf:
        pages = len(pdf.pages)
        assert ocr.pages_to_split(scan, settings) == list(range(pages))
    assert scan.stat().st_size > ocr.MIN_SCAN_PAGE_BYTES * pages > text_pdf.stat().st_size
    assert ocr.pages_to_split(text_pdf, settings) == []
    short = render_scan(render_pdf(seed_elements()[:20], tmp_path / "kort.pdf"), tmp_path / "kort-scan.pdf",
                        dpi=SCAN_DPI)
    with pdfplumber.open(short) as pdf:
        assert len(pdf.pages) < ocr.SPLIT_SCAN_PAGES
    assert ocr.pages_to_split(short, settings) == []
    assert ocr.pages_to_split(scan, replace(settings, ocr="never")) == []
    (tmp_path / "scan.txt").write_text("1. De gemeente doet iets.", encoding="utf-8")
    assert ocr.pages_to_split(tmp_path / "scan.txt", settings) == []


@pytest.mark.ocr
@pytest.mark.skipif(sys.platform != "linux", reason="counts the reads of forked workers")
def test_the_pool_reads_the_pages_of_a_large_scan_on_both_workers(tesseract, settings, nlp, tmp_path,
                                                                   monkeypatch):
    """A five-page scan in a batch of 2 workers: each page is read once, by OCR in a task
    of its own, both workers read some, and the rows are those of reading the scan in one
    process."""
    from pipeline.batch import run_batch

    scan = render_five_page_scan(tmp_path, dpi=SCAN_DPI)
    scan_settings = replace(settings, ocr_dpi=SCAN_DPI)
    expected = extract_document(scan, scan_settings, nlp, "deel-2021")
    assert len(expected.commitments) == 13

    reads = tmp_path / "reads.txt"
    read_page_image = ocr.read_page_image

    def counted(image, page_number, *rest):
        with reads.open("a", encoding="utf-8") as log:  # appended lines, from any process
            log.write(f"{os.getpid()} {page_number}\n")
        return read_page_image(image, page_number, *rest)

    monkeypatch.setattr(ocr, "read_page_image", counted)  # inherited by the forked workers
    result = run_batch(tmp_path / "scans", tmp_path / "out", scan_settings, workers=2, progress=False)
    read = [line.split() for line in reads.read_text(encoding="utf-8").splitlines()]
    assert sorted(int(page) for _, page in read) == [1, 2, 3, 4, 5]
    assert len({pid for pid, _ in read}) == 2 and str(os.getpid()) not in {pid for pid, _ in read}
    (member,) = result.members
    assert member.extraction.commitments == expected.commitments
    assert [i.where for i in member.extraction.issues if i.kind == "ocr"] == [f"page {n}" for n in range(1, 6)]

# --- small steps, without Tesseract ----------------------------------------------------

HOCR = b"""<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml"><body>
 <div class='ocr_page' title='bbox 0 0 1750 2482'>
  <div class='ocr_carea' title="bbox 171 247 1569 946">
   <p class='ocr_par' title="bbox 171 247 1569 946">
    <span class='ocr_line' title="bbox 172 247 1565 296; baseline -0.006 -7; x_size 42; x_descenders 8; x_ascenders 9">
     <span class='ocrx_word' title='bbox 172 255 228 296; x_wconf 96'>
      <span class='ocrx_cinfo' title='x_bboxes 172 255 200 296; x_conf 99.5'>1</span>
      <span class='ocrx_cinfo' title='x_bboxes 204 255 228 296; x_conf 99.1'>2</span>
      <span class='ocrx_cinfo' title='x_bboxes 230 288 236 296; x_conf 99.0'>.</span>
     </span>
     <span class='ocrx_word' title='bbox 262 255 320 288; x_wconf 91'>Het</span>
    </span>
   </p>
  </div>
 </div>
</body></html>"""


def test_parse_hocr_keeps_lines_words_glyphs_and_metrics():
    (line,) = ocr.parse_hocr(HOCR)
    assert line.box == (172, 247, 1565, 296) and line.baseline == (-0.006, -7.0)
    assert (line.text_height, line.x_height, line.paragraph) == (42.0, 25.0, 1)
    assert [(w.text, w.confidence) for w in line.words] == [("12.", 96.0), ("Het", 91.0)]
    assert [g for g, _ in line.words[0].glyphs] == ["1", "2", "."] and line.words[1].glyphs == ()
    assert line.baseline_at(172) == 289.0


@pytest.mark.parametrize("heights, weights, step, expected", [
    ([41, 42, 43, 46], [60, 50, 40, 20], 1.0, [42, 42, 42, 46]),  # body and an 11 pt heading
    ([28.9, 30.6, 28.9, 27.2], [50, 40, 30, 30], 1.7, [28.9] * 4),  # 200 dpi: one pixel of x-height is 6%
    ([42, 31, 63], [50, 40, 10], 1.0, [42, 31, 63]),  # body, footnotes, a chapter heading
])
def test_snap_sizes(heights, weights, step, expected):
    assert ocr.snap_sizes(heights, weights, step) == expected


def test_ruled_grid_becomes_cells_and_a_lone_rule_does_not():
    """A 2 x 3 grid at 200 dpi, and a footnote rule under it."""
    image = Image.new("L", (1000, 1200), 255)
    draw = ImageDraw.Draw(image)
    for y in (100, 200, 300):
        draw.line([(100, y), (900, y)], fill=0, width=2)
    for x in (100, 400, 650, 900):
        draw.line([(x, 100), (x, 300)], fill=0, width=2)
    draw.line([(100, 1000), (300, 1000)], fill=0, width=2)
    pixels = np.asarray(image)
    scale = 72 / 200
    rules = ocr.find_rulings(pixels < 128, scale)
    assert sorted(r.orientation for r in rules) == ["h"] * 4 + ["v"] * 4
    ((box, rows),) = ocr.rulings_to_tables(rules, scale)
    assert [len(row) for row in rows] == [3, 3]
    assert box == pytest.approx((100 * scale, 100 * scale, 900 * scale, 300 * scale), abs=1.5)
    assert (ocr.erase(pixels, rules, 2) == 255).all()


def test_single_threaded_tesseract_leaves_a_users_setting_alone(monkeypatch):
    monkeypatch.delenv("OMP_THREAD_LIMIT", raising=False)
    with ocr.single_threaded_tesseract():
        assert os.environ["OMP_THREAD_LIMIT"] == "1"
    assert "OMP_THREAD_LIMIT" not in os.environ
    monkeypatch.setenv("OMP_THREAD_LIMIT", "4")
    with ocr.single_threaded_tesseract():
        assert os.environ["OMP_THREAD_LIMIT"] == "4"
    assert os.environ["OMP_THREAD_LIMIT"] == "4"
