"""Parse a corpus fixture (tests/corpus/NAME.txt): an agreement as it prints, plus markup
for what a Word file stores and a reader never sees printed.

The fixture is the printed document, line by line, in the conventions of the layout
fixtures (tests/render/layout_source.py), so it reads like the agreement itself:

    Prestatieafspraken Veenhoven 2025          -> Part("title")       (the first line)
    # 3 Betaalbaarheid                         -> Part("heading", level=1)
    ## 3.1 Huurbeleid / ### Prestaties gemeente -> headings of level 2 and 3
    12. De gemeente ...                        -> Part("item", label="12.")
    Afspraak 3.2 De corporaties ...            -> Part("item", label="Afspraak 3.2")
    a) / B1 / 3.2.1 / 4) ...                   -> Part("item") with that label
       a. huishoudens met ...                  -> Part("item", level=1)   (indented: a sub-item)
    - tekst / • tekst                          -> Part("bullet")
    Nr.<TAB>Afspraak<TAB>Trekker               -> Part("table")   (consecutive tab lines)
    =Betaalbaarheid                            -> a group row of the table above/below it:
                                                  one merged cell across the whole row
    \\1. Inleiding 2. Leeswijzer               -> Part("paragraph"): a backslash keeps a line
                                                  that starts like a label a plain paragraph
    anything else                              -> Part("paragraph")

Markup for Word (each renderer's reading is in its own docstring):

    @list NAME: decimal "Artikel %1" | decimal "Afspraak %1.%2"
                        a Word list (numbering.xml): per level its w:numFmt and w:lvlText
    # {NAME} Artikel 3 Betaalbaarheid
    {NAME.1} Afspraak 3.2 De gemeente ...
                        the heading or item is numbered by Word, level 0 or 1 of list NAME;
                        the label after the marker is what Word prints, and the renderer
                        checks that its own count gives exactly that label
    {+ingevoegd+}  [-geschrapt-]
                        tracked changes (w:ins / w:del); a line that is one [-...-] or
                        {+...+} as a whole is a deleted / inserted paragraph
    {=SUBJECT|Jaarafspraken 2025=}
                        a simple field (w:fldSimple) with its instruction and printed result
    {%REF Fonds \\h|€ 40.000%}
                        a complex field (w:fldChar begin / w:instrText / separate / result / end)
    {#NAME|tekst#}      a bookmark around the text (what a REF field points to)
    @sdt TAG            the next paragraph, item or table sits in a content control (w:sdt)
    @textbox ... @end   the paragraphs between sit in a text box
    @toc ... @end       a Word table of contents (a TOC field); each entry typed as it prints,
                        "1 Inleiding ........ 3" or "1 Inleiding 3" (title, then page)
    @landscape / @portrait
                        a new section, on a new page, in that orientation; before the
                        title, the orientation of the first page
    @pagebreak          a page break; between two rows of a table, the rows after it start
                        on a new page (the header row repeats)

`corpus_text` renders the plain-text version of a fixture: what a reader of the final
document sees (insertions kept, deletions dropped, field results, text boxes and
contents entries in place, directives and list markers gone), with Markdown headings as
the text reader reads them; a group row `=X` becomes `<TAB>X`, a row with an empty
first cell, as the text reader reads a table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from tests.render.source import is_table_line

CORPUS = Path(__file__).resolve().parent.parent / "corpus"

# The labels agreements print in front of a commitment (or a line that only looks like one).
LABEL = re.compile(
    r"^(?P<label>"
    r"(?:Afspraak|Artikel|Actie|Prestatie)\s+\d{1,2}(?:\.\d{1,2}){0,2}[.:]?"  # Afspraak 4, Afspraak 3.2
    r"|\d{1,2}(?:\.\d{1,2}){1,3}\.?"  # 3.2.1, 3.2.
    r"|\d{1,3}[.)]"  # 12.  12)
    r"|[a-z][.)]"  # a)  a.
    r"|[IVX]{1,4}\."  # I.  IV.
    r"|[A-Z]{1,2}\d{1,2}[.:]?"  # A1  B2  SW3
    r")\s+(?=\S)")
_HEADING = re.compile(r"^(#{1,3})\s+(.*)$")
# "3.1", "4.", "B", "A.", "Artikel 3", "Hoofdstuk 2" before a heading's title.
_HEADING_LABEL = re.compile(r"^(?:(?:Artikel|Hoofdstuk|Thema|Deel)\s+)?(?:\d{1,2}(?:\.\d{1,2})*\.?|[A-Z]\.?)(?=\s)")
_BULLET = re.compile(r"^\s*[-\u2022]\s+(.*)$")
_NUMBERING_MARK = re.compile(r"^\{(?P<list>[a-z][\w-]*)(?:\.(?P<level>\d))?\}\s*")
_LIST = re.compile(r"^@list\s+(?P<name>[a-z][\w-]*)\s*:\s*(?P<levels>.*)$")
_LEVEL = re.compile(r'^\s*(?P<fmt>\w+)\s+"(?P<text>[^"]*)"\s*$')
_INLINE = re.compile(
    r"\{\+(?P<ins>.*?)\+\}"
    r"|\[-(?P<del>.*?)-\]"
    r"|\{=(?P<fld_instr>[^|]*?)\|(?P<fld_result>.*?)=\}"
    r"|\{%(?P<cfld_instr>[^|]*?)\|(?P<cfld_result>.*?)%\}"
    r"|\{#(?P<mark_name>[\w-]+)\|(?P<mark_text>.*?)#\}")
_TOC_ENTRY = re.compile(r"^(?P<title>.*?)\s*(?:\.{3,}|\u2026+)?\s*(?P<page>\d{1,3})$")

TEXT, INSERTED, DELETED, FIELD, COMPLEX_FIELD, BOOKMARK = "text", "ins", "del", "field", "complex-field", "bookmark"


@dataclass(frozen=True)
class Run:
    """A piece of a paragraph: plain text, a tracked change, a field or a bookmark."""

    kind: str  # text | ins | del | field | complex-field | bookmark
    text: str  # what prints (a field's result); for del what was deleted
    instr: str | None = None  # a field's instruction; a bookmark's name

    @property
    def printed(self) -> str:
        return "" if self.kind == DELETED else self.text


Runs = tuple[Run, ...]


def printed(runs: Runs) -> str:
    return "".join(run.printed for run in runs)


@dataclass(frozen=True)
class ListLevel:
    fmt: str  # decimal | upperLetter | lowerLetter | upperRoman | lowerRoman
    text: str  # lvlText: "Afspraak %1.%2"


@dataclass(frozen=True)
class Table:
    rows: tuple[tuple[Runs, ...], ...]  # row 0 is the header row
    group_rows: frozenset[int] = frozenset()  # rows printed as one merged cell
    break_before: frozenset[int] = frozenset()  # rows that start a new page


@dataclass(frozen=True)
class Part:
    kind: str  # title | heading | item | bullet | paragraph | table | toc | textbox | pagebreak | section
    runs: Runs = ()
    level: int = 0  # heading level 1..3; item/bullet indent 0..1
    label: str | None = None  # item or heading label as printed: "12.", "Afspraak 3.2", "B1"
    numbering: tuple[str, int] | None = None  # (list, ilvl) when Word prints the label
    table: Table | None = None
    children: tuple["Part", ...] = ()  # a text box's paragraphs
    entries: tuple[tuple[str, str], ...] = ()  # toc: (entry, page)
    orientation: str | None = None  # section: portrait | landscape
    sdt: str | None = None  # tag of the content control around it
    change: str | None = None  # ins | del: the whole paragraph inserted / deleted

    @property
    def text(self) -> str:
        """What prints: "Afspraak 3.2 De gemeente ..." (the label included)."""
        return printed(self.runs)

    @property
    def body_runs(self) -> Runs:
        """The runs without the printed label (which Word prints from numbering.xml)."""
        if not self.numbering or not self.label:
            return self.runs
        first, rest = self.runs[0], self.runs[1:]
        if first.kind not in (TEXT, INSERTED, DELETED) or not first.text.startswith(self.label):
            raise ValueError(f"the Word-numbered label {self.label!r} must open the line: {self.text!r}")
        return (Run(first.kind, first.text[len(self.label):].lstrip()),) + rest


@dataclass(frozen=True)
class CorpusDocument:
    name: str
    parts: tuple[Part, ...]
    lists: dict[str, tuple[ListLevel, ...]] = field(default_factory=dict)


def parse_runs(text: str) -> Runs:
    """Inline markup -> runs.

    >>> [(r.kind, r.text) for r in parse_runs("huur [-2%-]{+3%+} in {=SUBJECT|2025=}")]
    [('text', 'huur '), ('del', '2%'), ('ins', '3%'), ('text', ' in '), ('field', '2025')]
    """
    runs: list[Run] = []
    position = 0
    for m in _INLINE.finditer(text):
        if m.start() > position:
            runs.append(Run(TEXT, text[position:m.start()]))
        if m.group("ins") is not None:
            runs.append(Run(INSERTED, m.group("ins")))
        elif m.group("del") is not None:
            runs.append(Run(DELETED, m.group("del")))
        elif m.group("fld_instr") is not None:
            runs.append(Run(FIELD, m.group("fld_result"), m.group("fld_instr")))
        elif m.group("cfld_instr") is not None:
            runs.append(Run(COMPLEX_FIELD, m.group("cfld_result"), m.group("cfld_instr")))
        else:
            runs.append(Run(BOOKMARK, m.group("mark_text"), m.group("mark_name")))
        position = m.end()
    if position < len(text):
        runs.append(Run(TEXT, text[position:]))
    return tuple(runs)


def _whole_change(runs: Runs) -> str | None:
    """A paragraph that is one tracked insertion or deletion as a whole."""
    if len(runs) == 1 and runs[0].kind in (INSERTED, DELETED):
        return runs[0].kind
    return None


def parse_list(line: str) -> tuple[str, tuple[ListLevel, ...]]:
    m = _LIST.match(line)
    if not m:
        raise ValueError(f"not a list definition: {line!r}")
    levels = []
    for level in m.group("levels").split("|"):
        lm = _LEVEL.match(level)
        if not lm:
            raise ValueError(f"list level must read FORMAT \"TEXT\": {level!r}")
        levels.append(ListLevel(lm.group("fmt"), lm.group("text")))
    return m.group("name"), tuple(levels)


def _line_part(line: str) -> Part:
    """One non-table, non-directive line of the body."""
    numbering = None
    if m := _HEADING.match(line.strip()):
        level, rest = len(m.group(1)), m.group(2).strip()
        if nm := _NUMBERING_MARK.match(rest):
            numbering = (nm.group("list"), int(nm.group("level") or 0))
            rest = rest[nm.end():]
        runs = parse_runs(rest)
        label = _HEADING_LABEL.match(printed(runs))
        return Part("heading", runs, level=level, numbering=numbering, label=label.group(0) if label else None)
    indent = len(line) - len(line.lstrip())
    stripped = line.strip()
    if stripped.startswith("\\"):
        return Part("paragraph", parse_runs(stripped[1:]))
    if nm := _NUMBERING_MARK.match(stripped):
        numbering = (nm.group("list"), int(nm.group("level") or 0))
        stripped = stripped[nm.end():]
    runs = parse_runs(stripped)
    change = _whole_change(runs)
    visible = runs[0].text if change else printed(runs)
    if m := _BULLET.match(visible):
        if change:
            return Part("bullet", (Run(change, m.group(1)),), level=1 if indent else 0, change=change)
        return Part("bullet", parse_runs(_BULLET.match(stripped).group(1)), level=1 if indent else 0)
    if m := LABEL.match(visible):
        return Part("item", runs, level=1 if indent >= 2 else 0, label=m.group("label"),
                    numbering=numbering, change=change)
    if numbering:
        raise ValueError(f"a Word-numbered line needs its printed label: {line!r}")
    return Part("paragraph", runs, change=change)


def _table(lines: list[str]) -> Table:
    rows: list[tuple[Runs, ...]] = []
    groups, breaks = set(), set()
    for line in lines:
        if line.strip() == "@pagebreak":
            breaks.add(len(rows))
        elif line.startswith("="):
            groups.add(len(rows))
            rows.append((parse_runs(line[1:].strip()),))
        else:
            rows.append(tuple(parse_runs(cell.strip()) for cell in line.split("\t")))
    return Table(tuple(rows), frozenset(groups), frozenset(breaks))


def _is_row(line: str, following: str, in_table: bool) -> bool:
    if in_table and (line.startswith("=") or line.strip() == "@pagebreak"):
        return True
    if line.startswith("=") and "\t" in following:
        return True  # a group row opening a table
    return is_table_line(line, following, in_table)


def parse_corpus(name: str, text: str) -> CorpusDocument:
    parts: list[Part] = []
    lists: dict[str, tuple[ListLevel, ...]] = {}
    lines = text.splitlines()
    index = 0
    sdt: str | None = None
    box: list[Part] | None = None
    toc: list[tuple[str, str]] | None = None

    def add(part: Part) -> None:
        nonlocal sdt
        if sdt and part.kind in ("item", "paragraph", "table", "heading", "bullet"):
            part = Part(**{**part.__dict__, "sdt": sdt})
            sdt = None
        (box if box is not None else parts).append(part)

    while index < len(lines):
        line = lines[index].rstrip()
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if toc is not None:
            if line.strip() == "@end":
                parts.append(Part("toc", entries=tuple(toc)))
                toc = None
            elif line.strip():
                m = _TOC_ENTRY.match(line.strip())
                if not m:
                    raise ValueError(f"{name}: a contents entry ends in its page: {line!r}")
                toc.append((m.group("title"), m.group("page")))
            index += 1
            continue
        if _is_row(line, following, in_table=False):
            block = []
            while index < len(lines):
                line = lines[index].rstrip()
                following = lines[index + 1] if index + 1 < len(lines) else ""
                if not _is_row(line, following, in_table=bool(block)):
                    break
                block.append(line)
                index += 1
            add(Part("table", table=_table(block)))
            continue
        index += 1
        stripped = line.strip()
        if not stripped:
            continue
        if stripped in ("@landscape", "@portrait"):
            parts.append(Part("section", orientation=stripped[1:]))
        elif not any(part.kind == "title" for part in parts) and box is None:
            parts.append(Part("title", parse_runs(stripped)))
        elif stripped.startswith("@list"):
            list_name, levels = parse_list(stripped)
            lists[list_name] = levels
        elif stripped == "@pagebreak":
            parts.append(Part("pagebreak"))
        elif stripped.startswith("@sdt"):
            sdt = stripped.split(None, 1)[1] if " " in stripped else "afspraak"
        elif stripped == "@textbox":
            box = []
        elif stripped == "@toc":
            toc = []
        elif stripped == "@end":
            if box is None:
                raise ValueError(f"{name}: @end without @textbox or @toc")
            parts.append(Part("textbox", children=tuple(box)))
            box = None
        elif stripped.startswith("@"):
            raise ValueError(f"{name}: unknown directive {stripped!r}")
        else:
            add(_line_part(line))
    if box is not None or toc is not None:
        raise ValueError(f"{name}: a @textbox or @toc is not closed with @end")
    return CorpusDocument(name, tuple(parts), lists)


# -- plain text ----------------------------------------------------------------------


def _text_line(line: str) -> str | None:
    """One fixture line as the final document prints it in plain text; None: no line."""
    stripped = line.strip()
    if stripped.startswith("@"):
        return None
    if line.startswith("="):
        return "\t" + printed(parse_runs(line[1:].strip()))  # a group row: an empty first cell
    heading = _HEADING.match(stripped)
    if heading:
        rest = _NUMBERING_MARK.sub("", heading.group(2).strip(), count=1)
        return f"{heading.group(1)} {printed(parse_runs(rest))}"
    indent = line[:len(line) - len(line.lstrip())]
    body = _NUMBERING_MARK.sub("", stripped, count=1).removeprefix("\\")
    if "\t" in line:
        return "\t".join(printed(parse_runs(cell)) for cell in line.split("\t"))
    runs = parse_runs(body)
    if _whole_change(runs) == DELETED:
        return None
    text = printed(runs)
    return indent + text if text.strip() else None


def corpus_text(text: str) -> str:
    """The fixture as the plain-text reader gets it: the final document's text.

    >>> corpus_text("Titel\\n@sdt x\\n{a.1} 1. De gemeente [-betaalt-]{+zorgt+}.\\n[-2. Weg.-]")
    'Titel\\n1. De gemeente zorgt.\\n'
    """
    out = []
    for line in text.splitlines():
        rendered = _text_line(line.rstrip()) if line.strip() else ""
        if rendered is not None:
            out.append(rendered)
    return "\n".join(out) + "\n"


def corpus_path(name: str) -> Path:
    return CORPUS / f"{name}.txt"


def corpus_document(name: str) -> CorpusDocument:
    return parse_corpus(name, corpus_path(name).read_text(encoding="utf-8"))
