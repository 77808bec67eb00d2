"""Layouts real agreements use, each written as a fixture text and rendered at test time.

    hierarchical    "3.1.2" labels from a Word multi-level list ("%1.%2.%3", lettered "%4.")
    owner_tables    one table per theme: Nr. | Afspraak | Wie | Wanneer, numbers restart
    unnumbered_tables  the same without a number column (Afspraak | Wie | Wanneer), group rows
    party_sections  "Afspraken corporaties" / "... gemeente" / "... huurdersorganisaties"
    false_numbers   contents, "Ondergetekenden", "OVERWEGENDE", theme lists, glued page numbers
    two columns     the seed, set in two columns

Each is read as text, as DOCX, as a PDF from reportlab and as the DOCX exported to PDF by
LibreOffice (list numbers at tab stops, "10.Partijen"; words broken in narrow columns).

Each fixture in tests/layouts/ has an expectation next to it (NAME.expected.json: key ->
owners, where they came from, due, sub-items); every commitment must be found with the
right key and owners, and nothing else may become a row.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest

from pipeline.run import extract_document
from pipeline.types import CURRENT, OUTLOOK, TABLE
from tests.render.layout_docx import render_layout_docx
from tests.render.layout_pdf import render_layout_pdf
from tests.render.layout_source import LAYOUTS, layout_parts, layout_path
from tests.render.libreoffice import docx_to_pdf
from tests.render.pdf import render_pdf
from tests.render.source import seed_elements

# (layout, format) -> how to render it; "text" reads the fixture itself (Markdown headings).
CASES = {
    ("hierarchical", "text"): {},
    ("hierarchical", "pdf"): {},
    ("hierarchical", "docx"): {"outline_numbering": True},
    ("owner_tables", "text"): {},
    ("owner_tables", "pdf"): {"repeat_header": True},
    ("owner_tables", "pdf-no-repeated-header"): {"repeat_header": False},
    ("owner_tables", "docx"): {},
    ("unnumbered_tables", "text"): {},
    ("unnumbered_tables", "pdf"): {"repeat_header": True},
    ("unnumbered_tables", "pdf-no-repeated-header"): {"repeat_header": False},
    ("unnumbered_tables", "docx"): {},
    ("party_sections", "text"): {},
    ("party_sections", "pdf"): {},
    ("party_sections", "docx"): {},
    ("false_numbers", "text"): {},
    ("false_numbers", "pdf"): {},
    ("false_numbers", "docx"): {},
}
# The DOCX of each layout exported to PDF by LibreOffice, as a word processor would.
CASES.update({(name, "libreoffice-pdf"): options for (name, fmt), options in list(CASES.items()) if fmt == "docx"})


@pytest.fixture(scope="session")
def layout_files(tmp_path_factory):
    """Render each case once, on first use: (layout, format) -> path."""
    folder = tmp_path_factory.mktemp("layouts")
    cache: dict[tuple[str, str], Path] = {}

    def path_of(name: str, fmt: str) -> Path:
        if (name, fmt) not in cache:
            options = CASES[(name, fmt)]
            target = folder / f"{name}-{fmt}.{fmt.split('-')[0]}"
            if fmt == "text":
                cache[(name, fmt)] = layout_path(name)
            elif fmt == "libreoffice-pdf":
                cache[(name, fmt)] = docx_to_pdf(render_layout_docx(layout_parts(name), target.with_suffix(".docx"),
                                                                    **options))
            elif fmt.startswith("pdf"):
                cache[(name, fmt)] = render_layout_pdf(layout_parts(name), target, **options)
            else:
                cache[(name, fmt)] = render_layout_docx(layout_parts(name), target, **options)
        return cache[(name, fmt)]

    return path_of


@pytest.fixture(scope="session")
def layout_extraction(layout_files, settings, nlp):
    cache = {}

    def extract(name: str, fmt: str):
        if (name, fmt) not in cache:
            cache[(name, fmt)] = extract_document(layout_files(name, fmt), settings, nlp, doc_id=name)
        return cache[(name, fmt)]

    return extract


def expected(name: str) -> dict[str, dict]:
    return json.loads((LAYOUTS / f"{name}.expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name, fmt", list(CASES))
def test_every_commitment_with_its_number_and_owners(layout_extraction, name, fmt):
    extraction = layout_extraction(name, fmt)
    want = expected(name)
    assert [c.key for c in extraction.commitments] == list(want)  # all found, no false rows
    for commitment in extraction.commitments:
        case = want[commitment.key]
        assert commitment.number == commitment.key.rpartition("/")[2], commitment.key
        assert list(commitment.owners) == case["owners"], commitment.key
        assert commitment.owner_source == case["source"], commitment.key
        assert commitment.due == case.get("due"), commitment.key
        assert len(commitment.subitems) == case.get("subitems", 0), commitment.key
        assert commitment.section.horizon == case.get("horizon", CURRENT), commitment.key
    assert not [i for i in extraction.issues if i.kind.startswith(("numbering", "repeated"))]


# -- hierarchical numbering -------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "pdf", "docx"])
def test_hierarchical_items_keep_their_lettered_subitems(layout_extraction, fmt):
    by_key = {c.key: c for c in layout_extraction("hierarchical", fmt).commitments}
    item = by_key["3.1.2"]
    assert item.text.splitlines() == [
        "De corporaties wijzen passend toe en hanteren daarbij de volgende grenzen:",
        "a. huishoudens met een inkomen tot de huurtoeslaggrens krijgen een woning onder de tweede aftoppingsgrens;",
        "b. huishoudens met een middeninkomen krijgen voorrang bij woningen tot de liberalisatiegrens.",
        "Deze grenzen worden jaarlijks per 1 januari geïndexeerd.",
    ]
    assert (item.section.chapter, item.section.theme) == ("3 Betaalbaarheid", "3.1 Huurbeleid")
    assert by_key["2.1"].section.chapter == "2 Samenwerking" and by_key["2.1"].section.theme is None


def test_hierarchical_docx_numbers_come_from_word(layout_files):
    """The labels are Word's multi-level numbering, not typed text."""
    with zipfile.ZipFile(layout_files("hierarchical", "docx")) as package:
        body = package.read("word/document.xml").decode("utf-8")
        numbering = package.read("word/numbering.xml").decode("utf-8")
    assert "3.1.2" not in body and ">a. " not in body
    for level_text in ("%1.%2.%3", "%4."):
        assert f'w:val="{level_text}"' in numbering


# -- owner tables --------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "pdf", "pdf-no-repeated-header", "docx"])
def test_owner_table_rows(layout_extraction, fmt):
    by_key = {c.key: c for c in layout_extraction("owner_tables", fmt).commitments}
    continued = by_key["2.1/2"]
    assert continued.text == ("Er komt een gezamenlijke aanpak van betalingsachterstanden met vroegsignalering.\n"
                              "De aanpak wordt elk half jaar met de huurdersvereniging besproken.")
    assert continued.owner_column == "Gemeente"
    assert by_key["2.2/9"].owner_column == "Zorgpartijen"  # names no party: the text decides
    assert {c.section.theme for c in by_key.values()} == {"2.1 Betaalbaarheid", "2.2 Beschikbaarheid",
                                                          "2.3 Duurzaamheid"}


@pytest.mark.parametrize("fmt", ["pdf", "pdf-no-repeated-header"])
def test_owner_table_over_a_page_break_is_one_table(layout_extraction, fmt):
    extraction = layout_extraction("owner_tables", fmt)
    pieces = [b for b in extraction.document.blocks if b.kind == TABLE and len(b.rows[0]) == 4]
    assert len(pieces) == 4  # three theme tables, the second cut by a page break
    assert pieces[2].page == pieces[1].page + 1
    pages = [c.page for c in extraction.commitments if c.section.theme == "2.2 Beschikbaarheid"]
    assert pages[0] < pages[-1]


# -- tables without a number column ---------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "pdf", "pdf-no-repeated-header", "docx"])
def test_unnumbered_table_rows(layout_extraction, fmt):
    """Every row with afspraak text, numbered T<table>.<row>; group rows and the ordinary
    tables (Thema | Toelichting, Omschrijving | Bedrag, the monitor) give none."""
    extraction = layout_extraction("unnumbered_tables", fmt)
    by_key = {c.key: c for c in extraction.commitments}
    assert by_key["T2.8"].text == ("HV Dijkveld peilt onder haar leden de wensen voor doorstroming en deelt "
                                   "de uitkomsten met de corporaties en de gemeente.")
    assert by_key["T2.8"].owner_column == "HV Dijkveld"
    assert [c.text for c in extraction.commitments if c.section.theme == "2.3 Duurzaamheid"] == [
        "De energiecoaches bezoeken huurders met een hoge energierekening en geven advies op maat.",
        "Thuisbest plaatst zonnepanelen op 150 woningen zonder huurverhoging.",
        "Woningen met label E, F of G worden verbeterd naar ten minste label B.",
        "Vooruit en Thuisbest stellen samen een wijkaanpak op voor de aardgasvrije wijk Oosterhof."]
    assert {c.section.theme for c in extraction.commitments} == {"2.1 Betaalbaarheid", "2.2 Beschikbaarheid",
                                                                 "2.3 Duurzaamheid"}


@pytest.mark.parametrize("fmt", ["pdf", "pdf-no-repeated-header"])
def test_unnumbered_table_over_a_page_break_is_one_table(layout_extraction, fmt):
    extraction = layout_extraction("unnumbered_tables", fmt)
    pieces = [b for b in extraction.document.blocks if b.kind == TABLE and len(b.rows[0]) == 3]
    assert len(pieces) == 4  # 2.1, 2.2 cut by a page break, the monitor
    assert pieces[2].page == pieces[1].page + 1
    pages = [c.page for c in extraction.commitments if c.section.theme == "2.2 Beschikbaarheid"]
    assert pages[0] < pages[-1]


# -- sections per party --------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "pdf", "docx"])
def test_party_headings_hold_below_them(layout_extraction, fmt):
    by_key = {c.key: c for c in layout_extraction("party_sections", fmt).commitments}
    assert by_key["5"].section.chapter == "3 Afspraken corporaties"
    assert by_key["5"].section.theme == "3.2 Duurzaamheid"
    assert by_key["5"].section.heading_owners == ("Vooruit", "Thuisbest")
    assert by_key["14"].section.horizon == OUTLOOK and by_key["14"].section.heading_owners == ()


# -- numbered lines that are not commitments -------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "pdf", "docx"])
def test_false_numbers_leave_sections_intact(layout_extraction, fmt):
    extraction = layout_extraction("false_numbers", fmt)
    # The top headings are the themes: nothing below them is numbered as a theme.
    themes = [c.section.theme for c in extraction.commitments]
    assert themes == ["2 Samenwerking"] * 2 + ["3 Betaalbaarheid"] * 2 + ["4 Beschikbaarheid"] * 2 \
        + ["5 Leefbaarheid"]
    assert {c.section.chapter for c in extraction.commitments} == {None}
    assert [p.short_name for p in extraction.parties] == ["de gemeente", "Vooruit", "HV Dijkveld"]
    assert extraction.year == 2026


# -- two columns ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def two_columns(tmp_path_factory, settings, nlp):
    path = render_pdf(seed_elements(), tmp_path_factory.mktemp("two-columns") / "aa-en-hunze-2021.pdf", columns=2)
    return extract_document(path, settings, nlp)


def _letters(text: str) -> str:
    """Text without any white space: a narrow column breaks long words ("duurzaamheid-
    smaatregelen" without a hyphen) and may start a page with a new paragraph."""
    return re.sub(r"\s+", "", text)


def test_two_columns_give_the_rows_of_one_column(two_columns, seed_extraction):
    got, want = two_columns.commitments, seed_extraction.commitments
    assert [c.key for c in got] == [str(n) for n in range(1, 77)]
    for a, b in zip(got, want):
        assert (a.owners, a.owner_source, a.actors) == (b.owners, b.owner_source, b.actors), a.key
        assert (a.section.theme, a.section.section, a.section.horizon) == \
            (b.section.theme, b.section.section, b.section.horizon), a.key
        assert _letters(a.section.chapter) == _letters(b.section.chapter), a.key
        assert _letters(a.text) == _letters(b.text), a.key
        assert (a.subitems, a.footnotes) == (b.subitems, b.footnotes), a.key


def test_the_seed_exported_by_libreoffice_gives_the_rows_of_its_docx(tmp_path, settings, nlp):
    """The seed as Word would write it, then as a word processor exports it to PDF: list
    numbers at their tab stops ("10.Partijen"), footnotes at 10 pt under 11 pt text."""
    from tests.render.docx import render_docx

    docx = render_docx(seed_elements(), tmp_path / "aa-en-hunze-2021.docx")
    want = extract_document(docx, settings, nlp).commitments
    got = extract_document(docx_to_pdf(docx), settings, nlp).commitments
    assert [c.key for c in got] == [str(n) for n in range(1, 77)]
    for a, b in zip(got, want):
        assert (a.text, a.subitems, a.footnotes) == (b.text, b.subitems, b.footnotes), a.key
        assert (a.owners, a.owner_source, a.section) == (b.owners, b.owner_source, b.section), a.key
