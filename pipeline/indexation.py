"""Yearly indexed rent thresholds: is "€ 663 -> € 678" a policy change or just indexation?

Agreements quote the thresholds of the huurtoeslag and the liberalisatiegrens in whole
euros ("de tweede aftoppingsgrens (€ 663)", prijspeil 2020) and the next year's agreement
quotes the indexed value ("€ 678", prijspeil 2021). That is a carry-over, not a new
commitment, so the diff reports it apart from other quantity changes:

    >>> find_indexation(663, 678, 2021, 2022).name
    'tweede aftoppingsgrens'
    >>> is_indexation(94, 110, 2021, 2022)
    False

The official values per year live in pipeline/data/thresholds.csv (year, name, value).
Only values we are sure of are listed: 2018-2025 for all five thresholds, and for 2026
the two huurtoeslag values announced for that year: the kwaliteitskortingsgrens (EUR
498.20, the maximum rent for tenants under 21) and the maximum huurgrens (EUR 932.93;
from 2026 no toeslag is paid over the rent above it). The 2026 aftoppingsgrenzen and
liberalisatiegrens are left out until checked against the Staatscourant. A missing year
simply means no indexation is recognised for it.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.types import Quantity

THRESHOLDS_CSV = Path(__file__).resolve().parent / "data" / "thresholds.csv"

# Agreements print whole euros, rounded or cut off: 663.40 -> "€ 663", 678.66 -> "€ 678" or "€ 679".
ROUNDING_TOLERANCE = 1.0
# The agreement for year N quotes thresholds of year N-2 .. N+1: "prijspeil 2020" in the
# agreement for 2021 is the common case, the next year's announced value the rarer one.
YEARS_BEFORE = 2
YEARS_AFTER = 1


@dataclass(frozen=True)
class Threshold:
    year: int
    name: str  # "tweede aftoppingsgrens"
    value: float  # euro per month


@dataclass(frozen=True)
class Indexation:
    """One threshold quoted at two years' values: the reason a number moved."""

    name: str
    old_year: int
    new_year: int
    old_value: float  # the official values, not the printed ones
    new_value: float

    def describe(self) -> str:
        """How the report names it.

        >>> Indexation("liberalisatiegrens", 2020, 2021, 737.14, 752.33).describe()
        'liberalisatiegrens 2020 → 2021'
        """
        return f"{self.name} {self.old_year} → {self.new_year}"


@functools.cache
def load_thresholds(path: Path = THRESHOLDS_CSV) -> tuple[Threshold, ...]:
    """The table of official values, in file order (which also breaks ties between names)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple(Threshold(int(row["year"]), row["name"].strip(), float(row["value"]))
                     for row in csv.DictReader(handle))


def read_number(text: str) -> float | None:
    """A number as printed in a Dutch agreement; None when it is not one.

    >>> read_number("1.535"), read_number("678,66"), read_number("737.14"), read_number("€")
    (1535.0, 678.66, 737.14, None)
    """
    text = text.strip().removesuffix(",-")
    if re.fullmatch(r"[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]+)?", text):
        text = text.replace(".", "")  # dots group thousands
    text = text.replace(",", ".")
    return float(text) if re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", text) else None


def euro_value(quantity: Quantity | float | int | str | None) -> float | None:
    """The amount in euro of a Quantity (kind euro), a plain number or a printed number."""
    if isinstance(quantity, Quantity):
        if quantity.kind != "euro" or isinstance(quantity.value, str) or quantity.value is None:
            return None
        return float(quantity.value)
    if isinstance(quantity, bool) or quantity is None:
        return None
    if isinstance(quantity, (int, float)):
        return float(quantity)
    return read_number(quantity)


def thresholds_near(value: float, year: int | None,
                    thresholds: tuple[Threshold, ...]) -> list[Threshold]:
    """Official values the printed `value` can stand for, in an agreement for `year`."""
    return [t for t in thresholds
            if abs(t.value - value) < ROUNDING_TOLERANCE
            and (year is None or year - YEARS_BEFORE <= t.year <= year + YEARS_AFTER)]


def find_indexation(old_quantity: Quantity | float | int | str | None,
                    new_quantity: Quantity | float | int | str | None,
                    old_year: int | None = None, new_year: int | None = None,
                    thresholds: tuple[Threshold, ...] | None = None) -> Indexation | None:
    """The threshold both amounts stand for, at a later year's value in the new agreement.

    When several readings fit (the liberalisatiegrens and the huurtoeslaggrens share their
    values) the one whose year step equals the agreements' step wins, then file order.

    >>> find_indexation(737, 752, 2021, 2022).describe()
    'liberalisatiegrens 2020 → 2021'
    >>> find_indexation(633, 633, 2021, 2022) is None  # unchanged is no indexation
    True
    """
    old_value, new_value = euro_value(old_quantity), euro_value(new_quantity)
    if old_value is None or new_value is None or old_value == new_value:
        return None
    table = load_thresholds() if thresholds is None else thresholds
    step = None if old_year is None or new_year is None else new_year - old_year
    readings = [(o, n) for o in thresholds_near(old_value, old_year, table)
                for n in thresholds_near(new_value, new_year, table)
                if o.name == n.name and n.year > o.year]
    if not readings:
        return None
    order = {t: i for i, t in enumerate(table)}
    old, new = min(readings, key=lambda r: (step is not None and r[1].year - r[0].year != step,
                                            order[r[0]]))
    return Indexation(old.name, old.year, new.year, old.value, new.value)


def is_indexation(old_quantity: Quantity | float | int | str | None,
                  new_quantity: Quantity | float | int | str | None,
                  old_year: int | None = None, new_year: int | None = None) -> bool:
    """True when the change of an amount is the yearly indexation of a rent threshold.

    >>> is_indexation(663, 678, 2021, 2022), is_indexation(663, 700, 2021, 2022)
    (True, False)
    """
    return find_indexation(old_quantity, new_quantity, old_year, new_year) is not None
