"""PDF reader: the seed agreement rendered to PDF at test time reads back as its text.

The rendered seed has a running header, "Pagina N" footers, items that break across
pages, a footnote at the foot of the page of its raised marker, and ruled tables; a short
agreement has a footnote that goes on at the foot of the next page; small constructed
PDFs cover hyphenation, page-number styles, footnotes in small print and unusable files.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pdfplumber
import pytest

from pipeline.errors import UnreadableDocumentError
from pipeline.ingest import read_document
from pipeline.ingest import pdf as pdf_reader
from pipeline.ingest.pdf import read_pdf
from pipeline.run import extract_document
from pipeline.settings import PDF_ENGINES, Settings
from pipeline.types import FOOTNOTE, HEADING, PARAGRAPH, TABLE, Document
from tests.render.pdf import render_lines_pdf, render_pdf
from tests.render.source import LONG_FOOTNOTE, Element, long_footnote_elements, seed_elements

HEADER = "Prestatieafspraken Aa en Hunze 2021"
LABEL = re.compile(r"^(\d+)\. ")
FOOTNOTE_TEXT = "¹ De huurprijsgrenzen in deze prestatieafspraken zijn gebaseerd op prijspeil 2020."


def body_items(elements: list[Element]) -> list[Element]:
    """The numbered afspraken (the party list of the preamble is numbered too)."""
    return [e for e in elements if e.kind == "item" and not e.preamble]


def item_numbers(document: Document) -> list[int]:
    """Labels of the numbered blocks after the first chapter heading, in order."""
    start = next(i for i, b in enumerate(document.blocks) if b.kind == HEADING and b.text == "1 Inleiding")
    return [int(m.group(1)) for b in document.blocks[start:]
            if b.kind == PARAGRAPH and (m := LABEL.match(b.text))]


@pytest.fixture(scope="module")
def seed_pdf(tmp_path_factory) -> Path:
    return render_pdf(seed_elements(), tmp_path_factory.mktemp("pdf") / "aa-en-hunze-2021.pdf")


@pytest.fixture(scope="module")
def seed_doc(seed_pdf) -> Document:
    return read_document(seed_pdf, Settings())


@pytest.fixture(scope="module")
def seed_page_texts(seed_pdf) -> list[str]:
    """pdfplumber's own text of each page, spaces collapsed: the fixture checked independently."""
    with pdfplumber.open(seed_pdf) as pdf:
        return [" ".join((page.extract_text() or "").split()) for page in pdf.pages]


# --- the rendered fixture itself ----------------------------------------------------

def test_rendered_seed_breaks_items_across_pages(seed_page_texts):
    """The fixture is only a fair test if some items start on one page and end on the next."""
    pages = seed_page_texts
    assert len(pages) >= 10
    split = []
    for item in body_items(seed_elements()):
        words = item.text.split()
        head, tail = " ".join(words[:5]), " ".join(words[-5:])
        first = next(i for i, text in enumerate(pages) if head in text)
        if tail not in pages[first] and first + 1 < len(pages) and tail in pages[first + 1]:
            split.append(item.number)
    assert len(split) >= 2, split


def test_rendered_seed_prints_euro_and_bullets(seed_page_texts):
    text = " ".join(seed_page_texts)
    assert "(€ 663)" in text and "• 80%" in text and "(cid:" not in text
    assert all(HEADER in page for page in seed_page_texts[1:])


# --- the seed read back -------------------------------------------------------------

def test_reads_every_page(seed_doc, seed_pdf):
    with pdfplumber.open(seed_pdf) as pdf:
        assert seed_doc.page_count == len(pdf.pages)
    assert seed_doc.format == "pdf" and seed_doc.issues == ()
    assert all(block.page for block in seed_doc.blocks)
    assert [b.page for b in seed_doc.blocks] == sorted(b.page for b in seed_doc.blocks)


def test_running_header_footer_and_page_numbers_are_removed(seed_doc):
    for block in seed_doc.blocks:
        assert HEADER not in block.text
        assert not re.fullmatch(r"(Pagina )?\d+", block.text), block


def test_every_numbered_item_starts_its_own_block_in_order(seed_doc):
    assert item_numbers(seed_doc) == list(range(1, 77))
    texts = [b.text for b in seed_doc.blocks]
    for item in body_items(seed_elements()):
        start = f"{item.number}. {item.text[:40]}"
        assert any(text.startswith(start) for text in texts), start


def test_party_list_items_are_read_too(seed_doc):
    preamble = [b.text for b in seed_doc.blocks if b.page == 1 and LABEL.match(b.text)]
    assert [LABEL.match(t).group(1) for t in preamble] == ["1", "2", "3", "4", "5"]


def test_item_broken_across_pages_is_two_blocks(seed_doc):
    """The second half starts the next page as its own block; a later stage joins them."""
    items = {e.number: e for e in body_items(seed_elements())}
    blocks = [b for b in seed_doc.blocks if b.kind != FOOTNOTE]
    broken = 0
    for block, after in zip(blocks, blocks[1:]):
        m = LABEL.match(block.text)
        if m and m.group(1) in items and after.page == block.page + 1 and not LABEL.match(after.text) \
                and after.kind == PARAGRAPH and not block.text.endswith(items[m.group(1)].text[-20:]):
            assert f"{block.text[len(m.group(0)):]} {after.text}".startswith(items[m.group(1)].text[:60])
            broken += 1
    assert broken >= 2


def test_footnote_is_its_own_block_after_its_page_body(seed_doc):
    notes = [b for b in seed_doc.blocks if b.kind == FOOTNOTE]
    assert [n.text for n in notes] == [FOOTNOTE_TEXT]
    item = next(b for b in seed_doc.blocks if b.text.startswith("12. "))
    assert item.text.endswith("(€ 663) ¹.")  # the raised marker, not a "1" glued to the text
    assert notes[0].page == item.page
    index = seed_doc.blocks.index(notes[0])
    assert all(b.page == item.page for b in seed_doc.blocks[:index][-3:])
    assert seed_doc.blocks[index + 1].page == item.page + 1


def test_bullets_of_item_17_are_blocks_of_their_own(seed_doc):
    texts = [b.text for b in seed_doc.blocks]
    at = next(i for i, t in enumerate(texts) if t.startswith("17. "))
    assert texts[at].endswith("met als doelstelling:")
    assert texts[at + 1:at + 4] == [
        "• 80% van de woningen heeft een streefhuur onder de eerste aftoppingsgrens (€ 619)",
        "• 10% een streefhuur tussen de eerste en de tweede aftoppingsgrens (€ 619 / € 663)",
        "• 10% een streefhuur tussen de tweede aftoppingsgrens en de liberalisatiegrens (€ 663 / € 737)",
    ]
    assert texts[at + 4].startswith("Voor de zittende huurders")


def test_headings_have_levels_by_font_size(seed_doc):
    levels = {b.text: b.heading_level for b in seed_doc.blocks if b.kind == HEADING}
    assert levels["1 Inleiding"] == 1
    assert levels["4.1 Betaalbaarheid"] == 2
    assert levels["Prestaties gemeente 2021"] == 3
    assert levels["Prestatieafspraken Aa en Hunze"] == 1  # the cover title, over two lines
    elements = [e for e in seed_elements() if e.kind == "heading"]
    assert {e.text: e.level for e in elements} == {t: levels[t] for t in {e.text for e in elements}}


def test_ruled_tables_are_table_blocks_and_their_words_stay_out_of_paragraphs(seed_doc):
    tables = [b for b in seed_doc.blocks if b.kind == TABLE]
    assert tables[0].rows[:2] == (("", "", "Totaal gemeente Aa en Hunze*"),
                                  ("Aantal sociale huurwoningen 1-11-2020", "De Volmacht", "1.535"))
    assert ("", "Totaal", "1.895") in tables[0].rows
    agenda = [row for t in tables[1:] for row in t.rows if row[0] != "Termijn"]
    assert agenda[0][0] == "Januari / begin februari 2021"
    assert agenda[-1] == ("Uiterlijk 15 december 2021", "Indienen prestatieafspraken door corporaties.")
    assert ("Begin september 2021", "1e ambtelijk overleg prestatieafspraken 2022") in agenda
    paragraphs = " ".join(b.text for b in seed_doc.blocks if b.kind != TABLE)
    assert "1.535" not in paragraphs and "Indienen prestatieafspraken" not in paragraphs
    heading = next(i for i, b in enumerate(seed_doc.blocks) if b.text == "4.2 Beschikbaarheid")
    first_table = seed_doc.blocks.index(tables[0])
    assert heading < first_table < next(i for i, b in enumerate(seed_doc.blocks) if b.text.startswith("20. "))


def test_two_column_layout_reads_column_by_column(tmp_path):
    document = read_pdf(render_pdf(seed_elements(), tmp_path / "twee-kolommen.pdf", columns=2),
                        "twee-kolommen", Settings())
    assert item_numbers(document) == list(range(1, 77))
    assert [b.text for b in document.blocks if b.kind == FOOTNOTE] == [FOOTNOTE_TEXT]


# --- a footnote that goes on at the foot of the next page ---------------------------

NOTE_TAIL = "Voor woningen met een tijdelijke huurkorting"  # a sentence the renderer puts on page 2


@pytest.fixture(scope="module")
def continued_pdf(tmp_path_factory) -> Path:
    return render_pdf(long_footnote_elements(), tmp_path_factory.mktemp("pdf") / "doorlopende-voetnoot.pdf",
                      footnote_room=30)


def test_rendered_footnote_goes_on_at_the_foot_of_the_next_page(continued_pdf):
    """The fixture is only a fair test if footnote ¹ starts on page 1 and ends, unmarked,
    at the foot of page 2: under the body, above footnote ²."""
    with pdfplumber.open(continued_pdf) as pdf:
        pages = [" ".join((page.extract_text() or "").split()) for page in pdf.pages]
    assert len(pages) == 2
    assert "9. De Volmacht" in pages[0] and "1 De huurprijsgrenzen in deze" in pages[0]
    assert NOTE_TAIL not in pages[0]
    assert pages[1].index("14. De Volmacht") < pages[1].index(NOTE_TAIL) < pages[1].index("2 Zie de Woonvisie")


@pytest.mark.parametrize("engine", PDF_ENGINES)
def test_footnote_continued_on_the_next_page_is_one_block(continued_pdf, engine):
    """One block with the whole text, where the footnote starts; page 2 keeps only its body and ²."""
    blocks = read_pdf(continued_pdf, "doorlopend", Settings(pdf_engine=engine)).blocks
    items = [e for e in long_footnote_elements() if e.kind == "item"]
    assert [(b.kind, b.page, b.text) for b in blocks] == [
        (HEADING, 1, "4 Betaalbaarheid"),
        *[(PARAGRAPH, 1, f"{e.number}. {e.text}") for e in items[:9]],
        (FOOTNOTE, 1, "¹ " + LONG_FOOTNOTE),
        *[(PARAGRAPH, 2, f"{e.number}. {e.text}") for e in items[9:]],
        (FOOTNOTE, 2, "² Zie de Woonvisie 2016+."),
    ]


def test_commitment_gets_the_whole_continued_footnote(continued_pdf, settings, nlp):
    commitments = {c.number: c for c in extract_document(continued_pdf, settings, nlp).commitments}
    assert list(commitments) == [str(n) for n in range(1, 15)]
    assert commitments["9"].footnotes == ("¹ " + LONG_FOOTNOTE,)
    assert commitments["13"].footnotes == ("² Zie de Woonvisie 2016+.",)
    assert {c.number for c in commitments.values() if c.footnotes} == {"9", "13"}
    texts = {e.number: e.text for e in long_footnote_elements() if e.kind == "item"}
    assert {number: c.text for number, c in commitments.items()} == texts  # no footnote text glued on


def test_footnote_in_small_print_runs_on_over_two_page_breaks(tmp_path):
    """Unmarked small print at the foot of the next pages continues the open footnote,
    joined as its lines are ("prijs-" + "peil"), until a page foot starts with a marker."""
    gap = [""] * 30
    path = render_lines_pdf([
        ["12. De Volmacht hanteert de aftoppingsgrens 1 voor haar bezit.", *gap,
         ("1 De huurprijsgrenzen zijn gebaseerd op prijs-", 7.5)],
        ["13. Woonborg voert een terughoudend huurprijsbeleid.", *gap,
         ("peil 2020 en worden ieder jaar", 7.5)],
        ["14. De gemeente actualiseert de Woonvisie 2.", *gap,
         ("door het Rijk geïndexeerd.", 7.5), ("2 Zie de Woonvisie 2016+.", 7.5)],
    ], tmp_path / "doorlopend.pdf")
    blocks = read_pdf(path, "doorlopend", Settings()).blocks
    assert [(b.kind, b.page, b.text) for b in blocks] == [
        (PARAGRAPH, 1, "12. De Volmacht hanteert de aftoppingsgrens 1 voor haar bezit."),
        (FOOTNOTE, 1, "¹ De huurprijsgrenzen zijn gebaseerd op prijspeil 2020 en worden ieder jaar "
                      "door het Rijk geïndexeerd."),
        (PARAGRAPH, 2, "13. Woonborg voert een terughoudend huurprijsbeleid."),
        (PARAGRAPH, 3, "14. De gemeente actualiseert de Woonvisie 2."),
        (FOOTNOTE, 3, "² Zie de Woonvisie 2016+."),
    ]


GAP = [""] * 30
WITH_NOTE = ["12. De Volmacht hanteert de aftoppingsgrens 1 voor haar bezit.", *GAP,
             ("1 Prijspeil 2020.", 7.5)]
BODY_ONLY = ["13. Woonborg voert een terughoudend huurprijsbeleid."]
SMALL_PRINT_FOOT = ["14. De Volmacht bouwt 20 woningen.", *GAP, ("* Bron: CBS, 1 januari 2021.", 7.5)]


@pytest.mark.parametrize("pages", [[BODY_ONLY, SMALL_PRINT_FOOT], [WITH_NOTE, BODY_ONLY, SMALL_PRINT_FOOT]],
                         ids=["no footnote before", "footnote ended a page before"])
def test_small_print_at_the_foot_with_no_open_footnote_stays_body_text(tmp_path, pages):
    blocks = read_pdf(render_lines_pdf(pages, tmp_path / "kleine-letters.pdf"), "x", Settings()).blocks
    assert [(b.kind, b.text) for b in blocks if b.page == len(pages)] == [
        (PARAGRAPH, "14. De Volmacht bouwt 20 woningen."),
        (PARAGRAPH, "* Bron: CBS, 1 januari 2021."),
    ]
    assert [b.text for b in blocks if b.kind == FOOTNOTE] == (["¹ Prijspeil 2020."] if len(pages) == 3 else [])


def test_word_default_footnote_size_is_a_footnote(tmp_path):
    """Word's default styles print footnotes at 10 pt under 11 pt body text."""
    path = render_lines_pdf([["12. De Volmacht hanteert de aftoppingsgrens 1 voor haar bezit.", *GAP,
                              ("1 De huurprijsgrenzen zijn gebaseerd op prijspeil 2020.", 10)]],
                            tmp_path / "word.pdf", size=11)
    assert [(b.kind, b.text) for b in read_pdf(path, "word", Settings()).blocks] == [
        (PARAGRAPH, "12. De Volmacht hanteert de aftoppingsgrens 1 voor haar bezit."),
        (FOOTNOTE, "¹ De huurprijsgrenzen zijn gebaseerd op prijspeil 2020.")]


def test_two_digit_list_numbers_glued_to_their_text_open_items(tmp_path, settings, nlp):
    """Word's list numbers run into the text at the tab stop from 10 on, so the PDF shows
    "10.Partijen": still an item label, and a line that opens an item."""
    path = render_lines_pdf([["9. Partijen maken afspraken over de samenwerking.",
                              "10.Partijen benutten gezamenlijk de mogelijkheden om huurders",
                              "te ondersteunen bij het aanvragen van huurtoeslag.",
                              "11.De Volmacht hanteert de aftoppingsgrens."]], tmp_path / "lijst.pdf")
    extraction = extract_document(path, settings, nlp)
    assert [(c.number, c.text) for c in extraction.commitments] == [
        ("9", "Partijen maken afspraken over de samenwerking."),
        ("10", "Partijen benutten gezamenlijk de mogelijkheden om huurders te ondersteunen bij het "
               "aanvragen van huurtoeslag."),
        ("11", "De Volmacht hanteert de aftoppingsgrens.")]


# --- constructed cases --------------------------------------------------------------

def test_end_of_line_hyphenation_is_undone(tmp_path):
    path = render_lines_pdf([[
        "31. Woonborg verbetert in Aa en Hunze 14 wo-",
        "ningen, afhankelijk van belemmeringen vanuit wet-",
        "en regelgeving.",
        "",
        "De gemeente verleent een reductie op de markt-",
        "conforme kavelprijs.",
    ]], tmp_path / "afbreking.pdf")
    texts = [b.text for b in read_pdf(path, "afbreking", Settings()).blocks]
    assert texts == [
        "31. Woonborg verbetert in Aa en Hunze 14 woningen, afhankelijk van belemmeringen vanuit wet- en regelgeving.",
        "De gemeente verleent een reductie op de marktconforme kavelprijs.",
    ]


def test_footnote_marker_glued_to_a_word_stays_a_superscript(tmp_path):
    elements = [Element("item", "De Volmacht hanteert de aftoppingsgrens¹ voor haar bezit.", number="12"),
                Element("footnote", "Prijspeil 2020.", number="¹")]
    path = render_pdf(elements, tmp_path / "voetnoot.pdf", header=None, footer=False)
    blocks = read_pdf(path, "voetnoot", Settings()).blocks
    assert [(b.kind, b.text) for b in blocks] == [
        (PARAGRAPH, "12. De Volmacht hanteert de aftoppingsgrens¹ voor haar bezit."),
        (FOOTNOTE, "¹ Prijspeil 2020."),
    ]


def test_footnotes_with_plain_number_marks_in_small_print(tmp_path):
    body = ["12. De Volmacht hanteert de aftoppingsgrens 1 voor haar bezit.", "",
            "13. Woonborg voert een terughoudend huurprijsbeleid.", ""]
    notes = [("1 De huurprijsgrenzen zijn gebaseerd op", 7.5), ("prijspeil 2020.", 7.5),
             ("2 Zie de Woonvisie 2016+.", 7.5)]
    path = render_lines_pdf([body + [""] * 24 + notes], tmp_path / "kleine-letters.pdf")
    blocks = read_pdf(path, "kleine-letters", Settings()).blocks
    assert [(b.kind, b.text) for b in blocks] == [
        (PARAGRAPH, "12. De Volmacht hanteert de aftoppingsgrens 1 voor haar bezit."),
        (PARAGRAPH, "13. Woonborg voert een terughoudend huurprijsbeleid."),
        (FOOTNOTE, "¹ De huurprijsgrenzen zijn gebaseerd op prijspeil 2020."),
        (FOOTNOTE, "² Zie de Woonvisie 2016+."),
    ]


@pytest.mark.parametrize("footer", ["{page}", "- {page} -", "Pagina {page} van {pages}", "Blz. {page}"])
def test_page_number_styles_are_removed(tmp_path, footer):
    elements = seed_elements()[:60]  # a few pages are enough
    document = read_pdf(render_pdf(elements, tmp_path / "paginas.pdf", footer=footer, header=None),
                        "paginas", Settings())
    assert document.page_count >= 3
    assert not [b.text for b in document.blocks if re.search(r"^\W*(Pagina|Blz\.)?\s*\d+\W*(van \d+)?$", b.text)]


def test_a_one_page_document_keeps_its_margin_lines(tmp_path):
    """Nothing repeats on a single page, so a top line is text, not a running header."""
    path = render_lines_pdf([["Prestatieafspraken 2021", "", "1. Partijen werken samen."]], tmp_path / "een.pdf")
    texts = [b.text for b in read_pdf(path, "een", Settings()).blocks]
    assert texts == ["Prestatieafspraken 2021", "1. Partijen werken samen."]


def test_page_without_text_layer_is_an_issue(tmp_path):
    path = render_lines_pdf([["1. Partijen werken samen."], []], tmp_path / "scan.pdf")
    document = read_pdf(path, "scan", Settings())
    assert [b.text for b in document.blocks] == ["1. Partijen werken samen."]
    assert [(i.kind, i.where) for i in document.issues] == [("no-text-layer", "page 2")]
    assert document.page_count == 2


def test_page_that_fails_to_parse_is_an_issue_and_the_rest_is_read(tmp_path, monkeypatch):
    path = render_lines_pdf([["1. Eerste pagina."], ["2. Tweede pagina."], ["3. Derde pagina."]],
                            tmp_path / "kapot.pdf")
    real = pdf_reader.page_content

    def failing_on_page_2(page):
        if page.page_number == 2:
            raise ValueError("damaged content stream")
        return real(page)

    monkeypatch.setattr(pdf_reader, "page_content", failing_on_page_2)
    document = read_pdf(path, "kapot", Settings(pdf_engine="pdfplumber"))  # the patched path
    assert [b.text for b in document.blocks] == ["1. Eerste pagina.", "3. Derde pagina."]
    assert [(i.kind, i.where) for i in document.issues] == [("unreadable-page", "page 2")]
    assert "damaged content stream" in document.issues[0].message


def test_encrypted_pdf_is_refused_with_advice(tmp_path):
    path = render_lines_pdf([["1. Geheim."]], tmp_path / "beveiligd.pdf", encrypt="wachtwoord")
    with pytest.raises(UnreadableDocumentError,
                       match=r"beveiligd\.pdf: the PDF is encrypted \(password protected\); save an unprotected copy"):
        read_pdf(path, "beveiligd", Settings())


@pytest.mark.parametrize("keep", [0.5, 0.1])
def test_truncated_pdf_is_refused(tmp_path, seed_pdf, keep):
    data = seed_pdf.read_bytes()
    path = tmp_path / "afgebroken.pdf"
    path.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(UnreadableDocumentError, match=r"afgebroken\.pdf: not a readable PDF \(corrupt or truncated: "):
        read_pdf(path, "afgebroken", Settings())


def test_garbage_after_a_pdf_header_is_refused(tmp_path):
    path = tmp_path / "rommel.pdf"
    path.write_bytes(b"%PDF-1.7\n" + b"\x00 rommel " * 200)
    with pytest.raises(UnreadableDocumentError, match=r"not a readable PDF \(corrupt or truncated: .+\)$"):
        read_pdf(path, "rommel", Settings())


def gutter_by_every_x(pieces: list[tuple[float, float, float]], page_width: float) -> tuple[float, float] | None:
    """find_gutter's search done in full for every x (no shortcut), for the test below."""
    total = sum(height for _, _, height in pieces)
    if not total:
        return None
    across_by_x = {}
    for x in range(int(pdf_reader.GUTTER_SEARCH[0] * page_width), int(pdf_reader.GUTTER_SEARCH[1] * page_width) + 1):
        across = sum(h for x0, x1, h in pieces if x0 < x < x1)
        left = sum(h for _, x1, h in pieces if x1 <= x)
        right = sum(h for x0, _, h in pieces if x0 >= x)
        if across <= pdf_reader.GUTTER_MAX_ACROSS * total and min(left, right) >= pdf_reader.GUTTER_MIN_SIDE * total:
            across_by_x[x] = across
    if not across_by_x:
        return None
    x = min(across_by_x, key=lambda x: abs(x - page_width / 2))
    left_x = right_x = x
    while across_by_x.get(left_x - 1, total + 1) <= across_by_x[x]:
        left_x -= 1
    while across_by_x.get(right_x + 1, total + 1) <= across_by_x[x]:
        right_x += 1
    return (float(left_x), float(right_x)) if right_x - left_x + 2 >= pdf_reader.MIN_GUTTER_WIDTH else None


@pytest.mark.parametrize("seed", range(300))
def test_find_gutter_gives_what_searching_every_x_gives(seed):
    """Lines across the page, columns, short lines anywhere, and mixes: find_gutter's
    shortcuts never change its answer."""
    rng = random.Random(seed)
    width, layout = 420.0, rng.choice(["across", "columns", "short"])
    lines = []
    for _ in range(rng.randint(1, 40)):
        top, height = rng.uniform(40, 560), rng.choice([8.0, 10.0, 12.7, 14.2])
        if layout == "columns" and rng.random() < 0.8:
            x0 = rng.choice([42.0, 42.5, 220.0, 221.3])
            pieces = [(x0, x0 + rng.uniform(40, 150))]
        elif layout == "short" or rng.random() < 0.2:
            x0 = rng.choice([42.0, float(rng.randint(40, 300)), rng.uniform(40, 380)])
            pieces = [(x0, min(x0 + rng.uniform(5, 120), 400.0))]
            if rng.random() < 0.3:  # a second piece after a gutter-wide gap
                pieces.append((pieces[0][1] + rng.uniform(6, 80), pieces[0][1] + rng.uniform(90, 160)))
        else:
            x0 = rng.uniform(30, 60)
            pieces = [(x0, rng.uniform(120, 390))]
        lines.append([(x0, x1, top, height) for x0, x1 in pieces])
    groups = [[{"text": "x", "x0": x0, "x1": x1, "top": top, "bottom": top + height} for x0, x1, top, height in line]
              for line in lines]
    tables = [(150.0, 300.0, 380.0, 360.0)] if rng.random() < 0.2 else []
    pieces = ([(x0, x1, bottom - top) for x0, top, x1, bottom in tables]
              + [piece for group in groups for piece in pdf_reader.line_pieces(group)])
    assert pdf_reader.find_gutter(groups, tables, width) == gutter_by_every_x(pieces, width)
