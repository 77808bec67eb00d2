"""Word automatic numbering: the label Word prints before a numbered paragraph.

A DOCX does not store "12." in the text of an auto-numbered paragraph; it stores a
reference (numId, ilvl) into numbering.xml, and Word computes the number while laying
out the document. `parse_numbering` reads the definitions once; `ListCounters` keeps
the running counters while a reader walks the paragraphs in document order.

    >>> outline = {0: Level("decimal", "%1."), 1: Level("decimal", "%1.%2.")}
    >>> counters = ListCounters(Numbering({"3": ListInstance("3", "0", outline)}))
    >>> [counters.next_label("3", ilvl) for ilvl in (0, 1, 1, 0)]
    ['1.', '1.1.', '1.2.', '2.']

Word's rules followed here (ECMA-376 §17.9, as Word actually behaves):
- counters belong to the abstract definition, so every numId that points to one
  abstractNum continues the same sequence;
- a `w:startOverride` (or an overriding `w:lvl`) restarts its level the first time
  its numId is used at that level;
- using a level restarts the deeper levels, unless `w:lvlRestart` says otherwise;
- `%N` in `w:lvlText` is level N's counter in level N's format (decimal everywhere
  under `w:isLgl`); a bullet or `none` level prints nothing there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from docx.oxml.ns import qn

BULLET = "\u2022"
MAX_LEVEL = 8  # Word has nine list levels, 0..8

_PLACEHOLDER = re.compile(r"%([1-9])")
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_MC_ALTERNATE = "{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent"
_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
          (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))
# Formats that print no number of their own.
_NO_NUMBER = {"bullet", "none"}


@dataclass(frozen=True)
class Level:
    """One `w:lvl`: how a list level counts and prints."""

    fmt: str = "decimal"  # w:numFmt
    text: str = "%1."  # w:lvlText
    start: int = 1  # w:start
    restart: int | None = None  # w:lvlRestart (1-based level); None: restart after any higher level
    is_legal: bool = False  # w:isLgl: print every %N in decimal
    style_id: str | None = None  # w:pStyle: paragraphs of this style use this level


@dataclass(frozen=True)
class ListInstance:
    """One `w:num`: an abstract definition as a paragraph references it by numId."""

    num_id: str
    counter_key: str  # the abstractNum whose counters this list shares
    levels: Mapping[int, Level]  # abstract levels with this num's w:lvlOverride/w:lvl applied
    restarts: Mapping[int, int] = field(default_factory=dict)  # ilvl -> value to restart at


@dataclass(frozen=True)
class Numbering:
    """numbering.xml, parsed: the lists paragraphs can reference."""

    lists: Mapping[str, ListInstance] = field(default_factory=dict)

    def level_for_style(self, num_id: str, style_ids: Iterable[str]) -> int | None:
        """The level whose `w:pStyle` names one of the paragraph's styles (nearest first).

        A style linked to a list often carries only a numId; the abstract definition
        names the style back on the level it belongs to (§17.9.23).
        """
        instance = self.lists.get(num_id)
        if instance is None:
            return None
        for style_id in style_ids:
            for ilvl, level in sorted(instance.levels.items()):
                if level.style_id == style_id:
                    return ilvl
        return None


def format_number(value: int, fmt: str) -> str:
    """One counter value in a `w:numFmt`.

    >>> [format_number(4, f) for f in ("decimal", "lowerLetter", "upperRoman", "decimalZero")]
    ['4', 'd', 'IV', '04']
    """
    if fmt in _NO_NUMBER:
        return ""
    if fmt in ("lowerLetter", "upperLetter") and value > 0:
        # Word repeats the letter past z: 27 -> "aa", 53 -> "aaa".
        letter = chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman") and value > 0:
        roman = _to_roman(value)
        return roman.upper() if fmt == "upperRoman" else roman
    if fmt == "decimalZero":
        return f"{value:02d}"
    if fmt == "decimalEnclosedParen":
        return f"({value})"
    # cardinalText, ordinal, chicago, enclosed circles, CJK counting, ...: decimal is
    # the honest fallback for Dutch agreements, which use none of them.
    return str(value)


def _to_roman(value: int) -> str:
    out = []
    for amount, numeral in _ROMAN:
        count, value = divmod(value, amount)
        out.append(numeral * count)
    return "".join(out)


# -- numbering.xml -> Numbering ------------------------------------------------------


def parse_numbering(root, numbering_styles: Mapping[str, str] | None = None) -> Numbering:
    """Parse a `w:numbering` element.

    `numbering_styles` maps a numbering style id to the numId its `w:numPr` names; an
    abstractNum that only says `w:numStyleLink` takes its levels through that style.
    """
    abstracts = {el.get(qn("w:abstractNumId")): el for el in root.iterchildren(qn("w:abstractNum"))}
    num_elements = {el.get(qn("w:numId")): el for el in root.iterchildren(qn("w:num"))}
    abstract_of_num = {num_id: _child_val(el, "w:abstractNumId") for num_id, el in num_elements.items()}
    styles = numbering_styles or {}

    lists = {}
    for num_id, num in num_elements.items():
        abstract_id = _resolve_style_link(abstract_of_num.get(num_id), abstracts, abstract_of_num, styles)
        if abstract_id is None or abstract_id not in abstracts:
            continue
        levels = dict(_levels_of(abstracts[abstract_id]))
        restarts = {}
        for override in num.iterchildren(qn("w:lvlOverride")):
            ilvl = _int(override.get(qn("w:ilvl")), 0)
            replacement = override.find(qn("w:lvl"))
            if replacement is not None:
                levels[ilvl] = level_from_xml(replacement)
                restarts[ilvl] = levels[ilvl].start
            start = _int(_child_val(override, "w:startOverride"), None)
            if start is not None:
                restarts[ilvl] = start
        lists[num_id] = ListInstance(num_id, abstract_id, levels, restarts)
    return Numbering(lists)


def _resolve_style_link(abstract_id, abstracts, abstract_of_num, styles) -> str | None:
    """Follow `w:numStyleLink` -> numbering style -> numId -> abstractNum (loop-safe)."""
    seen = set()
    while abstract_id in abstracts and abstract_id not in seen:
        seen.add(abstract_id)
        link = _child_val(abstracts[abstract_id], "w:numStyleLink")
        if link is None or link not in styles:
            return abstract_id
        abstract_id = abstract_of_num.get(styles[link])
    return abstract_id


def _levels_of(abstract) -> Iterable[tuple[int, Level]]:
    for lvl in abstract.iterchildren(qn("w:lvl")):
        ilvl = _int(lvl.get(qn("w:ilvl")), 0)
        if 0 <= ilvl <= MAX_LEVEL:
            yield ilvl, level_from_xml(lvl)


def level_from_xml(lvl) -> Level:
    """A `w:lvl` element as a Level; missing parts take Word's defaults."""
    text = lvl.find(qn("w:lvlText"))
    is_legal = lvl.find(qn("w:isLgl"))
    return Level(
        fmt=_number_format(lvl),
        text=(text.get(qn("w:val")) or "") if text is not None else "",
        start=_int(_child_val(lvl, "w:start"), 0),  # an absent w:start means 0 (§17.9.25)
        restart=_int(_child_val(lvl, "w:lvlRestart"), None),
        is_legal=is_legal is not None and _on(is_legal.get(qn("w:val"))),
        style_id=_child_val(lvl, "w:pStyle"),
    )


def _number_format(lvl) -> str:
    fmt = _child_val(lvl, "w:numFmt")
    if fmt is not None:
        return fmt
    # Word 2010+ puts custom formats ("001, 002, ...") in mc:AlternateContent with a
    # plain fallback next to it; the fallback is what older readers show.
    for alternate in lvl.iterchildren(_MC_ALTERNATE):
        fallback = alternate.find(f"{_MC_FALLBACK}/{qn('w:numFmt')}")
        if fallback is not None:
            return fallback.get(qn("w:val")) or "decimal"
    return "decimal"


def _child_val(element, tag: str) -> str | None:
    child = element.find(qn(tag))
    return None if child is None else child.get(qn("w:val"))


def _int(value: str | None, default: int | None) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _on(value: str | None) -> bool:
    return value is None or value.lower() not in ("0", "false", "off")


# -- counters ------------------------------------------------------------------------


class ListCounters:
    """The running counters of one read, advanced paragraph by paragraph in order.

    This is the reader's only mutable state: Word's numbers depend on everything
    numbered before, so the reader must call `next_label` for every numbered
    paragraph, empty ones included.
    """

    def __init__(self, numbering: Numbering):
        self._numbering = numbering
        self._values: dict[str, dict[int, int]] = {}  # counter key -> ilvl -> current value
        self._used: set[tuple[str, int]] = set()  # (numId, ilvl) seen: a restart applies once

    def next_label(self, num_id: str, ilvl: int) -> str | None:
        """Advance the list at this level and return the label Word prints, or None.

        None means the reference leads nowhere (unknown numId or level): Word then
        prints no number either. An empty string is a real list level without a label.
        """
        instance = self._numbering.lists.get(num_id)
        if instance is None or ilvl not in instance.levels:
            return None
        values = self._values.setdefault(instance.counter_key, {})
        self._advance(instance, ilvl, values)
        return render_label(instance.levels, ilvl, values)

    def _advance(self, instance: ListInstance, ilvl: int, values: dict[int, int]) -> None:
        first_use = (instance.num_id, ilvl) not in self._used
        self._used.add((instance.num_id, ilvl))
        if first_use and ilvl in instance.restarts:
            values[ilvl] = instance.restarts[ilvl]
        elif ilvl in values:
            values[ilvl] += 1
        else:
            values[ilvl] = instance.levels[ilvl].start
        for deeper in [d for d in values if d > ilvl]:
            if _restarts_after(instance.levels.get(deeper), deeper, ilvl):
                del values[deeper]


def _restarts_after(level: Level | None, ilvl: int, used: int) -> bool:
    """Does level `ilvl` start over because level `used` (higher up) was just used?"""
    restart = level.restart if level is not None else None
    if restart == 0:
        return False  # lvlRestart 0: never restart
    if restart is None or restart > ilvl:
        restart = ilvl  # default, and Word ignores a restart level that is not higher up
    return used < restart


def render_label(levels: Mapping[int, Level], ilvl: int, values: Mapping[int, int]) -> str:
    """Fill a level's `w:lvlText` from the counters.

    >>> levels = {0: Level("decimal", "%1."), 1: Level("lowerLetter", "%1.%2)")}
    >>> render_label(levels, 1, {0: 3, 1: 2})
    '3.b)'
    """
    level = levels[ilvl]
    if level.fmt == "bullet":
        # Bullet glyphs live in symbol fonts (U+F0B7 in Symbol is "•"): print one bullet.
        return BULLET if level.text.strip() else ""

    def counter(match: re.Match) -> str:
        ref = int(match.group(1)) - 1
        ref_level = levels.get(ref)
        if ref_level is None or ref_level.fmt in _NO_NUMBER:
            return ""
        # A level not used yet prints its start value, as Word does for "%1.%2" at level 1
        # when no level-0 paragraph came before.
        value = values.get(ref, ref_level.start)
        return format_number(value, "decimal" if level.is_legal else ref_level.fmt)

    return _PLACEHOLDER.sub(counter, level.text).strip()
