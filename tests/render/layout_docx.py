"""Render a layout fixture (tests/render/layout_source.py) as a Word document.

    render_layout_docx(layout_parts("hierarchical"), tmp_path / "hierarchical.docx", outline_numbering=True)

Numbers are Word's own wherever an author would let Word number:

- items "12." form a single-level list ("%1.", lettered "%2." below it); where a number
  does not follow from the one before (a new list, the party list) a new w:num restarts
  the count with a w:startOverride;
- with `outline_numbering`, the chapters, themes and items share one multi-level list:
  "%1" on Heading 1, "%1.%2" on Heading 2 (both linked through the heading styles),
  "%1.%2.%3" for items, and a lettered level "%4." for their sub-items, so "3.1.2" is
  computed by Word from the headings above it. An unnumbered Heading 1 switches the
  list off with numId 0;
- contents lines, typed numbers in headings (without outline numbering) and table cells
  are typed text.

Tables are Word tables with the first row marked as a header row that repeats on
every page.
"""

from __future__ import annotations

from pathlib import Path

import docx
from docx.oxml import OxmlElement

from pipeline.ingest.wordnum import Level
from tests.render.docx import (ITEM_STYLE, SYMBOL_BULLET, add_abstract_num, add_num, add_table, numbering_root,
                               set_list)
from tests.render.layout_source import Part

OUTLINE_ABSTRACT, FLAT_ABSTRACT, BULLET_ABSTRACT = 80, 81, 82
OUTLINE_NUM, BULLET_NUM, FIRST_FLAT_NUM = 80, 81, 82
OUTLINE = (
    Level("decimal", "%1", 1),
    Level("decimal", "%1.%2", 1),
    Level("decimal", "%1.%2.%3", 1),
    Level("lowerLetter", "%4.", 1),
)
FLAT = (Level("decimal", "%1.", 1), Level("lowerLetter", "%2.", 1))
LETTER_LEVEL = {True: 3, False: 1}  # outline list / flat list


def render_layout_docx(parts: list[Part], path: Path, *, outline_numbering: bool = False) -> Path:
    document = docx.Document()
    root = numbering_root(document)
    add_abstract_num(root, OUTLINE_ABSTRACT, OUTLINE)
    add_abstract_num(root, FLAT_ABSTRACT, FLAT)
    add_abstract_num(root, BULLET_ABSTRACT, [Level("bullet", SYMBOL_BULLET, 1)])
    add_num(root, OUTLINE_NUM, OUTLINE_ABSTRACT)
    add_num(root, BULLET_NUM, BULLET_ABSTRACT)
    if outline_numbering:
        for level, name in ((0, "Heading 1"), (1, "Heading 2")):
            set_list(document.styles[name].element, OUTLINE_NUM, level)

    flat_num, expected = None, None
    last_item_in_outline = False
    for part in parts:
        if part.kind == "title":
            document.add_paragraph(part.text, style="Title")
        elif part.kind == "heading":
            numbered_by_word = outline_numbering and part.level <= 2 and part.label is not None
            paragraph = document.add_paragraph(part.title if numbered_by_word else part.text,
                                               style=f"Heading {part.level}")
            if outline_numbering and part.level <= 2 and part.label is None:
                set_list(paragraph._p, 0, None)  # an unnumbered heading in a numbered outline
        elif part.kind == "item" and outline_numbering and part.depth > 1:
            paragraph = document.add_paragraph(part.text, style=ITEM_STYLE)
            set_list(paragraph._p, OUTLINE_NUM, part.depth - 1)
            last_item_in_outline = True
        elif part.kind == "item" and part.label.endswith("."):
            number = int(part.label.rstrip("."))
            if number != expected:
                restart = {0: number} if flat_num is not None or number != 1 else None
                flat_num = FIRST_FLAT_NUM if flat_num is None else flat_num + 1
                add_num(root, flat_num, FLAT_ABSTRACT, restart)
            expected = number + 1
            paragraph = document.add_paragraph(part.text, style=ITEM_STYLE)
            set_list(paragraph._p, flat_num, 0)
            last_item_in_outline = False
        elif part.kind == "letter":
            paragraph = document.add_paragraph(part.text, style=ITEM_STYLE)
            if last_item_in_outline:
                set_list(paragraph._p, OUTLINE_NUM, LETTER_LEVEL[True])
            else:
                set_list(paragraph._p, flat_num, LETTER_LEVEL[False])
        elif part.kind == "bullet":
            paragraph = document.add_paragraph(part.text, style=ITEM_STYLE)
            set_list(paragraph._p, BULLET_NUM, 0)
        elif part.kind == "table":
            add_header_table(document, part.rows)
        elif part.kind == "item":
            document.add_paragraph(f"{part.label} {part.text}")  # a typed label
        else:
            document.add_paragraph(part.text)
    document.save(path)
    return path


def add_header_table(document, rows) -> None:
    """A grid table whose first row is a header row (w:tblHeader), repeated on each page."""
    table = add_table(document, rows)
    header = table.rows[0]._tr.get_or_add_trPr()
    header.append(OxmlElement("w:tblHeader"))
