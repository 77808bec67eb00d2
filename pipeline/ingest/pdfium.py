"""Fast first pass of the PDF reader: pdfium's characters -> the `Line`s pdfplumber's give.

    pdfium_pages(Path("aa-en-hunze-2021.pdf"), Settings(pdf_engine="pdfium")) ->
        PageContent(number=1, lines=(Line("Prestatieafspraken", page=1, size=20.0, bold=True, ...), ...)),
        PageContent(number=2, ...), ...

pdf.py reads a page's characters with pdfplumber (pdfminer, pure Python: tens of ms a
page); pdfium's text page holds them after well under a millisecond. This module makes
the same `PageContent` as pdf.py's first pass from them, so the second pass (body font,
running headers and footers, paragraphs, footnotes) is shared and unchanged:

    page_chars        text in one call; a box per character; text objects per stretch
    run_styles        font, size and box height of each text object, as pdfminer measures
    page_runs         runs: consecutive characters of one text object (one font, size,
                      baseline), with what pdf.py's rules need of their characters
    runs_to_line_groups, runs_to_line
                      pdf.py's chars_to_line_groups and chars_to_line, run by run

A page leaves the run path where runs cannot promise pdfplumber's lines:
- to pdf.py's own character rules on pdfium's characters (`pdf.chars_to_content`): a
  page that may have two columns, runs interleaved on one line, characters of one run
  out of left-to-right order; and a page whose ruled lines may make a table, which
  pdfplumber's own TableFinder reads from pdfium's paths (engine "pdfium");
- to pdfplumber itself (`pdf.read_page`, identical by construction): with engine "auto"
  a page that may hold a ruled table; a rotated or cropped page, skewed text, a page
  without text (the OCR hook), OCR of every page, and a file pdfium cannot open.

Known difference: pdfium drops a text object printed again a fraction of a point
further on (a "bold" look); pdfplumber keeps both, and pdf.py's de-duplication by
rounded position can leave letters of both ("155. Vet door duubbeel").
"""

from __future__ import annotations

import ctypes
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfminer.fontmetrics import FONT_METRICS
from pdfplumber.table import Table, TableFinder

from pipeline.errors import MissingDependencyError
from pipeline.ingest import pdf
from pipeline.ingest.pdf import (_BOLD_FONT, _TO_SUPERSCRIPT, GUTTER_MAX_ACROSS, GUTTER_MIN_SIDE,
                                 GUTTER_SEARCH, MIN_GUTTER_WIDTH, SUPERSCRIPT_RISE,
                                 SUPERSCRIPT_SIZE_RATIO, WORD_GAP, Line, PageContent, PageFailure,
                                 PlacedTable)
from pipeline.settings import Settings

# Slack for the two-column test, so a rounding difference never hides a gutter that
# pdf.find_gutter would see (a possible gutter sends the page to pdf.py's own rules).
GUTTER_SLACK = 1e-6
# pdfium gives an end-of-line hyphen as a marker, where pdfplumber reads "-".
_HYPHEN_MARKS = str.maketrans({"\ufffe": "-", "\x02": "-"})
# Code point -> does str.isspace() call it white space? (None lies above U+3000.)
_IS_SPACE = np.array([chr(c).isspace() for c in range(0x3002)], dtype=bool)


def _c_function(name: str, restype, *argtypes):
    """pdfium's function `name` taking and returning plain integer handles.

    The pypdfium2.raw wrappers return typed pointer objects; per-character calls need
    the leaner integer form (a pointer object cannot even serve as a dictionary key).
    """
    address = ctypes.cast(getattr(pdfium_c, name), ctypes.c_void_p).value
    return ctypes.CFUNCTYPE(restype, *argtypes)(address)


_P, _I, _F = ctypes.c_void_p, ctypes.c_int, ctypes.c_float
_count_chars = _c_function("FPDFText_CountChars", _I, _P)
_get_text = _c_function("FPDFText_GetText", _I, _P, _I, _I, _P)
_get_unicode = _c_function("FPDFText_GetUnicode", ctypes.c_uint, _P, _I)
_text_object = _c_function("FPDFText_GetTextObject", ctypes.c_size_t, _P, _I)  # 0: generated
# Called for every character: without declared argument types ctypes passes a pointer
# object and an int straight through, which takes a third less time.
_loose_box_unchecked = _c_function("FPDFText_GetLooseCharBox", _I)
_loose_box_unchecked.argtypes = None
_count_rects = _c_function("FPDFText_CountRects", _I, _P, _I, _I)
_char_origin = _c_function("FPDFText_GetCharOrigin", _I, _P, _I, _P, _P)
_char_matrix = _c_function("FPDFText_GetMatrix", _I, _P, _I, _P)
_object_font_size = _c_function("FPDFTextObj_GetFontSize", _I, _P, _P)
_object_font = _c_function("FPDFTextObj_GetFont", _P, _P)
_font_name = _c_function("FPDFFont_GetBaseFontName", ctypes.c_ulong, _P, _P, ctypes.c_ulong)
_font_descent = _c_function("FPDFFont_GetDescent", _I, _P, _F, _P)
_font_embedded = _c_function("FPDFFont_GetIsEmbedded", _I, _P)


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


class Run(NamedTuple):
    """Characters start..end-1 of a page (`PageChars` positions): one text object, one line."""

    start: int
    end: int
    style: RunStyle
    text: str  # the printed characters, each stretch of white space made one space
    lead_space: bool  # starts with white space
    trail_space: bool
    printed: int  # characters that are not white space
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
    by pdfplumber elsewhere; or why the page could not be read. Pages are closed once read.

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
    try:
        if len(document) == 0:
            yield from pdf.plumber_pages(path, settings)
            return
        for index in range(len(document)):
            try:
                content = read_page(document, index, fallback, tables_by_pdfium=settings.pdf_engine == "pdfium")
            except MissingDependencyError:
                raise
            except Exception as error:  # noqa: BLE001 - whatever pdfium hit: skip the page, say so
                content = PageFailure(index + 1, pdf.short_reason(error))
            yield content
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


def read_page(document: pdfium.PdfDocument, index: int, fallback: _PlumberPages,
              tables_by_pdfium: bool) -> PageContent:
    """One page's lines (and tables) from pdfium, or from pdfplumber where pdfium cannot
    promise the same."""
    number = index + 1
    page = document[index]
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
            chars, first_chars = page_chars(textpage)
            if not len(chars.text):  # no text layer: pdfplumber's reader has the OCR hook
                return fallback.read(index)
            styles = run_styles(textpage, first_chars, height)
        except _NeedsPdfplumber:
            return fallback.read(index)
        finally:
            textpage.close()
    finally:
        page.close()
    if ruled:
        content = ruled_page_content(chars, styles, edges, number, width, height)
    else:
        content = PageContent(number=number, width=width, height=height,
                              lines=tuple(page_lines(chars, styles, number, width, height)), tables=())
    if not content.lines and not content.tables:  # only rotated text: pdfplumber tries OCR
        return fallback.read(index)
    return content


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
    pending = [(pdfium_c.FPDFPage_GetObject(page.raw, i), _IDENTITY)
               for i in range(pdfium_c.FPDFPage_CountObjects(page.raw))]
    matrix = pdfium_c.FS_MATRIX()
    while pending:
        obj, outer = pending.pop()
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind not in (pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM):
            continue
        pdfium_c.FPDFPageObj_GetMatrix(obj, matrix)
        transform = _compose((matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f), outer)
        if kind == pdfium_c.FPDF_PAGEOBJ_FORM:
            pending.extend((pdfium_c.FPDFFormObj_GetObject(obj, i), transform)
                           for i in range(pdfium_c.FPDFFormObj_CountObjects(obj)))
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
    shape, points, start, curve_points = "", [], (0.0, 0.0), 0
    for i in range(pdfium_c.FPDFPath_CountSegments(path)):
        segment = pdfium_c.FPDFPath_GetPathSegment(path, i)
        pdfium_c.FPDFPathSegment_GetPoint(segment, x, y)
        point = (x.value, y.value)
        kind = pdfium_c.FPDFPathSegment_GetType(segment)
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
        if pdfium_c.FPDFPathSegment_GetClose(segment):
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
    """What pdfplumber's TableFinder and Table.extract read of a page: edges and characters."""

    edges: list[dict]
    chars: list[dict]


def ruled_page_content(chars: PageChars, styles: dict[int, RunStyle], edges: list[dict], number: int,
                       width: float, height: float) -> PageContent:
    """A page with ruled lines: pdfplumber's table finder on pdfium's paths, the cells'
    text from pdfium's characters, the lines around the tables as on any other page."""
    found = [table for table in TableFinder(_TableSource(edges, [])).tables if len(table.cells) > 1]
    boxes = [table.bbox for table in found]
    # Table.extract reads a page's characters: give each table those in its box only.
    tables = [Table(_TableSource([], char_dicts(chars.subset(in_boxes(chars, styles, [table.bbox])), styles)),
                    table.cells) for table in found]
    try:
        lines = run_lines(chars.subset(~in_boxes(chars, styles, boxes)), styles, number, width, boxes)
    except _CharRules:
        return pdf.chars_to_content(char_dicts(chars, styles), tables, number, width, height)
    placed = tuple(PlacedTable(top=table.bbox[1], bottom=table.bbox[3], rows=pdf.table_rows(table.extract()))
                   for table in tables)
    return PageContent(number=number, width=width, height=height, lines=tuple(lines), tables=placed)


def in_boxes(chars: PageChars, styles: dict[int, RunStyle],
             boxes: list[tuple[float, float, float, float]]) -> np.ndarray:
    """For each character: does its centre lie in one of the boxes (x0, top, x1, bottom)?
    (pdf.inside_any, for every character at once.)"""
    inside = np.zeros(len(chars.text), dtype=bool)
    if not boxes or not len(chars.text):
        return inside
    objects, of_object = np.unique(chars.obj, return_inverse=True)
    middles = np.array([(styles[obj].top + styles[obj].bottom) / 2 for obj in objects.tolist()])[of_object]
    centres = (chars.x0 + chars.x1) / 2
    for x0, top, x1, bottom in boxes:
        inside |= (x0 <= centres) & (centres <= x1) & (top <= middles) & (middles <= bottom)
    return inside


# --- characters ---------------------------------------------------------------------

def page_chars(textpage: pdfium.PdfTextPage) -> tuple[PageChars, dict[int, int]]:
    """The page's characters in pdfium's order, and for each text object its first character.

    The text comes in one call and each character's box in one call. Which text object a
    character belongs to is asked only where needed: pdfium's own spaces and line breaks
    (no object) have empty boxes, and a stretch of characters on one baseline is one
    object when its first and last printed characters are and pdfium counts one
    rectangle for it (`FPDFText_CountRects` starts a rectangle at each new object).
    """
    handle = ctypes.cast(textpage.raw, ctypes.c_void_p).value
    count = _count_chars(handle)
    buffer = ctypes.create_string_buffer(2 * (count + 1))
    written = _get_text(handle, 0, count, buffer) - 1  # less the terminator
    text = buffer.raw[:2 * count].decode("utf-16-le", errors="replace")
    if written != count or len(text) != count:
        # The text skips a character without a code point (U+0000) and takes two UTF-16
        # units for one beyond the BMP; then only one call per character keeps step.
        text = "".join(map(chr, map(_get_unicode, repeat(handle, count), range(count))))
    boxes = loose_boxes(handle, count)
    objects = text_objects(handle, text, boxes)
    kept = np.flatnonzero(objects)
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)[kept]
    kept_text = codes.tobytes().decode("utf-32-le")
    if "\ufffe" in kept_text or "\x02" in kept_text:
        kept_text = kept_text.translate(_HYPHEN_MARKS)
    chars = PageChars(text=kept_text, x0=boxes[kept, 0].astype(np.float64), x1=boxes[kept, 2].astype(np.float64),
                      obj=objects[kept], index=kept)
    handles, first = np.unique(chars.obj, return_index=True)
    return chars, dict(zip(handles.tolist(), kept[first].tolist()))


def white_space(text: str) -> np.ndarray:
    """For each character of `text`: is it white space (str.isspace)?"""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    return _IS_SPACE[np.minimum(codes, len(_IS_SPACE) - 1)]


def loose_boxes(handle: int, count: int) -> np.ndarray:
    """Each character's box as pdfium's FS_RECTF rows: left, top, right, bottom (y upwards).

    "Loose": from the advance width and the font's ascent and descent, as pdfminer's
    boxes are, not from the glyph's outline.
    """
    rects = (pdfium_c.FS_RECTF * count)()
    step = ctypes.sizeof(pdfium_c.FS_RECTF)
    deque(map(_loose_box_unchecked, repeat(ctypes.c_void_p(handle), count), range(count),
              map(ctypes.byref, repeat(rects, count), range(0, step * count, step))), maxlen=0)
    return np.frombuffer(rects, dtype=np.float32).reshape(count, 4)


def text_objects(handle: int, text: str, boxes: np.ndarray) -> np.ndarray:
    """The text object of each character of the page (0 for pdfium's generated ones)."""
    count = len(text)
    objects = np.zeros(count, dtype=np.uint64)
    left, top, right, bottom = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    real = np.ones(count, dtype=bool)
    for index in np.flatnonzero((left == right) & (top == bottom)).tolist():
        real[index] = _text_object(handle, index) != 0
    # Stretches: real characters in a row on one loose baseline (pdfium's box bottom).
    starts = np.flatnonzero(real & np.concatenate(([True], ~real[:-1] | (bottom[1:] != bottom[:-1]))))
    generated = np.append(np.flatnonzero(~real), count)
    ends = np.minimum(np.append(starts[1:], count), generated[np.searchsorted(generated, starts)])
    printed = np.flatnonzero(real & ~white_space(text))
    firsts = np.searchsorted(printed, starts)
    lasts = np.searchsorted(printed, ends) - 1
    printed = np.append(printed, 0).tolist()
    for start, end, first, last in zip(starts.tolist(), ends.tolist(), firsts.tolist(), lasts.tolist()):
        if first <= last:
            obj = _text_object(handle, printed[first])
            if obj == _text_object(handle, printed[last]) and _count_rects(handle, start, end - start) <= 1:
                objects[start:end] = obj
                continue
        objects[start:end] = np.fromiter(map(_text_object, repeat(handle, end - start), range(start, end)),
                                         dtype=np.uint64, count=end - start)
    return objects


def run_styles(textpage: pdfium.PdfTextPage, first_chars: dict[int, int], page_height: float) -> dict[int, RunStyle]:
    """Font, size and vertical extent of each text object, as pdfminer would box its characters.

    pdfminer's box of a character runs from the baseline plus the font's descent to one
    font size above that, scaled by the text matrix. Standard fonts that are not embedded
    take pdfminer's own metrics for the descent, as pdfminer does.
    """
    handle = ctypes.cast(textpage.raw, ctypes.c_void_p).value
    matrix, size = pdfium_c.FS_MATRIX(), ctypes.c_float()
    x, y = ctypes.c_double(), ctypes.c_double()
    fonts: dict[int, tuple[str, float]] = {}
    styles: dict[int, RunStyle] = {}
    for obj, index in first_chars.items():
        _char_matrix(handle, index, ctypes.addressof(matrix))
        a, b, c, d = matrix.a, matrix.b, matrix.c, matrix.d
        upright = a * d > 0 and b * c <= 0
        if upright and (abs(b) > 1e-9 or abs(c) > 1e-9):
            raise _NeedsPdfplumber("skewed text")  # pdfminer's box height then depends on each advance
        _object_font_size(obj, ctypes.addressof(size))
        _char_origin(handle, index, ctypes.addressof(x), ctypes.addressof(y))
        font = _object_font(obj)
        if font not in fonts:
            fonts[font] = font_metrics(font)
        name, descent = fonts[font]
        low = y.value + d * descent * size.value
        high = low + d * size.value
        low, high = min(low, high), max(low, high)
        styles[obj] = RunStyle(size=high - low, font=name, bold=bool(_BOLD_FONT.search(name)),
                               top=page_height - high, bottom=page_height - low, upright=upright)
    return styles


def font_metrics(font: int) -> tuple[str, float]:
    """(base font name, descent per unit of font size) of a pdfium font handle."""
    length = _font_name(font, None, 0)
    buffer = ctypes.create_string_buffer(max(length, 1))
    _font_name(font, buffer, length)
    name = buffer.value.decode("utf-8", errors="replace")
    if name in FONT_METRICS and not _font_embedded(font):
        descent = float(FONT_METRICS[name][0].get("Descent", 0))
    else:
        value = ctypes.c_float()
        _font_descent(font, 1000.0, ctypes.addressof(value))
        descent = value.value
    return name, -abs(descent) / 1000.0


# --- runs ---------------------------------------------------------------------------

def page_runs(chars: PageChars, styles: dict[int, RunStyle]) -> list[Run]:
    """The page's upright characters cut into runs: one text object, no pdfium break between.

    Raises _CharRules when a run's characters do not go left to right (pdfplumber orders
    a line's characters by x0, so only pdf.py's own rules then give the same line).
    """
    slanted = [obj for obj, style in styles.items() if not style.upright]
    if slanted:  # pdfplumber leaves them out before anything else
        chars = chars.subset(~np.isin(chars.obj, np.array(slanted, dtype=np.uint64)))
    count = len(chars.text)
    x0, x1 = chars.x0, chars.x1
    new_run = np.ones(count, dtype=bool)
    new_run[1:] = (chars.obj[1:] != chars.obj[:-1]) | (chars.index[1:] != chars.index[:-1] + 1)
    if np.any((x0[1:] < x0[:-1]) & ~new_run[1:]):
        raise _CharRules("characters out of order within a text object")
    starts = np.flatnonzero(new_run)
    ends = np.append(starts[1:], count)
    run_of = np.cumsum(new_run) - 1
    printed = np.flatnonzero(~white_space(chars.text))
    printed_runs = run_of[printed]
    printed_count = np.bincount(printed_runs, minlength=len(starts))

    # Gaps between consecutive printed characters of one run: a gap with no white space
    # between may still make a word gap; one of a gutter's width cuts a line piece.
    same = printed_runs[1:] == printed_runs[:-1]
    gaps = x0[printed[1:]] - x1[printed[:-1]]
    touching = same & (printed[1:] - printed[:-1] == 1) & (gaps > 0)
    widest_touch = np.full(len(starts), -np.inf)
    np.maximum.at(widest_touch, printed_runs[:-1][touching], gaps[touching])
    piece_start = np.ones(len(printed), dtype=bool)
    piece_start[1:] = ~same | (gaps >= MIN_GUTTER_WIDTH)
    piece_first = np.flatnonzero(piece_start)
    piece_last = np.append(piece_first[1:], len(printed)) - 1
    pieces_by_run: list[list[tuple[float, float, float]]] = [[] for _ in range(len(starts))]
    if len(printed):
        for run, first_x0, last_x1, max_x1 in zip(printed_runs[piece_first].tolist(),
                                                    x0[printed[piece_first]].tolist(),
                                                    x1[printed[piece_last]].tolist(),
                                                    np.maximum.reduceat(x1[printed], piece_first).tolist()):
            pieces_by_run[run].append((first_x0, last_x1, max_x1))

    runs = []
    text, x0_list = chars.text, x0.tolist()
    for start, end, obj, printed_here, widest, pieces in zip(
            starts.tolist(), ends.tolist(), chars.obj[starts].tolist(), printed_count.tolist(),
            widest_touch.tolist(), pieces_by_run):
        style = styles[obj]
        segment = text[start:end]
        runs.append(Run(start=start, end=end, style=style, text=" ".join(segment.split()),
                        lead_space=segment[0].isspace(), trail_space=segment[-1].isspace(),
                        printed=printed_here,
                        x0=pieces[0][0] if pieces else 0.0, x1=max(p[2] for p in pieces) if pieces else 0.0,
                        first_x0=pieces[0][0] if pieces else 0.0, last_x1=pieces[-1][1] if pieces else 0.0,
                        min_x0=x0_list[start], max_x0=x0_list[end - 1], widest_touch=widest,
                        pieces=tuple(pieces)))
    return runs


def runs_to_line_groups(runs: list[Run]) -> list[list[Run]]:
    """pdf.chars_to_line_groups for runs: all characters of a run share one box, so the
    run goes where each of its characters would go."""
    groups = pdf.group_by_line(runs, lambda r: (r.style.top, r.style.bottom), lambda r: r.min_x0)
    ordered = []
    for group in groups:
        group.sort(key=lambda r: r.min_x0)
        if any(b.min_x0 <= a.max_x0 for a, b in zip(group, group[1:])):
            raise _CharRules("two text objects interleave on one line")
        ordered.append(group)
    return ordered


def runs_to_line(runs: list[Run], chars: PageChars, page: int) -> Line:
    """pdf.chars_to_line for one line's runs (left to right)."""
    if len(runs) == 1 and runs[0].printed:  # most lines: no superscript, one font
        run, style = runs[0], runs[0].style
        size = round(style.size, 1)
        return Line(text=run.text if run.widest_touch <= WORD_GAP * size else spaced_text(chars, run, WORD_GAP * size),
                    page=page, x0=run.x0, x1=run.x1, top=style.top, bottom=style.bottom, size=size,
                    bold=style.bold, font=style.font, chars=run.printed, column=0)
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
                chars=sum(run.printed for run in printed), column=0)


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
    pieces: list[list[float]] = []
    previous_x1 = None
    for run in group:
        for first_x0, last_x1, max_x1 in run.pieces:
            if previous_x1 is not None and first_x0 - previous_x1 < MIN_GUTTER_WIDTH:
                piece = pieces[-1]
                piece[1] = max(piece[1], max_x1)
                piece[2], piece[3] = min(piece[2], run.style.top), max(piece[3], run.style.bottom)
            else:
                pieces.append([first_x0, max_x1, run.style.top, run.style.bottom])
            previous_x1 = last_x1
    return [(x0, x1, bottom - top) for x0, x1, top, bottom in pieces]


def may_have_gutter(groups: list[list[Run]], page_width: float,
                    tables: list[tuple[float, float, float, float]] = ()) -> bool:
    """Could pdf.find_gutter find two columns on this page? Its test, for every x at once.

    Errs towards yes (a small slack on each comparison, any qualifying x rather than
    the one nearest the middle): a page that may have columns is read with pdf.py's rules.
    """
    pieces = np.array([(x0, x1, bottom - top) for x0, top, x1, bottom in tables]
                      + [piece for group in groups for piece in line_pieces(group)], dtype=np.float64)
    if not len(pieces):
        return False
    x0, x1, height = pieces[:, 0], pieces[:, 1], pieces[:, 2]
    total = float(height.sum())
    if not total:
        return False
    # Sums over the whole x = low..high at once: each piece adds its height to a run of
    # whole x (x0 < x < x1: across; x >= x1: left of x; x <= x0: right of x).
    low, high = int(GUTTER_SEARCH[0] * page_width), int(GUTTER_SEARCH[1] * page_width)
    span = high - low + 1

    def added(first: np.ndarray, last: np.ndarray) -> np.ndarray:
        """Sum of `height` over the pieces whose run first..last (whole x) covers each x."""
        first = np.clip(first - low, 0, span)
        last = np.clip(last - low + 1, 0, span)
        steps = np.zeros(span + 1)
        np.add.at(steps, first, np.where(first < last, height, 0.0))
        np.add.at(steps, last, np.where(first < last, -height, 0.0))
        return np.cumsum(steps)[:span]

    across = added(np.floor(x0).astype(int) + 1, np.ceil(x1).astype(int) - 1)
    left = added(np.ceil(x1).astype(int), np.full(len(x1), high))
    right = added(np.full(len(x0), low), np.floor(x0).astype(int))
    qualifies = ((across <= GUTTER_MAX_ACROSS * total + GUTTER_SLACK)
                 & (np.minimum(left, right) >= GUTTER_MIN_SIDE * total - GUTTER_SLACK))
    for at in np.flatnonzero(qualifies).tolist():
        left_x = right_x = at  # widen the strip over neighbours no more crossed, as find_gutter does
        while left_x > 0 and qualifies[left_x - 1] and across[left_x - 1] <= across[at] + GUTTER_SLACK:
            left_x -= 1
        while right_x + 1 < span and qualifies[right_x + 1] and across[right_x + 1] <= across[at] + GUTTER_SLACK:
            right_x += 1
        if right_x - left_x + 2 >= MIN_GUTTER_WIDTH:
            return True
    return False


# --- lines --------------------------------------------------------------------------

def page_lines(chars: PageChars, styles: dict[int, RunStyle], number: int, width: float,
               height: float) -> list[Line]:
    """The text lines of a page without ruled tables, in reading order, as pdf.py makes them."""
    try:
        return run_lines(chars, styles, number, width)
    except _CharRules:
        return list(pdf.chars_to_content(char_dicts(chars, styles), [], number, width, height).lines)


def run_lines(chars: PageChars, styles: dict[int, RunStyle], number: int, width: float,
              tables: list[tuple[float, float, float, float]] = ()) -> list[Line]:
    """The page's lines made run by run, for a page of one column whose runs line up.

    `tables` are the boxes of the page's tables (their characters already left out).
    Raises _CharRules where runs cannot promise the lines of pdf.py's character rules.
    """
    groups = runs_to_line_groups(page_runs(chars, styles))
    if may_have_gutter(groups, width, tables):
        raise _CharRules("two columns, perhaps")
    lines = [runs_to_line(group, chars, number) for group in groups]
    return [line for line in lines if line.text]


def char_dicts(chars: PageChars, styles: dict[int, RunStyle]) -> list[dict]:
    """pdfium's characters as pdfplumber's character dicts (the keys pdf.py and the table
    finder read), for pdf.py's own character rules."""
    dicts = []
    for char, x0, x1, obj in zip(chars.text, chars.x0.tolist(), chars.x1.tolist(), chars.obj.tolist()):
        style = styles[obj]
        dicts.append({"text": char, "x0": x0, "x1": x1, "top": style.top, "doctop": style.top,
                      "bottom": style.bottom, "size": style.size, "fontname": style.font,
                      "upright": style.upright})
    return dicts
