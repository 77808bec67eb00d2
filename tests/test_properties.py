"""Property tests (Hypothesis) of the readers' pure parts: Word numbering, Dutch numbers and
quantities, the party register, the normaliser. Whatever text or XML comes in: no exception
but the ones documented, normalising twice changes nothing, numbers read back as written.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings, strategies as st
from lxml import etree

from pipeline.ingest.normalize import clean_text, join_lines, normalize
from pipeline.ingest.wordnum import (ListCounters, ListInstance, Level, Numbering, format_number, parse_numbering,
                                     render_label)
from pipeline.parties import PartyRegister
from pipeline.party_list import definitions_in, find_parties
from pipeline.quantities import extract_quantities, parse_dutch_number
from pipeline.types import FOOTNOTE, HEADING, PARAGRAPH, TABLE, Block, Document

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FORMATS = ["decimal", "lowerLetter", "upperLetter", "lowerRoman", "upperRoman", "decimalZero", "bullet", "none",
           "decimalEnclosedParen", "ordinal", "cardinalText", "chicago", "garbage", ""]
# Text as agreements and broken files give it: Dutch letters, digits, the punctuation of
# labels and amounts, odd spaces, ligatures, soft hyphens, superscripts, control characters.
ODD = "\u00a0\u202f\u2009\u00ad\u200b\ufeff\ufb01\ufb02\u00b9\u00b2\u2022\uf0b7\u20ac%\t\n\x00\x0b"
text_chars = st.characters(codec="utf-8") | st.sampled_from(list("abcdeëéijklmnoprstuvwz ABCDEZ0123456789.,:;()-'") +
                                                             list(ODD))
texts = st.text(text_chars, max_size=120)
fast = settings(max_examples=200, deadline=None)
with_nlp = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


# --------------------------------------------------------------------------- Word numbering


@fast
@given(st.integers(min_value=-5, max_value=100_000), st.sampled_from(FORMATS) | st.text(max_size=12))
def test_format_number_never_fails(value, fmt):
    assert isinstance(format_number(value, fmt), str)


def _roman_value(numeral: str) -> int:
    values = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
    digits = [values[c] for c in numeral.lower()]
    return sum(-d if i + 1 < len(digits) and d < digits[i + 1] else d for i, d in enumerate(digits))


@fast
@given(st.integers(min_value=1, max_value=3999))
def test_roman_and_letter_numbers_read_back(value):
    assert _roman_value(format_number(value, "lowerRoman")) == value
    assert format_number(value, "upperRoman") == format_number(value, "lowerRoman").upper()
    letters = format_number(value, "lowerLetter")
    assert set(letters) == {chr(ord("a") + (value - 1) % 26)} and len(letters) == (value - 1) // 26 + 1
    assert format_number(value, "decimal") == str(value)


levels = st.builds(Level, fmt=st.sampled_from(FORMATS),
                   text=st.text(st.sampled_from(list("%123456789.)( ab")), max_size=10),
                   start=st.integers(min_value=-2, max_value=50),
                   restart=st.none() | st.integers(min_value=-1, max_value=10), is_legal=st.booleans())
level_maps = st.dictionaries(st.integers(min_value=0, max_value=8), levels, min_size=1, max_size=9)


@fast
@given(level_maps, st.lists(st.tuples(st.sampled_from(["1", "2", "9"]), st.integers(min_value=-1, max_value=10)),
                            max_size=40))
def test_list_counters_never_fail(level_map, references):
    numbering = Numbering({"1": ListInstance("1", "a", level_map), "2": ListInstance("2", "a", level_map, {0: 5})})
    counters = ListCounters(numbering)
    for num_id, ilvl in references:
        label = counters.next_label(num_id, ilvl)
        assert label is None or isinstance(label, str)
        if num_id == "9" or ilvl not in level_map:
            assert label is None


@fast
@given(st.integers(min_value=1, max_value=60), st.integers(min_value=1, max_value=5))
def test_a_decimal_list_counts_one_by_one_and_restarts_below(items, subitems):
    """1., 1.1., 1.2., 2., 2.1., ...: Word's default for an outline list."""
    outline = {0: Level("decimal", "%1.", 1), 1: Level("decimal", "%1.%2.", 1)}
    counters = ListCounters(Numbering({"3": ListInstance("3", "0", outline)}))
    for item in range(1, items + 1):
        assert counters.next_label("3", 0) == f"{item}."
        for sub in range(1, subitems + 1):
            assert counters.next_label("3", 1) == f"{item}.{sub}."


def _w(tag: str, **attributes: str):
    return etree.Element(f"{{{W}}}{tag}", {f"{{{W}}}{k}": v for k, v in attributes.items()})


values = st.text(st.sampled_from(list("0123456789-x%.")), max_size=4)


@st.composite
def numbering_xml(draw):
    """A w:numbering of abstract definitions, lists and overrides with any values, links that
    may loop, levels out of range."""
    root = _w("numbering")
    for abstract_id in draw(st.lists(values, max_size=4)):
        abstract = _w("abstractNum", abstractNumId=abstract_id)
        if draw(st.booleans()):
            abstract.append(_w("numStyleLink", val=draw(st.sampled_from(["L1", "L2", "x"]))))
        for _ in range(draw(st.integers(0, 4))):
            lvl = _w("lvl", ilvl=draw(values))
            for tag in draw(st.lists(st.sampled_from(["start", "numFmt", "lvlText", "lvlRestart", "isLgl",
                                                      "pStyle"]), max_size=6)):
                lvl.append(_w(tag, val=draw(values | st.sampled_from(FORMATS))))
            abstract.append(lvl)
        root.append(abstract)
    for num_id in draw(st.lists(values, max_size=4)):
        num = _w("num", numId=num_id)
        num.append(_w("abstractNumId", val=draw(values)))
        for _ in range(draw(st.integers(0, 2))):
            override = _w("lvlOverride", ilvl=draw(values))
            override.append(_w("startOverride", val=draw(values)))
            num.append(override)
        root.append(num)
    return root


@fast
@given(numbering_xml(), st.dictionaries(st.sampled_from(["L1", "L2"]), values, max_size=2),
       st.lists(st.tuples(values, st.integers(-1, 9)), max_size=20))
def test_any_numbering_xml_parses_and_counts(root, styles, references):
    counters = ListCounters(parse_numbering(root, styles))
    for num_id, ilvl in references:
        label = counters.next_label(num_id, ilvl)
        assert label is None or isinstance(label, str)


@fast
@given(level_maps, st.dictionaries(st.integers(0, 8), st.integers(-5, 10_000)))
def test_render_label_never_fails(level_map, counter_values):
    for ilvl in level_map:
        assert isinstance(render_label(level_map, ilvl, counter_values), str)


# --------------------------------------------------------------------------- Dutch numbers, quantities


def dutch(value: int, cents: int | None = None) -> str:
    """12345, 5 -> "12.345,05": dots group thousands, a comma before the cents."""
    grouped = f"{value:,}".replace(",", ".")
    return grouped if cents is None else f"{grouped},{cents:02d}"


@fast
@given(st.integers(min_value=0, max_value=10**12), st.none() | st.integers(min_value=0, max_value=99))
def test_dutch_numbers_read_back(value, cents):
    expected = value + (cents or 0) / 100
    assert parse_dutch_number(dutch(value, cents)) == pytest.approx(expected, abs=1e-9)
    if cents is None:
        assert parse_dutch_number(f"{dutch(value)},-") == value


@fast
@given(texts)
def test_parse_dutch_number_reads_or_says_it_cannot(text):
    try:
        assert parse_dutch_number(text) >= 0
    except ValueError as error:
        assert str(error).startswith("not a Dutch number: ")


@with_nlp
@given(texts)
def test_any_text_gives_quantities_or_none(nlp, text):
    for quantity in extract_quantities(nlp, text):
        assert quantity.kind in {"euro", "percent", "count", "label", "index", "year", "date"}
        assert quantity.text and quantity.text in text.replace("\n", " ") or quantity.text in text


@with_nlp
@given(st.integers(min_value=1, max_value=10**9), st.none() | st.integers(min_value=1, max_value=99))
def test_an_amount_in_euro_reads_back(nlp, value, cents):
    found = [q for q in extract_quantities(nlp, f"De huur blijft onder € {dutch(value, cents)} per maand.")
             if q.kind == "euro"]
    assert [q.value for q in found] == [pytest.approx(value + (cents or 0) / 100)]


# --------------------------------------------------------------------------- the party register

names = st.text(st.sampled_from(list("abcdefghijklmnopqrstuvwz ABCDEFGHKLMNOPRSTVWZ-&'")), min_size=2, max_size=40)


def _document(texts_: list[str], kinds: list[str] | None = None) -> Document:
    kinds = kinds or [PARAGRAPH] * len(texts_)
    return Document(Path("x.txt"), "x", "text", tuple(
        Block(text, kind=kind, rows=((text, text),) if kind == TABLE else ()) for text, kind in zip(texts_, kinds)))


@with_nlp
@given(st.lists(texts | st.builds(lambda n, s: f"1. {n}, vertegenwoordigd door {n}, hierna te noemen: '{s}'.",
                                  names, names), max_size=8))
@example(["00,vertegenwoordigdhierna te noemen "])  # no short name
@example(["0.  ,VERTEGENWOORDIGDHIERNA0"])  # no name
def test_find_parties_never_fails(nlp, lines):
    parties, issues = find_parties(_document(lines), nlp)
    for party in parties:
        assert party.name.strip() and party.document == "x"
    assert all(issue.document == "x" for issue in issues)


@fast
@given(texts)
def test_definitions_in_any_text(text):
    for definition in definitions_in(text):
        assert isinstance(definition.segment, str)


@with_nlp
@given(st.lists(st.tuples(names, names), min_size=1, max_size=4))
def test_a_party_line_gives_its_party(nlp, pairs):
    pairs = [(n.strip(), s.strip()) for n, s in pairs]
    assume(all(len(n) >= 2 and len(s) >= 2 and "," not in n and "'" not in s and "-" not in s and "&" not in s
               for n, s in pairs))
    assume(len({s.lower() for _, s in pairs}) == len(pairs) and len({n.lower() for n, _ in pairs}) == len(pairs))
    lines = [f"{i}. Woningstichting {name}, rechtsgeldig vertegenwoordigd door de heer J. Jansen, hierna te "
             f"noemen: '{short}'." for i, (name, short) in enumerate(pairs, start=1)]
    parties, _ = find_parties(_document(lines), nlp)
    assert [p.short_name for p in parties] == [short for _, short in pairs]


@with_nlp
@given(st.lists(st.tuples(names, names), max_size=4), texts)
def test_the_register_reads_any_heading_cell_and_lead_in(nlp, pairs, text):
    from pipeline.types import Party

    parties = tuple(Party("x", n.strip() or "Partij", s.strip() or "P", None) for n, s in pairs)
    register = PartyRegister(parties, nlp)
    known = set(register.all)
    for owners in (register.heading_owners(text), register.column_owners(text), register.lead_in_owners(text)):
        assert set(owners) <= known


# --------------------------------------------------------------------------- the normaliser


@fast
@given(texts)
def test_clean_text_is_idempotent(text):
    once = clean_text(text)
    assert clean_text(once) == once and once == once.strip()


@fast
@given(st.lists(texts, max_size=6))
def test_join_lines_never_fails(lines):
    assert isinstance(join_lines(lines), str)


blocks = st.builds(lambda text, kind, level: Block(text, kind=kind, heading_level=level,
                                                   rows=((text, "b"),) if kind == TABLE else ()),
                   texts | st.sampled_from(["12.", "b)", "3.2.1", "(a)", "¹ Zie de Woonvisie.", "1. De gemeente"]),
                   st.sampled_from([PARAGRAPH, HEADING, FOOTNOTE, TABLE]), st.none() | st.integers(0, 9))


@fast
@given(st.lists(blocks, max_size=12))
@example([Block("0."), Block("0."), Block("0")])  # found by this test: two labels before a text
def test_normalising_twice_changes_nothing(document_blocks):
    document = Document(Path("x.txt"), "x", "text", tuple(document_blocks))
    once = normalize(document)
    assert normalize(once) == once
    assert all(block.text == clean_text(block.text) for block in once.blocks)
    assert not any(re.fullmatch(r"\s*", block.text) and not block.rows for block in once.blocks)
