"""Plain text and Markdown reader: one block per line, tab-separated lines as tables.

    "12. De Volmacht hanteert ...\\n\\nTermijn\\tOverleg" ->
    [Block("12. De Volmacht hanteert ...", line=1), Block(kind=table, rows=(("Termijn", "Overleg"),), line=3)]
"""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.errors import UnreadableDocumentError
from pipeline.types import Block, Document, HEADING, PARAGRAPH, TABLE

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
ENCODINGS = ("utf-8-sig", "cp1252")


def decode(data: bytes, path: Path) -> str:
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
    return Document(path=path, id=doc_id, format="text", blocks=tuple(blocks))
