"""One entry point for every format: `read_document(path, settings) -> Document`.

The format is decided by the file's content, and must agree with its extension, so a
mislabelled file gets one clear error instead of a confusing parse failure.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from pipeline.errors import EmptyDocumentError, UnreadableDocumentError, UnsupportedFormatError
from pipeline.ingest.normalize import normalize
from pipeline.settings import Settings
from pipeline.types import Document

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
SUFFIX_FORMATS = {".pdf": "pdf", ".docx": "docx", **{s: "text" for s in TEXT_SUFFIXES}}
SUPPORTED = ", ".join(sorted(SUFFIX_FORMATS))


def document_id(path: Path) -> str:
    """The id used in every table: the file name without extension, lower-cased.

    >>> document_id(Path("inputs/Aa en Hunze 2021.pdf"))
    'aa-en-hunze-2021'
    """
    return re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "document"


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
    """What the bytes are: pdf, docx, zip (not a DOCX), ole (old .doc), text or binary."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return "binary"
        return "docx" if "word/document.xml" in names else "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    if b"\x00" in head:
        return "binary"
    return "text"


def read_document(path: Path | str, settings: Settings, doc_id: str | None = None) -> Document:
    """Read a PDF, DOCX or text file into a normalised Document, or raise AgreementError.

    `doc_id` defaults to `document_id(path)`.
    """
    path = Path(path)
    if not path.exists():
        raise UnreadableDocumentError(path, "file not found")
    if path.is_dir():
        raise UnreadableDocumentError(path, "is a folder, not a document")
    expected = SUFFIX_FORMATS.get(path.suffix.lower())
    if expected is None:
        raise UnsupportedFormatError(path, f"unsupported file type {path.suffix or '(none)'!r}; "
                                           f"expected one of {SUPPORTED}")
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
    document = normalize(document)
    if not any(block.text or block.rows for block in document.blocks):
        hint = ""
        if expected == "pdf":
            hint = " (a scan? read it with --ocr auto)" if settings.ocr == "never" else " (not even by OCR)"
        raise EmptyDocumentError(path, f"no text found in the document{hint}")
    return document


def _mismatch_message(expected: str, actual: str) -> str:
    names = {"pdf": "a PDF", "docx": "a DOCX", "text": "plain text", "zip": "a ZIP archive",
             "ole": "an old Word .doc (save it as .docx)", "binary": "binary data"}
    if expected == "docx" and actual != "docx":
        return f"not a valid DOCX (not a Word zip package; the content is {names[actual]})"
    if expected == "pdf":
        return f"not a valid PDF (no %PDF header; the content is {names[actual]})"
    return f"named as {names[expected]} but the content is {names[actual]}"
