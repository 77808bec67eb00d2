"""The project's spaCy pipeline: `spacy.blank("nl")` plus rule components, built once into models/.

No trained Dutch pipeline is used (none may be downloaded), so everything here is rules:

    tokenizer        blank("nl"), plus a suffix rule that splits footnote marks ("663¹" -> "663", "¹")
    lemmatizer       lookup mode, tables from spacy-lookups-data ("woningen" -> "woning"); the
                     stages read spans only and run without it (UNUSED_BY_STAGES)
    group_words      span ruler -> doc.spans["groups"]: "de corporaties", "partijen", "het college"
    quantity_ruler   span ruler -> doc.spans["quantities"]: candidate euro, %, counts, labels,
                     energie-index, years and dates; pipeline/quantities.py turns them into values
    verb_lexicon     the word forms that can only be verbs, from spacy-lookups-data; changes no
                     doc: it tells whether a numbered line commits someone (pipeline/verbs.py)

Both rulers are `CompiledSpanRuler`s: spaCy's SpanRuler, finding the same spans, but with its
patterns compiled into sequences of word tests ("a time word, then a year" for "in 2021"), each
word tested once per vocabulary word, so that a doc is matched without spaCy's Matcher.

Patterns are data in pipeline/patterns/*.jsonl. quantities.jsonl refers to named word lists and
regexes of quantity_words.jsonl as "@name" (see `expand_patterns`); they are expanded once, when
the pipeline is built, and the saved model holds the expanded patterns.

Build and save once (`agreements build-model`, or `python -m pipeline.nlp`), then load and pass
`nlp` to every stage that needs it:

    >>> nlp = build_pipeline()
    >>> [(s.text, s.label_) for s in group_mentions(nlp("De corporaties en de gemeente overleggen."))]
    [('De corporaties', 'CORPORATIES'), ('de gemeente', 'GEMEENTE')]
"""

from __future__ import annotations

import hashlib
import re
import shutil
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import spacy
import srsly
from spacy.attrs import ORTH
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import SpanRuler
from spacy.tokens import Doc, Span

from pipeline.errors import ModelNotBuiltError
from pipeline.settings import DEFAULT_MODEL_PATH, Settings, user_model_path
from pipeline.verbs import VERB_LEXICON

PATTERNS_DIR = Path(__file__).resolve().parent / "patterns"
GROUP_WORDS_FILE = PATTERNS_DIR / "group_words.jsonl"
QUANTITY_PATTERNS_FILE = PATTERNS_DIR / "quantities.jsonl"
QUANTITY_WORDS_FILE = PATTERNS_DIR / "quantity_words.jsonl"
PATTERN_FILES = (GROUP_WORDS_FILE, QUANTITY_PATTERNS_FILE, QUANTITY_WORDS_FILE)

MODEL_NAME = "nl_agreements"
MODEL_VERSION = "0.1.0"

GROUPS_KEY = "groups"
QUANTITIES_KEY = "quantities"
LEMMATIZER = "lemmatizer"
GROUP_RULER = "group_words"
QUANTITY_RULER = "quantity_ruler"
COMPILED_SPAN_RULER = "compiled_span_ruler"  # the rulers' factory, defined below
REQUIRED_PIPES = (LEMMATIZER, GROUP_RULER, QUANTITY_RULER, VERB_LEXICON)
# The stages read doc.spans only, never lemmas: they run the pipeline without these.
UNUSED_BY_STAGES = (LEMMATIZER,)

# Group labels (doc.spans["groups"]).
ALL = "ALL"
CORPORATIES = "CORPORATIES"
HUURDERSORGANISATIES = "HUURDERSORGANISATIES"
GEMEENTE = "GEMEENTE"

# Footnote marks printed right after a number or word ("€ 663¹") would otherwise glue to it
# and hide the number from the patterns.
FOOTNOTE_MARK_SUFFIX = r"[¹²³⁴⁵⁶⁷⁸⁹⁰]+"

NOT_BUILT = "spaCy pipeline not built; run `agreements build-model` (or `make setup`)"


# --------------------------------------------------------------------------- pattern data


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Read a JSONL pattern file; blank lines are skipped."""
    return [line for line in srsly.read_jsonl(path) if line]


def load_word_lists(path: Path = QUANTITY_WORDS_FILE) -> dict[str, dict[str, Any]]:
    """The named word lists, maps and regexes of quantity_words.jsonl, by name.

    >>> words = load_word_lists()
    >>> words["months"]["map"]["juli"], "woningen" in words["count_nouns"]["words"]
    (7, True)
    """
    return {entry["name"]: entry for entry in read_jsonl(path)}


def words_of(entry: dict[str, Any]) -> list[str]:
    """The words of a list entry, or the keys of a map entry."""
    if "words" in entry:
        return list(entry["words"])
    if "map" in entry:
        return list(entry["map"])
    raise ValueError(f"word list {entry['name']!r} has neither words nor map")


_REFERENCE = re.compile(r"\{@([a-z_]+)\}")


def regex_core(name: str, word_lists: dict[str, dict[str, Any]]) -> str:
    """The unanchored regex a word-list entry stands for.

    An entry with "regex" may inline others as "{@name}"; a word list becomes an alternation,
    and one marked "match": "ending" also matches compounds ending in a word.

    >>> words = load_word_lists()
    >>> bool(re.fullmatch(regex_core("tal_token", words), "6-tal"))
    True
    >>> bool(re.fullmatch(regex_core("count_nouns", words), "nieuwbouwwoningen"))
    True
    """
    entry = word_lists[name]
    if "regex" in entry:
        return _REFERENCE.sub(lambda m: "(?:" + regex_core(m.group(1), word_lists) + ")", entry["regex"])
    # Longest first, so an alternation never stops at a shorter word.
    alternation = "|".join(re.escape(w) for w in sorted(words_of(entry), key=len, reverse=True))
    if entry.get("match") == "ending":
        return rf"[\w'\-]*(?:{alternation})"
    return f"(?:{alternation})"


def expand_patterns(
    patterns: Iterable[dict[str, Any]], word_lists: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Replace "@name" references in token patterns by the named word list or anchored regex.

    >>> words = {"months": {"name": "months", "map": {"juli": 7}}, "day": {"name": "day", "regex": "[0-9]+"}}
    >>> expand_patterns([{"label": "DATE", "pattern": [{"TEXT": {"REGEX": "@day"}},
    ...                                               {"LOWER": {"IN": "@months"}}]}], words)[0]["pattern"]
    [{'TEXT': {'REGEX': '^(?:[0-9]+)$'}}, {'LOWER': {'IN': ['juli']}}]
    """

    def expand(value: Any, key: str | None = None) -> Any:
        if isinstance(value, dict):
            return {k: expand(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [expand(v) for v in value]
        if isinstance(value, str) and value.startswith("@"):
            name = value[1:]
            if name not in word_lists:
                raise ValueError(f"pattern refers to unknown word list {value!r}")
            if key == "REGEX":
                return "^(?:" + regex_core(name, word_lists) + ")$"
            if key in ("IN", "NOT_IN"):
                return words_of(word_lists[name])
            raise ValueError(f"{value!r} may only stand for a REGEX, IN or NOT_IN value, not {key!r}")
        return value

    return [expand(pattern) for pattern in patterns]


def quantity_patterns() -> list[dict[str, Any]]:
    """The quantity_ruler's patterns with every "@name" expanded."""
    return expand_patterns(read_jsonl(QUANTITY_PATTERNS_FILE), load_word_lists())


def patterns_fingerprint(files: Iterable[Path] = PATTERN_FILES) -> str:
    """A hash of the pattern files, stored in the model so a stale model can be told apart."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# --------------------------------------------------------------------------- compiled span ruler

# Token attributes of the word itself (its Lexeme): a word that meets them meets them wherever
# it stands, so whether it does can be worked out once per word.
WORD_ATTRS = frozenset({
    "ORTH", "TEXT", "LOWER", "LENGTH", "SHAPE", "PREFIX", "SUFFIX", "IS_ALPHA", "IS_ASCII",
    "IS_DIGIT", "IS_LOWER", "IS_UPPER", "IS_TITLE", "IS_PUNCT", "IS_SPACE", "IS_STOP",
    "IS_BRACKET", "IS_QUOTE", "IS_LEFT_PUNCT", "IS_RIGHT_PUNCT", "IS_CURRENCY", "LIKE_NUM",
    "LIKE_URL", "LIKE_EMAIL",
})


def token_count_range(op: str | None) -> tuple[int, int | None]:
    """How many tokens one token spec of a pattern takes: (fewest, most), most None if unbounded.

    >>> token_count_range(None), token_count_range("?"), token_count_range("{0,3}"), token_count_range("+")
    ((1, 1), (0, 1), (0, 3), (1, None))
    """
    if op in (None, "1", "!"):
        return 1, 1
    simple = {"?": (0, 1), "*": (0, None), "+": (1, None)}
    if op in simple:
        return simple[op]
    low, comma, high = op.strip("{}").partition(",")
    fewest = int(low or 0)
    if not comma:
        return fewest, fewest
    return fewest, int(high) if high else None


def word_test(spec: dict[str, Any]) -> dict[str, Any] | None:
    """The test a token spec puts to the word alone (the spec without "OP"), or None when it
    tests more than the word or negates ("!")."""
    if spec.get("OP") == "!" or not all(key.upper() in WORD_ATTRS for key in spec if key != "OP"):
        return None
    return {key: value for key, value in spec.items() if key != "OP"}


def fixed_lengths(pattern: list[dict[str, Any]]) -> list[list[int]] | None:
    """Each way a bounded token pattern can be spelled out token by token, as positions of
    its specs: [{"A"}, {"B", "OP": "?"}, {"C"}] -> [[0, 2], [0, 1, 2]]; None if a spec is
    unbounded ("*", "+")."""
    counts = [token_count_range(spec.get("OP")) for spec in pattern]
    if any(most is None for _, most in counts):
        return None
    spelled: list[list[int]] = [[]]
    for position, (fewest, most) in enumerate(counts):
        spelled = [done + [position] * n for done in spelled for n in range(fewest, most + 1)]
    return [positions for positions in spelled if positions]


class CompiledSpanRuler(SpanRuler):
    """A SpanRuler whose patterns are compiled into sequences of word tests and matched
    without spaCy's Matcher; it finds the same spans (the tests compare them).

    Every token spec of the project's patterns tests the word alone ("@amount" in "€ 663",
    "@year" in "in 2021"), so whether a word passes each test is worked out once per word,
    with a Matcher over the new words, and kept as bits. A token pattern with "?" or "{m,n}"
    becomes each of its fixed lengths; a doc matches wherever its words' bits hold those of a
    sequence, token by token, which on agreement text is tried at a few words only (those
    passing some sequence's first test). Phrase patterns stay with spaCy's PhraseMatcher (a
    hash table of token sequences). A token pattern that tests more than the word, negates
    ("!") or repeats without bound ("*", "+") makes the ruler match as SpanRuler does.
    """

    def clear(self) -> None:
        super().clear()
        self._word_tests = Matcher(self.nlp.vocab, validate=self.validate,
                                   fuzzy_compare=self.matcher_fuzzy_compare)
        self._bit_of_test: dict[str, int] = {}  # word test as JSON -> bit
        self._bit_of_key: dict[int, int] = {}  # the same, by the _word_tests match id
        self._word_bits: dict[int, int] = {}  # orth id -> bits of the tests the word passes
        self._sequences: list[tuple[tuple[int, ...], int]] = []  # (bits of each token, match id)
        self._starting: dict[int, tuple] = {}  # a word's bits -> the sequences it can start
        self._first_bits = 0
        self._as_span_ruler = False

    def add_patterns(self, patterns: Iterable[dict[str, Any]]) -> None:
        patterns = list(patterns)  # from_disk passes a generator
        super().add_patterns(patterns)
        strings = self.nlp.vocab.strings
        for entry in patterns:
            key = strings.as_int(repr((entry["label"], entry.get("id", ""))))
            pattern = entry["pattern"]
            if isinstance(pattern, str):
                continue  # spaCy's PhraseMatcher, a hash table of token sequences, matches these
            tests = [word_test(spec) for spec in pattern]
            spelled = fixed_lengths(pattern) if all(test is not None for test in tests) else None
            if spelled is None:
                self._as_span_ruler = True
                continue
            bits = [self._word_test_bit(test) for test in tests]
            self._sequences.extend((tuple(bits[at] for at in positions), key) for positions in spelled)
        self._word_bits = {}  # known words lack the new tests
        self._starting = {}
        self._first_bits = 0
        for sequence, _ in self._sequences:
            self._first_bits |= sequence[0]

    def _word_test_bit(self, test: dict[str, Any]) -> int:
        as_json = srsly.json_dumps(test, sort_keys=True)
        if as_json not in self._bit_of_test:
            bit = 1 << len(self._bit_of_test)
            key = f"{self.name}: word test {len(self._bit_of_test)}"
            self._bit_of_test[as_json] = bit
            self._bit_of_key[self.nlp.vocab.strings.add(key)] = bit
            self._word_tests.add(key, [[test]])
        return self._bit_of_test[as_json]

    def _bits(self, orths: list[int]) -> list[int]:
        """The word tests each word passes, as bits; new words are tested once, all together."""
        known = self._word_bits
        new = set(orths).difference(known)
        if new:
            words = list(new)
            strings = self.nlp.vocab.strings
            passed = dict.fromkeys(words, 0)
            if self._bit_of_test:
                for key, i, _ in self._word_tests(Doc(self.nlp.vocab, words=[strings[orth] for orth in words])):
                    passed[words[i]] |= self._bit_of_key[key]
            known.update(passed)
        return [known[orth] for orth in orths]

    def match(self, doc: Doc) -> list[Span]:
        if self._as_span_ruler:
            return super().match(doc)
        self._require_patterns()
        # Unlike SpanRuler, never runs a matcher without patterns, which would warn on every doc.
        found = set(self.phrase_matcher(doc)) if len(self.phrase_matcher) else set()
        bits = self._bits(doc.to_array(ORTH).tolist()) if self._sequences and len(doc) else []
        first_bits, starting, size = self._first_bits, self._starting, len(bits)
        for start, word in enumerate(bits):
            if not word & first_bits:
                continue
            sequences = starting.get(word)
            if sequences is None:
                sequences = starting[word] = tuple((sequence, key) for sequence, key in self._sequences
                                                   if sequence[0] & word)
            for sequence, key in sequences:
                end = start + len(sequence)
                if end > size:
                    continue
                at = start + 1
                for test in sequence[1:]:
                    if not bits[at] & test:
                        break
                    at += 1
                else:
                    found.add((key, start, end))
        labels = self._match_label_id_map
        return sorted({Span(doc, start, end, label=labels[key]["label"], span_id=labels[key]["id"])
                       for key, start, end in found})


@Language.factory(
    COMPILED_SPAN_RULER,
    assigns=["doc.spans"],
    default_config={
        "spans_key": "ruler",
        "spans_filter": None,
        "annotate_ents": False,
        "ents_filter": {"@misc": "spacy.first_longest_spans_filter.v1"},
        "phrase_matcher_attr": None,
        "matcher_fuzzy_compare": {"@misc": "spacy.levenshtein_compare.v1"},
        "validate": False,
        "overwrite": True,
        "scorer": {"@scorers": "spacy.overlapping_labeled_spans_scorer.v1", "spans_key": "ruler"},
    },
)
def make_compiled_span_ruler(nlp: Language, name: str, spans_key: str | None, spans_filter: Any,
                             annotate_ents: bool, ents_filter: Any, phrase_matcher_attr: Any,
                             matcher_fuzzy_compare: Any, validate: bool, overwrite: bool,
                             scorer: Any) -> CompiledSpanRuler:
    """The factory of `CompiledSpanRuler`; it takes the settings of spaCy's span_ruler."""
    return CompiledSpanRuler(
        nlp, name, spans_key=spans_key, spans_filter=spans_filter, annotate_ents=annotate_ents,
        ents_filter=ents_filter, phrase_matcher_attr=phrase_matcher_attr,
        matcher_fuzzy_compare=matcher_fuzzy_compare, validate=validate, overwrite=overwrite,
        scorer=scorer,
    )


# --------------------------------------------------------------------------- build, save, load


def build_pipeline() -> Language:
    """A fresh pipeline, built from the pattern files; nothing is downloaded.

    >>> nlp = build_pipeline()
    >>> nlp.pipe_names
    ['lemmatizer', 'group_words', 'quantity_ruler', 'verb_lexicon']
    >>> [t.lemma_ for t in nlp("94 woningen")]
    ['94', 'woning']
    """
    nlp = spacy.blank("nl")
    split_footnote_marks(nlp)
    nlp.add_pipe(LEMMATIZER, config={"mode": "lookup"})
    nlp.add_pipe(
        COMPILED_SPAN_RULER,
        name=GROUP_RULER,
        config={
            "spans_key": GROUPS_KEY,
            "phrase_matcher_attr": "LOWER",
            # "alle partijen" wins over the "partijen" inside it.
            "spans_filter": {"@misc": "spacy.first_longest_spans_filter.v1"},
        },
    )
    # Overlapping candidates are kept on purpose: quantities.py parses them and then chooses,
    # so a candidate whose text does not parse never hides a shorter one that does.
    nlp.add_pipe(COMPILED_SPAN_RULER, name=QUANTITY_RULER, config={"spans_key": QUANTITIES_KEY, "validate": True})
    nlp.add_pipe(VERB_LEXICON)
    # initialize() loads the lemma tables (from the installed spacy-lookups-data package) and
    # clears the rulers, so patterns are added after it.
    nlp.initialize()
    nlp.get_pipe(GROUP_RULER).add_patterns(read_jsonl(GROUP_WORDS_FILE))
    nlp.get_pipe(QUANTITY_RULER).add_patterns(quantity_patterns())
    nlp.meta.update(
        name=MODEL_NAME.removeprefix("nl_"),
        version=MODEL_VERSION,
        description="Rules for Dutch prestatieafspraken: group words and quantities",
    )
    nlp.meta["agreements"] = {"patterns": patterns_fingerprint()}
    return nlp


def split_footnote_marks(nlp: Language) -> None:
    """Make superscript footnote marks tokens of their own; saved with the tokenizer."""
    suffixes = list(nlp.Defaults.suffixes) + [FOOTNOTE_MARK_SUFFIX]
    nlp.tokenizer.suffix_search = spacy.util.compile_suffix_regex(suffixes).search


def save_pipeline(nlp: Language, path: Path) -> Path:
    """Write `nlp` to `path` through a temporary directory, so a half-written model never
    replaces a good one. Returns `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}-", dir=path.parent))
    try:
        nlp.to_disk(staging)
        if path.exists():
            retired = staging.with_name(staging.name + "-old")
            path.rename(retired)
            staging.rename(path)
            shutil.rmtree(retired)
        else:
            staging.rename(path)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return path


def build_and_save(path: Path = DEFAULT_MODEL_PATH) -> Path:
    """Build the pipeline and save it to `path` (Settings.model_path); returns the path."""
    return save_pipeline(build_pipeline(), path)


def load_pipeline(settings: Settings) -> Language:
    """Load the built pipeline from `settings.model_path`, with what the stages run.

    Two parts of the saved model are made rather than read, which halves the load (~0.7 s
    instead of ~1.4 s, paid by every process that extracts): the lemmatizer is left out
    (UNUSED_BY_STAGES; it stays in the model for anyone who loads it with spacy.load), and
    the tokenizer is built as `build_pipeline` builds it (blank Dutch + footnote marks),
    since spaCy reloads every tokenizer exception once per rule it reads from disk.

    The user's cache folder (settings.user_model_path, the default of an installed package)
    is the program's own: a pipeline missing there, or stale, is built there now, with one
    line on stderr. Elsewhere (models/, a --model folder), raises ModelNotBuiltError when it
    was never built, lacks a component, has other rulers than `CompiledSpanRuler`s, or was
    built from other pattern files than the ones installed now.
    """
    path = Path(settings.model_path)
    if path == user_model_path():
        ensure_built(path)
    if not (path / "config.cfg").is_file():
        raise ModelNotBuiltError(path, NOT_BUILT)
    config = spacy.util.load_config(path / "config.cfg")
    built = config["nlp"]["pipeline"]
    missing = [name for name in REQUIRED_PIPES if name not in built]
    if missing:
        raise ModelNotBuiltError(
            path, f"spaCy pipeline lacks {', '.join(missing)}; rebuild it with `agreements build-model`"
        )
    rulers = [config["components"][name].get("factory") for name in (GROUP_RULER, QUANTITY_RULER)]
    if any(factory != COMPILED_SPAN_RULER for factory in rulers):
        raise ModelNotBuiltError(
            path, "spaCy pipeline was built with other rulers; rebuild it with `agreements build-model`"
        )
    nlp = spacy.load(path, exclude=["tokenizer", *UNUSED_BY_STAGES])
    split_footnote_marks(nlp)
    if nlp.meta.get("agreements", {}).get("patterns") != patterns_fingerprint():
        raise ModelNotBuiltError(
            path, "spaCy pipeline was built from other pattern files; rebuild it with `agreements build-model`"
        )
    return nlp


def ensure_built(path: Path) -> None:
    """Build the pipeline into `path` unless a current one (same pattern files, same spaCy)
    is there; says so on stderr. Two processes building at once both succeed: each builds
    beside the folder and renames its build into place, the second finding the first's."""
    if _is_current(path):
        return
    sys.stderr.write(f"Building the spaCy pipeline into {path} (once, after installing; a few seconds)\n")
    sys.stderr.flush()
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}-", dir=_parent(path)))
    try:
        build_pipeline().to_disk(staging)
        if path.exists():
            shutil.rmtree(path, ignore_errors=True)  # stale: ours to replace
        try:
            staging.rename(path)
        except OSError:  # another process put its build there meanwhile
            pass
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _parent(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.parent


def _is_current(path: Path) -> bool:
    try:
        meta = srsly.read_json(path / "meta.json")
    except (OSError, ValueError):
        return False
    return (meta.get("agreements", {}).get("patterns") == patterns_fingerprint()
            and (path / "config.cfg").is_file())


# --------------------------------------------------------------------------- helpers


def group_mentions(doc: Doc) -> list[Span]:
    """The group words of a doc made by the full pipeline, in text order.

    "Partijen en de huurdersorganisaties" -> [Partijen/ALL, de huurdersorganisaties/HUURDERSORGANISATIES]
    """
    if GROUPS_KEY not in doc.spans:
        raise ValueError(f"doc has no {GROUPS_KEY!r} spans: make it with nlp(text), not nlp.make_doc(text)")
    return sorted(doc.spans[GROUPS_KEY], key=lambda span: span.start)


def main(argv: list[str] | None = None) -> int:
    """`python -m pipeline.nlp [PATH]`: build the pipeline into PATH (default models/nl_agreements)."""
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else DEFAULT_MODEL_PATH
    print(f"Built {build_and_save(path)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
