"""Party register: preamble parsing, aliases, group words, heading owners, actors."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.parties import PartyRegister, attribute_owners
from pipeline.party_list import definitions_in, find_parties, organisation_names, role_of, signatures
from pipeline.types import OWNER_FROM_COLUMN, OWNER_FROM_HEADING, Block, Commitment, Document, Party, Section
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
    # without "vertegenwoordigd": the definition alone is enough
    ("Gemeente Veenhoven, hierna te noemen: 'de gemeente';", "Gemeente Veenhoven", "de gemeente", None, None),
    ("Woonstichting Noorderlicht, gevestigd te Veenhoven, hierna: Noorderlicht", "Woonstichting Noorderlicht",
     "Noorderlicht", None, None),
    ("b. Huurdersraad Lindewaard, verder te noemen: 'de huurdersraad'.", "Huurdersraad Lindewaard",
     "de huurdersraad", None, None),
    ("Wooncorporatie Het Baken, hierna ook te noemen \u201cHet Baken\u201d,", "Wooncorporatie Het Baken",
     "Het Baken", None, None),
    ("Woningstichting Eigen Haard (hierna aangeduid als 'Eigen Haard')", "Woningstichting Eigen Haard",
     "Eigen Haard", None, None),
])
def test_party_line_variants(nlp, line, name, short, signatory, function):
    document = Document(Path("x.txt"), "x", "text", (Block(line),))
    (party,), issues = find_parties(document, nlp)
    assert (party.name, party.short_name, party.signatory, party.function) == (name, short, signatory, function)
    assert party.source == "definition" and issues == ()


@pytest.mark.parametrize("text, definitions", [
    # several definitions in one sentence, the group at the end defines no party
    ("Partijen: Gemeente Veenhoven (hierna: de gemeente), Woonstichting Noorderlicht (hierna: Noorderlicht) "
     "en Huurdersvereniging Noorderlicht (hierna: HVN), samen: partijen.",
     [("Gemeente Veenhoven", "de gemeente"), ("Woonstichting Noorderlicht", "Noorderlicht"),
      ("Huurdersvereniging Noorderlicht", "HVN")]),
    ("Ondergetekenden: Gemeente Veenhoven, hierna te noemen: 'de gemeente'; Woonstichting Noorderlicht, "
     "hierna te noemen: 'Noorderlicht'; en Huurdersbelang Veenhoven, hierna te noemen: 'HBV'.",
     [("Gemeente Veenhoven", "de gemeente"), ("Woonstichting Noorderlicht", "Noorderlicht"),
      ("Huurdersbelang Veenhoven", "HBV")]),
    ("Gemeente, Woonborg en AH WOON gezamenlijk ook te noemen: 'partijen' of aangeduid als 'we'.", []),
    ("Hierna volgen de afspraken per thema.", []),  # "hierna" without a naming verb defines nothing
    ("De gemeente en de corporaties, hierna samen te noemen: partijen, spreken af:", []),
])
def test_definitions_in_one_text(text, definitions):
    assert [(d.name, d.short) for d in definitions_in(text) if not d.group] == definitions


@pytest.mark.parametrize("blocks, parties", [
    # captions in capitals give the role of what stands below them
    (["DE GEMEENTE", "De gemeente Veenhoven, vertegenwoordigd door de wethouder, hierna: de gemeente;",
      "DE CORPORATIES", "Thuis Plus, hierna: Thuis Plus;", "Veste, hierna: Veste;",
      "DE HUURDERSORGANISATIES", "HV Samen Sterk, hierna: Samen Sterk."],
     [("gemeente Veenhoven", "de gemeente", "gemeente"), ("Thuis Plus", "Thuis Plus", "corporatie"),
      ("Veste", "Veste", "corporatie"), ("HV Samen Sterk", "Samen Sterk", "huurdersorganisatie")]),
    (["Gemeente:", "Gemeente Oosterbroek (hierna: de gemeente)", "Corporaties:",
      "Woonkracht, hierna: Woonkracht", "Huurders:", "Klankbord, hierna: Klankbord"],
     [("Gemeente Oosterbroek", "de gemeente", "gemeente"), ("Woonkracht", "Woonkracht", "corporatie"),
      ("Klankbord", "Klankbord", "huurdersorganisatie")]),
])
def test_role_captions(nlp, blocks, parties):
    document = Document(Path("x.txt"), "x", "text", tuple(Block(text) for text in blocks))
    found, _ = find_parties(document, nlp)
    assert [(p.name, p.short_name, p.role) for p in found] == parties


@pytest.mark.parametrize("rows, parties", [
    ((("Partij", "Vertegenwoordigd door", "Functie"),
      ("Gemeente Lindewaard (hierna: de gemeente)", "mevrouw A. Bakker", "wethouder Wonen"),
      ("Woonstichting De Linde (hierna: De Linde)", "de heer J. Jansen", "directeur-bestuurder")),
     [("Gemeente Lindewaard", "de gemeente", "A. Bakker", "wethouder Wonen"),
      ("Woonstichting De Linde", "De Linde", "J. Jansen", "directeur-bestuurder")]),
    ((("Organisatie", "Naam", "Functie"),
      ("Gemeente Lindewaard", "A. Bakker", "wethouder"),
      ("Huurdersvereniging Lindewaard", "P. de Wit", "voorzitter")),
     [("Gemeente Lindewaard", "de gemeente", "A. Bakker", "wethouder"),
      ("Huurdersvereniging Lindewaard", "Lindewaard", "P. de Wit", "voorzitter")]),
])
def test_table_of_parties(nlp, rows, parties):
    document = Document(Path("x.txt"), "x", "text", (Block("", kind="table", rows=rows),
                                                      Block("De gemeente en Lindewaard overleggen.")))
    found, _ = find_parties(document, nlp)
    assert [(p.name, p.short_name, p.signatory, p.function) for p in found] == parties


@pytest.mark.parametrize("lines, signature", [
    (["Namens Woonstichting De Linde,", "J. Jansen", "directeur-bestuurder"],
     ("Woonstichting De Linde", "J. Jansen", "directeur-bestuurder")),
    (["Voor de gemeente Lindewaard:", "mevrouw A. Bakker", "wethouder Wonen"],
     ("de gemeente Lindewaard", "A. Bakker", "wethouder Wonen")),
    (["Namens Huurdersraad Lindewaard, P. de Wit, voorzitter"], ("Huurdersraad Lindewaard", "P. de Wit", "voorzitter")),
    (["Woonborg: E. Borstlap", "Directeur-bestuurder"], ("Woonborg", "E. Borstlap", "Directeur-bestuurder")),
])
def test_signature_blocks(lines, signature):
    (found,) = signatures(lines)
    assert (found.party, found.person, found.function) == signature


@pytest.mark.parametrize("blocks, parties, sources", [
    # nothing defined: the title names the organisations
    (["Prestatieafspraken 2025 gemeente Lindewaard, Woonstichting De Linde en Huurdersraad Lindewaard",
      "De gemeente en De Linde spreken af dat De Linde 20 woningen bouwt."],
     [("gemeente Lindewaard", "de gemeente", "gemeente"), ("Woonstichting De Linde", "De Linde", "corporatie"),
      ("Huurdersraad Lindewaard", "Huurdersraad Lindewaard", "huurdersorganisatie")], "title"),
    # ... or only the signature block does
    (["Jaarafspraken wonen 2025", *["De gemeente en Thuisbest spreken af dat Thuisbest 20 woningen bouwt."] * 12,
      "Namens gemeente Oosterbroek,", "A. Bakker", "wethouder", "Namens Woningstichting Thuisbest,", "J. Jansen",
      "directeur-bestuurder"],
     [("gemeente Oosterbroek", "de gemeente", "gemeente"), ("Woningstichting Thuisbest", "Thuisbest", "corporatie")],
     "signature block"),
])
def test_fallback_parties_say_so(nlp, blocks, parties, sources):
    document = Document(Path("x.txt"), "x", "text", tuple(Block(text) for text in blocks))
    found, issues = find_parties(document, nlp)
    assert [(p.name, p.short_name, p.role) for p in found] == parties
    (issue,) = issues
    assert issue.kind == "parties-fallback" and sources in issue.message


def test_no_parties_at_all_is_an_issue(nlp):
    document = Document(Path("x.txt"), "x", "text", (Block("Jaarafspraken 2025"), Block("1. Partijen overleggen.")))
    found, issues = find_parties(document, nlp)
    assert found == () and [i.kind for i in issues] == ["no-parties"]


@pytest.mark.parametrize("text, names", [
    ("Prestatieafspraken gemeente Aa en Hunze, Woonstichting De Linde en Stichting Huurdersbelang Oost 2025",
     ["gemeente Aa en Hunze", "Woonstichting De Linde", "Stichting Huurdersbelang Oost"]),
    ("Namens Woningcorporatie 't Heem en Bewonersraad De Kern", ["Woningcorporatie 't Heem", "Bewonersraad De Kern"]),
    ("PRESTATIEAFSPRAKEN GEMEENTE VEENHOVEN 2025", ["GEMEENTE VEENHOVEN"]),
    ("De gemeente en de corporaties overleggen.", []),
])
def test_organisation_names(nlp, text, names):
    assert organisation_names(text, nlp) == names


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


@pytest.mark.parametrize("blocks, parties", [
    # a quoted short name in brackets after a name with a role noun, without "hierna"
    (["Gemeente Noordervaart ('de gemeente'), Stichting Vaartwonen ('Vaartwonen') en Huurdersvereniging De Vaart "
      "('HV De Vaart'), samen 'partijen', maken de volgende afspraken."],
     [("Gemeente Noordervaart", "de gemeente"), ("Stichting Vaartwonen", "Vaartwonen"),
      ("Huurdersvereniging De Vaart", "HV De Vaart")]),
    (["Deze afspraken zijn gemaakt door de gemeente Hazelbroek (hierna kortweg: de gemeente) en Woonstichting "
      "Hazelwonen (hierna kortweg: Hazelwonen)."],
     [("gemeente Hazelbroek", "de gemeente"), ("Woonstichting Hazelwonen", "Hazelwonen")]),
])
def test_more_definition_forms(nlp, blocks, parties):
    document = Document(Path("x.txt"), "x", "text", tuple(Block(text) for text in blocks))
    found, _ = find_parties(document, nlp)
    assert [(p.name, p.short_name) for p in found] == parties


@pytest.mark.parametrize("header", [("Partij", "Hierna te noemen", "Vertegenwoordigd door"),
                                    ("Organisatie", "Korte naam", "Functie")])
def test_a_column_of_short_names_in_the_table_of_parties(nlp, header):
    rows = (header, ("Stichting Veldhuis Wonen", "Veldhuis", "bestuurder"),
            ("Huurdersvereniging Veldhuis", "HV Veldhuis", "voorzitter"))
    document = Document(Path("x.txt"), "x", "text", (Block("", kind="table", rows=rows),))
    found, _ = find_parties(document, nlp)
    assert [p.short_name for p in found] == ["Veldhuis", "HV Veldhuis"]


@pytest.mark.parametrize("text, owners", [
    # "Veldhuis" is the corporation's short name, not the tenants' bare name
    ("Veldhuis levert 18 woningen op.", ("Veldhuis",)),
    ("HV Veldhuis peilt de wensen van haar leden.", ("HV Veldhuis",)),
])
def test_a_short_name_belongs_to_its_own_party(nlp, text, owners):
    parties = (Party("x", "Stichting Veldhuis Wonen", "Veldhuis", "corporatie",
                     aliases=("Stichting Veldhuis Wonen", "Veldhuis", "Veldhuis Wonen")),
               Party("x", "Huurdersvereniging Veldhuis", "HV Veldhuis", "huurdersorganisatie",
                     aliases=("Huurdersvereniging Veldhuis", "HV Veldhuis", "Veldhuis")))
    register = PartyRegister(parties, nlp)
    assert register.actors(register.parse(text)) == owners


@pytest.mark.parametrize("legend, cell, owners", [
    ("SW en WV staan voor Sluiswonen en Voorde.", "SW/WV", ("Sluiswonen", "Voorde")),
    ("In de tabel staat SLW voor Sluiswonen.", "SLW", ("Sluiswonen",)),
])
def test_abbreviations_a_legend_defines(nlp, legend, cell, owners):
    document = Document(Path("x.txt"), "x", "text", (
        Block("1. Stichting Sluiswonen, hierna te noemen: Sluiswonen;"),
        Block("2. Woonstichting Voorde, hierna te noemen: Voorde."), Block(legend)))
    found, _ = find_parties(document, nlp)
    assert PartyRegister(found, nlp).column_owners(cell) == owners
