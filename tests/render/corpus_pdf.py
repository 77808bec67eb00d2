"""Render a corpus fixture (tests/render/corpus_source.py) as a PDF with reportlab: the
final document as its printout shows it (tracked insertions in, deletions out, field
results, a text box as a framed block).

    render_corpus_pdf(corpus_document("zandvliet-2025"), tmp / "zandvliet-2025.pdf",
                      header="Gemeente Zandvliet", footer="- {page} -")

A4 with 2.5 cm margins, Bitstream Vera (embedded, with a ToUnicode map). Labels hang in
front of the text as typed ("12.", "Afspraak 3.2", "B1"), sub-items indented one step
more. Tables are ruled, cells wrapped, column widths after their longest texts, the header
row repeated on every page; a group row is one cell across the row. `@landscape` /
`@portrait` switch to a landscape or portrait A4 page template on a new page;
`@pagebreak` between table rows ends the table there and goes on with the header row at
the top of the next page. A contents entry prints its title, a dotted leader and its page
number at the right margin. `footer` is a template with {page} and {pages}; with {pages}
the document is laid out twice to learn its page count. A signature line (underscores)
gets room above it for the pen.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.colors import black, grey
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (BaseDocTemplate, Flowable, Frame, NextPageTemplate, PageBreak, PageTemplate,
                                Paragraph, Spacer, Table, TableStyle)

from tests.render.corpus_source import CorpusDocument, Part, Table as FixtureTable, printed
from tests.render.pdf import BOLD, REGULAR, register_fonts

MARGIN = 2.5 * cm
BODY = 10.0
CELL = 8.5
CELL_PADDING = 6.0


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=BODY, leading=13.5, spaceAfter=5)
    return {
        "body": body,
        "title": ParagraphStyle("title", fontName=BOLD, fontSize=18, leading=23, spaceAfter=12),
        1: ParagraphStyle("h1", fontName=BOLD, fontSize=14, leading=18, spaceBefore=10, spaceAfter=6, keepWithNext=1),
        2: ParagraphStyle("h2", fontName=BOLD, fontSize=12, leading=15, spaceBefore=8, spaceAfter=5, keepWithNext=1),
        3: ParagraphStyle("h3", fontName=BOLD, fontSize=10.5, leading=13.5, spaceBefore=6, spaceAfter=4,
                          keepWithNext=1),
        "cell": ParagraphStyle("cell", fontName=REGULAR, fontSize=CELL, leading=10.5),
        "head": ParagraphStyle("head", fontName=BOLD, fontSize=CELL, leading=10.5),
        "page": ParagraphStyle("page", fontName=REGULAR, fontSize=BODY, leading=13.5, alignment=TA_RIGHT),
    }


def _markup(text: str) -> str:
    return escape(text)


class CorpusPdf(BaseDocTemplate):
    """Portrait and landscape A4 page templates with a running header and a footer."""

    def __init__(self, target, *, header: str | None, footer: str | None, pages: int | None,
                 first_page: str = "portrait"):
        super().__init__(target, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                         bottomMargin=MARGIN, title="Prestatieafspraken", author="Gemeente")
        self.header, self.footer, self.pages = header, footer, pages
        templates = [self._template("portrait", A4), self._template("landscape", landscape(A4))]
        self.addPageTemplates(templates if first_page == "portrait" else templates[::-1])

    def _template(self, name: str, size: tuple[float, float]) -> PageTemplate:
        frame = Frame(MARGIN, MARGIN, size[0] - 2 * MARGIN, size[1] - 2 * MARGIN, id=name,
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        return PageTemplate(name, [frame], onPage=self.decorate, pagesize=size)

    def decorate(self, canvas, doc) -> None:
        width, height = canvas._pagesize
        canvas.saveState()
        canvas.setFont(REGULAR, 8)
        canvas.setFillColor(grey)
        if self.header:
            canvas.drawString(MARGIN, height - MARGIN + 14, self.header)
        if self.footer:
            canvas.drawCentredString(width / 2, MARGIN - 24, self.footer.format(page=doc.page, pages=self.pages or 0))
        canvas.restoreState()


class Story:
    def __init__(self, styles: dict):
        self.styles = styles
        self.width = A4[0] - 2 * MARGIN

    def label_style(self, label: str, level: int) -> ParagraphStyle:
        label_width = max(22.0, stringWidth(label, REGULAR, BODY) + 8)
        indent = 22.0 * level
        return ParagraphStyle(f"item-{label}-{level}", parent=self.styles["body"], leftIndent=indent + label_width,
                              bulletIndent=indent, bulletFontName=REGULAR, bulletFontSize=BODY, spaceAfter=3)

    def part(self, part: Part, first: bool = False) -> list[Flowable]:
        if part.change == "del":
            return []  # a deleted paragraph does not print
        text = _markup(part.text)
        if part.kind == "title":
            return [Paragraph(text, self.styles["title"])]
        if part.kind == "heading":
            return [Paragraph(text, self.styles[part.level])]
        if part.kind == "item":
            body = part.text[len(part.label):].lstrip()
            return [Paragraph(_markup(body), self.label_style(part.label, part.level), bulletText=part.label)]
        if part.kind == "bullet":
            return [Paragraph(text, self.label_style("\u2022", part.level + 1), bulletText="\u2022")]
        if part.kind == "table":
            return self.table(part.table)
        if part.kind == "toc":
            return [self.contents(part.entries), Spacer(1, 6)]
        if part.kind == "textbox":
            inner = [f for child in part.children for f in self.part(child)]
            box = Table([[inner]], colWidths=[self.width])
            box.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.6, black),
                                     ("LEFTPADDING", (0, 0), (-1, -1), 8), ("RIGHTPADDING", (0, 0), (-1, -1), 8)]))
            return [box, Spacer(1, 8)]
        if part.kind == "pagebreak":
            return [PageBreak()]
        if part.kind == "section":
            self.width = (landscape(A4)[0] if part.orientation == "landscape" else A4[0]) - 2 * MARGIN
            if first:
                return []  # the first page's orientation: CorpusPdf starts with it
            return [NextPageTemplate(part.orientation), PageBreak()]
        if re.match(r"^_{10,}$", part.text):
            return [Spacer(1, 18), Paragraph(text, self.styles["body"])]  # room to sign above the line
        return [Paragraph(text, self.styles["body"])]

    def contents(self, entries) -> Table:
        """Entries with a dotted leader to the page number at the right margin."""
        page_width = 30.0
        rows = []
        for entry, page in entries:
            room = self.width - page_width - stringWidth(entry, REGULAR, BODY) - 12
            dots = "." * max(3, int(room / stringWidth(" .", REGULAR, BODY)))
            rows.append([Paragraph(f"{_markup(entry)} {' '.join(dots)}", self.styles["body"]),
                         Paragraph(page, self.styles["page"])])
        table = Table(rows, colWidths=[self.width - page_width, page_width])
        table.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                                   ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))
        return table

    def table(self, table: FixtureTable) -> list[Flowable]:
        columns = max(len(row) for row in table.rows)
        texts = [[printed(cell) for cell in row] + [""] * (columns - len(row)) for row in table.rows]
        plain = [row for i, row in enumerate(texts) if i not in table.group_rows]
        floor = [max((stringWidth(word, REGULAR, CELL) for row in plain for word in row[c].split()), default=0.0)
                 + 2 * CELL_PADDING + 1 for c in range(columns)]
        lengths = [min(120, max(len(row[c]) for row in plain)) or 1 for c in range(columns)]
        spare = max(0.0, self.width - sum(floor))
        widths = [f + spare * n / sum(lengths) for f, n in zip(floor, lengths)]

        def cell(row_index: int, text: str) -> Paragraph:
            bold = row_index == 0 or row_index in table.group_rows
            return Paragraph(_markup(text), self.styles["head" if bold else "cell"])

        chunks, current = [], []
        for index, row in enumerate(texts):
            if index in table.break_before and current:
                chunks.append(current)
                current = [0]
            current.append(index)
        chunks.append(current)
        flowables: list[Flowable] = []
        for number, rows in enumerate(chunks):
            data = [[cell(i, text) for text in texts[i]] for i in rows]
            style = [("GRID", (0, 0), (-1, -1), 0.5, black), ("VALIGN", (0, 0), (-1, -1), "TOP")]
            for position, i in enumerate(rows):
                if i in table.group_rows:
                    style.append(("SPAN", (0, position), (-1, position)))
            pdf_table = Table(data, colWidths=widths, repeatRows=1)
            pdf_table.setStyle(TableStyle(style))
            if number:
                flowables.append(PageBreak())
            flowables.append(pdf_table)
        return flowables + [Spacer(1, 8)]


def render_corpus_pdf(corpus: CorpusDocument, path: Path, *, header: str | None = None,
                      footer: str | None = "Pagina {page} van {pages}") -> Path:
    """Write the fixture as an A4 PDF to `path`; returns `path`."""
    register_fonts()
    pages = None
    for _ in range(2):
        buffer = io.BytesIO()
        first = corpus.parts[0].orientation if corpus.parts[0].kind == "section" else "portrait"
        doc = CorpusPdf(buffer, header=header, footer=footer, pages=pages, first_page=first)
        story = Story(_styles())
        doc.build([f for index, part in enumerate(corpus.parts) for f in story.part(part, first=index == 0)])
        if not footer or "{pages}" not in footer or pages == doc.page:
            break
        pages = doc.page
    path.write_bytes(buffer.getvalue())
    return path
