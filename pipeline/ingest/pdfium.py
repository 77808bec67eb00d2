"""Fast first pass of the PDF reader: pdfium's characters -> the `Line`s pdfplumber's give.

    pdfium_pages(Path("aa-en-hunze-2021.pdf"), Settings(pdf_engine="pdfium")) ->
        PageContent(number=1, lines=(Line("Prestatieafspraken", page=1, size=20.0, bold=True, ...), ...)),
        PageContent(number=2, ...), ...

pdf.py reads a page's characters with pdfplumber (pdfminer, pure Python: tens of ms a
page); pdfium's text page holds them after well under a millisecond. This module makes
the same `PageContent` as pdf.py's first pass from them, so the second pass (body font,
running headers and footers, paragraphs, footnotes) is shared and unchanged:

    read_pages        pages in batches of up to PAGE_BATCH; for each page the text in
                      one call and pdfium's text runs (`text_runs`: the stretches of one
                      text object) in two or three calls a line (`page_runs_of`); then for
                      the batch each run's boxes computed from its font's advances where
                      it sits as they say, checked against a few of pdfium's boxes
                      (`batch_chars`, `run_boxes`, `GlyphBoxes`) and read one by one
                      elsewhere, and the runs (`batch_runs`)
    run_chars         the same for one page (the tests' entry)
    page_chars        the same with a box per character (`LooseBoxes`: one call each),
                      the reference the run reader is tested against
    run_styles        font, size and box height of each text object, as pdfminer measures
    page_runs         runs: consecutive characters of one text object (one font, size,
                      baseline), with what pdf.py's rules need of their characters
    runs_to_line_groups, runs_to_line
                      pdf.py's chars_to_line_groups and chars_to_line, run by run
    run_lines         the gutter of a two-column page (pdf.gutter_between on the runs'
                      line pieces) and pdf.reading_order, run by run
    ruled_page_content
                      a page with ruled lines: pdfplumber's TableFinder on pdfium's
                      paths (`page_edges`); each cell's text as its Table.extract gives
                      it (`cells_text`: extract_text's steps, for all cells at once)

Calls into pdfium go through ctypes without declared argument types (`_c_function`),
which halves their cost; numpy does the work per character, for a batch of pages at a
time (each numpy call costs about as much as a page's worth of its work), Python the
work per run.

A page leaves the run path where runs cannot promise pdfplumber's lines:
- to pdf.py's own character rules on pdfium's characters (`pdf.chars_to_content`): a
  page with runs interleaved on one line, characters of one run out of left-to-right
  order, or (two columns) a run across the middle of the gutter that pdf.py would cut
  in two (a page with tables too, its tables read as above);
- to pdfplumber itself (`pdf.read_page`, identical by construction): with engine "auto"
  a page that may hold a ruled table; a rotated or cropped page, skewed text, a page
  without text (the OCR hook), OCR of every page, and a file pdfium cannot open.

Known differences:
- pdfium drops a text object printed again a fraction of a point further on (a "bold"
  look); pdfplumber keeps both, and pdf.py's de-duplication by rounded position can
  leave letters of both ("155. Vet door duubbeel").
- A computed box lies within POSITION_TOLERANCE of pdfium's (exactly on it at a run's
  ends), so a gap within a few thousandths of a point of a threshold (a word gap, the
  gutter) may be judged otherwise than on pdfium's own box. A run of a trusted font
  whose characters are moved by amounts that cancel out between two checked characters
  would be computed that far off; a producer that kerns or spaces letters shows it in
  its first runs, which are read whole and checked, and its fonts are never trusted.
"""

from __future__ import annotations

import ctypes
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import repeat
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfminer.fontmetrics import FONT_METRICS
from pdfplumber.table import Table, TableFinder
from pdfplumber.utils.text import DEFAULT_X_TOLERANCE, DEFAULT_Y_TOLERANCE, LIGATURES, extract_text

from pipeline.errors import MissingDependencyError
from pipeline.ingest import pdf
from pipeline.ingest.pdf import (_TO_SUPERSCRIPT, MIN_GUTTER_WIDTH, SUPERSCRIPT_RISE,
                                 SUPERSCRIPT_SIZE_RATIO, WORD_GAP, Line, PageContent, PageFailure,
                                 PlacedTable)
from pipeline.settings import Settings

# pdfium gives an end-of-line hyphen as a marker, where pdfplumber reads "-".
_HYPHEN_MARKS = str.maketrans({"\ufffe": "-", "\x02": "-"})
_LIGATURES = str.maketrans(LIGATURES)  # pdfplumber writes a word's ligatures out in full
# Code point -> does str.isspace() call it white space? (None lies above U+3000.)
_IS_SPACE = np.array([chr(c).isspace() for c in range(0x3002)], dtype=bool)


def _c_function(name: str, restype=ctypes.c_int):
    """pdfium's function `name`, declared without argument types.

    The pypdfium2.raw wrappers check and convert every argument; the calls made per
    character or per text object take less than half the time when ctypes passes the
    arguments as they are. So a pointer argument must be a ctypes object
    (`ctypes.c_void_p(handle)`, `ctypes.byref(struct)`): a plain int passes as a C int.
    """
    address = ctypes.cast(getattr(pdfium_c, name), ctypes.c_void_p).value
    function = ctypes.CFUNCTYPE(restype)(address)
    function.argtypes = None
    return function


class _Pointer(ctypes.c_void_p):
    """A pointer result kept as a ctypes object, ready to pass on (a plain c_void_p result
    becomes an int)."""


def _handle(wrapper) -> ctypes.c_void_p:
    """The raw pointer of a pypdfium2 page or text page, as `_c_function`s take it."""
    return ctypes.c_void_p(ctypes.cast(wrapper.raw, ctypes.c_void_p).value)


def _out_buffer(size: int) -> tuple[bytearray, object]:
    """Zeroed bytes for pdfium to write into, and the pointer to pass it. (A ctypes buffer
    of a size not seen before costs ten times as much: its type is made anew.)"""
    buffer = bytearray(max(size, 1))
    return buffer, ctypes.byref(ctypes.c_char.from_buffer(buffer))


_count_chars = _c_function("FPDFText_CountChars")
_get_text = _c_function("FPDFText_GetText")
_get_unicode = _c_function("FPDFText_GetUnicode", ctypes.c_uint)
_text_object = _c_function("FPDFText_GetTextObject", ctypes.c_size_t)  # 0: generated
_loose_box = _c_function("FPDFText_GetLooseCharBox", None)  # its result (success) goes unread
_count_rects = _c_function("FPDFText_CountRects")
_char_origin = _c_function("FPDFText_GetCharOrigin")
_char_matrix = _c_function("FPDFText_GetMatrix")
_object_font_size = _c_function("FPDFTextObj_GetFontSize")
_object_font = _c_function("FPDFTextObj_GetFont", ctypes.c_size_t)
_font_name = _c_function("FPDFFont_GetBaseFontName", ctypes.c_ulong)
_font_descent = _c_function("FPDFFont_GetDescent")
_font_embedded = _c_function("FPDFFont_GetIsEmbedded")
_count_page_objects = _c_function("FPDFPage_CountObjects")
_page_object = _c_function("FPDFPage_GetObject", _Pointer)
_object_type = _c_function("FPDFPageObj_GetType")
_object_matrix = _c_function("FPDFPageObj_GetMatrix")
_count_form_objects = _c_function("FPDFFormObj_CountObjects")
_form_object = _c_function("FPDFFormObj_GetObject", _Pointer)
_count_segments = _c_function("FPDFPath_CountSegments")
_path_segment = _c_function("FPDFPath_GetPathSegment", _Pointer)
_segment_point = _c_function("FPDFPathSegment_GetPoint")
_segment_type = _c_function("FPDFPathSegment_GetType")
_segment_closes = _c_function("FPDFPathSegment_GetClose")
_glyph_width = _c_function("FPDFFont_GetGlyphWidth")


class _NeedsPdfplumber(Exception):
    """This page is read by pdfplumber after all (skewed text, an unusual page box)."""


class _CharRules(Exception):
    """This page needs pdf.py's character rules: runs would not give pdfplumber's lines."""


@dataclass(frozen=True)
class PageChars:
    """A page's characters as pdfium has them, generated spaces and line breaks left out.

    Character k reads `text[k]`, spans `x0[k]`..`x1[k]` (points from the left) and
    belongs to text object `obj[k]`; `index[k]` is its index in pdfium's text page.
    """

    text: str
    x0: np.ndarray
    x1: np.ndarray
    obj: np.ndarray
    index: np.ndarray

    def subset(self, keep: np.ndarray) -> PageChars:
        """The characters where `keep` (a boolean array) holds."""
        codes = np.frombuffer(self.text.encode("utf-32-le"), dtype=np.uint32)[keep]
        return PageChars(text=codes.tobytes().decode("utf-32-le"), x0=self.x0[keep], x1=self.x1[keep],
                         obj=self.obj[keep], index=self.index[keep])


class RunStyle(NamedTuple):
    """What all characters of one text object share, measured as pdfminer measures."""

    size: float  # the height of a character box: font size times the vertical scale
    font: str
    bold: bool
    top: float  # of a character box, from the top of the page
    bottom: float
    upright: bool
    # Which glyph boxes its characters have (`GlyphBoxes`): font handle and name, font
    # size, horizontal scale; None for text that is not upright.
    glyphs: tuple | None = None


class Run(NamedTuple):
    """Characters start..end-1 of a page (`PageChars` positions): one text object, one line."""

    start: int
    end: int
    style: RunStyle
    top: float  # the style's, at hand for sorting
    bottom: float
    text: str  # the printed characters, each stretch of white space made one space
    lead_space: bool  # starts with white space
    trail_space: bool
    printed: int  # characters that are not white space, a ligature's letters once
    x0: float  # leftmost and rightmost edge of a printed character
    x1: float
    first_x0: float  # left edge of the first printed character, right edge of the last one
    last_x1: float
    min_x0: float  # of every character, white space included: pdfplumber orders by x0
    max_x0: float
    widest_touch: float  # widest gap between two printed characters with no white space between
    pieces: tuple[tuple[float, float, float], ...]  # (first x0, last x1, max x1) between gaps of a gutter's width


# --- the pages ---------------------------------------------------------------------

def pdfium_pages(path: Path, settings: Settings) -> Iterator[PageContent | PageFailure]:
    """Each page's lines and tables read from pdfium where it can stand in for pdfplumber,
    by pdfplumber elsewhere; or why the page could not be read. Pages are read in batches
    of up to PAGE_BATCH (`read_pages`) and closed once their batch is read.

    A page that may hold a ruled table goes to pdfplumber with settings.pdf_engine "auto";
    with "pdfium", pdfplumber's table finder reads pdfium's paths and characters instead.
    A file pdfium cannot open goes to pdfplumber whole, so a broken or encrypted file
    fails with the reference reader's own message; so does OCR of every page.
    """
    if settings.ocr == "always":
        yield from pdf.plumber_pages(path, settings)
        return
    try:
        document = pdfium.PdfDocument(path)
    except pdfium.PdfiumError:
        yield from pdf.plumber_pages(path, settings)
        return
    fallback = _PlumberPages(path, settings)
    boxes, glyphs = LooseBoxes(), GlyphBoxes()
    try:
        if len(document) == 0:
            yield from pdf.plumber_pages(path, settings)
            return
        for indices in page_batches(len(document)):
            yield from read_pages(document, indices, fallback, settings.pdf_engine == "pdfium", boxes, glyphs)
    finally:
        fallback.close()
        document.close()


class _PlumberPages:
    """pdfplumber's reading of single pages, the file opened on first need."""

    def __init__(self, path: Path, settings: Settings):
        self.path, self.settings = path, settings
        self.document = None

    def read(self, index: int) -> PageContent:
        if self.document is None:
            self.document = pdf.open_pdf(self.path)
        page = self.document.pages[index]
        try:
            return pdf.read_page(page, self.settings)
        finally:
            page.close()

    def close(self) -> None:
        if self.document is not None:
            self.document.close()


def read_pages(document: pdfium.PdfDocument, indices: list[int], fallback: _PlumberPages,
               tables_by_pdfium: bool, boxes: LooseBoxes, glyphs: GlyphBoxes) -> list[PageContent | PageFailure]:
    """Some pages' lines (and tables) from pdfium, or from pdfplumber where pdfium cannot
    promise the same, or why a page could not be read; their boxes are worked out together
    (`batch_chars`). `boxes` is the document's buffer for character boxes, `glyphs` what
    its pages so far showed of its fonts."""
    contents: dict[int, PageContent | PageFailure] = {}
    opened: list[_OpenPage] = []
    try:
        for index in indices:
            content = failing_softly(index, lambda: open_page(document, index, fallback, tables_by_pdfium, glyphs))
            if isinstance(content, _OpenPage):
                opened.append(content)
            else:
                contents[index] = content
        try:
            chars = batch_chars([page.runs for page in opened], boxes, glyphs) if opened else []
        except MissingDependencyError:
            raise
        except Exception:  # noqa: BLE001 - read them one by one: only the page at fault fails
            chars = [failing_softly(page.index, lambda: batch_chars([page.runs], boxes, glyphs)[0])
                     for page in opened]
    finally:
        for page in opened:
            page.textpage.close()
            page.page.close()
    made = failing_softly(-1, lambda: runs_by_page(opened, chars))
    for page, page_chars, runs in zip(opened, chars, made if isinstance(made, list) else repeat(None)):
        contents[page.index] = page_chars if isinstance(page_chars, PageFailure) else failing_softly(
            page.index, lambda: page_content(page, page_chars, fallback, runs))
    return [contents[index] for index in indices]


def runs_by_page(pages: list[_OpenPage], chars: list[PageChars | PageFailure]
                 ) -> list[tuple[PageChars, list[Run]] | None]:
    """The runs of each page that is read run by run (no ruled lines, no characters going
    backwards), made for all of them at once (`batch_runs`), with the characters they
    index; None for the others."""
    wanted = [k for k, (page, page_chars) in enumerate(zip(pages, chars))
              if not page.ruled and not isinstance(page_chars, PageFailure)]
    made: list[tuple[PageChars, list[Run]] | None] = [None] * len(pages)
    if not wanted:
        return made
    together = PageChars(text="".join(chars[k].text for k in wanted),
                         x0=np.concatenate([chars[k].x0 for k in wanted]),
                         x1=np.concatenate([chars[k].x1 for k in wanted]),
                         obj=np.concatenate([chars[k].obj for k in wanted]),
                         index=np.concatenate([chars[k].index for k in wanted]))
    styles = {obj: style for k in wanted for obj, style in pages[k].runs.styles.items()}
    runs, backwards = batch_runs(together, styles)
    begins = np.cumsum([len(chars[k].text) for k in wanted])
    page_of = np.searchsorted(begins, [run.start for run in runs], side="right")
    for position, k in enumerate(wanted):
        mine = np.flatnonzero(page_of == position)
        if not backwards[mine].any():
            made[k] = together, [runs[at] for at in mine.tolist()]
    return made


def failing_softly(index: int, read):
    """What `read()` gives, or the failure of page `index` when it raises."""
    try:
        return read()
    except MissingDependencyError:
        raise
    except Exception as error:  # noqa: BLE001 - whatever pdfium hit: skip the page, say so
        return PageFailure(index + 1, pdf.short_reason(error))


@dataclass
class _OpenPage:
    """A page read by pdfium, open until its characters' boxes are read."""

    index: int
    page: pdfium.PdfPage
    textpage: pdfium.PdfTextPage
    width: float
    height: float
    edges: list[dict]
    ruled: bool
    runs: TextRuns


def open_page(document: pdfium.PdfDocument, index: int, fallback: _PlumberPages, tables_by_pdfium: bool,
              glyphs: GlyphBoxes) -> _OpenPage | PageContent:
    """A page with its text runs, ready for its boxes; or pdfplumber's reading of it where
    pdfium cannot stand in (an unusual page box, ruled lines with engine "auto", skewed
    text, no text layer: pdfplumber's reader has the OCR hook)."""
    page = document[index]
    textpage = None
    try:
        width, height = plain_page_size(page)
        if width is None:
            return fallback.read(index)
        edges = page_edges(page, height)
        ruled = may_hold_ruled_table(edges)
        if ruled and not tables_by_pdfium:
            return fallback.read(index)
        textpage = page.get_textpage()
        try:
            runs = page_runs_of(textpage, height, glyphs)
        except _NeedsPdfplumber:
            return fallback.read(index)
        if not len(runs.text):
            return fallback.read(index)
        opened = _OpenPage(index, page, textpage, width, height, edges, ruled, runs)
        textpage = page = None  # read_pages closes them
        return opened
    finally:
        if textpage is not None:
            textpage.close()
        if page is not None:
            page.close()


def page_content(page: _OpenPage, chars: PageChars, fallback: _PlumberPages,
                 runs: tuple[PageChars, list[Run]] | None = None) -> PageContent:
    """The lines (and tables) of a page read by pdfium, once its characters (and maybe its
    runs, `runs_by_page`) are known."""
    number, styles = page.index + 1, page.runs.styles
    if page.ruled:
        content = ruled_page_content(chars, styles, page.edges, number, page.width, page.height)
    else:
        lines = page_lines(chars, styles, number, page.width, page.height, runs)
        content = PageContent(number=number, width=page.width, height=page.height, lines=tuple(lines), tables=())
    if not content.lines and not content.tables:  # only rotated text: pdfplumber tries OCR
        return fallback.read(page.index)
    return content


def page_batches(count: int) -> Iterator[list[int]]:
    """Page indexes 0..count-1 in batches of 1, 2, 4, ... up to PAGE_BATCH: the first pages
    teach the fonts to the next ones."""
    start, size = 0, 1
    while start < count:
        yield list(range(start, min(start + size, count)))
        start += size
        size = min(2 * size, PAGE_BATCH)


def plain_page_size(page: pdfium.PdfPage) -> tuple[float, float] | tuple[None, None]:
    """(width, height) of an unrotated page whose boxes start at the origin, else (None, None).

    pdfplumber measures from the media box and turns rotated pages; only a plain page has
    the same coordinates in both readers.
    """
    mediabox = page.get_mediabox()
    if page.get_rotation() or mediabox[:2] != (0.0, 0.0) or page.get_cropbox() != mediabox:
        return None, None
    return float(mediabox[2]), float(mediabox[3])


# --- ruled lines --------------------------------------------------------------------

def page_edges(page: pdfium.PdfPage, height: float) -> list[dict]:
    """The page's painted paths as pdfplumber's `page.edges`, from pdfium's path objects.

    pdfminer makes a two-point path a line, whose edge is "h" when level and "v"
    otherwise; any other path yields an edge between each two consecutive points (a
    rectangle's four sides), "h", "v" or unoriented. Points are those pdfminer keeps: the
    end of each segment (not a curve's control points) and the start again on closing.
    """
    edges: list[dict] = []
    handle = _handle(page)
    pending = [(_page_object(handle, i), _IDENTITY) for i in range(_count_page_objects(handle))]
    matrix = pdfium_c.FS_MATRIX()
    matrix_at = ctypes.byref(matrix)
    while pending:
        obj, outer = pending.pop()
        kind = _object_type(obj)
        if kind != pdfium_c.FPDF_PAGEOBJ_PATH and kind != pdfium_c.FPDF_PAGEOBJ_FORM:
            continue
        _object_matrix(obj, matrix_at)
        transform = _compose((matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f), outer)
        if kind == pdfium_c.FPDF_PAGEOBJ_FORM:
            pending.extend((_form_object(obj, ctypes.c_ulong(i)), transform) for i in range(_count_form_objects(obj)))
            continue
        for shape, points in subpaths(obj):
            points = [_apply(transform, point, height) for point in points]
            edges.extend(subpath_edges(shape, points))
    return edges


_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _compose(inner: tuple[float, ...], outer: tuple[float, ...]) -> tuple[float, ...]:
    """The matrix applying `inner`, then `outer` (PDF order: row vector times matrix)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _apply(matrix: tuple[float, ...], point: tuple[float, float], height: float) -> tuple[float, float]:
    """A point in page space, measured as pdfplumber does: (x, distance from the top)."""
    a, b, c, d, e, f = matrix
    x, y = point
    return (a * x + c * y + e, height - (b * x + d * y + f))


def subpaths(path) -> Iterator[tuple[str, list[tuple[float, float]]]]:
    """A path object's subpaths as pdfminer sees them: ("mlllh", the five points of a box).

    pdfium stores a curve segment as three points (two control points and the end);
    pdfminer keeps only the end, and a closed subpath gets its start point once more.
    """
    x, y = ctypes.c_float(), ctypes.c_float()
    x_at, y_at = ctypes.byref(x), ctypes.byref(y)
    shape, points, start, curve_points = "", [], (0.0, 0.0), 0
    for i in range(_count_segments(path)):
        segment = _path_segment(path, i)
        _segment_point(segment, x_at, y_at)
        point = (x.value, y.value)
        kind = _segment_type(segment)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            if len(shape) > 1:
                yield shape, points
            shape, points, start, curve_points = "m", [point], point, 0
            continue
        if kind == pdfium_c.FPDF_SEGMENT_BEZIERTO:
            curve_points += 1
            if curve_points % 3:
                continue
            shape += "c"
        else:
            shape += "l"
        points.append(point)
        if _segment_closes(segment):
            shape += "h"
            points.append(start)
    if len(shape) > 1:
        yield shape, points


def subpath_edges(shape: str, points: list[tuple[float, float]]) -> list[dict]:
    """pdfminer's line, rectangle or curve for one subpath -> pdfplumber's edges of it."""
    if len(shape) > 3 and shape.endswith("lh") and points[-2] == points[0]:
        shape, points = shape[:-2] + "h", points[:-1]  # a redundant "l" back to the start
    if shape in ("ml", "mlh"):
        (x0, y0), (x1, y1) = points[:2]
        return [_edge(x0, y0, x1, y1, "h" if y0 == y1 else "v")]
    return [_edge(x0, y0, x1, y1, "v" if x0 == x1 else "h" if y0 == y1 else None)
            for (x0, y0), (x1, y1) in zip(points, points[1:])]


def _edge(xa: float, ya: float, xb: float, yb: float, orientation: str | None) -> dict:
    top, bottom = min(ya, yb), max(ya, yb)
    return {"object_type": "curve_edge", "x0": min(xa, xb), "x1": max(xa, xb), "top": top, "doctop": top,
            "bottom": bottom, "width": abs(xa - xb), "height": bottom - top, "orientation": orientation}


def may_hold_ruled_table(edges: list[dict]) -> bool:
    """Could pdfplumber's table finder see a table of two or more cells in these edges?

    Two cells need at least two ruled lines one way and three the other, so a header
    rule and a footnote rule settle most pages without running the finder.
    """
    horizontal = sum(edge["orientation"] == "h" for edge in edges)
    vertical = sum(edge["orientation"] == "v" for edge in edges)
    return min(horizontal, vertical) >= 2 and max(horizontal, vertical) >= 3


@dataclass(frozen=True)
class _TableSource:
    """What pdfplumber's TableFinder reads of a page: its edges (and characters, unused
    by the "lines" strategy)."""

    edges: list[dict]
    chars: list[dict]


@dataclass(frozen=True)
class _ReadTable:
    """A table pdfplumber's finder found, its cells' text already read: what
    pdf.chars_to_content asks of pdfplumber's `Table` (bbox, extract())."""

    bbox: tuple[float, float, float, float]
    cells: list[list[str | None]]

    def extract(self) -> list[list[str | None]]:
        return self.cells


def ruled_page_content(chars: PageChars, styles: dict[int, RunStyle], edges: list[dict], number: int,
                       width: float, height: float) -> PageContent:
    """A page with ruled lines: pdfplumber's table finder on pdfium's paths, the cells'
    text from pdfium's characters, the lines around the tables as on any other page."""
    found = [table for table in TableFinder(_TableSource(edges, [])).tables if len(table.cells) > 1]
    placed = CharPlaces(chars, styles)
    tables = [_ReadTable(table.bbox, table_cells(table, placed)) for table in found]
    boxes = [table.bbox for table in tables]
    try:
        lines, gutter = run_lines(chars.subset(~placed.in_boxes(boxes)), styles, number, width, boxes)
    except _CharRules:
        return pdf.chars_to_content(char_dicts(chars, styles), tables, number, width, height)
    return PageContent(number=number, width=width, height=height, lines=tuple(lines),
                       tables=tuple(PlacedTable(top=table.bbox[1], bottom=table.bbox[3], rows=pdf.table_rows(table.cells),
                                                column=int(gutter is not None and table.bbox[0] >= gutter[0]))
                                    for table in tables))


class CharPlaces:
    """Where each character of a page stands, as pdfplumber's table code measures it."""

    def __init__(self, chars: PageChars, styles: dict[int, RunStyle]):
        self.chars, self.styles = chars, styles
        objects, of_object = np.unique(chars.obj, return_inverse=True)
        object_styles = [styles[obj] for obj in objects.tolist()]
        self.top = np.array([style.top for style in object_styles])[of_object]
        self.middle = np.array([(style.top + style.bottom) / 2 for style in object_styles])[of_object]
        self.upright = np.array([style.upright for style in object_styles], dtype=bool)[of_object]
        self.centre = (chars.x0 + chars.x1) / 2
        self.codes = np.frombuffer(chars.text.encode("utf-32-le"), dtype=np.uint32)

    def in_box(self, box: tuple[float, float, float, float]) -> np.ndarray:
        """Does each character's centre lie in the box (x0, top, x1, bottom), edges included?"""
        x0, top, x1, bottom = box
        return (x0 <= self.centre) & (self.centre <= x1) & (top <= self.middle) & (self.middle <= bottom)

    def in_boxes(self, boxes: list[tuple[float, float, float, float]]) -> np.ndarray:
        """pdf.inside_any for every character at once."""
        inside = np.zeros(len(self.centre), dtype=bool)
        for box in boxes:
            inside |= self.in_box(box)
        return inside


def table_cells(table: Table, placed: CharPlaces) -> list[list[str | None]]:
    """pdfplumber's Table.extract() on pdfium's characters: each row's cells, None where a
    row has no cell; a cell's characters are those whose centre lies in its row's box and
    in its own (left and top edges in, right and bottom edges out). Their text comes from
    `cells_text`, for all cells at once."""
    near = np.flatnonzero(placed.in_box(table.bbox))
    rows = table.rows
    slots = [(at, column, row.bbox, cell) for at, row in enumerate(rows)
             for column, cell in enumerate(row.cells) if cell is not None]
    texts: list[list[str | None]] = [[None] * len(row.cells) for row in rows]
    if not slots:
        return texts
    centre, middle = placed.centre[near], placed.middle[near]
    inside = np.ones((len(slots), len(near)), dtype=bool)
    for boxes in (np.array([row_box for _, _, row_box, _ in slots]), np.array([cell for _, _, _, cell in slots])):
        x0, top, x1, bottom = (boxes[:, [side]] for side in range(4))
        inside &= (centre >= x0) & (centre < x1) & (middle >= top) & (middle < bottom)
    cell, char = np.nonzero(inside)  # by cell, each cell's characters in page order
    for (at, column, _, _), text in zip(slots, cells_text(placed, cell, near[char], len(slots))):
        texts[at][column] = text
    return texts


def cells_text(placed: CharPlaces, cell: np.ndarray, chars: np.ndarray, count: int) -> list[str]:
    """pdfplumber's extract_text (default settings) of each of `count` cells: cell[k]
    holds chars[k], each cell's characters in page order.

    Its steps, for all cells at once: lines of characters whose tops chain within the y
    tolerance, each line left to right by x0; words that end at white space, a line's
    end, a step back or a gap beyond the x tolerance; the words put in lines again by
    their tops; words joined by spaces, lines by line breaks. A cell with a character
    that is not upright goes to extract_text itself.
    """
    texts = [""] * count
    slanted = ~placed.upright[chars]
    if slanted.any():
        odd = np.unique(cell[slanted])
        for at in odd.tolist():
            keep = np.zeros(len(placed.chars.text), dtype=bool)
            keep[chars[cell == at]] = True
            texts[at] = extract_text(char_dicts(placed.chars.subset(keep), placed.styles))
        upright_cells = ~np.isin(cell, odd)
        chars, cell = chars[upright_cells], cell[upright_cells]
    line = chain_clusters(cell, placed.top[chars])
    order = np.lexsort((placed.chars.x0[chars], line))  # stable: ties keep page order
    chars, line, cell = chars[order], line[order], cell[order]
    x0, x1, top = placed.chars.x0[chars], placed.chars.x1[chars], placed.top[chars]
    white = white_codes(placed.codes[chars])
    new_word = np.ones(len(chars), dtype=bool)
    new_word[1:] = (white[:-1] | (line[1:] != line[:-1]) | (x0[1:] < x0[:-1])
                    | (x0[1:] > x1[:-1] + DEFAULT_X_TOLERANCE) | (np.abs(top[1:] - top[:-1]) > DEFAULT_Y_TOLERANCE))
    printed = np.flatnonzero(~white)
    if not len(printed):
        return texts
    starts = np.flatnonzero(new_word[printed])
    letters = placed.codes[chars[printed]].tobytes().decode("utf-32-le")
    bounds = [*starts.tolist(), len(printed)]
    words = [letters[a:b] for a, b in zip(bounds, bounds[1:])]
    word_cell = cell[printed][starts]
    word_line = chain_clusters(word_cell, np.minimum.reduceat(top[printed], starts))
    lines: dict[int, list[list[str]]] = {}
    previous_line = None
    word_line, word_cell = word_line.tolist(), word_cell.tolist()
    for at in sorted(range(len(words)), key=word_line.__getitem__):
        if word_line[at] != previous_line:
            previous_line = word_line[at]
            lines.setdefault(word_cell[at], []).append([])
        lines[word_cell[at]][-1].append(words[at])
    for at, cell_lines in lines.items():
        texts[at] = "\n".join(" ".join(line_words) for line_words in cell_lines).translate(_LIGATURES)
    return texts


def chain_clusters(group: np.ndarray, values: np.ndarray) -> np.ndarray:
    """pdfplumber's make_cluster_dict(values, DEFAULT_Y_TOLERANCE) within each group, for
    all groups at once: an id per element, in order of (group, value).

    In a group, distinct values in ascending order share a cluster while each is within
    the tolerance of the one before.
    """
    order = np.lexsort((values, group))
    group, values = group[order], values[order]
    distinct = np.ones(len(order), dtype=bool)
    distinct[1:] = (group[1:] != group[:-1]) | (values[1:] != values[:-1])
    group, values = group[distinct], values[distinct]
    new_cluster = np.ones(len(values), dtype=bool)
    new_cluster[1:] = (group[1:] != group[:-1]) | (values[1:] > values[:-1] + DEFAULT_Y_TOLERANCE)
    ids = np.empty(len(order), dtype=np.int64)
    ids[order] = (np.cumsum(new_cluster) - 1)[np.cumsum(distinct) - 1]
    return ids


# --- characters ---------------------------------------------------------------------

def page_chars(textpage: pdfium.PdfTextPage, boxes: LooseBoxes | None = None) -> tuple[PageChars, dict[int, int]]:
    """The page's characters in pdfium's order, and for each text object its first character.

    The text comes in one call and each character's box in one call. Which text object a
    character belongs to is asked only where needed: pdfium's own spaces and line breaks
    (no object) have empty boxes, and a stretch of characters on one baseline is one
    object when its first and last printed characters are and pdfium counts one
    rectangle for it (`FPDFText_CountRects` starts a rectangle at each new object).
    """
    handle = _handle(textpage)
    count = _count_chars(handle)
    text = page_text(handle, count)
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    boxes = (boxes or LooseBoxes()).read(handle, count)
    objects, first_chars = text_objects(handle, codes, boxes)
    kept = np.flatnonzero(objects)
    kept_text = codes[kept].tobytes().decode("utf-32-le")
    if "\ufffe" in kept_text or "\x02" in kept_text:
        kept_text = kept_text.translate(_HYPHEN_MARKS)
    chars = PageChars(text=kept_text, x0=boxes[kept, 0].astype(np.float64), x1=boxes[kept, 2].astype(np.float64),
                      obj=objects[kept], index=kept)
    return chars, first_chars


# --- characters, run by run ---------------------------------------------------------

# Where a character's box is computed rather than read, it must agree with pdfium's
# (float32) within this many points at every place it is checked.
POSITION_TOLERANCE = 2e-3
# Pages whose boxes are worked out together, at most (they are open meanwhile).
PAGE_BATCH = 16
# A face's boxes are computed once this many runs of at least TRUST_RUN_LENGTH characters,
# read character by character, sat exactly as its advances say.
TRUSTED_AFTER = 3
TRUST_RUN_LENGTH = 10
# Characters at or above this code point are always read (the tables stay small).
GLYPH_CODE_LIMIT = 0x2100
_SPACE = ord(" ")
# A font may print "f" and one of these letters as one glyph (fi, fl, ff, ffi, ft, ...):
# pdfium then gives both letters the glyph's box, which a run's advances cannot foresee.
_LIGATURE_FIRST = ord("f")
_LIGATURE_SECOND = np.zeros(GLYPH_CODE_LIMIT, dtype=bool)
_LIGATURE_SECOND[[ord(c) for c in "fijltbhk"]] = True


def run_chars(textpage: pdfium.PdfTextPage, page_height: float, boxes: LooseBoxes,
              glyphs: GlyphBoxes) -> tuple[PageChars, dict[int, RunStyle]]:
    """`page_chars` and `run_styles` of a page, without a call per character.

        run_chars(textpage, 595.3, boxes, glyphs) ->
            (PageChars(text="12. De Volmacht hanteert ...", x0=[42.0, 48.4, ...], ...),
             {obj: RunStyle(size=10.0, font="BitstreamVeraSans-Roman", ...), ...})

    The text, its runs and their styles come from `page_runs_of`, the boxes from
    `batch_chars`. The result equals page_chars' to within POSITION_TOLERANCE, and
    exactly at each run's ends.
    """
    page = page_runs_of(textpage, page_height, glyphs)
    return batch_chars([page], boxes, glyphs)[0], page.styles


class TextRuns(NamedTuple):
    """What one text page says of its runs before any box is asked (`page_runs_of`)."""

    handle: ctypes.c_void_p  # of the text page, open while its boxes are read
    text: str  # the kept characters (PageChars.text)
    index: np.ndarray  # each kept character's index in the text page
    codes: np.ndarray  # each kept character's code point
    obj: np.ndarray  # each kept character's text object
    starts: np.ndarray  # where each run begins among the kept characters
    faces: np.ndarray  # each run's face (`GlyphBoxes`)
    styles: dict[int, RunStyle]


def page_runs_of(textpage: pdfium.PdfTextPage, page_height: float, glyphs: GlyphBoxes) -> TextRuns:
    """A page's text in one call, pdfium's text runs (the stretches of one text object,
    `text_runs`) in two or three calls a line and their styles in a few calls a text
    object."""
    handle = _handle(textpage)
    text = page_text(handle, _count_chars(handle))
    runs = text_runs(handle, text)
    if not runs:
        nothing = np.empty(0, dtype=np.int64)
        return TextRuns(handle, "", nothing, nothing.astype(np.uint32), nothing.astype(np.uint64), nothing, nothing, {})
    starts, ends, objects = (np.array(column, dtype=np.int64) for column in zip(*runs))
    first_chars: dict[int, int] = {}
    for start, obj in zip(starts.tolist(), objects.tolist()):
        first_chars.setdefault(obj, start)
    styles = run_styles(textpage, first_chars, page_height)
    lengths = ends - starts
    offsets = np.cumsum(lengths) - lengths
    run_of = np.repeat(np.arange(len(runs)), lengths)
    index = np.arange(len(run_of)) + (starts - offsets)[run_of]
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)[index]
    kept_text = codes.tobytes().decode("utf-32-le")
    if "\ufffe" in kept_text or "\x02" in kept_text:
        kept_text = kept_text.translate(_HYPHEN_MARKS)
        codes = np.frombuffer(kept_text.encode("utf-32-le"), dtype=np.uint32)
    faces = {obj: glyphs.face(style.glyphs) for obj, style in styles.items()}
    return TextRuns(handle, kept_text, index, codes, objects[run_of].astype(np.uint64), offsets,
                    np.array([faces[obj] for obj in objects.tolist()], dtype=np.int64), styles)


def batch_chars(pages: list[TextRuns], boxes: LooseBoxes, glyphs: GlyphBoxes) -> list[PageChars]:
    """The characters of several pages' runs, their boxes worked out together
    (`run_boxes`): numpy then costs a call per batch of pages, not per page."""
    sizes = [len(page.codes) for page in pages]
    offsets = np.cumsum(sizes) - sizes
    codes = np.concatenate([page.codes for page in pages])
    starts = np.concatenate([page.starts + offset for page, offset in zip(pages, offsets)])
    ends = np.append(starts[1:], len(codes))
    run_of = np.repeat(np.arange(len(starts)), ends - starts)
    text = BatchText([page.handle for page in pages], offsets, np.concatenate([page.index for page in pages]))
    x0, x1 = run_boxes(text, codes, starts, ends, run_of, np.concatenate([page.faces for page in pages]), boxes,
                       glyphs)
    return [PageChars(text=page.text, x0=x0[offset:offset + size], x1=x1[offset:offset + size], obj=page.obj,
                      index=page.index) for page, offset, size in zip(pages, offsets.tolist(), sizes)]


class BatchText:
    """The kept characters of text pages read together, one page after the other: page p's
    begin at offsets[p] and are characters index[...] of text page handles[p]."""

    def __init__(self, handles: list[ctypes.c_void_p], offsets: np.ndarray, index: np.ndarray):
        self.handles, self.offsets, self.index = handles, offsets, index

    def pages(self, at: np.ndarray) -> Iterator[tuple[ctypes.c_void_p, np.ndarray]]:
        """The sorted positions `at` page by page: (handle, positions)."""
        if len(self.handles) == 1:
            yield self.handles[0], at
            return
        page_of = np.searchsorted(self.offsets, at, side="right") - 1
        cuts = np.flatnonzero(page_of[1:] != page_of[:-1]) + 1
        for part in np.split(at, cuts):
            if len(part):
                yield self.handles[int(page_of[np.searchsorted(at, part[0])])], part

    def read(self, at: np.ndarray, boxes: LooseBoxes, x0: np.ndarray, x1: np.ndarray) -> None:
        """Put pdfium's boxes of the characters `at` (sorted positions) into x0 and x1."""
        for handle, part in self.pages(at):
            read = boxes.read_at(handle, self.index[part].tolist())
            x0[part], x1[part] = read[:, 0], read[:, 2]


def text_runs(handle: ctypes.c_void_p, text: str) -> list[tuple[int, int, int]]:
    """pdfium's characters as (start, end, text object) stretches in text page order,
    without the line breaks and spaces pdfium generates between text objects (they
    belong to none).

    pdfium puts the characters of one text object one after the other, so a line (up to
    a line break) is one object when its first and last characters are; in a line of
    several, where each object's characters end is found by halving.
    """
    objects: dict[int, int] = {}

    def object_at(i: int) -> int:
        obj = objects.get(i)
        if obj is None:
            obj = objects[i] = _text_object(handle, i)
        return obj

    runs: list[list[int]] = []
    line_start = 0
    while line_start < len(text):
        line_end = text.find("\r\n", line_start)
        if line_end < 0:
            line_end = len(text)
        at = line_start
        while at < line_end:
            obj = object_at(at)
            if not obj:  # generated by pdfium between two objects
                at += 1
                continue
            if object_at(line_end - 1) == obj:
                end = line_end
            else:  # obj's characters run from `at` to before the first one that is not obj's
                low, high = at + 1, line_end - 1
                while low < high:
                    middle = (low + high) // 2
                    if object_at(middle) == obj:
                        low = middle + 1
                    else:
                        high = middle
                end = low
            if runs and runs[-1][2] == obj and runs[-1][1] == at - 2 and at == line_start:
                runs[-1][1] = end  # a line break printed within the object's own text
            else:
                runs.append([at, end, obj])
            at = end
        line_start = line_end + 2
    return [(start, end, obj) for start, end, obj in runs]


class GlyphBoxes:
    """What the loose boxes of a document's characters look like, learnt page by page: per
    font, font size and horizontal scale (a "face") and character, the advance to the next
    character's origin and the box's left and right edge from the character's own origin
    (a "j" reaches left of its origin, an "f" right of its advance).

    The advance comes from the font (`FPDFFont_GetGlyphWidth`), the edges from the first
    box pdfium gives the character in that face. A face is trusted, and its boxes
    computed, after TRUSTED_AFTER of its runs read character by character sat exactly as
    these say; a face of which a run does not (kerning, letter spacing, words placed
    apart within one text object) is read character by character for the rest of the
    document. Face 0 stands for text that is never computed (not upright).
    """

    def __init__(self) -> None:
        self.faces: dict[tuple, int] = {}
        self.fonts: list[tuple] = [()]  # face -> (font handle, font size, horizontal scale)
        self.table = np.full((1, GLYPH_CODE_LIMIT, 3), np.nan)  # face, code -> advance, left, right
        self.trusted = np.zeros(1, dtype=bool)
        self.unreliable = np.ones(1, dtype=bool)
        self.vouched = np.zeros(1, dtype=np.int64)
        self._width = ctypes.c_float()
        self._width_at = ctypes.byref(self._width)

    def face(self, glyphs: tuple | None) -> int:
        """The face of a style's `glyphs` (RunStyle.glyphs)."""
        if glyphs is None:
            return 0
        face = self.faces.get(glyphs)
        if face is None:
            face = self.faces[glyphs] = len(self.fonts)
            font, _, size, scale = glyphs
            self.fonts.append((font, size, scale))
            if face == len(self.table):  # room for as many faces again
                self.table = np.concatenate([self.table, np.full_like(self.table, np.nan)])
                grown = [np.concatenate([array, np.zeros_like(array)])
                         for array in (self.trusted, self.unreliable, self.vouched)]
                self.trusted, self.unreliable, self.vouched = grown
        return face

    def lookup(self, faces: np.ndarray, codes: np.ndarray) -> np.ndarray:
        """Advance, left and right edge of each (face, code); NaN where not known."""
        return self.table[faces, np.minimum(codes, GLYPH_CODE_LIMIT - 1)]

    def learn(self, text: BatchText, at: np.ndarray, faces: np.ndarray, codes: np.ndarray,
              x0: np.ndarray, x1: np.ndarray) -> None:
        """Take the metrics of characters read from pdfium (positions `at` of `text`, boxes
        x0..x1) whose (face, code) is new: where their boxes lie from their origins, and
        the font's advances."""
        new = (faces > 0) & (codes < GLYPH_CODE_LIMIT - 1) & (x1 > x0)  # not pdfium's zero-width spaces
        new[new] = np.isnan(self.table[faces[new], codes[new], 0])
        if not new.any():
            return
        _, first = np.unique(faces[new] * GLYPH_CODE_LIMIT + codes[new], return_index=True)
        chosen = np.sort(np.flatnonzero(new)[first])
        x, y = ctypes.c_double(), ctypes.c_double()
        x_at, y_at = ctypes.byref(x), ctypes.byref(y)
        k = 0
        for handle, part in text.pages(at[chosen]):
            for index in text.index[part].tolist():
                face, code = int(faces[chosen[k]]), int(codes[chosen[k]])
                font, size, scale = self.fonts[face]
                _char_origin(handle, index, x_at, y_at)
                _glyph_width(ctypes.c_void_p(font), ctypes.c_uint(code), ctypes.c_float(size), self._width_at)
                self.table[face, code] = (self._width.value * scale, x0[chosen[k]] - x.value, x1[chosen[k]] - x.value)
                k += 1

    def vouch(self, faces: np.ndarray) -> None:
        """Runs of these faces (one entry a run) sat exactly as their advances say."""
        np.add.at(self.vouched, faces, 1)
        self.trusted |= (self.vouched >= TRUSTED_AFTER) & ~self.unreliable

    def distrust(self, faces: np.ndarray) -> None:
        """A run of each of these faces did not sit as their advances say."""
        self.unreliable[faces] = True
        self.trusted &= ~self.unreliable


def run_boxes(text: BatchText, codes: np.ndarray, starts: np.ndarray, ends: np.ndarray, run_of: np.ndarray,
              faces: np.ndarray, boxes: LooseBoxes, glyphs: GlyphBoxes) -> tuple[np.ndarray, np.ndarray]:
    """The left and right edge of the loose box of each character of some pages' runs.

    Run r holds characters starts[r]..ends[r]-1 (of `text`, with code points `codes`);
    `faces` holds each run's face. Where the face is trusted (`GlyphBoxes`) and
    knows every character of a run, its boxes are computed (`Chain`) and checked against
    pdfium's at `chain_anchors` and at any printed character reaching about as far right
    as the run's last one: these keep pdfium's values, and a run off anywhere is read.
    Every other run is read from pdfium character by character; it teaches its face new
    characters, and whether its runs sit as its advances say (`probation`).
    """
    count = len(codes)
    face_of = faces[run_of]
    metrics = glyphs.lookup(face_of, codes)
    computed = glyphs.trusted[faces] & ~np.isnan(np.add.reduceat(metrics[:, 0], starts))
    x0, x1 = np.zeros(count), np.zeros(count)
    white = white_codes(codes)
    if computed.any():
        by_advance = computed[run_of]
        anchors = chain_anchors(codes, white, starts, ends)
        anchors = anchors[by_advance[anchors]]
        text.read(anchors, boxes, x0, x1)
        guess0, guess1 = Chain(starts, ends, run_of, codes == _SPACE, metrics, x0[starts], x0[ends - 1]).boxes()
        beyond = by_advance & ~white & (guess1 > guess1[ends - 1][run_of] - POSITION_TOLERANCE)
        beyond[anchors] = False
        beyond = np.flatnonzero(beyond)
        text.read(beyond, boxes, x0, x1)
        checked = np.concatenate([anchors, beyond])
        off = ((np.abs(guess0[checked] - x0[checked]) > POSITION_TOLERANCE)
               | (np.abs(guess1[checked] - x1[checked]) > POSITION_TOLERANCE))
        if off.any():
            failed = np.unique(run_of[checked[off]])
            computed[failed] = False
            glyphs.distrust(faces[failed])
            by_advance = computed[run_of]
        by_advance[checked] = False  # read from pdfium: keep its values
        x0[by_advance], x1[by_advance] = guess0[by_advance], guess1[by_advance]
    unread = np.flatnonzero(~computed[run_of])
    if len(unread):
        text.read(unread, boxes, x0, x1)
        # Ligature letters (one glyph's box twice) teach nothing.
        alone = np.ones(len(unread), dtype=bool)
        twice = (x0[unread[1:]] == x0[unread[:-1]]) & (x1[unread[1:]] == x1[unread[:-1]])
        alone[1:] &= ~twice
        alone[:-1] &= ~twice
        learnt = unread[alone]
        glyphs.learn(text, learnt, face_of[learnt], codes[learnt], x0[learnt], x1[learnt])
        checkable = np.flatnonzero(~computed & ~glyphs.unreliable[faces])
        if len(checkable):
            probation(checkable, starts, ends, run_of, codes, faces, x0, x1, glyphs)
    return x0, x1


def chain_anchors(codes: np.ndarray, white: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Where the computed boxes of the runs starts[r]..ends[r]-1 are checked against
    pdfium's: each run's first and last character and printed character (these go into
    its `Line`), the last character of its first word and the first after its middle
    space, and the space if it has only one (together they catch a run that is off by
    one amount anywhere: the word spacing, found from the last character, cannot hide
    it), and the second letter of a possible ligature (such letters share the glyph's box)."""
    anchor = np.zeros(len(codes), dtype=bool)
    anchor[starts] = anchor[ends - 1] = True
    if white[starts].any() or white[ends - 1].any():
        first, last = first_and_last(np.flatnonzero(~white), starts, ends)
        anchor[first] = anchor[last] = True
    spaces_at = np.flatnonzero(codes == _SPACE)
    first_space = np.searchsorted(spaces_at, starts)
    spaces = np.searchsorted(spaces_at, ends - 1) - first_space  # before each run's last character
    with_spaces = np.flatnonzero(spaces)
    space_one = spaces_at[first_space[with_spaces]]
    anchor[np.maximum(space_one - 1, starts[with_spaces])] = True
    anchor[spaces_at[first_space[with_spaces] + (spaces[with_spaces] + 1) // 2 - 1] + 1] = True
    anchor[space_one[spaces[with_spaces] == 1]] = True
    f = np.flatnonzero(codes[:-1] == _LIGATURE_FIRST)
    anchor[f[_LIGATURE_SECOND[np.minimum(codes[f + 1], GLYPH_CODE_LIMIT - 1)]] + 1] = True
    return np.flatnonzero(anchor)


class Chain:
    """The loose boxes of each run's characters when they stand one advance apart and each
    space one advance plus the run's word spacing, the first box beginning at first_x0
    and the last at last_x0 (`metrics`: advance, left and right edge per character, NaN
    where not known, in runs that are then not used)."""

    def __init__(self, starts: np.ndarray, ends: np.ndarray, run_of: np.ndarray, space: np.ndarray,
                 metrics: np.ndarray, first_x0: np.ndarray, last_x0: np.ndarray):
        advance, self.left, self.right = metrics.T
        steps = np.where(space, 0.0, advance)
        np.nan_to_num(steps, copy=False)  # a run not known must not spoil the sums of the next
        self.run_of = run_of
        self.advances = np.cumsum(steps) - steps  # before each character, from the page's first
        self.advances -= self.advances[starts][run_of]
        self.spaces = np.cumsum(space) - space
        self.spaces -= self.spaces[starts][run_of]
        last = ends - 1
        self.origin = first_x0 - self.left[starts]
        spaces = self.spaces[last]
        self.word_spacing = np.where(spaces > 0, (last_x0 - self.left[last] - self.origin - self.advances[last])
                                     / np.maximum(spaces, 1), 0.0)

    def boxes(self) -> tuple[np.ndarray, np.ndarray]:
        """Left and right edge of every character's box."""
        origins = self.origin[self.run_of] + self.advances + self.word_spacing[self.run_of] * self.spaces
        return origins + self.left, origins + self.right


def probation(runs: np.ndarray, starts: np.ndarray, ends: np.ndarray, run_of: np.ndarray, codes: np.ndarray,
              faces: np.ndarray, x0: np.ndarray, x1: np.ndarray, glyphs: GlyphBoxes) -> None:
    """Check `runs`, read character by character, against their faces' advances: each
    that sits exactly as they say vouches for its face if it is long enough, any other
    (with every character known) makes its face unreliable, trusted or not."""
    metrics = glyphs.lookup(faces[run_of], codes)
    complete = ~np.isnan(np.add.reduceat(metrics[:, 0], starts))
    guess0, guess1 = Chain(starts, ends, run_of, codes == _SPACE, metrics, x0[starts], x0[ends - 1]).boxes()
    off = (np.abs(guess0 - x0) > POSITION_TOLERANCE) | (np.abs(guess1 - x1) > POSITION_TOLERANCE)
    matches = complete & ~np.logical_or.reduceat(off, starts)
    ours = np.zeros(len(starts), dtype=bool)
    ours[runs] = True
    glyphs.distrust(faces[ours & complete & ~matches])
    glyphs.vouch(faces[ours & matches & (ends - starts >= TRUST_RUN_LENGTH)])


def first_and_last(positions: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first and last of the sorted `positions` within each range starts[r]..ends[r]-1;
    the range's own first and last position where it holds none."""
    first = np.searchsorted(positions, starts)
    after = np.searchsorted(positions, ends)
    has = after > first
    if not len(positions):
        return starts.copy(), ends - 1
    return (np.where(has, positions[np.minimum(first, len(positions) - 1)], starts),
            np.where(has, positions[np.maximum(after - 1, 0)], ends - 1))


def page_text(handle: ctypes.c_void_p, count: int) -> str:
    """The text page's characters 0..count-1, one str character each, in one call where it can."""
    buffer, at = _out_buffer(2 * (count + 1))
    written = _get_text(handle, 0, count, at) - 1  # less the terminator
    text = buffer[:2 * count].decode("utf-16-le", errors="replace")
    if written != count or len(text) != count:
        # The text skips a character without a code point (U+0000) and takes two UTF-16
        # units for one beyond the BMP; then only one call per character keeps step.
        text = "".join(map(chr, map(_get_unicode, repeat(handle, count), range(count))))
    return text


def white_space(text: str) -> np.ndarray:
    """For each character of `text`: is it white space (str.isspace)?"""
    return white_codes(np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32))


def white_codes(codes: np.ndarray) -> np.ndarray:
    """For each code point: is it white space (str.isspace)?"""
    return _IS_SPACE[np.minimum(codes, len(_IS_SPACE) - 1)]


class LooseBoxes:
    """Reads each character's box as pdfium's FS_RECTF rows: left, top, right, bottom (y upwards).

    "Loose": from the advance width and the font's ascent and descent, as pdfminer's
    boxes are, not from the glyph's outline. One call per character fills one buffer,
    reused page after page with a pointer to each slot made once: making the pointers
    anew would cost a quarter of the calls' time.
    """

    def __init__(self) -> None:
        self.rects = (pdfium_c.FS_RECTF * 0)()
        self.slots: list = []

    def read(self, handle: ctypes.c_void_p, count: int) -> np.ndarray:
        """The boxes of the text page's characters 0..count-1; valid until the next read."""
        return self.read_at(handle, range(count))

    def read_at(self, handle: ctypes.c_void_p, indices) -> np.ndarray:
        """The boxes of the text page's characters at `indices` (a range or a list of
        ints), in that order; valid until the next read."""
        count = len(indices)
        if count > len(self.slots):
            size = max(count, 2 * len(self.slots))
            self.rects = (pdfium_c.FS_RECTF * size)()
            step = ctypes.sizeof(pdfium_c.FS_RECTF)
            self.slots = list(map(ctypes.byref, repeat(self.rects, size), range(0, step * size, step)))
        ctypes.memset(self.rects, 0, ctypes.sizeof(pdfium_c.FS_RECTF) * count)  # as new, should a call fail
        deque(map(_loose_box, repeat(handle, count), indices, self.slots), maxlen=0)
        return np.frombuffer(self.rects, dtype=np.float32, count=4 * count).reshape(count, 4)


def text_objects(handle: ctypes.c_void_p, codes: np.ndarray, boxes: np.ndarray) -> tuple[np.ndarray, dict[int, int]]:
    """The text object of each character of the page (0 for pdfium's generated ones), and
    each object's first character."""
    count = len(codes)
    objects = np.zeros(count, dtype=np.uint64)
    first_chars: dict[int, int] = {}
    bottom = boxes[:, 3]
    real = np.ones(count, dtype=bool)
    empty = np.flatnonzero((boxes[:, 0] == boxes[:, 2]) & (boxes[:, 1] == bottom)).tolist()
    if empty:
        real[empty] = [_text_object(handle, index) != 0 for index in empty]
    # Stretches: real characters in a row on one loose baseline (pdfium's box bottom).
    new_stretch = np.empty(count, dtype=bool)
    new_stretch[:1] = True
    np.not_equal(bottom[1:], bottom[:-1], out=new_stretch[1:])
    new_stretch[1:] |= ~real[:-1]
    starts = np.flatnonzero(real & new_stretch)
    generated = np.append(np.flatnonzero(~real), count)
    ends = np.minimum(np.append(starts[1:], count), generated[np.searchsorted(generated, starts)])
    printed = np.flatnonzero(real & ~white_codes(codes))
    firsts = np.searchsorted(printed, starts).tolist()
    lasts = (np.searchsorted(printed, ends) - 1).tolist()
    printed = np.append(printed, 0).tolist()
    stretch_objects = []
    mixed = []  # (start, end, each character's object) of a stretch of several objects or none printed
    for start, end, first, last in zip(starts.tolist(), ends.tolist(), firsts, lasts):
        obj = 0
        if first <= last:
            obj = _text_object(handle, printed[first])
            if obj != _text_object(handle, printed[last]) or _count_rects(handle, start, end - start) > 1:
                obj = 0
        if obj:
            first_chars.setdefault(obj, start)
        else:
            each = [_text_object(handle, index) for index in range(start, end)]
            for index, obj in enumerate(each, start):
                if obj:
                    first_chars.setdefault(obj, index)
            mixed.append((start, end, each))
        stretch_objects.append(obj)
    if len(starts):
        stretch = np.searchsorted(starts, np.arange(count), side="right") - 1
        objects = np.where((stretch >= 0) & (np.arange(count) < ends[stretch]),
                           np.array(stretch_objects, dtype=np.uint64)[stretch], objects)
    for start, end, each in mixed:
        objects[start:end] = each
    return objects, first_chars


def run_styles(textpage: pdfium.PdfTextPage, first_chars: dict[int, int], page_height: float) -> dict[int, RunStyle]:
    """Font, size and vertical extent of each text object, as pdfminer would box its characters.

    pdfminer's box of a character runs from the baseline plus the font's descent to one
    font size above that, scaled by the text matrix. Standard fonts that are not embedded
    take pdfminer's own metrics for the descent, as pdfminer does.
    """
    handle = _handle(textpage)
    matrix, size = pdfium_c.FS_MATRIX(), ctypes.c_float()
    x, y = ctypes.c_double(), ctypes.c_double()
    matrix_at, size_at, x_at, y_at = ctypes.byref(matrix), ctypes.byref(size), ctypes.byref(x), ctypes.byref(y)
    fonts: dict[int, tuple[str, float, bool]] = {}
    styles: dict[int, RunStyle] = {}
    for obj, index in first_chars.items():
        _char_matrix(handle, index, matrix_at)
        a, b, c, d = matrix.a, matrix.b, matrix.c, matrix.d
        upright = a * d > 0 and b * c <= 0
        if upright and (abs(b) > 1e-9 or abs(c) > 1e-9):
            raise _NeedsPdfplumber("skewed text")  # pdfminer's box height then depends on each advance
        text_object = ctypes.c_void_p(obj)
        _object_font_size(text_object, size_at)
        if b:
            _char_origin(handle, index, x_at, y_at)
        else:  # the origin's height is the matrix's
            y.value = matrix.f
        font = _object_font(text_object)
        if font not in fonts:
            fonts[font] = font_metrics(font)
        name, descent, bold = fonts[font]
        low = y.value + d * descent * size.value
        high = low + d * size.value
        low, high = min(low, high), max(low, high)
        styles[obj] = RunStyle(high - low, name, bold, page_height - high, page_height - low, upright,
                               (font, name, size.value, a) if upright else None)
    return styles


def font_metrics(font: int) -> tuple[str, float, bool]:
    """(base font name, descent per unit of font size, bold?) of a pdfium font handle."""
    font = ctypes.c_void_p(font)
    length = _font_name(font, None, ctypes.c_ulong(0))
    buffer, at = _out_buffer(length)
    _font_name(font, at, ctypes.c_ulong(length))
    name = bytes(buffer).split(b"\0", 1)[0].decode("utf-8", errors="replace")
    if name in FONT_METRICS and not _font_embedded(font):
        descent = float(FONT_METRICS[name][0].get("Descent", 0))
    else:
        value = ctypes.c_float()
        _font_descent(font, ctypes.c_float(1000.0), ctypes.byref(value))
        descent = value.value
    return name, -abs(descent) / 1000.0, pdf.is_bold_font(name)


# --- runs ---------------------------------------------------------------------------

def page_runs(chars: PageChars, styles: dict[int, RunStyle]) -> list[Run]:
    """The page's upright characters cut into runs: one text object, no pdfium break between.

    Raises _CharRules when a run's characters do not go left to right (pdfplumber orders
    a line's characters by x0, so only pdf.py's own rules then give the same line).
    """
    runs, backwards = batch_runs(chars, styles)
    if backwards.any():
        raise _CharRules("characters out of order within a text object")
    return runs


def batch_runs(chars: PageChars, styles: dict[int, RunStyle]) -> tuple[list[Run], np.ndarray]:
    """`page_runs` of the characters of one page or of several one after another (a run
    ends at each page's end: text objects differ), and whether each run's characters
    go backwards somewhere (its page then needs the character rules)."""
    count = len(chars.text)
    if not count:
        return [], np.zeros(0, dtype=bool)
    x0, x1, obj, index = chars.x0, chars.x1, chars.obj, chars.index
    new_run = np.empty(count, dtype=bool)
    new_run[0] = True
    np.not_equal(obj[1:], obj[:-1], out=new_run[1:])
    new_run[1:] |= index[1:] != index[:-1] + 1
    backwards = (x0[1:] < x0[:-1]) > new_run[1:]
    # pdfplumber leaves characters that are not upright out before anything else: their
    # runs are left out at the end (so that runs keep their places in `chars`).
    slanted = [obj for obj, style in styles.items() if not style.upright]
    if slanted:
        backwards &= ~np.isin(obj[1:], np.array(slanted, dtype=np.uint64))
    starts = np.flatnonzero(new_run)
    run_backwards = np.logical_or.reduceat(np.append(False, backwards), starts)
    ends = np.append(starts[1:], count)
    white = white_space(chars.text)
    printed = np.flatnonzero(~white)
    # Printed characters k of run r: printed[first[r]:first[r] + printed_count[r]].
    first = np.searchsorted(printed, starts)
    printed_count = np.searchsorted(printed, ends) - first
    has_printed = printed_count > 0
    # Each array of printed characters gets one more element, so that `first` holds
    # valid positions for np.maximum.reduceat also where runs have none.
    printed_x0 = np.append(x0[printed], 0.0)
    printed_x1 = np.append(x1[printed], -np.inf)
    run_of = np.cumsum(new_run)[printed]

    # Gaps between consecutive printed characters of one run: a gap with no white space
    # between may still make a word gap; one of a gutter's width cuts a line piece.
    gaps = printed_x0[1:] - printed_x1[:-1]  # after each printed character
    same = np.append(run_of[1:] == run_of[:-1], False)  # is the next printed character of its run?
    adjacent = same & (np.diff(printed, append=-1) == 1)  # the next printed character follows at once
    touching = adjacent & (gaps > 0)
    # pdfium gives each letter of a ligature ("ff") with the glyph's box, pdfminer the glyph
    # as one character, which pdf.py's rules then weigh once (see char_dicts): so do runs.
    repeats = np.zeros(len(printed), dtype=bool)
    repeats[1:] = (adjacent[:-1] & (printed_x0[1:-1] == printed_x0[:-2]) & (printed_x1[1:-1] == printed_x1[:-2])
                   & (printed_x1[1:-1] > printed_x0[1:-1]))
    repeated = np.append(0, np.cumsum(repeats))
    letters = printed_count - (repeated[first + printed_count] - repeated[first])
    widest_touch = np.where(has_printed, np.maximum.reduceat(np.append(np.where(touching, gaps, -np.inf), -np.inf),
                                                             first), -np.inf)
    run_x0 = np.where(has_printed, printed_x0[first], 0.0)
    run_x1 = np.where(has_printed, np.maximum.reduceat(printed_x1, first), 0.0)
    last_x1 = np.where(has_printed, printed_x1[first + printed_count - 1], 0.0)
    # Pieces: printed characters of one run between gaps of a gutter's width.
    piece_first = np.flatnonzero(np.append(True, ~same[:-1] | (gaps[:-1] >= MIN_GUTTER_WIDTH)))
    piece_last = np.append(piece_first[1:], len(printed)) - 1
    pieces = list(zip(printed_x0[piece_first].tolist(), printed_x1[piece_last].tolist(),
                      np.maximum.reduceat(printed_x1, piece_first).tolist() if len(printed) else []))
    piece_bounds = np.searchsorted(piece_first, np.append(first, len(printed))).tolist()

    text = chars.text
    runs = []
    for start, end, style, printed_here, left, right, last_right, widest, min_x0, max_x0, lead, trail, a, b in zip(
            starts.tolist(), ends.tolist(), map(styles.__getitem__, obj[starts].tolist()), letters.tolist(),
            run_x0.tolist(), run_x1.tolist(), last_x1.tolist(), widest_touch.tolist(), x0[starts].tolist(),
            x0[ends - 1].tolist(), white[starts].tolist(), white[ends - 1].tolist(), piece_bounds, piece_bounds[1:]):
        segment = text[start:end]
        runs.append(Run(start, end, style, style.top, style.bottom, " ".join(segment.split()), lead, trail,
                        printed_here, left, right, left, last_right, min_x0, max_x0, widest, tuple(pieces[a:b])))
    if not slanted:
        return runs, run_backwards
    upright = [run.style.upright for run in runs]
    return [run for run, keep in zip(runs, upright) if keep], run_backwards[np.array(upright, dtype=bool)]


_RUN_SPAN, _RUN_LEFT = itemgetter(Run._fields.index("top"), Run._fields.index("bottom")), attrgetter("min_x0")


def runs_to_line_groups(runs: list[Run]) -> list[list[Run]]:
    """pdf.chars_to_line_groups for runs: all characters of a run share one box, so the
    run goes where each of its characters would go."""
    groups = pdf.group_by_line(runs, _RUN_SPAN, _RUN_LEFT)
    for group in groups:
        if len(group) > 1:
            group.sort(key=_RUN_LEFT)
            if any(b.min_x0 <= a.max_x0 for a, b in zip(group, group[1:])):
                raise _CharRules("two text objects interleave on one line")
    return groups


def runs_to_line(runs: list[Run], chars: PageChars, page: int, column: int = 0) -> Line:
    """pdf.chars_to_line for one line's runs (left to right)."""
    if len(runs) == 1 and runs[0].printed:  # most lines: no superscript, one font
        run = runs[0]
        style = run.style
        size = round(style.size, 1)
        threshold = WORD_GAP * size
        return Line(run.text if run.widest_touch <= threshold else spaced_text(chars, run, threshold), page,
                    run.x0, run.x1, run.top, run.bottom, size, style.bold, style.font, run.printed, column)
    printed = [run for run in runs if run.printed]
    size_counts: dict[float, int] = {}
    for run in printed:
        key = round(run.style.size, 1)
        size_counts[key] = size_counts.get(key, 0) + run.printed
    size = max(size_counts, key=size_counts.__getitem__) if size_counts else 0.0
    normal = [run for run in printed if run.style.size >= SUPERSCRIPT_SIZE_RATIO * size] or printed
    baseline = weighted_median([(run.style.bottom, run.printed) for run in normal]) if normal else 0.0
    threshold = WORD_GAP * size
    pieces: list[str] = []
    previous_x1: float | None = None
    pending_space = False
    for run in runs:
        if not run.printed:
            pending_space = pending_space or bool(pieces)
            continue
        if run.lead_space and pieces:
            pending_space = True
        if previous_x1 is not None and (pending_space or run.first_x0 - previous_x1 > threshold):
            pieces.append(" ")
        text = run.text if run.widest_touch <= threshold else spaced_text(chars, run, threshold)
        if (run.style.size < SUPERSCRIPT_SIZE_RATIO * size
                and baseline - run.style.bottom > SUPERSCRIPT_RISE * size):
            text = text.translate(_TO_SUPERSCRIPT)
        pieces.append(text)
        previous_x1, pending_space = run.last_x1, run.trail_space
    fonts: dict[str, int] = {}
    for run in normal:
        fonts[run.style.font] = fonts.get(run.style.font, 0) + run.printed
    return Line(text="".join(pieces), page=page,
                x0=min((run.x0 for run in printed), default=0.0), x1=max((run.x1 for run in printed), default=0.0),
                top=min((run.style.top for run in normal), default=0.0),
                bottom=max((run.style.bottom for run in normal), default=0.0),
                size=size, bold=bool(normal) and all(run.style.bold for run in normal),
                font=max(fonts, key=fonts.__getitem__) if fonts else "",
                chars=sum(run.printed for run in printed), column=column)


def spaced_text(chars: PageChars, run: Run, threshold: float) -> str:
    """A run's text with a space wherever two printed characters stand further apart than
    `threshold` (words positioned rather than separated by a space character)."""
    pieces: list[str] = []
    previous = None
    pending_space = False
    for k in range(run.start, run.end):
        char = chars.text[k]
        if char.isspace():
            pending_space = bool(pieces)
            continue
        if previous is not None and (pending_space or chars.x0[k] - chars.x1[previous] > threshold):
            pieces.append(" ")
        pieces.append(char)
        previous, pending_space = k, False
    return "".join(pieces)


def weighted_median(values: list[tuple[float, int]]) -> float:
    """statistics.median of values each repeated `count` times: [(1, 2), (5, 1)] -> 1."""
    ordered = sorted(values)
    total = sum(count for _, count in ordered)

    def at(position: int) -> float:
        seen = 0
        for value, count in ordered:
            seen += count
            if position < seen:
                return value
        return ordered[-1][0]

    if total % 2:
        return at(total // 2)
    return (at(total // 2 - 1) + at(total // 2)) / 2


def line_pieces(group: list[Run]) -> list[tuple[float, float, float]]:
    """pdf.line_pieces for a line of runs: (x0, x1, height) between gaps of a gutter's width."""
    if len(group) == 1 and len(group[0].pieces) == 1:  # most lines
        run = group[0]
        return [(run.x0, run.x1, run.bottom - run.top)]
    pieces: list[list[float]] = []
    previous_x1 = None
    for run in group:
        for first_x0, last_x1, max_x1 in run.pieces:
            if previous_x1 is not None and first_x0 - previous_x1 < MIN_GUTTER_WIDTH:
                piece = pieces[-1]
                piece[1] = max(piece[1], max_x1)
                piece[2], piece[3] = min(piece[2], run.top), max(piece[3], run.bottom)
            else:
                pieces.append([first_x0, max_x1, run.top, run.bottom])
            previous_x1 = last_x1
    return [(x0, x1, bottom - top) for x0, x1, top, bottom in pieces]


# --- lines --------------------------------------------------------------------------

def page_lines(chars: PageChars, styles: dict[int, RunStyle], number: int, width: float,
               height: float, runs: tuple[PageChars, list[Run]] | None = None) -> list[Line]:
    """The text lines of a page without ruled tables, in reading order, as pdf.py makes them.

    `runs`: the page's runs made already (`batch_runs`), with the characters they index.
    """
    try:
        return run_lines(chars, styles, number, width, runs=runs)[0]
    except _CharRules:
        return list(pdf.chars_to_content(char_dicts(chars, styles), [], number, width, height).lines)


def run_lines(chars: PageChars, styles: dict[int, RunStyle], number: int, width: float,
              tables: list[tuple[float, float, float, float]] = (),
              runs: tuple[PageChars, list[Run]] | None = None) -> tuple[list[Line], tuple[float, float] | None]:
    """The page's lines made run by run, in reading order, and the gutter between its
    columns (pdf.find_gutter's, from the same line pieces), or None.

    `tables` are the boxes of the page's tables (their characters already left out);
    `runs` the page's runs, made already, with the characters they index.
    Raises _CharRules where runs cannot promise the lines of pdf.py's character rules.
    """
    if runs is None:
        runs = chars, page_runs(chars, styles)
    chars, runs = runs
    groups = runs_to_line_groups(runs)
    pieces = [(x0, x1, bottom - top) for x0, top, x1, bottom in tables]
    for group in groups:
        pieces.extend(line_pieces(group))
    gutter = pdf.gutter_between(pieces, width)
    ordered = [(0, group) for group in groups] if gutter is None else runs_reading_order(groups, gutter, chars)
    lines = [runs_to_line(group, chars, number, column) for column, group in ordered]
    return [line for line in lines if line.text], gutter


def runs_reading_order(groups: list[list[Run]], gutter: tuple[float, float],
                       chars: PageChars) -> list[tuple[int, list[Run]]]:
    """pdf.reading_order for lines of runs: a line printed across the gutter stays whole,
    the lines between two such are read left column first, then right column.

    A run between such lines must lie on one side of the middle of the gutter, each of
    its characters (else _CharRules): pdf.py splits lines character by character.
    """
    middle = (gutter[0] + gutter[1]) / 2
    x0, x1 = chars.x0, chars.x1
    left, right = (x0 + x1) / 2 < middle, (x0 + x1) / 2 >= middle
    printed = ~white_space(chars.text)

    def crosses(group: list[Run]) -> bool:
        """pdf.crosses_gutter, from each run's printed characters left and right of the middle."""
        last_left = first_right = None  # the last printed character left of the middle, the first right of it
        for run in group:
            at = np.flatnonzero(printed[run.start:run.end]) + run.start
            on_left, on_right = at[left[at]], at[right[at]]
            if len(on_left):
                last_left = on_left[-1]
            if first_right is None and len(on_right):
                first_right = on_right[0]
        if last_left is None or first_right is None:
            at = np.concatenate([np.flatnonzero(printed[run.start:run.end]) + run.start for run in group])
            return bool(((x0[at] < middle) & (middle < x1[at])).any())
        return float(x0[first_right]) - float(x1[last_left]) < MIN_GUTTER_WIDTH

    def columns(band: list[Run]) -> tuple[list[Run], list[Run]]:
        on_left = [bool(left[run.start:run.end].all()) for run in band]
        if not all(on or right[run.start:run.end].all() for run, on in zip(band, on_left)):
            raise _CharRules("a run across the middle of the gutter")
        return [run for run, on in zip(band, on_left) if on], [run for run, on in zip(band, on_left) if not on]

    return pdf.banded_order(groups, crosses, columns, runs_to_line_groups)


def char_dicts(chars: PageChars, styles: dict[int, RunStyle]) -> list[dict]:
    """pdfium's characters as pdfplumber's character dicts (the keys pdf.py and the table
    finder read), for pdf.py's own character rules.

    pdfium gives each letter of a ligature glyph ("ff" in "betreffende") as a character of
    its own with the glyph's box; pdfminer gives the glyph as one character "ff". Such
    letters become one dict here, or pdf.py would drop the second as a letter printed twice.
    """
    dicts: list[dict] = []
    last = None  # (x0, x1, obj) of the character before
    for char, x0, x1, obj in zip(chars.text, chars.x0.tolist(), chars.x1.tolist(), chars.obj.tolist()):
        if (x0, x1, obj) == last and x1 > x0:
            dicts[-1]["text"] += char
            continue
        last = (x0, x1, obj)
        style = styles[obj]
        dicts.append({"text": char, "x0": x0, "x1": x1, "top": style.top, "doctop": style.top,
                      "bottom": style.bottom, "size": style.size, "fontname": style.font,
                      "upright": style.upright})
    return dicts
