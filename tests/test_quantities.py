"""Quantities: one case table of text -> (kind, value, unit[, value_max]) in text order.

Callers pass commitment text without its number label ("12. " is gone), so item numbers
never reach these rules. Uses the session's `nlp` fixture (tests/conftest.py).
"""

from __future__ import annotations

import pytest

from pipeline.quantities import extract_quantities, parse_dutch_number, quantities_from_doc

E, P, C, L, I, Y, D = "euro", "percent", "count", "label", "index", "year", "date"

CASES = [
    # euro
    ("€ 663", [(E, 663.0, "EUR")]),
    ("38.000 euro", [(E, 38000.0, "EUR")]),
    ("€ 1,5 miljoen", [(E, 1500000.0, "EUR")]),
    ("€ 619 / € 663", [(E, 619.0, "EUR"), (E, 663.0, "EUR")]),
    ("€663 en €1,5 mln.", [(E, 663.0, "EUR"), (E, 1500000.0, "EUR")]),
    ("€ 50.000,- en € 2.500,00 en EUR 300", [(E, 50000.0, "EUR"), (E, 2500.0, "EUR"), (E, 300.0, "EUR")]),
    ("10 mln euro", [(E, 10000000.0, "EUR")]),
    ("tussen € 600 en € 700", [(E, 600.0, "EUR", 700.0)]),
    ("tussen 1,5 en 2 miljoen euro", [(E, 1500000.0, "EUR", 2000000.0)]),
    ("€ 600 - 700", [(E, 600.0, "EUR", 700.0)]),
    # "tot 2021" is a year, not the top of a euro range
    ("afgetopt op € 663 tot 2021", [(E, 663.0, "EUR"), (Y, 2021.0, None)]),
    # percent
    ("minimaal 85%", [(P, 85.0, "%")]),
    ("maximaal 5%", [(P, 5.0, "%")]),
    ("20%", [(P, 20.0, "%")]),
    ("85 %", [(P, 85.0, "%")]),
    ("vijf procent en 2,5 procent", [(P, 5.0, "%"), (P, 2.5, "%")]),
    ("5 à 10%", [(P, 5.0, "%", 10.0)]),
    ("5%-10%", [(P, 5.0, "%", 10.0)]),
    ("tussen 5 en 10%", [(P, 5.0, "%", 10.0)]),
    # count with its noun
    ("94 woningen", [(C, 94.0, "woningen")]),
    ("ca. 65 woningen", [(C, 65.0, "woningen")]),
    ("circa 1.500 woningen", [(C, 1500.0, "woningen")]),
    ("5 tot 10 woningen", [(C, 5.0, "woningen", 10.0)]),
    ("5-10 woningen", [(C, 5.0, "woningen", 10.0)]),
    ("tussen 5 en 10 woningen", [(C, 5.0, "woningen", 10.0)]),
    ("14 woningen", [(C, 14.0, "woningen")]),
    ("12 nieuwbouwwoningen", [(C, 12.0, "nieuwbouwwoningen")]),
    ("twee woningen en drie zorgwoningen", [(C, 2.0, "woningen"), (C, 3.0, "zorgwoningen")]),
    ("30 wooneenheden, 8 appartementen, 20 kavels en 25 huishoudens",
     [(C, 30.0, "wooneenheden"), (C, 8.0, "appartementen"), (C, 20.0, "kavels"), (C, 25.0, "huishoudens")]),
    ("94 sociale huurwoningen", [(C, 94.0, "sociale huurwoningen")]),
    ("een 6 tal levensloopgeschikte energieneutrale sociale huurwoningen", [(C, 6.0, "sociale huurwoningen")]),
    ("een 6-tal woningen en een zestal appartementen", [(C, 6.0, "woningen"), (C, 6.0, "appartementen")]),
    ("25 vergunninghouders", [(C, 25.0, "vergunninghouders")]),
    # a number after a qualifier is a count without a noun
    ("circa 400 in bezit van Woonborg", [(C, 400.0, None)]),
    # label
    ("label A", [(L, "A", "energielabel")]),
    ("energielabel C", [(L, "C", "energielabel")]),
    ("label A++", [(L, "A++", "energielabel")]),
    ("label E of slechter", [(L, "E", "energielabel")]),
    ("naar label A.", [(L, "A", "energielabel")]),  # blank("nl") makes "A." one token
    ("labels E, F en G", [(L, "E", "energielabel"), (L, "F", "energielabel"), (L, "G", "energielabel")]),
    ("labels A t/m C", [(L, "A", "energielabel"), (L, "B", "energielabel"), (L, "C", "energielabel")]),
    ("energielabel A/B", [(L, "A", "energielabel"), (L, "B", "energielabel")]),
    ("C-labels", [(L, "C", "energielabel")]),
    # energie-index
    ("energie-index 1,41", [(I, 1.41, "energie-index")]),
    ("energie-index (2,11 / voormalig label E", [(I, 2.11, "energie-index"), (L, "E", "energielabel")]),
    ("een energie-index tussen 1,41 en 1,80", [(I, 1.41, "energie-index", 1.80)]),
    ("EI 1,4 en energie-index van maximaal 1,40", [(I, 1.4, "energie-index"), (I, 1.4, "energie-index")]),
    # year
    ("in 2021", [(Y, 2021.0, None)]),
    ("vanaf 2019", [(Y, 2019.0, None)]),
    ("in 2040", [(Y, 2040.0, None)]),
    ("2021-2025", [(Y, 2021.0, None, 2025.0)]),
    ("de periode 2021 - 2025", [(Y, 2021.0, None, 2025.0)]),
    ("2021 t/m 2025", [(Y, 2021.0, None, 2025.0)]),
    ("eind 2024, t/m 2024 en tot en met 2024", [(Y, 2024.0, None), (Y, 2024.0, None), (Y, 2024.0, None)]),
    ("in het eerste kwartaal van 2021", [(Y, 2021.0, None)]),
    # a year beats a count over the same number
    ("in 2021 nieuwe woningen", [(Y, 2021.0, None)]),
    # date: the year inside a date is not a year of its own
    ("1 januari 2021", [(D, "2021-01-01", None)]),
    ("per 1 juli", [(D, "--07-01", None)]),
    ("23 juni 2016", [(D, "2016-06-23", None)]),
    ("1-11-2020", [(D, "2020-11-01", None)]),
    ("1/11/2020", [(D, "2020-11-01", None)]),
    ("begin februari 2021", [(D, "2021-02", None)]),
    ("Uiterlijk 15 dec. 2021", [(D, "2021-12-15", None)]),
    # the seed's sentences
    ("De Volmacht hanteert voor minimaal 85% van haar bezit in de gemeente Aa en Hunze een huurprijs tot "
     "de tweede aftoppingsgrens (€ 663) ¹.",  # item 12; the footnote mark is no quantity
     [(P, 85.0, "%"), (E, 663.0, "EUR")]),
    ("De Volmacht voert, conform afspraken met De Deelmacht, een terughoudend huurprijsbeleid. Dit betekent "
     "dat er een jaarlijkse huurprijsverhoging van maximaal inflatie wordt gehanteerd. Daarnaast wordt bij "
     "mutatie het streefhuurniveau aangepast naar minimaal 71% van de maximale huur en wordt vervolgens de "
     "betaalbare woningvoorraad afgetopt op € 663 (prijspeil 2020).",  # item 14
     [(P, 71.0, "%"), (E, 663.0, "EUR"), (Y, 2020.0, None)]),
    ("De streefhuurpercentages voor Woonborg zijn in het nieuwe Huurbeleid (2018) gedifferentieerd met als "
     "doelstelling:\n"
     "- 80% van de woningen heeft een streefhuur onder de eerste aftoppingsgrens (€ 619)\n"
     "- 10% een streefhuur tussen de eerste en de tweede aftoppingsgrens (€ 619 / € 663)\n"
     "- 10% een streefhuur tussen de tweede aftoppingsgrens en de liberalisatiegrens (€ 663 / € 737)",  # item 17
     [(P, 80.0, "%"), (E, 619.0, "EUR"), (P, 10.0, "%"), (E, 619.0, "EUR"), (E, 663.0, "EUR"),
      (P, 10.0, "%"), (E, 663.0, "EUR"), (E, 737.0, "EUR")]),
    ("De corporaties zetten verkoop in beperkte mate voort, voor blokken die reeds geknipt zijn en enkele "
     "vrijstaande woningen (o.a. in verband met onderhoudslasten); dus geen nieuwe verkoop. Voor de "
     "corporaties betekent dit dat zij gezamenlijk circa 5 tot 10 woningen per jaar verkopen.",  # item 26
     [(C, 5.0, "woningen", 10.0)]),
    ("In de 'Wijk van de toekomst' te Gieten zijn op basis hiervan concrete sloopplannen voor ca. 65 woningen "
     "en vervolgens vervangende nieuwbouw van ca. 45 woningen.",  # item 28
     [(C, 65.0, "woningen"), (C, 45.0, "woningen")]),
    ("De Volmacht is voornemens om een 6 tal levensloopgeschikte energieneutrale sociale huurwoningen aan de "
     "Naweg te Gieten te realiseren, daarnaast onderzoekt zij de mogelijkheden voor nieuwbouw van zorgwoningen "
     "bij de Wenning te Rolde (in samenwerking met Zorggroep Drenthe), 10 woningen aan de Zuid Es te Rolde. "
     "Daarnaast worden er in 2021 12 nieuwbouwwoningen in Nooitgedacht opgeleverd.",  # item 29
     [(C, 6.0, "sociale huurwoningen"), (C, 10.0, "woningen"), (Y, 2021.0, None), (C, 12.0, "nieuwbouwwoningen")]),
    ("Woonborg verbetert in Aa en Hunze 14 woningen in 2021 met label A als uitgangspunt. Daarnaast verbetert "
     "Woonborg woningen bij mutatie. De Volmacht verbetert 94 woningen naar label A in 2021. Voor beide geldt "
     "dat realisatie afhangt van eventuele belemmeringen vanuit wet- en regelgeving. De NTA 8800 geeft "
     "mogelijk een wijziging in de labels.",  # item 31; "NTA 8800" is a name
     [(C, 14.0, "woningen"), (Y, 2021.0, None), (L, "A", "energielabel"),
      (C, 94.0, "woningen"), (L, "A", "energielabel"), (Y, 2021.0, None)]),
    ("De corporaties leveren in 2021 een bijdrage aan deze uitstroom door maximaal 5% van het aantal "
     "vrijkomende woningen beschikbaar te stellen aan cliënten die willen en kunnen uitstromen.",  # item 46
     [(Y, 2021.0, None), (P, 5.0, "%")]),
    ("Corporaties leveren personele inzet op wijkbeheer, leefbaarheid en het bestrijden van overlast. Inzet "
     "van het leefbaarheidsbudget door corporaties is passend bij de lokale vraagstukken en valt binnen de "
     "kaders van de Woningwet. Woonborg reserveert als budget voor leefbaarheidsactiviteiten in 2021 voor "
     "haar gehele werkgebied 38.000 euro. Uit dit budget worden concrete leefbaarheidsingrepen gefinancierd.",  # item 69
     [(Y, 2021.0, None), (E, 38000.0, "EUR")]),
    ("Voorrang wordt gegeven aan woningen met een lage energie-index (2,11 / voormalig label E of slechter). "
     "Dit geldt voor woningen die de komende minimaal vijftien à twintig jaar in exploitatie blijven. Om alle "
     "huurders hiervan te laten profiteren streven we voor alle woningen die langjarig in exploitatie blijven "
     "naar een minimale energie-index tussen 1,41 en 1,80 (voormalig label C) in 2025.",  # 4.3 Richtingen
     [(I, 2.11, "energie-index"), (L, "E", "energielabel"), (C, 15.0, "jaar", 20.0),
      (I, 1.41, "energie-index", 1.80), (L, "C", "energielabel"), (Y, 2025.0, None)]),
    ("Gemeente en corporaties zullen in 2021 afstemming hebben over vroegsignalering, waarbij de nieuwe "
     "wetswijziging schuldhulpverlening per 1 januari 2021 leidend is.",  # item 66
     [(Y, 2021.0, None), (D, "2021-01-01", None)]),
    ("Deze prestatieafspraken 2021-2025 zijn geldig vanaf 1 januari 2021 na ondertekening door alle partijen "
     "en worden jaarlijks per 1 januari herijkt.",
     [(Y, 2021.0, None, 2025.0), (D, "2021-01-01", None), (D, "--01-01", None)]),
    # no quantity at all
    ("Partijen werken vanuit de gezamenlijk gedragen Woonvisie 2016+.", []),  # a document name, not a year
    ("De Woonvisie2016+ van de gemeente is maatgevend.", []),
    ("De streefhuurpercentages zijn in het nieuwe Huurbeleid (2018) gedifferentieerd.", []),  # bare year
    ("De huurprijsgrenzen ¹ zijn gebaseerd op prijspeil.", []),  # footnote mark
    ("Dit is verder uitgewerkt onder Hoofdstuk 5 'Agenda 2021'.", []),
    ("Zoals benoemd in afspraak 45 bij huisvesting bijzondere doelgroepen.", []),
    ("1 ^e ambtelijk overleg prestatieafspraken 2022", []),
    ("De NTA 8800 geeft mogelijk een wijziging in de labels.", []),
    ("rond 40 juni", []),  # no such date
    ("tussen 1,41 en 1,80", []),  # an index only with "energie-index" or "EI" before it
    ("Partijen zijn transparant en open en informeren elkaar als dat nodig is.", []),
]


def _rounded(row: tuple) -> tuple:
    # Values like 2.11 come from float arithmetic; six decimals is all a case needs.
    return tuple(round(v, 6) if isinstance(v, float) else v for v in row)


def _expected(row: tuple) -> tuple:
    kind, value, unit, *rest = row
    return _rounded((kind, value, unit, rest[0] if rest else None))


@pytest.mark.parametrize("text, expected", CASES, ids=[c[0][:50] for c in CASES])
def test_quantities(nlp, text, expected):
    found = [_rounded((q.kind, q.value, q.unit, q.value_max)) for q in extract_quantities(nlp, text)]
    assert found == [_expected(row) for row in expected]


QUALIFIERS = [
    ("minimaal 85%", "minimaal", "minimaal 85%"),
    ("maximaal 5%", "maximaal", "maximaal 5%"),
    ("ca. 65 woningen", "circa", "ca. 65 woningen"),
    ("circa 1.500 woningen", "circa", "circa 1.500 woningen"),
    ("ten minste 20 woningen", "minimaal", "ten minste 20 woningen"),
    ("een huurprijs tot € 663", "maximaal", "tot € 663"),
    ("circa 20% van de toewijzingen", "circa", "circa 20%"),
    ("een 6 tal woningen", "circa", "6 tal woningen"),
    ("circa 400 in bezit", "circa", "circa 400"),
    ("label E of slechter", "of slechter", "label E of slechter"),
    ("minimaal energielabel C", "minimaal", "minimaal energielabel C"),
    ("een minimale energie-index tussen 1,41 en 1,80", "minimaal", "minimale energie-index tussen 1,41 en 1,80"),
    ("energie-index van maximaal 1,40", "maximaal", "energie-index van maximaal 1,40"),
    ("vanaf 2019", "vanaf", "vanaf 2019"),
    ("in 2021", None, "in 2021"),
    ("t/m 2024", "tot en met", "t/m 2024"),
    ("afgetopt op € 663 (prijspeil 2020)", "prijspeil", "prijspeil 2020"),
    ("per 1 juli", "per", "per 1 juli"),
    ("Uiterlijk 1 juli 2021", "uiterlijk", "Uiterlijk 1 juli 2021"),
    ("94 woningen", None, "94 woningen"),
    ("naar label A.", None, "label A"),
]


@pytest.mark.parametrize("text, qualifier, span_text", QUALIFIERS, ids=[c[0] for c in QUALIFIERS])
def test_qualifier_and_text(nlp, text, qualifier, span_text):
    *_, last = extract_quantities(nlp, text)
    assert (last.qualifier, last.text) == (qualifier, span_text)


def test_results_follow_the_text(nlp):
    text = "In 2021 verbetert Woonborg 14 woningen naar label A voor € 1,5 miljoen, minimaal 85% per 1 juli."
    found = extract_quantities(nlp, text)
    assert [q.kind for q in found] == [Y, C, L, E, P, D]
    positions = [text.index(q.text) for q in found]
    assert positions == sorted(positions)


def test_doc_from_the_full_pipeline_gives_the_same(nlp):
    text = "De Volmacht verbetert 94 woningen naar label A in 2021 voor € 663."
    assert quantities_from_doc(nlp(text)) == extract_quantities(nlp, text)


def test_doc_without_quantity_spans_is_refused(nlp):
    with pytest.raises(ValueError, match="no 'quantities' spans"):
        quantities_from_doc(nlp.make_doc("€ 663"))


@pytest.mark.parametrize(
    "text, value",
    [("1.535", 1535.0), ("2,11", 2.11), ("1.500,50", 1500.5), ("3", 3.0), ("38.000", 38000.0),
     ("1.41", 1.41), ("663,-", 663.0), ("1.500.000", 1500000.0)],
)
def test_parse_dutch_number(text, value):
    assert parse_dutch_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "abc", "1,2,3", "¹"])
def test_parse_dutch_number_refuses(text):
    with pytest.raises(ValueError, match="not a Dutch number"):
        parse_dutch_number(text)
