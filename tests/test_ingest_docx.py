"""DOCX reader: the seed rendered to Word reads back as printed; Word numbering rules as cases.

Every document is rendered at test time (tests/render/docx.py) with real Word
automatic numbering, so a passing test means the reader computed each number itself.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from pipeline.errors import UnreadableDocumentError, UnsupportedFormatError
from pipeline.ingest import read_document
from pipeline.ingest.docx import TITLE_LEVEL, read_docx
from pipeline.ingest.wordnum import Level, ListCounters, format_number, parse_numbering
from pipeline.settings import Settings
from pipeline.types import FOOTNOTE, HEADING, PARAGRAPH, TABLE
from tests.render.docx import ListItem, render_docx, render_docx_multilevel, render_numbered_docx
from tests.render.source import seed_elements

SETTINGS = Settings()
ITEM = re.compile(r"^(\d+)\. ")
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def texts(path: Path) -> list[str]:
    return [block.text for block in read_document(path, SETTINGS).blocks]


# -- the seed, rendered to Word ------------------------------------------------------


@pytest.fixture(scope="module")
def seed_docx(tmp_path_factory) -> Path:
    return render_docx(seed_elements(), tmp_path_factory.mktemp("seed") / "aa-en-hunze-2021.docx")


@pytest.fixture(scope="module")
def seed(seed_docx):
    return read_document(seed_docx, SETTINGS)


def _items(blocks, preamble: bool) -> list[tuple[str, str]]:
    """(number, text) of the numbered paragraphs before / after the first chapter heading."""
    first_chapter = next(i for i, b in enumerate(blocks) if b.kind == HEADING and b.heading_level == 1)
    chosen = blocks[:first_chapter] if preamble else blocks[first_chapter:]
    return [(m.group(1), b.text[m.end():]) for b in chosen if b.kind == PARAGRAPH and (m := ITEM.match(b.text))]


def test_seed_numbers_are_not_typed_into_the_document(seed_docx):
    typed = [p.text for p in docx.Document(str(seed_docx)).paragraphs if ITEM.match(p.text)]
    assert typed == []


def test_seed_items_read_back_numbered_1_to_76_with_their_text(seed):
    expected = [(e.number, e.text) for e in seed_elements() if e.kind == "item" and not e.preamble]
    assert [number for number, _ in expected] == [str(n) for n in range(1, 77)]
    assert _items(seed.blocks, preamble=False) == expected


def test_seed_party_list_is_its_own_list_1_to_5(seed):
    expected = [(e.number, e.text) for e in seed_elements() if e.kind == "item" and e.preamble]
    assert [number for number, _ in _items(seed.blocks, preamble=True)] == ["1", "2", "3", "4", "5"]
    assert _items(seed.blocks, preamble=True) == expected


def test_seed_headings_keep_their_levels(seed):
    expected = [(TITLE_LEVEL if e.kind == "title" else e.level, e.text)
                for e in seed_elements() if e.kind in ("title", "heading")]
    assert [(b.heading_level, b.text) for b in seed.blocks if b.kind == HEADING] == expected


def test_seed_tables_are_table_blocks_in_place(seed):
    tables = [e.rows for e in seed_elements() if e.kind == "table"]
    width = [max(len(row) for row in rows) for rows in tables]
    padded = [tuple(tuple(row) + ("",) * (w - len(row)) for row in rows) for rows, w in zip(tables, width)]
    found = [(i, b) for i, b in enumerate(seed.blocks) if b.kind == TABLE]
    assert [b.rows for _, b in found] == padded
    (first, _), (second, _) = found
    assert seed.blocks[first].rows[0][-1] == "Totaal gemeente Aa en Hunze*"
    assert seed.blocks[first - 1].text.startswith("Richtingen: ")
    assert seed.blocks[first + 1].text == "*Afgerond op vijftallen."
    assert seed.blocks[second - 1].text.startswith("Partijen hanteren de onderstaande agenda 2021")
    assert second == len(seed.blocks) - 1


def test_seed_footnote_follows_the_paragraph_that_references_it(seed):
    at = next(i for i, b in enumerate(seed.blocks) if b.text.startswith("12. "))
    assert seed.blocks[at].text.endswith("(€ 663) ¹.")
    note = seed.blocks[at + 1]
    assert (note.kind, note.text) == (FOOTNOTE, "¹ De huurprijsgrenzen in deze prestatieafspraken "
                                                "zijn gebaseerd op prijspeil 2020.")
    assert note.paragraph == seed.blocks[at].paragraph


def test_seed_bullets_print_a_bullet_glyph(seed):
    bullets = [b.text for b in seed.blocks if b.text.startswith("• ")]
    assert len(bullets) == 6
    assert bullets[3] == "• 80% van de woningen heeft een streefhuur onder de eerste aftoppingsgrens (€ 619)"


def test_seed_paragraph_index_points_at_the_word_paragraph(seed, seed_docx):
    paragraphs = docx.Document(str(seed_docx)).paragraphs
    for block in seed.blocks:
        if block.kind in (PARAGRAPH, HEADING):
            # python-docx's .text leaves out labels and footnote marks: compare the start
            assert paragraphs[block.paragraph].text.strip()[:40] in block.text
    assert seed.format == "docx" and seed.issues == ()


# -- numbering rules, case by case ---------------------------------------------------


def one_level(fmt="decimal", text="%1.", start=1):
    return {0: [Level(fmt, text, start)]}


def items(*labels, num_id=1, ilvl=0):
    return [ListItem(label, num_id, ilvl) for label in labels]


NUMBERING_CASES = [
    # id, abstracts, nums (numId -> abstractNumId), startOverrides, list styles, paragraphs, expected
    ("decimal", one_level(), {1: 0}, None, None, items("Een", "Twee"), ["1. Een", "2. Twee"]),
    ("lowerLetter-paren", one_level("lowerLetter", "%1)"), {1: 0}, None, None,
     items("Een", "Twee", "Drie"), ["a) Een", "b) Twee", "c) Drie"]),
    ("upperLetter", one_level("upperLetter", "%1."), {1: 0}, None, None, items("Een", "Twee"), ["A. Een", "B. Twee"]),
    ("lowerRoman", one_level("lowerRoman", "(%1)"), {1: 0}, None, None,
     items("a", "b", "c", "d"), ["(i) a", "(ii) b", "(iii) c", "(iv) d"]),
    ("upperRoman", one_level("upperRoman", "%1."), {1: 0}, None, None,
     items("a", "b", "c", "d", "e"), ["I. a", "II. b", "III. c", "IV. d", "V. e"]),
    ("decimalZero", one_level("decimalZero", "%1."), {1: 0}, None, None, items("a", "b"), ["01. a", "02. b"]),
    ("bullet", one_level("bullet", "\uf0b7"), {1: 0}, None, None, items("a", "b"), ["• a", "• b"]),
    ("none", one_level("none", ""), {1: 0}, None, None, items("a", "b"), ["a", "b"]),
    ("template-with-words", one_level("decimal", "Artikel %1:"), {1: 0}, None, None,
     items("Doel"), ["Artikel 1: Doel"]),
    ("start", one_level(start=12), {1: 0}, None, None, items("a", "b"), ["12. a", "13. b"]),
    ("shared-abstract-counts-on", one_level(), {1: 0, 2: 0}, None, None,
     items("a", "b") + items("c", num_id=2) + items("d"), ["1. a", "2. b", "3. c", "4. d"]),
    ("separate-abstracts-count-apart", {0: [Level()], 1: [Level()]}, {1: 0, 2: 1}, None, None,
     items("a", "b") + items("c", num_id=2) + items("d"), ["1. a", "2. b", "1. c", "3. d"]),
    ("startOverride-restarts-once", one_level(), {1: 0, 2: 0}, {2: {0: 1}}, None,
     items("a", "b") + items("c", "d", num_id=2) + items("e"), ["1. a", "2. b", "1. c", "2. d", "3. e"]),
    ("startOverride-jumps", one_level(), {1: 0, 2: 0}, {2: {0: 20}}, None,
     items("a") + items("b", num_id=2), ["1. a", "20. b"]),
    ("numId-0-is-no-numbering", one_level(), {1: 0}, None, None,
     items("a") + items("b", num_id=0) + items("c"), ["1. a", "b", "2. c"]),
    ("unknown-numId-prints-nothing", one_level(), {1: 0}, None, None,
     items("a") + items("b", num_id=9), ["1. a", "b"]),
    ("empty-numbered-paragraph-counts", one_level(), {1: 0}, None, None,
     items("a", "", "c"), ["1. a", "3. c"]),
    ("style-inherited", one_level(), {1: 0}, None, {"Afspraak": (1, 0)},
     [ListItem("a", style="Afspraak"), ListItem("b", style="Afspraak")], ["1. a", "2. b"]),
    ("style-numbering-switched-off-by-numId-0", one_level(), {1: 0}, None, {"Afspraak": (1, 0)},
     [ListItem("a", style="Afspraak"), ListItem("b", 0, None, style="Afspraak"), ListItem("c", style="Afspraak")],
     ["1. a", "b", "2. c"]),
    ("style-level-set-by-paragraph", {0: [Level(), Level("lowerLetter", "%2)")]}, {1: 0}, None,
     {"Afspraak": (1, None)},
     [ListItem("a", style="Afspraak"), ListItem("b", None, 1, style="Afspraak")], ["1. a", "a) b"]),
    ("style-level-from-lvl-pStyle", {0: [Level(), Level("lowerLetter", "%2)", style_id="Subafspraak")]},
     {1: 0}, None, {"Afspraak": (1, None), "Subafspraak": (1, None)},
     [ListItem("a", style="Afspraak"), ListItem("b", style="Subafspraak")], ["1. a", "a) b"]),
    ("deeper-levels-restart", {0: [Level(), Level("lowerLetter", "%2.")]}, {1: 0}, None, None,
     items("a") + items("b", "c", ilvl=1) + items("d") + items("e", ilvl=1),
     ["1. a", "a. b", "b. c", "2. d", "a. e"]),
    ("lvlRestart-0-never-restarts", {0: [Level(), Level("lowerLetter", "%2.", restart=0)]}, {1: 0}, None, None,
     items("a") + items("b", ilvl=1) + items("c") + items("d", ilvl=1), ["1. a", "a. b", "2. c", "b. d"]),
    ("isLgl-prints-decimal", {0: [Level("upperRoman", "%1."), Level("decimal", "%1.%2", is_legal=True)]},
     {1: 0}, None, None, items("a") + items("b", ilvl=1), ["I. a", "1.1 b"]),
    ("unused-level-prints-its-start", {0: [Level(start=3), Level("decimal", "%1.%2.")]}, {1: 0}, None, None,
     items("a", ilvl=1), ["3.1. a"]),
]


@pytest.mark.parametrize("abstracts, nums, overrides, styles, paragraphs, expected",
                         [case[1:] for case in NUMBERING_CASES], ids=[case[0] for case in NUMBERING_CASES])
def test_word_numbering(tmp_path, abstracts, nums, overrides, styles, paragraphs, expected):
    path = render_numbered_docx(tmp_path / "case.docx", paragraphs, abstracts, nums, overrides, styles)
    assert texts(path) == expected


def test_multilevel_outline_with_style_shared_and_restarted_lists(tmp_path):
    assert texts(render_docx_multilevel(tmp_path / "outline.docx")) == [
        "1. Betaalbaarheid", "1.1. Huurbeleid", "1.1.1 Streefhuur", "a. onder de eerste aftoppingsgrens",
        "b. daarboven", "1.2. Afspraak uit de stijl", "1.3. Nog een afspraak uit de stijl",
        "2. Beschikbaarheid", "2.1. Voorraad", "7. Kwaliteit", "8. Leefbaarheid"]


def test_unknown_numbering_reference_is_an_issue(tmp_path):
    path = render_numbered_docx(tmp_path / "dangling.docx", items("a", num_id=9), one_level(), {1: 0})
    (issue,) = read_document(path, SETTINGS).issues
    assert (issue.kind, issue.where) == ("unknown-numbering", "paragraph 0")


@pytest.mark.parametrize("value, fmt, expected", [
    (1, "decimal", "1"), (26, "lowerLetter", "z"), (27, "lowerLetter", "aa"), (28, "upperLetter", "BB"),
    (9, "lowerRoman", "ix"), (14, "upperRoman", "XIV"), (1999, "upperRoman", "MCMXCIX"),
    (7, "decimalZero", "07"), (12, "decimalZero", "12"), (3, "bullet", ""), (3, "none", ""),
    (5, "cardinalText", "5"),  # formats Dutch agreements do not use fall back to decimal
])
def test_format_number(value, fmt, expected):
    assert format_number(value, fmt) == expected


NUMBERING_XML = f"""<w:numbering {nsdecls("w")} xmlns:mc="{MC}" xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml">
  <w:abstractNum w:abstractNumId="0"><w:numStyleLink w:val="AfsprakenLijst"/></w:abstractNum>
  <w:abstractNum w:abstractNumId="1"><w:styleLink w:val="AfsprakenLijst"/>
    <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="Afspraak %1"/></w:lvl>
    <w:lvl w:ilvl="1"><w:start w:val="1"/>
      <mc:AlternateContent><mc:Choice Requires="w14"><w:numFmt w:val="custom" w:format="001, 002, 003, ..."/>
      </mc:Choice><mc:Fallback><w:numFmt w:val="decimal"/></mc:Fallback></mc:AlternateContent>
      <w:lvlText w:val="%1.%2"/></w:lvl>
  </w:abstractNum>
  <w:num w:numId="1"><w:abstractNumId w:val="1"/></w:num>
  <w:num w:numId="2"><w:abstractNumId w:val="0"/></w:num>
  <w:num w:numId="3"><w:abstractNumId w:val="1"/>
    <w:lvlOverride w:ilvl="0"><w:lvl w:ilvl="0"><w:start w:val="4"/><w:numFmt w:val="upperLetter"/>
      <w:lvlText w:val="%1)"/></w:lvl></w:lvlOverride></w:num>
</w:numbering>"""


def test_list_styles_level_overrides_and_alternate_formats():
    """numStyleLink -> list style -> numId -> the abstractNum holding the levels; a w:lvl in a
    w:lvlOverride replaces the level and restarts it; a custom format falls back to decimal."""
    numbering = parse_numbering(parse_xml(NUMBERING_XML), numbering_styles={"AfsprakenLijst": "1"})
    counters = ListCounters(numbering)
    labels = [counters.next_label(num_id, ilvl) for num_id, ilvl in
              [("2", 0), ("2", 1), ("1", 0), ("3", 0), ("3", 1), ("1", 0)]]
    assert labels == ["Afspraak 1", "1.1", "Afspraak 2", "D)", "D.1", "Afspraak 5"]


# -- headings, tables, text ----------------------------------------------------------


def test_headings_by_style_name_dutch_name_and_outline_level(tmp_path):
    document = docx.Document()
    kop = document.styles.add_style("Kop 2", WD_STYLE_TYPE.PARAGRAPH)  # as a Dutch Word names it
    chapter = document.styles.add_style("Hoofdstuk", WD_STYLE_TYPE.PARAGRAPH)
    chapter.element.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="0"/>'))
    based = document.styles.add_style("Hoofdstuk groen", WD_STYLE_TYPE.PARAGRAPH)
    based.base_style = chapter
    document.add_paragraph("Prestatieafspraken", style="Title")
    document.add_paragraph("4 Prestatieafspraken", style="Heading 1")
    document.add_paragraph("4.1 Betaalbaarheid", style=kop)
    document.add_paragraph("5 Agenda", style=chapter)
    document.add_paragraph("6 Bijlagen", style=based)
    direct = document.add_paragraph("Prestaties gemeente 2021")
    direct._p.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="2"/>'))
    document.add_paragraph("Gewone tekst.")
    document.save(tmp_path / "headings.docx")
    blocks = read_document(tmp_path / "headings.docx", SETTINGS).blocks
    assert [(b.kind, b.heading_level) for b in blocks] == [
        (HEADING, TITLE_LEVEL), (HEADING, 1), (HEADING, 2), (HEADING, 1), (HEADING, 1), (HEADING, 3),
        (PARAGRAPH, None)]


def test_table_merged_cells_appear_once_and_cell_paragraphs_join(tmp_path):
    document = docx.Document()
    document.add_paragraph("Voor de tabel")
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "Totaal gemeente"
    table.cell(0, 2).text = "2021"
    table.cell(1, 0).merge(table.cell(2, 0)).text = "De Volmacht"
    table.cell(1, 1).text = "huur"
    table.cell(1, 2).text = "€ 663"
    table.cell(2, 1).text = "voorraad"
    table.cell(2, 2).paragraphs[0].text = "1.535"
    table.cell(2, 2).add_paragraph("woningen")
    document.add_paragraph("Na de tabel")
    document.save(tmp_path / "table.docx")
    blocks = read_document(tmp_path / "table.docx", SETTINGS).blocks
    assert [b.kind for b in blocks] == [PARAGRAPH, TABLE, PARAGRAPH]
    assert blocks[1].rows == (("Totaal gemeente", "", "2021"),
                              ("De Volmacht", "huur", "€ 663"),
                              ("", "voorraad", "1.535 woningen"))
    assert blocks[1].paragraph == 1 and blocks[2].paragraph == 1


def test_numbered_paragraphs_in_table_cells_count_in_the_list(tmp_path):
    path = render_numbered_docx(tmp_path / "cells.docx", items("Voor de tabel"), one_level(), {1: 0})
    document = docx.Document(str(path))
    cell = document.add_table(rows=1, cols=2).cell(0, 1)
    cell.paragraphs[0].text = "In de tabel"
    cell.paragraphs[0]._p.get_or_add_pPr().append(
        parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>'))
    after = document.add_paragraph("Na de tabel")
    after._p.get_or_add_pPr().append(
        parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>'))
    document.save(path)
    blocks = read_document(path, SETTINGS).blocks
    assert [b.text or b.rows for b in blocks] == ["1. Voor de tabel", (("", "2. In de tabel"),), "3. Na de tabel"]


def test_paragraph_text_as_word_shows_it(tmp_path):
    """Hyperlinks and content controls print; deleted, hidden and empty text does not."""
    document = docx.Document()
    paragraph = document.add_paragraph("Zie ")
    paragraph._p.append(parse_xml(
        f'<w:hyperlink {nsdecls("w", "r")} r:id="rId99"><w:r><w:t>de Woonvisie</w:t></w:r></w:hyperlink>'))
    paragraph._p.append(parse_xml(f'<w:del {nsdecls("w")} w:id="1" w:author="x"><w:r><w:delText> niet'
                                  "</w:delText></w:r></w:del>"))
    paragraph._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:rPr><w:vanish/></w:rPr><w:t>verborgen</w:t></w:r>'))
    paragraph._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:tab/><w:t>2016+</w:t><w:br/><w:t>vastgesteld.</w:t></w:r>'))
    document.add_paragraph("")
    document.element.body.insert(2, parse_xml(
        f'<w:sdt {nsdecls("w")}><w:sdtContent><w:p><w:r><w:t>In een inhoudsbesturingselement</w:t></w:r></w:p>'
        "</w:sdtContent></w:sdt>"))
    document.save(tmp_path / "text.docx")
    blocks = read_document(tmp_path / "text.docx", SETTINGS).blocks
    assert [(b.text, b.paragraph) for b in blocks] == [
        ("Zie de Woonvisie 2016+ vastgesteld.", 0), ("In een inhoudsbesturingselement", 2)]


_WPS = ('xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:v="urn:schemas-microsoft-com:vml"')


def _text_box(text: str, *, fallback: bool = True) -> str:
    """A run holding a text box as Word writes it: DrawingML in mc:Choice, VML in mc:Fallback."""
    content = f"<w:txbxContent><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent>"
    choice = (f'<mc:Choice Requires="wps"><w:drawing><wp:anchor><a:graphic><a:graphicData><wps:wsp><wps:txbx>'
              f"{content}</wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>")
    vml = f"<mc:Fallback><w:pict><v:shape><v:textbox>{content}</v:textbox></v:shape></w:pict></mc:Fallback>"
    return (f'<w:r {nsdecls("w")} {_WPS}><mc:AlternateContent>{choice}{vml if fallback else ""}'
            "</mc:AlternateContent></w:r>")


@pytest.mark.parametrize("box", [
    _text_box("Trekker: de gemeente"),  # a text box with its VML copy: read once
    _text_box("Trekker: de gemeente", fallback=False),
    f'<w:r {nsdecls("w")} {_WPS}><w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r><w:t>Trekker: de gemeente'
    "</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></w:r>",  # VML alone, as older Word wrote
])
def test_text_boxes_read_in_place(tmp_path, box):
    document = docx.Document()
    anchor = document.add_paragraph("De gemeente actualiseert de woonvisie.")
    anchor._p.append(parse_xml(box))
    document.add_paragraph("Daarna.")
    document.save(tmp_path / "box.docx")
    blocks = read_document(tmp_path / "box.docx", SETTINGS).blocks
    assert [(b.text, b.paragraph) for b in blocks] == [
        ("De gemeente actualiseert de woonvisie.", 0), ("Trekker: de gemeente", 0), ("Daarna.", 1)]


def test_tracked_changes_read_as_accepted(tmp_path):
    """Insertions in, deletions out; a numbered paragraph deleted whole takes its number with it;
    a complex field prints its result, not its code."""
    items = [ListItem("Eerste afspraak.", num_id=1, ilvl=0), ListItem("Geschrapte afspraak.", num_id=1, ilvl=0),
             ListItem("Derde afspraak", num_id=1, ilvl=0)]
    path = render_numbered_docx(tmp_path / "changes.docx", items, one_level(), {1: 0})
    document = docx.Document(path)
    first, deleted, third = document.paragraphs
    first._p.append(parse_xml(f'<w:ins {nsdecls("w")} w:id="7" w:author="x"><w:r><w:t xml:space="preserve"> '
                              "Met 40 woningen.</w:t></w:r></w:ins>"))
    for run in deleted._p.findall(qn("w:r")):  # the whole paragraph, mark included, deleted
        wrapper = parse_xml(f'<w:del {nsdecls("w")} w:id="8" w:author="x"/>')
        run.addprevious(wrapper)
        wrapper.append(run)
        for t in run.findall(qn("w:t")):
            t.tag = qn("w:delText")
    deleted._p.get_or_add_pPr().append(parse_xml(f'<w:rPr {nsdecls("w")}><w:del w:id="9" w:author="x"/></w:rPr>'))
    third._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="begin"/></w:r>'))
    third._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:instrText> REF bijlage_1 \\h </w:instrText></w:r>'))
    third._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="separate"/></w:r>'))
    third._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:t xml:space="preserve"> (bijlage 1)</w:t></w:r>'))
    third._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="end"/></w:r>'))
    document.save(path)
    assert texts(path) == ["1. Eerste afspraak. Met 40 woningen.", "2. Derde afspraak (bijlage 1)"]


def test_a_content_control_showing_its_prompt_prints_nothing(tmp_path):
    document = docx.Document()
    document.add_paragraph("Voor.")
    document.element.body.insert(1, parse_xml(
        f'<w:sdt {nsdecls("w")}><w:sdtPr><w:showingPlcHdr/></w:sdtPr><w:sdtContent><w:p><w:r>'
        "<w:t>Klik of tik om tekst in te voeren.</w:t></w:r></w:p></w:sdtContent></w:sdt>"))
    document.save(tmp_path / "prompt.docx")
    assert texts(tmp_path / "prompt.docx") == ["Voor."]


# -- errors --------------------------------------------------------------------------


def _zip(path: Path, files: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def test_zip_without_word_document_is_rejected(tmp_path):
    path = _zip(tmp_path / "archief.docx", {"hello.txt": "geen Word"})
    with pytest.raises(UnsupportedFormatError, match=r"archief\.docx: not a valid DOCX \(not a Word zip package; "
                                                     r"the content is a ZIP archive\)"):
        read_document(path, SETTINGS)
    with pytest.raises(UnreadableDocumentError,
                       match=r"archief\.docx: not a readable DOCX \(\[Content_Types\]\.xml is missing\)"):
        read_docx(path, "archief", SETTINGS)


def test_broken_word_package_is_unreadable(tmp_path, seed_docx):
    with zipfile.ZipFile(seed_docx) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    broken = _zip(tmp_path / "kapot.docx", {**files, "word/document.xml": b"<w:document><w:body><w:p>"})
    with pytest.raises(UnreadableDocumentError, match=r"kapot\.docx: not a readable DOCX \(broken XML: "):
        read_document(broken, SETTINGS)
    content_types = files["[Content_Types].xml"].replace(b"wordprocessingml.document.main+xml",
                                                         b"presentationml.presentation.main+xml")
    slides = _zip(tmp_path / "dia.docx", {**files, "[Content_Types].xml": content_types})
    with pytest.raises(UnreadableDocumentError, match=r"not a readable DOCX \(the main part is "
                                                      r"application/.*presentation"):
        read_document(slides, SETTINGS)


LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i else b"&lol;") * 10) for i in range(9))
          + b']><lolz>&lol8;</lolz>')


@pytest.mark.parametrize("xml, declares", [
    (LAUGHS, True),  # libxml2 may stop this before the root; the prolog still shows the DTD
    (b'<?xml version="1.0"?>\n<!-- made by hand -->\n<!DOCTYPE w:document SYSTEM "file:///etc/passwd">'
     b'<w:document xmlns:w="x"/>', True),
    ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a [<!ENTITY e "<b>x</b>">]><a>&e;</a>'.encode("utf-16"), True),
    (b'<?xml version="1.0"?><w:document xmlns:w="x"><w:t>&lt;!DOCTYPE in the text</w:t></w:document>', False),
    (b'<?xml version="1.0"?><w:document xmlns:w="x"><w:t>broken</w:document>', False),  # python-docx reports it
])
def test_a_dtd_is_found_in_the_prolog_whatever_the_parser_makes_of_it(tmp_path, xml, declares):
    from pipeline.ingest.docx import _declares_dtd, _prolog_declares_dtd

    path = tmp_path / "deel.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", xml)
    with zipfile.ZipFile(path) as archive:
        part = archive.getinfo("word/document.xml")
        assert _declares_dtd(archive, part) is declares
        assert _prolog_declares_dtd(archive, part) is declares
