"""Four years of one agreement, built from the seed by tracked edits, and every chain the
lineage must find through them.

    2021  the seed                                                          aa-en-hunze-2021.txt
    2022  pair_2021_2022's edits (an item inserted early renumbers all after aa-en-hunze-2022.docx
          it; a split, a merge, drops, news, rewording) and a follow-up action
          reworded: "In 2022 onderzoeken partijen ... kaderafspraken" ->
          "In 2022 stellen partijen meerjarige kaderafspraken op ..."
    2023  pair_2022_2023's edits and another follow-up: "De gemeente wil ...  aa-en-hunze-2023.txt
          een in 2023 op te stellen warmtetransitieplan" -> "De gemeente stelt
          in 2023 ... de Transitievisie Warmte vast"
    2024  a layout change: one table per theme (Nr. | Afspraak | Wie |       aa-en-hunze-2024.pdf
          Wanneer, numbers restarting in every table); two rows merged into
          one that also says when it is discussed; one row dropped, one new;
          one row reworded beyond recognition and moved to the end of its table
          (only a correction can pair it)

Items are tracked by their 2021 number through the edits ("16a" for a part of 16, "70+71"
for a merge, "new-..." for a new item), so `expected_chains` knows every chain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.matching import DROPPED, MERGED, MODIFIED, NEW, SPLIT, UNCHANGED
from tests.render.docx import render_docx
from tests.render.layout_pdf import render_layout_pdf
from tests.render.layout_source import Part
from tests.render.source import parse
from tests.render.years import PARTIES, Draft, YearPair, edits_2022_2023, heading_owners, pair_2021_2022

YEARS = (2021, 2022, 2023, 2024)
FILES = {2021: "aa-en-hunze-2021.txt", 2022: "aa-en-hunze-2022.docx", 2023: "aa-en-hunze-2023.txt",
         2024: "aa-en-hunze-2024.pdf"}
TABLE_HEADER = ("Nr.", "Afspraak", "Wie", "Wanneer")

FOLLOW_UP_2022 = ("9", "In 2022 onderzoeken partijen de mogelijkheden om tot meerjarige prestatieafspraken en "
                  "kaderafspraken te komen.",
                  "In 2022 stellen partijen meerjarige kaderafspraken op en leggen die voor aan de gemeenteraad.")
FOLLOW_UP_2023 = ("37", "De gemeente wil samen met de woningbouwcorporaties en huurdersorganisaties inhoud geven "
                  "aan een in 2023 op te stellen warmtetransitieplan (proces).",
                  "De gemeente stelt in 2023 samen met de woningbouwcorporaties en huurdersorganisaties de "
                  "Transitievisie Warmte vast.")
# Two rows become one that also says when they are discussed: each lies inside the new one.
MERGE_2024 = (["66", "67"], "Partijen bespreken de voortgang hiervan twee keer per jaar in het bestuurlijk overleg "
              "en stellen de aanpak zo nodig bij.")
# Reworded beyond recognition and moved to the end of its table: the matcher cannot pair it.
MISSED_2024 = ("38", "new-bewustwording", "De gemeente organiseert in 2024 voor particuliere eigenaren twee "
               "avonden met een energieloket, waar bewoners gratis advies over isolatie krijgen.")
NEW_2024 = ("29", "new-flexwonen", "Woonborg en De Volmacht onderzoeken in 2024 samen met de gemeente of "
            "flexwoningen voor spoedzoekers in Gieten en Rolde haalbaar zijn.")
DROPPED_2024 = "65"


@dataclass
class Series:
    """Four drafts, the relations between consecutive ones, and where each item's key is."""

    drafts: dict[int, Draft]
    pairs: dict[int, YearPair]  # by the later year
    keys: dict[int, dict[str, str]] = field(default_factory=dict)  # year -> ident -> key in the extraction
    folder: Path | None = None

    def document(self, year: int) -> str:
        return Path(FILES[year]).stem

    def commitment_id(self, year: int, ident: str) -> str:
        return f"{self.document(year)}#{self.keys[year][ident]}"


def four_years() -> Series:
    """The drafts and relations of the four years (nothing rendered yet)."""
    first = pair_2021_2022()
    ident, old, new = FOLLOW_UP_2022
    first.new.replace(ident, old, new)
    first.relations.append((MODIFIED, (ident,), (ident,)))

    second = edits_2022_2023(first.new)
    ident, old, new = FOLLOW_UP_2023
    second.new.replace(ident, old, new)
    second.relations.append((MODIFIED, (ident,), (ident,)))

    third = YearPair(second.new, second.new.copy(), 2023, 2024)
    draft = third.new
    draft.bump_years((2021, 2022, 2023))
    parts, addition = MERGE_2024
    draft.merge(parts, " ".join([*(draft.item(ident).text for ident in parts), addition]))
    third.relations.append((MERGED, tuple(parts), ("+".join(parts),)))
    draft.drop(DROPPED_2024)
    third.relations.append((DROPPED, (DROPPED_2024,), ()))
    anchor, ident, text = NEW_2024
    draft.insert_after(anchor, ident, text)
    third.relations.append((NEW, (), (ident,)))
    old_ident, new_ident, text = MISSED_2024
    draft.drop(old_ident)
    last_in_theme = "41"  # the last item of 4.3 (its outlook) in 2023
    draft.insert_after(last_in_theme, new_ident, text)
    third.relations += [(DROPPED, (old_ident,), ()), (NEW, (), (new_ident,))]

    drafts = {2021: first.old, 2022: first.new, 2023: second.new, 2024: third.new}
    series = Series(drafts, {2022: first, 2023: second, 2024: third})
    for year in (2021, 2022, 2023):
        series.keys[year] = drafts[year].render()[1]  # the printed number is the key
    series.keys[2024] = table_parts(drafts[2024])[1]
    return series


def write_series(series: Series, folder: Path) -> Series:
    """The four documents in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    text_2021, _ = series.drafts[2021].render()
    (folder / FILES[2021]).write_text(text_2021, encoding="utf-8")
    render_docx(parse(series.drafts[2022].render()[0]), folder / FILES[2022])
    (folder / FILES[2023]).write_text(series.drafts[2023].render()[0], encoding="utf-8")
    parts, _ = table_parts(series.drafts[2024])
    render_layout_pdf(parts, folder / FILES[2024], header="Gemeente Aa en Hunze - prestatieafspraken 2024")
    series.folder = folder
    return series


# --------------------------------------------------------------------------- the table layout


def wie(owners: tuple[str, ...]) -> str:
    """The Wie cell for owners: "Partijen" for all, else their names.

    >>> wie(("de gemeente",)), wie(("Woonborg", "De Volmacht"))
    ('Gemeente', 'Woonborg, De Volmacht')
    """
    if set(owners) == set(PARTIES):
        return "Partijen"
    return ", ".join("Gemeente" if o == "de gemeente" else o for o in owners)


def table_parts(draft: Draft) -> tuple[list[Part], dict[str, str]]:
    """The draft as layout parts with a commitments table per theme (per chapter where a
    chapter has no themes), and the key each item gets ("4.1/3": the theme's number and
    the row's, as the extraction names rows of tables that number from 1 again)."""
    text, numbers = draft.render()
    ident_of = {number: ident for ident, number in numbers.items()}
    parts: list[Part] = []
    keys: dict[str, str] = {}
    intro: list[Part] = []
    notes: list[Part] = []  # footnotes of the rows, printed below their table
    rows: list[list[str]] = []
    table_label = None
    section = None
    open_row = after_note = False

    def flush() -> None:
        nonlocal rows
        parts.extend(intro)
        intro.clear()
        if rows:
            parts.append(Part("table", rows=(TABLE_HEADER, *map(tuple, rows))))
        parts.extend(notes)
        notes.clear()
        rows = []

    for element in parse(text):
        if element.preamble:
            kind = {"title": "title", "item": "item", "heading": "heading"}.get(element.kind, "paragraph")
            parts.append(Part(kind, element.text, level=3 if kind == "heading" else 0, preamble=True,
                              label=f"{element.number}." if kind == "item" else None))
            continue
        if element.kind == "heading":
            open_row = False
            if element.level <= 2:
                flush()
                label = element.text.split()[0]
                parts.append(Part("heading", element.text, level=element.level, label=label))
                table_label, section = label, None
            else:
                section = element.text.rstrip(".")
            continue
        if element.kind == "item":
            owners = heading_owners(section)
            due = "na 2024" if section and section.startswith("Doorkijk") else "2024"
            rows.append([str(len(rows) + 1), element.text, wie(owners), due])
            keys[ident_of[element.number]] = f"{table_label}/{len(rows)}"
            open_row = True
            continue
        if open_row and element.kind == "bullet":
            rows[-1][1] += f" \u2022 {element.text}"
            continue
        # A paragraph goes on with its item when it starts in lower case, or right after the
        # item's footnote (the seed's item 17 goes on after a page's footnote).
        if open_row and element.kind == "paragraph" and (element.text[:1].islower() or after_note):
            rows[-1][1] += f" {element.text}"
            after_note = False
            continue
        after_note = element.kind == "footnote"
        if element.kind == "footnote":
            notes.append(Part("paragraph", f"{element.number} {element.text}"))
            continue
        open_row = False
        if element.kind == "table":
            (intro if not rows else parts).append(Part("table", rows=element.rows))
        else:
            target = intro if not rows else None
            if target is None:
                flush()
                target = parts
            target.append(Part("paragraph", element.text))
    flush()
    assert len(set(keys.values())) == len(keys), "a theme's table was cut in two"
    return parts, keys


# --------------------------------------------------------------------------- expected chains


@dataclass(frozen=True)
class ExpectedChain:
    """A chain as (year, ident or None, status) per year it reaches; start, end and the
    first ident of its parent (split) or of the chain it merged into."""

    steps: tuple[tuple[int, str | None, str], ...]
    start: str
    end: str
    parent: tuple[int, str] | None = None
    merged_into: tuple[int, str] | None = None


def expected_chains(series: Series, pins: dict[int, list[tuple[str, str]]] | None = None,
                    forbids: dict[int, list[tuple[str, str]]] | None = None) -> list[ExpectedChain]:
    """Every chain of the series by the tracked edits (carried over when an ident is kept),
    after `pins` (two items of year and year-1 that are one: modified) and `forbids` (one
    carried-over pair that is not: dropped and new), by idents.

    The documented chain rules (pipeline/lineage.py): a split goes on in its first part, the
    others start chains with a parent; a merge goes on from its first part, the others end.
    """
    chains: list[dict] = []
    own: dict[str, dict] = {}  # ident -> chain, for the year being read
    for ident in series.drafts[2021].idents():
        chains.append(_chain([(2021, ident, "")], "first-year"))
        own[ident] = chains[-1]
    for year in YEARS[1:]:
        pair = series.pairs[year]
        relations = _relations(pair, (pins or {}).get(year, []), (forbids or {}).get(year, []))
        order = {ident: i for i, ident in enumerate(pair.old.idents())}
        order_new = {ident: i for i, ident in enumerate(pair.new.idents())}
        now: dict[str, dict] = {}
        for status, olds, news in relations:
            olds = sorted(olds, key=order.get)
            news = sorted(news, key=order_new.get)
            if not olds:
                for ident in news:
                    chains.append(_chain([(year, ident, NEW)], NEW))
                    now[ident] = chains[-1]
            elif not news:
                own[olds[0]]["steps"].append((year, None, DROPPED))
                own[olds[0]]["end"] = DROPPED
            else:
                first = own[olds[0]]
                first["steps"].append((year, news[0], status))
                now[news[0]] = first
                for ident in news[1:]:
                    chains.append(_chain([(year, ident, status)], SPLIT, parent=first["steps"][0][:2]))
                    now[ident] = chains[-1]
                for ident in olds[1:]:
                    own[ident]["steps"].append((year, None, status))
                    own[ident].update(end=MERGED, merged_into=first["steps"][0][:2])
        own = now
    return [ExpectedChain(tuple(c["steps"]), c["start"], c["end"] or "last-year", c["parent"], c["merged_into"])
            for c in chains]


def _chain(steps, start, parent=None) -> dict:
    return {"steps": steps, "start": start, "end": None, "parent": parent, "merged_into": None}


def _relations(pair: YearPair, pins: list[tuple[str, str]], forbids: list[tuple[str, str]]
               ) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """The pair's relations by idents: the listed ones, a carry-over for every kept ident;
    then the pins and forbids applied."""
    listed = {i for _, olds, news in pair.relations for i in olds + news}
    new_idents = set(pair.new.idents())
    relations = list(pair.relations)
    relations += [(UNCHANGED, (i,), (i,)) for i in pair.old.idents() if i not in listed and i in new_idents]
    for old, new in pins:
        relations = [r for r in relations if r not in ((DROPPED, (old,), ()), (NEW, (), (new,)))]
        relations.append((MODIFIED, (old,), (new,)))
    for old, new in forbids:
        relations = [r for r in relations if not (r[1] == (old,) and r[2] == (new,))]
        relations += [(DROPPED, (old,), ()), (NEW, (), (new,))]
    return relations


def numbered(text: str) -> list[str]:
    """The item numbers a rendered text prints, in order (for sanity checks)."""
    return re.findall(r"^(\d+)\. ", text, flags=re.M)
