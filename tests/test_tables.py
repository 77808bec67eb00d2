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
])
def test_column_role(cell, role):
    assert column_role(cell) == role


@pytest.mark.parametrize("rows, found", [
    ((HEADER, ("1", "De gemeente bouwt.", "Gemeente", "2024")), (0, 0, 1, 2, 3)),
    ((("Thema Betaalbaarheid", "", ""), ("Actie", "#", "Trekker"), ("De gemeente bouwt.", "1", "Gemeente")),
     (1, 1, 0, 2, None)),
    # the seed's agenda: a timing column, but no number and no afspraak
    ((("Termijn", "Overleg resp. gespreksonderwerpen"), ("Juni 2021", "Ambtelijk overleg")), None),
    ((("Afspraak", "Wie"), ("De gemeente bouwt.", "Gemeente")), None),  # not numbered
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
