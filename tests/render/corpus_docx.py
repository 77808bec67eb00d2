"""Render a corpus fixture (tests/render/corpus_source.py) as a Word document, the way
people leave one: numbered by Word, with tracked changes, fields, a content control or a
text box still in it.

    render_corpus_docx(corpus_document("oosterbroek-2025"), tmp / "oosterbroek-2025.docx",
                       footer="Pagina {PAGE} van {NUMPAGES}")

What each piece of markup becomes in the package:

- `@list` -> a w:abstractNum with a w:num per list in numbering.xml (w:numFmt, w:lvlText as
  given, "Afspraak %1.%2"); a heading or item marked `{list.N}` gets w:numPr (numId, ilvl N)
  and its printed label is left out of the text. The label is counted here as Word counts
  (a level's counter restarts below a higher level; a deleted paragraph does not count)
  and must equal the label the fixture prints. Typed labels ("12. ...") stay text, with a
  hanging indent, or a w:tab after the label with `label_tab=True`.
- `{+...+}` / `[-...-]` -> w:ins around the run / w:del around a run holding w:delText,
  author and date set; a whole inserted or deleted line also marks its paragraph mark
  (w:pPr/w:rPr/w:ins or w:del). settings.xml gets w:trackRevisions: the file is left
  with revisions on and nothing accepted.
- `{=INSTR|result=}` -> w:fldSimple w:instr=" INSTR " holding the result run;
  `{%INSTR|result%}` -> runs of w:fldChar begin, w:instrText, w:fldChar separate, the
  result, w:fldChar end; `{#name|text#}` -> w:bookmarkStart / w:bookmarkEnd around it.
  `properties` sets the core properties a SUBJECT or TITLE field prints.
- `@sdt TAG` -> a block-level w:sdt (w:sdtPr with w:alias, w:tag, w:id; w:sdtContent)
  around the paragraph.
- `@textbox` -> a run holding mc:AlternateContent: a DrawingML text box (wps:wsp with
  wps:txbx/w:txbxContent, in a wp:inline drawing) and, as mc:Fallback, the same
  paragraphs in a VML v:textbox, as Word writes it: the text is in the package twice.
- `@toc` -> a TOC field over the entries (style "toc 1", right tab with dot leader),
  each entry a w:hyperlink to a _Toc bookmark with a PAGEREF field as its page number.
- `@landscape` / `@portrait` -> a new section (w:sectPr, w:pgSz w:orient, width and
  height swapped) starting on a new page; `@pagebreak` -> a run with w:br w:type="page";
  between table rows, w:pageBreakBefore on the first paragraph of the next row.
- Tables are Word tables ("Table Grid"), the first row a repeating header row
  (w:tblHeader), column widths after the longest text per column; a group row `=...`
  is one cell merged across the row (w:gridSpan).
- A signature line (a paragraph of underscores) gets room above it for the pen.
- The page is A4 with 2.5 cm margins; `footer` is a template whose {PAGE} and
  {NUMPAGES} become complex fields, `header` plain text.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from lxml import etree
from docx.shared import Cm, Emu, Pt

from pipeline.ingest.wordnum import Level
from tests.render.corpus_source import (BOOKMARK, COMPLEX_FIELD, DELETED, FIELD, INSERTED, CorpusDocument,
                                        ListLevel, Part, Run, Runs, Table, printed)
from tests.render.docx import SYMBOL_BULLET, add_abstract_num, add_num, numbering_root, set_list

AUTHOR, DATE = "J. de Vries", "2024-11-18T10:12:00Z"
A4 = (Cm(21.0), Cm(29.7))
MARGIN = Cm(2.5)
HANGING = Cm(0.9)
CELL_SIZE = 9.0  # points: table text, a size smaller than the body
SIGNATURE_LINE = re.compile(r"^_{10,}$")  # a line to sign on, with room above it
SIGNATURE_ROOM_TWIPS = 480
BULLET_ABSTRACT, BULLET_NUM = 70, 70
FIRST_LIST_ID = 71
TOC_STYLE = "toc 1"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
          (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


def format_count(count: int, fmt: str) -> str:
    """A counter as a list level prints it: (3, "upperLetter") -> "C"."""
    if fmt == "decimal":
        return str(count)
    if fmt in ("upperLetter", "lowerLetter"):
        letter = chr(ord("a") + (count - 1) % 26) * ((count - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("upperRoman", "lowerRoman"):
        roman = ""
        for value, numeral in _ROMAN:
            while count >= value:
                roman, count = roman + numeral, count - value
        return roman.upper() if fmt == "upperRoman" else roman
    raise ValueError(f"unsupported list format {fmt!r}")


class WordLists:
    """The fixture's @list definitions in numbering.xml, and Word's count of each."""

    def __init__(self, document, lists: dict[str, tuple[ListLevel, ...]]):
        root = numbering_root(document)
        add_abstract_num(root, BULLET_ABSTRACT, [Level("bullet", SYMBOL_BULLET, 1)])
        add_num(root, BULLET_NUM, BULLET_ABSTRACT)
        self.levels = lists
        self.num_ids: dict[str, int] = {}
        for offset, (name, levels) in enumerate(lists.items()):
            num_id = FIRST_LIST_ID + offset
            add_abstract_num(root, num_id, [Level(level.fmt, level.text, 1) for level in levels])
            add_num(root, num_id, num_id)
            self.num_ids[name] = num_id
        self.counts = {name: [0] * len(levels) for name, levels in lists.items()}

    def next_label(self, name: str, ilvl: int) -> str:
        counts = self.counts[name]
        counts[ilvl] += 1
        for deeper in range(ilvl + 1, len(counts)):
            counts[deeper] = 0
        text = self.levels[name][ilvl].text
        for n, level in enumerate(self.levels[name], start=1):
            text = text.replace(f"%{n}", format_count(max(counts[n - 1], 1), level.fmt))
        return text


# -- runs --------------------------------------------------------------------------------


class Revisions:
    """Unique w:id values for revisions, bookmarks and drawings, as Word keeps them."""

    def __init__(self):
        self._ids = itertools.count(1)
        self.tracked = False

    def next(self) -> str:
        return str(next(self._ids))

    def mark(self, tag: str):
        self.tracked = True
        element = OxmlElement(tag)
        element.set(qn("w:id"), self.next())
        element.set(qn("w:author"), AUTHOR)
        element.set(qn("w:date"), DATE)
        return element


def text_run(text: str, tag: str = "w:t", bold: bool = False, size: float | None = None):
    run = OxmlElement("w:r")
    if bold or size:
        rpr = OxmlElement("w:rPr")
        if bold:
            rpr.append(OxmlElement("w:b"))
        if size:
            _set(rpr, "w:sz", val=str(int(size * 2)))
        run.append(rpr)
    t = OxmlElement(tag)
    t.text = text
    t.set(XML_SPACE, "preserve")
    run.append(t)
    return run


def _char_run(tag: str, **attributes: str):
    run = OxmlElement("w:r")
    child = OxmlElement(tag)
    for name, value in attributes.items():
        child.set(qn(f"w:{name}"), value)
    run.append(child)
    return run


def complex_field(instr: str, result: str) -> list:
    """The five runs of a complex field: begin, instruction, separate, result, end."""
    return [_char_run("w:fldChar", fldCharType="begin"), text_run(f" {instr} ", "w:instrText"),
            _char_run("w:fldChar", fldCharType="separate"), text_run(result),
            _char_run("w:fldChar", fldCharType="end")]


def append_runs(p, runs: Runs, revisions: Revisions) -> None:
    for run in runs:
        if not run.text and run.kind != BOOKMARK:
            continue
        if run.kind == INSERTED:
            wrapper = revisions.mark("w:ins")
            wrapper.append(text_run(run.text))
            p.append(wrapper)
        elif run.kind == DELETED:
            wrapper = revisions.mark("w:del")
            wrapper.append(text_run(run.text, "w:delText"))
            p.append(wrapper)
        elif run.kind == FIELD:
            simple = OxmlElement("w:fldSimple")
            simple.set(qn("w:instr"), f" {run.instr} ")
            simple.append(text_run(run.text))
            p.append(simple)
        elif run.kind == COMPLEX_FIELD:
            for element in complex_field(run.instr, run.text):
                p.append(element)
        elif run.kind == BOOKMARK:
            mark_id = revisions.next()
            start = OxmlElement("w:bookmarkStart")
            start.set(qn("w:id"), mark_id)
            start.set(qn("w:name"), run.instr)
            end = OxmlElement("w:bookmarkEnd")
            end.set(qn("w:id"), mark_id)
            p.append(start)
            p.append(text_run(run.text))
            p.append(end)
        else:
            p.append(text_run(run.text))


def _p_pr(p):
    ppr = p.find(qn("w:pPr"))
    if ppr is None:
        ppr = OxmlElement("w:pPr")
        p.insert(0, ppr)
    return ppr


def _set(parent, tag: str, **attributes: str):
    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), value)
    parent.append(element)
    return element


def new_paragraph(style_id: str | None = None):
    p = OxmlElement("w:p")
    if style_id:
        _set(_p_pr(p), "w:pStyle", val=style_id)
    return p


def mark_paragraph_change(p, change: str | None, revisions: Revisions) -> None:
    """An inserted or deleted paragraph mark: w:pPr/w:rPr/w:ins|w:del (last in w:pPr)."""
    if change:
        rpr = OxmlElement("w:rPr")
        rpr.append(revisions.mark(f"w:{change}"))
        _p_pr(p).append(rpr)


# -- the body ----------------------------------------------------------------------------


class CorpusWriter:
    def __init__(self, document, corpus: CorpusDocument, *, label_tab: bool):
        self.document = document
        self.lists = WordLists(document, corpus.lists)
        self.revisions = Revisions()
        self.label_tab = label_tab
        self.toc_ids = itertools.count(100)

    # paragraphs -------------------------------------------------------------------

    def paragraph(self, part: Part):
        """The w:p of a title, heading, item, bullet or paragraph."""
        if part.kind == "title":
            p = new_paragraph("Title")
        elif part.kind == "heading":
            p = new_paragraph(f"Heading{part.level}")
        elif part.kind == "bullet":
            p = new_paragraph("ListParagraph")
            set_list(p, BULLET_NUM, 0)
            self._indent(p, part.level + 1)
        elif part.kind == "item" and part.numbering:
            p = new_paragraph("ListParagraph")
        elif part.kind == "item":
            p = new_paragraph()
            self._indent(p, part.level + 1)
        elif SIGNATURE_LINE.match(part.text):
            p = new_paragraph()
            _set(_p_pr(p), "w:spacing", before=str(SIGNATURE_ROOM_TWIPS), after="0")
        else:
            p = new_paragraph()
        runs = part.runs
        if part.numbering:
            name, ilvl = part.numbering
            if part.change != DELETED:
                label = self.lists.next_label(name, ilvl)
                if label.strip() != (part.label or "").strip():
                    raise ValueError(f"Word numbers {label!r} where the fixture prints {part.label!r}: {part.text!r}")
            set_list(p, self.lists.num_ids[name], ilvl)
            runs = part.body_runs
        elif part.kind == "item" and self.label_tab and part.label and runs and runs[0].kind == "text":
            first = runs[0].text
            if first.startswith(part.label):
                append_runs(p, (Run("text", part.label),), self.revisions)
                p.append(_char_run("w:tab"))
                runs = (Run("text", first[len(part.label):].lstrip()),) + runs[1:]
        append_runs(p, runs, self.revisions)
        mark_paragraph_change(p, part.change, self.revisions)
        return p

    @staticmethod
    def _indent(p, depth: int) -> None:
        ppr = _p_pr(p)
        _set(ppr, "w:ind", left=str(int(HANGING.twips * depth)), hanging=str(int(HANGING.twips)))

    def body_paragraph(self, part: Part):
        p = self.paragraph(part)
        self._place(p, part.sdt)
        return p

    def _place(self, element, sdt_tag: str | None) -> None:
        body = self.document.element.body
        if sdt_tag:
            sdt = OxmlElement("w:sdt")
            properties = _set(sdt, "w:sdtPr")
            _set(properties, "w:alias", val=sdt_tag.capitalize())
            _set(properties, "w:tag", val=sdt_tag)
            _set(properties, "w:id", val=str(-1_000_000 - int(self.revisions.next())))
            content = _set(sdt, "w:sdtContent")
            content.append(element)
            element = sdt
        body.sectPr.addprevious(element) if body.sectPr is not None else body.append(element)

    # tables ---------------------------------------------------------------------

    def table(self, part: Part) -> None:
        table: Table = part.table
        columns = max(len(row) for row in table.rows)
        word_table = self.document.add_table(rows=len(table.rows), cols=columns)
        word_table.style = "Table Grid"
        word_table.autofit = False
        widths = self._column_widths(table, columns)
        for index, (row, cells) in enumerate(zip(word_table.rows, table.rows)):
            if index in table.group_rows:
                merged = row.cells[0].merge(row.cells[-1]) if columns > 1 else row.cells[0]
                self._cell(merged, cells[0], bold=True)
            else:
                for cell, runs in zip(row.cells, cells):
                    self._cell(cell, runs, bold=index == 0)
            if index in table.break_before:
                _set(_p_pr(row.cells[0].paragraphs[0]._p), "w:pageBreakBefore")
        _set(word_table.rows[0]._tr.get_or_add_trPr(), "w:tblHeader")
        for row in word_table.rows:
            for cell, width in zip(row.cells, widths):
                cell.width = width
        grid = word_table._tbl.tblGrid
        for column, width in zip(grid.findall(qn("w:gridCol")), widths):
            column.set(qn("w:w"), str(int(width.twips)))
        if part.sdt:
            body = self.document.element.body
            tbl = word_table._tbl
            body.remove(tbl)
            self._place(tbl, part.sdt)

    def _cell(self, cell, runs: Runs, bold: bool) -> None:
        """A cell's text; the header row and group rows in bold."""
        p = cell.paragraphs[0]._p
        for run in runs:
            if run.kind == "text" and run.text:
                p.append(text_run(run.text, bold=bold, size=CELL_SIZE))
            else:
                append_runs(p, (run,), self.revisions)

    def _column_widths(self, table: Table, columns: int):
        """Every column as wide as its longest word; the rest of the width after the
        average length of its texts, as Word's autofit shares it out."""
        section = self.document.sections[-1]
        usable = Emu(section.page_width - section.left_margin - section.right_margin).pt
        rows = [row for i, row in enumerate(table.rows) if i not in table.group_rows]
        texts = [[printed(row[c]) if c < len(row) else "" for row in rows] for c in range(columns)]
        floor = [14 + CELL_SIZE * 0.62 * max((len(w) for t in column for w in t.split()), default=1)
                 for column in texts]
        average = [max(1.0, sum(map(len, column)) / len(column)) for column in texts]
        spare = max(0.0, usable - sum(floor))
        return [Pt(f + spare * a / sum(average)) for f, a in zip(floor, average)]

    # text boxes and contents ----------------------------------------------------

    def textbox(self, part: Part) -> None:
        paragraphs = [self.paragraph(child) for child in part.children]
        anchor = new_paragraph()
        run = OxmlElement("w:r")
        run.append(textbox_xml(paragraphs, int(self.revisions.next()), self._text_width()))
        anchor.append(run)
        self._place(anchor, None)

    def _text_width(self) -> int:
        section = self.document.sections[-1]
        return int(section.page_width - section.left_margin - section.right_margin)

    def toc(self, part: Part) -> None:
        style_id = self._toc_style()
        count = len(part.entries)
        for index, (entry, page) in enumerate(part.entries):
            p = new_paragraph(style_id)
            if index == 0:
                for element in complex_field('TOC \\o "1-3" \\h \\z \\u', "")[:3]:
                    p.append(element)
            anchor = f"_Toc{next(self.toc_ids):09d}"
            link = OxmlElement("w:hyperlink")
            link.set(qn("w:anchor"), anchor)
            link.set(qn("w:history"), "1")
            link.append(text_run(entry))
            link.append(_char_run("w:tab"))
            for element in complex_field(f"PAGEREF {anchor} \\h", page):
                link.append(element)
            p.append(link)
            if index == count - 1:
                p.append(_char_run("w:fldChar", fldCharType="end"))
            self._place(p, None)

    def _toc_style(self) -> str:
        styles = self.document.styles
        if TOC_STYLE not in [s.name for s in styles]:
            style = styles.add_style(TOC_STYLE, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = styles["Normal"]
            style.paragraph_format.space_after = Pt(4)
            width = self.document.sections[0].page_width - 2 * MARGIN
            style.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
        return styles[TOC_STYLE].style_id

    # sections ------------------------------------------------------------------

    def section(self, orientation: str) -> None:
        if len(self.document.element.body) <= 1:  # nothing but the final w:sectPr yet: the first page
            section = self.document.sections[0]
        else:
            section = self.document.add_section(WD_SECTION.NEW_PAGE)
        width, height = A4
        if orientation == "landscape":
            section.orientation, section.page_width, section.page_height = WD_ORIENT.LANDSCAPE, height, width
        else:
            section.orientation, section.page_width, section.page_height = WD_ORIENT.PORTRAIT, width, height

    def page_break(self) -> None:
        p = new_paragraph()
        p.append(_char_run("w:br", type="page"))
        self._place(p, None)

    def write(self, corpus: CorpusDocument) -> None:
        for part in corpus.parts:
            if part.kind == "table":
                self.table(part)
            elif part.kind == "textbox":
                self.textbox(part)
            elif part.kind == "toc":
                self.toc(part)
            elif part.kind == "section":
                self.section(part.orientation)
            elif part.kind == "pagebreak":
                self.page_break()
            else:
                self.body_paragraph(part)


_TEXTBOX_NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:v="urn:schemas-microsoft-com:vml"')
EMU_PER_TWIP = 635


def textbox_xml(paragraphs: list, shape_id: int, width_emu: int):
    """mc:AlternateContent: a wps text box (mc:Choice) and its VML copy (mc:Fallback)."""
    lines = sum(max(1, len("".join(p.itertext())) // 90 + 1) for p in paragraphs)
    height_emu = int((lines * 300 + 400) * EMU_PER_TWIP)
    width_emu = int(width_emu)
    xml = (
        f'<mc:AlternateContent {_TEXTBOX_NS}>'
        f'<mc:Choice Requires="wps"><w:drawing>'
        f'<wp:inline distT="0" distB="0" distL="0" distR="0">'
        f'<wp:extent cx="{width_emu}" cy="{height_emu}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
        f'<wp:docPr id="{shape_id}" name="Tekstvak {shape_id}"/>'
        f'<wp:cNvGraphicFramePr/>'
        f'<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        f'<wps:wsp><wps:cNvSpPr txBox="1"/>'
        f'<wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{width_emu}" cy="{height_emu}"/></a:xfrm>'
        f'<a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:solidFill><a:srgbClr val="FFFFFF"/></a:solidFill>'
        f'<a:ln w="6350"><a:solidFill><a:srgbClr val="000000"/></a:solidFill></a:ln></wps:spPr>'
        f'<wps:txbx><w:txbxContent/></wps:txbx>'
        f'<wps:bodyPr rot="0" vert="horz" wrap="square" lIns="91440" tIns="45720" rIns="91440" bIns="45720" '
        f'anchor="t" anchorCtr="0"><a:spAutoFit/></wps:bodyPr>'
        f'</wps:wsp></a:graphicData></a:graphic></wp:inline></w:drawing></mc:Choice>'
        f'<mc:Fallback><w:pict><v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
        f'xmlns:o="urn:schemas-microsoft-com:office:office" path="m,l,21600r21600,l21600,xe">'
        f'<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
        f'<v:shape id="Tekstvak {shape_id}" o:spid="_x0000_s{1024 + shape_id}" type="#_x0000_t202" '
        f'xmlns:o="urn:schemas-microsoft-com:office:office" '
        f'style="width:{width_emu / 12700:.1f}pt;height:{height_emu / 12700:.1f}pt;mso-fit-shape-to-text:t" '
        f'fillcolor="white" strokeweight=".5pt">'
        f'<v:textbox style="mso-fit-shape-to-text:t"><w:txbxContent/></v:textbox></v:shape></w:pict></mc:Fallback>'
        f'</mc:AlternateContent>')
    element = parse_xml(xml)
    for content in element.iter(qn("w:txbxContent")):
        for p in paragraphs:
            content.append(parse_xml(_with_ns(p)))
    return element


def _with_ns(element) -> str:
    return etree.tostring(element).decode("utf-8")


def add_footer(section, template: str | None, header: str | None) -> None:
    if header:
        p = section.header.paragraphs[0]
        p.text = header
    if not template:
        return
    p = section.footer.paragraphs[0]
    p.alignment = 1  # centred
    rest = template
    while rest:
        field_start = rest.find("{")
        if field_start < 0:
            p._p.append(text_run(rest))
            break
        if field_start:
            p._p.append(text_run(rest[:field_start]))
        field_end = rest.index("}", field_start)
        name = rest[field_start + 1:field_end]
        for element in complex_field(name, "1"):
            p._p.append(element)
        rest = rest[field_end + 1:]


def render_corpus_docx(corpus: CorpusDocument, path: Path, *, footer: str | None = "Pagina {PAGE} van {NUMPAGES}",
                       header: str | None = None, label_tab: bool = False,
                       properties: dict[str, str] | None = None) -> Path:
    """Write the fixture as a .docx to `path`; returns `path`."""
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = A4
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, MARGIN)
    normal = document.styles["Normal"]
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(4)
    for name, value in (properties or {}).items():
        setattr(document.core_properties, name, value)
    add_footer(section, footer, header)
    writer = CorpusWriter(document, corpus, label_tab=label_tab)
    writer.write(corpus)
    if writer.revisions.tracked:
        settings = document.settings.element
        track = OxmlElement("w:trackRevisions")
        settings.find(qn("w:proofState")).addnext(track)  # its place in CT_Settings' sequence
    document.save(path)
    return path

