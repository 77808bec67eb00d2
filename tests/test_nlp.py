"""The spaCy pipeline: built once per session into a temp folder (tests/conftest.py), loaded back;
its rulers find what spaCy's SpanRuler finds."""

from __future__ import annotations

import json

import pytest

from pipeline.errors import ModelNotBuiltError
from pipeline.nlp import (
    COMPILED_SPAN_RULER,
    GROUP_RULER,
    GROUP_WORDS_FILE,
    GROUPS_KEY,
    QUANTITIES_KEY,
    QUANTITY_RULER,
    expand_patterns,
    group_mentions,
    load_pipeline,
    load_word_lists,
    quantity_patterns,
    read_jsonl,
    save_pipeline,
    split_footnote_marks,
)
from pipeline.run import extract_document
from pipeline.settings import Settings
from tests.conftest import ROOT
from tests.render.layout_source import LAYOUTS
from tests.render.source import SEED
from tests.render.years import pair_2021_2022, pair_2022_2023


def test_built_model_loads_back(model_path, nlp):
    import spacy

    assert (model_path / "config.cfg").is_file()
    saved = spacy.load(model_path)
    assert saved.pipe_names == ["lemmatizer", "group_words", "quantity_ruler", "verb_lexicon"]
    assert [t.lemma_ for t in saved("94 woningen")] == ["94", "woning"]
    # load_pipeline leaves out what no stage reads and builds the tokenizer instead of
    # reading it: the same tokenizer as the saved one.
    assert nlp.lang == "nl"
    assert nlp.pipe_names == ["group_words", "quantity_ruler", "verb_lexicon"]
    assert nlp.tokenizer.to_bytes(exclude=["vocab"]) == saved.tokenizer.to_bytes(exclude=["vocab"])
    text = SEED.read_text(encoding="utf-8")
    assert [t.text for t in nlp.make_doc(text)] == [t.text for t in saved.make_doc(text)]
    assert set(nlp.get_pipe(QUANTITY_RULER).labels) == {"EURO", "PERCENT", "COUNT", "LABEL", "INDEX", "YEAR", "DATE"}


GROUPS = [
    ("Partijen maken hierover de volgende afspraken:", [("Partijen", "ALL")]),
    ("Dit vergt een aanpak door alle betrokken partijen.", [("alle betrokken partijen", "ALL")]),
    ("Daarom streven we naar overleg en wij informeren alle partijen.",
     [("we", "ALL"), ("wij", "ALL"), ("alle partijen", "ALL")]),
    ("De corporaties en hun huurdersorganisaties vinden het onjuist dat de woningcorporaties betalen.",
     [("De corporaties", "CORPORATIES"), ("hun huurdersorganisaties", "HUURDERSORGANISATIES"),
      ("de woningcorporaties", "CORPORATIES")]),
    ("inschrijven als woningzoekende bij de corporatie(s).", [("de corporatie(s)", "CORPORATIES")]),
    ("De gemeente wil samen met de woningbouwcorporaties en huurdersorganisaties inhoud geven.",
     [("De gemeente", "GEMEENTE"), ("de woningbouwcorporaties", "CORPORATIES"),
      ("huurdersorganisaties", "HUURDERSORGANISATIES")]),
    ("Gemeente, corporaties en huurdersbelangenorganisaties willen samenwerken.",
     [("Gemeente", "GEMEENTE"), ("corporaties", "CORPORATIES"), ("huurdersbelangenorganisaties", "HUURDERSORGANISATIES")]),
    ("acht Drentse wooncorporaties en de huurdersverenigingen", [("wooncorporaties", "CORPORATIES"),
                                                              ("de huurdersverenigingen", "HUURDERSORGANISATIES")]),
    ("Besluitvorming door het college.", [("het college", "GEMEENTE")]),
    ("De gemeenteraad stelt de Woonvisie vast.", []),  # not "gemeente"
]


@pytest.mark.parametrize("text, expected", GROUPS, ids=[g[0][:40] for g in GROUPS])
def test_group_mentions(nlp, text, expected):
    assert [(s.text, s.label_) for s in group_mentions(nlp(text))] == expected


def test_group_mentions_need_the_full_pipeline(nlp):
    with pytest.raises(ValueError, match="no 'groups' spans"):
        group_mentions(nlp.make_doc("de corporaties"))


def test_lookup_lemmas(model_path):
    import spacy

    saved = spacy.load(model_path)  # the model holds the lemmatizer; the stages do not run it
    assert [t.lemma_ for t in saved("corporaties verbeteren woningen")] == ["corporatie", "verbeteren", "woning"]


@pytest.mark.parametrize(
    "text, tokens",
    [
        ("€ 663¹ en 85%¹", ["€", "663", "¹", "en", "85%", "¹"]),  # footnote marks split off (our suffix rule)
        ("1.535 woningen", ["1.535", "woningen"]),
        ("label A.", ["label", "A."]),  # blank("nl") treats "A." as an abbreviation; the patterns allow it
        ("energie-index (2,11", ["energie-index", "(", "2,11"]),
    ],
)
def test_tokenizer_facts_the_patterns_rely_on(nlp, text, tokens):
    assert [t.text for t in nlp.make_doc(text)] == tokens


def test_missing_model_is_a_clear_error(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(ModelNotBuiltError, match=r"nowhere: spaCy pipeline not built; run `agreements build-model`"):
        load_pipeline(Settings(model_path=missing))


def test_model_without_our_components_is_refused(tmp_path):
    import spacy

    spacy.blank("nl").to_disk(tmp_path / "blank")
    with pytest.raises(ModelNotBuiltError, match="lacks lemmatizer, group_words, quantity_ruler"):
        load_pipeline(Settings(model_path=tmp_path / "blank"))


def test_model_with_other_rulers_is_refused(tmp_path):
    """A model whose rulers are spaCy's own (or an older version's) is rebuilt, not used."""
    import spacy

    other = spacy.blank("nl")
    other.add_pipe("lemmatizer", config={"mode": "lookup"})
    for name in (GROUP_RULER, QUANTITY_RULER):
        other.add_pipe("span_ruler", name=name)
    other.add_pipe("verb_lexicon")
    other.to_disk(tmp_path / "other")
    with pytest.raises(ModelNotBuiltError, match="built with other rulers; rebuild it"):
        load_pipeline(Settings(model_path=tmp_path / "other"))


@pytest.fixture(scope="module")
def saved(model_path):
    """The built model as saved, lemmatizer included (load_pipeline leaves it out)."""
    import spacy

    return spacy.load(model_path)


def test_model_from_other_patterns_is_refused(saved, tmp_path):
    path = save_pipeline(saved, tmp_path / "stale")
    meta = json.loads((path / "meta.json").read_text())
    meta["agreements"]["patterns"] = "0000"
    (path / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(ModelNotBuiltError, match="built from other pattern files"):
        load_pipeline(Settings(model_path=path))


def test_save_replaces_a_model_and_leaves_no_staging(saved, nlp, tmp_path):
    target = tmp_path / "nl_agreements"
    save_pipeline(saved, target)
    (target / "leftover").write_text("from the old model")
    save_pipeline(saved, target)
    assert not (target / "leftover").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["nl_agreements"]
    assert load_pipeline(Settings(model_path=target)).pipe_names == nlp.pipe_names


def test_unknown_word_list_in_a_pattern_is_an_error():
    with pytest.raises(ValueError, match="unknown word list '@nothing'"):
        expand_patterns([{"label": "X", "pattern": [{"LOWER": {"IN": "@nothing"}}]}], load_word_lists())


# --------------------------------------------------------------------------- compiled span ruler
# Quantities at the edges of a text, long and overlapping ranges, optional and repeated tokens.
RULER_TEXTS = [
    "tussen € 1,5 miljoen en € 2 mln. per jaar",
    "tussen 1,5 en 2 miljoen euro",
    "€ 600 - 700 en € 600 tot € 700 miljoen",
    "5 tot en met 10 levensloopgeschikte energieneutrale sociale huurwoningen in 2021",
    "tussen vijf en tien procent, tussen 5 en 10%, 5 à 10 procent, 5%-10%",
    "een 6-tal of een zestal nieuwe grondgebonden woningen",
    "circa 400 in bezit van Woonborg; rond 2030 en tot en met 2025",
    "labels E, F en G, label A t/m C, label E of slechter, A-label",
    "energie-index tussen 1,41 en 1,80 of EI van maximaal 1,4 of Energie-index (2,11",
    "vanaf 1 januari 2021, per 1 juli, juni 2021, 01/11/2020 en 2021-2025",
    "2021 tot en met 2025",
    "woningen",
    "",
]


@pytest.fixture(scope="module")
def reference():
    """spaCy's own SpanRulers with the project's patterns, settings and tokenizer."""
    import spacy

    reference = spacy.blank("nl")
    split_footnote_marks(reference)
    groups = reference.add_pipe("span_ruler", name=GROUP_RULER, config={
        "spans_key": GROUPS_KEY, "phrase_matcher_attr": "LOWER",
        "spans_filter": {"@misc": "spacy.first_longest_spans_filter.v1"}})
    groups.add_patterns(read_jsonl(GROUP_WORDS_FILE))
    quantities = reference.add_pipe("span_ruler", name=QUANTITY_RULER,
                                    config={"spans_key": QUANTITIES_KEY, "validate": True})
    quantities.add_patterns(quantity_patterns())
    return reference


def span_rows(doc, key: str = QUANTITIES_KEY) -> list[tuple]:
    return [(s.start, s.end, s.label_, s.id_) for s in doc.spans[key]]


def test_rulers_are_compiled(nlp):
    assert {nlp.get_pipe_meta(name).factory for name in (GROUP_RULER, QUANTITY_RULER)} == {COMPILED_SPAN_RULER}
    assert not any(nlp.get_pipe(name)._as_span_ruler for name in (GROUP_RULER, QUANTITY_RULER))


def test_compiled_ruler_finds_what_a_span_ruler_finds(nlp, reference):
    texts = RULER_TEXTS + SEED.read_text(encoding="utf-8").splitlines()
    assert [span_rows(doc) for doc in nlp.pipe(texts)] == [span_rows(doc) for doc in reference.pipe(texts)]


def test_compiled_rulers_give_a_span_rulers_spans_on_every_test_document(nlp, reference, settings, tmp_path):
    """The group and quantity spans of every commitment of the sample inputs, the layout
    fixtures and the year pairs are those of spaCy's SpanRulers."""
    paths = sorted((ROOT / "inputs").iterdir()) + sorted(LAYOUTS.glob("*.txt"))
    for number, pair in enumerate([pair_2021_2022(), pair_2022_2023()]):
        for year, text in zip((pair.old_year, pair.new_year), pair.texts()):
            paths.append(tmp_path / f"pair-{number}-{year}.txt")
            paths[-1].write_text(text, encoding="utf-8")
    texts = [c.text for path in paths for c in extract_document(path, settings, nlp).commitments]
    assert len(texts) > 500
    ours, theirs = list(nlp.pipe(texts)), list(reference.pipe(texts))
    for key in (GROUPS_KEY, QUANTITIES_KEY):
        assert [span_rows(doc, key) for doc in ours] == [span_rows(doc, key) for doc in theirs], key
    assert sum(len(doc.spans[QUANTITIES_KEY]) for doc in ours) > 300


@pytest.mark.parametrize(
    "pattern",
    [
        [{"LOWER": "a", "OP": "+"}, {"LOWER": "b"}],  # unbounded: matched as SpanRuler does
        [{"LOWER": "a", "OP": "?"}, {"LOWER": "b", "OP": "*"}],
        [{"LOWER": "a"}, {"LOWER": "b", "OP": "!"}],  # a negation
        [{"LOWER": {"IN": ["a", "b"]}}, {"LOWER": "b", "OP": "{0,2}"}, {"LOWER": "c"}],
        [{"LOWER": "a", "OP": "?"}, {"TEXT": {"REGEX": "^[bc]$"}, "OP": "{1,2}"}, {"LOWER": "a", "OP": "?"}],
        [{"LOWER": "b", "OP": "?"}],
    ],
)
def test_compiled_ruler_matches_any_pattern_as_a_span_ruler(pattern):
    import spacy

    texts = ["a b c", "b b c a", "a a a b", "c", "x a b b c y", ""]
    found = {}
    for factory in ("span_ruler", COMPILED_SPAN_RULER):
        blank = spacy.blank("nl")
        ruler = blank.add_pipe(factory, config={"spans_key": "found"})
        ruler.add_patterns([{"label": "X", "pattern": pattern}, {"label": "Y", "pattern": "b c"}])
        found[factory] = [[(s.start, s.end, s.label_) for s in doc.spans["found"]] for doc in blank.pipe(texts)]
    assert found[COMPILED_SPAN_RULER] == found["span_ruler"]
