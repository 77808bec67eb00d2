"""One validated settings object with named defaults, passed explicitly to every stage."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# In a source checkout, the spaCy pipeline is the project's build output in models/ (`make
# setup` builds it). Installed (`pip install .`), the package has no models/ beside it: the
# pipeline is built on first use into the user's cache folder ($XDG_CACHE_HOME, else
# ~/.cache, /prestatieafspraken/), see pipeline.nlp.load_pipeline.
CHECKOUT_MODEL_PATH = PROJECT_ROOT / "models" / "nl_agreements"


def user_model_path() -> Path:
    """Where an installed package builds its spaCy pipeline on first use."""
    from platformdirs import user_cache_path
    return user_cache_path("prestatieafspraken", appauthor=False) / "nl_agreements"


IS_CHECKOUT = (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / "pipeline").is_dir()
DEFAULT_MODEL_PATH = CHECKOUT_MODEL_PATH if IS_CHECKOUT else user_model_path()

# PDF reading
# auto: pypdfium2 characters, pdfplumber for pages with ruled lines (its table finder);
# pdfium: pypdfium2 everywhere, pdfplumber's TableFinder on pdfium's edges;
# pdfplumber: the reference path. All three give the same rows on every test document.
DEFAULT_PDF_ENGINE = "auto"
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

# Matching (see pipeline/matching.py for how each is used). Scores are 0-1.
# The blended score is (1 - context_weight) x word-level text similarity (fuzz.ratio on
# normalised words: agreement year, numbering, punctuation neutralised) + context_weight x
# context (same theme, same section, owner overlap). Two items whose blended score is
# below match_threshold are never the same afspraak. With the defaults a pair needs a
# text similarity of at least 0.47 even in the same theme, section and owners, and an
# unchanged text (1.0) still matches after moving to another theme, section and owner.
DEFAULT_MATCH_THRESHOLD = 0.55
# A matched pair whose only edits are respellings ("energiedeel" -> "energiedaal") stays
# "unchanged" while its character-level similarity is at least this; a word added,
# removed or replaced, or a changed quantity, is "modified" whatever the similarity.
# Moved agreement years and indexed rent thresholds are never a modification.
DEFAULT_MODIFIED_BELOW = 0.97
# Share of a part's words that must lie (in order) inside the whole for it to count as a
# part of a split or merge; the parts together must also cover this share of the whole.
DEFAULT_SPLIT_THRESHOLD = 0.60
DEFAULT_CONTEXT_WEIGHT = 0.15  # weight of theme/section/owners next to the text score

# Batch: seconds one document may take (a 200-page scan takes some 400 s of OCR). Not a
# field of Settings: it changes no extraction, so no cache key.
DEFAULT_TIME_LIMIT = 600.0


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
