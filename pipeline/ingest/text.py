"""Plain text and Markdown reader: one block per line, tab-separated lines as tables.

    "12. De Volmacht hanteert ...\\n\\nTermijn\\tOverleg" ->
    [Block("12. De Volmacht hanteert ...", line=1), Block(kind=table, rows=(("Termijn", "Overleg"),), line=3)]
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from pipeline.errors import UnreadableDocumentError
from pipeline.types import Block, Document, HEADING, Issue, PARAGRAPH, TABLE

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
ENCODINGS = ("utf-8-sig", "cp1252")
# A byte order mark names its encoding (UTF-32's marks begin with UTF-16's: test them first).
BOM_ENCODINGS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                 (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode(data: bytes, path: Path) -> str:
    """The text of a file: UTF-16 or UTF-32 when it starts with their byte order mark,
    else UTF-8 (with or without a mark), else Windows-1252.

    >>> decode("één".encode("utf-16"), Path("x.txt")), decode("één €".encode("cp1252"), Path("x.txt"))
    ('één', 'één €')
    """
    for bom, encoding in BOM_ENCODINGS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as error:
                raise UnreadableDocumentError(path, f"text marked as {encoding.upper()} is not valid "
                                                    f"{encoding.upper()} (at byte {error.start})") from error
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableDocumentError(path, "text is neither UTF-8 nor Windows-1252")


def is_table_row(line: str) -> bool:
    """A tab between two pieces of text: "Woonborg\t400"."""
    return "\t" in line.strip("\t ")


def read_text(path: Path, doc_id: str) -> Document:
    text = decode(path.read_bytes(), path)
    issues = []
    if "\x00" in text:  # a damaged file; sniff_format lets through one in a hundred bytes
        issues.append(Issue(doc_id, "nul-bytes", f"{text.count(chr(0))} NUL characters removed (a damaged file?)"))
        text = text.replace("\x00", "")
    blocks: list[Block] = []
    table_rows: list[tuple[str, ...]] = []
    table_line = 0

    def flush_table() -> None:
        if table_rows:
            blocks.append(Block(text="", kind=TABLE, rows=tuple(table_rows), line=table_line))
            table_rows.clear()

    lines = text.splitlines()
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        if is_table_row(line) or (line.startswith("\t") and (
                table_rows or (number < len(lines) and is_table_row(lines[number])))):
            if not table_rows:
                table_line = number
            table_rows.append(tuple(cell.strip() for cell in line.split("\t")))
            continue
        flush_table()
        if not line.strip():
            continue
        heading = _MD_HEADING.match(line.strip())
        if heading:
            blocks.append(Block(text=heading.group(2), kind=HEADING,
                                heading_level=len(heading.group(1)), line=number))
        else:
            blocks.append(Block(text=line, kind=PARAGRAPH, line=number))
    flush_table()
    return Document(path=path, id=doc_id, format="text", blocks=tuple(blocks), issues=tuple(issues))
