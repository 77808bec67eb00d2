"""The project's spaCy pipeline: `spacy.blank("nl")` plus rule components, built once into models/.

No trained Dutch pipeline is used (none may be downloaded), so everything here is rules:

    tokenizer        blank("nl"), plus a suffix rule that splits footnote marks ("663¹" -> "663", "¹")
    lemmatizer       lookup mode, tables from spacy-lookups-data ("woningen" -> "woning")
    group_words      SpanRuler -> doc.spans["groups"]: "de corporaties", "partijen", "het college"
    quantity_ruler   SpanRuler -> doc.spans["quantities"]: candidate euro, %, counts, labels,
                     energie-index, years and dates; pipeline/quantities.py turns them into values

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
from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline.errors import ModelNotBuiltError
from pipeline.settings import DEFAULT_MODEL_PATH, Settings

PATTERNS_DIR = Path(__file__).resolve().parent / "patterns"
GROUP_WORDS_FILE = PATTERNS_DIR / "group_words.jsonl"
QUANTITY_PATTERNS_FILE = PATTERNS_DIR / "quantities.jsonl"
QUANTITY_WORDS_FILE = PATTERNS_DIR / "quantity_words.jsonl"
PATTERN_FILES = (GROUP_WORDS_FILE, QUANTITY_PATTERNS_FILE, QUANTITY_WORDS_FILE)

MODEL_NAME = "nl_agreements"
MODEL_VERSION = "0.1.0"

GROUPS_KEY = "groups"
QUANTITIES_KEY = "quantities"
GROUP_RULER = "group_words"
QUANTITY_RULER = "quantity_ruler"
REQUIRED_PIPES = ("lemmatizer", GROUP_RULER, QUANTITY_RULER)

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


# --------------------------------------------------------------------------- build, save, load


def build_pipeline() -> Language:
    """A fresh pipeline, built from the pattern files; nothing is downloaded.

    >>> nlp = build_pipeline()
    >>> nlp.pipe_names
    ['lemmatizer', 'group_words', 'quantity_ruler']
    >>> [t.lemma_ for t in nlp("94 woningen")]
    ['94', 'woning']
    """
    nlp = spacy.blank("nl")
    split_footnote_marks(nlp)
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.add_pipe(
        "span_ruler",
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
    nlp.add_pipe("span_ruler", name=QUANTITY_RULER, config={"spans_key": QUANTITIES_KEY, "validate": True})
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
    """Load the built pipeline from `settings.model_path`.

    Raises ModelNotBuiltError when it was never built, lacks a component, or was built from
    other pattern files than the ones installed now.
    """
    path = Path(settings.model_path)
    if not (path / "config.cfg").is_file():
        raise ModelNotBuiltError(path, NOT_BUILT)
    nlp = spacy.load(path)
    missing = [name for name in REQUIRED_PIPES if name not in nlp.pipe_names]
    if missing:
        raise ModelNotBuiltError(
            path, f"spaCy pipeline lacks {', '.join(missing)}; rebuild it with `agreements build-model`"
        )
    if nlp.meta.get("agreements", {}).get("patterns") != patterns_fingerprint():
        raise ModelNotBuiltError(
            path, "spaCy pipeline was built from other pattern files; rebuild it with `agreements build-model`"
        )
    return nlp


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
