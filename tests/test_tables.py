"""Commitments tables: header words, rows, continuation rows, tables cut by a page break."""

from __future__ import annotations

import pytest

from pipeline.tables import column_role, continues_table, find_columns, table_items
from pipeline.types import TABLE, Block

HEADER = ("Nr.", "Afspraak", "Wie", "Wanneer")


def table(*rows: tuple[str, ...], page: int | None = None) -> Block:
    return Block("", kind=TABLE, rows=tuple(rows), page=page)


@pytest.mark.parametrize("cell, role", [
    ("Nr.", "number"), ("Nummer", "number"), ("#", "number"), ("nr", "number"),
    ("Afspraak", "text"), ("Prestatie", "text"), ("Actie", "text"), ("Omschrijving", "text"),
    ("Wie", "owner"), ("Wie?", "owner"), ("Trekker", "owner"), ("Verantwoordelijke", "owner"),
    ("Partij", "owner"), ("Eigenaar", "owner"), ("Trekker / betrokkenen", "owner"),
    ("Wanneer", "due"), ("Planning", "due"), ("Gereed", "due"), ("Termijn", "due"), ("Datum", "due"),
    ("Toelichting", None), ("Overleg resp. gespreksonderwerpen", None), ("2023", None),
    ("Verantwoordelijk e", "owner"), ("Door\nwie", "owner"),  # broken in a narrow column
])
def test_column_role(cell, role):
    assert column_role(cell) == role


@pytest.mark.parametrize("rows, found", [
    ((HEADER, ("1", "De gemeente bouwt.", "Gemeente", "2024")), (0, 0, 1, 2, 3)),
    ((("Thema Betaalbaarheid", "", ""), ("Actie", "#", "Trekker"), ("De gemeente bouwt.", "1", "Gemeente")),
     (1, 1, 0, 2, None)),
    # the seed's agenda: a timing column, but no number and no afspraak
    ((("Termijn", "Overleg resp. gespreksonderwerpen"), ("Juni 2021", "Ambtelijk overleg")), None),
    # no number column: an afspraak column and an owner or a timing column
    ((("Afspraak", "Wie"), ("De gemeente bouwt.", "Gemeente")), (0, None, 0, 1, None)),
    ((("Thema", "Actie", "Gereed"), ("Wonen", "De gemeente bouwt.", "2024")), (0, None, 1, None, 2)),
    ((("Afspraken 2024", "", ""), ("Wat", "Wie", "Wanneer")), (1, None, 0, 1, 2)),
    # ... but an afspraak column alone is an ordinary table
    ((("Afspraak", "Toelichting"), ("Huren", "De huren blijven laag.")), None),
    ((("Thema", "Toelichting"), ("Betaalbaarheid", "De huren blijven laag.")), None),
    ((("Omschrijving",), ("De gemeente bouwt.",)), None),
    # ... and without numbers, words that name other things make no commitments table
    ((("Omschrijving", "Bedrag", "Jaar"), ("Energiecoaches", "€ 20.000", "2024")), None),
    ((("Activiteit", "Datum"), ("Bewonersavond", "12 maart")), None),
    ((("Omschrijving", "Wie"), ("Energiecoaches", "Gemeente")), (0, None, 0, 1, None)),  # an owner column
    # ... while a numbered table may use them
    ((("Nr.", "Omschrijving", "Jaar"), ("1", "De gemeente bouwt.", "2024")), (0, 0, 1, None, 2)),
])
def test_find_columns(rows, found):
    columns = find_columns(rows)
    if found is None:
        assert columns is None
    else:
        assert (columns.header_row, columns.number, columns.text, columns.owner, columns.due) == found


def test_rows_continuations_group_rows_and_bullets():
    items = table_items([table(
        HEADER,
        ("1", "De corporaties beperken de huurstijging", "Corporaties", "2024"),
        ("", "tot de inflatie.", "", ""),
        ("", "Zij overleggen daarover met de huurders.", "en gemeente", ""),
        ("2.", "De gemeente zet in op: \u2022 energiecoaches \u2022 een fonds", "Gemeente", "Q2 2024"),
        ("Doorkijk naar 2025", "", "", ""),
        ("", "Een losse regel onder een groepsregel.", "", ""),
        ("3", "", "Allen", ""),
    )])
    assert [(i.number, i.owner, i.due) for i in items] == [
        ("1", "Corporaties, en gemeente", "2024"), ("2", "Gemeente", "Q2 2024")]
    assert items[0].text == "De corporaties beperken de huurstijging tot de inflatie.\nZij overleggen daarover met de huurders."
    assert items[1].text == "De gemeente zet in op:\n- energiecoaches\n- een fonds"
    assert items[1].subitems == ("energiecoaches", "een fonds")
    assert all(item.printed for item in items)


def test_rows_below_an_outlook_group_row_are_an_outlook():
    items = table_items([table(
        HEADER,
        ("1", "De gemeente stelt een woonvisie op.", "Gemeente", "2024"),
        ("Doorkijk naar 2025 en verder", "Doorkijk naar 2025 en verder", "", ""),  # a merged row, as Word gives it
        ("2", "De corporaties bouwen 40 woningen.", "Corporaties", "2026"),
        ("Wonen en zorg", "", "", ""),  # another group: this year again
        ("3", "Partijen evalueren de zorgafspraken.", "Allen", "2024"),
    )])
    assert [(i.number, i.outlook) for i in items] == [("1", False), ("2", True), ("3", False)]


def test_not_a_commitments_table():
    assert table_items([table(("Indicator", "2022"), ("Woningen", "4.120"))]) == ()


@pytest.mark.parametrize("following, continues", [
    (table(HEADER, ("4", "Nog een afspraak.", "Gemeente", "2024"), page=4), True),  # header repeated
    (table(("4", "Nog een afspraak.", "Gemeente", "2024"), page=4), True),  # no header
    (table(("Nr.", "Prestatie", "Trekker", "Planning"), ("1", "Iets.", "Gemeente", "2024"), page=4), False),
    (table(("4", "Nog een afspraak.", "Gemeente"), page=4), False),  # other column count
    (table(("4", "Nog een afspraak.", "Gemeente", "2024"), page=6), False),  # pages apart
])
def test_continues_table(following, continues):
    first = table(HEADER, ("3", "Een afspraak.", "Gemeente", "2024"), page=3)
    assert continues_table(first, following, find_columns(first.rows)) is continues


def test_a_table_cut_by_a_page_break_reads_as_one():
    first = table(HEADER, ("1", "Een afspraak die doorloopt", "Gemeente", "2024"), page=3)
    second = table(HEADER, ("", "op de volgende pagina.", "", ""), ("2", "Nog een.", "Allen", "2025"), page=4)
    items = table_items([first, second])
    assert [(i.number, i.text, i.block.page) for i in items] == [
        ("1", "Een afspraak die doorloopt op de volgende pagina.", 3), ("2", "Nog een.", 4)]


# -- tables without a number column ----------------------------------------------------

UNNUMBERED = ("Afspraak", "Wie", "Wanneer")


def test_unnumbered_rows_are_numbered_by_their_place():
    items = table_items([table(
        ("Thema betaalbaarheid", "", ""),  # a caption above the header
        UNNUMBERED,
        ("De corporaties beperken de huurstijging tot de inflatie.", "Corporaties", "2024"),
        ("De gemeente zet in op: \u2022 energiecoaches \u2022 een fonds", "Gemeente", "Q2 2024"),
        ("Doorkijk naar 2025", "", ""),  # a group row
        ("Partijen evalueren de afspraken.", "", ""),  # a sentence: an afspraak without owner
        ("Zonnepanelen op 150 woningen", "Thuisbest", ""),  # no sentence end, but an owner
        ("", "", ""),
    )])
    assert [(i.number, i.printed, i.owner, i.due) for i in items] == [
        ("1", False, "Corporaties", "2024"), ("2", False, "Gemeente", "Q2 2024"),
        ("3", False, None, None), ("4", False, "Thuisbest", None)]
    assert [i.outlook for i in items] == [False, False, True, True]  # below "Doorkijk naar 2025"
    assert items[1].text == "De gemeente zet in op:\n- energiecoaches\n- een fonds"
    assert items[2].text == "Partijen evalueren de afspraken."


def test_unnumbered_rows_within_a_page_are_afspraken_of_their_own():
    """Without a page break nothing cut a row: a row without owner is an afspraak too."""
    items = table_items([table(
        UNNUMBERED,
        ("De corporaties beperken de huurstijging", "Corporaties", "2024"),
        ("De gemeente zet energiecoaches in.", "", ""),
        ("", "en HV Dijkveld", "Q3"),  # only the owner and timing cells ran on
    )])
    assert [(i.number, i.text, i.owner, i.due) for i in items] == [
        ("1", "De corporaties beperken de huurstijging", "Corporaties", "2024"),
        ("2", "De gemeente zet energiecoaches in.", "en HV Dijkveld", "Q3")]


@pytest.mark.parametrize("first_row_on_the_next_page, joined", [
    (("op de volgende pagina.", "", ""), True),  # the row Word cut at the page's end
    (("Op de volgende pagina staat een nieuwe afspraak.", "Allen", "2025"), False),  # it has an owner
    (("Op de volgende pagina staat een nieuwe afspraak.", "", "2025"), False),  # it has a timing
])
def test_unnumbered_row_cut_by_a_page_break(first_row_on_the_next_page, joined):
    first = table(UNNUMBERED, ("Een afspraak die doorloopt", "Gemeente", "2024"), page=3)
    second = table(UNNUMBERED, first_row_on_the_next_page, ("Nog een.", "Allen", "2025"), page=4)
    items = table_items([first, second])
    if joined:
        assert [(i.number, i.text, i.owner, i.block.page) for i in items] == [
            ("1", "Een afspraak die doorloopt op de volgende pagina.", "Gemeente", 3), ("2", "Nog een.", "Allen", 4)]
    else:
        assert [(i.number, i.text) for i in items] == [
            ("1", "Een afspraak die doorloopt"), ("2", first_row_on_the_next_page[0]), ("3", "Nog een.")]


@pytest.mark.parametrize("last_row_on_the_page", [
    ("Een afspraak die af is.", "Gemeente", "2024"),  # it ends a sentence
    ("Doorkijk naar 2025", "", ""),  # a group row, not an afspraak to continue
])
def test_unnumbered_page_break_between_rows(last_row_on_the_page):
    first = table(UNNUMBERED, ("Een eerste afspraak.", "Allen", "2024"), last_row_on_the_page, page=3)
    opening = "Partijen overleggen ieder kwartaal over de voortgang van alle afspraken"
    second = table((opening, "", ""), page=4)  # no repeated header
    assert continues_table(first, second, find_columns(first.rows))
    texts = [i.text for i in table_items([first, second])]
    assert texts[-1] == opening
    assert len(texts) == 1 + (last_row_on_the_page[1] != "") + 1


@pytest.mark.parametrize("rows, numbers", [
    # a theme letter OCR misread, in the series of its group's caption
    ((("Nr.", "Afspraak", "Wie"), ("L Leefbaarheid", "", ""), ("L1", "De gemeente doet iets.", "Gemeente"),
      ("L2", "De corporaties doen iets.", "Corporaties"), ("E3", "Partijen doen iets.", "Allen")),
     ["L1", "L2", "L3"]),
    ((("Nr.", "Afspraak", "Wie"), ("D. Duurzaamheid", "", ""), ("D1", "De gemeente doet iets.", "Gemeente"),
      ("O2", "De corporaties doen iets.", "Corporaties")), ["D1", "D2"]),
    # a new letter that starts its own series stays
    ((("Nr.", "Afspraak", "Wie"), ("L Leefbaarheid", "", ""), ("L1", "De gemeente doet iets.", "Gemeente"),
      ("M1", "De corporaties doen iets.", "Corporaties")), ["L1", "M1"]),
])
def test_theme_letters_follow_their_group(rows, numbers):
    assert [item.number for item in table_items([Block("", kind=TABLE, rows=rows)])] == numbers
