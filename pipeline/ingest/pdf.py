"""PDF reader: pdfplumber characters -> lines -> headings, paragraphs, footnotes and tables.

    read_pdf(Path("aa-en-hunze-2021.pdf"), "aa-en-hunze-2021", Settings()) ->
    Document(format="pdf", blocks=(
        Block("4.1 Betaalbaarheid", kind=heading, heading_level=2, page=9),
        Block("12. De Volmacht hanteert ... (€ 663) ¹.", page=9),
        Block("¹ De huurprijsgrenzen ... prijspeil 2020.", kind=footnote, page=9),
        Block("", kind=table, rows=(("Termijn", "Overleg ..."), ...), page=24), ...))

The reader works in two passes. The first reads every page into light `Line` records
(text, position, font) and ruled tables, closing each page at once so memory stays flat.
The second needs the whole document: the body font size (headings are larger or bold),
the usual line spacing (a wider gap starts a paragraph), and the lines that repeat in
the page margins (running headers and footers). It then turns each page into blocks:
its body in reading order, then its footnotes; a footnote that runs on at the foot of
the next page is joined there into one block.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import math
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from operator import itemgetter
from pathlib import Path

import numpy as np
import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError
from pdfplumber.utils.exceptions import PdfminerException

from pipeline.errors import EmptyDocumentError, MissingDependencyError, UnreadableDocumentError
from pipeline.ingest.normalize import BULLET_RE, LABEL_RE, SUPERSCRIPT_DIGITS, join_lines
from pipeline.settings import Settings
from pipeline.types import Block, Document, FOOTNOTE, HEADING, Issue, PARAGRAPH, TABLE

# A line at least this much larger than the body text is a heading; a bold line of body
# size is one too.
HEADING_SIZE_RATIO = 1.15
BOLD_HEADING_MIN_RATIO = 0.95
MAX_HEADING_CHARS = 150
# Footnote text is set smaller than the body and sits in the lower part of the page.
# Word's default styles print it at 10 pt under 11 pt body text (0.91). OCR estimates
# sizes from the height of the letters, too roughly for that: a scanned page asks more.
FOOTNOTE_SIZE_RATIO = 0.95
OCR_FOOTNOTE_SIZE_RATIO = 0.9
FOOTNOTE_ZONE_FROM = 0.5  # share of the page height above which footnotes do not start
# A character this much smaller than its line and raised above its baseline is a
# superscript (a footnote marker "¹", or the "e" of "1e").
SUPERSCRIPT_SIZE_RATIO = 0.85
SUPERSCRIPT_RISE = 0.2  # share of the line's font size
# Two characters further apart than this share of the font size have a space between them.
WORD_GAP = 0.15
# White space between two lines beyond the usual gap plus this share of the font size
# starts a new paragraph.
PARAGRAPH_GAP = 0.3
# A paragraph's last line stops this far short of the text's right edge.
SHORT_LINE = 0.3
# A running header or footer repeats on at least this many pages, whatever the share.
MIN_REPEAT_PAGES = 2
# Two-column pages: a gutter lies in the middle part of the page; at most this share of
# the text (by height) prints across it and at least this share lies on either side.
GUTTER_SEARCH = (0.3, 0.7)
GUTTER_MAX_ACROSS = 0.1
GUTTER_MIN_SIDE = 0.25
MIN_GUTTER_WIDTH = 6.0  # points

# A page image for OCR of at most this size (A2 at 300 dpi is 35 megapixels): rendering one
# takes 4 bytes a pixel, and Tesseract a few more copies.
MAX_OCR_MEGAPIXELS = 40
# A page whose printed characters are at least this share of glyphs that map to no
# character (fonts without a ToUnicode map) has a text layer of garbage.
UNMAPPED_SHARE = 0.3

_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi|-bd\b|,bd\b", re.IGNORECASE)
_PAGE_NUMBER = re.compile(
    r"^(?P<word>(?:pagina|page|blz\.?|p\.)\s*)?[-\u2013\u2014]?\s*(?P<number>\d{1,4})\s*[-\u2013\u2014]?"
    r"(?:\s*(?:van|of|/)\s*\d{1,4})?$", re.IGNORECASE)
_TO_SUPERSCRIPT = str.maketrans("0123456789", "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")
_FROM_SUPERSCRIPT = str.maketrans("\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079", "0123456789")
_SUPERSCRIPT_MARK = re.compile(rf"^[{SUPERSCRIPT_DIGITS}]+")
_DIGIT_MARK = re.compile(r"^(\d{1,2})[.)]?(?=\s+\S)")
_TERMINAL = (".", ":", "!", "?")
_OUTLINE_LABEL = re.compile(r"^\s*\d{1,2}(?:\.\d{1,2})+(?:\s|[A-Z][^\W\d_])")  # "3.1.2 ", "2.1 ", "2.1De"
_SPAN, _X0 = itemgetter("top", "bottom"), itemgetter("x0")  # of a pdfplumber character


@dataclass(frozen=True, slots=True)
class Line:
    """One printed line: its text with spaces restored, where it stands, and its font."""

    text: str
    page: int
    x0: float
    x1: float
    top: float  # distance from the top of the page, as pdfplumber measures
    bottom: float
    size: float  # the font size most of its characters have
    bold: bool
    font: str
    chars: int  # how many characters it has, to weigh font statistics
    column: int = 0  # 0, or 1 for the right column of a two-column page


@dataclass(frozen=True)
class PlacedTable:
    """A ruled table found on a page, with its cells' text."""

    top: float
    bottom: float
    rows: tuple[tuple[str, ...], ...]
    column: int = 0  # 1 when it stands in the right column of a two-column page


@dataclass(frozen=True)
class PageContent:
    number: int  # 1-based
    width: float
    height: float
    lines: tuple[Line, ...]
    tables: tuple[PlacedTable, ...]
    ocr_confidence: float | None = None  # mean word confidence (0-100) when OCR read the page
    blank: bool = False  # nothing at all is drawn on it (see `is_blank`)


@dataclass(frozen=True)
class PageFailure:
    """A page the first pass could not read, and why: "PSEOF: Unexpected EOF"."""

    number: int  # 1-based
    reason: str


@dataclass(frozen=True)
class Layout:
    """What the whole document says about its pages: body font, spacing, margins, headings."""

    body_size: float
    line_gap: float  # usual white space between two lines of one paragraph
    running: frozenset[str]  # masked texts of running headers and footers
    heading_levels: dict[tuple[float, bool], int]  # (size, bold) -> 1 = biggest
    margin_band: float


def read_pdf(path: Path, doc_id: str, settings: Settings) -> Document:
    """Read a PDF into ordered blocks: headings, paragraphs, tables, then each page's footnotes.

    Headers, footers and page numbers are dropped, end-of-line hyphenation is undone,
    and every numbered item or bullet is a block of its own:

        page 9: "Prestatieafspraken Aa en Hunze 2021" / "12. De Volmacht hanteert voor mini-" /
                "maal 85% ... (€ 663) ¹." / "¹ De huurprijsgrenzen ..." / "Pagina 9"
        -> [Block("12. De Volmacht hanteert voor minimaal 85% ... (€ 663) ¹.", page=9),
            Block("¹ De huurprijsgrenzen ...", kind="footnote", page=9)]

    Raises UnreadableDocumentError for an encrypted or corrupt file; a page that cannot
    be read or has no text becomes an Issue and the other pages are still read.
    """
    pages: list[PageContent] = []
    issues: list[Issue] = []
    failures: list[str] = []
    page_count = garbled = 0
    for content in first_pass(path, settings):
        page_count += 1
        where = f"page {content.number}"
        if isinstance(content, PageFailure):
            failures.append(content.reason)
            issues.append(Issue(doc_id, "unreadable-page", f"{where} could not be read "
                                f"({content.reason}); its text is missing", where=where))
            continue
        if content.ocr_confidence is None and unmapped_share(content) >= UNMAPPED_SHARE:
            garbled += 1
            issues.append(Issue(doc_id, "unmapped-text", f"{where}: its text layer maps to no characters "
                                f"(a font without a ToUnicode map); its text is left out: read the file "
                                f"with --ocr always", where=where))
            content = replace(content, lines=(), tables=())
        elif not content.lines and not content.tables and not content.blank:
            issues.append(Issue(doc_id, "no-text-layer", f"{where} has no text layer (a scan?); "
                                f"its text is missing unless OCR reads it", where=where))
        if content.ocr_confidence is not None:
            issues.append(Issue(doc_id, "ocr", f"{where} was read by OCR (Tesseract, "
                                f"'{settings.ocr_language}'), mean word confidence "
                                f"{content.ocr_confidence:.0f}%: check its numbers and names", where=where))
        pages.append(content)
    if len(failures) == page_count:
        too_large = f"{PageTooLargeError.__name__}: "
        if all(reason.startswith(too_large) for reason in failures):
            raise UnreadableDocumentError(path, "no text layer, and too large to OCR (page 1: "
                                                f"{failures[0].removeprefix(too_large)})")
        raise UnreadableDocumentError(path, f"not a readable PDF (corrupt or truncated: {failures[0]})")
    if all(content.blank for content in pages):
        raise EmptyDocumentError(path, "no text found in the document: " + (
            "its page is blank" if page_count == 1 else f"all {page_count} pages are blank"))
    if garbled and not any(content.lines or content.tables for content in pages):
        raise UnreadableDocumentError(path, "the text layer maps to no characters (fonts without a ToUnicode "
                                            "map print garbage); read it with --ocr always")
    if settings.ocr == "auto" and not any(content.lines or content.tables for content in pages):
        from pipeline.ingest.ocr import require_ocr
        require_ocr(path, settings.ocr_language)  # a scan, and no OCR: say what to install

    layout = document_layout(pages, settings)
    blocks = document_blocks(pages, layout)
    return Document(path=path, id=doc_id, format="pdf", blocks=tuple(blocks),
                    page_count=page_count, issues=tuple(issues))


_UNMAPPED = re.compile(r"\(cid:\d+\)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ue000-\uf8ff\ufffd-\uffff]")


def unmapped_share(content: PageContent) -> float:
    """The share of a page's printed glyphs that map to no character: pdfminer's "(cid:12)",
    the raw codes pdfium passes on (control characters), private-use and replacement
    characters. 0.0 for a page of real text, near 1.0 for a font without a ToUnicode map."""
    texts = [line.text for line in content.lines] + [cell for table in content.tables
                                                     for row in table.rows for cell in row]
    text = "".join("".join(texts).split())
    unmapped = len(_UNMAPPED.findall(text))
    glyphs = unmapped + len(_UNMAPPED.sub("", text))
    return unmapped / glyphs if glyphs else 0.0


class PageTooLargeError(ValueError):
    """A page too large to render for OCR within the memory bound (MAX_OCR_MEGAPIXELS)."""


def first_pass(path: Path, settings: Settings) -> Iterator[PageContent | PageFailure]:
    """Each page's lines and tables in page order, or why the page could not be read.

    settings.pdf_engine picks the character source: "pdfplumber" reads every page here;
    "pdfium" and "auto" read pages with pdfium (pipeline/ingest/pdfium.py: the same lines,
    many times faster) and hand those it cannot stand in for (scans, rotated pages) to
    `read_page`; "auto" hands it the pages with ruled tables too, "pdfium" runs
    pdfplumber's table finder on pdfium's paths.
    """
    if settings.pdf_engine == "pdfplumber":
        return plumber_pages(path, settings)
    from pipeline.ingest.pdfium import pdfium_pages  # it builds on this module
    return pdfium_pages(path, settings)


def plumber_pages(path: Path, settings: Settings) -> Iterator[PageContent | PageFailure]:
    """The first pass with pdfplumber; raises UnreadableDocumentError for a file it cannot open."""
    pdf = open_pdf(path)
    try:
        for page in pdf.pages:
            try:
                content = read_page(page, settings)
            except MissingDependencyError:
                raise
            except Exception as error:  # noqa: BLE001 - whatever the parser hit: skip the page, say so
                content = PageFailure(page.page_number, short_reason(error))
            finally:
                page.close()  # frees the page's parsed objects, so memory stays flat
            yield content
    finally:
        pdf.close()


def read_page(page: pdfplumber.page.Page, settings: Settings) -> PageContent:
    """A page's lines and tables; OCR's for a page without a text layer (settings.ocr
    "auto", when OCR is installed) or for every page ("always")."""
    if settings.ocr == "always":
        return ocr_content(page, settings)
    content = page_content(page)
    if not content.lines and not content.tables:
        if is_blank(page):
            return replace(content, blank=True)
        if settings.ocr == "auto" and ocr_installed(settings):
            content = ocr_content(page, settings)
    return content


def is_blank(page: pdfplumber.page.Page) -> bool:
    """Nothing at all is drawn on the page (no image, path or character): there is nothing
    for OCR to read, and reading it would cost a second or two of Tesseract for each page."""
    return not page.objects


def open_pdf(path: Path) -> pdfplumber.PDF:
    """Open the file and its page tree, or raise UnreadableDocumentError saying why not."""
    try:
        pdf = pdfplumber.open(path)
    except PdfminerException as error:
        cause = error.args[0] if error.args else error
        if isinstance(cause, PDFEncryptionError):
            raise UnreadableDocumentError(
                path, "the PDF is encrypted (password protected); save an unprotected copy") from error
        raise corrupt(path, cause) from error
    except Exception as error:  # noqa: BLE001 - pdfminer raises many kinds on broken files
        raise corrupt(path, error) from error
    try:
        pages = pdf.pages
    except Exception as error:  # noqa: BLE001
        with contextlib.suppress(Exception):  # close() walks the same broken page tree
            pdf.close()
        raise corrupt(path, error) from error
    if not pages:
        pdf.close()
        raise UnreadableDocumentError(path, "not a readable PDF (corrupt or truncated: no pages found)")
    return pdf


def corrupt(path: Path, error: BaseException) -> UnreadableDocumentError:
    return UnreadableDocumentError(path, f"not a readable PDF (corrupt or truncated: {short_reason(error)})")


def short_reason(error: BaseException) -> str:
    """One short line naming a parser error: "PSEOF: Unexpected EOF"."""
    if isinstance(error, PdfminerException) and error.args and isinstance(error.args[0], BaseException):
        error = error.args[0]
    detail = " ".join(str(error).split())
    reason = f"{type(error).__name__}: {detail}" if detail else type(error).__name__
    return reason if len(reason) <= 100 else reason[:97] + "..."


def ocr_content(page: pdfplumber.page.Page, settings: Settings) -> PageContent:
    """The page's lines and ruled tables read from its image by OCR (pipeline/ingest/ocr.py).

    They are the same `Line` and `PlacedTable` records a text layer gives, so the rest of
    the reader treats them like printed text. Raises MissingDependencyError when
    Tesseract or its language model is not installed.
    """
    from pipeline.ingest.ocr import ocr_page, require_ocr  # optional part; it imports this module
    megapixels = float(page.width) * float(page.height) * (settings.ocr_dpi / 72) ** 2 / 1e6
    if megapixels > MAX_OCR_MEGAPIXELS:
        raise PageTooLargeError(f"{float(page.width) / 72:.0f} x {float(page.height) / 72:.0f} inches, too large "
                                f"to OCR at {settings.ocr_dpi} dpi ({megapixels:,.0f} megapixels; at most "
                                f"{MAX_OCR_MEGAPIXELS})")
    source = Path(page.pdf.path) if page.pdf.path else page.pdf.stream
    require_ocr(Path(page.pdf.path or "<stream>"), settings.ocr_language)
    read = ocr_page(source, page.page_number - 1, settings)
    return PageContent(number=page.page_number, width=float(page.width), height=float(page.height),
                       lines=read.lines, tables=read.tables, ocr_confidence=read.confidence)


def ocr_installed(settings: Settings) -> bool:
    from pipeline.ingest.ocr import ocr_problem
    return ocr_problem(settings.ocr_language) is None


# --- pass 1: one page -> lines and tables -------------------------------------------

def page_content(page: pdfplumber.page.Page) -> PageContent:
    """The page's text lines (outside tables) in reading order, and its ruled tables."""
    tables = [table for table in page.find_tables() if len(table.cells) > 1]
    return chars_to_content(page.chars, tables, page.page_number, float(page.width), float(page.height))


def chars_to_content(chars: list[dict], tables: list[pdfplumber.table.Table], number: int,
                     width: float, height: float) -> PageContent:
    """A page's characters (pdfplumber's dicts) and ruled tables -> its lines and tables.

    Both character sources end here: pdfplumber's own page and pdfium's (pdfium.py).
    """
    boxes = [table.bbox for table in tables]
    chars = [char for char in unique_chars(chars)
             if char.get("upright", True) and not (boxes and inside_any(char, boxes))]
    groups = chars_to_line_groups(chars)
    gutter = find_gutter(groups, boxes, width)
    lines = [chars_to_line(group, number, column) for column, group in reading_order(groups, gutter)]
    placed = tuple(PlacedTable(top=table.bbox[1], bottom=table.bbox[3], rows=table_rows(table.extract()),
                               column=int(gutter is not None and table.bbox[0] >= gutter[0]))
                   for table in tables)
    return PageContent(number=number, width=width, height=height,
                       lines=tuple(line for line in lines if line.text), tables=placed)


def table_rows(cells: list[list[str | None]]) -> tuple[tuple[str, ...], ...]:
    """pdfplumber's cell texts -> rows of one-line strings ("wo-\\nningen" -> "woningen")."""
    return tuple(tuple(join_lines((cell or "").split("\n")) for cell in row) for row in cells)


def unique_chars(chars: list[dict]) -> list[dict]:
    """Drop a character printed twice at (almost) the same place, a cheap "bold" some
    producers use; pdfplumber's `dedupe_chars` does this too but costs more than reading."""
    seen: set[tuple[str, int, int]] = set()
    unique = []
    for char in chars:
        key = (char["text"], round(char["x0"]), round(char["top"]))
        if key not in seen:
            seen.add(key)
            unique.append(char)
    return unique


def inside_any(char: dict, boxes: list[tuple[float, float, float, float]]) -> bool:
    x = (char["x0"] + char["x1"]) / 2
    y = (char["top"] + char["bottom"]) / 2
    return any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)


def chars_to_line_groups(chars: list[dict]) -> list[list[dict]]:
    """Group characters into printed lines, top to bottom, each left to right."""
    groups = group_by_line(chars, _SPAN, _X0)
    return [sorted(group, key=_X0) for group in groups]


def group_by_line(items: list, span, left) -> list[list]:
    """Items (characters, or runs of them) in printed lines, top to bottom, in sort order.

    `span(item)` gives its (top, bottom) and `left(item)` its left edge. Items share a line
    when their boxes overlap vertically by at least half the smaller height, which keeps a
    raised footnote marker on the line it belongs to. Both PDF engines use this one rule.
    """
    groups: list[list] = []
    box_top = box_bottom = 0.0
    spans = list(map(span, items))
    keys = [(sum(item_span) / 2, item_left) for item_span, item_left in zip(spans, map(left, items))]
    # min() and max() written out (the same choice between equals): the calls would cost
    # more than the rest of this loop.
    for at in sorted(range(len(items)), key=keys.__getitem__):
        top, bottom = spans[at]
        if groups and ((box_bottom if box_bottom < bottom else bottom) - (box_top if box_top > top else top)
                       >= 0.5 * (box_bottom - box_top if box_bottom - box_top < bottom - top else bottom - top)):
            groups[-1].append(items[at])
            box_top = box_top if box_top < top else top
            box_bottom = box_bottom if box_bottom > bottom else bottom
        else:
            groups.append([items[at]])
            box_top, box_bottom = top, bottom
    return groups


def chars_to_line(chars: list[dict], page: int, column: int = 0) -> Line:
    """One line's characters (left to right) -> a Line with spaces and superscripts restored.

    Spaces come from space characters or from gaps, since many producers position words
    instead of printing spaces. A small raised digit becomes a superscript digit, so a
    footnote marker reads "(€ 663) ¹" rather than "(€ 663) 1".
    """
    printed = [c for c in chars if not c["text"].isspace()]
    size = Counter(round(c["size"], 1) for c in printed).most_common(1)[0][0] if printed else 0.0
    normal = [c for c in printed if c["size"] >= SUPERSCRIPT_SIZE_RATIO * size] or printed
    baseline = statistics.median(c["bottom"] for c in normal) if normal else 0.0
    pieces: list[str] = []
    previous: dict | None = None
    pending_space = False
    threshold = WORD_GAP * size
    for char in chars:
        text = char["text"]
        if text.isspace():
            pending_space = bool(pieces)
            continue
        if previous is not None and (pending_space or char["x0"] - previous["x1"] > threshold):
            pieces.append(" ")
        if text.isdigit() and is_superscript(char, size, baseline):
            text = text.translate(_TO_SUPERSCRIPT)
        pieces.append(text)
        previous, pending_space = char, False
    fonts = Counter(c["fontname"] for c in normal)
    return Line(text="".join(pieces), page=page,
                x0=min((c["x0"] for c in printed), default=0.0), x1=max((c["x1"] for c in printed), default=0.0),
                top=min((c["top"] for c in normal), default=0.0),
                bottom=max((c["bottom"] for c in normal), default=0.0),
                size=size, bold=bool(normal) and all(is_bold_font(c["fontname"]) for c in normal),
                font=fonts.most_common(1)[0][0] if fonts else "", chars=len(printed), column=column)


@functools.cache
def is_bold_font(name: str) -> bool:
    """Does the font's name say bold (or heavier)? "Arial-BoldMT" -> True."""
    return bool(_BOLD_FONT.search(name))


def is_superscript(char: dict, line_size: float, baseline: float) -> bool:
    return (char["size"] < SUPERSCRIPT_SIZE_RATIO * line_size
            and baseline - char["bottom"] > SUPERSCRIPT_RISE * line_size)


def reading_order(groups: list[list[dict]], gutter: tuple[float, float] | None) -> list[tuple[int, list[dict]]]:
    """Lines (top to bottom, full width) -> (column, line characters) in reading order.

    A one-column page reads top to bottom. On a two-column page, lines that print
    across the gutter (a title, a centred footer) divide the page into bands, and each
    band is read left column first, then right column.
    """
    if gutter is None:
        return [(0, group) for group in groups]
    middle = (gutter[0] + gutter[1]) / 2

    def columns(band: list[dict]) -> tuple[list[dict], list[dict]]:
        return ([c for c in band if (c["x0"] + c["x1"]) / 2 < middle],
                [c for c in band if (c["x0"] + c["x1"]) / 2 >= middle])

    return banded_order(groups, lambda group: crosses_gutter(group, middle), columns, chars_to_line_groups)


def banded_order(groups: list[list], crosses, columns, line_groups) -> list[tuple[int, list]]:
    """reading_order's walk, for characters (here) or runs (pdfium.py): lines that `cross`
    the gutter end a band; a band's items are split into (left, right) `columns`, each
    read as `line_groups`, left column first."""
    ordered: list[tuple[int, list]] = []
    band: list = []

    def flush_band() -> None:
        left, right = columns(band)
        ordered.extend((0, group) for group in line_groups(left))
        ordered.extend((1, group) for group in line_groups(right))
        band.clear()

    for group in groups:
        if crosses(group):
            flush_band()
            ordered.append((0, group))
        else:
            band.extend(group)
    flush_band()
    return ordered


def crosses_gutter(group: list[dict], middle: float) -> bool:
    """Does this line print across the gutter (rather than hold one line of each column)?"""
    printed = [c for c in group if not c["text"].isspace()]
    left = [c for c in printed if (c["x0"] + c["x1"]) / 2 < middle]
    right = [c for c in printed if (c["x0"] + c["x1"]) / 2 >= middle]
    if not left or not right:
        return any(c["x0"] < middle < c["x1"] for c in printed)
    return right[0]["x0"] - left[-1]["x1"] < MIN_GUTTER_WIDTH


def find_gutter(groups: list[list[dict]], tables: list[tuple[float, float, float, float]],
                page_width: float) -> tuple[float, float] | None:
    """The empty vertical strip between two columns, as (left x, right x), or None.

    Looks at how much text (line pieces and tables, by height) lies across each x in
    the middle of the page: a gutter has almost none across it and plenty on both sides.
    Of several such strips (a hanging indent in the right column is one too), the one
    nearest the middle of the page wins: columns are usually of equal width.
    """
    pieces = [(x0, x1, bottom - top) for x0, top, x1, bottom in tables]
    for group in groups:
        pieces.extend(line_pieces(group))
    return gutter_between(pieces, page_width)


def gutter_between(pieces: list[tuple[float, float, float]], page_width: float) -> tuple[float, float] | None:
    """find_gutter's search among the page's line pieces and tables, as (x0, x1, height).

    The heights across, left and right of x change only where x passes a piece's edge
    (floor(x0) + 1, ceil(x1)): they are summed there alone. When no height is negative,
    the sum left of x only grows with x and the sum right of x only shrinks: x with too
    little on either side are passed over, and so is every x when the pieces across all
    of them already make too much.
    """
    total = sum(height for _, _, height in pieces)
    if not total:
        return None
    low, high = int(GUTTER_SEARCH[0] * page_width), int(GUTTER_SEARCH[1] * page_width)
    across_limit, side_limit = GUTTER_MAX_ACROSS * total, GUTTER_MIN_SIDE * total

    def across(x: int) -> float:
        return sum(h for x0, x1, h in pieces if x0 < x < x1)

    def left(x: int) -> float:
        return sum(h for _, x1, h in pieces if x1 <= x)

    def right(x: int) -> float:
        return sum(h for x0, _, h in pieces if x0 >= x)

    no_negative = all(height >= 0 for _, _, height in pieces)
    if no_negative and sum(h for x0, x1, h in pieces if x0 < low and high < x1) > across_limit:
        return None  # most pages: full lines cross the whole search strip
    try:
        changes = {math.floor(x0) + 1 for x0, _, _ in pieces} | {math.ceil(x1) for _, x1, _ in pieces}
    except (ValueError, OverflowError):  # an edge that is not a number: sum at every x
        changes = set(range(low, high + 1))
    first_x, last_x = low, high
    may_qualify = None  # where the sum across x may be small enough, if known
    if no_negative:
        steps = [low, *sorted(x for x in changes if low < x <= high)]
        first = bisect.bisect_left(steps, True, key=lambda x: left(x) >= side_limit)
        last = bisect.bisect_left(steps, True, key=lambda x: right(x) < side_limit) - 1
        if first > last:
            return None
        first_x, last_x = steps[first], steps[last + 1] - 1 if last + 1 < len(steps) else high
        # numpy's sums across every step at once differ from sum()'s (in another order) by
        # far less than the margin: only the steps they put near or under the limit need sum().
        if math.isfinite(total):
            x0s, x1s, heights = np.array(pieces, dtype=np.float64).reshape(-1, 3).T
            at = np.array(steps[first:last + 1])[:, None]
            near = ((x0s < at) & (at < x1s)) @ heights <= across_limit + 1e-9 * abs(total)
            may_qualify = dict(zip(steps[first:last + 1], near.tolist()))
    across_by_x: dict[int, float] = {}
    qualifies = False
    for x in range(first_x, last_x + 1):
        if x == first_x or x in changes:
            if may_qualify is not None and not may_qualify[x]:
                qualifies = False
                continue
            across_x = across(x)
            qualifies = across_x <= across_limit and min(left(x), right(x)) >= side_limit
        if qualifies:
            across_by_x[x] = across_x
    if not across_by_x:
        return None
    x = min(across_by_x, key=lambda x: abs(x - page_width / 2))
    # The strip: the neighbours no more crossed than x (a centred footer crosses them all).
    left_x = right_x = x
    while across_by_x.get(left_x - 1, total + 1) <= across_by_x[x]:
        left_x -= 1
    while across_by_x.get(right_x + 1, total + 1) <= across_by_x[x]:
        right_x += 1
    return (float(left_x), float(right_x)) if right_x - left_x + 2 >= MIN_GUTTER_WIDTH else None


def line_pieces(group: list[dict]) -> list[tuple[float, float, float]]:
    """A line cut at its wide gaps -> (x0, x1, height) of each piece."""
    printed = [c for c in group if not c["text"].isspace()]
    pieces, start = [], 0
    for i in range(1, len(printed) + 1):
        if i == len(printed) or printed[i]["x0"] - printed[i - 1]["x1"] >= MIN_GUTTER_WIDTH:
            part = printed[start:i]
            pieces.append((part[0]["x0"], max(c["x1"] for c in part),
                           max(c["bottom"] for c in part) - min(c["top"] for c in part)))
            start = i
    return pieces


# --- pass 2: document statistics ----------------------------------------------------

def document_layout(pages: list[PageContent], settings: Settings) -> Layout:
    lines = [line for content in pages for line in content.lines]
    body_size = weighted_median([(line.size, line.chars) for line in lines]) if lines else 0.0
    gaps = [b.top - a.bottom for content in pages for a, b in zip(content.lines, content.lines[1:])
            if abs(a.size - body_size) < 0.5 and abs(b.size - body_size) < 0.5 and 0 <= b.top - a.bottom < 3 * body_size]
    return Layout(body_size=body_size, line_gap=statistics.median(gaps) if gaps else 0.3 * body_size,
                  running=running_texts(pages, settings), heading_levels=heading_levels(lines, body_size),
                  margin_band=settings.margin_band)


def weighted_median(values: list[tuple[float, int]]) -> float:
    """Median of values each counted `weight` times: [(10, 900), (15, 20)] -> 10."""
    ordered = sorted(values)
    half = sum(weight for _, weight in ordered) / 2
    running = 0
    for value, weight in ordered:
        running += weight
        if running >= half:
            return value
    return ordered[-1][0]


def masked(text: str) -> str:
    """A margin line with its numbers masked, to spot repeats: "Pagina 3 van 12" -> "pagina # van #"."""
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def in_margin(line: Line, content: PageContent, band: float) -> bool:
    return line.top < band * content.height or line.bottom > (1 - band) * content.height


def running_texts(pages: list[PageContent], settings: Settings) -> frozenset[str]:
    """Masked texts of lines in the top or bottom margin that repeat on enough pages."""
    seen: defaultdict[str, set[int]] = defaultdict(set)
    for content in pages:
        for line in content.lines:
            if in_margin(line, content, settings.margin_band):
                seen[masked(line.text)].add(content.number)
    needed = max(MIN_REPEAT_PAGES, settings.repeat_share * len(pages))
    return frozenset(text for text, numbers in seen.items() if len(numbers) >= needed)


def is_heading_line(line: Line, body_size: float) -> bool:
    if len(line.text) > MAX_HEADING_CHARS:
        return False
    return (line.size >= HEADING_SIZE_RATIO * body_size
            or (line.bold and line.size >= BOLD_HEADING_MIN_RATIO * body_size))


def heading_style(line: Line) -> tuple[float, bool]:
    return round(line.size * 2) / 2, line.bold


def heading_levels(lines: list[Line], body_size: float) -> dict[tuple[float, bool], int]:
    """Heading font styles -> levels, 1 for the biggest.

    A style used on the first page only (a cover title) does not take a level of its
    own: it ranks with the body headings by size, so the chapters stay level 1.
    """
    pages: defaultdict[tuple[float, bool], set[int]] = defaultdict(set)
    for line in lines:
        if is_heading_line(line, body_size):
            pages[heading_style(line)].add(line.page)
    ranked = [style for style, numbers in pages.items() if numbers != {1}] or list(pages)

    def bigger(a: tuple[float, bool], b: tuple[float, bool]) -> bool:
        return a[0] > b[0] or (a[0] == b[0] and a[1] and not b[1])

    return {style: 1 + sum(bigger(other, style) for other in set(ranked)) for style in pages}


# --- pass 2: one page -> blocks -----------------------------------------------------

def is_running(line: Line, content: PageContent, layout: Layout) -> bool:
    """A running header or footer, or a lone page number in the margin."""
    if not in_margin(line, content, layout.margin_band):
        return False
    return masked(line.text) in layout.running or is_page_number(line.text)


def is_page_number(text: str) -> bool:
    """A lone page number: "3", "- 3 -", "Pagina 3 van 12", "3/12"; not a bare year ("2021")."""
    m = _PAGE_NUMBER.match(text.strip())
    return bool(m) and (bool(m.group("word")) or not 1900 <= int(m.group("number")) <= 2100)


def document_blocks(pages: list[PageContent], layout: Layout) -> list[Block]:
    """Every page's blocks in page order: its body (headings, paragraphs, tables) top to
    bottom, then its footnotes. A footnote too long for its page goes on at the foot of
    the next one, above that page's own footnotes and without a marker; it stays one block,
    at the place and page of its start:

        page 3: ... / "¹ De huurprijsgrenzen zijn gebaseerd op prijs-"
        page 4: "13. Woonborg ..." / "peil 2020." / "² Zie de Woonvisie."   (notes in small print)
        -> [..., Block("¹ De huurprijsgrenzen zijn gebaseerd op prijspeil 2020.", kind=footnote, page=3),
            Block("13. Woonborg ...", page=4), Block("² Zie de Woonvisie.", kind=footnote, page=4)]
    """
    blocks: list[Block] = []
    open_note: int | None = None  # index of the footnote the page before ended with
    previous_page = 0
    for content in pages:
        if content.number != previous_page + 1:  # a page between them is missing
            open_note = None
        previous_page = content.number
        lines = [line for line in content.lines if not is_running(line, content, layout)]
        body, unmarked, notes = split_footnotes(lines, content, layout)
        if open_note is not None and unmarked:
            note = blocks[open_note]
            blocks[open_note] = replace(note, text=join_lines([note.text, *(line.text for line in unmarked)]))
        else:
            body += unmarked  # small print that continues no footnote is body text
        blocks += body_blocks(body, content, layout)
        if notes:
            blocks += footnote_blocks(notes)
            open_note = len(blocks) - 1
        elif not unmarked:
            open_note = None  # the page's foot has no footnote text: the open one has ended
    return blocks


def split_footnotes(lines: list[Line], content: PageContent,
                    layout: Layout) -> tuple[list[Line], list[Line], list[Line]]:
    """Cut a page's lines into body, unmarked foot and footnotes.

    The foot is the run of small-font lines at the bottom of the page; its footnotes
    start at the first line led by a marker. The small lines above that marker are the
    unmarked foot: the rest of a footnote from the page before, or body text.
    """
    ratio = FOOTNOTE_SIZE_RATIO if content.ocr_confidence is None else OCR_FOOTNOTE_SIZE_RATIO
    start = len(lines)
    while (start > 0 and lines[start - 1].size <= ratio * layout.body_size
           and lines[start - 1].top >= FOOTNOTE_ZONE_FROM * content.height):
        start -= 1
    first_mark = start
    while first_mark < len(lines) and footnote_mark(lines[first_mark].text) is None:
        first_mark += 1
    return lines[:start], lines[start:first_mark], lines[first_mark:]


def footnote_mark(text: str) -> str | None:
    """The marker that opens a footnote line: "¹ De huur..." -> "¹", "2 Zie ..." -> "²"."""
    if m := _SUPERSCRIPT_MARK.match(text):
        return m.group(0)
    if m := _DIGIT_MARK.match(text):
        return m.group(1).translate(_TO_SUPERSCRIPT)
    return None


def footnote_blocks(lines: list[Line]) -> list[Block]:
    """Footnote lines -> one FOOTNOTE block per marker, the marker as a superscript ("¹ ...")."""
    notes: list[tuple[Line, list[str]]] = []
    expected: str | None = None
    for line in lines:
        mark = footnote_mark(line.text)
        # A plain number only opens a note when it is the next one: "2020 ..." continues.
        if mark and (not notes or _SUPERSCRIPT_MARK.match(line.text) or mark == expected):
            text = line.text
            if not _SUPERSCRIPT_MARK.match(text):
                text = mark + " " + _DIGIT_MARK.sub("", text, count=1).lstrip()
            notes.append((line, [text]))
            number = int(mark.translate(_FROM_SUPERSCRIPT))
            expected = str(number + 1).translate(_TO_SUPERSCRIPT)
        elif notes:
            notes[-1][1].append(line.text)
    return [Block(text=join_lines(texts), kind=FOOTNOTE, page=first.page, style=font_hint(first))
            for first, texts in notes]


def font_hint(line: Line) -> str:
    return f"{line.font} {line.size:g}"


def starts_item(text: str) -> bool:
    """A line that opens a numbered item ("12. De ...", "3.1.2 De ...", "b) ...") or a bullet ("• ...").

    A multi-level number needs no closing dot; one with a three-digit group is an amount
    at the start of a wrapped line ("1.500 woningen"), not a label.
    """
    label = LABEL_RE.match(text)
    if label and (label.group("punct") or label.group("paren") or label.group("prefix") or label.group("coded")):
        return True  # "12.", "(b)", "Afspraak 4", "B2 De ..."
    return bool(_OUTLINE_LABEL.match(text) or BULLET_RE.match(text))


@dataclass
class _Paragraph:
    """Lines being gathered into one block (mutable, private to `body_blocks`)."""

    lines: list[Line]
    heading: bool

    def block(self, layout: Layout) -> Block:
        first = self.lines[0]
        text = join_lines([line.text for line in self.lines])
        if self.heading:
            return Block(text=text, kind=HEADING, page=first.page, style=font_hint(first),
                         heading_level=layout.heading_levels.get(heading_style(first)))
        return Block(text=text, kind=PARAGRAPH, page=first.page, style=font_hint(first))


def body_blocks(lines: list[Line], content: PageContent, layout: Layout) -> list[Block]:
    """Body lines and tables -> blocks in reading order.

    Lines come in reading order already (column by column); a table goes before the
    first line of its column printed below it.
    """
    edges = column_edges(lines)
    blocks: list[Block] = []
    current: _Paragraph | None = None
    for item in with_tables(lines, content.tables):
        if isinstance(item, PlacedTable):
            if current is not None:
                blocks.append(current.block(layout))
                current = None
            blocks.append(Block(text="", kind=TABLE, page=content.number, rows=item.rows))
            continue
        heading = is_heading_line(item, layout.body_size)
        if current is not None and not starts_new_block(current, item, heading, layout, edges[item.column]):
            current.lines.append(item)
            continue
        if current is not None:
            blocks.append(current.block(layout))
        current = _Paragraph([item], heading)
    if current is not None:
        blocks.append(current.block(layout))
    return blocks


def with_tables(lines: list[Line], tables: tuple[PlacedTable, ...]) -> list[Line | PlacedTable]:
    """Lines in reading order with each table put before the first line below it in its column."""
    items: list[Line | PlacedTable] = list(lines)
    for table in sorted(tables, key=lambda t: (t.column, t.top), reverse=True):
        at = next((i for i, item in enumerate(items) if isinstance(item, Line)
                   and item.column == table.column and item.top >= table.top), None)
        if at is None:  # nothing below it in its column: after the column's last line
            at = max((i + 1 for i, item in enumerate(items) if isinstance(item, Line)
                      and item.column <= table.column), default=0)
        items.insert(at, table)
    return items


def column_edges(lines: list[Line]) -> dict[int, tuple[float, float]]:
    """Left and right edge of the text in each column of a page."""
    edges: dict[int, tuple[float, float]] = {}
    for line in lines:
        left, right = edges.get(line.column, (line.x0, line.x1))
        edges[line.column] = (min(left, line.x0), max(right, line.x1))
    return edges


def starts_new_block(current: _Paragraph, line: Line, heading: bool, layout: Layout,
                     edges: tuple[float, float]) -> bool:
    """Does `line` open a new block rather than continue `current`?

    Yes at a heading/body change or a font size change, at a number label or bullet, at
    a gap wider than the usual line spacing, after a short line that ends a sentence,
    and where the indentation says so (a line left of a hanging indent, a first-line
    indent, a line at the label of a finished one-line item above it). A paragraph may run on from the foot of one column to the top of the next.
    """
    previous = current.lines[-1]
    if heading != current.heading or abs(line.size - previous.size) > 0.5:
        return True
    if heading:
        return heading_style(line) != heading_style(previous) or line.top - previous.bottom > line.size
    if starts_item(line.text):
        return True
    if line.column != previous.column:
        return False
    if line.top - previous.bottom > layout.line_gap + PARAGRAPH_GAP * line.size:
        return True
    left_edge, right_edge = edges
    if previous.text.endswith(_TERMINAL) and previous.x1 < right_edge - SHORT_LINE * (right_edge - left_edge):
        return True
    if len(current.lines) == 1 and starts_item(previous.text) and previous.text.endswith(_TERMINAL) \
            and line.x0 < previous.x0 + 0.5 * line.size:
        return True  # a one-line item ends; the line below it starts where its label does, not its text
    if len(current.lines) >= 2:
        if line.x0 < current.lines[1].x0 - 0.5 * line.size:
            return True  # left of the paragraph's hanging indent
        if line.x0 > previous.x0 + 0.8 * line.size:
            return True  # a first-line indent
    return False
