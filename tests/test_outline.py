"""Outline: heading shapes, roles, horizon, preamble, agreement year."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.outline import (CHAPTER, SUBSECTION, THEME, TOC, block_roles, heading_role,
                              heading_title, looks_like_heading, outline)
from pipeline.parties import PartyRegister
from pipeline.party_list import find_parties
from pipeline.types import CURRENT, HEADING, OUTLOOK, Block, Document


@pytest.mark.parametrize("text, expected", [
    ("Prestaties gemeente 2021", True),
    ("Doorkijk naar 2022 en verder.", True),
    ("Gezamenlijke afspraken 2021", True),
    ("4.1 Betaalbaarheid", True),
    ("1 Inleiding", True),
    ("De gemeente nodigt jaarlijks de corporaties uit.", False),
    ("*Afgerond op vijftallen.", False),
    ("Status: Definitief", False),
    ("marktontwikkelingen en om te bepalen of", False),
    ("1. De gemeente verstrekt het jaarverslag om te toetsen aan", False),
    ("1. Gelijkwaardigheid van gemeente-corporaties. Iedere partij heeft", False),
    ("- Deel 1: rollen en verantwoordelijkheden", False),
    ("71. De corporaties willen de samenwerking met Attenta verder verbeteren.", False),
])
def test_heading_shape(text, expected):
    assert looks_like_heading(text) is expected


@pytest.mark.parametrize("block, role", [
    (Block("4 Prestatieafspraken"), CHAPTER),
    (Block("4.3 Kwaliteit van de woningvoorraad"), THEME),
    (Block("3.2.1 Nieuwbouw"), SUBSECTION),
    (Block("Prestaties gemeente 2021"), SUBSECTION),
    (Block("Inleiding", kind=HEADING, heading_level=1), CHAPTER),
    (Block("Betaalbaarheid", kind=HEADING, heading_level=2), THEME),
    (Block("Afspraken corporaties", kind=HEADING, heading_level=3), SUBSECTION),
    (Block("Inhoud ........ 3"), None),
    (Block("1 Inleiding ........ 3", kind=HEADING, heading_level=1), None),
    (Block("3 Betaalbaarheid 12"), CHAPTER),
    (Block("Inleiding 3"), None),
    (Block("12. De Volmacht hanteert een huurprijs tot de tweede aftoppingsgrens."), None),
    # Page numbers and leaders are found behind trailing white space, and only with digits.
    (Block("Inhoud ........ 3 \n"), None),
    (Block("Inleiding 3\n"), None),
    (Block("Inleiding ........ 3a"), SUBSECTION),
    (Block("Inleiding \u0663"), None),  # an Arabic-Indic three is a digit too
])
def test_heading_role(block, role):
    assert heading_role(block) == role


def _document(*texts: str) -> Document:
    return Document(Path("x.txt"), "x", "text", tuple(Block(t, line=i + 1) for i, t in enumerate(texts)))


def test_sections_horizon_and_preamble(nlp):
    document = _document("Prestatieafspraken 2022", "1. Partij A, vertegenwoordigd door X, hierna te noemen: 'A'.",
                         "1 Afspraken", "1.1 Betaalbaarheid", "Prestaties gemeente 2022",
                         "1. De gemeente doet iets.", "Doorkijk naar 2023 en verder", "2. Iets later.")
    placed = outline(document, PartyRegister((), nlp))
    by_text = {p.block.text: p.section for p in placed}
    assert not by_text["1. Partij A, vertegenwoordigd door X, hierna te noemen: 'A'."].in_body
    item = by_text["1. De gemeente doet iets."]
    assert (item.chapter, item.theme, item.section) == ("1 Afspraken", "1.1 Betaalbaarheid", "Prestaties gemeente 2022")
    assert by_text["2. Iets later."].horizon == OUTLOOK
    assert by_text["2. Iets later."].heading_owners == ()


def test_an_outlook_heading_holds_at_any_level(nlp):
    """A PDF may give "Doorkijk ..." the level of a theme or a chapter: what is below it is
    still an outlook, down to the next heading of its level."""
    headings = [Block("Prestatieafspraken 2022"), Block("1 Afspraken", kind=HEADING, heading_level=1),
                Block("Prestaties gemeente 2022", kind=HEADING, heading_level=2), Block("1. De gemeente doet iets."),
                Block("Doorkijk naar 2023 en verder", kind=HEADING, heading_level=2), Block("2. Iets later."),
                Block("Prestaties corporaties 2022", kind=HEADING, heading_level=2), Block("3. Weer nu."),
                Block("2 Doorkijk 2023-2026", kind=HEADING, heading_level=1),
                Block("Wonen en zorg", kind=HEADING, heading_level=2), Block("4. Ooit.")]
    document = Document(Path("x.pdf"), "x", "pdf", tuple(headings))
    horizon = {p.block.text: p.section.horizon for p in outline(document, PartyRegister((), nlp))}
    assert [horizon[t] for t in ("1. De gemeente doet iets.", "2. Iets later.", "3. Weer nu.", "4. Ooit.")] == [
        CURRENT, OUTLOOK, CURRENT, OUTLOOK]


def _roles(*texts: str, kinds: dict[int, str] | None = None) -> list:
    blocks = tuple(Block(t, kind=(kinds or {}).get(i, "paragraph")) for i, t in enumerate(texts))
    return block_roles(blocks)


def test_contents_entries_are_not_headings():
    roles = _roles("Titel", "Inhoud", "1 Inleiding 3", "2 Samenwerking 4", "3 Betaalbaarheid 6",
                   "Bijlage 1 Monitor ........ 9", "1 Inleiding")
    assert roles[2:] == [TOC, TOC, TOC, TOC, CHAPTER]


def test_a_page_number_glued_to_a_heading_is_dropped(nlp):
    document = _document("Titel", "3 Betaalbaarheid 12", "1. De gemeente bouwt woningen voor starters.")
    placed = outline(document, PartyRegister((), nlp))
    assert placed[1].role == THEME and placed[2].section.theme == "3 Betaalbaarheid"
    assert heading_title("3.1 Huurbeleid 7") == "3.1 Huurbeleid"
    assert heading_title("Prestaties gemeente 2021") == "Prestaties gemeente 2021"


def test_what_a_lead_in_introduces_is_not_a_heading():
    roles = _roles("Titel", "De afspraken zijn ingedeeld in drie thema's:", "1. Samenwerking",
                   "2. Betaalbaarheid", "3. Leefbaarheid", "2 Samenwerking")
    assert roles[2:] == [None, None, None, CHAPTER]


def test_a_sentence_cut_by_a_page_break_is_not_a_heading():
    roles = _roles("Titel", "16. Woonborg voert een terughoudend", "huurprijsbeleid en ziet ook de opgave.")
    assert roles[1] is None


@pytest.fixture(scope="module")
def dijkveld(nlp):
    document = _document(
        "1. Gemeente Dijkveld, vertegenwoordigd door X, hierna te noemen: 'de gemeente'.",
        "2. Woonstichting Vooruit, vertegenwoordigd door Y, hierna te noemen: 'Vooruit'.",
        "3. Stichting Thuisbest, vertegenwoordigd door Z, hierna te noemen: 'Thuisbest'.")
    return PartyRegister(find_parties(document, nlp)[0], nlp)


def test_party_headings_hold_for_the_levels_below(dijkveld):
    document = _document("Titel", "3 Afspraken corporaties", "1. Iets.", "3.1 Betaalbaarheid", "2. Iets.",
                         "Doorkijk naar 2025 en verder", "3. Iets.", "Afspraken gemeente", "4. Iets.",
                         "4 Overige afspraken", "5. Iets.")
    owners = {p.block.text: p.section.heading_owners for p in outline(document, dijkveld)}
    assert owners["1. Iets."] == owners["2. Iets."] == ("Vooruit", "Thuisbest")
    assert owners["3. Iets."] == ()
    assert owners["4. Iets."] == ("de gemeente",)
    assert owners["5. Iets."] == ()


def test_an_item_ending_in_a_number_is_not_a_heading():
    assert heading_role(Block("12. Vooruit bouwt er 45")) is None
