"""Amounts in commitment text: euro, percentages, counts, energielabels, energie-index, years, dates.

The pipeline's `quantity_ruler` (pipeline/nlp.py, patterns in pipeline/patterns/quantities.jsonl)
marks candidate spans; this module reads a value from each, chooses among overlapping
candidates and returns `Quantity` records in text order:

    >>> from pipeline.nlp import build_pipeline
    >>> nlp = build_pipeline()
    >>> for q in extract_quantities(nlp, "De Volmacht verbetert minimaal 94 woningen naar label A in 2021."):
    ...     print(q.kind, q.value, q.unit, q.qualifier, repr(q.text))
    count 94.0 woningen minimaal 'minimaal 94 woningen'
    label A energielabel None 'label A'
    year 2021.0 None None 'in 2021'

Decisions worth knowing:
- A year counts only after a time word ("in 2021", "vanaf 2019", "eind 2024") or as a range
  ("2021-2025"): bare years are mostly names of documents ("Woonvisie 2016+", "Huurbeleid
  (2018)"). A year inside a date is part of the date.
- A number is a count only with a counted noun ("94 woningen") or after a qualifier
  ("circa 400"); otherwise numbers (item numbers, "NTA 8800", footnote marks "¹") are ignored.
- An energie-index value needs the word before it ("energie-index tussen 1,41 en 1,80", "EI 1,4");
  a bare "tussen 1,41 en 1,80" could be anything.
- Overlapping candidates: a date beats everything, euro/percent/label/index beat a year, a
  year beats a count ("in 2021 nieuwe woningen" is a year, not 2021 woningen); then the
  longer span wins.
- The qualifier is the normalised word just before the amount ("ca." -> "circa") and is part
  of `Quantity.text`; for years the time word is the qualifier ("in" gives none).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline.nlp import QUANTITIES_KEY, QUANTITY_RULER, load_word_lists, regex_core
from pipeline.types import Quantity

EURO, PERCENT, COUNT, LABEL, INDEX, YEAR, DATE = "euro", "percent", "count", "label", "index", "year", "date"

# Which candidate wins an overlap (higher first; then the longer span, then the earlier one).
RANK_OF_LABEL = {"DATE": 4, "EURO": 3, "PERCENT": 3, "INDEX": 3, "LABEL": 3, "YEAR": 2, "COUNT": 1}
# "circa 65" must lose to "65 woningen" although both are two tokens long.
RANK_OF_PATTERN = {"count-bare": 0}

LOOKBACK_WORDS = 3  # longest qualifier looked up before an amount: "niet meer dan"


def parse_dutch_number(text: str) -> float:
    """A number as printed in Dutch: dots group thousands, the comma is the decimal mark.

    A dot that does not group thousands is read as a decimal point ("1.41"), and the
    whole-euro marks ",-" and ",=" are dropped.

    >>> parse_dutch_number("1.535"), parse_dutch_number("2,11"), parse_dutch_number("1.500,50")
    (1535.0, 2.11, 1500.5)
    >>> parse_dutch_number("3"), parse_dutch_number("38.000"), parse_dutch_number("1.41"), parse_dutch_number("663,-")
    (3.0, 38000.0, 1.41, 663.0)
    """
    text = text.strip().removesuffix(",-").removesuffix(",=")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"[0-9]{1,3}(?:\.[0-9]{3})+", text):
        text = text.replace(".", "")
    if not re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", text):
        raise ValueError(f"not a Dutch number: {text!r}")
    return float(text)


@dataclass(frozen=True)
class Lexicon:
    """The word lists of pipeline/patterns/quantity_words.jsonl the value readers need."""

    number_words: dict[str, float]
    tal_words: dict[str, float]
    multipliers: dict[str, float]
    months: dict[str, int]
    amount_qualifiers: dict[str, str]
    time_words: dict[str, str | None]
    date_qualifiers: dict[str, str]
    label_suffix_qualifiers: dict[str, str]
    index_inner: dict[str, str | None]
    segment_adjectives: frozenset[str]
    units: dict[str, str]
    number: re.Pattern[str]
    amount: re.Pattern[str]
    label_letter: re.Pattern[str]

    @classmethod
    def load(cls) -> Lexicon:
        words = load_word_lists()

        def table(name: str) -> dict[str, Any]:
            return dict(words[name]["map"])

        def regex(name: str) -> re.Pattern[str]:
            return re.compile(regex_core(name, words))

        return cls(
            number_words=table("number_words"),
            tal_words=table("tal_words"),
            multipliers=table("multipliers"),
            months=table("months"),
            amount_qualifiers=table("amount_qualifiers"),
            time_words=table("time_words"),
            date_qualifiers=table("date_qualifiers"),
            label_suffix_qualifiers=table("label_suffix_qualifiers"),
            index_inner=table("index_inner"),
            segment_adjectives=frozenset(words["segment_adjectives"]["words"]),
            units=table("unit_labels"),
            number=regex("number"),
            amount=regex("amount"),
            label_letter=regex("label_letter"),
        )

    def number_of(self, text: str) -> float | None:
        """A digit or word number, or None: "1.500" -> 1500.0, "twee" -> 2.0, "¹" -> None."""
        lower = text.lower()
        if lower in self.number_words:
            return float(self.number_words[lower])
        if self.amount.fullmatch(text):
            return parse_dutch_number(text)
        return None


# Static data read once at import, like any other table of constants; the spaCy pipeline
# itself is never cached here.
LEXICON = Lexicon.load()


@dataclass(frozen=True)
class Reading:
    """A value read from one candidate span, before qualifiers are looked up around it."""

    kind: str
    value: float | str | None
    unit: str | None = None
    value_max: float | None = None
    qualifier: str | None = None


# --------------------------------------------------------------------------- public


def extract_quantities(nlp: Language, text: str) -> tuple[Quantity, ...]:
    """The quantities of one text, in text order; runs only the tokenizer and quantity_ruler.

    >>> from pipeline.nlp import build_pipeline
    >>> nlp = build_pipeline()
    >>> [(q.kind, q.value, q.unit) for q in extract_quantities(nlp, "afgetopt op € 663 per 1 juli")]
    [('euro', 663.0, 'EUR'), ('date', '--07-01', None)]
    """
    doc = nlp.get_pipe(QUANTITY_RULER)(nlp.make_doc(text))
    return quantities_from_doc(doc)


def quantities_from_doc(doc: Doc) -> tuple[Quantity, ...]:
    """The quantities of a doc made by the pipeline (`nlp(text)`), in text order."""
    if QUANTITIES_KEY not in doc.spans:
        raise ValueError(
            f"doc has no {QUANTITIES_KEY!r} spans: make it with nlp(text) or use extract_quantities(nlp, text)"
        )
    readings = [(span, read_span(span, LEXICON)) for span in doc.spans[QUANTITIES_KEY]]
    chosen = choose_spans([(span, found) for span, found in readings if found])
    taken = {i for span, _ in chosen for i in range(span.start, span.end)}
    quantities: list[Quantity] = []
    for span, found in chosen:
        quantities.extend(to_quantities(span, found, taken, LEXICON))
    return tuple(quantities)


# --------------------------------------------------------------------------- choosing


def choose_spans(candidates: list[tuple[Span, list[Reading]]]) -> list[tuple[Span, list[Reading]]]:
    """Non-overlapping candidates by rank, then length, then position; returned in text order."""

    def preference(item: tuple[Span, list[Reading]]) -> tuple[int, int, int]:
        span = item[0]
        rank = RANK_OF_PATTERN.get(span.id_, RANK_OF_LABEL[span.label_])
        return rank, len(span), -span.start

    chosen: list[tuple[Span, list[Reading]]] = []
    taken: set[int] = set()
    for item in sorted(candidates, key=preference, reverse=True):
        span = item[0]
        if taken.isdisjoint(range(span.start, span.end)):
            chosen.append(item)
            taken.update(range(span.start, span.end))
    return sorted(chosen, key=lambda item: item[0].start)


def to_quantities(span: Span, found: list[Reading], taken: set[int], lex: Lexicon) -> list[Quantity]:
    """Records for a chosen span, with the qualifier found just before it where it has none."""
    doc = span.doc
    start = span.start
    lookback = lex.date_qualifiers if found[0].kind == DATE else lex.amount_qualifiers
    before, first = (None, start)
    if found[0].kind != YEAR and any(r.qualifier is None for r in found):
        before, first = qualifier_before(doc, start, taken, lookback)
    text = doc[first : span.end].text
    if found[0].kind == LABEL:
        text = text.rstrip(".")  # blank("nl") glues a full stop to a label letter: "label A."
    return [
        Quantity(
            kind=r.kind,
            value=r.value,
            unit=r.unit,
            text=text,
            value_max=r.value_max,
            qualifier=r.qualifier if r.qualifier is not None else before,
        )
        for r in found
    ]


def qualifier_before(doc: Doc, start: int, taken: set[int], table: dict[str, Any]) -> tuple[str | None, int]:
    """The normalised qualifier right before token `start` and the index of its first token.

    "ten minste" is tried before "minste", and tokens of another quantity are never borrowed.
    """
    for n in range(LOOKBACK_WORDS, 0, -1):
        first = start - n
        if first < 0 or not taken.isdisjoint(range(first, start)):
            continue
        key = " ".join(token.lower_ for token in doc[first:start])
        if table.get(key):
            return table[key], first
    return None, start


# --------------------------------------------------------------------------- reading values


def read_span(span: Span, lex: Lexicon) -> list[Reading]:
    """What one candidate span says; [] when its text does not hold a valid value."""
    try:
        return READERS[span.label_](span, lex)
    except ValueError:
        return []


RANGE_DASH = re.compile(r"(?<=[0-9%])[-–](?=[0-9])")  # "5-10", "5%-10%", "1,41-1,80"
DIGITS_TAL = re.compile(r"([0-9.]+)-?tal")  # "6-tal", "6tal"


def numbers_in(span: Span, lex: Lexicon) -> list[float]:
    """Every number of a span, one-token ranges split: "5%-10%" -> [5.0, 10.0]."""
    return [
        number
        for token in span
        for part in RANGE_DASH.split(token.text)
        if (number := lex.number_of(part.rstrip("%"))) is not None
    ]


def as_range(numbers: list[float]) -> tuple[float, float | None]:
    """(value, value_max) from one or two numbers; a range must rise."""
    if len(numbers) == 1:
        return numbers[0], None
    if len(numbers) == 2 and numbers[0] < numbers[1]:
        return numbers[0], numbers[1]
    raise ValueError(f"not a number or a rising range: {numbers}")


def read_euro(span: Span, lex: Lexicon) -> list[Reading]:
    """ "€ 1,5 miljoen" -> 1500000.0 EUR; "tussen € 600 en € 700" -> 600.0 to 700.0."""
    amounts: list[float] = []
    factors: list[float] = []
    for token in span:
        if lex.amount.fullmatch(token.text):
            amounts.append(parse_dutch_number(token.text))
            factors.append(1.0)
        elif token.lower_ in lex.multipliers and amounts:
            factors[-1] = float(lex.multipliers[token.lower_])
    if len(factors) == 2 and factors[0] == 1.0:
        # "tussen 1,5 en 2 miljoen euro": a multiplier after the second amount holds for both.
        factors[0] = factors[1]
    amounts = [amount * factor for amount, factor in zip(amounts, factors)]
    value, value_max = as_range(amounts)
    return [Reading(EURO, value, lex.units[EURO], value_max)]


def read_percent(span: Span, lex: Lexicon) -> list[Reading]:
    """ "85%" -> 85.0 %; "5 tot 10%" -> 5.0 to 10.0; "vijf procent" -> 5.0."""
    value, value_max = as_range(numbers_in(span, lex))
    return [Reading(PERCENT, value, lex.units[PERCENT], value_max)]


def read_count(span: Span, lex: Lexicon) -> list[Reading]:
    """ "ca. 65 woningen" -> 65.0 woningen; "een 6 tal ... sociale huurwoningen" -> 6.0 circa."""
    tokens = list(span)
    if span.id_ == "count-bare":
        qualifier = lex.amount_qualifiers.get(tokens[0].lower_)
        return [Reading(COUNT, parse_dutch_number(tokens[1].text), None, None, qualifier)]
    first = tokens[0].lower_
    # "een 6 tal", "een 6-tal", "een zestal": about six.
    tal = DIGITS_TAL.fullmatch(first)
    if first in lex.tal_words:
        numbers = [float(lex.tal_words[first])]
    elif tal:
        numbers = [parse_dutch_number(tal.group(1))]
    else:
        numbers = numbers_in(span[:-1], lex)
    about = bool(first in lex.tal_words or tal or (len(tokens) > 1 and tokens[1].lower_ == "tal"))
    value, value_max = as_range(numbers)
    noun = tokens[-1].lower_
    if len(tokens) > 1 and tokens[-2].lower_ in lex.segment_adjectives:
        noun = f"{tokens[-2].lower_} {noun}"
    return [Reading(COUNT, value, noun, value_max, "circa" if about else None)]


def read_label(span: Span, lex: Lexicon) -> list[Reading]:
    """ "label A++" -> A++; "label E of slechter" -> E "of slechter"; "labels A t/m C" -> A, B, C."""
    letters: list[str] = []
    qualifier = None
    expand_to_next = False
    for token in span:
        text = token.text.rstrip(".")
        if lex.label_letter.fullmatch(token.text) or token.text[1:2] == "-":
            first = text.split("-")[0].split("/")
            if expand_to_next and letters:
                # A t/m C: the letters between are meant too.
                letters.extend(chr(c) for c in range(ord(letters[-1][0]) + 1, ord(first[0][0])))
            letters.extend(first)
            expand_to_next = False
        elif token.lower_ in ("t/m", "tot"):
            expand_to_next = True
        elif token.lower_ in lex.label_suffix_qualifiers:
            qualifier = lex.label_suffix_qualifiers[token.lower_]
    if not letters:
        raise ValueError(f"no label letter in {span.text!r}")
    return [Reading(LABEL, letter, lex.units[LABEL], None, qualifier) for letter in letters]


def read_index(span: Span, lex: Lexicon) -> list[Reading]:
    """ "energie-index (2,11" -> 2.11; "energie-index tussen 1,41 en 1,80" -> 1.41 to 1.80."""
    value, value_max = as_range(numbers_in(span[1:], lex))
    inner = next((lex.index_inner[t.lower_] for t in span[1:] if lex.index_inner.get(t.lower_)), None)
    return [Reading(INDEX, value, lex.units[INDEX], value_max, inner)]


def read_year(span: Span, lex: Lexicon) -> list[Reading]:
    """ "vanaf 2019" -> 2019.0 "vanaf"; "2021-2025" -> 2021.0 to 2025.0."""
    years = [float(y) for token in span for y in re.findall(r"(?:19|20)[0-9]{2}", token.text)]
    value, value_max = as_range(years)
    words = " ".join(t.lower_ for t in span if not re.search(r"[0-9]", t.text))
    first = span[0].lower_
    qualifier = None
    if value_max is None:
        qualifier = "tot en met" if words == "tot en met" else lex.time_words.get(first)
    return [Reading(YEAR, value, None, value_max, qualifier)]


def read_date(span: Span, lex: Lexicon) -> list[Reading]:
    """ "1 januari 2021" -> "2021-01-01"; "per 1 juli" -> "--07-01"; "juni 2021" -> "2021-06"."""
    tokens = list(span)
    if len(tokens) == 1:  # 1-11-2020
        day, month, year = (int(part) for part in re.split(r"[-/]", tokens[0].text))
    else:
        has_day = tokens[0].lower_ not in lex.months
        day = int(tokens[0].text) if has_day else None
        month = lex.months[tokens[1 if has_day else 0].lower_]
        has_year = len(tokens) == (3 if has_day else 2)
        year = int(tokens[-1].text) if has_year else None
    return [Reading(DATE, iso_date(year, month, day))]


def iso_date(year: int | None, month: int, day: int | None) -> str:
    """ISO 8601 as far as known: "2021-01-01", "--07-01" (no year), "2021-06" (no day).

    >>> iso_date(2021, 1, 1), iso_date(None, 7, 1), iso_date(2021, 6, None)
    ('2021-01-01', '--07-01', '2021-06')
    """
    if not 1 <= month <= 12:
        raise ValueError(f"no month {month}")
    if day is not None and not 1 <= day <= calendar.monthrange(year or 2000, month)[1]:
        raise ValueError(f"no day {day} in month {month}")
    if day is None:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"


READERS: dict[str, Callable[[Span, Lexicon], list[Reading]]] = {
    "EURO": read_euro,
    "PERCENT": read_percent,
    "COUNT": read_count,
    "LABEL": read_label,
    "INDEX": read_index,
    "YEAR": read_year,
    "DATE": read_date,
}
