"""Render a layout fixture (tests/render/layout_source.py) as an agreement PDF.

    render_layout_pdf(layout_parts("owner_tables"), tmp_path / "owner_tables.pdf")

The page, fonts, running header and "Pagina N" footer are those of the seed's PDF
(tests/render/pdf.py). Labels print as the fixture types them, hanging in front of the
text ("3.1.2", "12.", "a."), indented by depth, with no space between list items (Word's
"don't add space between paragraphs of the same style"), so only the label tells where
an item starts. Tables are ruled and break between rows over a page; the header row
repeats on every page unless `repeat_header=False`. (A row that a word processor splits
over a page reads as a row without a number on the next page; the fixtures type such
continuation rows themselves.)
"""

from __future__ import annotations

import io
from pathlib import Path

from reportlab.lib.colors import black
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer, Table, TableStyle

from tests.render.layout_source import Part
from tests.render.pdf import BODY_SIZE, REGULAR, AgreementDoc, Styles, cell_markup, inline_markup, make_styles, register_fonts

LABEL_WIDTH = 7.0  # points per label character, at the body size
CELL_PADDING = 6.0  # reportlab's default left and right cell padding


def _label_style(styles: Styles, name: str, label: str, indent: float) -> ParagraphStyle:
    width = max(24.0, LABEL_WIDTH * len(label) + 6)
    return ParagraphStyle(name, parent=styles.item, leftIndent=indent + width, bulletIndent=indent,
                          bulletFontName=REGULAR, bulletFontSize=BODY_SIZE, spaceAfter=0)


def layout_table(rows: tuple[tuple[str, ...], ...], styles: Styles, frame_width: float,
                 repeat_header: bool) -> Table:
    """A ruled table, the widest column for the longest texts; it breaks between rows."""
    columns = max(len(row) for row in rows)
    padded = [tuple(row) + ("",) * (columns - len(row)) for row in rows]
    # Every column at least as wide as its longest word; the rest of the width goes to
    # the columns with the most text, as Word's autofit does.
    words = [max((stringWidth(word, REGULAR, styles.cell.fontSize) for row in padded for word in row[c].split()),
                 default=0.0) + 2 * CELL_PADDING + 1 for c in range(columns)]
    lengths = [max(len(row[c]) for row in padded) for c in range(columns)]
    spare = max(0.0, frame_width - sum(words))
    widths = [word + spare * length / sum(lengths) for word, length in zip(words, lengths)]
    data = [[Paragraph(cell_markup(cell), styles.cell) for cell in row] for row in padded]
    table = Table(data, colWidths=widths, repeatRows=1 if repeat_header else 0)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table


def part_flowables(part: Part, styles: Styles, frame_width: float, repeat_header: bool,
                   item_indent: float) -> list[Flowable]:
    if part.kind == "title":
        return [Paragraph(inline_markup(part.text), styles.title)]
    if part.kind == "heading":
        return [Paragraph(inline_markup(part.text), styles.headings[part.level])]
    if part.kind == "item":
        style = _label_style(styles, f"item-{part.label}", part.label, 0.0)
        return [Paragraph(inline_markup(part.text), style, bulletText=part.label)]
    if part.kind == "letter":
        style = _label_style(styles, f"letter-{part.label}", part.label, item_indent)
        return [Paragraph(inline_markup(part.text), style, bulletText=part.label)]
    if part.kind == "bullet":
        return [Paragraph(inline_markup(part.text), styles.bullet, bulletText="\u2022")]
    if part.kind == "table":
        return [layout_table(part.rows, styles, frame_width, repeat_header), Spacer(1, 6)]
    return [Paragraph(inline_markup(part.text), styles.body)]


def layout_story(parts: list[Part], styles: Styles, frame_width: float, repeat_header: bool) -> list[Flowable]:
    """The flowables of a document; a page break ends the preamble."""
    flowables: list[Flowable] = []
    item_indent = 0.0
    for part in parts:
        if part.kind == "heading" and part.level == 1 and not part.preamble \
                and flowables and not any(isinstance(f, PageBreak) for f in flowables):
            flowables.append(PageBreak())
        if part.kind == "item":
            item_indent = max(24.0, LABEL_WIDTH * len(part.label) + 6)  # letters align with the item text
        flowables.extend(part_flowables(part, styles, frame_width, repeat_header, item_indent))
    return flowables


def render_layout_pdf(parts: list[Part], path: Path, *, header: str | None = "Gemeente Dijkveld - woonafspraken",
                      repeat_header: bool = True, columns: int = 1) -> Path:
    """Write the parts as an A5 agreement PDF to `path`; returns `path`."""
    register_fonts()
    styles = make_styles()
    buffer = io.BytesIO()
    doc = AgreementDoc(buffer, styles=styles, header=header, footer="Pagina {page}",
                       footnotes_by_page={}, columns=columns)
    doc.build(layout_story(parts, styles, doc.column_width, repeat_header))
    path.write_bytes(buffer.getvalue())
    return path
