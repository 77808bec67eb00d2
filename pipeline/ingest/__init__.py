"""One entry point for every format: `read_document(path, settings) -> Document`.

The format is decided by the file's content, and must agree with its extension, so a
mislabelled file gets one clear error instead of a confusing parse failure.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
import zipfile
from pathlib import Path

from pipeline.errors import EmptyDocumentError, UnreadableDocumentError, UnsupportedFormatError
from pipeline.ingest.normalize import normalize
from pipeline.settings import Settings
from pipeline.types import Document

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
SUFFIX_FORMATS = {".pdf": "pdf", ".docx": "docx", **{s: "text" for s in TEXT_SUFFIXES}}
SUPPORTED = ", ".join(sorted(SUFFIX_FORMATS))
# What to do with the Word files that are not a .docx (none of them is opened).
OTHER_WORD_FILES = {
    ".docm": "a macro-enabled Word document; save it as .docx (its macros are never run)",
    ".dotx": "a Word template; save a document made from it as .docx",
    ".dotm": "a macro-enabled Word template; save a document made from it as .docx",
    ".doc": "an old Word .doc; save it as .docx",
}
# Files larger than this are refused before a byte is read. The largest agreements seen are
# a few MB of text, 10 MB as DOCX and 100 MB as a scanned PDF; memory grows with a text or
# a DOCX (held whole), not with a PDF (read a page at a time).
MAX_FILE_BYTES = {"pdf": 1 << 30, "docx": 256 << 20, "text": 32 << 20}
# A paragraph longer than this (some 30 pages of prose) is no agreement's text; spaCy
# refuses texts of a million characters.
MAX_BLOCK_CHARS = 100_000


def document_id(path: Path) -> str:
    """The id used in every table: the file name without extension, lower-cased.

    >>> document_id(Path("inputs/Aa en Hunze 2021.pdf")), document_id(Path("Súdwest-Fryslân 2022.docx"))
    ('aa-en-hunze-2021', 'sudwest-fryslan-2022')
    """
    ascii_name = unicodedata.normalize("NFKD", path.stem).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "document"


def unique_ids(paths: list[Path]) -> list[str]:
    """Document ids for several inputs: the same name in two formats gets its format, the
    same name in two folders a number.

    >>> unique_ids([Path("a/x-2021.pdf"), Path("b/x-2021.pdf"), Path("x-2021.docx"), Path("y.txt")])
    ['x-2021-pdf', 'x-2021-pdf-2', 'x-2021-docx', 'y']
    """
    ids = [document_id(p) for p in paths]
    with_format = [f"{i}-{p.suffix.lstrip('.').lower()}" if ids.count(i) > 1 else i for i, p in zip(ids, paths)]
    seen: dict[str, int] = {}
    unique = []
    for id_ in with_format:
        seen[id_] = seen.get(id_, 0) + 1
        unique.append(id_ if seen[id_] == 1 else f"{id_}-{seen[id_]}")
    return unique


def sniff_format(path: Path, head: bytes) -> str:
    """What the bytes are: pdf, docx, zip (not a DOCX), ole (old .doc), text or binary.

    Text is UTF-8, Windows-1252, or UTF-16/32 with a byte order mark; a stray NUL byte in
    it (one in a hundred at most) is dropped by the text reader, more make it binary.
    """
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return "binary"
        return "docx" if "word/document.xml" in names else "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    if head.startswith(UNICODE_BOMS):
        return "text"
    if head.count(b"\x00") * 100 > len(head):
        return "binary"
    return "text"


UNICODE_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def read_document(path: Path | str, settings: Settings, doc_id: str | None = None) -> Document:
    """Read a PDF, DOCX or text file into a normalised Document, or raise AgreementError.

    `doc_id` defaults to `document_id(path)`.
    """
    path = Path(path)
    if not path.exists():
        if path.is_symlink():
            raise UnreadableDocumentError(path, "a symbolic link that leads nowhere (to a missing file, or in a loop)")
        raise UnreadableDocumentError(path, "file not found")
    if path.is_dir():
        raise UnreadableDocumentError(path, "is a folder, not a document")
    expected = SUFFIX_FORMATS.get(path.suffix.lower())
    if expected is None:
        advice = OTHER_WORD_FILES.get(path.suffix.lower())
        raise UnsupportedFormatError(path, f"unsupported file type {path.suffix or '(none)'!r}"
                                           + (f" ({advice})" if advice else "") + f"; expected one of {SUPPORTED}")
    if not path.is_file():
        raise UnreadableDocumentError(path, "not a regular file (a pipe or a device); not read")
    check_size(path, expected)
    try:
        with path.open("rb") as handle:
            head = handle.read(8192)
    except OSError as error:
        raise UnreadableDocumentError(path, f"cannot be read ({error.strerror})") from error
    if not head.strip():
        raise EmptyDocumentError(path, "the file is empty")
    actual = sniff_format(path, head)
    if actual != expected:
        raise UnsupportedFormatError(path, _mismatch_message(expected, actual))

    doc_id = doc_id or document_id(path)
    if expected == "pdf":
        from pipeline.ingest.pdf import read_pdf
        document = read_pdf(path, doc_id, settings)
    elif expected == "docx":
        from pipeline.ingest.docx import read_docx
        document = read_docx(path, doc_id, settings)
    else:
        from pipeline.ingest.text import read_text
        document = read_text(path, doc_id)
    check_blocks(document)
    document = normalize(document)
    if not any(block.text or block.rows for block in document.blocks):
        hint = ""
        if expected == "pdf":
            hint = " (a scan? read it with --ocr auto)" if settings.ocr == "never" else " (not even by OCR)"
        raise EmptyDocumentError(path, f"no text found in the document{hint}")
    return document


def too_large(path: Path) -> bool:
    """Is the file larger than its format may be (`check_size` refuses it unread)?"""
    fmt = SUFFIX_FORMATS.get(path.suffix.lower())
    try:
        return fmt is not None and path.stat().st_size > MAX_FILE_BYTES[fmt]
    except OSError:
        return False


def check_size(path: Path, fmt: str) -> None:
    """Refuse a file larger than MAX_FILE_BYTES for its format, before reading it."""
    size, limit = path.stat().st_size, MAX_FILE_BYTES[fmt]
    if size > limit:
        names = {"pdf": "a PDF", "docx": "a DOCX", "text": "a text file"}
        raise UnreadableDocumentError(path, f"the file is {size / 2**20:,.0f} MB, more than the {limit >> 20:,} MB "
                                            f"{names[fmt]} may have; refused unread")


def check_blocks(document: Document) -> None:
    """Refuse a document with a paragraph longer than MAX_BLOCK_CHARS."""
    for block in document.blocks:
        if len(block.text) > MAX_BLOCK_CHARS:
            raise UnreadableDocumentError(document.path, f"{where(block)} is a paragraph of {len(block.text):,} "
                                                         f"characters (at most {MAX_BLOCK_CHARS:,}): not the text "
                                                         f"of an agreement")


def where(block) -> str:
    """ "line 12", "page 3", "paragraph 40": where a block starts."""
    for name in ("line", "page", "paragraph"):
        if getattr(block, name) is not None:
            return f"{name} {getattr(block, name)}"
    return "a block"


def _mismatch_message(expected: str, actual: str) -> str:
    names = {"pdf": "a PDF", "docx": "a DOCX", "text": "plain text", "zip": "a ZIP archive",
             "ole": "an old Word .doc (save it as .docx)", "binary": "binary data"}
    rename = {"pdf": ": rename it to .pdf", "docx": ": rename it to .docx"}.get(actual, "")
    if expected == "docx" and actual != "docx":
        return f"not a valid DOCX (not a Word zip package; the content is {names[actual]}{rename})"
    if expected == "pdf":
        return f"not a valid PDF (no %PDF header; the content is {names[actual]}{rename})"
    return f"named as {names[expected]} but the content is {names[actual]}{rename}"
