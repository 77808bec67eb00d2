"""Parse a layout fixture (tests/layouts/*.txt) into parts both layout renderers print.

The seed's conventions (tests/render/source.py) infer headings from the seed's own
wording; the layout fixtures mark them explicitly, Markdown style, so any heading
wording can be tested, and they print every number label exactly as the document does:

    Prestatieafspraken Dijkveld 2023       -> Part("title")          (the first line)
    # 3 Betaalbaarheid                     -> Part("heading", level=1, label="3")
    ## 3.1 Huurbeleid                      -> Part("heading", level=2, label="3.1")
    ### Afspraken corporaties              -> Part("heading", level=3)
    3.1.2 De corporaties wijzen ...        -> Part("item", label="3.1.2")
    12. De gemeente ...                    -> Part("item", label="12.")
    a. huishoudens met ...                 -> Part("letter", label="a.")
    - de gemeente heeft ...                -> Part("bullet")
    Nr.<TAB>Afspraak<TAB>Wie<TAB>Wanneer     -> Part("table", rows=...)  (consecutive tab lines)
    1. Inleiding ............ 3            -> Part("paragraph")  (a contents line: typed, not numbered)

Lines before the first level-1 heading are the preamble. Markdown headings are also
what the plain-text reader understands, so the fixture itself is a valid text input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tests.render.source import is_table_line

LAYOUTS = Path(__file__).resolve().parent.parent / "layouts"

_HEADING = re.compile(r"^(#{1,3})\s+(.*)$")
_HEADING_LABEL = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\.?\s+(\S.*)$")
# An item label has a dot: "12." or "3.1.2"; "12 woningen" starts a sentence.
_ITEM = re.compile(r"^(\d{1,3}(?:\.\d{1,3})+\.?|\d{1,3}\.)\s+(\S.*)$")
_LETTER = re.compile(r"^\s*([a-z][.)])\s+(\S.*)$")
_BULLET = re.compile(r"^\s*[-\u2022]\s+(.*)$")
_CONTENTS_LINE = re.compile(r"(\.{3,}|\u2026)\s*\d+\s*$")


@dataclass(frozen=True)
class Part:
    kind: str  # title | heading | item | letter | bullet | paragraph | table
    text: str = ""
    level: int = 0  # heading level 1..3
    label: str | None = None  # as printed: "3.1.2", "12.", "a."; for headings the number
    rows: tuple[tuple[str, ...], ...] = ()
    preamble: bool = False

    @property
    def depth(self) -> int:
        """How deep a label nests: "3" and "12." -> 1, "3.1.2" -> 3."""
        return (self.label or "").rstrip(".").count(".") + 1

    @property
    def title(self) -> str:
        """A heading without its number: "3.1 Huurbeleid" -> "Huurbeleid"."""
        return self.text[len(self.label):].strip() if self.label else self.text


def parse_layout(text: str) -> list[Part]:
    parts: list[Part] = []
    rows: list[tuple[str, ...]] = []
    preamble = True

    def flush() -> None:
        if rows:
            parts.append(Part("table", rows=tuple(rows), preamble=preamble))
            rows.clear()

    lines = text.splitlines()
    for index, raw in enumerate(lines):
        line = raw.rstrip()
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if is_table_line(line, following, in_table=bool(rows)):
            rows.append(tuple(cell.strip() for cell in line.split("\t")))
            continue
        flush()
        stripped = line.strip()
        if not stripped:
            continue
        if not parts:
            parts.append(Part("title", stripped, preamble=True))
        elif m := _HEADING.match(stripped):
            level, heading = len(m.group(1)), m.group(2).strip()
            if level == 1:
                preamble = False
            numbered = _HEADING_LABEL.match(heading)
            parts.append(Part("heading", heading, level=level, preamble=preamble,
                              label=numbered.group(1) if numbered else None))
        elif _CONTENTS_LINE.search(stripped):
            parts.append(Part("paragraph", stripped, preamble=preamble))
        elif m := _ITEM.match(stripped):
            parts.append(Part("item", m.group(2), label=m.group(1), preamble=preamble))
        elif m := _LETTER.match(line):
            parts.append(Part("letter", m.group(2), label=m.group(1), preamble=preamble))
        elif m := _BULLET.match(line):
            parts.append(Part("bullet", m.group(1), preamble=preamble))
        else:
            parts.append(Part("paragraph", stripped, preamble=preamble))
    flush()
    return parts


def layout_path(name: str) -> Path:
    return LAYOUTS / f"{name}.txt"


def layout_parts(name: str) -> list[Part]:
    return parse_layout(layout_path(name).read_text(encoding="utf-8"))
