"""The seed as text, DOCX and PDF: exactly commitments 1..76, right owners, same rows."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from pipeline.export import commitment_row
from pipeline.run import extract_document
from pipeline.types import CURRENT, OUTLOOK, OWNER_FROM_HEADING
from tests.conftest import GOLDEN
from tests.render.docx import render_docx
from tests.render.pdf import render_pdf
from tests.render.source import seed_elements
from tests.seed_expectations import HEADING_OWNERS, NO_HEADING, OUTLOOK_NUMBERS, THEMES

PROVENANCE = ("document", "page", "paragraph", "line")


@pytest.fixture(scope="session")
def rendered(tmp_path_factory):
    folder = tmp_path_factory.mktemp("seed")
    elements = seed_elements()
    render_pdf(elements, folder / "aa-en-hunze-2021.pdf")
    render_docx(elements, folder / "aa-en-hunze-2021.docx")
    return folder


@pytest.fixture(scope="session")
def extractions(seed_extraction, rendered, settings, nlp):
    return {
        "text": seed_extraction,
        "pdf": extract_document(rendered / "aa-en-hunze-2021.pdf", settings, nlp),
        "docx": extract_document(rendered / "aa-en-hunze-2021.docx", settings, nlp),
    }


FORMATS = ["text", "pdf", "docx"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_exactly_commitments_1_to_76(extractions, fmt):
    assert [c.number for c in extractions[fmt].commitments] == [str(n) for n in range(1, 77)]
    assert [c.key for c in extractions[fmt].commitments] == [str(n) for n in range(1, 77)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_heading_owners_and_horizon(extractions, fmt):
    for commitment in extractions[fmt].commitments:
        number = int(commitment.number)
        expected = HEADING_OWNERS.get(number)
        if expected == "outlook":
            assert commitment.section.horizon == OUTLOOK, number
        elif expected is not None:
            assert (commitment.owners, commitment.owner_source) == (expected, OWNER_FROM_HEADING), number
            assert commitment.section.horizon == CURRENT, number
        else:
            assert number in NO_HEADING and commitment.owner_source != OWNER_FROM_HEADING
    outlook = [int(c.number) for c in extractions[fmt].commitments if c.section.horizon == OUTLOOK]
    assert outlook == OUTLOOK_NUMBERS


@pytest.mark.parametrize("fmt", FORMATS)
def test_structure_and_joined_text(extractions, fmt):
    by_number = {c.number: c for c in extractions[fmt].commitments}
    for theme, (low, high) in THEMES.items():
        assert {by_number[str(n)].section.theme for n in range(low, high + 1)} == {theme}
    assert {by_number[str(n)].section.chapter for n in range(1, 10)} == {"3 Samenwerking"}
    # a paragraph broken over a page in the original, and one broken around a footnote
    assert "te toetsen aan marktontwikkelingen en om te bepalen" in by_number["22"].text
    assert "Voor beide geldt dat realisatie afhangt" in by_number["31"].text
    item17 = by_number["17"]
    assert len(item17.subitems) == 3 and item17.subitems[0].startswith("80% van de woningen")
    # the mark "¹" stands in item 12, so the footnote is 12's wherever the layout put it
    assert by_number["12"].footnotes == ("\u00b9 De huurprijsgrenzen in deze prestatieafspraken zijn gebaseerd op prijspeil 2020.",)
    assert all(not c.footnotes for c in extractions[fmt].commitments if c.number != "12")
    assert item17.text.endswith("Voor de zittende huurders is het Huurbeleid van toepassing bij de jaarlijkse huurverhoging per 1 juli.")
    assert extractions[fmt].year == 2021


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_same_rows_as_text_apart_from_provenance(extractions, fmt):
    def rows(extraction):
        return [{k: v for k, v in commitment_row(c).items() if k not in PROVENANCE}
                for c in extraction.commitments]
    text_rows, other_rows = rows(extractions["text"]), rows(extractions[fmt])
    for text_row, other_row in zip(text_rows, other_rows):
        assert other_row == text_row
    assert len(other_rows) == len(text_rows)


def test_provenance(extractions):
    assert extractions["text"].commitments[0].line is not None
    assert all(c.page for c in extractions["pdf"].commitments)
    assert all(c.paragraph is not None for c in extractions["docx"].commitments)
    pages = [c.page for c in extractions["pdf"].commitments]
    assert pages == sorted(pages) and pages[-1] > pages[0]


def test_golden_seed_run(seed_extraction, request):
    """The whole run on the seed; refresh on purpose with `pytest --update-golden`."""
    golden = GOLDEN / "aa-en-hunze-2021.commitments.jsonl"
    lines = [json.dumps(commitment_row(c), ensure_ascii=False, sort_keys=True)
             for c in seed_extraction.commitments]
    if request.config.getoption("--update-golden"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text("\n".join(lines) + "\n", encoding="utf-8")
    expected = golden.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(expected)
    for got, want in zip(lines, expected):
        assert json.loads(got) == json.loads(want)
