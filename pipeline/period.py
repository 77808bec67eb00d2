"""The year an agreement is for, and the period of a multi-year agreement.

In order of evidence:

1. the title page names the year: "Prestatieafspraken 2025", "Jaarschijf 2025", "Jaarafspraken
   voor 2025", "Uitvoeringsafspraken 2025", "Prestatieafspraken gemeente Veenhoven 2025";
   a range there is the period: "Kaderafspraken 2023-2026 met jaarschijf 2024" -> year 2024,
   period 2023-2026;
2. else the looptijd: "looptijd van 1 januari 2025 tot en met 31 december 2025" -> 2025 (a
   looptijd over several years is the period);
3. else the signing date: "Ondertekend op 11 december 2023" -> 2024 (agreements are signed in
   the autumn before the year they are for), "Getekend op 3 maart 2024" -> 2024.

A multi-year agreement without a year of its own takes its first year.

    >>> from pipeline.types import Block
    >>> period_of([Block("Kaderafspraken 2023-2026"), Block("Jaarschijf 2024")])
    Period(year=2024, start=2023, end=2026, source='title')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from pipeline.types import Block, Document

TITLE_BLOCKS = 12  # how far into the document the title page reaches
TITLE_LINE_WORDS = 15  # a title line is short; a sentence there ("afspraken gelden tot 2030") is no title
SIGNED_FOR_NEXT_YEAR_FROM_MONTH = 10  # signed in October-December: for the year after

_MONTHS = {m: n for n, m in enumerate(("januari februari maart april mei juni juli augustus september "
                                       "oktober november december").split(), start=1)}
MONTH_NAMES = "|".join(_MONTHS)  # a regex alternation of the Dutch month names
_YEAR = r"(?:19|20)\d\d"
_RANGE_SEP = r"\s*(?:[-\u2012\u2013\u2014\u2015]{1,3}|/|t/m|tot\s+en\s+met|tot)\s*"  # OCR reads "–" as "-—"
# A year named as the agreement's own, strongest first; up to three words may stand between the
# word and the year ("Jaarafspraken wonen 2025", "Prestatieafspraken gemeente Veenhoven 2025").
_BETWEEN = r"(?:\s+(?!(?:19|20)\d\d\b)[\w'&\-]+){0,4}?"
_NOT_A_RANGE = rf"(?!{_RANGE_SEP}{_YEAR})"
_YEAR_WORDS = (
    re.compile(rf"\bjaarschijf(?:\s+(?:voor|van))?\s+({_YEAR})\b", re.IGNORECASE),
    re.compile(rf"\b(?:jaarafspraken|uitvoeringsafspraken|jaarplan|uitvoeringsprogramma|jaarprogramma|"
               rf"jaarafspraak|werkafspraken){_BETWEEN}\s+(?:voor\s+|van\s+)?(?:het\s+jaar\s+)?({_YEAR})\b"
               rf"{_NOT_A_RANGE}", re.IGNORECASE),
    re.compile(rf"\b(?:prestatieafspraken|prestatie-afspraken|woonafspraken|afspraken){_BETWEEN}\s+"
               rf"(?:voor\s+|van\s+|in\s+)?(?:het\s+jaar\s+)?({_YEAR})\b{_NOT_A_RANGE}", re.IGNORECASE),
)
# A period: a range of years after a word for the agreement or its span ("Kaderafspraken 2023-2026",
# "Richtingen voor de periode 2021 - 2025"), not a woonvisie's ("Woonvisie 2023-2028").
_RANGE = re.compile(rf"\b(?:afspraken|prestatieafspraken|kaderafspraken|periode|looptijd|jaren|wonen|"
                    rf"[A-Z][\w\-]+)\s+(?:[\w\-]+\s+){{0,3}}?({_YEAR}){_RANGE_SEP}({_YEAR})\b")
_NOT_THE_AGREEMENT = re.compile(r"\b(?:woonvisie|visie|woonagenda|beleid|beleidsplan|programma|nota)\b[^\d]*$",
                                re.IGNORECASE)
_LIST_ITEM = re.compile(r"^\(?(?:\d{1,2}|[a-z]|[ivx]{1,4})[.)]\s")
_DATE = rf"(\d{{1,2}})\s+({MONTH_NAMES})\s+({_YEAR})"
_LOOPTIJD = re.compile(
    rf"\b(?:looptijd|geldig|gelden|geldt|periode|lopen|loopt|van\s+kracht)\b[^.]*?\b{_DATE}"
    rf"\s*(?:t/m|tot\s+en\s+met|tot|-|\u2013)\s*{_DATE}", re.IGNORECASE)
_SIGNING = re.compile(
    rf"\b(?:ondertekend|getekend|vastgesteld|overeengekomen)\b[^.]*?\b{_DATE}", re.IGNORECASE)
_DATE_LINE = re.compile(rf"^\s*(?:datum|plaats\s+en\s+datum)\s*:?\s*(?:[A-Z][\w\- ]+,\s*)?{_DATE}", re.IGNORECASE)

TITLE, LOOPTIJD, SIGNING_DATE, NOWHERE = "title", "looptijd", "signing-date", "none"


@dataclass(frozen=True)
class Period:
    year: int | None  # the agreement year
    start: int | None = None  # first and last year of a multi-year agreement, else None
    end: int | None = None
    source: str = NOWHERE  # where the year came from: title, looptijd, signing-date, none


def agreement_period(document: Document) -> Period:
    """The year and period of a document (see the module docstring)."""
    return period_of(document.blocks)


def period_of(blocks: Sequence[Block]) -> Period:
    texts = [block.text for block in blocks if block.text]
    title = [text for text in texts[:TITLE_BLOCKS] if is_title_line(text)]
    year = _title_year(title)
    start = end = None
    span = _title_range(title)
    if span:
        start, end = span
    if year is not None:
        return Period(year, start, end, TITLE)
    looptijd = _looptijd(texts)
    if looptijd:
        first, last = looptijd
        if first == last:
            return Period(first, start, end, LOOPTIJD)
        start, end = start or first, end or last
    signed = _signing_year(texts)
    if signed is not None and (start is None or start <= signed <= end):
        return Period(signed, start, end, SIGNING_DATE)
    if start is not None:
        return Period(start, start, end, TITLE if span else LOOPTIJD)
    if signed is not None:
        return Period(signed, None, None, SIGNING_DATE)
    return Period(None)


def is_title_line(text: str) -> bool:
    """A line of the title page: short, not a sentence or an item of a list ("1. de gemeente
    in 2023 de Woonvisie 2023-2028 heeft vastgesteld;")."""
    text = text.strip()
    return (len(text.split()) <= TITLE_LINE_WORDS and not text.endswith((".", ";", ",", ":"))
            and not text[:1].islower() and not _LIST_ITEM.match(text))


def _title_year(texts: Sequence[str]) -> int | None:
    for pattern in _YEAR_WORDS:
        for text in texts:
            found = pattern.search(text)
            if found:
                return int(found.group(1))
    return None


def _title_range(texts: Sequence[str]) -> tuple[int, int] | None:
    """"Prestatieafspraken 2021-2025", "Richtingen voor de periode 2021 - 2025": a range of
    years on the title page (the first one that runs forward, over at most ten years)."""
    for text in texts:
        for found in _RANGE.finditer(text):
            first, last = int(found.group(1)), int(found.group(2))
            if first < last <= first + 10 and not _NOT_THE_AGREEMENT.search(text[:found.start(1)]):
                return first, last
    return None


def _looptijd(texts: Sequence[str]) -> tuple[int, int] | None:
    """"looptijd van 1 januari 2025 t/m 31 december 2025" -> (2025, 2025); an end on
    1 January is the year before's end ("tot 1 januari 2026")."""
    for text in texts:
        found = _LOOPTIJD.search(text)
        if found:
            first = int(found.group(3))
            day, month, last = int(found.group(4)), _MONTHS[found.group(5).lower()], int(found.group(6))
            if (day, month) == (1, 1) and last > first:
                last -= 1
            if first <= last:
                return first, last
    return None


def _signing_year(texts: Sequence[str]) -> int | None:
    for text in texts:
        found = _SIGNING.search(text) or _DATE_LINE.search(text)
        if found:
            month, year = _MONTHS[found.group(2).lower()], int(found.group(3))
            return year + 1 if month >= SIGNED_FOR_NEXT_YEAR_FROM_MONTH else year
    return None
