"""One validated settings object with named defaults, passed explicitly to every stage."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL_PATH = PROJECT_ROOT / "models" / "nl_agreements"

# PDF reading
DEFAULT_PDF_ENGINE = "pdfplumber"  # pdfplumber | pdfium | auto
PDF_ENGINES = ("pdfplumber", "pdfium", "auto")
# A line that repeats (digits masked) in the top or bottom band of at least this share
# of pages is a running header or footer.
DEFAULT_REPEAT_SHARE = 0.5
DEFAULT_MARGIN_BAND = 0.12  # share of the page height searched for headers and footers
# OCR
DEFAULT_OCR = "auto"  # auto: pages without a text layer; always; never
OCR_MODES = ("auto", "always", "never")
DEFAULT_OCR_LANGUAGE = "nld"
DEFAULT_OCR_DPI = 300

# Matching (see pipeline/matching.py for how each is used)
DEFAULT_MATCH_THRESHOLD = 0.55  # below this combined score two items are not the same afspraak
DEFAULT_MODIFIED_BELOW = 0.97  # text similarity under this (after normalising) is "modified"
DEFAULT_SPLIT_THRESHOLD = 0.60  # containment score for a part of a split or merge
DEFAULT_CONTEXT_WEIGHT = 0.15  # weight of theme/section/owners next to the text score


@dataclass(frozen=True)
class Settings:
    model_path: Path = DEFAULT_MODEL_PATH
    pdf_engine: str = DEFAULT_PDF_ENGINE
    repeat_share: float = DEFAULT_REPEAT_SHARE
    margin_band: float = DEFAULT_MARGIN_BAND
    ocr: str = DEFAULT_OCR
    ocr_language: str = DEFAULT_OCR_LANGUAGE
    ocr_dpi: int = DEFAULT_OCR_DPI
    match_threshold: float = DEFAULT_MATCH_THRESHOLD
    modified_below: float = DEFAULT_MODIFIED_BELOW
    split_threshold: float = DEFAULT_SPLIT_THRESHOLD
    context_weight: float = DEFAULT_CONTEXT_WEIGHT

    def __post_init__(self) -> None:
        if self.pdf_engine not in PDF_ENGINES:
            raise ValueError(f"pdf_engine must be one of {PDF_ENGINES}, not {self.pdf_engine!r}")
        if self.ocr not in OCR_MODES:
            raise ValueError(f"ocr must be one of {OCR_MODES}, not {self.ocr!r}")
        for name in ("repeat_share", "margin_band", "match_threshold", "modified_below",
                     "split_threshold", "context_weight"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must lie between 0 and 1, not {value}")
        if self.ocr_dpi < 72:
            raise ValueError(f"ocr_dpi must be at least 72, not {self.ocr_dpi}")

    @property
    def fingerprint(self) -> str:
        """A stable string of every setting, for cache keys."""
        return repr(sorted((k, str(v)) for k, v in self.__dict__.items()))
