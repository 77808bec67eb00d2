"""Render fixture elements into an agreement PDF the way a word processor prints one.

    render_pdf(seed_elements(), tmp_path / "aa-en-hunze-2021.pdf")

gives a small-format (A5) PDF with a title, bold headings in three sizes, numbered items
with a hanging indent ("12." then the text), bullets, justified paragraphs, ruled
tables, a running header and a "Pagina N" footer on every page, and each footnote at
the bottom of the page where its raised marker is printed, in a smaller font. A5 with
a 10 pt body makes the seed run over many pages, so several items break across a page
boundary, as they do in real agreements. With `footnote_room` a long footnote goes on at
the foot of the next page, as Word continues one.

`render_lines_pdf` draws given lines at fixed places, for small constructed cases
(hyphenation, page-number styles, encryption, pages without text).

Fonts: Bitstream Vera ships inside reportlab and covers "€", "¹" and "•", and it is
embedded with a ToUnicode map, as Word embeds its fonts. Helvetica is not used because
reportlab writes "•" in it as a code that text extractors cannot map.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from reportlab.lib.colors import black, grey
from reportlab.lib.enums import TA_JUSTIFY
from reportlab.lib.pagesizes import A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (BaseDocTemplate, Flowable, Frame, PageBreak, PageTemplate,
                                Paragraph, Spacer, Table, TableStyle)

from tests.render.source import Element

PAGE_SIZE = A5
MARGIN = 42.0  # left, right
TOP = 52.0  # page top to the body frame
BOTTOM = 48.0  # page bottom to the body frame
HEADER_Y_FROM_TOP = 26.0
FOOTER_Y = 22.0
BODY_SIZE = 10.0
FOOTNOTE_SIZE = 7.5
HEADING_SIZES = {1: 15.0, 2: 12.5, 3: 11.0}
TITLE_SIZE = 20.0
MAX_LAYOUT_PASSES = 4
GUTTER = 18.0  # between the columns of a two-column page

SUPERSCRIPTS = {"\u00b9": "1", "\u00b2": "2", "\u00b3": "3"}

_FONT_DIR = Path(reportlab.__file__).parent / "fonts"
REGULAR, BOLD, ITALIC = "Vera", "Vera-Bold", "Vera-Italic"


def register_fonts() -> None:
    """Register the Vera family once; reportlab keeps registrations process-wide."""
    if REGULAR in pdfmetrics.getRegisteredFontNames():
        return
    pdfmetrics.registerFont(TTFont(REGULAR, str(_FONT_DIR / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(_FONT_DIR / "VeraBd.ttf")))
    pdfmetrics.registerFont(TTFont(ITALIC, str(_FONT_DIR / "VeraIt.ttf")))
    pdfmetrics.registerFont(TTFont("Vera-BoldItalic", str(_FONT_DIR / "VeraBI.ttf")))
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=ITALIC,
                                  boldItalic="Vera-BoldItalic")


@dataclass(frozen=True)
class Styles:
    body: ParagraphStyle
    item: ParagraphStyle
    bullet: ParagraphStyle
    title: ParagraphStyle
    headings: dict[int, ParagraphStyle]
    footnote: ParagraphStyle
    cell: ParagraphStyle


def make_styles() -> Styles:
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=BODY_SIZE, leading=13,
                          spaceAfter=5, alignment=TA_JUSTIFY)
    headings = {level: ParagraphStyle(f"h{level}", fontName=BOLD, fontSize=size,
                                      leading=size * 1.25, spaceBefore=8, spaceAfter=5,
                                      keepWithNext=True)
                for level, size in HEADING_SIZES.items()}
    return Styles(
        body=body,
        item=ParagraphStyle("item", parent=body, leftIndent=24, bulletIndent=0,
                            bulletFontName=REGULAR, bulletFontSize=BODY_SIZE),
        bullet=ParagraphStyle("bullet", parent=body, leftIndent=38, bulletIndent=26,
                              spaceAfter=2, bulletFontName=REGULAR),
        title=ParagraphStyle("title", fontName=BOLD, fontSize=TITLE_SIZE,
                             leading=TITLE_SIZE * 1.3, spaceAfter=14),
        headings=headings,
        footnote=ParagraphStyle("footnote", fontName=REGULAR, fontSize=FOOTNOTE_SIZE,
                                leading=FOOTNOTE_SIZE * 1.25),
        cell=ParagraphStyle("cell", fontName=REGULAR, fontSize=8.5, leading=10.5),
    )


def inline_markup(text: str) -> str:
    """Plain fixture text -> platypus markup, footnote marks raised in a smaller size.

    >>> inline_markup("(€ 663) ¹ & meer")
    '(€ 663) <super>1</super> &amp; meer'
    """
    markup = escape(text)
    for mark, digit in SUPERSCRIPTS.items():
        markup = markup.replace(mark, f"<super>{digit}</super>")
    return markup


def cell_markup(text: str) -> str:
    """A seed table cell (which carries a little HTML from its source) -> platypus markup.

    >>> cell_markup('Ambtelijke bijeenkomst over: <ul style="x"> • Jaarplanning • Proces')
    'Ambtelijke bijeenkomst over:<br/>• Jaarplanning<br/>• Proces'
    """
    markup = text.replace("&", "&amp;")
    markup = re.sub(r"\s*</?ul[^>]*>\s*", " ", markup)
    markup = re.sub(r"\s*\u2022\s*", "<br/>\u2022 ", markup).strip()
    markup = re.sub(r"^(<br/>)+", "", markup)
    markup = re.sub(r"(\d) \^(\w+)", r"\1<super>\2</super>", markup)  # "1 ^e" = "1ᵉ"
    return markup


class PageMark(Flowable):
    """Zero-size flowable that records the page it lands on (where a footnote belongs)."""

    def __init__(self, key: str, seen: dict[str, int]):
        super().__init__()
        self.key, self.seen = key, seen

    def wrap(self, availWidth, availHeight):  # noqa: N803 (platypus signature)
        return 0, 0

    def draw(self) -> None:
        self.seen[self.key] = self.canv.getPageNumber()


class AgreementDoc(BaseDocTemplate):
    """A5 agreement: running header, footer, and footnotes on the pages that need room.

    Platypus has no footnotes; the frame of a page that carries one is shortened so the
    footnote fits under the text, which takes a layout pass to learn the page numbers.
    """

    def __init__(self, target, *, styles: Styles, header: str | None, footer: str | None,
                 footnotes_by_page: dict[int, list[Element]], columns: int = 1,
                 page_total: int | None = None, footnote_room: float | None = None):
        super().__init__(target, pagesize=PAGE_SIZE, leftMargin=MARGIN, rightMargin=MARGIN,
                         topMargin=TOP, bottomMargin=BOTTOM, title="Prestatieafspraken",
                         author="Gemeente Aa en Hunze")
        self.styles, self.header, self.footer = styles, header, footer
        self.footnotes_by_page = footnotes_by_page
        self.footnote_areas = self.fill_footnote_areas(footnote_room)
        self.columns = columns
        self.page_total = page_total  # from the previous layout pass, for "{pages}"
        self.full = PageTemplate("full", self.body_frames(0.0), onPage=self.decorate)
        self.addPageTemplates([self.full])

    @property
    def column_width(self) -> float:
        return (PAGE_SIZE[0] - 2 * MARGIN - GUTTER * (self.columns - 1)) / self.columns

    def body_frames(self, room: float) -> list[Frame]:
        """The text frames of a page, side by side, `room` points above the usual bottom."""
        height = PAGE_SIZE[1]
        column_width = self.column_width
        return [Frame(MARGIN + i * (column_width + GUTTER), BOTTOM + room, column_width,
                      height - TOP - BOTTOM - room, id=f"column-{i}", leftPadding=0, rightPadding=0)
                for i in range(self.columns)]

    def footnote_paragraph(self, note: Element) -> Paragraph:
        return Paragraph(f"<super>{SUPERSCRIPTS.get(note.number, note.number)}</super> "
                         f"{escape(note.text)}", self.styles.footnote)

    def fill_footnote_areas(self, room: float | None) -> dict[int, tuple[list[Paragraph], list[Paragraph]]]:
        """page -> (the rest of a footnote continued from the page before, the page's footnotes).

        Without `room` every footnote stands whole on the page of its marker. With it, the
        footnote that would take the page's footnotes past `room` points (it must be the
        page's last) is cut between two lines, its first line staying, and its rest goes on
        at the foot of the next page, unmarked and above that page's own footnotes, as Word
        does.
        """
        if room is None:
            return {page: ([], [self.footnote_paragraph(note) for note in notes])
                    for page, notes in self.footnotes_by_page.items()}
        width = PAGE_SIZE[0] - 2 * MARGIN
        areas: dict[int, tuple[list[Paragraph], list[Paragraph]]] = {}
        carried: list[Paragraph] = []
        page, last = min(self.footnotes_by_page, default=1), max(self.footnotes_by_page, default=0)
        while page <= last or carried:
            continued, own = carried, []
            left = room - sum(paragraph.wrap(width, PAGE_SIZE[1])[1] for paragraph in continued)
            carried = []
            for note in self.footnotes_by_page.get(page, []):
                if carried:
                    raise ValueError(f"page {page}: only a page's last footnote can go on to the next page")
                paragraph = self.footnote_paragraph(note)
                height = paragraph.wrap(width, PAGE_SIZE[1])[1]
                parts = paragraph.split(width, max(left, self.styles.footnote.leading)) if height > left else []
                if len(parts) == 2:
                    paragraph, carried = parts[0], [parts[1]]
                    height = paragraph.wrap(width, PAGE_SIZE[1])[1]
                own.append(paragraph)
                left -= height
            if continued or own:
                areas[page] = (continued, own)
            page += 1
        return areas

    def footnote_paragraphs(self, page: int) -> list[Paragraph]:
        continued, own = self.footnote_areas.get(page, ([], []))
        return continued + own

    def footnote_height(self, page: int) -> float:
        width = PAGE_SIZE[0] - 2 * MARGIN
        heights = [p.wrap(width, PAGE_SIZE[1])[1] for p in self.footnote_paragraphs(page)]
        return sum(heights) + 12 if heights else 0.0

    def handle_pageBegin(self):
        # Choose this page's frame before platypus starts filling it.
        page = self.page + 1
        room = self.footnote_height(page)
        if room:
            self.pageTemplate = PageTemplate("footnotes", self.body_frames(room), onPage=self.decorate)
        else:
            self.pageTemplate = self.full
        super().handle_pageBegin()

    def decorate(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        width, height = PAGE_SIZE
        canvas.saveState()
        if self.header:
            canvas.setFont(REGULAR, 8)
            canvas.setFillColor(grey)
            canvas.drawString(MARGIN, height - HEADER_Y_FROM_TOP, self.header)
            canvas.setStrokeColor(grey)
            canvas.setLineWidth(0.4)
            canvas.line(MARGIN, height - HEADER_Y_FROM_TOP - 4, width - MARGIN,
                        height - HEADER_Y_FROM_TOP - 4)
        if self.footer:
            canvas.setFont(REGULAR, 8)
            canvas.setFillColor(grey)
            footer = self.footer.format(page=doc.page, pages=self.page_total or 0)
            canvas.drawCentredString(width / 2, FOOTER_Y, footer)
        canvas.restoreState()
        self.draw_footnotes(canvas, doc.page)

    def draw_footnotes(self, canvas: Canvas, page: int) -> None:
        paragraphs = self.footnote_paragraphs(page)
        if not paragraphs:
            return
        width = PAGE_SIZE[0] - 2 * MARGIN
        y = BOTTOM + self.footnote_height(page) - 6
        continued = bool(self.footnote_areas[page][0])
        canvas.saveState()
        canvas.setLineWidth(0.5)
        # the short rule above footnotes; a continued footnote gets one across the text width
        canvas.line(MARGIN, y, MARGIN + (width if continued else 60), y)
        canvas.restoreState()
        y -= 3
        for paragraph in paragraphs:
            _, h = paragraph.wrap(width, PAGE_SIZE[1])
            paragraph.drawOn(canvas, MARGIN, y - h)
            y -= h


def element_flowables(element: Element, styles: Styles, frame_width: float) -> list[Flowable]:
    """One fixture element -> the flowables a word processor would print for it."""
    if element.kind == "title":
        return [Paragraph(inline_markup(element.text), styles.title)]
    if element.kind == "heading":
        return [Paragraph(inline_markup(element.text), styles.headings[element.level])]
    if element.kind == "item":
        return [Paragraph(inline_markup(element.text), styles.item, bulletText=f"{element.number}.")]
    if element.kind == "bullet":
        return [Paragraph(inline_markup(element.text), styles.bullet, bulletText="\u2022")]
    if element.kind == "table":
        return [ruled_table(element.rows, styles, frame_width), Spacer(1, 6)]
    return [Paragraph(inline_markup(element.text), styles.body)]


def ruled_table(rows: tuple[tuple[str, ...], ...], styles: Styles, frame_width: float) -> Table:
    """A table with grid lines, cells wrapped, the header row repeated on a new page."""
    columns = max(len(row) for row in rows)
    padded = [tuple(row) + ("",) * (columns - len(row)) for row in rows]
    weights = [5 + min(40, max(len(row[c]) for row in padded)) for c in range(columns)]
    widths = [frame_width * w / sum(weights) for w in weights]
    data = [[Paragraph(cell_markup(cell), styles.cell) for cell in row] for row in padded]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table


def story(elements: list[Element], styles: Styles, seen: dict[str, int], frame_width: float) -> list[Flowable]:
    """The flowables of a whole document; a page break ends the preamble (cover + signatures)."""
    flowables: list[Flowable] = []
    marks = {e.number for e in elements if e.kind == "footnote" and e.number}
    for element in elements:
        if element.kind == "footnote":
            continue  # drawn at the bottom of the page of its marker
        if element.kind == "heading" and element.level == 1 and not element.preamble and flowables \
                and not any(isinstance(f, PageBreak) for f in flowables):
            flowables.append(PageBreak())
        flowables.extend(element_flowables(element, styles, frame_width))
        for mark in marks:
            if mark in element.text:
                flowables.append(PageMark(mark, seen))
    return flowables


def render_pdf(elements: list[Element], path: Path, *, header: str | None = "Prestatieafspraken Aa en Hunze 2021",
               footer: bool | str = True, columns: int = 1, footnote_room: float | None = None) -> Path:
    """Write `elements` as an agreement PDF to `path`; returns `path`.

    `footer` is True for "Pagina N", False for none, or a template such as "- {page} -"
    or "Pagina {page} van {pages}".
    `columns=2` sets the text in two columns (a newsletter-style agreement).
    `footnote_room` caps the height (points) of a page's footnotes: a longer footnote
    goes on at the foot of the next page, without its marker (see AgreementDoc).
    Lays the document out until every footnote sits on the page of its marker.
    """
    register_fonts()
    styles = make_styles()
    footer_template = "Pagina {page}" if footer is True else (footer or None)
    notes = {e.number: e for e in elements if e.kind == "footnote"}
    placed: dict[int, list[Element]] = {}
    total: int | None = None
    for _ in range(MAX_LAYOUT_PASSES):
        seen: dict[str, int] = {}
        buffer = io.BytesIO()
        doc = AgreementDoc(buffer, styles=styles, header=header, footer=footer_template,
                           footnotes_by_page=placed, columns=columns, page_total=total,
                           footnote_room=footnote_room)
        doc.build(story(elements, styles, seen, doc.column_width))
        wanted: dict[int, list[Element]] = {}
        for mark, note in notes.items():
            wanted.setdefault(seen.get(mark, doc.page), []).append(note)
        needs_total = footer_template is not None and "{pages}" in footer_template
        if wanted == placed and (total == doc.page or not needs_total):
            break
        placed, total = wanted, doc.page
    path.write_bytes(buffer.getvalue())
    return path


def render_lines_pdf(pages: list[list[str | tuple[str, float]]], path: Path, *, size: float = BODY_SIZE,
                     encrypt: str | None = None) -> Path:
    """Draw each page's lines top-down at the left margin, one line per string.

    A line is a string in the `size` font, or (text, font size) for a smaller or bigger
    one; an empty string leaves a gap. An empty page list makes a page without text (a
    framed box only, as a scanned page looks to a text extractor). `encrypt` is a user
    password.

        render_lines_pdf([["De Volmacht verbetert 94 wo-", "ningen naar label A."], []], path)
        -> page 1 with two lines, page 2 with a box and no text
    """
    register_fonts()
    canvas = Canvas(str(path), pagesize=PAGE_SIZE, encrypt=encrypt)
    width, height = PAGE_SIZE
    for lines in pages:
        if not lines:
            canvas.rect(MARGIN, BOTTOM, width - 2 * MARGIN, height - TOP - BOTTOM)
        y = height - TOP
        for line in lines:
            text, line_size = (line, size) if isinstance(line, str) else line
            canvas.setFont(REGULAR, line_size)
            canvas.drawString(MARGIN, y, text)
            y -= line_size * 1.3
        canvas.showPage()
    canvas.save()
    return path
