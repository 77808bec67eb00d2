"""The spaCy pipeline: built once per session into a temp folder (tests/conftest.py), loaded back;
its rulers find what spaCy's SpanRuler finds."""

from __future__ import annotations

import json

import pytest

from pipeline.errors import ModelNotBuiltError
from pipeline.nlp import (
    ANCHORED_SPAN_RULER,
    GROUP_RULER,
    QUANTITIES_KEY,
    QUANTITY_RULER,
    expand_patterns,
    group_mentions,
    load_pipeline,
    load_word_lists,
    quantity_patterns,
    save_pipeline,
    split_footnote_marks,
)
from pipeline.settings import Settings
from tests.render.source import SEED


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


# --------------------------------------------------------------------------- anchored span ruler
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


def reference_ruler_spans(texts: list[str]) -> list[list[tuple]]:
    """The quantity spans spaCy's own SpanRuler finds with the same patterns and tokenizer."""
    import spacy

    reference = spacy.blank("nl")
    split_footnote_marks(reference)
    ruler = reference.add_pipe("span_ruler", config={"spans_key": QUANTITIES_KEY, "validate": True})
    ruler.add_patterns(quantity_patterns())
    return [span_rows(doc) for doc in reference.pipe(texts)]


def span_rows(doc) -> list[tuple]:
    return [(s.start, s.end, s.label_, s.id_) for s in doc.spans[QUANTITIES_KEY]]


def test_rulers_are_anchored(nlp):
    assert {nlp.get_pipe_meta(name).factory for name in (GROUP_RULER, QUANTITY_RULER)} == {ANCHORED_SPAN_RULER}


def test_anchored_ruler_finds_what_a_span_ruler_finds(nlp):
    texts = RULER_TEXTS + SEED.read_text(encoding="utf-8").splitlines()
    assert [span_rows(doc) for doc in nlp.pipe(texts)] == reference_ruler_spans(texts)


@pytest.mark.parametrize(
    "pattern",
    [
        [{"LOWER": "a", "OP": "+"}, {"LOWER": "b"}],  # unbounded: matched over the whole doc
        [{"LOWER": "a", "OP": "?"}, {"LOWER": "b", "OP": "*"}],  # no required word at all
        [{"LOWER": {"IN": ["a", "b"]}}, {"LOWER": "b", "OP": "{0,2}"}, {"LOWER": "c"}],
    ],
)
def test_anchored_ruler_matches_any_pattern_as_a_span_ruler(pattern):
    import spacy

    texts = ["a b c", "b b c a", "a a a b", "c", "x a b b c y", ""]
    found = {}
    for factory in ("span_ruler", ANCHORED_SPAN_RULER):
        blank = spacy.blank("nl")
        ruler = blank.add_pipe(factory, config={"spans_key": "found"})
        ruler.add_patterns([{"label": "X", "pattern": pattern}, {"label": "Y", "pattern": "b c"}])
        found[factory] = [[(s.start, s.end, s.label_) for s in doc.spans["found"]] for doc in blank.pipe(texts)]
    assert found[ANCHORED_SPAN_RULER] == found["span_ruler"]
