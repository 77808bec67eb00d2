"""DOCX reader: the body in reading order, with Word's automatic numbers printed in.

    body: <w:p style="Heading 2">4.1 Betaalbaarheid</w:p>
          <w:p numPr=(numId 7, ilvl 0)>De Volmacht hanteert ...<footnoteReference 1/></w:p>
          <w:tbl>...</w:tbl>
    -> [Block("4.1 Betaalbaarheid", kind=heading, heading_level=2, paragraph=0),
        Block("12. De Volmacht hanteert ...¹", paragraph=1),
        Block("¹ De huurprijsgrenzen ...", kind=footnote, paragraph=1),
        Block("", kind=table, rows=(("Termijn", "Overleg"), ...), paragraph=2)]

A table's `paragraph` is the index the next body paragraph gets; paragraphs in
table cells are not counted (they are numbered by Word, though, and so here too).

python-docx opens the package and parses every part; the walk itself works on the
XML, because python-docx has no API for numbering labels, outline levels through the
style chain, footnotes, or content controls (w:sdt) around body paragraphs.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import docx
from docx.document import Document as WordDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.opc.part import XmlPart
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.styles import BabelFish
from lxml import etree

from pipeline.errors import UnreadableDocumentError
from pipeline.ingest.wordnum import ListCounters, Numbering, parse_numbering
from pipeline.settings import Settings
from pipeline.types import Block, Document, FOOTNOTE, HEADING, Issue, PARAGRAPH, TABLE

TITLE_LEVEL = 0  # a "Title" paragraph sits above chapter level 1

W_P, W_TBL, W_TR, W_TC, W_R = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc"), qn("w:r")
W_SDT, W_SDT_CONTENT = qn("w:sdt"), qn("w:sdtContent")
W_TXBX_CONTENT = qn("w:txbxContent")
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_MC_ALTERNATE, _MC_CHOICE, _MC_FALLBACK = f"{_MC}AlternateContent", f"{_MC}Choice", f"{_MC}Fallback"
# Wrappers whose children are read as if they stood in the wrapper's place.
_BLOCK_WRAPPERS = {W_SDT, W_SDT_CONTENT, qn("w:customXml"), qn("w:ins"), qn("w:moveTo")}
_RUN_WRAPPERS = {qn("w:hyperlink"), qn("w:ins"), qn("w:moveTo"), qn("w:smartTag"), W_SDT, W_SDT_CONTENT,
                 qn("w:customXml"), qn("w:fldSimple"), qn("w:dir"), qn("w:bdo")}
# Run content that prints as a character or a space.
_RUN_CHARACTERS = {qn("w:tab"): "\t", qn("w:ptab"): "\t", qn("w:br"): " ", qn("w:cr"): " ",
                   qn("w:noBreakHyphen"): "-", qn("w:softHyphen"): "\u00ad"}
_HEADING_STYLE = re.compile(r"^(?:heading|kop)\s*([1-9])$", re.IGNORECASE)
_TITLE_STYLES = {"title", "titel"}
_TOC_STYLE = re.compile(r"^(?:toc|inhopg)\s*[1-9]$", re.IGNORECASE)  # "toc 1" / Dutch "Inhopg 1"
_SUPERSCRIPT = str.maketrans("0123456789", "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")


def superscript(number: int) -> str:
    """12 -> '¹²', the mark a footnote reference prints as."""
    return str(number).translate(_SUPERSCRIPT)


# -- opening -------------------------------------------------------------------------


# Limits checked in the zip's directory before anything is inflated (a zip bomb is refused
# unread). python-docx holds every part of the package in memory and parses its XML parts
# whole; the document.xml of a 500-page agreement is some 10 MB. Python's zipfile never
# inflates a member past the size the directory states, so the stated sizes bound memory.
MAX_XML_PART_BYTES = 64 << 20
MAX_PACKAGE_BYTES = 512 << 20  # all parts inflated, images included
MAX_PARTS = 10_000
PROLOG_BYTES = 1 << 20  # read of an XML part to find a DTD the parser stopped at (see _declares_dtd)
_XML_PART = re.compile(r"\.(?:xml|rels)$", re.IGNORECASE)


def open_word_package(path: Path) -> WordDocument:
    """Open with python-docx, or raise UnreadableDocumentError with a short reason.

    The package is checked first (`check_package`): sizes within the limits, and no XML
    part with a document type declaration, so no entity is ever defined, let alone resolved.
    """
    check_package(path)
    try:
        return docx.Document(str(path))
    except (KeyError, ValueError, etree.XMLSyntaxError, PackageNotFoundError, zipfile.BadZipFile) as error:
        raise UnreadableDocumentError(path, f"not a readable DOCX ({_open_failure(error)})") from error
    except Exception as error:  # noqa: BLE001 - zipfile and lxml raise many kinds on a damaged package
        raise UnreadableDocumentError(path, f"not a readable DOCX ({type(error).__name__}: {error})") from error


def check_package(path: Path) -> None:
    """Refuse a package whose parts would inflate past the limits, or an XML part that
    declares a DTD (`<!DOCTYPE ...>`): Word never writes one (Open Packaging Conventions,
    ECMA-376 part 2, forbid them), and a DTD is where XXE and "billion laughs" entities
    are defined. python-docx's parser leaves entities unresolved anyway
    (`resolve_entities=False`); this refuses such a file before it gets that far.

        word/document.xml inflating to 1,025 MB -> "not a readable DOCX (word/document.xml
        inflates to 1,025 MB, more than 64 MB for one XML part; refused before inflating)"
    """
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            if len(parts) > MAX_PARTS:
                _refuse(path, f"{len(parts):,} parts in the package, more than {MAX_PARTS:,}")
            for part in parts:
                if _XML_PART.search(part.filename) and part.file_size > MAX_XML_PART_BYTES:
                    _refuse(path, f"{part.filename} inflates to {part.file_size / 2**20:,.0f} MB, more than "
                                  f"{MAX_XML_PART_BYTES >> 20} MB for one XML part; refused before inflating")
            total = sum(part.file_size for part in parts)
            if total > MAX_PACKAGE_BYTES:
                _refuse(path, f"the package inflates to {total / 2**20:,.0f} MB, more than "
                              f"{MAX_PACKAGE_BYTES >> 20} MB; refused before inflating")
            for part in parts:
                if _XML_PART.search(part.filename) and _declares_dtd(archive, part):
                    _refuse(path, f"{part.filename} declares a DTD (<!DOCTYPE>), which Word never writes; "
                                  "refused unread, so none of its entities is resolved")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, NotImplementedError,
            RuntimeError) as error:
        raise UnreadableDocumentError(path, f"not a readable DOCX (a damaged zip package: {error})") from error


def _refuse(path: Path, reason: str) -> None:
    raise UnreadableDocumentError(path, f"not a readable DOCX ({reason})")


def _declares_dtd(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> bool:
    """Does the XML part have a document type declaration? Read only up to its root element,
    with a parser that loads nothing and resolves nothing."""
    with archive.open(part) as handle:
        events = etree.iterparse(handle, events=("start",), resolve_entities=False, load_dtd=False,
                                 no_network=True, huge_tree=False)
        try:
            for _, root in events:
                info = root.getroottree().docinfo
                return bool(info.doctype) or info.internalDTD is not None or info.externalDTD is not None
        except etree.XMLSyntaxError:
            # Broken XML (python-docx says so when it parses the part), or a DTD libxml2
            # refused by itself before the root (lxml 6.2 stops an entity bomb's DTD with
            # "Maximum entity amplification factor exceeded"): the prolog tells them apart.
            return _prolog_declares_dtd(archive, part)
    return False


_ELEMENT_START = re.compile(rb"<[A-Za-z_:]")


def _prolog_declares_dtd(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> bool:
    """Is there a `<!DOCTYPE` before the root element, in the part's first PROLOG_BYTES
    (UTF-8 or UTF-16 by its byte order mark)? A DTD can only stand in the prolog, and
    nothing in the prolog but a DTD's own text can look like the start of an element.

        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><lolz/>' -> True
        b'<?xml version="1.0"?><w:document><w:body>...' -> False
    """
    with archive.open(part) as handle:
        head = handle.read(PROLOG_BYTES)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="replace").encode("utf-8")
    root = _ELEMENT_START.search(head)
    return b"<!DOCTYPE" in (head[:root.start()] if root else head)


def _open_failure(error: Exception) -> str:
    """python-docx's exception as a reason a user can act on."""
    if isinstance(error, KeyError):  # a part the package names is missing from the zip
        missing = re.search(r"named '([^']+)'", str(error))
        return f"{missing.group(1)} is missing" if missing else "a package part is missing"
    if isinstance(error, etree.XMLSyntaxError):
        return f"broken XML: {error.msg}"
    if isinstance(error, ValueError):  # the main part is a presentation, a workbook, a .docm, ...
        content_type = re.search(r"content type is '([^']+)'", str(error))
        if content_type and "macroEnabled" in content_type.group(1):
            return "a macro-enabled Word document (.docm) named .docx; save it as .docx (its macros are never run)"
        if content_type and ".template." in content_type.group(1):
            return "a Word template (.dotx) named .docx; save a document made from it as .docx"
        return f"the main part is {content_type.group(1)}" if content_type else str(error)
    return f"not a Word zip package: {error}"


# -- styles --------------------------------------------------------------------------


@dataclass(frozen=True)
class ParagraphStyle:
    """What the reader needs from one paragraph style of styles.xml."""

    style_id: str
    name: str  # as Word's UI shows it: "Heading 1", "Kop 1", "List Number"
    based_on: str | None = None
    num_id: str | None = None  # w:numPr inherited by paragraphs of this style
    ilvl: int | None = None
    outline_level: int | None = None  # w:outlineLvl, 0-based; 9 means body text


@dataclass(frozen=True)
class StyleSheet:
    paragraph_styles: dict[str, ParagraphStyle] = field(default_factory=dict)
    default_id: str | None = None  # the style of a paragraph without w:pStyle
    numbering_styles: dict[str, str] = field(default_factory=dict)  # list style id -> numId

    def chain(self, style_id: str | None) -> list[ParagraphStyle]:
        """The style and everything it is based on, nearest first (loop-safe)."""
        chain: list[ParagraphStyle] = []
        style_id = style_id or self.default_id
        while style_id in self.paragraph_styles and len(chain) < 20:
            style = self.paragraph_styles[style_id]
            if style in chain:
                break
            chain.append(style)
            style_id = style.based_on
        return chain


def read_styles(styles_element) -> StyleSheet:
    """styles.xml -> StyleSheet (paragraph styles and list styles only)."""
    paragraph_styles, numbering_styles, default_id = {}, {}, None
    for style in styles_element.iterchildren(qn("w:style")):
        style_id = style.get(qn("w:styleId"))
        kind = style.get(qn("w:type"))
        num_id, ilvl = _numbering_reference(style.find(qn("w:pPr")))
        if kind == "numbering" and num_id is not None:
            numbering_styles[style_id] = num_id
        if kind != "paragraph" or style_id is None:
            continue
        if style.get(qn("w:default")) in ("1", "true", "on"):
            default_id = style_id
        name = _val(style.find(qn("w:name"))) or style_id
        paragraph_styles[style_id] = ParagraphStyle(
            style_id=style_id, name=BabelFish.internal2ui(name),
            based_on=_val(style.find(qn("w:basedOn"))), num_id=num_id, ilvl=ilvl,
            outline_level=_outline_level(style.find(qn("w:pPr"))))
    return StyleSheet(paragraph_styles, default_id, numbering_styles)


def _numbering_reference(pPr) -> tuple[str | None, int | None]:
    """(numId, ilvl) as written in a w:pPr, each None when absent."""
    numPr = None if pPr is None else pPr.find(qn("w:numPr"))
    if numPr is None:
        return None, None
    ilvl = _val(numPr.find(qn("w:ilvl")))
    return _val(numPr.find(qn("w:numId"))), int(ilvl) if ilvl and ilvl.isdigit() else None


def _outline_level(pPr) -> int | None:
    value = None if pPr is None else _val(pPr.find(qn("w:outlineLvl")))
    return int(value) if value and value.isdigit() else None


def _val(element) -> str | None:
    return None if element is None else element.get(qn("w:val"))


# -- headings and list membership ----------------------------------------------------


def heading_level(pPr, chain: list[ParagraphStyle]) -> int | None:
    """1..9 for a heading by style name or outline level, TITLE_LEVEL for a title, else None.

    Direct formatting wins over the style; a style named "Heading N"/"Kop N" wins over
    the outline level it or its base styles carry.
    """
    direct = _outline_level(pPr)
    if direct is not None:
        return direct + 1 if direct < 9 else None
    for style in chain:
        for name in (style.name, style.style_id):
            match = _HEADING_STYLE.match(name)  # "Heading 1", "Kop 1", and ids "Heading1", "Kop1"
            if match:
                return int(match.group(1))
            if name.lower() in _TITLE_STYLES:
                return TITLE_LEVEL
        if style.outline_level is not None:
            return style.outline_level + 1 if style.outline_level < 9 else None
    return None


def list_reference(pPr, chain: list[ParagraphStyle], numbering: Numbering) -> tuple[str, int] | None:
    """The (numId, ilvl) a paragraph is numbered with, directly or through its style.

    numId and ilvl inherit separately (the paragraph may set only the level); numId 0
    switches numbering off, also when the style has some.
    """
    num_id, ilvl = _numbering_reference(pPr)
    for style in chain:
        num_id = num_id if num_id is not None else style.num_id
        ilvl = ilvl if ilvl is not None else style.ilvl
    if num_id is None or num_id == "0":
        return None
    if ilvl is None:
        ilvl = numbering.level_for_style(num_id, [style.style_id for style in chain]) or 0
    return num_id, ilvl


# -- footnotes -----------------------------------------------------------------------


def footnotes_element(word: WordDocument):
    """The parsed word/footnotes.xml, or None; python-docx keeps it as an opaque part."""
    for rel in word.part.rels.values():
        if rel.reltype == RT.FOOTNOTES and not rel.is_external:
            part = rel.target_part
            return part.element if isinstance(part, XmlPart) else parse_xml(part.blob)
    return None


# -- the walk ------------------------------------------------------------------------


class _BodyReader:
    """Walks the body once, in order, turning paragraphs and tables into Blocks.

    Keeps the state Word keeps while laying out: list counters and footnote numbers.
    """

    def __init__(self, doc_id: str, styles: StyleSheet, numbering: Numbering, footnotes_root):
        self.doc_id = doc_id
        self.styles = styles
        self.numbering = numbering
        self.counters = ListCounters(numbering)
        self.footnotes = self._footnote_elements(footnotes_root)
        self.footnote_count = 0
        self.pending_footnotes: list[tuple[int, str]] = []  # (mark number, footnote id)
        self.issues: list[Issue] = []
        self.paragraph_index = 0

    @staticmethod
    def _footnote_elements(root) -> dict[str, object]:
        if root is None:
            return {}
        # Separator and continuation footnotes are the rule above the notes, not text.
        return {note.get(qn("w:id")): note for note in root.iterchildren(qn("w:footnote"))
                if note.get(qn("w:type")) in (None, "normal")}

    def blocks(self, body) -> Iterator[Block]:
        for element in _body_elements(body):
            index = self.paragraph_index
            if element.tag == W_P:
                block = self.paragraph_to_block(element, index)
                self.paragraph_index += 1
            else:
                block = self.table_to_block(element, index)
            if block is not None:
                yield block
            if element.tag == W_P:
                yield from self.text_box_blocks(element, index)
            yield from self.footnote_blocks(index)

    def text_box_blocks(self, p, index: int) -> Iterator[Block]:
        """The paragraphs and tables of the text boxes anchored in a paragraph, read in place
        (right after it), with the anchor's paragraph index."""
        for content in text_box_contents(p):
            for element in _body_elements(content):
                if element.tag == W_P:
                    block = self.paragraph_to_block(element, index)
                else:
                    block = self.table_to_block(element, index)
                if block is not None:
                    yield block

    def paragraph_to_block(self, p, index: int) -> Block | None:
        pPr = p.find(qn("w:pPr"))
        chain = self.styles.chain(_val(pPr.find(qn("w:pStyle"))) if pPr is not None else None)
        text = self.paragraph_text(p).strip()
        if not text and _mark_deleted(pPr):
            return None  # a paragraph deleted with tracked changes: gone, its list number too
        label = self.paragraph_label(p, pPr, chain, index)
        style = chain[0].name if chain else None
        if not text or (style and _TOC_STYLE.match(style)):
            return None  # empty, or a table-of-contents line repeating a heading
        if label:
            text = f"{label} {text}"
        level = heading_level(pPr, chain)
        return Block(text=text, kind=HEADING if level is not None else PARAGRAPH,
                     heading_level=level, paragraph=index, style=style)

    def paragraph_label(self, p, pPr, chain, index: int) -> str:
        """Advance the paragraph's list and return its label ("" when not numbered)."""
        reference = list_reference(pPr, chain, self.numbering)
        if reference is None:
            return ""
        label = self.counters.next_label(*reference)
        if label is None:
            self.issues.append(Issue(self.doc_id, "unknown-numbering",
                                     f"numbering reference numId {reference[0]} level {reference[1]} "
                                     "is not defined in numbering.xml; no number printed",
                                     where=f"paragraph {index}"))
        return label or ""

    def paragraph_text(self, p) -> str:
        return "".join(self._run_texts(p))

    def _run_texts(self, container) -> Iterator[str]:
        for child in container.iterchildren():
            tag = child.tag
            if tag == W_R:
                yield from self._run_text(child)
            elif tag == W_SDT and _shows_placeholder(child):
                continue  # "Klik of tik om tekst in te voeren": the control's prompt, not text
            elif tag in _RUN_WRAPPERS:
                yield from self._run_texts(child)
            # w:del, w:moveFrom (deleted text), w:pPr, bookmarks, proofing marks, math: nothing printed

    def _run_text(self, run) -> Iterator[str]:
        rPr = run.find(qn("w:rPr"))
        if rPr is not None:
            vanish = rPr.find(qn("w:vanish"))
            if vanish is not None and _val(vanish) not in ("0", "false", "off"):
                return  # hidden text
        for child in run.iterchildren():
            tag = child.tag
            if tag == qn("w:t"):
                yield child.text or ""
            elif tag in _RUN_CHARACTERS:
                if tag == qn("w:br") and child.get(qn("w:type")) == "page":
                    yield " "
                else:
                    yield _RUN_CHARACTERS[tag]
            elif tag == qn("w:sym"):
                yield _symbol(child.get(qn("w:char")))
            elif tag == qn("w:footnoteReference"):
                yield self.footnote_mark(child)
            # w:drawing, w:pict, mc:AlternateContent (text boxes, shapes): read after the
            # paragraph as blocks of their own (text_box_blocks)

    def footnote_mark(self, reference) -> str:
        """Number the footnote as Word does (1, 2, ... in reference order) and queue its text."""
        note_id = reference.get(qn("w:id"))
        if note_id not in self.footnotes:
            return ""
        self.footnote_count += 1
        self.pending_footnotes.append((self.footnote_count, note_id))
        if reference.get(qn("w:customMarkFollows")) in ("1", "true", "on"):
            return ""  # the author typed the mark in the next run
        return superscript(self.footnote_count)

    def footnote_blocks(self, index: int) -> Iterator[Block]:
        pending, self.pending_footnotes = self.pending_footnotes, []
        for number, note_id in pending:
            parts = [self.paragraph_text(p).strip() for p in self.footnotes[note_id].iter(W_P)]
            text = " ".join(part for part in parts if part)
            if text:
                yield Block(text=f"{superscript(number)} {text}", kind=FOOTNOTE, paragraph=index)

    def table_to_block(self, tbl, index: int) -> Block | None:
        rows = tuple(row for row in self.table_rows(tbl) if any(row))
        if not rows:
            return None
        style = tbl.find(f"{qn('w:tblPr')}/{qn('w:tblStyle')}")
        return Block(text="", kind=TABLE, rows=rows, paragraph=index, style=_val(style))

    def table_rows(self, tbl) -> Iterator[tuple[str, ...]]:
        """One tuple per w:tr, one string per grid column.

        A merged cell's text appears once, in its first grid column; the columns it
        spans (w:gridSpan) and the rows it continues into (w:vMerge) read as "", so
        columns stay aligned and no amount is counted twice.
        """
        for tr in _children(tbl, W_TR):
            trPr = tr.find(qn("w:trPr"))
            cells = [""] * _grid_value(trPr, "w:gridBefore")
            for tc in _children(tr, W_TC):
                tcPr = tc.find(qn("w:tcPr"))
                span = max(1, _grid_value(tcPr, "w:gridSpan"))
                merge = None if tcPr is None else tcPr.find(qn("w:vMerge"))
                continued = merge is not None and _val(merge) != "restart"
                text = "" if continued else self.cell_text(tc)
                if continued:
                    self.cell_text(tc)  # still advances numbering and footnotes inside
                cells.extend([text] + [""] * (span - 1))
            cells.extend([""] * _grid_value(trPr, "w:gridAfter"))
            yield tuple(cells)

    def cell_text(self, tc) -> str:
        """The cell's paragraphs (numbered as Word numbers them) and nested tables, joined by " "."""
        parts = []
        for element in _body_elements(tc):
            if element.tag == W_P:
                pPr = element.find(qn("w:pPr"))
                chain = self.styles.chain(_val(pPr.find(qn("w:pStyle"))) if pPr is not None else None)
                label = self.paragraph_label(element, pPr, chain, self.paragraph_index)
                text = self.paragraph_text(element).strip()
                if text:
                    parts.append(f"{label} {text}" if label else text)
            else:
                parts.extend(" ".join(cell for cell in row if cell) for row in self.table_rows(element))
        return " ".join(part for part in parts if part)


def _body_elements(container) -> Iterator:
    """w:p and w:tbl children in reading order, looking inside content controls and the like."""
    for child in container.iterchildren():
        if child.tag in (W_P, W_TBL):
            yield child
        elif child.tag == W_SDT and _shows_placeholder(child):
            continue
        elif child.tag in _BLOCK_WRAPPERS:
            yield from _body_elements(child)


def text_box_contents(p) -> Iterator:
    """The w:txbxContent of every text box anchored in a paragraph's runs, once each.

    Word writes a text box twice: as a DrawingML shape (mc:Choice) and as VML for older
    readers (mc:Fallback); the fallback is read only where no choice holds a text box.
    Text boxes inside a text box are read with their outer box.
    """
    for run in p.iter(W_R):
        if any(ancestor.tag == W_TXBX_CONTENT for ancestor in run.iterancestors()):
            continue  # a run inside a text box of this paragraph: read with its box
        for alternate in run.iterchildren(_MC_ALTERNATE):
            choices = [c for choice in alternate.iterchildren(_MC_CHOICE) for c in choice.iter(W_TXBX_CONTENT)]
            fallback = [c for fb in alternate.iterchildren(_MC_FALLBACK) for c in fb.iter(W_TXBX_CONTENT)]
            yield from _outermost(choices or fallback)
        for drawing in run.iterchildren(qn("w:drawing"), qn("w:pict")):
            yield from _outermost(list(drawing.iter(W_TXBX_CONTENT)))


def _outermost(contents: list) -> list:
    """The text boxes that stand in no other of `contents`."""
    nested = {id(n) for c in contents for n in c.iter(W_TXBX_CONTENT) if n is not c}
    return [c for c in contents if id(c) not in nested]


def _mark_deleted(pPr) -> bool:
    """Is the paragraph mark itself deleted (w:pPr/w:rPr/w:del), as tracked changes record it?"""
    rPr = None if pPr is None else pPr.find(qn("w:rPr"))
    return rPr is not None and rPr.find(qn("w:del")) is not None


def _shows_placeholder(sdt) -> bool:
    """A content control still showing its placeholder prompt (w:showingPlcHdr)."""
    properties = sdt.find(qn("w:sdtPr"))
    flag = None if properties is None else properties.find(qn("w:showingPlcHdr"))
    return flag is not None and _val(flag) not in ("0", "false", "off")


def _children(element, tag) -> Iterator:
    """Direct children with `tag`, also through w:sdt / w:customXml wrappers (rows, cells)."""
    for child in element.iterchildren():
        if child.tag == tag:
            yield child
        elif child.tag in _BLOCK_WRAPPERS:
            yield from _children(child, tag)


def _grid_value(props, tag: str) -> int:
    value = None if props is None else _val(props.find(qn(tag)))
    return int(value) if value and value.isdigit() else 0


def _symbol(char: str | None) -> str:
    """A w:sym character; symbol fonts use the private area F0xx for ASCII positions."""
    try:
        code = int(char or "", 16)
    except ValueError:
        return ""
    if 0xF020 <= code <= 0xF0FF:
        code -= 0xF000
    return "\u2022" if code == 0xB7 else chr(code)


# -- entry point ---------------------------------------------------------------------


def read_docx(path: Path, doc_id: str, settings: Settings) -> Document:
    """Read a Word document into Blocks in reading order.

    Word's automatic numbers are printed into the text as Word shows them ("12. De
    Volmacht ..."), bullets as "• ", tables become TABLE blocks in place, footnotes
    FOOTNOTE blocks right after the paragraph that references them.

        read_docx(Path("aa-en-hunze-2021.docx"), "aa-en-hunze-2021", Settings()).blocks[:2]
        -> (Block("Prestatieafspraken Aa en Hunze", kind="heading", heading_level=0, paragraph=0),
            Block("Richtingen voor de periode 2021 - 2025 ...", paragraph=1))
    """
    word = open_word_package(path)
    styles = read_styles(word.styles.element)
    numbering = _read_numbering(word, styles)
    footnotes, issues = _read_footnotes(word, doc_id)
    reader = _BodyReader(doc_id, styles, numbering, footnotes)
    blocks = tuple(reader.blocks(word.element.body))
    return Document(path=path, id=doc_id, format="docx", blocks=blocks,
                    issues=tuple(issues + reader.issues))


def _read_numbering(word: WordDocument, styles: StyleSheet) -> Numbering:
    try:
        part = word.part.part_related_by(RT.NUMBERING)
    except KeyError:
        return Numbering()  # a document without any list
    return parse_numbering(part.element, styles.numbering_styles)


def _read_footnotes(word: WordDocument, doc_id: str) -> tuple[object | None, list[Issue]]:
    """footnotes.xml and the issue raised if it cannot be parsed (the body still reads)."""
    try:
        return footnotes_element(word), []
    except etree.XMLSyntaxError as error:
        return None, [Issue(doc_id, "unreadable-footnotes",
                            f"footnotes.xml is broken XML ({error.msg}); footnotes left out")]
