"""Party register: preamble parsing, aliases, group words, heading owners, actors."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.parties import PartyRegister, attribute_owners, find_parties, role_of
from pipeline.types import OWNER_FROM_COLUMN, OWNER_FROM_HEADING, Block, Commitment, Document, Section
from tests.seed_expectations import ALL, CORPORATIONS, MUNICIPALITY, PARTIES, TENANTS


def test_seed_parties_with_signatories(seed_extraction):
    found = [(p.name, p.short_name, p.role, p.signatory, p.function) for p in seed_extraction.parties]
    assert found == PARTIES


@pytest.mark.parametrize("name, short, role", [
    ("Gemeente Aa en Hunze", "de gemeente", "gemeente"),
    ("Algemene Huurdersvereniging WOON", "AH WOON", "huurdersorganisatie"),
    ("Huurdersvereniging De Deelmacht", "De Deelmacht", "huurdersorganisatie"),
    ("Woningstichting De Volmacht", "De Volmacht", "corporatie"),
    ("Woonborg", "Woonborg", "corporatie"),
    ("Stichting Huurdersraad Noord", "HRN", "huurdersorganisatie"),
])
def test_role_of(name, short, role):
    assert role_of(name, short) == role


@pytest.mark.parametrize("line, name, short, signatory, function", [
    ("1. Gemeente Oost, rechtsgeldig vertegenwoordigd door wethouder de heer P. Jansen, "
     "hierna te noemen: 'de gemeente'.", "Gemeente Oost", "de gemeente", "P. Jansen", "wethouder"),
    ("2. Stichting Woonzorg West, statutair vertegenwoordigd door mevrouw A. de Vries, "
     "hierna genoemd \u2018Woonzorg\u2019;", "Stichting Woonzorg West", "Woonzorg", "A. de Vries", None),
    ("- Huurdersvereniging Samen, vertegenwoordigd door haar voorzitter dhr. K. Bos, hierna: "
     "\"HV Samen\".", "Huurdersvereniging Samen", "HV Samen", "K. Bos", "voorzitter"),
])
def test_party_line_variants(line, name, short, signatory, function):
    document = Document(Path("x.txt"), "x", "text", (Block(line),))
    (party,) = find_parties(document)
    assert (party.name, party.short_name, party.signatory, party.function) == (name, short, signatory, function)


@pytest.fixture(scope="module")
def register(seed_extraction, nlp):
    return PartyRegister(seed_extraction.parties, nlp)


@pytest.mark.parametrize("heading, owners", [
    ("Prestaties Woonborg en De Volmacht 2021", CORPORATIONS),
    ("De Volmacht en Woonborg 2021", CORPORATIONS),
    ("Prestaties gemeente 2021", MUNICIPALITY),
    ("Gezamenlijke afspraken 2021", ALL),
    ("Gezamenlijke prestaties 2021", ALL),
    ("Prestaties De Deelmacht en AH WOON 2021", TENANTS),
    ("Afspraken corporaties", CORPORATIONS),
    ("Afspraken huurdersorganisaties", TENANTS),
    ("Afspraken huurdersorganisatie", TENANTS),
    ("Afspraken woningcorporaties", CORPORATIONS),
    ("Kleine kernen", ()),
])
def test_heading_owners(register, heading, owners):
    assert register.heading_owners(heading) == owners


@pytest.mark.parametrize("text, actors", [
    ("De Volmacht hanteert voor minimaal 85% van haar bezit een huurprijs.", ("De Volmacht",)),
    ("De Volmacht past haar beleid aan en vraagt advies bij De Deelmacht.", ("De Volmacht",)),
    ("Mocht een huurder in problemen komen, dan zoeken Woonborg en De Volmacht naar maatwerk.",
     CORPORATIONS),
    ("Jaarlijks verstrekken de woningcorporaties het jaarverslag aan de huurdersorganisaties en de gemeente.",
     CORPORATIONS),
    ("In 2021 werken gemeente, De Volmacht en Woonborg samen.", ("de gemeente", "Woonborg", "De Volmacht")),
    ("Partijen monitoren de beschikbaarheid.", ALL),
    ("Om alle huurders te laten profiteren streven we naar label C.", ALL),
    ("Extra verbeteringen worden door de corporaties opgepakt.", CORPORATIONS),
    ("AH woon informeert haar leden.", ("AH WOON",)),
    ("Resultaten evalueren en inzetten op levensloopgeschikt maken.", ()),
])
def test_actors(register, nlp, text, actors):
    assert register.actors(register.parse(text)) == actors


@pytest.mark.parametrize("text, actors", [
    # Sentences end at ".", "!", "?", ";" or a word ending in "." before a capital: one subject each.
    ("Woonborg bouwt. De gemeente betaalt; De Volmacht bouwt ook.", ("de gemeente", "Woonborg", "De Volmacht")),
    ("Woonborg bouwt en de gemeente betaalt.", ("Woonborg",)),
    ("Woonborg bouwt in 2021. de gemeente betaalt.", ("Woonborg",)),  # no capital: one sentence
    ("Woonborg bouwt, De Volmacht ook.", ("Woonborg",)),
    ("In overleg met de gemeente, De Volmacht en Woonborg bouwt AH WOON.", ("AH WOON",)),
])
def test_actors_one_subject_per_sentence(register, text, actors):
    assert register.actors(register.parse(text)) == actors


@pytest.mark.parametrize("lead_in, owners", [
    ("Partijen maken hierover de volgende afspraken:", ALL),
    ("De corporaties leveren de volgende prestaties:", CORPORATIONS),
    ("Toelichting:", ()),  # ends in ":" but announces no commitments
])
def test_lead_in_owners(register, lead_in, owners):
    assert register.lead_in_owners(lead_in) == owners
    assert register.lead_in_owners(lead_in) == owners  # read once, asked again


@pytest.mark.parametrize("cell, owners", [
    ("Corporaties", CORPORATIONS),
    ("Allen", ALL),
    ("alle partijen", ALL),
    ("Gemeente (trekker), allen", ALL),
    ("Gemeente, De Volmacht", ("de gemeente", "De Volmacht")),
    ("Woningstichting De Volmacht", ("De Volmacht",)),
    ("AH Woon / De Deelmacht", TENANTS),
    ("Huurdersorganisaties en gemeente", ("de gemeente",) + TENANTS),
    ("Zorgpartijen", ()),
    ("Gem.", MUNICIPALITY),  # the short forms of a busy table
    ("Gem. / HO", MUNICIPALITY + TENANTS),
    ("corp. + gemeente", MUNICIPALITY + CORPORATIONS),
    ("wc", CORPORATIONS),
    ("DV", ("De Volmacht",)),  # a party's initials
    ("AHW, DD", TENANTS),
    ("Gemeentehuis", ()),
    ("HOV", ()),
    ("Huurdersorganisati es", TENANTS),  # a word broken in a narrow column
    ("Gemeen te, De Volmacht", MUNICIPALITY + ("De Volmacht",)),
])
def test_column_owners(register, cell, owners):
    assert register.column_owners(cell) == owners


@pytest.mark.parametrize("column, heading, owners, source", [
    ("Gemeente", CORPORATIONS, MUNICIPALITY, OWNER_FROM_COLUMN),
    ("Zorgpartijen", CORPORATIONS, CORPORATIONS, OWNER_FROM_HEADING),  # names no party: next source
    (None, CORPORATIONS, CORPORATIONS, OWNER_FROM_HEADING),
])
def test_owner_column_comes_first(register, column, heading, owners, source):
    commitment = Commitment("x", "1", "1", "Woonborg bouwt 40 woningen.", Section(heading_owners=heading),
                            owner_column=column)
    result = attribute_owners(commitment, register, register.parse(commitment.text))
    assert (result.owners, result.owner_source, result.actors) == (owners, source, ("Woonborg",))
