"""The verb test: which words can only be verbs (pipeline/verbs.py), read from the built model."""

from __future__ import annotations

import pytest

from pipeline.verbs import VERB_LEXICON, VerbLexicon


@pytest.fixture(scope="module")
def verbs(nlp) -> VerbLexicon:
    return VerbLexicon.of(nlp)


@pytest.mark.parametrize("text", [
    "Woonborg verbetert 14 woningen naar label A.",  # a finite verb
    "De gemeente informeert de corporaties ieder kwartaal.",
    "Woonvisie actualiseren",  # an infinitive no noun shares
    "Aanleveren activiteitenoverzicht door corporaties",
    "Gemeente en corporaties zullen afstemming hebben.",  # auxiliaries
    "De woonvisie wordt in 2025 vastgesteld.",  # a participle
])
def test_sentences_have_a_verb(verbs, text):
    assert verbs.has_verb(text)


@pytest.mark.parametrize("text", [
    "Organisatie en samenwerking",
    "Rollen en verantwoordelijkheden van partijen (doorlopend);",  # "rollen": also the plural of rol
    "Wonen en zorg",  # "wonen": also a noun
    "Afspraken over samenwerking",  # "afspraken": also a past tense of afspreken
    "Bod corporaties voor 1 juli",
    "Huisvesting bijzondere doelgroepen",
    "Leefbaarheid in de kernen",
])
def test_noun_phrases_have_none(verbs, text):
    assert not verbs.has_verb(text)


def test_the_forms_load_on_first_use(model_path):
    """Loading the pipeline reads no verb forms; the first question does."""
    import spacy

    component = spacy.load(model_path).get_pipe(VERB_LEXICON)
    assert component._forms is None
    assert len(component.forms) > 100_000 and "verbetert" in component.forms
