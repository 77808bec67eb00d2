"""Outline: heading shapes, roles, horizon, preamble, agreement year."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.outline import CHAPTER, SUBSECTION, THEME, agreement_year, heading_role, looks_like_heading, outline
from pipeline.parties import PartyRegister
from pipeline.types import HEADING, OUTLOOK, Block, Document


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
    (Block("12. De Volmacht hanteert een huurprijs tot de tweede aftoppingsgrens."), None),
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


@pytest.mark.parametrize("texts, year", [
    (("Prestatieafspraken Aa en Hunze", "Richtingen voor de periode 2021 - 2025 Jaarafspraken voor 2021"), 2021),
    (("Prestatieafspraken 2022", "gemeente X"), 2022),
    (("Prestatieafspraken 2021-2025", "Ondertekend op 7 december 2020 te Gieten."), 2020),
    (("Afspraken", "Datum: 12 december 2023"), 2023),
    (("Afspraken", "Geen jaartal"), None),
])
def test_agreement_year(texts, year):
    assert agreement_year(_document(*texts)) == year
