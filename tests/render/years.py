"""Two years of one agreement, built from the seed by tracked edits.

A `Draft` is an agreement text whose numbered items can be edited, inserted, moved,
split and merged; `render` numbers them 1..n again, as next year's document would. A
`YearPair` knows every relation the matcher must find. Used by the matching, report and
CLI tests and by scripts/make_samples.py (inputs/aa-en-hunze-2022.*).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field, replace

from pipeline.matching import DROPPED, MERGED, MODIFIED, NEW, SPLIT, UNCHANGED
from pipeline.types import CURRENT, OUTLOOK, Commitment, Section
from tests.render.source import SEED, parse

SEED_TEXT = SEED.read_text(encoding="utf-8")
PARTIES = ("de gemeente", "Woonborg", "AH WOON", "De Volmacht", "De Deelmacht")
_ITEM_LINE = re.compile(r"^(\d+)\. (.*)$")


# --------------------------------------------------------------------------- commitments from text


def heading_owners(heading: str | None) -> tuple[str, ...]:
    """Owners a section heading names; joint, outlook and chapter-level items belong to all.

    >>> heading_owners("Prestaties Woonborg en De Volmacht 2021")
    ('Woonborg', 'De Volmacht')
    """
    if not heading or heading.startswith(("Gezamenlijke", "Doorkijk")):
        return PARTIES
    named = tuple(p for p in PARTIES if re.search(rf"\b{re.escape(p.removeprefix('de '))}\b", heading, re.I))
    return named or PARTIES


def commitments_from_text(text: str, document: str, year: int) -> list[Commitment]:
    """The numbered items of an agreement text (the seed's conventions) as Commitments, with
    chapter/theme/section and owners from the headings, the way the extraction stages do.

    Bullets after an item are its sub-items; a paragraph starting in lower case continues it.
    """
    found: list[Commitment] = []
    chapter = theme = section = None
    open_item = False
    for element in parse(text):
        if element.preamble:
            continue
        if element.kind == "heading":
            open_item = False
            if element.level == 1:
                chapter, theme, section = element.text, None, None
            elif element.level == 2:
                theme, section = element.text, None
            else:
                section = element.text.rstrip(".")
            continue
        if element.kind == "item":
            horizon = OUTLOOK if section and section.startswith("Doorkijk") else CURRENT
            place = Section(chapter=chapter, theme=theme, section=section, horizon=horizon,
                            heading_owners=heading_owners(section), in_body=True)
            found.append(Commitment(document, element.number, element.number, element.text, place,
                                    year=year, owners=heading_owners(section), owner_source="heading"))
            open_item = True
            continue
        if open_item and element.kind == "bullet":
            last = found[-1]
            found[-1] = replace(last, text=f"{last.text}\n- {element.text}",
                                subitems=last.subitems + (element.text,))
            continue
        if open_item and element.kind == "paragraph" and element.text[:1].islower():
            last = found[-1]
            found[-1] = replace(last, text=f"{last.text} {element.text}")
            continue
        open_item = False
    return found


# --------------------------------------------------------------------------- editing an agreement


@dataclass
class Item:
    ident: str  # the 2021 number, "16a" for a part of 16, "70+71" for a merge, "new-..." for a new item
    lines: list[str]  # text after the label; bullets and continuation paragraphs on their own lines

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class Draft:
    """An agreement text whose numbered items can be edited, inserted, moved, split and
    merged; `render` numbers the items 1..n again, as the next year's document would."""

    entries: list[str | Item]

    @classmethod
    def from_text(cls, text: str) -> Draft:
        entries: list[str | Item] = []
        lines = text.splitlines()
        body = False
        i = 0
        while i < len(lines):
            line = lines[i]
            body = body or line.startswith("1 Inleiding")
            match = _ITEM_LINE.match(line) if body else None
            if not match:
                entries.append(line)
                i += 1
                continue
            item = Item(match.group(1), [match.group(2)])
            i += 1
            while i < len(lines):
                if re.match(r"^\s*- ", lines[i]):
                    item.lines.append(lines[i])
                elif not lines[i].strip() and i + 1 < len(lines) and lines[i + 1][:1].islower():
                    item.lines += ["", lines[i + 1]]
                    i += 1
                else:
                    break
                i += 1
            entries.append(item)
        return cls(entries)

    def copy(self) -> Draft:
        return copy.deepcopy(self)

    def item(self, ident: str) -> Item:
        return next(e for e in self.entries if isinstance(e, Item) and e.ident == ident)

    def index(self, ident: str) -> int:
        return next(i for i, e in enumerate(self.entries) if isinstance(e, Item) and e.ident == ident)

    def replace(self, ident: str, old: str, new: str) -> None:
        item = self.item(ident)
        text = item.text
        assert old in text, f"{old!r} not in item {ident}"
        item.lines = text.replace(old, new).split("\n")

    def drop(self, ident: str) -> None:
        del self.entries[self.index(ident)]

    def insert_after(self, anchor: str, ident: str, text: str) -> None:
        self.entries.insert(self.index(anchor) + 1, Item(ident, text.split("\n")))

    def insert_heading_after(self, anchor: str, heading: str) -> None:
        self.entries[self.index(anchor) + 1:self.index(anchor) + 1] = ["", heading, ""]

    def move_after(self, ident: str, anchor: str) -> None:
        item = self.entries.pop(self.index(ident))
        self.entries.insert(self.index(anchor) + 1, item)

    def split(self, ident: str, parts: dict[str, str]) -> None:
        at = self.index(ident)
        self.entries[at:at + 1] = [Item(name, text.split("\n")) for name, text in parts.items()]

    def merge(self, idents: list[str], text: str) -> None:
        at = self.index(idents[0])
        for ident in idents:
            self.drop(ident)
        self.entries.insert(at, Item("+".join(idents), text.split("\n")))

    def bump_years(self, years: tuple[int, ...] = (2020, 2021, 2022)) -> None:
        """The agreement year and its neighbours move on by one, everywhere: headings,
        dates, "prijspeil 2020", "Doorkijk naar 2022"; older and far years stay."""
        pattern = re.compile(r"\b(" + "|".join(map(str, years)) + r")\b")

        def bump(text: str) -> str:
            return pattern.sub(lambda m: str(int(m.group()) + 1), text)
        for i, entry in enumerate(self.entries):
            if isinstance(entry, Item):
                entry.lines = [bump(line) for line in entry.lines]
            else:
                self.entries[i] = bump(entry)

    def render(self) -> tuple[str, dict[str, str]]:
        """The text, and the printed number of every item by ident."""
        lines, numbers, n = [], {}, 0
        for entry in self.entries:
            if isinstance(entry, str):
                lines.append(entry)
                continue
            n += 1
            numbers[entry.ident] = str(n)
            lines.append(f"{n}. {entry.lines[0]}")
            lines.extend(entry.lines[1:])
        return "\n".join(lines) + "\n", numbers

    def idents(self) -> list[str]:
        return [e.ident for e in self.entries if isinstance(e, Item)]


@dataclass
class YearPair:
    """Two years of one agreement and every relation the matcher must find between them."""

    old: Draft
    new: Draft
    old_year: int
    new_year: int
    # (status, old idents, new idents) for everything that is not a plain carry-over
    relations: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = field(default_factory=list)

    def texts(self) -> tuple[str, str]:
        return self.old.render()[0], self.new.render()[0]

    def expected(self) -> set[tuple[str, tuple[str, ...], tuple[str, ...]]]:
        """Every relation as (status, old numbers, new numbers): the listed ones, and an
        unchanged carry-over for every item kept under its ident."""
        _, old_numbers = self.old.render()
        _, new_numbers = self.new.render()
        listed = {i for _, olds, news in self.relations for i in olds + news}
        found = {(s, tuple(old_numbers[i] for i in olds), tuple(new_numbers[i] for i in news))
                 for s, olds, news in self.relations}
        for ident in self.old.idents():
            if ident not in listed:
                assert ident in new_numbers, f"item {ident} vanished without a relation"
                found.add((UNCHANGED, (old_numbers[ident],), (new_numbers[ident],)))
        return found

    def number(self, side: str, ident: str) -> str:
        return (self.old if side == "old" else self.new).render()[1][ident]

    def commitments(self) -> tuple[list[Commitment], list[Commitment]]:
        old_text, new_text = self.texts()
        return (commitments_from_text(old_text, f"aa-en-hunze-{self.old_year}", self.old_year),
                commitments_from_text(new_text, f"aa-en-hunze-{self.new_year}", self.new_year))


def pair_2021_2022() -> YearPair:
    """Seed 2021 -> an edited 2022: every kind of relation once, and the year moved everywhere."""
    old = Draft.from_text(SEED_TEXT)
    new = old.copy()
    pair = YearPair(old, new, 2021, 2022)
    new.bump_years()
    # New items; the first, early in the document, renumbers everything after it.
    new.insert_after("4", "new-evaluatie", "Partijen evalueren ieder voorjaar de samenwerking en leggen de "
                     "uitkomsten vast in een kort verslag dat aan de gemeenteraad wordt gestuurd.")
    new.insert_after("38", "new-isolatie", "De gemeente stelt in 2022 een subsidieregeling van € 250.000 "
                     "beschikbaar voor het isoleren van particuliere woningen in de kleine kernen.")
    pair.relations += [(NEW, (), ("new-evaluatie",)), (NEW, (), ("new-isolatie",))]
    # Rewording.
    new.replace("51", "informeert de corporaties en huurdersorganisaties ieder kwartaal over de voortgang van "
                "huisvesting van vergunninghouders",
                "houdt de corporaties en huurdersorganisaties elk kwartaal op de hoogte van de voortgang bij "
                "het huisvesten van statushouders")
    pair.relations.append((MODIFIED, ("51",), ("51",)))
    # Quantities changed (policy), and thresholds indexed (no policy change).
    new.replace("31", "De Volmacht verbetert 94 woningen", "De Volmacht verbetert 110 woningen")
    new.replace("69", "38.000 euro", "40.000 euro")
    pair.relations += [(MODIFIED, ("31",), ("31",)), (MODIFIED, ("69",), ("69",))]
    new.replace("12", "(€ 663)", "(€ 678)")
    new.replace("14", "€ 663", "€ 678")
    new.replace("17", "(€ 619)", "(€ 633)")
    new.replace("17", "(€ 619 / € 663)", "(€ 633 / € 678)")
    new.replace("17", "(€ 663 / € 737)", "(€ 678 / € 752)")
    # Moved from "Prestaties gemeente" (Betaalbaarheid) to the joint items of Beschikbaarheid.
    new.move_after("19", "25")
    # Dropped.
    new.drop("73")
    new.drop("75")
    pair.relations += [(DROPPED, ("73",), ()), (DROPPED, ("75",), ())]
    # Split: Woonborg's rent policy becomes two items.
    new.split("16", {
        "16a": "Woonborg voert een terughoudend huurprijsbeleid en ziet ook de opgave die er ligt. De jaarlijkse "
               "huursomstijging is maximaal inflatie in 2022. Voor de individuele huurder wordt een "
               "gedifferentieerde huurverhoging gehanteerd. Een inkomensafhankelijke huurverhoging behoort "
               "tot de mogelijkheden.",
        "16b": "Woonborg haar investeringscapaciteit is beperkt om de opgave te kunnen realiseren. Woonborg "
               "zoekt hierover vanaf 2022 jaarlijks afstemming met AH WOON en afspraken worden indien nodig "
               "in de prestatieafspraken voor elk jaar na 2022 overeengekomen.",
    })
    pair.relations.append((SPLIT, ("16",), ("16a", "16b")))
    # Merge: the OGGZ network and the cooperation with Attenta become one item.
    new.merge(["70", "71"], "Corporaties participeren, onder regie van de gemeente, actief in het OGGZ-netwerk "
              "en vervullen een signalerende rol waarbij het kan gaan om bijvoorbeeld huurachterstand (of "
              "onregelmatigheid in betalingen), overlast of vervuilde huishoudens. Hierin wordt nadere "
              "invulling gegeven aan een preventieve en proactieve aanpak. De corporaties willen de "
              "samenwerking met Attenta verder verbeteren.")
    pair.relations.append((MERGED, ("70", "71"), ("70+71",)))
    return pair


def pair_2022_2023() -> YearPair:
    """Another year on, other edits: a split by party, a merge of two joint items with
    rewording, items swapped within a section, a whole section dropped, and new wording
    for one item that keeps its number."""
    return edits_2022_2023(pair_2021_2022().new)


def edits_2022_2023(draft_2022: Draft) -> YearPair:
    """The edits of `pair_2022_2023` made to a 2022 draft (a copy; the draft stays as it is)."""
    old = draft_2022.copy()
    new = old.copy()
    pair = YearPair(old, new, 2022, 2023)
    new.bump_years()
    # 31 splits by corporation; its quantities stay.
    new.split("31", {
        "31a": "Woonborg verbetert in Aa en Hunze 14 woningen in 2023 met label A als uitgangspunt. Daarnaast "
               "verbetert Woonborg woningen bij mutatie.",
        "31b": "De Volmacht verbetert 110 woningen naar label A in 2023. Voor beide geldt dat realisatie "
               "afhangt van eventuele belemmeringen vanuit wet- en regelgeving. De NTA 8800 geeft mogelijk "
               "een wijziging in de labels.",
    })
    pair.relations.append((SPLIT, ("31",), ("31a", "31b")))
    # Two joint items on refugees merge, reworded a little.
    new.merge(["43", "44"], "De gemeente is primair verantwoordelijk voor realisatie van de taakstelling en voor "
              "begeleiding en integratie van vergunninghouders. Gemeente en corporaties dragen bij het "
              "huisvesten van vergunninghouders gezamenlijk zorg voor begeleiding en voor communicatie met de "
              "buurt. De partijen hebben in het eerste kwartaal van 2023 overleg over de vernieuwde "
              "taakstelling rondom statushouders.")
    pair.relations.append((MERGED, ("43", "44"), ("43+44",)))
    # Swapped within their section: carried over under each other's number.
    new.move_after("35", "36")
    # The tenant organisations' section of Kwaliteit is dropped as a whole.
    new.drop("39")
    new.drop("40")
    pair.relations += [(DROPPED, ("39",), ()), (DROPPED, ("40",), ())]
    # One new item where the dropped ones stood.
    new.insert_after("38", "new-warmte", "De gemeente stelt in 2023 samen met de corporaties een "
                     "uitvoeringsplan op voor de eerste aardgasvrije wijk in Gieten.")
    pair.relations.append((NEW, (), ("new-warmte",)))
    # 24 reworded heavily but recognisably.
    new.replace("24", "Voor de gemeente is de uitstroom van bewoners uit vakantieparken in het kader van Vitale "
                "Vakantieparken Drenthe een te plannen proces.",
                "De uitstroom van bewoners uit vakantieparken (Vitale Vakantieparken Drenthe) plant de gemeente "
                "zorgvuldig.")
    pair.relations.append((MODIFIED, ("24",), ("24",)))
    return pair
