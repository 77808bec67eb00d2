"""OCR for PDF pages without a text layer (scans): the page image read back as the PDF
reader's own `Line`s and tables.

    ocr_page(Path("getekend.pdf"), 8, settings) ->
    OcrPage(lines=(Line("12. De Volmacht hanteert voor mini-", page=9, x0=42.1, size=10.1, ...), ...),
            tables=(PlacedTable(top=240.2, bottom=470.8, rows=(("", "", "Totaal ..."), ...)),),
            confidence=93.4)

One small step each, top to bottom:

    render_page_image     pypdfium2 draws the page in grey at settings.ocr_dpi
    deskew                a projection profile finds the angle the paper was fed at
    find_rulings          long thin dark runs are table and footnote rules; they are
                          erased before OCR (Tesseract reads ruled grids as garbage) and
    rulings_to_tables     grids become cells with pdfplumber's own table functions
    text_regions          a two-column page is read column by column (Tesseract's
                          one-column mode keeps a hanging "12." with its item)
    tesseract_lines       Tesseract (hOCR, through tesserocr or pytesseract) gives words,
                          their characters' boxes, and each line's baseline and text heights
    reread_marks          an unsure word that is only a raised mark and a dot is read
                          again ("¹." comes back as "BE")
    words_to_chars        each word becomes one "character" of the PDF reader, in points,
                          with a font size from its line's x-height and "bold" from its
                          stroke width; raised digits become superscripts, and a few
                          misreadings that the ink itself disproves are undone (a bullet
                          read as "*", a label "74." read as "74,", a quote read as "!")
    page_lines            the PDF reader's own line grouping, column detection and line
                          assembly, so headings, paragraphs and footnotes of a scan are
                          found by the same rules as those of a text PDF

Tesseract and its Dutch model are Debian packages (tesseract-ocr, tesseract-ocr-nld);
pytesseract is the package's 'ocr' extra. tesserocr (the 'tesserocr' extra, built against
Debian's libtesseract-dev) reads pages in this process, one TessBaseAPI per thread kept
for every page, without a program started or an image file written per page; it is used
when installed. When nothing can read the language, `require_ocr` raises
MissingDependencyError saying what to install.

The pages of one scan can be read elsewhere, in parallel (`scanned_pages`, `page_pdf`,
`ocr_page_pdf`) and handed to the reader (`prepared_pages`).
"""

from __future__ import annotations

import functools
import io
import os
import re
import statistics
import threading
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO, Iterator, Mapping, Sequence

import numpy as np
import pypdfium2 as pdfium
from pdfplumber.table import Table, cells_to_tables, edges_to_intersections, intersections_to_cells, merge_edges
from PIL import Image

from pipeline.errors import MissingDependencyError
from pipeline.ingest.normalize import DIGIT_TO_SUPERSCRIPT, join_lines
from pipeline.ingest.pdf import (GUTTER_MAX_ACROSS, GUTTER_MIN_SIDE, GUTTER_SEARCH, MIN_GUTTER_WIDTH, Line,
                                 PlacedTable, chars_to_line, chars_to_line_groups, find_gutter, reading_order,
                                 weighted_median)
from pipeline.settings import Settings

INSTALL_HINT = ("install the 'ocr' extra (pip install 'prestatieafspraken[ocr]') and Debian's "
                "tesseract-ocr tesseract-ocr-nld, or read without OCR (--ocr never)")

# How pages reach Tesseract: tesserocr calls libtesseract in this process, one TessBaseAPI
# per thread kept for every page (the language model is loaded once); pytesseract runs
# the tesseract program per page, through a temporary image file. Both give the same hOCR
# from the same library version (Makefile builds tesserocr against Debian's libtesseract).
TESSEROCR = "tesserocr"
PYTESSERACT = "pytesseract"
OCR_ENGINES = (TESSEROCR, PYTESSERACT)
# Where Debian, Fedora and Homebrew keep the language models, for a tesserocr wheel that
# brings its own libtesseract (and so no default folder).
TESSDATA_FOLDERS = ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata",
                    "/usr/share/tessdata", "/usr/local/share/tessdata", "/opt/homebrew/share/tessdata")

POINTS_PER_INCH = 72.0
# Page segmentation "one column of text of variable sizes": the automatic mode (3) cuts
# a hanging number label ("12.") off its item as a block of its own and then loses it.
# Two-column pages are still read right: the reader's column detection splits the lines.
TESSERACT_PSM = 4
# Scans are rarely fed more askew than this. The coarse search runs at SKEW_SEARCH_DPI,
# the fine one at the page's resolution, where 0.05 degrees moves the end of a line by
# less than a pixel.
# A scan with at least this many pages to OCR is read page by page on all workers
# (`pages_to_split`): a page takes about a second, a task a few milliseconds.
SPLIT_SCAN_PAGES = 4
MIN_SCAN_PAGE_BYTES = 20_000  # bytes a page below which a PDF is taken for no scan
MAX_SKEW_DEGREES = 3.0
SKEW_COARSE_STEP = 0.25
SKEW_FINE_STEP = 0.05
SKEW_SEARCH_DPI = 100
# A table or footnote rule: a dark run at least this long and at most this thick (points).
MIN_RULE_LENGTH = 24.0
MAX_RULE_THICKNESS = 3.0
RULE_ERASE_MARGIN = 1.0  # points of white around an erased rule (its blurred edge)
# Print smaller than this (points) is no text of an agreement: what Tesseract reads there is
# a rule's edge or specks.
MIN_TEXT_SIZE = 5.0
# The side of a table cell one line high, between two horizontal rules (points).
MIN_CELL_SIDE = 8.0
# On a two-column page, a line printed across the gutter is read with the rows of ink
# touching it, up to this far (points) above or below the part in the gutter.
MAX_CROSSING_REACH = 12.0
TABLE_TOLERANCE = 3.0  # points; pdfplumber's snap, join and intersection tolerance
# A character's box, as pdfplumber gives one, is its font size tall and reaches this
# share of it below the baseline.
DESCENT = 0.2
# Font size comes from a line's x-height (the height of "x"): Tesseract's ascender-to-
# descender height (x_size) is closer to the point size but changes with the letters a
# line happens to have ("4.2 Beschikbaarheid" has no descender). x-heights are scaled by
# the page's usual x_size / x-height of lines at least this long.
MIN_CALIBRATION_CHARS = 20
# A line takes the size of its Tesseract paragraph (the weighted median of the lines at
# least MIN_SIZE_CHARS long in it) when the two are within PARAGRAPH_SNAP of each other:
# x-heights come in whole pixels, and a few letters are measured poorly ("jaar);").
MIN_SIZE_CHARS = 12
PARAGRAPH_SNAP = 0.15
# Sizes within this share of a heavier line's are one font size; OCR measures them to a
# pixel or so.
SIZE_SNAP = 0.05
# A line is bold when its strokes (the typical horizontal run of ink, as a share of its
# text height) are this much wider than those of the page's body text: bold faces stem
# at about twice the width of regular ones, blur or not.
BOLD_STROKE_FACTOR = 1.4
# A raised mark (a footnote number): its ink ends this share of the text height above
# the baseline and is at most this share of it tall.
SUPERSCRIPT_RAISE = 0.25
SUPERSCRIPT_HEIGHT = 0.7  # a capital or a digit on the line is about 0.73 of the size
# Tesseract guesses wildly at a raised mark and the full stop after it ("¹." -> "BE"):
# in a word read with less confidence than this, a raised glyph is read again on its
# own as digits, and a dot on the baseline is a full stop (a comma when it hangs below).
MIN_MARK_CONFIDENCE = 50.0
MAX_DOT_SIZE = 0.2
# A closing quote hangs at least this share of the text height above the baseline and is
# no taller than it; Tesseract reads one followed by a full stop as "!".
QUOTE_RAISE = 0.4
_QUOTES = set("'\"`\u2018\u2019\u201a\u201c\u201d\u201e\u00b4")
# A word without letters or digits that Tesseract all but gave up on is a speck of dirt;
# anything it reads with more confidence stays ("/€" at 29%, "-", "&").
MIN_SYMBOL_CONFIDENCE = 10.0
# Tesseract's Dutch model has no "•": it reads a bullet as "*", "°", "e", "o", ... A
# bullet is a single mark opening a line, a round dot about the height and width of
# these shares of the text height, standing clear of the text after it.
BULLET_MAX_SIZE = 0.5
BULLET_MIN_SIZE = 0.15
BULLET_MIN_GAP = 0.3
BULLET = "\u2022"
# A comma hangs below the baseline by about this share of the text height; a number
# label read as "74," whose ink stops at the baseline is "74." misread.
COMMA_DESCENT = 0.08
_COMMA_LABEL = re.compile(r"^\d{1,3},$")

_HOCR_LINES = {"ocr_line", "ocr_header", "ocr_textfloat", "ocr_caption"}
_TITLE_FIELD = re.compile(r"(\w+)\s+([^;]*)")
_HAS_ALNUM = re.compile(r"\w")


@dataclass(frozen=True)
class OcrPage:
    """What OCR read on one page: lines and tables as the PDF reader has them."""

    lines: tuple[Line, ...]
    tables: tuple[PlacedTable, ...]
    confidence: float | None  # mean word confidence, 0-100; None when nothing was read
    skew_degrees: float = 0.0  # how far the page image was turned back


@dataclass(frozen=True)
class OcrWord:
    text: str
    box: tuple[int, int, int, int]  # x0, top, x1, bottom in pixels
    confidence: float
    glyphs: tuple[tuple[str, tuple[int, int, int, int]], ...] = ()  # each character and its box


@dataclass(frozen=True)
class OcrLine:
    """One line as Tesseract found it, in pixels."""

    box: tuple[int, int, int, int]
    baseline: tuple[float, float]  # slope, offset from the box's bottom-left corner
    text_height: float  # Tesseract's x_size: ascender to descender, about the font size
    x_height: float  # height of "x": x_size less ascenders and descenders; 0 when unknown
    words: tuple[OcrWord, ...]
    paragraph: int = 0  # Tesseract's paragraph, numbered over the page

    @property
    def chars(self) -> int:
        return sum(len(word.text) for word in self.words)

    def baseline_at(self, x: float) -> float:
        slope, offset = self.baseline
        return self.box[3] + offset + slope * (x - self.box[0])


# --- dependencies -----------------------------------------------------------------------

def require_ocr(path: Path, language: str) -> None:
    """Raise MissingDependencyError unless Tesseract can read `language` here: through
    tesserocr, or else through pytesseract and the tesseract program.

        require_ocr(Path("scan.pdf"), "nld")  # tesseract without nld ->
        MissingDependencyError: scan.pdf: OCR needs Tesseract's 'nld' language model, ...
    """
    problem = ocr_problem(language)
    if problem:
        raise MissingDependencyError(path, f"{problem}; {INSTALL_HINT}")


@functools.lru_cache(maxsize=None)
def ocr_problem(language: str) -> str | None:
    """Why OCR cannot run, or None. Asked once per process and language.

    With tesserocr installed and the language model found, nothing else is needed; the
    messages name what the fallback (pytesseract and the tesseract program) lacks.
    """
    if tesserocr_data(language) is not None:
        return None
    return pytesseract_problem(language)


def pytesseract_problem(language: str) -> str | None:
    try:
        import pytesseract
    except ImportError:
        return "OCR needs the Python package pytesseract, which is not installed"
    try:
        pytesseract.get_tesseract_version()
    except pytesseract.TesseractNotFoundError:
        return "OCR needs the tesseract program, which is not installed or not on PATH"
    if language not in installed_languages():
        return f"OCR needs Tesseract's {language!r} language model, which is not installed"
    return None


def installed_languages() -> set[str]:
    import pytesseract
    return set(pytesseract.get_languages(config=""))


@functools.lru_cache(maxsize=None)
def ocr_engine(language: str) -> str:
    """The way this process reads pages: "tesserocr" when it is installed and finds the
    language model, else "pytesseract" (a tesseract program per page).

        ocr_engine("nld") -> "tesserocr"
    """
    return TESSEROCR if tesserocr_data(language) is not None else PYTESSERACT


@functools.lru_cache(maxsize=None)
def tesserocr_data(language: str) -> str | None:
    """The tessdata folder holding `language` for tesserocr, or None when tesserocr is not
    installed (or no folder has the model).

    First the folder libtesseract was built with (Debian's, for a tesserocr built against
    Debian's library), then TESSDATA_PREFIX and TESSDATA_FOLDERS: a tesserocr wheel with a
    library of its own looks in "./".
    """
    tesserocr = import_tesserocr()
    if tesserocr is None:
        return None
    default, _ = tesserocr.get_languages()
    candidates = [default, os.environ.get("TESSDATA_PREFIX", ""), *TESSDATA_FOLDERS]
    for folder in candidates:
        if folder and (Path(folder) / f"{language}.traineddata").is_file():
            return str(Path(folder)) + os.sep
    return None


def import_tesserocr():
    """The tesserocr module, or None when it is not installed (or cannot load its library).

    Imported with OMP_THREAD_LIMIT=1 (unless the user set it): OpenMP reads it once, when
    libtesseract loads its runtime, and Tesseract's threads cost more than they give when
    every core reads a page of its own (see single_threaded_tesseract).
    """
    with single_threaded_tesseract():
        try:
            import tesserocr
        except ImportError:
            return None
    return tesserocr


# --- one page ---------------------------------------------------------------------------

def ocr_page(source: Path | BinaryIO, page_index: int, settings: Settings, engine: str | None = None) -> OcrPage:
    """Read page `page_index` (0-based) of a PDF file or stream by OCR.

    Call `require_ocr` first; this assumes Tesseract is there. `engine` (tesserocr or
    pytesseract) defaults to `ocr_engine`. A page read already (`prepared_pages`) is not
    read again.
    """
    if isinstance(source, (str, Path)):
        prepared = _PREPARED.get((str(Path(source).resolve()), page_index))
        if prepared is not None:
            return prepared
    image, width, height = render_page_image(source, page_index, settings.ocr_dpi)
    return read_page_image(image, page_index + 1, width, height, tesseract(settings.ocr_language, engine))


# --- pages of one scan read elsewhere ------------------------------------------------------

_PREPARED: dict[tuple[str, int], OcrPage] = {}  # (resolved path, page index) -> page read


@contextmanager
def prepared_pages(path: Path, pages: Mapping[int, OcrPage]) -> Iterator[None]:
    """While the reader reads `path`, `ocr_page` answers these pages (by 0-based index)
    from what was read elsewhere, in parallel (pipeline.distributed reads the pages of a
    large scan on several workers), instead of reading them again. The pages must have
    been read with the same settings (`ocr_page_pdf`).

        pages = {i: ocr_page_pdf(page_pdf(path, i), i + 1, settings) for i in scanned_pages(path, settings)}
        with prepared_pages(path, pages):
            document = read_document(path, settings)   # no page read twice
    """
    resolved = str(Path(path).resolve())
    keys = [(resolved, index) for index in pages]
    _PREPARED.update(zip(keys, pages.values()))
    try:
        yield
    finally:
        for key in keys:
            _PREPARED.pop(key, None)


def scanned_pages(path: Path, settings: Settings) -> list[int]:
    """The 0-based indexes of the pages the reader will read by OCR: every page with
    settings.ocr "always", none with "never", and with "auto" those without a character
    that is not white space (a scan). [] when OCR is not installed or the file is no PDF
    pdfium can open (the reader then says why).

    A page this misjudges is still read right: one it leaves out the reader reads by
    OCR itself, one too many is read for nothing.
    """
    if settings.ocr == "never" or ocr_problem(settings.ocr_language):
        return []
    try:
        pdf = pdfium.PdfDocument(path)
    except (pdfium.PdfiumError, OSError):
        return []
    try:
        if settings.ocr == "always":
            return list(range(len(pdf)))
        pages = []
        for index in range(len(pdf)):
            page = pdf[index]
            try:
                text = page.get_textpage()
                try:
                    if not text.get_text_range().strip():
                        pages.append(index)
                finally:
                    text.close()
            finally:
                page.close()
        return pages
    finally:
        pdf.close()


def pages_to_split(path: Path, settings: Settings) -> list[int]:
    """The pages of `path` to read by OCR as tasks of their own, on every worker (the
    process pool and the Dask engine both do): `scanned_pages` when they are at least
    SPLIT_SCAN_PAGES; [] for a smaller scan, a text PDF or any other file.

    A PDF of fewer than MIN_SCAN_PAGE_BYTES a page is not looked into: a scanned page is
    mostly its image (tens of kilobytes even as a bilevel CCITT image, hundreds as JPEG),
    a page of text a few kilobytes, so the check costs nothing on text PDFs. A text PDF
    above it (photos, fonts in a short file) is only looked into for nothing.

        20-page scan at 200 dpi -> [0, 1, ..., 19];  30-page text PDF -> [];  3-page scan -> []
    """
    if path.suffix.lower() != ".pdf" or settings.ocr == "never":
        return []
    try:
        size = path.stat().st_size
        pdf = pdfium.PdfDocument(path)
    except (pdfium.PdfiumError, OSError):
        return []
    try:
        count = len(pdf)
    finally:
        pdf.close()
    if count < SPLIT_SCAN_PAGES or (settings.ocr == "auto" and size < MIN_SCAN_PAGE_BYTES * count):
        return []
    pages = scanned_pages(path, settings)
    return pages if len(pages) >= SPLIT_SCAN_PAGES else []


def page_pdf(path: Path, page_index: int) -> bytes:
    """Page `page_index` (0-based) of a PDF alone, as the bytes of a one-page PDF: what a
    worker needs to read it (a scanned page is mostly its image, which is copied as is)."""
    source = pdfium.PdfDocument(path)
    try:
        single = pdfium.PdfDocument.new()
        try:
            single.import_pages(source, [page_index])
            buffer = io.BytesIO()
            single.save(buffer)
            return buffer.getvalue()
        finally:
            single.close()
    finally:
        source.close()


def ocr_page_pdf(data: bytes, page_number: int, settings: Settings, engine: str | None = None) -> OcrPage:
    """OCR of a one-page PDF (`page_pdf`) as page `page_number` (1-based) of its document:
    the same OcrPage `ocr_page` gives for that page of the whole file."""
    image, width, height = render_page_image(io.BytesIO(data), 0, settings.ocr_dpi)
    return read_page_image(image, page_number, width, height, tesseract(settings.ocr_language, engine))


def render_page_image(source: Path | BinaryIO, page_index: int, dpi: int) -> tuple[Image.Image, float, float]:
    """The page drawn in grey at `dpi`, and the page's width and height in points."""
    if not isinstance(source, (str, Path)):
        source.seek(0)
    pdf = pdfium.PdfDocument(source)
    try:
        page = pdf[page_index]
        try:
            width, height = page.get_size()
            image = page.render(scale=dpi / POINTS_PER_INCH, grayscale=True).to_pil().convert("L")
        finally:
            page.close()
    finally:
        pdf.close()
    return image, float(width), float(height)


def read_page_image(image: Image.Image, page_number: int, width: float, height: float,
                    reader: Tesseract) -> OcrPage:
    """A grey page image of a `width` x `height` point page -> its lines and tables."""
    scale = width / image.width  # points per pixel
    angle = skew_angle(image, scale)
    if angle:
        image = image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    pixels = np.asarray(image)
    dark = pixels < dark_threshold(pixels)
    rules = find_rulings(dark, scale)
    clean = erase(pixels, rules, round(RULE_ERASE_MARGIN / scale))
    dark &= clean < 255
    boxes_and_cells = rulings_to_tables(rules, scale)
    page_image = Image.fromarray(clean)
    ocr_lines = []
    for region in text_regions(dark, scale, [bbox for bbox, _ in boxes_and_cells]):
        ocr_lines += tesseract_lines(page_image, reader, region, paragraphs=len(ocr_lines))
    ocr_lines = [reread_marks(line, clean, dark, reader) for line in ocr_lines]
    chars, confidences = words_to_chars(ocr_lines, dark, scale)
    tables = [fill_table(bbox, rows, chars) for bbox, rows in boxes_and_cells]
    boxes = [bbox for bbox, _ in boxes_and_cells]
    body = [char for char in chars if not any(inside(char, box) for box in boxes)]
    lines, placed = page_lines(body, tables, page_number, width)
    return OcrPage(lines=lines, tables=placed,
                   confidence=statistics.fmean(confidences) if confidences else None,
                   skew_degrees=angle)


# --- image: skew, threshold, rulings ----------------------------------------------------

def skew_angle(image: Image.Image, scale: float) -> float:
    """The angle (degrees, anticlockwise as PIL turns) that makes the text lines level.

    Projection profile: shear the ink by each angle and keep the angle whose row counts
    of ink change most sharply from row to row; level lines of text give the crispest
    profile. A coarse search on a small copy, then a fine one on the page itself (a
    two-column page needs the detail). 0.0 when the page is straight or blank.
    """
    factor = max(1, round(POINTS_PER_INCH / scale / SKEW_SEARCH_DPI))
    steps = round(MAX_SKEW_DEGREES / SKEW_COARSE_STEP)
    coarse = sharpest_shear(ink_points(image.reduce(factor) if factor > 1 else image),
                            [step * SKEW_COARSE_STEP for step in range(-steps, steps + 1)])
    steps = round(SKEW_COARSE_STEP / SKEW_FINE_STEP)
    fine = sharpest_shear(ink_points(image), [coarse + step * SKEW_FINE_STEP for step in range(-steps, steps + 1)])
    return round(fine, 2)


def ink_points(image: Image.Image) -> tuple[np.ndarray, np.ndarray]:
    pixels = np.asarray(image)
    return np.nonzero(pixels < dark_threshold(pixels))


def sharpest_shear(points: tuple[np.ndarray, np.ndarray], angles: list[float]) -> float:
    """Of `angles`, the one whose sheared row profile of the ink points is crispest
    (ties go to the angle nearest 0)."""
    ys, xs = points
    if ys.size == 0:
        return 0.0
    best_angle, best_score = 0.0, -1.0
    for angle in sorted(angles, key=abs):
        # Turning the page anticlockwise by `angle` lowers a point by x * sin(angle).
        rows = np.rint(ys - xs * np.sin(np.radians(angle))).astype(np.int64)
        score = float(np.square(np.diff(np.bincount(rows - rows.min()))).sum())
        if score > best_score:
            best_angle, best_score = angle, score
    return best_angle


def dark_threshold(pixels: np.ndarray) -> int:
    """Otsu's threshold: the grey level that best splits ink from paper."""
    histogram = np.bincount(pixels.ravel(), minlength=256).astype(np.float64)
    levels = np.arange(256)
    weight_dark = np.cumsum(histogram)
    weight_light = weight_dark[-1] - weight_dark
    sum_dark = np.cumsum(histogram * levels)
    mean_dark = sum_dark / np.maximum(weight_dark, 1)
    mean_light = (sum_dark[-1] - sum_dark) / np.maximum(weight_light, 1)
    between = weight_dark * weight_light * np.square(mean_dark - mean_light)
    return int(np.argmax(between)) + 1


@dataclass(frozen=True)
class Rule:
    """A ruled line in pixels: horizontal ("h") or vertical ("v")."""

    orientation: str
    x0: int
    top: int
    x1: int  # exclusive
    bottom: int  # exclusive


def text_regions(dark: np.ndarray, scale: float, tables: Sequence[tuple[float, float, float, float]] = ()
                 ) -> list[tuple[int, int, int, int]]:
    """The parts of the page to read one at a time, in reading order: the whole page, or
    on a two-column page each column of each band between lines printed across the gutter.

    Tesseract's one-column mode (TESSERACT_PSM) would read a line of the left column and
    the line beside it in the right column as one. The gaps between a table's columns
    (`tables`: boxes in points) of a table across the middle of the page are no gutter, and
    a table printed across the gutter is read whole.
    """
    height, width = dark.shape
    middle = width * scale / 2
    wide = [box for box in tables if box[0] < middle < box[2]]  # no column holds these
    gutter = image_gutter(_without_boxes(dark, wide, scale), scale)
    if gutter is None:
        return [(0, 0, width, height)]
    left, right = gutter
    cut = (left + right) // 2
    crossing = dark[:, left:right].any(axis=1)
    blank = ~dark.any(axis=1)
    reach = round(MAX_CROSSING_REACH / scale)
    across = np.zeros(height, dtype=bool)  # rows of lines printed across the gutter
    for row in np.flatnonzero(crossing):
        if across[row]:
            continue
        top, bottom = row, row
        while top > 0 and not blank[top - 1] and row - top < reach:
            top -= 1
        while bottom < height - 1 and (crossing[bottom + 1] or (not blank[bottom + 1] and bottom - row < reach)):
            bottom += 1
        across[top:bottom + 1] = True
    for x0, top, x1, bottom in tables:  # a table across the gutter is read whole: its cells tell its columns
        if x0 / scale < left and x1 / scale > right:
            across[max(int(top / scale) - 1, 0):int(bottom / scale) + 2] = True
    regions = []
    edges = np.flatnonzero(np.diff(np.concatenate(([~across[0]], across, [~across[-1]])).astype(np.int8)))
    starts = [0] + list(edges)
    for top, bottom in zip(starts, list(edges) + [height]):
        top, bottom = int(top), int(bottom)
        if bottom <= top:
            continue
        if across[top]:
            regions.append((0, top, width, bottom))
        elif dark[top:bottom].any():
            regions += [(0, top, cut, bottom), (cut, top, width, bottom)]
    return regions


def _without_boxes(dark: np.ndarray, boxes: Sequence[tuple[float, float, float, float]], scale: float) -> np.ndarray:
    """`dark` with the ink inside each box (in points) left out."""
    if not boxes:
        return dark
    kept = dark.copy()
    for x0, top, x1, bottom in boxes:
        kept[int(top / scale):int(bottom / scale) + 1, int(x0 / scale):int(x1 / scale) + 1] = False
    return kept


def image_gutter(dark: np.ndarray, scale: float) -> tuple[int, int] | None:
    """The empty vertical strip between two columns of text, (left, right) in pixels, or None.

    A gutter as the reader's `find_gutter` has one: in the middle part of the page, a
    strip MIN_GUTTER_WIDTH wide that few inked rows cross (GUTTER_MAX_ACROSS) while many
    have ink on either side of it (GUTTER_MIN_SIDE). Of several, the one nearest the middle.
    """
    rows = dark[dark.any(axis=1)]
    if not len(rows):
        return None
    height, width = rows.shape
    strip = max(1, round(MIN_GUTTER_WIDTH / scale))
    ink = np.pad(np.cumsum(rows, axis=1, dtype=np.int32), ((0, 0), (1, 0)))  # ink[:, x] = ink left of x
    xs = np.arange(int(GUTTER_SEARCH[0] * width), int(GUTTER_SEARCH[1] * width) - strip)
    across = (ink[:, xs + strip] - ink[:, xs] > 0).sum(axis=0)
    left = (ink[:, xs] > 0).sum(axis=0)
    right = (ink[:, -1:] - ink[:, xs + strip] > 0).sum(axis=0)
    empty = (across <= GUTTER_MAX_ACROSS * height) & (np.minimum(left, right) >= GUTTER_MIN_SIDE * height)
    if not empty.any():
        return None
    x = int(min(xs[empty], key=lambda x: abs(x + strip / 2 - width / 2)))
    return x, x + strip


def find_rulings(dark: np.ndarray, scale: float) -> list[Rule]:
    """Long thin straight lines of ink: table grids, the rule above footnotes, underlines.

    A vertical rule of a table row one line high is shorter than a rule must be, where a
    merged row (a group row across the table) breaks the column rules: it counts when it
    runs from one horizontal rule to the next (a cell's side), as no letter does.
    """
    min_length = round(MIN_RULE_LENGTH / scale)
    max_thickness = max(1, round(MAX_RULE_THICKNESS / scale))
    rules = [Rule("h", x0, top, x1, bottom)
             for top, bottom, x0, x1 in runs_to_segments(long_runs(dark, min_length), max_thickness)]
    short = round(MIN_CELL_SIDE / scale)
    reach = round(TABLE_TOLERANCE / scale)
    for x0, x1, top, bottom in runs_to_segments(long_runs(dark.T, short), max_thickness):
        if bottom - top >= min_length or (_touches_rule(rules, x0, x1, top, reach)
                                          and _touches_rule(rules, x0, x1, bottom, reach)):
            rules.append(Rule("v", x0, top, x1, bottom))
    return rules


def _touches_rule(rules: list[Rule], x0: int, x1: int, y: int, reach: int) -> bool:
    """Does a horizontal rule pass within `reach` pixels of (x0..x1, y)?"""
    return any(rule.orientation == "h" and rule.x0 - reach <= x1 and x0 <= rule.x1 + reach
               and rule.top - reach <= y <= rule.bottom + reach for rule in rules)


def long_runs(mask: np.ndarray, min_length: int) -> list[tuple[int, int, int]]:
    """(row, start, end) of every run of True along the rows at least `min_length` long."""
    edges = np.diff(np.pad(mask, ((0, 0), (1, 1))).astype(np.int8), axis=1)
    rows, starts = np.nonzero(edges == 1)
    _, ends = np.nonzero(edges == -1)  # row-major order: ends pair with starts
    keep = ends - starts >= min_length
    return list(zip(rows[keep].tolist(), starts[keep].tolist(), ends[keep].tolist()))


def runs_to_segments(runs: list[tuple[int, int, int]], max_thickness: int) -> list[tuple[int, int, int, int]]:
    """Runs on neighbouring rows that overlap -> (first row, last row + 1, start, end) of
    each line no thicker than `max_thickness` rows (a filled box is not a rule)."""
    open_segments: list[list[int]] = []  # first row, last row, start, end
    done: list[list[int]] = []
    for row, start, end in runs:
        done.extend(s for s in open_segments if s[1] < row - 1)
        open_segments = [s for s in open_segments if s[1] >= row - 1]
        touching = [s for s in open_segments if start < s[3] and end > s[2]]
        merged = [min([row] + [s[0] for s in touching]), row,
                  min([start] + [s[2] for s in touching]), max([end] + [s[3] for s in touching])]
        open_segments = [s for s in open_segments if s not in touching] + [merged]
    done.extend(open_segments)
    return [(first, last + 1, start, end) for first, last, start, end in done
            if last + 1 - first <= max_thickness]


def erase(pixels: np.ndarray, rules: list[Rule], margin: int) -> np.ndarray:
    """A copy of the page with the rules painted white."""
    clean = pixels.copy()
    for rule in rules:
        clean[max(rule.top - margin, 0):rule.bottom + margin, max(rule.x0 - margin, 0):rule.x1 + margin] = 255
    return clean


def rulings_to_tables(rules: list[Rule], scale: float) -> list[tuple[tuple[float, float, float, float],
                                                                       list[list[tuple | None]]]]:
    """Ruled grids -> (table box, rows of cell boxes) in points, by pdfplumber's own steps
    (merge edges, find intersections, intersections to cells, cells to tables)."""
    edges = []
    for rule in rules:
        x0, x1, top, bottom = rule.x0 * scale, rule.x1 * scale, rule.top * scale, rule.bottom * scale
        if rule.orientation == "h":
            middle = (top + bottom) / 2
            edges.append({"x0": x0, "x1": x1, "top": middle, "bottom": middle, "width": x1 - x0,
                          "height": 0.0, "orientation": "h"})
        else:
            middle = (x0 + x1) / 2
            edges.append({"x0": middle, "x1": middle, "top": top, "bottom": bottom, "width": 0.0,
                          "height": bottom - top, "orientation": "v"})
    if not any(e["orientation"] == "v" for e in edges) or not any(e["orientation"] == "h" for e in edges):
        return []
    edges = merge_edges(edges, TABLE_TOLERANCE, TABLE_TOLERANCE, TABLE_TOLERANCE, TABLE_TOLERANCE)
    cells = intersections_to_cells(edges_to_intersections(edges, TABLE_TOLERANCE, TABLE_TOLERANCE))
    tables = []
    for table_cells in cells_to_tables(cells):
        if len(table_cells) > 1:  # as the text reader: one boxed cell is a frame, not a table
            table = Table(None, table_cells)
            tables.append((table.bbox, [list(row.cells) for row in table.rows]))
    return tables


# --- Tesseract --------------------------------------------------------------------------

_THREAD_LIMIT = "OMP_THREAD_LIMIT"
_thread_limit_lock = threading.Lock()
_thread_limit_users = 0


@contextmanager
def single_threaded_tesseract() -> Iterator[None]:
    """Run Tesseract on one thread, unless the user set OMP_THREAD_LIMIT: the tesseract
    program (a child process, which inherits the environment), or libtesseract as
    tesserocr loads it (OpenMP reads the limit once, then).

    Tesseract's OpenMP threads spin while they wait; on a page-sized image that costs
    several times what it gains (3.5 s against 0.7 s a page on two cores).
    """
    global _thread_limit_users
    with _thread_limit_lock:
        ours = _thread_limit_users > 0 or _THREAD_LIMIT not in os.environ
        if ours:
            os.environ[_THREAD_LIMIT] = "1"
            _thread_limit_users += 1
    try:
        yield
    finally:
        if ours:
            with _thread_limit_lock:
                _thread_limit_users -= 1
                if _thread_limit_users == 0:
                    os.environ.pop(_THREAD_LIMIT, None)


@dataclass(frozen=True)
class Tesseract:
    """Tesseract for one language through one engine (OCR_ENGINES): the hOCR of a page
    image, the digits in a small one.

        tesseract("nld").hocr(image)  ->  b"<div class='ocr_page' ...>"
    """

    language: str
    engine: str = TESSEROCR

    def hocr(self, image: Image.Image) -> bytes:
        """Lines, words and each character's box (TESSERACT_PSM, hocr_char_boxes)."""
        if self.engine == TESSEROCR:
            api = self._api(TESSERACT_PSM, (("hocr_char_boxes", "1"),))
            set_grey_image(api, image)
            api.Recognize()
            return api.GetHOCRText(0).encode("utf-8")
        import pytesseract
        with single_threaded_tesseract():
            return pytesseract.image_to_pdf_or_hocr(image, lang=self.language, extension="hocr",
                                                    config=f"--psm {TESSERACT_PSM} -c hocr_char_boxes=1")

    def digits(self, image: Image.Image) -> str:
        """The text of a single word that may only be digits (a footnote mark)."""
        if self.engine == TESSEROCR:
            api = self._api(DIGITS_PSM, (("tessedit_char_whitelist", "0123456789"),))
            set_grey_image(api, image)
            return api.GetUTF8Text()
        import pytesseract
        with single_threaded_tesseract():
            return pytesseract.image_to_string(image, lang=self.language,
                                               config=f"--psm {DIGITS_PSM} -c tessedit_char_whitelist=0123456789")

    def _api(self, psm: int, variables: tuple[tuple[str, str], ...]):
        """This thread's TessBaseAPI for the language, mode and variables, made once:
        loading the language model costs about as much as reading a small page. One per
        thread (an API reads one image at a time) and per process (not shared across a fork)."""
        apis = _THREAD_APIS.__dict__.setdefault("apis", {})
        key = (os.getpid(), self.language, psm, variables)
        api = apis.get(key)
        if api is None:
            tesserocr = import_tesserocr()
            api = tesserocr.PyTessBaseAPI(path=tesserocr_data(self.language), lang=self.language, psm=psm)
            # The resolution it estimates is reported on stderr for every image.
            for name, value in (("debug_file", os.devnull), *variables):
                api.SetVariable(name, value)
            apis[key] = api
        return api


_THREAD_APIS = threading.local()


def set_grey_image(api, image: Image.Image) -> None:
    """Hand a grey image to a TessBaseAPI as its bare pixels.

    Bare pixels carry no resolution, so Tesseract estimates one from the text, as it does
    for the image file pytesseract writes; tesserocr's SetImage passes the image on as a
    BMP of 96 dpi, which reads some words with another confidence than the program does.
    """
    pixels = np.ascontiguousarray(np.asarray(image.convert("L")))
    api.SetImageBytes(pixels.tobytes(), image.width, image.height, 1, image.width)
DIGITS_PSM = 8  # "a single word": a footnote mark read on its own


def tesseract(language: str, engine: str | None = None) -> Tesseract:
    """Tesseract for `language` through `engine`, by default the best one installed (`ocr_engine`)."""
    engine = engine or ocr_engine(language)
    if engine not in OCR_ENGINES:
        raise ValueError(f"OCR engine must be one of {OCR_ENGINES}, not {engine!r}")
    return Tesseract(language, engine)


def tesseract_lines(image: Image.Image, reader: Tesseract, region: tuple[int, int, int, int] | None = None,
                    paragraphs: int = 0) -> list[OcrLine]:
    """Tesseract's lines with their words, from its hOCR output, in page pixels.

    `region` (x0, top, x1, bottom) reads that part of the page only; `paragraphs` is how
    many paragraph numbers earlier regions used.
    """
    if region is not None and region != (0, 0, image.width, image.height):
        image = image.crop(region)
    lines = parse_hocr(reader.hocr(image))
    dx, dy = (region[0], region[1]) if region else (0, 0)
    return [moved(line, dx, dy, paragraphs) for line in lines] if dx or dy or paragraphs else lines


def moved(line: OcrLine, dx: int, dy: int, paragraphs: int) -> OcrLine:
    """A line read from a part of the page, in the page's pixels and paragraph numbers."""
    def box(b: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        return b[0] + dx, b[1] + dy, b[2] + dx, b[3] + dy
    words = tuple(replace(w, box=box(w.box), glyphs=tuple((g, box(b)) for g, b in w.glyphs)) for w in line.words)
    return replace(line, box=box(line.box), words=words, paragraph=line.paragraph + paragraphs)


def parse_hocr(hocr: bytes) -> list[OcrLine]:
    """hOCR (XHTML) -> lines.

        <span class='ocr_line' title="bbox 172 247 1565 296; baseline -0.006 -7; x_size 42; ...">
          <span class='ocrx_word' title='bbox 172 255 399 296; x_wconf 96'>Richtingen:</span> ...
        -> OcrLine(box=(172, 247, 1565, 296), baseline=(-0.006, -7.0), text_height=42.0,
                   x_height=25.0, words=(...), paragraph=2)
    """
    lines = []
    paragraph = 0
    for element in ET.fromstring(hocr).iter():
        if element.get("class") == "ocr_par":
            paragraph += 1
        if element.get("class") not in _HOCR_LINES:
            continue
        title = hocr_title(element.get("title", ""))
        box = hocr_box(element.get("title", ""))
        words = []
        for word in element.iter():
            if word.get("class") != "ocrx_word":
                continue
            glyphs = tuple((glyph.text or "", hocr_box(glyph.get("title", ""), "x_bboxes"))
                           for glyph in word.iter() if glyph.get("class") == "ocrx_cinfo")
            text = "".join(g for g, _ in glyphs) if glyphs else "".join(word.itertext())
            if text.strip():
                word_title = hocr_title(word.get("title", ""))
                words.append(OcrWord(text.strip(), hocr_box(word.get("title", "")),
                                     float(word_title.get("x_wconf", 0)), glyphs))
        if not words:
            continue
        slope, offset = (float(v) for v in title.get("baseline", "0 0").split())
        height = float(title.get("x_size", box[3] - box[1]))
        x_height = height - float(title.get("x_ascenders", height)) - float(title.get("x_descenders", 0))
        lines.append(OcrLine(box=box, baseline=(slope, offset), text_height=height, x_height=max(x_height, 0.0),
                             words=tuple(words), paragraph=paragraph))
    return lines


def hocr_box(title: str, key: str = "bbox") -> tuple[int, int, int, int]:
    x0, top, x1, bottom = (int(v) for v in hocr_title(title)[key].split())
    return x0, top, x1, bottom


def hocr_title(title: str) -> dict[str, str]:
    """'bbox 1 2 3 4; x_wconf 96' -> {"bbox": "1 2 3 4", "x_wconf": "96"}."""
    return {key: value.strip() for key, value in _TITLE_FIELD.findall(title)}


# --- words -> the PDF reader's characters -> lines --------------------------------------

def words_to_chars(lines: list[OcrLine], dark: np.ndarray, scale: float) -> tuple[list[dict], list[float]]:
    """Tesseract's words as the PDF reader's characters (one per word), in points.

    Every word of a line gets the line's font size (text heights snapped to the page's
    few sizes) and a top and bottom from its baseline, as pdfplumber gives a character;
    a bold line gets a bold font name. Raised digits (a footnote mark, even one glued to
    the next word: "1De") become superscript digits ("¹ De"), as the reader makes them of
    a text layer's. Returns the characters and the confidences of the words kept.
    """
    weights = [line.chars for line in lines]
    sizes, step = line_sizes(lines)
    sizes = snap_sizes(sizes, weights, step)
    strokes = [stroke_width(dark, [w.box for w in line.words]) / line.text_height for line in lines]
    body_stroke = weighted_median(list(zip(strokes, weights))) if lines else 0.0
    chars, confidences = [], []
    for line, height, stroke in zip(lines, sizes, strokes):
        if height * scale < MIN_TEXT_SIZE:
            continue  # a rule's blurred edge or a speck read as letters ("EE AT A TN"), not print
        font = "OCR-Bold" if stroke > BOLD_STROKE_FACTOR * body_stroke else "OCR"
        for index, word in enumerate(line.words):
            text = word.text.strip("_")  # underscores are drawn lines (rules), not text
            if index == 0 and is_bullet(line, height):
                text = BULLET
            elif index == 0 and _COMMA_LABEL.match(text) and is_period(word, line, height):
                text = text[:-1] + "."
            elif not text or (not _HAS_ALNUM.search(text) and word.confidence < MIN_SYMBOL_CONFIDENCE):
                continue
            pieces = word_pieces(word, line, height, dark) if text == word.text else [(text, word.box, False)]
            for piece, (x0, _, x1, _), mark in pieces:
                bottom = line.baseline_at((x0 + x1) / 2) + DESCENT * height
                chars.append({"text": piece.translate(DIGIT_TO_SUPERSCRIPT) if mark else piece,
                              "x0": x0 * scale, "x1": x1 * scale, "top": (bottom - height) * scale,
                              "bottom": bottom * scale, "size": round(height * scale, 1),
                              "fontname": font, "upright": True})
            confidences.append(word.confidence)
    return chars, confidences


def reread_marks(line: OcrLine, pixels: np.ndarray, dark: np.ndarray, reader: Tesseract) -> OcrLine:
    """The line with Tesseract's unsure guesses at footnote marks read again.

    A word read with little confidence whose ink is nothing but raised marks and dots on
    the baseline is a footnote mark and its punctuation: the marks are read again on
    their own as digits, the dots are full stops (commas when they hang below).

        "(€ 663) BE"  (ink: a raised "1", a dot)  -> "(€ 663) 1."  (the "1" then becomes "¹")
    """
    words = []
    for word in line.words:
        if word.confidence < MIN_MARK_CONFIDENCE:
            word = marks_and_dots(word, line, pixels, dark, reader) or word
        words.append(word)
    return replace(line, words=tuple(words))


def marks_and_dots(word: OcrWord, line: OcrLine, pixels: np.ndarray, dark: np.ndarray,
                   reader: Tesseract) -> OcrWord | None:
    """The word read again from its pieces of ink, if they are only raised marks and dots."""
    parts = ink_parts(dark, word.box)
    size = line.text_height
    if not parts or not all(is_raised(p, line, size) or is_dot(p, line, size) for p in parts):
        return None
    glyphs: list[tuple[str, tuple[int, int, int, int]]] = []
    for part in parts:
        if is_dot(part, line, size):
            mark = "." if is_period(OcrWord(".", part, 0.0), line, size) else ","
            glyphs.append((mark, part))
        elif glyphs and glyphs[-1][0] == "" and part[0] - glyphs[-1][1][2] < 0.3 * size:
            previous = glyphs[-1][1]  # one more piece of the same raised mark
            glyphs[-1] = ("", (previous[0], min(previous[1], part[1]), part[2], max(previous[3], part[3])))
        else:
            glyphs.append(("", part))  # a raised mark, read below
    for index, (text, box) in enumerate(glyphs):
        if text == "":
            digits = read_digits(pixels, box, reader)
            if digits is None:
                return None
            glyphs[index] = (digits, box)
    return replace(word, text="".join(g for g, _ in glyphs), glyphs=tuple(glyphs))


def read_digits(pixels: np.ndarray, box: tuple[int, int, int, int], reader: Tesseract) -> str | None:
    """The digits in one small box of the page, read on their own, or None."""
    x0, top, x1, bottom = box
    margin = max(bottom - top, x1 - x0)
    crop = np.full((bottom - top + 2 * margin, x1 - x0 + 2 * margin), 255, dtype=np.uint8)
    crop[margin:margin + bottom - top, margin:margin + x1 - x0] = pixels[top:bottom, x0:x1]
    text = reader.digits(Image.fromarray(crop)).strip()
    return text if text.isdigit() else None


def is_dot(box: tuple[int, int, int, int], line: OcrLine, size: float) -> bool:
    """A speck of ink no bigger than a full stop, standing on the baseline."""
    x0, top, x1, bottom = box
    return (max(x1 - x0, bottom - top) <= MAX_DOT_SIZE * size
            and abs(line.baseline_at((x0 + x1) / 2) - bottom) <= MAX_DOT_SIZE * size)


def word_pieces(word: OcrWord, line: OcrLine, size: float,
                dark: np.ndarray) -> list[tuple[str, tuple[int, int, int, int], bool]]:
    """A word cut where raised digits (footnote marks) begin and end, each piece with its
    box and whether it is such a mark: "1pe" -> [("1", ..., True), ("pe", ..., False)].
    A "!" that is a closing quote (and full stop) is made one again.
    """
    glyphs = word.glyphs if "".join(g for g, _ in word.glyphs) == word.text else ((word.text, word.box),)
    pieces: list[tuple[str, tuple[int, int, int, int], bool]] = []
    for glyph, box in glyphs:
        if glyph == "!":
            glyph = quote_or_exclamation(box, line, size, dark)
        mark = is_raised(box, line, size) and glyph.isdigit()
        if pieces and pieces[-1][2] == mark:
            text, (x0, top, x1, bottom), _ = pieces[-1]
            pieces[-1] = (text + glyph, (min(x0, box[0]), min(top, box[1]), max(x1, box[2]), max(bottom, box[3])), mark)
        else:
            pieces.append((glyph, box, mark))
    return pieces


def quote_or_exclamation(box: tuple[int, int, int, int], line: OcrLine, size: float, dark: np.ndarray) -> str:
    """What Tesseract read as "!": a closing quote when its upper ink hangs high above the
    baseline (an exclamation mark's stroke comes down almost to its dot), with the full
    stop after it if there is one: "'de gemeente!" -> "'de gemeente’."
    """
    parts = ink_parts(dark, box)
    if not parts:
        return "!"
    upper = min(parts, key=lambda part: part[1])
    baseline = line.baseline_at((box[0] + box[2]) / 2)
    if baseline - upper[3] < QUOTE_RAISE * size or upper[3] - upper[1] > QUOTE_RAISE * size:
        return "!"
    return "\u2019" + ("." if any(is_dot(part, line, size) for part in parts if part != upper) else "")


def ink_parts(dark: np.ndarray, box: tuple[int, int, int, int]) -> list[tuple[int, int, int, int]]:
    """The separate pieces of ink inside a box, left to right, as page boxes."""
    from scipy import ndimage

    x0, top, x1, bottom = box
    labels, _ = ndimage.label(dark[top:bottom, x0:x1], structure=np.ones((3, 3)))
    return sorted((part[1].start + x0, part[0].start + top, part[1].stop + x0, part[0].stop + top)
                  for part in ndimage.find_objects(labels) if part is not None)


def is_raised(box: tuple[int, int, int, int], line: OcrLine, size: float) -> bool:
    """Ink that ends well above the baseline and is smaller than a capital: a raised mark."""
    x0, top, x1, bottom = box
    return (line.baseline_at((x0 + x1) / 2) - bottom > SUPERSCRIPT_RAISE * size
            and bottom - top < SUPERSCRIPT_HEIGHT * size)


def is_bullet(line: OcrLine, size: float) -> bool:
    """Is the line's first word a bullet, whatever Tesseract read it as?

    A single character (not a digit, not a capital: "I", "1" and "(" are text) whose ink is
    a small dot of about equal width and height, raised off the baseline like the middle
    of an "x", with a clear gap before the next word.
    """
    first = line.words[0]
    if len(first.text) != 1 or first.text.isdigit() or first.text.isupper() or len(line.words) < 2:
        return False
    x0, top, x1, bottom = first.box
    width, height = x1 - x0, bottom - top
    baseline = line.baseline_at((x0 + x1) / 2)
    return (BULLET_MIN_SIZE * size <= min(width, height) and max(width, height) <= BULLET_MAX_SIZE * size
            and baseline - bottom > 0.05 * size and top > baseline - 0.8 * size
            and line.words[1].box[0] - x1 >= BULLET_MIN_GAP * size)


def is_period(word: OcrWord, line: OcrLine, size: float) -> bool:
    """Does the word's last mark sit on the baseline (a "."), rather than hang below it (a ",")?"""
    return word.box[3] - line.baseline_at((word.box[0] + word.box[2]) / 2) < COMMA_DESCENT * size


def line_sizes(lines: list[OcrLine]) -> tuple[list[float], float]:
    """Each line's font size in pixels, from its x-height (see MIN_CALIBRATION_CHARS), and
    the step one pixel of x-height makes in it (Tesseract measures whole pixels)."""
    ratios = [(line.text_height / line.x_height, line.chars) for line in lines
              if line.x_height and line.chars >= MIN_CALIBRATION_CHARS]
    em_per_x = weighted_median(ratios) if ratios else None
    sizes = [line.x_height * em_per_x if em_per_x and line.x_height else line.text_height for line in lines]
    by_paragraph: dict[int, list[tuple[float, int]]] = {}
    for line, size in zip(lines, sizes):
        if line.chars >= MIN_SIZE_CHARS:
            by_paragraph.setdefault(line.paragraph, []).append((size, line.chars))
    for i, line in enumerate(lines):
        if line.paragraph in by_paragraph:
            usual = weighted_median(by_paragraph[line.paragraph])
            if abs(sizes[i] - usual) <= PARAGRAPH_SNAP * usual:
                sizes[i] = usual
    return sizes, em_per_x or 1.0


def snap_sizes(heights: list[float], weights: list[int], step: float = 1.0) -> list[float]:
    """Measured text heights -> the page's font sizes: heights within SIZE_SNAP of a
    heavier line's (more characters), or one measuring `step` from it, take their
    group's weighted median.

        snap_sizes([41, 42, 43, 46], [60, 50, 40, 20]) -> [42, 42, 42, 46]
    """
    snapped: list[float | None] = [None] * len(heights)
    for i in sorted(range(len(heights)), key=lambda i: -weights[i]):
        if snapped[i] is not None:
            continue
        centre = heights[i]
        for _ in range(2):  # the group's own median may take in a few more
            group = [j for j in range(len(heights)) if snapped[j] is None
                     and abs(heights[j] - centre) <= max(SIZE_SNAP * centre, step * 1.01)]
            centre = weighted_median([(heights[j], weights[j]) for j in group])
        for j in group:
            snapped[j] = centre
        snapped[i] = snapped[i] if snapped[i] is not None else heights[i]
    return [float(s) for s in snapped]


def stroke_width(dark: np.ndarray, boxes: list[tuple[int, int, int, int]]) -> float:
    """The typical width of a stroke in these word boxes: the median horizontal run of ink
    (runs across upright stems outnumber those along bars)."""
    runs = []
    for x0, top, x1, bottom in boxes:
        region = dark[top:bottom, x0:x1]
        if region.size == 0:
            continue
        edges = np.diff(np.pad(region, ((0, 0), (1, 1))).astype(np.int8), axis=1)
        _, starts = np.nonzero(edges == 1)
        _, ends = np.nonzero(edges == -1)
        runs.append(ends - starts)
    return float(np.median(np.concatenate(runs))) if runs and sum(r.size for r in runs) else 0.0


def inside(char: dict, box: tuple[float, float, float, float]) -> bool:
    x = (char["x0"] + char["x1"]) / 2
    y = (char["top"] + char["bottom"]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def fill_table(bbox: tuple[float, float, float, float], rows: list[list[tuple | None]],
               chars: list[dict]) -> tuple[tuple[float, float, float, float], tuple[tuple[str, ...], ...]]:
    """Cell boxes -> cell texts: the words inside each cell, line by line."""
    texts = []
    for row in rows:
        cells = []
        for cell in row:
            if cell is None:
                cells.append("")
                continue
            words = [c for c in chars if inside(c, cell)]
            lines = [" ".join(w["text"] for w in group) for group in chars_to_line_groups(words)]
            cells.append(join_lines(lines))
        texts.append(tuple(cells))
    return bbox, tuple(texts)


def page_lines(chars: list[dict], tables: list[tuple[tuple[float, float, float, float], tuple]],
               page_number: int, width: float) -> tuple[tuple[Line, ...], tuple[PlacedTable, ...]]:
    """The reader's own steps on the words: lines, columns, reading order."""
    boxes = [bbox for bbox, _ in tables]
    groups = chars_to_line_groups(chars)
    gutter = find_gutter(groups, boxes, width)
    lines = [chars_to_line(group, page_number, column) for column, group in reading_order(groups, gutter)]
    placed = tuple(PlacedTable(top=bbox[1], bottom=bbox[3], rows=rows,
                               column=int(gutter is not None and bbox[0] >= gutter[0]))
                   for bbox, rows in tables)
    return tuple(line for line in lines if line.text), placed
