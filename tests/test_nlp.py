"""The spaCy pipeline: built once per session into a temp folder (tests/conftest.py), loaded back."""

from __future__ import annotations

import json

import pytest

from pipeline.errors import ModelNotBuiltError
from pipeline.nlp import (
    QUANTITY_RULER,
    expand_patterns,
    group_mentions,
    load_pipeline,
    load_word_lists,
    save_pipeline,
)
from pipeline.settings import Settings


def test_built_model_loads_back(model_path, nlp):
    assert (model_path / "config.cfg").is_file()
    assert nlp.lang == "nl"
    assert nlp.pipe_names == ["lemmatizer", "group_words", "quantity_ruler"]
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


def test_lookup_lemmas(nlp):
    assert [t.lemma_ for t in nlp("corporaties verbeteren woningen")] == ["corporatie", "verbeteren", "woning"]


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


def test_model_from_other_patterns_is_refused(nlp, tmp_path):
    path = save_pipeline(nlp, tmp_path / "stale")
    meta = json.loads((path / "meta.json").read_text())
    meta["agreements"]["patterns"] = "0000"
    (path / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(ModelNotBuiltError, match="built from other pattern files"):
        load_pipeline(Settings(model_path=path))


def test_save_replaces_a_model_and_leaves_no_staging(nlp, tmp_path):
    target = tmp_path / "nl_agreements"
    save_pipeline(nlp, target)
    (target / "leftover").write_text("from the old model")
    save_pipeline(nlp, target)
    assert not (target / "leftover").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["nl_agreements"]
    assert load_pipeline(Settings(model_path=target)).pipe_names == nlp.pipe_names


def test_unknown_word_list_in_a_pattern_is_an_error():
    with pytest.raises(ValueError, match="unknown word list '@nothing'"):
        expand_patterns([{"label": "X", "pattern": [{"LOWER": {"IN": "@nothing"}}]}], load_word_lists())
