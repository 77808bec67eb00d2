"""Which words are verb forms: the test of whether a numbered line commits someone.

A commitment is a sentence: a finite verb ("De corporaties bouwen ...", "Woonborg verbetert ..."),
an infinitive of an action ("Energiecoaches inzetten"), or a participle ("wordt vastgesteld").
A contents line, a theme or a part of the document is a noun phrase ("Organisatie en
samenwerking", "Deel 2: afspraken over samenwerking"). With no trained tagger for Dutch here,
the words come from spacy-lookups-data: the verb lemmas of its Dutch lemma index with their
regular forms (stem, stem+t, past tense, participle) and its irregular forms, less every word
that is also a noun or adjective ("wonen", "overleg", "zorg"), so only forms that cannot be
anything else count. The list is made once, when the pipeline is built, and saved in the
model by the pipeline component "verb_lexicon".

    >>> lexicon = VerbLexicon(build_verb_forms())
    >>> lexicon.has_verb("De corporaties bouwen 40 woningen"), lexicon.has_verb("Organisatie en samenwerking")
    (True, False)
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

from spacy.lang.nl.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.lookups import load_lookups

_WORD = re.compile(r"[a-zà-ÿ]+(?:-[a-zà-ÿ]+)*")
# Always verbs whatever the lexicon says: auxiliaries and modals, and forms the index misses.
AUXILIARIES = frozenset("""
    is zijn was waren wordt worden werd werden heeft hebben had hadden zal zullen zou zouden
    kan kunnen kon konden moet moeten moest moesten wil willen wilde wilden mag mogen gaat gaan
    ging gingen blijft blijven komt komen doet doen staat staan laat laten zorgt zorgen
""".split())
_VOWELS = "aeiou"


def _regular_forms(infinitive: str) -> set[str]:
    """The regular forms of a Dutch verb: "maken" -> maak, maakt, maakte, maakten, gemaakt, ..."""
    if not infinitive.endswith("en") or len(infinitive) < 4:
        return {infinitive}
    stem = infinitive[:-2]
    if len(stem) >= 2 and stem[-1] == stem[-2] and stem[-1] not in _VOWELS:
        stem = stem[:-1]  # stellen -> stel
    elif len(stem) >= 2 and stem[-2] in _VOWELS and stem[-1] not in _VOWELS and (
            len(stem) < 3 or stem[-3] not in _VOWELS):
        stem = stem[:-1] + stem[-2] + stem[-1]  # maken -> maak, leveren stays lever (see below)
    if stem.endswith("v"):
        stem = stem[:-1] + "f"  # geven -> geef
    elif stem.endswith("z"):
        stem = stem[:-1] + "s"  # reizen -> reis
    forms = {infinitive, stem, stem + "t", stem + "te", stem + "ten", stem + "de", stem + "den",
             "ge" + stem + "t", "ge" + stem + "d", stem + "end", stem + "ende"}
    plain = infinitive[:-2]  # "leveren" -> "lever": a stem ending in an unstressed syllable keeps one vowel
    forms |= {plain, plain + "t", plain + "de", plain + "den", plain + "te", plain + "ten", "ge" + plain + "d"}
    return forms


def build_verb_forms() -> dict[str, bool]:
    """Every word form that is only ever a verb, as a lookups table.

    A form ending in -en is also a noun's plural as often as not ("afspraken", "bouwen" of
    "bouw"): it counts only when no noun could have it as its plural ("actualiseren").
    """
    lookups = load_lookups("nl", ["lemma_index", "lemma_exc", "lemma_lookup"])
    index = lookups.get_table("lemma_index")
    exceptions = lookups.get_table("lemma_exc")
    lemmas = lookups.get_table("lemma_lookup")
    verbs = set(index["verb"])
    nouns = set(index["noun"])
    others = nouns | set(index["adj"])
    noun_forms = set(exceptions["noun"]) | set(exceptions["adj"])
    forms: set[str] = set(exceptions["verb"])
    for verb in verbs:
        forms |= _regular_forms(verb)

    def a_plural(form: str) -> bool:
        stem = form[:-2]
        return form in noun_forms or any(candidate in nouns for candidate in (
            stem, form[:-1], stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else "",
            stem[:-1] + stem[-2] + stem[-1] if len(stem) > 2 and stem[-2] in _VOWELS else ""))

    def only_a_verb(form: str) -> bool:
        # A noun's or adjective's own forms are no verbs: "woningen" (woning), "rollen" (rol).
        lemma = lemmas.get(form)
        if form in others or (lemma in others and lemma not in verbs):
            return False
        if form.endswith("en") and a_plural(form):
            return False
        return form not in STOP_WORDS and len(form) > 2 and bool(_WORD.fullmatch(form))

    return {form: True for form in sorted(forms) if only_a_verb(form)}


VERB_LEXICON = "verb_lexicon"  # the pipeline component that holds the forms
_FORMS_FILE = "verb_forms.txt"


@Language.factory(VERB_LEXICON)
def make_verb_lexicon(nlp: Language, name: str) -> VerbLexiconComponent:
    return VerbLexiconComponent()


class VerbLexiconComponent:
    """Holds the verb forms in the pipeline and saves them with it (verb_lexicon/verb_forms.txt).

    It changes no doc; stages ask it for the forms (`VerbLexicon.of(nlp)`). A loaded pipeline
    reads the file only when they are first asked for, so loading stays as fast as before.
    """

    def __init__(self):
        self._forms: frozenset[str] | None = None
        self._file: Path | None = None

    def __call__(self, doc):
        return doc

    def initialize(self, get_examples=None, *, nlp=None) -> None:
        self._forms = frozenset(build_verb_forms())

    @property
    def forms(self) -> frozenset[str]:
        if self._forms is None:
            text = self._file.read_text(encoding="utf-8") if self._file and self._file.is_file() else ""
            self._forms = frozenset(text.split())
        return self._forms

    def to_disk(self, path, exclude=()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / _FORMS_FILE).write_text("\n".join(sorted(self.forms)) + "\n", encoding="utf-8")

    def from_disk(self, path, exclude=()) -> VerbLexiconComponent:
        self._file, self._forms = Path(path) / _FORMS_FILE, None
        return self


class VerbLexicon:
    """The verb forms of a built pipeline, and the test on a text.

    `VerbLexicon.of(nlp)` reads them from a loaded pipeline (an empty lexicon without one).
    """

    def __init__(self, forms: Iterable[str]):
        self._forms = forms if isinstance(forms, (set, frozenset, dict)) else frozenset(forms)

    @classmethod
    def of(cls, nlp: Language) -> VerbLexicon:
        if VERB_LEXICON in nlp.pipe_names:
            return cls(nlp.get_pipe(VERB_LEXICON).forms)
        return cls(frozenset())

    def is_verb(self, word: str) -> bool:
        word = word.lower()
        return word in AUXILIARIES or word in self._forms

    def has_verb(self, text: str) -> bool:
        """Does `text` hold a word that can only be a verb?"""
        return any(self.is_verb(word) for word in _WORD.findall(text.lower()))
