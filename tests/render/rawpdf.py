"""PDFs written object by object, for the files no word processor makes: no pages, a broken
cross-reference table, JavaScript, objects nested thousands deep, a font without ToUnicode,
a page of 200 x 200 inches, thousands of pages.

    write_pdf([catalog, pages, page, content], path)   # objects 1..n, the first is the catalog

Text is set in Helvetica (one of the 14 standard fonts, which every reader maps to
Unicode without an embedded font or a ToUnicode map), except where `garbage_font_page`
builds a font that maps its codes to nothing.
"""

from __future__ import annotations

from pathlib import Path

HELVETICA = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"


def pdf_bytes(objects: list[bytes], *, root: int = 1, xref_shift: int = 0, extra_trailer: bytes = b"") -> bytes:
    """A PDF with `objects` numbered from 1; `xref_shift` moves every offset of the
    cross-reference table (a broken table: readers must rebuild it by scanning)."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % (offset + xref_shift)
    out += (b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n"
            % (len(objects) + 1, root, extra_trailer, xref_at))
    return bytes(out)


def stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def text_content(lines: list[str], top: float = 800.0, size: float = 11.0) -> bytes:
    """A content stream drawing `lines` top-down in Helvetica (font resource /F1)."""
    ops = [b"BT", b"/F1 %g Tf" % size, b"%g TL" % (size * 1.4), b"50 %g Td" % top]
    for line in lines:
        escaped = line.encode("cp1252").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
        ops.append(b"(" + escaped + b") Tj T*")
    ops.append(b"ET")
    return b"\n".join(ops)


def text_pdf(pages: list[list[str]], *, width: float = 595.0, height: float = 842.0,
             catalog_extra: bytes = b"", xref_shift: int = 0, extra_objects: list[bytes] = ()) -> bytes:
    """One page per list of lines (an empty list: a blank page). Objects: 1 catalog,
    2 page tree, 3 font, then a page and its content per page, then `extra_objects`
    (numbered after them, for `catalog_extra` to refer to)."""
    first_page = 4
    kids = b" ".join(b"%d 0 R" % (first_page + 2 * i) for i in range(len(pages)))
    objects = [b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
               b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(pages)), HELVETICA]
    for i, lines in enumerate(pages):
        content = first_page + 2 * i + 1
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /Font << /F1 3 0 R >> >> "
                       b"/Contents %d 0 R >>" % (width, height, content))
        objects.append(stream(text_content(lines, top=height - 60) if lines else b""))
    return pdf_bytes(objects + list(extra_objects), xref_shift=xref_shift)


def write_pdf(data: bytes, path: Path) -> Path:
    path.write_bytes(data)
    return path


def garbage_font_pdf(lines: list[str]) -> bytes:
    """A Type 3 font whose glyphs have made-up names and no ToUnicode map, its codes from 1
    upward in order of first use, as subsetting producers number them: the page prints
    (boxes), but its text layer maps to no characters."""
    codes: dict[str, int] = {}
    for char in "".join(lines):
        codes.setdefault(char, len(codes) + 1)
    names = b" ".join(b"/g%d" % code for code in codes.values())
    procs = b" ".join(b"/g%d 6 0 R" % code for code in codes.values())
    font = (b"<< /Type /Font /Subtype /Type3 /FontBBox [0 0 600 700] /FontMatrix [0.001 0 0 0.001 0 0] "
            b"/CharProcs << " + procs + b" >> /Encoding << /Type /Encoding /Differences [1 " + names + b"] >> "
            b"/FirstChar 1 /LastChar %d /Widths [%s] /Resources << >> >>"
            % (len(codes), b" ".join([b"600"] * len(codes))))
    ops = [b"BT", b"/F1 11 Tf", b"15.4 TL", b"50 780 Td"]
    for line in lines:
        encoded = bytes(codes[c] for c in line).replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
        ops.append(b"(" + encoded + b") Tj T*")
    ops.append(b"ET")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>", font,
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
               b"/Contents 5 0 R >>", stream(b"\n".join(ops)), stream(b"600 0 0 0 500 600 d1 0 0 500 600 re f")]
    return pdf_bytes(objects)
