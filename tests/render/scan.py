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
