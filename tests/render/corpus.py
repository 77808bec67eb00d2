"""Render every corpus document (tests/corpus/) in the formats its labels name, at once.

    files = render_corpus({"veenhoven-2025": {"text": {}, "docx": {}, "libreoffice-pdf": {}}}, tmp)
    files[("veenhoven-2025", "libreoffice-pdf")]  # -> tmp/libreoffice/veenhoven-2025.pdf

Formats and their options (the `formats` of a label file):

    text              the fixture's plain text (tests/render/corpus_source.py: corpus_text)
    docx              tests/render/corpus_docx.py; options: footer, header, label_tab, properties
    libreoffice-pdf   that DOCX exported to PDF by LibreOffice; options as for docx (it
                      takes the docx options when it names none of its own)
    pdf               tests/render/corpus_pdf.py (reportlab); options: header, footer
    scan              a rendered PDF printed, signed by hand and scanned: options from
                      ("libreoffice-pdf" or "pdf", which must be rendered too), dpi (200)

Every DOCX that LibreOffice exports goes through one soffice call: its start-up costs
seconds, the conversion of a small document a fraction of one. A scan signs its copy
first: a pen stroke drawn on every signature line (underscores), ink over the printed page,
then tests/render/scan.py makes the grey, slightly blurred and askew JPEG pages.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import tempfile
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from tests.render.corpus_docx import render_corpus_docx
from tests.render.corpus_pdf import render_corpus_pdf
from tests.render.corpus_source import corpus_document, corpus_path, corpus_text
from tests.render.scan import render_scan

FORMATS = ("text", "docx", "libreoffice-pdf", "pdf", "scan")
SIGNATURE_LINE = "____"  # what a signature block prints to sign on
SOFFICE_TIMEOUT = 600


def docx_to_pdf_batch(docx_files: list[Path], folder: Path) -> dict[Path, Path]:
    """Export many DOCX files to PDF in one LibreOffice run: docx -> pdf in `folder`.

    Skips the calling test when LibreOffice is not installed.
    """
    if not docx_files:
        return {}
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed; scripts/system-packages.sh installs it")
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:  # never a user's running office
        subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(folder), *map(str, docx_files)],
                       check=True, capture_output=True, timeout=SOFFICE_TIMEOUT)
    pdfs = {docx: folder / f"{docx.stem}.pdf" for docx in docx_files}
    missing = [docx.name for docx, pdf in pdfs.items() if not pdf.is_file()]
    if missing:
        raise RuntimeError(f"LibreOffice wrote no PDF for {', '.join(missing)}")
    return pdfs


def _stroke(page, points: list[tuple[float, float]], width: float = 1.1) -> None:
    """A pen stroke through `points` (PDF coordinates), as smooth curves."""
    path = pdfium_c.FPDFPageObj_CreateNewPath(*points[0])
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        mid = ((x0 + x1) / 2, (y0 + y1) / 2)
        pdfium_c.FPDFPath_BezierTo(path, x0 + (x1 - x0) * 0.3, y0 + 6, mid[0], mid[1] - 5, x1, y1)
    pdfium_c.FPDFPageObj_SetStrokeColor(path, 25, 25, 80, 255)
    pdfium_c.FPDFPageObj_SetStrokeWidth(path, width)
    pdfium_c.FPDFPath_SetDrawMode(path, pdfium_c.FPDF_FILLMODE_NONE, True)
    pdfium_c.FPDFPage_InsertObject(page.raw, path)


def sign_pdf(source: Path, target: Path, anchor: str = SIGNATURE_LINE) -> Path:
    """Sign every signature line (a run of underscores) with a pen stroke just above it."""
    pdf = pdfium.PdfDocument(source)
    try:
        for number, page in enumerate(pdf):
            textpage = page.get_textpage()
            searcher = textpage.search(anchor, match_case=True)
            lines: list[tuple[float, float]] = []
            while (hit := searcher.get_next()) is not None:
                left, bottom, _right, _top = textpage.get_charbox(hit[0])
                if not any(abs(bottom - y) < 2 and left - x < 400 for x, y in lines):  # one hit per line
                    lines.append((left, bottom))
            for n, (x, y) in enumerate(lines):
                seed = number * 7 + n
                points = [(x + 8 + 10 * i, y + 7 + 5 * math.sin(i * 1.7 + seed) + (i % 3)) for i in range(11)]
                _stroke(page, points)
                _stroke(page, [(x + 14, y + 3), (x + 60, y + 6), (x + 104, y + 2)], width=0.8)
            if lines:
                page.gen_content()
        pdf.save(target)
    finally:
        pdf.close()
    return target


def render_corpus(documents: dict[str, dict[str, dict]], folder: Path) -> dict[tuple[str, str], Path]:
    """Render each document in each of its formats; (name, format) -> path."""
    files: dict[tuple[str, str], Path] = {}
    for sub in ("text", "docx", "libreoffice", "pdf", "scan"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    for_office: dict[str, Path] = {}
    for name, formats in documents.items():
        unknown = set(formats) - set(FORMATS)
        if unknown:
            raise ValueError(f"{name}: unknown formats {sorted(unknown)}")
        corpus = corpus_document(name)
        if "text" in formats:
            path = folder / "text" / f"{name}.txt"
            path.write_text(corpus_text(corpus_path(name).read_text(encoding="utf-8")), encoding="utf-8")
            files[(name, "text")] = path
        if "docx" in formats:
            files[(name, "docx")] = render_corpus_docx(corpus, folder / "docx" / f"{name}.docx",
                                                       **formats["docx"])
        if "libreoffice-pdf" in formats:
            options = formats["libreoffice-pdf"] or formats.get("docx", {})
            for_office[name] = render_corpus_docx(corpus, folder / "libreoffice" / f"{name}.docx", **options)
        if "pdf" in formats:
            files[(name, "pdf")] = render_corpus_pdf(corpus, folder / "pdf" / f"{name}.pdf", **formats["pdf"])
    for name, pdf in docx_to_pdf_batch(list(for_office.values()), folder / "libreoffice").items():
        files[(pdf.stem, "libreoffice-pdf")] = pdf
    for name, formats in documents.items():
        if "scan" in formats:
            options = dict(formats["scan"])
            source = files[(name, options.pop("from", "libreoffice-pdf"))]
            signed = sign_pdf(source, folder / "scan" / f"{name}-signed.pdf")
            files[(name, "scan")] = render_scan(signed, folder / "scan" / f"{name}.pdf", dpi=options.pop("dpi", 200))
            if options:
                raise ValueError(f"{name}: unknown scan options {sorted(options)}")
    return files
