"""Indexed rent thresholds: the table of official values and what counts as indexation."""

from __future__ import annotations

import csv

import pytest

from pipeline.indexation import (THRESHOLDS_CSV, Indexation, find_indexation, is_indexation,
                                 load_thresholds, read_number)
from pipeline.types import Quantity

NAMES = {"kwaliteitskortingsgrens", "eerste aftoppingsgrens", "tweede aftoppingsgrens",
         "liberalisatiegrens", "huurtoeslaggrens"}


def test_table_has_the_official_values_we_rely_on():
    values = {(t.year, t.name): t.value for t in load_thresholds()}
    assert values[(2020, "tweede aftoppingsgrens")] == 663.40
    assert values[(2021, "eerste aftoppingsgrens")] == 633.25
    assert values[(2022, "liberalisatiegrens")] == 763.47
    assert values[(2023, "kwaliteitskortingsgrens")] == 452.20
    assert values[(2024, "tweede aftoppingsgrens")] == 697.07
    assert values[(2025, "eerste aftoppingsgrens")] == 682.96
    assert values[(2026, "huurtoeslaggrens")] == 932.93


def test_table_is_well_formed():
    with THRESHOLDS_CSV.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["year", "name", "value"]
    assert {r["name"] for r in rows} == NAMES
    keys = [(r["year"], r["name"]) for r in rows]
    assert len(keys) == len(set(keys)), "a threshold listed twice for one year"
    assert all(2018 <= int(r["year"]) <= 2026 and 300 < float(r["value"]) < 1000 for r in rows)
    # Thresholds are indexed upwards or frozen, never lowered.
    for name in NAMES:
        series = sorted((t.year, t.value) for t in load_thresholds() if t.name == name)
        assert all(a[1] <= b[1] for a, b in zip(series, series[1:])), name


@pytest.mark.parametrize("old, new, old_year, new_year, expected", [
    (663, 678, 2021, 2022, Indexation("tweede aftoppingsgrens", 2020, 2021, 663.40, 678.66)),
    (619, 633, 2021, 2022, Indexation("eerste aftoppingsgrens", 2020, 2021, 619.01, 633.25)),
    (737, 752, 2021, 2022, Indexation("liberalisatiegrens", 2020, 2021, 737.14, 752.33)),
    (432.51, 442.46, 2021, 2022, Indexation("kwaliteitskortingsgrens", 2020, 2021, 432.51, 442.46)),
    (678.66, 693.60, 2022, 2023, Indexation("tweede aftoppingsgrens", 2022, 2023, 678.66, 693.60)),
    (763, 808, 2022, 2023, Indexation("liberalisatiegrens", 2022, 2023, 763.47, 808.06)),
    (808.06, 879.66, None, None, Indexation("liberalisatiegrens", 2023, 2024, 808.06, 879.66)),
    (697, 731, 2025, 2026, Indexation("tweede aftoppingsgrens", 2024, 2025, 697.07, 731.93)),
    (900, 932, 2025, 2026, Indexation("huurtoeslaggrens", 2025, 2026, 900.07, 932.93)),
])
def test_indexation_found(old, new, old_year, new_year, expected):
    assert find_indexation(old, new, old_year, new_year) == expected
    assert is_indexation(old, new, old_year, new_year)


@pytest.mark.parametrize("old, new, old_year, new_year, why", [
    (94, 110, 2021, 2022, "a count of dwellings"),
    (663, 700, 2021, 2022, "the new value is no threshold"),
    (663, 663, 2021, 2022, "unchanged"),
    (678, 663, 2022, 2021, "back to an earlier year's value"),
    (633, 678, 2021, 2022, "two different thresholds"),
    (663, 678, 2030, 2031, "no values for those years"),
    (None, 678, 2021, 2022, "no old amount"),
])
def test_no_indexation(old, new, old_year, new_year, why):
    assert not is_indexation(old, new, old_year, new_year), why


def test_quantities_must_be_euro():
    euro = Quantity("euro", 663.0, "EUR", "€ 663")
    indexed = Quantity("euro", 678.0, "EUR", "€ 678")
    count = Quantity("count", 678.0, "woningen", "678 woningen")
    assert is_indexation(euro, indexed, 2021, 2022)
    assert not is_indexation(euro, count, 2021, 2022)


def test_shared_values_prefer_the_step_of_the_agreements():
    """liberalisatiegrens and huurtoeslaggrens share values; file order breaks the tie."""
    assert find_indexation(752, 763, 2022, 2023).name == "liberalisatiegrens"


@pytest.mark.parametrize("text, value", [
    ("663", 663.0), ("678,66", 678.66), ("1.535", 1535.0), ("737.14", 737.14), ("38.000", 38000.0),
    ("1.500,50", 1500.5), ("663,-", 663.0), ("€", None), ("", None),
])
def test_read_number(text, value):
    assert read_number(text) == value
