"""Render fixture elements into a real Word document, with real automatic numbering.

    render_docx(seed_elements(), tmp_path / "seed.docx")

Item numbers are never typed: each item paragraph carries a w:numPr pointing into
numbering.xml, as in a document an author numbered with Word's list button, so the
reader has to compute "12." exactly as Word would. Footnotes are real footnotes
(word/footnotes.xml with a w:footnoteReference in the text), tables real Word tables.

`render_numbered_docx` writes any numbering definitions a test case needs (formats,
lvlText, start, startOverride, shared abstractNums, numbering inherited from a style);
`render_docx_multilevel` is one such document with a four-level outline.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import docx
from docx.document import Document as WordDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn

from pipeline.ingest.wordnum import Level
from tests.render.source import Element

ITEM_STYLE = "List Paragraph"
SYMBOL_BULLET = "\uf0b7"  # what Word writes for "•" in the Symbol font
ITEMS_ABSTRACT, BULLETS_ABSTRACT = 90, 91  # clear of the ids in python-docx's template
FIRST_NUM_ID = 90


@dataclass(frozen=True)
class ListItem:
    """One paragraph of a numbering test document."""

    text: str
    num_id: int | None = None  # w:numPr/w:numId on the paragraph; None: none (the style may number it)
    ilvl: int | None = None  # w:numPr/w:ilvl; None: not written
    style: str | None = None  # paragraph style name


# -- numbering.xml -------------------------------------------------------------------


def _element(tag: str, val: object | None = None, **attributes: str):
    element = OxmlElement(tag)
    if val is not None:
        element.set(qn("w:val"), str(val))
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), value)
    return element


def level_xml(ilvl: int, level: Level):
    """A w:lvl, children in schema order."""
    lvl = _element("w:lvl", ilvl=str(ilvl))
    lvl.append(_element("w:start", level.start))
    lvl.append(_element("w:numFmt", level.fmt))
    if level.restart is not None:
        lvl.append(_element("w:lvlRestart", level.restart))
    if level.style_id:
        lvl.append(_element("w:pStyle", level.style_id))
    if level.is_legal:
        lvl.append(_element("w:isLgl"))
    lvl.append(_element("w:lvlText", level.text))
    lvl.append(_element("w:lvlJc", "left"))
    ppr = _element("w:pPr")
    ppr.append(_element("w:ind", left=str(360 * (ilvl + 1)), hanging="360"))
    lvl.append(ppr)
    if level.fmt == "bullet":
        rpr = _element("w:rPr")
        rpr.append(_element("w:rFonts", ascii="Symbol", hAnsi="Symbol", hint="default"))
        lvl.append(rpr)
    return lvl


def abstract_num_xml(abstract_id: int, levels: Sequence[Level]):
    abstract = _element("w:abstractNum", abstractNumId=str(abstract_id))
    abstract.append(_element("w:multiLevelType", "multilevel" if len(levels) > 1 else "singleLevel"))
    for ilvl, level in enumerate(levels):
        abstract.append(level_xml(ilvl, level))
    return abstract


def num_xml(num_id: int, abstract_id: int, start_overrides: Mapping[int, int] | None = None):
    num = _element("w:num", numId=str(num_id))
    num.append(_element("w:abstractNumId", abstract_id))
    for ilvl, start in sorted((start_overrides or {}).items()):
        override = _element("w:lvlOverride", ilvl=str(ilvl))
        override.append(_element("w:startOverride", start))
        num.append(override)
    return num


def numbering_root(document: WordDocument, *, clear: bool = False):
    """The w:numbering element; `clear` drops the template's own definitions."""
    root = document.part.numbering_part.element
    if clear:
        for child in list(root):
            root.remove(child)
    return root


def add_abstract_num(root, abstract_id: int, levels: Sequence[Level]) -> None:
    # Every w:abstractNum must precede every w:num (CT_Numbering's sequence).
    first_num = root.find(qn("w:num"))
    element = abstract_num_xml(abstract_id, levels)
    if first_num is None:
        root.append(element)
    else:
        first_num.addprevious(element)


def add_num(root, num_id: int, abstract_id: int, start_overrides: Mapping[int, int] | None = None) -> None:
    root.append(num_xml(num_id, abstract_id, start_overrides))


def set_list(paragraph_or_style_element, num_id: int | None, ilvl: int | None) -> None:
    """Write w:numPr into a paragraph's or a style's w:pPr."""
    num_pr = paragraph_or_style_element.get_or_add_pPr().get_or_add_numPr()
    if ilvl is not None:
        num_pr.get_or_add_ilvl().val = ilvl
    if num_id is not None:
        num_pr.get_or_add_numId().val = num_id


# -- footnotes -----------------------------------------------------------------------


def add_footnotes_part(document: WordDocument):
    """Create word/footnotes.xml with Word's two separator notes; return its root."""
    root = parse_xml(
        f"<w:footnotes {nsdecls('w')}>"
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/>'
        "</w:r></w:p></w:footnote></w:footnotes>")
    part = XmlPart(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, root, document.part.package)
    document.part.relate_to(part, RT.FOOTNOTES)
    return root


def _superscript_run(child_tag: str, **attributes: str):
    run = _element("w:r")
    rpr = _element("w:rPr")
    rpr.append(_element("w:vertAlign", "superscript"))
    run.append(rpr)
    run.append(_element(child_tag, **attributes))
    return run


def add_footnote(root, note_id: int, text: str) -> None:
    note = _element("w:footnote", id=str(note_id))
    paragraph = _element("w:p")
    paragraph.append(_superscript_run("w:footnoteRef"))
    run = _element("w:r")
    properties = _element("w:rPr")  # 10 pt, as Word's "Footnote Text" style prints it
    properties.append(_element("w:sz", val="20"))
    run.append(properties)
    run_text = _element("w:t")
    run_text.text = f" {text}"
    run_text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    run.append(run_text)
    paragraph.append(run)
    note.append(paragraph)
    root.append(note)


def add_text_with_footnotes(paragraph, text: str, notes: Mapping[str, int]) -> None:
    """Add `text` as runs, each footnote mark in it ("¹") becoming a footnote reference."""
    chunk = ""
    for char in text:
        if char in notes:
            paragraph.add_run(chunk)
            paragraph._p.append(_superscript_run("w:footnoteReference", id=str(notes[char])))
            chunk = ""
        else:
            chunk += char
    if chunk:
        paragraph.add_run(chunk)


# -- the seed ------------------------------------------------------------------------


def render_docx(elements: Sequence[Element], path: Path) -> Path:
    """Write `elements` as a Word document with Title/Heading styles and automatic numbering.

    Items whose numbers run on share one list; where a number does not follow from
    the one before (the preamble's 1..5, then the body's 1..76) a new w:num on the
    same abstractNum restarts the count with a w:startOverride, as Word's "Restart
    at 1" does. A footnote whose mark ("¹") appears in some paragraph becomes a real
    footnote referenced from there; an unreferenced one prints as a paragraph.
    """
    document = docx.Document()
    root = numbering_root(document)
    add_abstract_num(root, ITEMS_ABSTRACT, [Level("decimal", "%1.", 1)])
    add_abstract_num(root, BULLETS_ABSTRACT, [Level("bullet", SYMBOL_BULLET, 1)])
    bullets_num = FIRST_NUM_ID
    add_num(root, bullets_num, BULLETS_ABSTRACT)

    notes = _referenced_footnotes(elements)
    footnotes_root = add_footnotes_part(document) if notes else None
    for element in elements:
        if element.kind == "footnote" and element.number in notes:
            add_footnote(footnotes_root, notes[element.number], element.text)
    items_num, expected = None, None
    for element in elements:
        if element.kind == "title":
            document.add_paragraph(element.text, style="Title")
        elif element.kind == "heading":
            document.add_paragraph(element.text, style=f"Heading {element.level}")
        elif element.kind == "item":
            number = int(element.number)
            if number != expected:
                # The first list starts at the level's own start (1); a later one restarts.
                restart = {0: number} if items_num is not None or number != 1 else None
                items_num = FIRST_NUM_ID + 1 if items_num is None else items_num + 1
                add_num(root, items_num, ITEMS_ABSTRACT, restart)
            expected = number + 1
            paragraph = document.add_paragraph(style=ITEM_STYLE)
            set_list(paragraph._p, items_num, 0)
            add_text_with_footnotes(paragraph, element.text, notes)
        elif element.kind == "bullet":
            paragraph = document.add_paragraph(style=ITEM_STYLE)
            set_list(paragraph._p, bullets_num, 0)
            add_text_with_footnotes(paragraph, element.text, notes)
        elif element.kind == "table":
            add_table(document, element.rows)
        elif element.kind == "footnote" and element.number in notes:
            continue  # already in footnotes.xml
        else:
            add_text_with_footnotes(document.add_paragraph(), _footnote_line(element), notes)
    document.save(path)
    return path


def _referenced_footnotes(elements: Sequence[Element]) -> dict[str, int]:
    """Footnote mark -> footnote id, for the marks some paragraph's text carries."""
    marks = [e.number for e in elements if e.kind == "footnote"]
    texts = [e.text for e in elements if e.kind in ("item", "bullet", "paragraph")]
    referenced = [mark for mark in marks if any(mark in text for text in texts)]
    return {mark: note_id for note_id, mark in enumerate(referenced, start=1)}


def _footnote_line(element: Element) -> str:
    return f"{element.number} {element.text}" if element.kind == "footnote" else element.text


def add_table(document: WordDocument, rows: Sequence[Sequence[str]]):
    width = max(len(row) for row in rows)
    table = document.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    for row, cells in zip(table.rows, rows):
        for cell, text in zip(row.cells, cells):
            cell.text = text
    return table


# -- numbering test documents --------------------------------------------------------


def render_numbered_docx(path: Path, items: Sequence[ListItem],
                         abstracts: Mapping[int, Sequence[Level]],
                         nums: Mapping[int, int],
                         start_overrides: Mapping[int, Mapping[int, int]] | None = None,
                         list_styles: Mapping[str, tuple[int, int | None]] | None = None) -> Path:
    """A document holding exactly these numbering definitions and paragraphs.

    abstracts: abstractNumId -> levels; nums: numId -> abstractNumId;
    start_overrides: numId -> {ilvl: start}; list_styles: paragraph style name ->
    (numId, ilvl or None), a style carrying w:numPr that its paragraphs inherit.

        render_numbered_docx(p, [ListItem("Een", 1, 0), ListItem("Twee", 1, 0)],
                             abstracts={0: [Level("lowerRoman", "%1)")]}, nums={1: 0})
        # Word shows: "i) Een", "ii) Twee"
    """
    document = docx.Document()
    root = numbering_root(document, clear=True)
    for abstract_id, levels in abstracts.items():
        add_abstract_num(root, abstract_id, levels)
    for num_id, abstract_id in nums.items():
        add_num(root, num_id, abstract_id, (start_overrides or {}).get(num_id))
    for name, (num_id, ilvl) in (list_styles or {}).items():
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = document.styles["Normal"]
        set_list(style.element, num_id, ilvl)
    for item in items:
        paragraph = document.add_paragraph(item.text, style=item.style)
        if item.num_id is not None or item.ilvl is not None:
            set_list(paragraph._p, item.num_id, item.ilvl)
    document.save(path)
    return path


OUTLINE_LEVELS = (
    Level("decimal", "%1.", 1),
    Level("decimal", "%1.%2.", 1),
    Level("decimal", "%1.%2.%3", 1),
    Level("lowerLetter", "%4.", 1),
)


def render_docx_multilevel(path: Path) -> Path:
    """A four-level outline: "%1.", "%1.%2.", "%1.%2.%3", and a lettered "%4.".

    numIds 1 and 2 share abstractNum 0 (counting on), numId 3 restarts it with a
    startOverride of 7, and the "Afspraak" style carries numId 1 level 1, so its
    paragraphs are numbered without a numPr of their own. Word shows:

        1. Betaalbaarheid / 1.1. Huurbeleid / 1.1.1 Streefhuur / a. onder de eerste
        aftoppingsgrens / b. daarboven / 1.2. Afspraak (style) / 1.3. Afspraak (style) /
        2. Beschikbaarheid (numId 2, counting on) / 2.1. Voorraad / 7. Kwaliteit
        (numId 3, startOverride) / 8. Leefbaarheid (numId 1 again, counting on)
    """
    items = [
        ListItem("Betaalbaarheid", 1, 0),
        ListItem("Huurbeleid", 1, 1),
        ListItem("Streefhuur", 1, 2),
        ListItem("onder de eerste aftoppingsgrens", 1, 3),
        ListItem("daarboven", 1, 3),
        ListItem("Afspraak uit de stijl", style="Afspraak"),
        ListItem("Nog een afspraak uit de stijl", style="Afspraak"),
        ListItem("Beschikbaarheid", 2, 0),
        ListItem("Voorraad", 2, 1),
        ListItem("Kwaliteit", 3, 0),
        ListItem("Leefbaarheid", 1, 0),
    ]
    return render_numbered_docx(path, items, abstracts={0: OUTLINE_LEVELS}, nums={1: 0, 2: 0, 3: 0},
                                start_overrides={3: {0: 7}}, list_styles={"Afspraak": (1, 1)})
