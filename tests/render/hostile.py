"""A corpus of bad inputs, rendered at test time: each kind of hostile, broken or odd file a
user may feed the tool, in one folder.

    render_hostile(folder) -> {"zip-bomb": folder / "zip-bomb.docx", ...}

Big inputs are made cheaply: a file refused by a size limit is written sparse (its size
is claimed, its bytes never written), and the zip bomb is deflated from one repeated
megabyte. The good files hold a small agreement (AGREEMENT) so that "read" means
commitments found; tests/test_hostile.py pins what becomes of each kind.
"""

from __future__ import annotations

import os
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import docx
from reportlab.lib import pdfencrypt

from tests.render.docx import Level, add_abstract_num, add_num, numbering_root, set_list
from tests.render.pdf import render_lines_pdf, render_pdf
from tests.render.rawpdf import garbage_font_pdf, pdf_bytes, stream, text_content, text_pdf, HELVETICA
from tests.render.source import seed_elements

AGREEMENT = """Prestatieafspraken Hostiel 2021

In dit document leggen we de prestatieafspraken vast tussen:
1. Gemeente Hostiel, vertegenwoordigd door wethouder J. Jansen, hierna te noemen: 'de gemeente'.
2. Woningstichting Veilig Wonen, vertegenwoordigd door mevrouw A. de Vries, hierna te noemen: 'Veilig Wonen'.

1 Afspraken

1. De gemeente bouwt in 2021 minimaal 20 woningen voor starters.
2. Veilig Wonen verbetert 94 woningen naar energielabel A.
3. De gemeente en Veilig Wonen overleggen vier keer per jaar over de voortgang.
"""
LINES = [line for line in AGREEMENT.splitlines() if line.strip()]
SECRET = "SECRET-FROM-OUTSIDE-THE-PACKAGE"  # what an XXE entity would pull in, were it resolved
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def render_hostile(folder: Path) -> dict[str, Path]:
    """Write every kind into `folder` (created); returns kind -> path. The secret file an
    XXE entity points at is written beside the folder, outside the corpus."""
    folder.mkdir(parents=True, exist_ok=True)
    secret_of(folder / "x").write_text(SECRET, encoding="utf-8")
    made = {}
    for kind, (name, build) in KINDS.items():
        build(folder / name)
        made[kind] = folder / name
    return made


def secret_of(path: Path) -> Path:
    """The file beside the corpus folder that an XXE entity in `path` names."""
    return path.parent.parent / "secret.txt"


# --------------------------------------------------------------------------- builders


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _sparse(header: bytes, size: int) -> Callable[[Path], None]:
    """A file of `size` bytes of which only `header` is written (the rest is a hole)."""
    def build(path: Path) -> None:
        with path.open("wb") as handle:
            handle.write(header)
            handle.truncate(size)
    return build


def _agreement_pdf(path: Path) -> None:
    path.write_bytes(text_pdf([LINES]))


def _seed_pdf_cut(share: float) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        whole = render_pdf(seed_elements(), path)
        data = whole.read_bytes()
        path.write_bytes(data[: int(len(data) * share)])
    return build


def _encrypted(user: str) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        render_lines_pdf([LINES], path, encrypt=pdfencrypt.StandardEncryption(user, "eigenaar"))
    return build


def _javascript_pdf(path: Path) -> None:
    script = b"<< /S /JavaScript /JS (app.alert\\('uitgevoerd'\\); this.exportDataObject\\({cName: 'x'}\\);) >>"
    path.write_bytes(text_pdf([LINES], extra_objects=[script],
                              catalog_extra=b"/OpenAction 6 0 R /Names << /JavaScript << /Names [(open) 6 0 R] >> >> "))


def _deep_pdf(path: Path, depth: int = 50_000) -> None:
    """Arrays nested `depth` deep in the content stream (operands the reader must parse) and
    dictionaries as deep in the page's annotations."""
    content = b"[" * depth + b"]" * depth + b" pop\n" + text_content(LINES)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>", HELVETICA,
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
               b"/Contents 5 0 R /Annots 6 0 R >>", stream(content),
               b"[" + b"<< /A " * depth + b"1" + b" >>" * depth + b"]"]
    path.write_bytes(pdf_bytes(objects))


def _huge_scan_pdf(path: Path) -> None:
    """A 200 x 200 inch page with a drawing and no text: OCR would render 3.6 gigapixels."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 14400 14400] /Contents 4 0 R >>",
               stream(b"72 72 14256 14256 re S")]
    path.write_bytes(pdf_bytes(objects))


def _docx(build_body: Callable[[docx.document.Document], None] | None = None) -> Callable[[Path], None]:
    """The agreement as a Word document with real automatic numbering, `build_body` adding to it."""
    def build(path: Path) -> None:
        document = docx.Document()
        root = numbering_root(document)
        add_abstract_num(root, 10, [Level("decimal", "%1.", 1)])
        add_num(root, 10, 10)
        add_num(root, 11, 10, {0: 1})
        numbered, lists = False, 0
        for line in LINES:
            if line[:2] in ("1.", "2.", "3.") and line[1] == ".":
                if not numbered:
                    lists += 1
                numbered = True
                paragraph = document.add_paragraph(line[3:], style="List Number")
                set_list(paragraph._p, 9 + lists, 0)
            else:
                numbered = False
                style = "Title" if line.startswith("Prestatieafspraken") else (
                    "Heading 1" if line == "1 Afspraken" else None)
                document.add_paragraph(line, style=style)
        if build_body is not None:
            build_body(document)
        document.save(path)
    return build


def _replace_part(source: Callable[[Path], None], part: str, change: Callable[[bytes, Path], bytes]):
    """A DOCX made by `source` with one part's bytes changed by `change(data, secret)`."""
    def build(path: Path) -> None:
        source(path)
        with zipfile.ZipFile(path) as archive:
            members = [(info, archive.read(info)) for info in archive.infolist()]
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for info, data in members:
                archive.writestr(info, change(data, secret_of(path)) if info.filename == part else data)
    return build


def _xxe(data: bytes, secret: Path) -> bytes:
    """An external entity naming a file outside the package."""
    return _with_dtd(data, b'<!DOCTYPE root [<!ENTITY xxe SYSTEM "' + secret.as_uri().encode() + b'">]>', b"&xxe;")


def _laughs(data: bytes, secret: Path) -> bytes:
    """Ten entities, each ten of the one before: "&lol9;" is 10^9 "lol"s, 3 GB, expanded."""
    entities = [b'<!ENTITY lol0 "lol">'] + [b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10)
                                            for i in range(1, 10)]
    return _with_dtd(data, b"<!DOCTYPE root [" + b"".join(entities) + b"]>", b"&lol9;")


def _with_dtd(data: bytes, dtd: bytes, reference: bytes) -> bytes:
    """The XML part with `dtd` after its declaration and the entity `reference` used in the
    first w:t (or in an element of its own, first in the root)."""
    body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
    if b"<w:t>" in body:
        body = body.replace(b"<w:t>", b"<w:t>" + reference, 1)
    else:
        end = body.index(b">") + 1
        body = body[:end] + b"<w:extra>" + reference + b"</w:extra>" + body[end:]
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + dtd + body


def _malformed(data: bytes, secret: Path) -> bytes:
    return data.replace(b"</w:body>", b"<w:p><w:r><w:t>kapot</w:r></w:body>", 1)


def _zip_bomb(path: Path) -> None:
    """word/document.xml that inflates to 1 GiB and a bit (spaces inside the body), next to
    the real parts of a small DOCX: about 1 MB on disk."""
    _docx()(path)
    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    head = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{W_NS}"><w:body>'
            .encode())
    tail = b"</w:body></w:document>"
    padding, chunks = b" " * (1 << 20), 1025
    # After a full flush the compressor starts afresh, so one megabyte deflates to the same
    # bytes every time: deflate it once and repeat them.
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(padding) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.compress(tail) + compressor.flush()
    crc = zlib.crc32(head)
    for _ in range(chunks):
        crc = zlib.crc32(padding, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + chunks * len(padding) + len(tail)
    deflated = [start, block * chunks, end]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in members:
            if info.filename != "word/document.xml":
                archive.writestr(info, data)
        bomb = zipfile.ZipInfo("word/document.xml", date_time=(2021, 1, 1, 0, 0, 0))
        bomb.compress_type = zipfile.ZIP_DEFLATED
        _write_raw_member(archive, bomb, b"".join(deflated), crc, size)


def _write_raw_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, deflated: bytes, crc: int, size: int) -> None:
    """Add a member whose deflated bytes are given, without inflating or deflating anything."""
    info.CRC, info.compress_size, info.file_size = crc, len(deflated), size
    info.header_offset = archive.fp.tell()
    archive.fp.write(info.FileHeader(zip64=size > zipfile.ZIP64_LIMIT))
    archive.fp.write(deflated)
    archive.filelist.append(info)
    archive.NameToInfo[info.filename] = info
    archive.start_dir = archive.fp.tell()


def _damaged_deflate(path: Path) -> None:
    """The agreement with a run of bytes in the middle of document.xml's deflated data
    overwritten: its zip directory is whole, its data does not inflate."""
    _docx()(path)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("word/document.xml")
    name_and_extra = int.from_bytes(data[info.header_offset + 26:info.header_offset + 28], "little") + \
        int.from_bytes(data[info.header_offset + 28:info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_and_extra + info.compress_size // 3
    data[start:start + 16] = b"\xff" * 16
    path.write_bytes(bytes(data))


def _numbering_cycle(document) -> None:
    """numbering.xml: abstractNum 20 takes its levels from list style "Lus", whose numId 20
    points back at abstractNum 20; a paragraph uses it."""
    root = numbering_root(document)
    abstract = root.makeelement(f"{{{W_NS}}}abstractNum", {f"{{{W_NS}}}abstractNumId": "20"})
    link = abstract.makeelement(f"{{{W_NS}}}numStyleLink", {f"{{{W_NS}}}val": "Lus"})
    abstract.append(link)
    root.insert(0, abstract)
    add_num(root, 20, 20)
    styles = document.styles.element
    style = styles.makeelement(f"{{{W_NS}}}style", {f"{{{W_NS}}}type": "numbering", f"{{{W_NS}}}styleId": "Lus"})
    ppr = style.makeelement(f"{{{W_NS}}}pPr", {})
    numpr = ppr.makeelement(f"{{{W_NS}}}numPr", {})
    numpr.append(numpr.makeelement(f"{{{W_NS}}}numId", {f"{{{W_NS}}}val": "20"}))
    ppr.append(numpr)
    style.append(ppr)
    styles.append(style)
    paragraph = document.add_paragraph("Een alinea in de lus.")
    set_list(paragraph._p, 20, 0)


def _style_cycle(document) -> None:
    """Two paragraph styles based on each other; a paragraph in one of them."""
    styles = document.styles.element
    for style_id, based_on in (("LusA", "LusB"), ("LusB", "LusA")):
        style = styles.makeelement(f"{{{W_NS}}}style", {f"{{{W_NS}}}type": "paragraph", f"{{{W_NS}}}styleId": style_id})
        style.append(style.makeelement(f"{{{W_NS}}}name", {f"{{{W_NS}}}val": style_id}))
        style.append(style.makeelement(f"{{{W_NS}}}basedOn", {f"{{{W_NS}}}val": based_on}))
        styles.append(style)
    paragraph = document.add_paragraph("Een alinea in een kringstijl.")
    paragraph._p.get_or_add_pPr().get_or_add_pStyle().set(f"{{{W_NS}}}val", "LusA")


PARAGRAPHS = 20_000


def _many_paragraphs(path: Path) -> None:
    """20,000 paragraphs: a title, 19,497 paragraphs of introduction, a heading and 500
    afspraken of one list (written into document.xml as text: python-docx takes seconds to
    add as many)."""
    document = docx.Document()
    root = numbering_root(document)
    add_abstract_num(root, 10, [Level("decimal", "%1.", 1)])
    add_num(root, 10, 10)
    document.add_paragraph(LINES[0], style="Title")
    document.save(path)
    intro = "<w:p><w:r><w:t>Een alinea van de inleiding, zonder afspraak.</w:t></w:r></w:p>"
    heading = '<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>1 Afspraken</w:t></w:r></w:p>'
    item = ('<w:p><w:pPr><w:pStyle w:val="ListNumber"/><w:numPr><w:ilvl w:val="0"/><w:numId w:val="10"/>'
            '</w:numPr></w:pPr><w:r><w:t>De gemeente bouwt 20 woningen.</w:t></w:r></w:p>')
    paragraphs = (intro * (PARAGRAPHS - 502) + heading + item * 500).encode()
    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in members:
            if info.filename == "word/document.xml":
                data = data.replace(b"<w:sectPr", paragraphs + b"<w:sectPr", 1)
            archive.writestr(info, data)


def _word_part_swap(content_type: str) -> Callable[[Path], None]:
    """The agreement saved with another main-part content type (.docm, .dotx)."""
    def build(path: Path) -> None:
        _docx()(path)
        with zipfile.ZipFile(path) as archive:
            members = [(info, archive.read(info)) for info in archive.infolist()]
        main = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for info, data in members:
                archive.writestr(info, data.replace(main, content_type.encode()) if
                                 info.filename == "[Content_Types].xml" else data)
    return build


def _text(encoding: str, extra: str = "") -> Callable[[Path], None]:
    def build(path: Path) -> None:
        path.write_bytes((AGREEMENT.replace("20 woningen", "20 woningen (€ 1.500 per woning, één keer)")
                          + extra).encode(encoding))
    return build


def _nul_bytes(path: Path) -> None:
    data = AGREEMENT.encode("utf-8")
    at = data.index(b"1 Afspraken")
    path.write_bytes(data[:at] + b"\x00\x00\x00" + data[at:] + b"\x00")


def _long_line(path: Path) -> None:
    """One line of 10 MB: "1. " and a sentence repeated, no newline anywhere."""
    sentence = b"De gemeente bouwt woningen en nog meer woningen. "
    with path.open("wb") as handle:
        handle.write(b"1. ")
        handle.write(sentence * ((10 << 20) // len(sentence)))


def _binary_text(path: Path) -> None:
    path.write_bytes(bytes(range(256)) * 64)



def _symlink_loop(path: Path) -> None:
    """x.txt -> y.txt -> x.txt, and a folder linking back to its parent."""
    other = path.with_name("lus-b.txt")
    other.symlink_to(path.name)
    path.symlink_to(other.name)
    (path.parent / "lus-map").mkdir()
    (path.parent / "lus-map" / "terug").symlink_to("..")


def _unreadable(path: Path) -> None:
    _text("utf-8")(path)
    path.chmod(0)


def _fifo(path: Path) -> None:
    os.mkfifo(path)


# kind -> (file name, builder of the file at a path).
KINDS: dict[str, tuple[str, Callable]] = {
    # empty files of each type
    "empty-pdf": ("leeg.pdf", _empty),
    "empty-docx": ("leeg.docx", _empty),
    "empty-txt": ("leeg.txt", _empty),
    # PDF
    "pdf-zero-pages": ("nul-paginas.pdf", lambda p: p.write_bytes(pdf_bytes(
        [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]))),
    "pdf-truncated-10": ("afgebroken-10.pdf", _seed_pdf_cut(0.1)),
    "pdf-truncated-50": ("afgebroken-50.pdf", _seed_pdf_cut(0.5)),
    "pdf-broken-xref": ("kapotte-xref.pdf", lambda p: p.write_bytes(text_pdf([LINES], xref_shift=17))),
    "pdf-user-password": ("wachtwoord.pdf", _encrypted("geheim")),
    "pdf-owner-password": ("alleen-eigenaar.pdf", _encrypted("")),
    "pdf-200-inch-page": ("reuzenpagina.pdf", lambda p: p.write_bytes(text_pdf([LINES], width=14400, height=14400))),
    "pdf-200-inch-scan": ("reuzenscan.pdf", _huge_scan_pdf),
    "pdf-2000-blank-pages": ("blanco-2000.pdf", lambda p: p.write_bytes(text_pdf([[] for _ in range(2000)]))),
    "pdf-javascript": ("javascript.pdf", _javascript_pdf),
    "pdf-deep-nesting": ("diep-genest.pdf", _deep_pdf),
    "pdf-no-tounicode": ("geen-tounicode.pdf", lambda p: p.write_bytes(garbage_font_pdf(LINES))),
    "pdf-over-size-limit": ("te-groot.pdf", _sparse(b"%PDF-1.7\n", (1 << 30) + (100 << 20))),
    # DOCX
    "docx-not-a-zip": ("geen-zip.docx", lambda p: p.write_text("Dit is geen Word-bestand.", encoding="utf-8")),
    "docx-zip-without-document": ("zip-zonder-document.docx", lambda p: zipfile.ZipFile(p, "w").writestr(
        "word/styles.xml", "<styles/>")),
    "docx-zip-bomb": ("zipbom.docx", _zip_bomb),
    "docx-xxe-document": ("xxe-document.docx", _replace_part(_docx(), "word/document.xml", _xxe)),
    "docx-xxe-numbering": ("xxe-numbering.docx", _replace_part(_docx(), "word/numbering.xml", _xxe)),
    "docx-xxe-styles": ("xxe-styles.docx", _replace_part(_docx(), "word/styles.xml", _xxe)),
    "docx-laughs-document": ("lachsalvo-document.docx", _replace_part(_docx(), "word/document.xml", _laughs)),
    "docx-laughs-numbering": ("lachsalvo-numbering.docx", _replace_part(_docx(), "word/numbering.xml", _laughs)),
    "docx-laughs-styles": ("lachsalvo-styles.docx", _replace_part(_docx(), "word/styles.xml", _laughs)),
    "docx-damaged-deflate": ("beschadigd.docx", _damaged_deflate),
    "docx-malformed-xml": ("kapotte-xml.docx", _replace_part(_docx(), "word/document.xml", _malformed)),
    "docx-numbering-cycle": ("nummering-lus.docx", _docx(_numbering_cycle)),
    "docx-style-cycle": ("stijl-lus.docx", _docx(_style_cycle)),
    "docx-20000-paragraphs": ("twintigduizend.docx", _many_paragraphs),
    "docm": ("macro.docm", _word_part_swap("application/vnd.ms-word.document.macroEnabled.main+xml")),
    "dotx": ("sjabloon.dotx", _word_part_swap(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml")),
    "docm-named-docx": ("macro-vermomd.docx", _word_part_swap("application/vnd.ms-word.document.macroEnabled.main+xml")),
    "pdf-named-docx": ("eigenlijk-pdf.docx", _agreement_pdf),
    "docx-named-pdf": ("eigenlijk-docx.pdf", _docx()),
    # text
    "text-utf16-bom": ("utf16.txt", _text("utf-16")),
    "text-cp1252": ("windows-1252.txt", _text("cp1252")),
    "text-nul-bytes": ("nul-tekens.txt", _nul_bytes),
    "text-binary": ("binair.txt", _binary_text),
    "text-10mb-line": ("een-regel.txt", _long_line),
    "text-200mb": ("tweehonderd-mb.txt", _sparse(b"1. De gemeente bouwt.\n", 200 << 20)),
    # names
    "name-spaces": ("met spaties 2021.txt", _text("utf-8")),
    "name-unicode": ("Súdwest-Fryslân 2021.txt", _text("utf-8")),
    "name-leading-dash": ("-streepje-2021.txt", _text("utf-8")),
    "name-newline": ("regel\neinde-2021.txt", _text("utf-8")),
    "name-newline-bad": ("kapot\nnaam.pdf", lambda p: p.write_text("geen pdf", encoding="utf-8")),
    # the folder
    "symlink-loop": ("lus-a.txt", _symlink_loop),
    "unreadable": ("onleesbaar.txt", _unreadable),
    "fifo": ("pijp.txt", _fifo),
}
