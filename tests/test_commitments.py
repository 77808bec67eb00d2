"""Commitments: labels, continuations, sub-items, footnotes, numbering issues, keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.commitments import Label, Sentences, find_commitments, parse_label
from pipeline.outline import outline
from pipeline.parties import PartyRegister
from pipeline.types import CURRENT, FOOTNOTE, HEADING, OUTLOOK, TABLE, Block, Commitment, Document, Section
from pipeline.verbs import VerbLexicon


@pytest.mark.parametrize("text, label, rest", [
    ("12. De Volmacht", ("12", ".", False), "De Volmacht"),
    ("3.2.1 Partijen", ("3.2.1", "", False), "Partijen"),
    ("3.2.1. Partijen", ("3.2.1", ".", False), "Partijen"),
    ("4) Iets", ("4", ")", False), "Iets"),
    ("b. de gemeente", ("b", ".", True), "de gemeente"),
    ("(c) de gemeente", ("c", "()", True), "de gemeente"),
    ("12 woningen worden gebouwd", None, None),
    ("1.500 woningen worden gebouwd", None, None),
    ("2.1 Partijen", ("2.1", "", False), "Partijen"),
    ("1 Inleiding", None, None),
    ("a de gemeente", None, None),
    ("De gemeente", None, None),
    ("10.Partijen benutten", ("10", ".", False), "Partijen benutten"),  # Word's number at its tab stop
    ("12)Één woning", ("12", ")", False), "Één woning"),
    ("39.AH WOON informeert", ("39", ".", False), "AH WOON informeert"),
    ("1.A Betaalbaarheid", None, None),  # a capital alone is no word
    ("2.de gemeente", None, None),
    ("b.De gemeente", None, None),  # letters need the space
    ("3.2.1Partijen", ("3.2.1", "", False), "Partijen"),  # a multi-level number glued on too
    ("2.1De gemeente", ("2.1", "", False), "De gemeente"),
    ("1.500Woningen", None, None),
])
def test_parse_label(text, label, rest):
    parsed = parse_label(text)
    if label is None:
        assert parsed is None
    else:
        assert (parsed[0].text, parsed[0].punct, parsed[0].lettered) == label and parsed[1] == rest


@pytest.mark.parametrize("text, number, printed, style, rest", [
    # a word before the number, as Word's lvlText "Afspraak %1.%2" prints it
    ("Afspraak 3.2 De corporaties bouwen.", "3.2", "Afspraak 3.2", (2, "", "number", "afspraak"), "De corporaties bouwen."),
    ("Afspraak 4: De gemeente stelt vast.", "4", "Afspraak 4:", (1, ":", "number", "afspraak"), "De gemeente stelt vast."),
    ("Actie 12. Partijen overleggen.", "12", "Actie 12.", (1, ".", "number", "actie"), "Partijen overleggen."),
    # a theme letter and a number, per theme: "B1", "V3"
    ("B1 De corporaties beperken de huurstijging.", "B1", "B1", (1, "", "coded", ""), "De corporaties beperken de huurstijging."),
    ("V3. Thuisbest bouwt 24 flexwoningen.", "V3", "V3.", (1, ".", "coded", ""), "Thuisbest bouwt 24 flexwoningen."),
    ("A.1 De gemeente zet coaches in.", "A1", "A.1", (1, "", "coded", ""), "De gemeente zet coaches in."),
    ("a) De gemeente zet coaches in.", "a", "a)", (1, ")", "letter", ""), "De gemeente zet coaches in."),
])
def test_labels_with_words_and_theme_letters(text, number, printed, style, rest):
    label, after = parse_label(text)
    assert (label.text, label.printed, label.style, after) == (number, printed, style, rest)


@pytest.mark.parametrize("text", ["CO2 uitstoot daalt.", "CO2-uitstoot daalt.", "A2 de weg", "B12 woningen"])
def test_words_that_only_look_like_theme_labels(text):
    assert parse_label(text) is None


def _run(nlp, *blocks: Block):
    document = Document(Path("x.txt"), "x", "text", (Block("Titel"),) + blocks)
    return find_commitments("x", outline(document, PartyRegister((), nlp)))


def _numbers(nlp, *texts: str) -> list[str]:
    """The commitments a document of these lines gives, read as `extract` reads: with the
    sentence test (verbs, party subjects)."""
    document = Document(Path("x.txt"), "x", "text", tuple(Block(text) for text in ("Titel", *texts)))
    register = PartyRegister((), nlp)
    commitments, _ = find_commitments("x", outline(document, register), Sentences(VerbLexicon.of(nlp), register))
    return [c.number for c in commitments]


BODY = ("2 Afspraken", "1. De gemeente stelt grond beschikbaar voor 40 sociale huurwoningen.",
        "2. De corporaties verbeteren 120 woningen naar label B.")


@pytest.mark.parametrize("lines", [
    # contents entries that name their page, in the body of a document without chapters
    ("Inhoud", "1. Inleiding p. 3", "2. Afspraken p. 4", "3. Ondertekening p. 9"),
    ("Inhoudsopgave", "1. Inleiding blz. 3", "2. Afspraken blz. 4"),
    ("1. Inleiding, pagina 3", "2. Afspraken, pagina 4"),
    ("1) Inleiding 2) Leeswijzer 3) Afspraken 4) Ondertekening",),
    # the parts of the document, the first on the line of its lead-in
    ("De prestatieafspraken 2024 bestaan uit drie delen: 1. Rollen en verantwoordelijkheden;",
     "2. Afspraken over samenwerking;", "3. Ondertekening."),
    ("Dit document kent de volgende onderdelen:", "1. Deel A: de rollen van partijen;", "2. Deel B: de jaarafspraken."),
    # a list of themes, with a lead-in that does not say so, or with none
    ("In 2025 werken partijen aan vier thema's.", "1. Organisatie en samenwerking", "2. Betaalbaarheid",
     "3. Wonen en zorg", "4. Duurzaamheid"),
    ("1. Beschikbaarheid van sociale huurwoningen", "2. Kwaliteit en duurzaamheid van de voorraad"),
    # noun phrases that end like sentences are still no commitments
    ("Het document is als volgt opgebouwd.", "1. Rollen en verantwoordelijkheden;", "2. Afspraken over samenwerking;",
     "3. Ondertekening."),
    ("Partijen kijken in 2025 vooral naar:", "1. betaalbaarheid van de huren;", "2. beschikbaarheid voor starters;",
     "3. verduurzaming van de voorraad."),
    # definitions, by their heading or their lead-in
    ("Artikel 1 Begripsbepalingen", "1. Woningwet: de Woningwet zoals die luidt op 1 januari 2025.",
     "2. Corporatie: een toegelaten instelling als bedoeld in artikel 19 van de Woningwet."),
    ("In deze overeenkomst wordt verstaan onder:", "1. huurders: de huurders van de corporaties;",
     "2. doelgroep: huishoudens met een inkomen tot de huurtoeslaggrens."),
    # the steps of the yearly cycle, by their heading or their lead-in
    ("Jaarcyclus", "1. De corporaties brengen voor 1 juli een bod uit.",
     "2. De huurdersorganisaties reageren voor 1 september op het bod."),
    ("De jaarlijkse cyclus kent de volgende stappen:", "1. Bod corporaties voor 1 juli", "2. Reactie huurders",
     "3. Ondertekening voor 15 december"),
])
def test_numbered_lines_that_are_not_commitments(nlp, lines):
    """In the body (below "1 Inleiding"), where numbered lines could be commitments."""
    assert _numbers(nlp, "1 Inleiding", *lines, *BODY) == ["1", "2"]


@pytest.mark.parametrize("lines, numbers", [
    # short commitments are sentences: a party as subject, or a verb
    (("1. De gemeente stelt grond beschikbaar.", "2. De corporaties bouwen 40 woningen.",
      "3. Partijen overleggen ieder kwartaal."), ["1", "2", "3"]),
    (("1. Woonvisie actualiseren.", "2. Energiecoaches inzetten."), ["1", "2"]),  # one verb in the list will do
    # items without a verb that a lead-in announces as afspraken
    (("Partijen spreken de volgende acties af:", "1. Energiecoaches inzetten", "2. Een huurdersmonitor"),
     ["1", "2"]),
    (("De gemeente doet de volgende toezeggingen: ",), []),
])
def test_short_commitments_stay(nlp, lines, numbers):
    assert _numbers(nlp, *lines) == numbers


def test_continuations_subitems_and_footnote(nlp):
    commitments, issues = _run(
        nlp, Block("1 Afspraken"),
        Block("1. De gemeente verstrekt het jaarverslag om te toetsen aan"),
        Block("marktontwikkelingen en trends."),
        Block("2. De streefhuren zijn (\u20ac 663) \u00b9 gedifferentieerd:"),
        Block("- 80% onder de eerste grens"),
        Block("a. met uitzonderingen"),
        Block("\u00b9 De grenzen zijn van 2020.", kind=FOOTNOTE),
        Block("Voor zittende huurders geldt het huurbeleid."),
        Block("Prestaties gemeente 2021"),
        Block("Dit is een losse alinea na een kop."),
    )
    first, second = commitments
    assert first.text == "De gemeente verstrekt het jaarverslag om te toetsen aan marktontwikkelingen en trends."
    assert second.subitems == ("80% onder de eerste grens", "met uitzonderingen")
    assert second.text.splitlines() == ["De streefhuren zijn (\u20ac 663) \u00b9 gedifferentieerd:",
                                        "- 80% onder de eerste grens", "a. met uitzonderingen",
                                        "Voor zittende huurders geldt het huurbeleid."]
    assert second.footnotes == ("\u00b9 De grenzen zijn van 2020.",)
    assert issues == ()


def test_not_commitments(nlp):
    commitments, _ = _run(
        nlp, Block("1. Gemeente X, rechtsgeldig vertegenwoordigd door Y, hierna te noemen: 'de gemeente'."),
        Block("1 Inhoud"), Block("1. Inleiding ........ 3"), Block("2. Afspraken ........ 5"),
        Block("2 Afspraken"), Block("1. De gemeente bouwt."),
        Block("", kind=TABLE, rows=(("1.", "Termijn"),)),
    )
    assert [c.number for c in commitments] == ["1"]


def test_gap_repeat_and_restart_keys(nlp):
    commitments, issues = _run(
        nlp, Block("1 Afspraken"), Block("1.1 Wonen"), Block("1. Een."), Block("2. Twee."), Block("4. Vier."),
        Block("1.2 Zorg"), Block("1. Een."), Block("1. Nog een."),
    )
    assert [c.key for c in commitments] == ["1.1/1", "1.1/2", "1.1/4", "1.2/1", "1.2/1~2"]
    assert [(i.kind, i.key) for i in issues] == [("numbering-gap", "1.1/4"), ("repeated-number", "1.2/1")]
    assert "missing 3" in issues[0].message


def test_label_depth_and_last():
    label = Label("3.2.1", "", False)
    assert (label.depth, label.last) == (3, 1)


def test_hierarchical_numbers_one_level_below_their_heading(nlp):
    commitments, issues = _run(
        nlp, Block("2 Samenwerking"), Block("2.1 Partijen overleggen ieder kwartaal over de voortgang."),
        Block("3 Betaalbaarheid"), Block("3.1 Huurbeleid"),
        Block("3.1.1 De corporaties wijzen passend toe aan:"), Block("a. huishoudens met een laag inkomen;"),
        Block("b. middeninkomens."), Block("3.1.2 De gemeente zet energiecoaches in."),
        Block("3.1.3 Thuisbest plaatst zonnepanelen."),
    )
    assert [c.number for c in commitments] == ["2.1", "3.1.1", "3.1.2", "3.1.3"]
    assert commitments[1].subitems == ("huishoudens met een laag inkomen;", "middeninkomens.")
    assert issues == ()


def test_numbered_lists_that_are_not_commitments(nlp):
    """No chapters: everything is body, so only the lists' lead-ins and shapes tell."""
    commitments, _ = _run(
        nlp, Block("Ondergetekenden:"), Block("1. De gemeente Dijkveld, gevestigd te Dijkveld,"),
        Block("te dezen vertegenwoordigd door de wethouder;"), Block("2. Woonstichting Vooruit;"),
        Block("OVERWEGENDE DAT:"), Block("1. partijen jaarlijks afspraken maken;"),
        Block("2. de woonvisie is vastgesteld."),
        Block("De afspraken zijn ingedeeld in drie thema's:"), Block("1. Wonen"), Block("2. Zorg"),
        Block("3. Leefbaarheid"),
        Block("Partijen maken de volgende afspraken:"),
        Block("1. De gemeente bouwt 40 woningen."), Block("2. Vooruit verduurzaamt 100 woningen."),
    )
    assert [c.text for c in commitments] == ["De gemeente bouwt 40 woningen.", "Vooruit verduurzaamt 100 woningen."]


def test_a_list_that_repeats_the_headings_is_not_commitments(nlp):
    commitments, _ = _run(
        nlp, Block("1 Inleiding"), Block("Dit document behandelt"), Block("1. Betaalbaarheid;"),
        Block("2. Beschikbaarheid."), Block("2 Betaalbaarheid"), Block("1. De gemeente bouwt 40 woningen."),
        Block("3 Beschikbaarheid"), Block("2. Vooruit bouwt 20 woningen."),
    )
    assert [c.key for c in commitments] == ["1", "2"]


def test_commitments_table_rows(nlp):
    header = ("Nr.", "Afspraak", "Wie", "Wanneer")
    commitments, issues = _run(
        nlp, Block("2 Afspraken"), Block("2.1 Betaalbaarheid", kind=HEADING, heading_level=2),
        Block("", kind=TABLE, rows=(header, ("1", "De gemeente bouwt.", "Gemeente", "2024"),
                                    ("2", "Vooruit bouwt.", "Vooruit", "Q2 2025")), page=3),
        Block("", kind=TABLE, rows=(header, ("3", "Allen overleggen \u00b9.", "Allen", "")), page=4),
        Block("\u00b9 Ieder kwartaal.", kind=FOOTNOTE, page=4),
        Block("2.2 Beschikbaarheid", kind=HEADING, heading_level=2),
        Block("", kind=TABLE, rows=(header, ("1", "Thuisbest bouwt.", "Thuisbest", "2026")), page=5),
    )
    assert [(c.key, c.owner_column, c.due, c.page) for c in commitments] == [
        ("2.1/1", "Gemeente", "2024", 3), ("2.1/2", "Vooruit", "Q2 2025", 3), ("2.1/3", "Allen", None, 4),
        ("2.2/1", "Thuisbest", "2026", 5)]
    assert commitments[2].footnotes == ("\u00b9 Ieder kwartaal.",)
    assert issues == ()


def test_table_rows_below_a_doorkijk_row_are_outlooks(nlp):
    header = ("Nr.", "Afspraak", "Wie", "Wanneer")
    commitments, _ = _run(
        nlp, Block("2 Afspraken"), Block("2.1 Betaalbaarheid", kind=HEADING, heading_level=2),
        Block("", kind=TABLE, rows=(header, ("1", "De gemeente bouwt.", "Gemeente", "2024"),
                                    ("Doorkijk naar 2025 en verder", "", "", ""),
                                    ("2", "Vooruit bouwt.", "Vooruit", "2026")), page=3),
    )
    assert [(c.key, c.section.horizon, c.section.theme) for c in commitments] == [
        ("1", CURRENT, "2.1 Betaalbaarheid"), ("2", OUTLOOK, "2.1 Betaalbaarheid")]


def test_rows_of_tables_without_numbers_get_numbers_of_their_own(nlp):
    """T<table>.<row>: unique in the document, never taken for a printed number."""
    header = ("Afspraak", "Wie", "Wanneer")
    commitments, issues = _run(
        nlp, Block("2 Afspraken"), Block("2.1 Betaalbaarheid", kind=HEADING, heading_level=2),
        Block("1. De gemeente bouwt."), Block("2. Vooruit bouwt."),
        Block("", kind=TABLE, rows=(header, ("De gemeente zet energiecoaches in.", "Gemeente", "2024"),
                                    ("Vooruit beperkt de huurstijging", "Vooruit", "")), page=3),
        Block("", kind=TABLE, rows=(header, ("tot de inflatie.", "", ""),
                                    ("Allen overleggen.", "Allen", "Q1")), page=4),
        Block("2.2 Beschikbaarheid", kind=HEADING, heading_level=2),
        Block("", kind=TABLE, rows=(header, ("Thuisbest bouwt.", "Thuisbest", "2026")), page=5),
        Block("", kind=TABLE, rows=(("Thema", "Toelichting"), ("Wonen", "Er is krapte."))),
        Block("4. Thuisbest sloopt."),
    )
    assert [(c.key, c.owner_column, c.page) for c in commitments] == [
        ("1", None, None), ("2", None, None), ("T1.1", "Gemeente", 3), ("T1.2", "Vooruit", 3),
        ("T1.3", "Allen", 4), ("T2.1", "Thuisbest", 5), ("4", None, None)]
    assert commitments[3].text == "Vooruit beperkt de huurstijging tot de inflatie."
    assert [(i.kind, i.key) for i in issues] == [("numbering-gap", "4")]  # only the printed numbers count
    assert "after 2 comes 4" in issues[0].message


def test_numbered_subitems_do_not_outnumber_the_commitments(nlp):
    blocks = [Block("1 Afspraken")]
    for number in (1, 2, 3):
        blocks += [Block(f"{number}. De gemeente doet het volgende:"),
                   Block("1) een plan maken;"), Block("2) het plan uitvoeren;"), Block("3) evalueren.")]
    commitments, _ = _run(nlp, *blocks)
    assert [c.number for c in commitments] == ["1", "2", "3"]
    assert all(len(c.subitems) == 3 for c in commitments)


@pytest.mark.parametrize("lines, owner, due", [
    # who and when on lines of their own below the commitment, as a table's columns would say
    (("1. De gemeente actualiseert de woonvisie.", "Trekker: gemeente", "Planning: Q2 2025"), "gemeente", "Q2 2025"),
    (("1. Partijen stellen een huurdersmonitor op.", "Wie: corporaties; wanneer: eind 2025"), "corporaties",
     "eind 2025"),
    (("1. Partijen stellen een huurdersmonitor op.", "- Verantwoordelijk: HV Veenhoven"), "HV Veenhoven", None),
    # or at its end
    (("1. De gemeente actualiseert de woonvisie. (Trekker: gemeente)",), "gemeente", None),
    (("1. De gemeente actualiseert de woonvisie. Eigenaar: gemeente.",), "gemeente", None),
])
def test_trekker_lines_name_the_owner(nlp, lines, owner, due):
    document = Document(Path("x.txt"), "x", "text", tuple(Block(t) for t in ("Titel", "1 Afspraken", *lines)))
    (commitment,), _ = find_commitments("x", outline(document, PartyRegister((), nlp)))
    assert (commitment.owner_column, commitment.due) == (owner, due)
    assert "Trekker" not in commitment.text and ":" not in commitment.text


@pytest.mark.parametrize("closing", [
    "Aldus overeengekomen en ondertekend te Veenhoven op 12 december 2024.",
    "Ravensbeek, 2 december 2025 Gemeente Ravensbeek – I. Pauwels, wethouder Wonen",
    "Namens de gemeente Lindewaard, A. Bakker, wethouder",
    "Ondertekend te Grevenmeer op 14 december 2023 door alle partijen.",
])
def test_the_closing_formula_ends_the_last_commitment(nlp, closing):
    document = Document(Path("x.txt"), "x", "text", tuple(Block(t) for t in (
        "Titel", "1 Afspraken", "1. De gemeente bouwt 20 woningen.", closing)))
    (commitment,), _ = find_commitments("x", outline(document, PartyRegister((), nlp)))
    assert commitment.text == "De gemeente bouwt 20 woningen."


@pytest.mark.parametrize("rows", [
    # a calendar of the yearly cycle: steps, not afspraken, though it has a Wat and a Wie column
    (("Wanneer", "Wat", "Wie"), ("januari 2025", "Startoverleg uitvoering", "allen"),
     ("voor 1 juli 2025", "Bod van de corporatie op de woonvisie", "corporatie")),
    (("Planning", "Activiteit", "Trekker"), ("maart", "Evaluatie van de afspraken", "gemeente"),
     ("september", "Reactie huurdersorganisaties op het bod", "huurders")),
])
def test_a_table_of_steps_gives_no_commitments(nlp, rows):
    numbers = _numbers_with_table(nlp, rows)
    assert numbers == []


def test_a_table_of_afspraken_without_numbers_stays(nlp):
    rows = (("Afspraak", "Wie"), ("De gemeente stelt grond beschikbaar.", "gemeente"),
            ("Energiecoaches inzetten", "corporaties"))
    assert _numbers_with_table(nlp, rows) == ["T1.1", "T1.2"]


def _numbers_with_table(nlp, rows) -> list[str]:
    document = Document(Path("x.txt"), "x", "text", (Block("Titel"), Block("1 Afspraken"),
                                                      Block("", kind=TABLE, rows=rows)))
    register = PartyRegister((), nlp)
    commitments, _ = find_commitments("x", outline(document, register), Sentences(VerbLexicon.of(nlp), register))
    return [c.number for c in commitments]


@pytest.mark.parametrize("lines, owner, text", [
    (("1. De huurverhoging blijft beperkt tot de inflatie.", "Trekker: Hazelwonen. Betrokken: Broekhuizen, HBH."),
     "Hazelwonen", "De huurverhoging blijft beperkt tot de inflatie.\nBetrokken: Broekhuizen, HBH"),
    (("1. Partijen stellen een monitor op.", "Wie: gemeente | Indicator: monitor vastgesteld"),
     "gemeente", "Partijen stellen een monitor op.\nIndicator: monitor vastgesteld"),
])
def test_fields_beside_the_owner_stay_in_the_text(nlp, lines, owner, text):
    document = Document(Path("x.txt"), "x", "text", tuple(Block(t) for t in ("Titel", "1 Afspraken", *lines)))
    (commitment,), _ = find_commitments("x", outline(document, PartyRegister((), nlp)))
    assert (commitment.owner_column, commitment.text) == (owner, text)


@pytest.mark.parametrize("source, number, issue_keys, ocr_pages, page, confidence, doubts", [
    ("column", "3", set(), set(), None, 1.0, ()),
    ("text", "3", set(), set(), None, 0.75, ("owner from the sentence subject",)),
    ("heading", "T1.2", set(), set(), None, 0.81, ("owner from the heading above it", "number not printed (a table row)")),
    ("lead-in", "4", {"4"}, {2}, 2, 0.416, ("owner from the lead-in of its list", "numbering gap, step back or repeat",
                                           "read by OCR")),
    ("none", "5", set(), {3}, 2, 0.3, ("no owner found",)),
])
def test_confidence_of_a_commitment(source, number, issue_keys, ocr_pages, page, confidence, doubts):
    from pipeline.confidence import confidence_of
    commitment = Commitment("x", number, number, "Tekst.", Section(), owner_source=source, page=page)
    assert confidence_of(commitment, issue_keys, ocr_pages) == (confidence, doubts)
