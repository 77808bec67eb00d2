"""Parse a fixture text (the seed's plain-text conventions) into typed elements.

Both renderers (PDF and DOCX) consume these elements, so one text becomes every format.
The rules here describe *the fixture's* layout, not the pipeline's: they decide which
Word style or PDF font a line gets, exactly as an author of the original document did.

    1 Inleiding                 -> Element("heading", level=1)
    4.1 Betaalbaarheid          -> Element("heading", level=2)
    Prestaties gemeente 2021    -> Element("heading", level=3)
    12. De Volmacht hanteert .. -> Element("item", number="12")
     - 80% van de woningen ...  -> Element("bullet")
    ¹ De huurprijsgrenzen ...   -> Element("footnote", number="1")
    a<TAB>b<TAB>c               -> Element("table", rows=...)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# The repo's copy of the reference document (scripts/make_samples.py refreshes it from
# shared/seeds/ when that folder is beside the checkout).
SEED = Path(__file__).resolve().parents[2] / "inputs" / "aa-en-hunze-2021.txt"

_CHAPTER = re.compile(r"^(\d+) ([A-Z][^.]{0,60})$")
_THEME = re.compile(r"^(\d+\.\d+) ([A-Z].{0,60})$")
_SUBHEADING = re.compile(
    r"^(Prestaties .*\d{4}|Gezamenlijke (afspraken|prestaties) \d{4}|Doorkijk naar .*|"
    r"De Volmacht en Woonborg \d{4}|Rollen en verantwoordelijkheden per partij|"
    r"Woonborg en De Volmacht|AH WOON en De Deelmacht|Gemeente Aa en Hunze|Ondertekening)$"
)
_ITEM = re.compile(r"^(\d+)\. (.*)$")
_BULLET = re.compile(r"^\s*[-\u2022] (.*)$")
_FOOTNOTE = re.compile(r"^([\u00b9\u00b2\u00b3]) (.*)$")
_BOLD = re.compile(r"\*\*(.+?)\*\*")


@dataclass(frozen=True)
class Element:
    kind: str  # title | heading | item | bullet | footnote | paragraph | table
    text: str = ""
    level: int = 0  # heading level 1..3
    number: str | None = None  # printed item number / footnote mark
    rows: tuple[tuple[str, ...], ...] = ()
    preamble: bool = False  # before the first chapter (party list, signatures)


def is_table_line(line: str, next_line: str, in_table: bool) -> bool:
    """A row of a tab-separated table: a tab between texts, or a tab-indented line (a
    header with empty first cells) inside a table or right before one."""
    def has_inner_tab(text: str) -> bool:
        return "\t" in text.strip("\t ")
    return has_inner_tab(line) or (line.startswith("\t") and (in_table or has_inner_tab(next_line)))


def parse(text: str) -> list[Element]:
    elements: list[Element] = []
    rows: list[tuple[str, ...]] = []
    preamble = True

    def flush() -> None:
        if rows:
            elements.append(Element("table", rows=tuple(rows), preamble=preamble))
            rows.clear()

    lines = text.splitlines()
    for index, raw in enumerate(lines):
        line = _BOLD.sub(r"\1", raw.rstrip())
        next_line = lines[index + 1] if index + 1 < len(lines) else ""
        if is_table_line(line, next_line, in_table=bool(rows)):
            rows.append(tuple(cell.strip() for cell in line.split("\t")))
            continue
        flush()
        stripped = line.strip()
        if not stripped:
            continue
        if preamble and _CHAPTER.match(stripped):
            preamble = False
        if not elements:
            elements.append(Element("title", stripped, preamble=True))
        elif m := _CHAPTER.match(stripped):
            elements.append(Element("heading", stripped, level=1))
        elif m := _THEME.match(stripped):
            elements.append(Element("heading", stripped, level=2))
        elif _SUBHEADING.match(stripped.rstrip(".")):
            elements.append(Element("heading", stripped, level=3, preamble=preamble))
        elif m := _ITEM.match(stripped):
            elements.append(Element("item", m.group(2), number=m.group(1), preamble=preamble))
        elif m := _BULLET.match(line):
            elements.append(Element("bullet", m.group(1), preamble=preamble))
        elif m := _FOOTNOTE.match(stripped):
            elements.append(Element("footnote", m.group(2), number=m.group(1)))
        else:
            elements.append(Element("paragraph", stripped, preamble=preamble))
    flush()
    return elements


def seed_elements() -> list[Element]:
    return parse(SEED.read_text(encoding="utf-8"))


LONG_FOOTNOTE = ("De huurprijsgrenzen in deze prestatieafspraken zijn gebaseerd op prijspeil 2020; de "
                 "aftoppingsgrenzen worden ieder jaar per 1 januari door het Rijk geïndexeerd, en de "
                 "corporaties passen hun streefhuren daarop aan zonder dat partijen deze afspraak opnieuw "
                 "vaststellen. Voor woningen met een tijdelijke huurkorting geldt de huurprijs na afloop "
                 "van de korting, tenzij de huurder binnen de inkomensgrens voor passend toewijzen valt.")


def long_footnote_elements() -> list[Element]:
    """A chapter of 14 afspraken; item 9 carries "¹", a footnote of five lines, item 13 "²".

    Rendered to PDF with `footnote_room=30`, items 1-9 fill page 1 and footnote ¹ prints
    three lines at its foot and the rest at the foot of page 2, above footnote ².
    """
    elements = [Element("heading", "4 Betaalbaarheid", level=1)]
    for n in range(1, 15):
        mark = {9: " ¹", 13: " ²"}.get(n, "")
        elements.append(Element("item", f"De Volmacht en Woonborg houden in {2020 + n % 3} de huren van "
                                f"{n * 7} woningen in wijk {n} betaalbaar door de jaarlijkse huurverhoging "
                                f"te beperken tot de inflatie{mark}.", number=str(n)))
    return elements + [Element("footnote", LONG_FOOTNOTE, number="¹"),
                       Element("footnote", "Zie de Woonvisie 2016+.", number="²")]
