"""Turn a text PDF into what a scanner makes of its printout: an image-only PDF.

    render_scan(tmp_path / "aa-en-hunze-2021.pdf", tmp_path / "aa-en-hunze-2021-scan.pdf")

rasterises every page with pypdfium2 in grey, softens it with a slight blur (ink
spreading, a scanner's optics), turns it a fraction of a degree (paper fed askew), and
writes the pictures as a PDF of the same page size with no text layer, JPEG-compressed
as scanners save them. The signed copy of an agreement often looks exactly like this.
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageFilter

POINTS_PER_INCH = 72
WHITE = 255
JPEG_QUALITY = 85


def render_scan(pdf_path: Path, scan_path: Path, *, dpi: int = 200, blur: float = 0.7,
                rotate_degrees: float = 0.4) -> Path:
    """Write an image-only copy of `pdf_path` to `scan_path`; returns `scan_path`.

    `blur` is the Gaussian radius in pixels at `dpi`; `rotate_degrees` turns each page
    anticlockwise about its centre (negative: clockwise), filling the corners with white.
    """
    pages: list[Image.Image] = []
    pdf = pdfium.PdfDocument(pdf_path)
    try:
        for page in pdf:
            try:
                image = page.render(scale=dpi / POINTS_PER_INCH, grayscale=True).to_pil().convert("L")
            finally:
                page.close()
            if blur:
                image = image.filter(ImageFilter.GaussianBlur(blur))
            if rotate_degrees:
                image = image.rotate(rotate_degrees, resample=Image.Resampling.BICUBIC,
                                     expand=False, fillcolor=WHITE)
            pages.append(image)
    finally:
        pdf.close()
    pages[0].save(scan_path, "PDF", resolution=float(dpi), save_all=True,
                  append_images=pages[1:], quality=JPEG_QUALITY)
    return scan_path


def render_five_page_scan(folder: Path, dpi: int = 200) -> Path:
    """folder/scans/deel-2021.pdf: a scan of five pages with 13 commitments (the seed's
    parties and its chapter 4.1 onwards, in part), the one large scan of a batch folder."""
    from tests.render.pdf import render_pdf
    from tests.render.source import seed_elements

    elements = seed_elements()
    start = next(i for i, e in enumerate(elements) if e.text.startswith("4.1 "))
    text_pdf = render_pdf(elements[:13] + elements[start:start + 30], folder / "deel.pdf")
    (folder / "scans").mkdir()
    return render_scan(text_pdf, folder / "scans" / "deel-2021.pdf", dpi=dpi)
