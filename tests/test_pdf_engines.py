"""The pdfium engine reads every test PDF as the pdfplumber reference does.

pipeline/ingest/pdfium.py builds pdf.py's `Line` records from pdfium's characters (and
its tables from pdfium's paths); each kind of PDF the other tests render -- the seed,
two columns, header and footer styles, footnotes (one going on at the foot of the next
page too), hyphenation, the layout fixtures with their ruled tables, odd fonts and page
boxes, unusable files -- is read by every engine and must give the same Document, font
hints (`style`) aside: pdfium names a font without its subset tag
("BitstreamVeraSans-Roman" for "AAAAAA+BitstreamVeraSans-Roman").
"""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from pdfplumber.table import TableFinder
from pdfplumber.utils.clustering import make_cluster_dict
from pdfplumber.utils.text import DEFAULT_Y_TOLERANCE, extract_text
from reportlab.lib.pagesizes import A5
from reportlab.pdfgen.canvas import Canvas

from pipeline.errors import UnreadableDocumentError
from pipeline.export import commitment_row
from pipeline.ingest import pdf as pdf_reader
from pipeline.ingest import pdfium as pdfium_reader
from pipeline.ingest.pdf import read_pdf
from pipeline.run import extract_document
from pipeline.settings import Settings
from pipeline.types import Document
from tests.render.docx import render_docx
from tests.render.layout_docx import render_layout_docx
from tests.render.layout_pdf import render_layout_pdf
from tests.render.layout_source import layout_parts
from tests.render.libreoffice import docx_to_pdf
from tests.render.pdf import render_lines_pdf, render_pdf, register_fonts
from tests.render.source import Element, long_footnote_elements, seed_elements

FAST_ENGINES = ["auto", "pdfium"]
SETTINGS = Settings(ocr="never")  # engines differ in characters, not in OCR


def render_odd_fonts(path: Path) -> Path:
    """Text as producers print it beyond the fixtures' habits, and a table drawn with lines.

    Page 1: a bold heading, a raised footnote mark in a line that turns bold and back,
    words placed apart without spaces, letter-spaced text, Helvetica (not embedded),
    scaled text, rotated margin text, a tab, a hyphenated line end, a footnote in small
    print. Page 2: a 3 x 2 grid of lines with text in its cells, and a lone framed box.
    """
    register_fonts()
    canvas = Canvas(str(path), pagesize=A5)
    width, height = A5
    y = height - 60
    canvas.setFont("Vera-Bold", 12)
    canvas.drawString(42, y, "3.1 Kop in vet")
    y -= 20
    text = canvas.beginText(42, y)
    text.setFont("Vera", 10)
    text.textOut("12. Met voetnoot ")
    text.setRise(4)
    text.setFont("Vera", 7)
    text.textOut("1")
    text.setRise(0)
    text.setFont("Vera-Bold", 10)
    text.textOut(" en vet")
    text.setFont("Vera", 10)
    text.textOut(" daarna gewoon.")
    canvas.drawText(text)
    y -= 16
    x = 42.0
    for word in ["Losse", "woorden", "zonder", "spaties."]:
        canvas.setFont("Vera", 10)
        canvas.drawString(x, y, word)
        x += canvas.stringWidth(word, "Vera", 10) + 3
    y -= 16
    draw_letter_spaced(canvas, y)
    y -= 16
    canvas.setFont("Helvetica", 10)
    canvas.drawString(42, y, "13. Helvetica is niet ingebed (€ 5).")
    y -= 16
    canvas.saveState()
    canvas.translate(42, y)
    canvas.scale(1.2, 1.2)
    canvas.setFont("Vera", 10)
    canvas.drawString(0, 0, "14. Geschaalde tekst.")
    canvas.restoreState()
    y -= 20
    draw_turned_margin(canvas, "Gedraaide kantlijn")
    canvas.setFont("Vera", 10)
    canvas.drawString(42, y, "Tekst met  twee spaties en een tab\tachteraan.")
    y -= 16
    canvas.drawString(42, y, "Afbreking aan het eind van de re-")
    canvas.drawString(42, y - 13, "gel.")
    canvas.setFont("Vera", 7.5)
    canvas.drawString(42, 60, "1 Een voetnoot in kleine letters.")
    canvas.showPage()
    canvas.setFont("Vera", 10)
    canvas.drawString(42, height - 60, "16. Tabel hieronder.")
    xs, ys = [42, 150, 250, 370], [height - 80, height - 100, height - 130]
    for x in xs:
        canvas.line(x, ys[0], x, ys[-1])
    for y in ys:
        canvas.line(xs[0], y, xs[-1], y)
    canvas.setFont("Vera", 8.5)
    for row, y in enumerate(ys[:-1]):
        for column, x in enumerate(xs[:-1]):
            canvas.drawString(x + 3, y - 12, f"Cel {row}{column} tekst")
    canvas.rect(42, 200, 100, 50)
    canvas.drawString(50, 220, "In een kader")
    canvas.showPage()
    canvas.save()
    return path


def draw_letter_spaced(canvas: Canvas, y: float) -> None:
    """'Gespatieerd en niet.' at y: one word letter-spaced (2 pt), the rest not, in one text object."""
    text = canvas.beginText(42, y)
    text.setFont("Vera", 10)
    text.setCharSpace(2)
    text.textOut("Gespatieerd")
    text.setCharSpace(0)
    text.textOut(" en niet.")
    canvas.drawText(text)


def draw_turned_margin(canvas: Canvas, text: str) -> None:
    """Margin text turned a quarter (pdfplumber leaves such characters out)."""
    canvas.saveState()
    canvas.translate(380, 300)
    canvas.rotate(90)
    canvas.setFont("Vera", 8)
    canvas.drawString(0, 0, text)
    canvas.restoreState()


def render_turned_text_first(path: Path) -> Path:
    """Margin text turned a quarter, printed before the body: pdfplumber leaves it out, and
    a letter-spaced line after it still reads as on a page without it."""
    register_fonts()
    canvas = Canvas(str(path), pagesize=A5)
    width, height = A5
    draw_turned_margin(canvas, "Gedraaide kantlijn, als eerste gedrukt")
    canvas.setFont("Vera", 10)
    canvas.drawString(42, height - 60, "12. Een gewone regel.")
    draw_letter_spaced(canvas, height - 76)
    canvas.showPage()
    canvas.save()
    return path


def edited(source: Path, path: Path, edit) -> Path:
    """A copy of `source` with `edit(page)` applied to every page (rotation, crop box)."""
    document = pdfium.PdfDocument(source)
    for page in document:
        edit(page)
    document.save(path)
    document.close()
    return path


SMALL_PRINT = (["12. De Volmacht hanteert de aftoppingsgrens 1 voor haar bezit.", "",
                "13. Woonborg voert een terughoudend huurprijsbeleid.", ""] + [""] * 24
               + [("1 De huurprijsgrenzen zijn gebaseerd op", 7.5), ("prijspeil 2020.", 7.5),
                  ("2 Zie de Woonvisie 2016+.", 7.5)])
HYPHENATED = ["31. Woonborg verbetert in Aa en Hunze 14 wo-", "ningen, afhankelijk van belemmeringen vanuit wet-",
              "en regelgeving.", "", "De gemeente verleent een reductie op de markt-", "conforme kavelprijs."]
GLUED_MARK = [Element("item", "De Volmacht hanteert de aftoppingsgrens¹ voor haar bezit.", number="12"),
              Element("footnote", "Prijspeil 2020.", number="¹")]

# name -> how to render it into a path
CASES = {
    "seed": lambda p: render_pdf(seed_elements(), p),
    "two-columns": lambda p: render_pdf(seed_elements(), p, columns=2),
    "no-header-no-footer": lambda p: render_pdf(seed_elements(), p, header=None, footer=False),
    **{f"footer {footer}": (lambda p, footer=footer: render_pdf(seed_elements()[:60], p, footer=footer, header=None))
       for footer in ["{page}", "- {page} -", "Pagina {page} van {pages}", "Blz. {page}"]},
    "footnote-mark-glued": lambda p: render_pdf(GLUED_MARK, p, header=None, footer=False),
    "footnote-continued": lambda p: render_pdf(long_footnote_elements(), p, footnote_room=30),
    "footnotes-in-small-print": lambda p: render_lines_pdf([SMALL_PRINT], p),
    "hyphenation": lambda p: render_lines_pdf([HYPHENATED], p),
    "one-page": lambda p: render_lines_pdf([["Prestatieafspraken 2021", "", "1. Partijen werken samen."]], p),
    "page-without-text": lambda p: render_lines_pdf([["1. Partijen werken samen."], []], p),
    **{f"layout {name}": (lambda p, name=name: render_layout_pdf(layout_parts(name), p))
       for name in ["hierarchical", "owner_tables", "party_sections", "false_numbers"]},
    "layout owner_tables, header row once": lambda p: render_layout_pdf(layout_parts("owner_tables"), p,
                                                                         repeat_header=False),
    # Word-processor PDFs: LibreOffice's export of the DOCX fixtures (its fonts, tab stops,
    # table borders as paths); skipped where LibreOffice is not installed.
    "libreoffice seed": lambda p: docx_to_pdf(render_docx(seed_elements(), p.with_suffix(".docx"))),
    **{f"libreoffice {name}": (lambda p, name=name: docx_to_pdf(render_layout_docx(layout_parts(name),
                                                                                 p.with_suffix(".docx"))))
       for name in ["owner_tables", "unnumbered_tables"]},
    "odd-fonts": render_odd_fonts,
    "turned-text-first": render_turned_text_first,
    "rotated-pages": lambda p: edited(render_pdf(seed_elements()[:60], p.with_suffix(".src.pdf")), p,
                                      lambda page: page.set_rotation(90)),
    "cropped-pages": lambda p: edited(render_pdf(seed_elements()[:60], p.with_suffix(".src.pdf")), p,
                                      lambda page: page.set_cropbox(20, 20, 400, 580)),
}
ONE_COLUMN = [name for name in CASES if name not in ("two-columns", "rotated-pages", "cropped-pages")]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """name -> path, each case rendered once, on first use."""
    folder = tmp_path_factory.mktemp("engines")
    paths: dict[str, Path] = {}

    def path_of(name: str) -> Path:
        if name not in paths:
            paths[name] = CASES[name](folder / f"{name.replace(' ', '_').replace('/', '_')}.pdf")
        return paths[name]

    return path_of


@pytest.fixture(scope="module")
def reference(rendered):
    """name -> the pdfplumber engine's Document, read once."""
    documents: dict[str, Document] = {}

    def document_of(name: str) -> Document:
        if name not in documents:
            documents[name] = read_pdf(rendered(name), "x", replace(SETTINGS, pdf_engine="pdfplumber"))
        return documents[name]

    return document_of


def without_style(document: Document) -> Document:
    return replace(document, blocks=tuple(replace(block, style=None) for block in document.blocks))


@pytest.mark.parametrize("engine", FAST_ENGINES)
@pytest.mark.parametrize("name", list(CASES))
def test_same_document_as_pdfplumber(rendered, reference, name, engine):
    document = read_pdf(rendered(name), "x", replace(SETTINGS, pdf_engine=engine))
    expected = reference(name)
    assert [b.text for b in document.blocks] == [b.text for b in expected.blocks]  # the readable diff
    assert without_style(document) == without_style(expected)


@pytest.mark.parametrize("name", ["seed", "two-columns", "libreoffice seed"])
def test_same_commitment_rows_as_pdfplumber(rendered, settings, nlp, name):
    rows = {engine: [commitment_row(c) for c in
                     extract_document(rendered(name), replace(settings, pdf_engine=engine), nlp).commitments]
            for engine in ["pdfplumber", *FAST_ENGINES]}
    assert len(rows["pdfplumber"]) >= 76
    for engine in FAST_ENGINES:
        assert rows[engine] == rows["pdfplumber"], engine


PLAIN_PAGES = [name for name in CASES if name not in ("rotated-pages", "cropped-pages")]


def both_readings(path: Path):
    """Each page of a PDF read both ways: (page, its edges, pdfium's characters read one by
    one with their styles, the run reader's characters and styles), the run reader
    keeping what it learns from page to page as the engine does."""
    document = pdfium.PdfDocument(path)
    boxes, glyphs = pdfium_reader.LooseBoxes(), pdfium_reader.GlyphBoxes()
    try:
        for page in document:
            width, height = pdfium_reader.plain_page_size(page)
            textpage = page.get_textpage()
            chars, first_chars = pdfium_reader.page_chars(textpage)
            styles = pdfium_reader.run_styles(textpage, first_chars, height)
            by_runs = pdfium_reader.run_chars(textpage, height, boxes, glyphs)
            textpage.close()
            yield page, pdfium_reader.page_edges(page, height), (chars, styles), by_runs
    finally:
        document.close()


@pytest.mark.parametrize("name", PLAIN_PAGES)
def test_run_reader_gives_pdfiums_characters(rendered, name):
    """The run reader's characters are pdfium's: the same text, text objects, indexes and
    styles; boxes within POSITION_TOLERANCE, and exactly pdfium's at each run's ends."""
    for _, _, (chars, styles), (by_runs, run_styles) in both_readings(rendered(name)):
        assert (by_runs.text, by_runs.obj.tolist(), by_runs.index.tolist()) == (chars.text, chars.obj.tolist(),
                                                                                 chars.index.tolist())
        assert run_styles == styles
        assert np.abs(by_runs.x0 - chars.x0).max(initial=0) <= pdfium_reader.POSITION_TOLERANCE
        assert np.abs(by_runs.x1 - chars.x1).max(initial=0) <= pdfium_reader.POSITION_TOLERANCE
        ends = [(run.start, run.end - 1) for run in pdfium_reader.page_runs(chars, styles)] if len(chars.text) else []
        at = np.array(ends, dtype=np.int64).ravel()
        assert (by_runs.x0[at] == chars.x0[at]).all() and (by_runs.x1[at] == chars.x1[at]).all()


class CountingBoxes(pdfium_reader.LooseBoxes):
    """LooseBoxes that count the character boxes asked of pdfium."""

    asked = 0

    def read_at(self, handle, indices):
        self.asked += len(indices)
        return super().read_at(handle, indices)


def render_plain_then_spaced(path: Path) -> Path:
    """Page 1: lines of one font and size, set plainly. Page 2: in the same font and size
    and with the same letters, plain lines, then a letter-spaced line and one with wide
    word spacing, then plain lines again."""
    register_fonts()
    canvas = Canvas(str(path), pagesize=A5)
    width, height = A5
    plain = "Woonborg verbetert in Aa en Hunze {} woningen naar label A."
    for page, settings in enumerate([[{}] * 34, [{}] * 6 + [{"setCharSpace": 1.2}, {"setWordSpace": 9}] + [{}] * 6]):
        for line, setting in enumerate(settings):
            canvas.saveState()  # spacing is part of the graphics state: it ends with the line
            text = canvas.beginText(42, height - 50 - 14 * line)
            text.setFont("Vera", 10)
            for name, value in setting.items():
                getattr(text, name)(value)
            text.textOut(plain.format(line % 10))
            canvas.drawText(text)
            canvas.restoreState()
        canvas.showPage()
    canvas.save()
    return path


def test_run_reader_computes_plain_runs_and_reads_the_rest(tmp_path):
    """Once a font's plain runs on page 1 have shown its boxes, its runs on page 2 are
    computed from few of pdfium's boxes; a letter-spaced run of it there is caught and
    read, and the font is read character by character from then on."""
    document = pdfium.PdfDocument(render_plain_then_spaced(tmp_path / "spaced.pdf"))
    boxes, glyphs = CountingBoxes(), pdfium_reader.GlyphBoxes()
    for page in document:
        textpage = page.get_textpage()
        before = boxes.asked
        by_runs, _ = pdfium_reader.run_chars(textpage, page.get_height(), boxes, glyphs)
        chars, _ = pdfium_reader.page_chars(textpage)
        textpage.close()
        assert by_runs.text == chars.text
        assert np.abs(by_runs.x0 - chars.x0).max() <= pdfium_reader.POSITION_TOLERANCE
        assert np.abs(by_runs.x1 - chars.x1).max() <= pdfium_reader.POSITION_TOLERANCE
    document.close()
    assert boxes.asked - before < len(chars.text) / 2
    spaced = 6 * 58  # the letter-spaced line: read, not computed
    assert by_runs.x0[spaced:spaced + 58].tolist() == chars.x0[spaced:spaced + 58].tolist()
    assert glyphs.unreliable[1:].all() and not glyphs.trusted.any()


@pytest.mark.parametrize("name", PLAIN_PAGES)
def test_runs_give_the_lines_of_the_character_rules(rendered, name):
    """The run-based lines (and tables) made from the run reader's characters equal those
    of pdf.py's character rules on pdfium's characters read one by one, page by page;
    and pages take the run path, two-column pages too."""
    run_pages = two_column_pages = table_pages = pages = 0
    for index, (page, edges, (chars, styles), (by_runs, _)) in enumerate(both_readings(rendered(name))):
        pages += 1
        if not len(chars.text):
            continue
        width, height = pdfium_reader.plain_page_size(page)
        dicts = pdfium_reader.char_dicts(chars, styles)
        if pdfium_reader.may_hold_ruled_table(edges):
            tables = [t for t in TableFinder(pdfium_reader._TableSource(edges, dicts)).tables if len(t.cells) > 1]
            assert (pdfium_reader.ruled_page_content(by_runs, styles, edges, index + 1, width, height)
                    == pdf_reader.chars_to_content(dicts, tables, index + 1, width, height))
            table_pages += 1
            continue
        by_rules = pdf_reader.chars_to_content(dicts, [], index + 1, width, height)
        assert pdfium_reader.page_lines(by_runs, styles, index + 1, width, height) == list(by_rules.lines)
        try:
            lines, gutter = pdfium_reader.run_lines(by_runs, styles, index + 1, width)
        except pdfium_reader._CharRules:  # interleaved runs: the character rules read this page
            continue
        assert lines == list(by_rules.lines)
        run_pages += 1
        two_column_pages += gutter is not None
    assert run_pages > 0 or table_pages == pages  # every page of LibreOffice's table layouts has a table
    if name == "two-columns":
        assert two_column_pages >= 3


@pytest.mark.parametrize("engine", FAST_ENGINES)
def test_pdfplumber_reads_only_the_pages_pdfium_cannot_stand_in_for(rendered, monkeypatch, engine):
    """"auto" hands the seed's pages with ruled tables to pdfplumber; "pdfium" reads them
    too, with pdfplumber's table finder on pdfium's paths and characters."""
    read = []
    real = pdfium_reader._PlumberPages.read

    def counting(self, index):
        read.append(index + 1)
        return real(self, index)

    monkeypatch.setattr(pdfium_reader._PlumberPages, "read", counting)
    document = read_pdf(rendered("seed"), "x", replace(SETTINGS, pdf_engine=engine))
    tables = {block.page for block in document.blocks if block.kind == "table"}
    assert len(tables) >= 3
    assert read == ([] if engine == "pdfium" else sorted(tables))


@pytest.mark.parametrize("engine", FAST_ENGINES)
def test_a_page_without_text_goes_to_the_pdfplumber_reader_and_its_ocr_hook(rendered, monkeypatch, engine):
    pages = []
    real = pdf_reader.read_page

    def recording(page, settings):
        pages.append(page.page_number)
        return real(page, settings)

    monkeypatch.setattr(pdf_reader, "read_page", recording)
    document = read_pdf(rendered("page-without-text"), "x", replace(SETTINGS, pdf_engine=engine))
    assert pages == [2]
    assert [(i.kind, i.where) for i in document.issues] == [("no-text-layer", "page 2")]


def test_ruled_lines_are_told_from_a_table(rendered):
    """A header rule and a footnote rule are not a table; a grid of two cells or more may be."""
    document = pdfium.PdfDocument(rendered("seed"))
    ruled = []
    for page in document:
        ruled.append(pdfium_reader.may_hold_ruled_table(pdfium_reader.page_edges(page, page.get_height())))
    document.close()
    tables = {block.page for block in read_pdf(rendered("seed"), "x", SETTINGS).blocks if block.kind == "table"}
    assert {number for number, is_ruled in enumerate(ruled, 1) if is_ruled} == tables


def test_text_printed_twice_for_a_bold_look_is_read_once(tmp_path):
    """pdfium drops a text object printed again a fraction of a point further on; pdf.py's
    rounding de-duplication can keep letters of both ("155. Vet door duubbeel ...")."""
    register_fonts()
    path = tmp_path / "dubbel.pdf"
    canvas = Canvas(str(path), pagesize=A5)
    canvas.setFont("Vera", 10)
    canvas.drawString(42, 500, "15. Vet door dubbel drukken.")
    canvas.drawString(42.3, 500, "15. Vet door dubbel drukken.")
    canvas.showPage()
    canvas.save()
    document = read_pdf(path, "x", replace(SETTINGS, pdf_engine="pdfium"))
    assert [b.text for b in document.blocks] == ["15. Vet door dubbel drukken."]


@pytest.mark.parametrize("engine", FAST_ENGINES)
@pytest.mark.parametrize("damage", ["encrypted", "truncated to half", "truncated to a tenth", "garbage"])
def test_unusable_files_fail_with_the_reference_message(tmp_path, rendered, engine, damage):
    path = tmp_path / "kapot.pdf"
    if damage == "encrypted":
        render_lines_pdf([["1. Geheim."]], path, encrypt="wachtwoord")
    elif damage.startswith("truncated"):
        data = rendered("seed").read_bytes()
        path.write_bytes(data[: len(data) // (2 if damage.endswith("half") else 10)])
    else:
        path.write_bytes(b"%PDF-1.7\n" + b"\x00 rommel " * 200)
    messages = []
    for settings in (replace(SETTINGS, pdf_engine="pdfplumber"), replace(SETTINGS, pdf_engine=engine)):
        with pytest.raises(UnreadableDocumentError) as raised:
            read_pdf(path, "kapot", settings)
        messages.append(str(raised.value))
    assert messages[0] == messages[1]


@pytest.mark.parametrize("engine", FAST_ENGINES)
def test_a_page_pdfium_fails_on_is_an_issue_and_the_rest_is_read(tmp_path, monkeypatch, engine):
    path = render_lines_pdf([["1. Eerste pagina."], ["2. Tweede pagina."], ["3. Derde pagina."]],
                            tmp_path / "kapot.pdf")
    real, calls = pdfium_reader.page_runs_of, []

    def failing_on_page_2(textpage, *args):
        calls.append(1)
        if len(calls) == 2:
            raise ValueError("damaged content stream")
        return real(textpage, *args)

    monkeypatch.setattr(pdfium_reader, "page_runs_of", failing_on_page_2)
    document = read_pdf(path, "kapot", replace(SETTINGS, pdf_engine=engine))
    assert [b.text for b in document.blocks] == ["1. Eerste pagina.", "3. Derde pagina."]
    assert [(i.kind, i.where) for i in document.issues] == [("unreadable-page", "page 2")]
    assert "ValueError: damaged content stream" in document.issues[0].message


@pytest.mark.parametrize("engine", FAST_ENGINES)
def test_a_page_failing_its_batch_fails_alone(tmp_path, monkeypatch, engine):
    """Pages read together (`read_pages`) are read one by one when their batch fails, so
    only the page at fault is an issue."""
    words = ["Eerste", "Tweede", "Derde", "Vierde"]
    path = render_lines_pdf([[f"{n}. {word} pagina."] for n, word in enumerate(words, 1)], tmp_path / "vier.pdf")
    real = pdfium_reader.batch_chars

    def failing_with_page_3(pages, *args):
        if any("Derde" in page.text for page in pages):
            raise ValueError("damaged content stream")
        return real(pages, *args)

    monkeypatch.setattr(pdfium_reader, "batch_chars", failing_with_page_3)
    document = read_pdf(path, "vier", replace(SETTINGS, pdf_engine=engine))
    assert [b.text for b in document.blocks] == ["1. Eerste pagina.", "2. Tweede pagina.", "4. Vierde pagina."]
    assert [(i.kind, i.where) for i in document.issues] == [("unreadable-page", "page 3")]


def random_cells(seed: int):
    """Characters on a few close baselines, with gaps, steps back, white space and a
    ligature; some not upright; cut into cells (a character may sit in two)."""
    rng = random.Random(seed)
    count = rng.randint(1, 60)
    styles = {}
    for obj in range(1, rng.randint(1, 6) + 1):
        top = rng.choice([100.0, 101.5, 103.2, 104.0, 110.0, 112.9, 120.0, 123.0]) + rng.choice([0.0, 0.25])
        styles[obj] = pdfium_reader.RunStyle(10.0, "F", False, top, top + 10.0, rng.random() > 0.03)
    x0 = np.array([rng.uniform(0, 60) if rng.random() < 0.2 else 5.0 * k + rng.choice([0.0, 0.5, 3.2, -2.0])
                   for k in range(count)])
    chars = pdfium_reader.PageChars(
        text="".join(rng.choice(["a", "b", " ", "\ufb01", "c", "\t", "d", "e"]) for _ in range(count)),
        x0=x0, x1=x0 + np.array([rng.choice([2.0, 4.0, 5.0]) for _ in range(count)]),
        obj=np.array([rng.randint(1, len(styles)) for _ in range(count)], dtype=np.uint64), index=np.arange(count))
    cells = [np.flatnonzero(np.array([rng.random() < 0.4 for _ in range(count)])) for _ in range(rng.randint(1, 5))]
    return chars, styles, [cell for cell in cells if len(cell)]


@pytest.mark.parametrize("seed", range(300))
def test_cell_text_is_pdfplumbers_extract_text(seed):
    """pdfium.cells_text does for all cells at once what pdfplumber's Table.extract does
    cell by cell with utils.extract_text."""
    chars, styles, cells = random_cells(seed)
    expected = []
    for cell in cells:
        keep = np.zeros(len(chars.text), dtype=bool)
        keep[cell] = True
        expected.append(extract_text(pdfium_reader.char_dicts(chars.subset(keep), styles)))
    cell = np.repeat(np.arange(len(cells)), [len(chars_in) for chars_in in cells])
    placed = pdfium_reader.CharPlaces(chars, styles)
    assert pdfium_reader.cells_text(placed, cell, np.concatenate(cells), len(cells)) == expected


@pytest.mark.parametrize("seed", range(50))
def test_chain_clusters_are_pdfplumbers_clusters(seed):
    rng = random.Random(seed)
    groups = np.array(sorted(rng.randint(0, 3) for _ in range(40)))
    values = np.array([rng.choice([0.0, 1.0, 2.5, 3.0, 6.1, 9.0, 9.2, 20.0]) + rng.random() for _ in range(40)])
    ids = pdfium_reader.chain_clusters(groups, values)
    for group in set(groups.tolist()):
        members = groups == group
        clusters = make_cluster_dict(values[members].tolist(), DEFAULT_Y_TOLERANCE)
        assert [clusters[value] for value in values[members].tolist()] == (ids[members] - ids[members].min()).tolist()
