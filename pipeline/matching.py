"""Commitments of year N vs year N+1 -> Match records: carried over, changed, new, dropped,
split or merged.

Matching is by content, never by number:

1. Every text is normalised to words: lower case, punctuation and footnote marks dropped,
   numbers without thousands dots, the agreement year and its neighbours made relative
   ("in 2021" in the 2021 agreement and "in 2022" in the 2022 one both read "jaar+0"),
   references to other items ("afspraak 45") without their number.
2. Each distinct word becomes one character, so rapidfuzz scores word-level edits
   (fuzz.ratio on words: "94 -> 110" is one edit, not a few characters) on strings
   ~7x shorter than the text.
3. `process.cdist` (multi-threaded, uint8, score_cutoff) runs on a one-byte coding of
   those words: the 192 most frequent words keep a code of their own, rarer ones share 64
   hashed codes. Shared codes can only add common words, so this score is an upper bound
   of the exact one, and rapidfuzz's byte kernels make it ~5x faster. A cheap context
   matrix (same theme, same section, owner overlap) is blended in with
   `Settings.context_weight`; the pairs that reach `Settings.match_threshold` on the bound
   are scored again exactly (`process.cpdist`), and those still above it are candidates,
   exactly as if every pair had been scored exactly.
4. A global optimal one-to-one assignment (scipy `linear_sum_assignment`) maximises the
   summed margin above the threshold. The candidate graph falls apart into connected
   components; each is solved on its own, which is exact and keeps 10,000 x 10,000 fast.
5. Items left over, and items of weak pairs that lie clearly better inside another item,
   are tested as parts of a split (one old item -> several new ones) or a merge (several
   old -> one new) by word-level containment (`Settings.split_threshold`).
6. Each relation gets a word-level diff; moving the agreement year is a carry-over
   (`year_shift`), the indexation of a rent threshold is reported apart from other
   quantity changes (pipeline/indexation.py), and both leave the status `unchanged`.

    >>> from pipeline.settings import Settings
    >>> from pipeline.types import Commitment, Section
    >>> old = [Commitment("a-2021", "3", "3", "De Volmacht verbetert 94 woningen in 2021.", Section())]
    >>> new = [Commitment("a-2022", "4", "4", "De Volmacht verbetert 110 woningen in 2022.", Section())]
    >>> [m] = match_commitments(old, new, Settings(), 2021, 2022)
    >>> m.status, m.renumbered, m.year_shift, m.quantity_changes
    ('modified', True, True, ('94 woningen → 110 woningen',))
    >>> m.diff_text
    'De Volmacht verbetert [-94-]{+110+} woningen in [-2021-]{+2022+}.'

A split or merge is ONE relation (one Match, one row) holding several keys on one side:
`old_keys` / `new_keys` are always tuples; the flat `old_key` / `new_key` columns hold a
string for one key, a list for several, None for none.
"""

from __future__ import annotations

import functools
import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel, LCSseq
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from pipeline.indexation import find_indexation, read_number
from pipeline.settings import Settings
from pipeline.types import Commitment, is_unprinted

UNCHANGED, MODIFIED, SPLIT, MERGED, NEW, DROPPED = (
    "unchanged", "modified", "split", "merged", "new", "dropped")
STATUSES = (UNCHANGED, MODIFIED, SPLIT, MERGED, NEW, DROPPED)

# Years this close to the agreement year are read relative to it: "prijspeil 2020",
# "in 2021", "Doorkijk naar 2022" move with the agreement; "in 2040" and "Woonvisie 2016+" stay.
YEAR_WINDOW = 1
# Shorter items ("Zie afspraak 12.") are too generic to be recognised as part of a split or merge.
MIN_PIECE_WORDS = 4
# The extra parts of a split must explain at least this much more of the old text than
# the one part the assignment chose; otherwise a new item that repeats a sentence of an
# old one would turn a carry-over into a split.
MIN_COVERAGE_GAIN = 0.10
# Score matrix rows computed at a time: bounds memory to ROWS x len(new) cells, while a
# block is still large enough for rapidfuzz's threads to stay busy.
CHUNK_ROWS = 1024
# Threads of each rapidfuzz cdist: every core (-1). A batch's diff workers, already one
# process per core, set 1 (pipeline.batch).
THREADS = -1
# Two words this alike (character level) are one word respelled, not another word:
# "energiedeel" -> "energiedaal", "verstrekingen" -> "verstrekkingen".
RESPELLING_MIN = 0.8
# Byte coding for the first, bounding cdist: this many most frequent words get a code of
# their own; the rest share the remaining 256 - BYTE_OWN_CODES codes by hash.
BYTE_OWN_CODES = 192
# A part of a split or merge may be taken from a pair the assignment made, when that pair
# is weak (text similarity under WEAK_PAIR) and the part lies inside the whole by at least
# STEAL_MARGIN more than it resembles its partner: otherwise a part that happens to look
# like some other item would break the split up.
WEAK_PAIR = 0.85
STEAL_MARGIN = 0.15
# At most this many candidates per old item reach the assignment: only a block of
# identical boilerplate items has more above the threshold, and for those the nearest in
# document order are the ones worth keeping. Bounds memory at MAX_CANDIDATES x len(old).
MAX_CANDIDATES = 50
# Among equal scores (duplicated boilerplate items) keep the document order.
POSITION_TIEBREAK = 1e-4
# A pair whose score beats its runner-up (the best other candidate of either item) by this
# much is as sure as the margin can make it (see confidence_of_pair).
FULL_MARGIN = 0.20
# Context-aware alignment of the items the assignment left over (see `align_leftovers`): a
# pair between the same matched neighbours needs this much text likeness and one more piece
# of evidence (same section, same owners, a shared quantity); gaps with more leftovers than
# this on the new side are not searched.
ALIGN_TEXT_FLOOR = 0.30
ALIGN_MAX_GAP = 25
ALIGN_CONFIDENCE = 0.35  # such a pair is a likely pair, not a sure one
# A merge or split whose parts each lie mostly inside the whole counts with less coverage
# than the threshold: a layout change (running text -> a table per theme) adds words.
CONTAINED_MIN_COVERAGE = 0.40
JOINT = "gezamenlijk"  # owner label of an item every party owns
JOINT_MIN_PARTIES = 3


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Match:
    """One relation between the commitments of two years.

    `score` is what decided the relation: the assignment's blend of text and context for
    unchanged/modified, the coverage of the whole by its parts for split/merged, and the
    best score any counterpart reached for new/dropped (how close it came).
    """

    status: str  # unchanged | modified | split | merged | new | dropped
    old_keys: tuple[str, ...]
    new_keys: tuple[str, ...]
    old_numbers: tuple[str, ...]
    new_numbers: tuple[str, ...]
    old_texts: tuple[str, ...]
    new_texts: tuple[str, ...]
    score: float  # 0-1, see above
    similarity: float  # 0-1 word-level likeness; carried-over years and indexed thresholds count as equal
    context_score: float  # 0-1 agreement of theme, section and owners
    renumbered: bool = False
    year_shift: bool = False  # the agreement year moved ("in 2021" -> "in 2022")
    indexation: bool = False  # a rent threshold moved to a later year's official value
    owner_change: str | None = None  # "de gemeente → gezamenlijk"
    section_change: str | None = None  # "Betaalbaarheid › Prestaties gemeente 2021 → ..."
    quantity_changes: tuple[str, ...] = ()  # "94 woningen → 110 woningen"
    indexations: tuple[str, ...] = ()  # "€ 663 → € 678 (tweede aftoppingsgrens 2020 → 2021)"
    diff: tuple[tuple[str, str], ...] = ()  # ("equal" | "delete" | "insert", text)
    diff_text: str = ""  # "... [-94-]{+110+} woningen ..."
    theme: str | None = None  # theme (or chapter) name of the new side, the old one when dropped
    section: str | None = None
    owners: tuple[str, ...] = ()  # owners of the new side, the old ones when dropped
    closest: str | None = None  # new/dropped: key of the most similar item on the other side
    # How sure the relation is, 0-1 (see `confidence_of_pair`), and what it rests on:
    # "text (margin 0.31 to the runner-up)", "mutual nearest between matched neighbours, ...",
    # "correction: pinned".
    confidence: float = 1.0
    reason: str = ""

    @property
    def old_key(self) -> str | list[str] | None:
        return _flat(self.old_keys)

    @property
    def new_key(self) -> str | list[str] | None:
        return _flat(self.new_keys)

    @property
    def old_number(self) -> str | list[str] | None:
        return _flat(self.old_numbers)

    @property
    def new_number(self) -> str | list[str] | None:
        return _flat(self.new_numbers)


def _flat(values: tuple[str, ...]) -> str | list[str] | None:
    """One key as a string, several as a list.

    >>> _flat(()), _flat(("12",)), _flat(("12", "13"))
    (None, '12', ['12', '13'])
    """
    if not values:
        return None
    return values[0] if len(values) == 1 else list(values)


MATCH_COLUMNS = [
    "status", "old_key", "old_number", "new_key", "new_number", "renumbered", "similarity",
    "score", "context_score", "year_shift", "indexation", "owner_change", "section_change",
    "quantity_changes", "indexations", "diff_text", "diff", "old_keys", "new_keys",
    "old_text", "new_text", "theme", "section", "owners", "closest", "confidence", "reason",
]


def match_rows(matches: Iterable[Match]) -> list[dict[str, Any]]:
    """Matches as plain rows for export.write_table, columns in MATCH_COLUMNS order.

    >>> m = Match(NEW, (), ("7",), (), ("7",), (), ("Nieuw.",), 0.2, 0.0, 1.0)
    >>> row = match_rows([m])[0]
    >>> row["status"], row["old_key"], row["new_key"], row["new_keys"]
    ('new', None, '7', ['7'])
    """
    rows = []
    for m in matches:
        rows.append({
            "status": m.status, "old_key": m.old_key, "old_number": m.old_number,
            "new_key": m.new_key, "new_number": m.new_number, "renumbered": m.renumbered,
            "similarity": m.similarity, "score": m.score, "context_score": m.context_score,
            "year_shift": m.year_shift, "indexation": m.indexation,
            "owner_change": m.owner_change, "section_change": m.section_change,
            "quantity_changes": list(m.quantity_changes), "indexations": list(m.indexations),
            "diff_text": m.diff_text, "diff": [list(segment) for segment in m.diff],
            "old_keys": list(m.old_keys), "new_keys": list(m.new_keys),
            "old_text": "\n\n".join(m.old_texts) or None, "new_text": "\n\n".join(m.new_texts) or None,
            "theme": m.theme, "section": m.section, "owners": list(m.owners), "closest": m.closest,
            "confidence": m.confidence, "reason": m.reason,
        })
    return rows


def summarize(matches: Iterable[Match]) -> dict[str, int]:
    """Count of relations per status, every status present, in STATUSES order.

    >>> summarize([])["unchanged"]
    0
    """
    counts = Counter(m.status for m in matches)
    return {status: counts.get(status, 0) for status in STATUSES}


# --------------------------------------------------------------------------- words

# Numbers keep their separators ("1.535", "678,66"); superscript footnote marks are no words.
_TOKEN = re.compile(r"([0-9]+(?:[.,][0-9]+)*|[^\W_\u00b2\u00b3\u00b9\u2070-\u2079]+|[€%])")
_YEAR = re.compile(r"(?:19|20|21)[0-9]{2}")
_LABEL = re.compile(r"\s*([0-9]+(?:\.[0-9]+)*)[.)]\s")
_REFERENCE_WORDS = {"afspraak", "afspraken", "punt", "prestatie"}
_KEYS: dict[str, str] = {}  # printed token -> key; the vocabulary of agreements is small
_KEYS_MAX = 200_000


def token_key(raw: str) -> str:
    """The comparison form of one printed token.

    >>> [token_key(t) for t in ["Woningen", "1.500", "€", "%"]]
    ['woningen', '1500', 'euro', 'procent']
    """
    key = _KEYS.get(raw)
    if key is None:
        if raw[0].isdigit():
            key = raw.replace(".", "").replace(",", "")
        else:
            key = {"€": "euro", "%": "procent"}.get(raw) or raw.lower()
        if len(_KEYS) < _KEYS_MAX:
            _KEYS[raw] = key
    return key


@dataclass(frozen=True)
class Tokens:
    """The printed tokens of one or more texts, column by column.

    `texts[k]` is the token as printed (the first of a text also carries what precedes
    it: "(€"), `gaps[k]` what follows it up to the next token, so that joining
    texts + gaps gives the text back; `pieces[k]` tells which text (a split's part) it is in.
    """

    keys: tuple[str, ...]
    words: tuple[str, ...]  # the bare token: "1.535", "€", "Woningen"
    texts: tuple[str, ...]
    gaps: tuple[str, ...]
    pieces: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.keys)


def tokenize(text: str, piece: int = 0) -> Tokens:
    """The tokens of one text (`piece`: its number among several).

    >>> t = tokenize("(€ 663) ¹.")
    >>> t.keys, t.texts, t.gaps
    (('euro', '663'), ('(€', '663'), (' ', ') ¹.'))
    """
    parts = _TOKEN.split(text)  # [before, word, gap, word, gap, ...]: one pass in C
    words = tuple(parts[1::2])
    if not words:
        return Tokens((), (), (), (), ())
    texts = (parts[0] + words[0],) + words[1:]
    return Tokens(tuple(map(token_key, words)), words, texts, tuple(parts[2::2]), (piece,) * len(words))


def join_tokens(parts: Sequence[Tokens]) -> Tokens:
    """Several texts' tokens as one sequence, each keeping the number of its text."""
    if len(parts) == 1:
        return parts[0]
    return Tokens(*(tuple(x for p in parts for x in getattr(p, name)) for name in ("keys", "words", "texts", "gaps")),
                  tuple(n for n, p in enumerate(parts) for _ in p.keys))


def word_keys(text: str) -> list[str]:
    """The comparison forms of a text's tokens.

    >>> word_keys("De Volmacht (€ 663) ¹.")
    ['de', 'volmacht', 'euro', '663']
    """
    return list(tokenize(text).keys)


def relative_year(key: str, year: int | None) -> str:
    """A year close to the agreement year, relative to it; anything else unchanged.

    >>> relative_year("2020", 2021), relative_year("2040", 2021), relative_year("94", 2021)
    ('jaar-1', '2040', '94')
    """
    if year is None or len(key) != 4 or not _YEAR.fullmatch(key):
        return key
    offset = int(key) - year
    return f"jaar{offset:+d}" if abs(offset) <= YEAR_WINDOW else key


def without_label(text: str, number: str | None) -> str:
    """The text without its own number label, when another reader left it in.

    >>> without_label("12. De gemeente", "12"), without_label("12 woningen", "12")
    ('De gemeente', '12 woningen')
    """
    label = _LABEL.match(text) if number else None
    return text[label.end():] if label and label.group(1) == number else text


def matching_words(keys: Sequence[str], year: int | None) -> list[str]:
    """Token keys -> the words the matcher compares (years relative, references unnumbered)."""
    words: list[str] = []
    for key in keys:
        if key[0].isdigit():
            if words and words[-1] in _REFERENCE_WORDS:
                key = "#"  # "afspraak 45" points at an item whose number changes every year
            else:
                key = relative_year(key, year)
        words.append(key)
    return words


def normalised_words(text: str, year: int | None, number: str | None = None) -> list[str]:
    """The words the matcher compares: agreement year, numbering and punctuation neutralised.

    >>> normalised_words("12. Zoals in afspraak 45: in 2021 € 1.500.", 2021, "12")
    ['zoals', 'in', 'afspraak', '#', 'in', 'jaar+0', 'euro', '1500']
    """
    return matching_words(tokenize(without_label(text, number)).keys, year)


class ByteCodes:
    """One byte-range character per word: frequent words their own, rare words hashed.

    >>> codes = ByteCodes([["de", "gemeente"], ["de", "corporaties"]], own=1)
    >>> codes.encode(["de"]) == chr(0), ord(codes.encode(["corporaties"])) >= 1
    (True, True)
    """

    def __init__(self, texts: Iterable[Sequence[str]], own: int = BYTE_OWN_CODES) -> None:
        frequency = Counter(w for words in texts for w in set(words))
        self._codes = {w: chr(i) for i, (w, _) in enumerate(frequency.most_common(own))}
        self._first_shared = len(self._codes)

    def encode(self, words: Sequence[str]) -> str:
        return "".join(self._codes.get(w) or self._shared(w) for w in words)

    def _shared(self, word: str) -> str:
        # crc32, not hash(): the same coding in every process
        code = chr(self._first_shared + zlib.crc32(word.encode()) % (256 - self._first_shared))
        self._codes[word] = code
        return code


class WordCodes:
    """One character per distinct word, shared by both years, so that rapidfuzz compares
    word sequences as short strings (and uses its fast bit-parallel kernels).

    >>> codes = WordCodes()
    >>> codes.encode(["de", "gemeente", "de"]) == codes.encode(["de", "gemeente", "de"])
    True
    """

    def __init__(self) -> None:
        self._codes: dict[str, str] = {}

    def encode(self, words: Sequence[str]) -> str:
        return "".join(self._codes.get(w) or self._new(w) for w in words)

    def _new(self, word: str) -> str:
        point = 0x100 + len(self._codes)
        if point >= 0xD800:
            point += 0x800  # skip the surrogate block, which is no valid character
        self._codes[word] = chr(point)
        return self._codes[word]


# --------------------------------------------------------------------------- context


def theme_name(commitment: Commitment) -> str | None:
    """Theme (else chapter) without its number: "4.1 Betaalbaarheid" -> "Betaalbaarheid".

    >>> from pipeline.types import Section
    >>> theme_name(Commitment("d", "1", "1", "x", Section(chapter="3 Samenwerking")))
    'Samenwerking'
    """
    name = commitment.section.theme or commitment.section.chapter
    return _unnumbered(name) if name else None


@functools.lru_cache(maxsize=4096)  # a few headings, asked for every relation
def _unnumbered(heading: str) -> str:
    return re.sub(r"^\s*[0-9]+(?:\.[0-9]+)*\.?\s*", "", heading).strip() or heading.strip()


def section_key(commitment: Commitment) -> str:
    """The section heading without years: "Prestaties gemeente 2021" == "... 2022".

    >>> from pipeline.types import Section
    >>> section_key(Commitment("d", "1", "1", "x", Section(section="Doorkijk naar 2022 en verder.")))
    'doorkijk naar en verder'
    """
    return _without_digits(commitment.section.section or "")


@functools.lru_cache(maxsize=4096)
def _without_digits(heading: str) -> str:
    return " ".join(re.sub(r"[0-9]+", " ", re.sub(r"[^\w\s]", " ", heading.lower())).split())


@functools.lru_cache(maxsize=4096)
def owner_key(owner: str) -> str:
    """An owner's name for comparing years: the article and case do not matter.

    >>> owner_key("de gemeente"), owner_key("De Volmacht"), owner_key("Gemeente")
    ('gemeente', 'volmacht', 'gemeente')
    """
    return re.sub(r"^(de|het)\s+", "", owner.strip().lower())


def owner_keys(commitment: Commitment) -> frozenset[str]:
    return frozenset(owner_key(o) for o in commitment.owners)


@dataclass(frozen=True)
class Side:
    """One year's commitments, prepared for matching."""

    items: tuple[Commitment, ...]
    year: int | None
    tokens: tuple[Tokens, ...]  # each text tokenised once, for matching and for the diff
    codes: tuple[str, ...]  # WordCodes of the matching words (exact)
    byte_codes: tuple[str, ...]  # ByteCodes of the same words (bounding, fast)
    lengths: np.ndarray  # words per item
    themes: np.ndarray  # int code per item (shared vocabulary with the other side)
    sections: np.ndarray
    owner_sets: np.ndarray  # int code of the item's set of owners
    all_owners: frozenset[str]  # every owner of this year: "owned by all" reads as joint


def prepare_sides(old: Sequence[Commitment], new: Sequence[Commitment],
                  old_year: int | None, new_year: int | None) -> tuple[Side, Side, list[frozenset[str]]]:
    """Both years as Sides over shared vocabularies; also the distinct owner sets."""
    words, themes, sections, owner_sets = WordCodes(), _Vocabulary(), _Vocabulary(), _Vocabulary()
    old_tokens = [tokenize(without_label(c.text, c.number)) for c in old]
    new_tokens = [tokenize(without_label(c.text, c.number)) for c in new]
    old_words = [matching_words(t.keys, old_year) for t in old_tokens]
    new_words = [matching_words(t.keys, new_year) for t in new_tokens]
    byte_codes = ByteCodes(old_words + new_words)

    def side(items: Sequence[Commitment], year: int | None, found: list[Tokens],
             normalised: list[list[str]]) -> Side:
        return Side(tuple(items), year, tuple(found), tuple(words.encode(w) for w in normalised),
                    tuple(byte_codes.encode(w) for w in normalised),
                    np.array([len(w) for w in normalised], dtype=np.int32),
                    np.array([themes.code((theme_name(c) or "").lower()) for c in items], dtype=np.int32),
                    np.array([sections.code(section_key(c)) for c in items], dtype=np.int32),
                    np.array([owner_sets.code(owner_keys(c)) for c in items], dtype=np.int32),
                    frozenset().union(*(owner_keys(c) for c in items)))

    return (side(old, old_year, old_tokens, old_words), side(new, new_year, new_tokens, new_words),
            owner_sets.values)


class _Vocabulary:
    """Small int codes for hashable values, in order of first appearance."""

    def __init__(self) -> None:
        self._codes: dict[Any, int] = {}
        self.values: list[Any] = []

    def code(self, value: Any) -> int:
        if value not in self._codes:
            self._codes[value] = len(self.values)
            self.values.append(value)
        return self._codes[value]


def owner_overlap_table(owner_sets: list[frozenset[str]]) -> np.ndarray:
    """Jaccard overlap between every two distinct owner sets (two empty sets agree).

    >>> owner_overlap_table([frozenset({"a"}), frozenset({"a", "b"}), frozenset()]).round(2).tolist()
    [[1.0, 0.5, 0.0], [0.5, 1.0, 0.0], [0.0, 0.0, 1.0]]
    """
    n = len(owner_sets)
    table = np.ones((n, n), dtype=np.float32)
    for i, a in enumerate(owner_sets):
        for j, b in enumerate(owner_sets):
            if a or b:
                table[i, j] = len(a & b) / len(a | b)
    return table


def pairs_context(old: Side, new: Side, rows: np.ndarray, cols: np.ndarray, overlap: np.ndarray) -> np.ndarray:
    """Context agreement (0-1) of the pairs (rows[k], cols[k]): the mean of same theme, same
    section (years ignored) and the overlap of their owners."""
    same_theme = old.themes[rows] == new.themes[cols]
    same_section = old.sections[rows] == new.sections[cols]
    owners = overlap[old.owner_sets[rows], new.owner_sets[cols]]
    return (same_theme.astype(np.float32) + same_section + owners) / np.float32(3.0)


def pair_context(old: Side, new: Side, i: int, j: int, overlap: np.ndarray) -> float:
    """Context agreement of one pair."""
    return float((int(old.themes[i] == new.themes[j]) + int(old.sections[i] == new.sections[j])
                  + overlap[old.owner_sets[i], new.owner_sets[j]]) / 3.0)


# --------------------------------------------------------------------------- scoring


@dataclass(frozen=True)
class Candidates:
    """The pairs that reach the threshold."""

    rows: np.ndarray  # old index
    cols: np.ndarray  # new index
    scores: np.ndarray  # blended score, 0-1
    texts: np.ndarray  # text part alone, 0-1
    contexts: np.ndarray  # context part alone, 0-1


def text_floor(settings: Settings) -> int:
    """The text score (0-100) below which not even a perfect context reaches the threshold.

    >>> text_floor(Settings(match_threshold=0.55, context_weight=0.15))
    47
    """
    weight = settings.context_weight
    if weight >= 1.0:
        return 0
    return max(0, int(np.floor(100 * (settings.match_threshold - weight) / (1.0 - weight))))


def score_candidates(old: Side, new: Side, owner_sets: list[frozenset[str]],
                     settings: Settings) -> Candidates:
    """Blend text scores with context, block by block, keeping the pairs over the threshold.

    The bounding byte-coded cdist finds every pair that could reach the threshold; only
    those are scored exactly, so the result equals scoring all pairs exactly.
    """
    n_old, n_new = len(old.codes), len(new.codes)
    overlap = owner_overlap_table(owner_sets)
    weight, threshold = np.float32(settings.context_weight), np.float32(settings.match_threshold)
    cutoff = text_floor(settings)
    found: list[tuple[np.ndarray, ...]] = []
    text_share = np.float32((1.0 - weight) / 100.0)
    for start in range(0, n_old if n_new else 0, CHUNK_ROWS):
        rows = slice(start, min(start + CHUNK_ROWS, n_old))
        bound = process.cdist(old.byte_codes[rows], new.byte_codes, scorer=fuzz.ratio, dtype=np.uint8,
                              workers=THREADS, score_cutoff=max(cutoff, 1))
        # Below the text floor a pair cannot reach the threshold: only the few pairs
        # above it need their context and, if the bound still passes, an exact score.
        r, c = np.nonzero(bound)
        r += start
        context = pairs_context(old, new, r, c, overlap)
        passes = bound[r - start, c] * text_share + weight * context >= threshold
        r, c, context = r[passes], c[passes], context[passes]
        exact = process.cpdist([old.codes[i] for i in r], [new.codes[j] for j in c],
                               scorer=fuzz.ratio, dtype=np.uint8, workers=THREADS) if len(r) else np.zeros(0, np.uint8)
        blended = exact * text_share + weight * context
        keep = np.flatnonzero(blended >= threshold)
        keep = keep[best_per_row(r[keep], c[keep] / max(n_new, 1) - r[keep] / max(n_old, 1), blended[keep])]
        found.append((r[keep], c[keep], blended[keep], exact[keep] / np.float32(100.0), context[keep]))
    if not found:
        empty = np.zeros(0)
        found.append((empty.astype(np.int64), empty.astype(np.int64), empty, empty, empty))
    return Candidates(*(np.concatenate(part) for part in zip(*found)))


def best_per_row(rows: np.ndarray, offsets: np.ndarray, scores: np.ndarray,
                 limit: int = MAX_CANDIDATES) -> np.ndarray:
    """Indices of at most `limit` best pairs per row (ties: the nearest in document order).

    >>> best_per_row(np.array([0, 0, 0, 1]), np.array([0.5, 0.0, 0.1, 0.0]), np.array([.9, .9, .8, .7]), 2).tolist()
    [1, 0, 3]
    """
    if len(rows) == 0 or np.bincount(rows).max() <= limit:
        return np.arange(len(rows))
    order = np.lexsort((np.abs(offsets), -scores, rows))
    sorted_rows = rows[order]
    first = np.searchsorted(sorted_rows, sorted_rows, side="left")
    return order[np.arange(len(order)) - first < limit]


def closest_counterparts(items: Sequence[int], side: Side, other: Side) -> dict[int, tuple[int, float]]:
    """For leftover (new or dropped) items: the most alike item of the other year by text
    alone (index, 0-1), so a reader sees how close the nearest candidate came."""
    if not items or not other.codes:
        return {}
    scores = process.cdist([side.codes[i] for i in items], other.codes, scorer=fuzz.ratio,
                           dtype=np.uint8, workers=THREADS)
    best = scores.argmax(axis=1)
    return {i: (int(b), float(scores[k, b]) / 100.0) for k, (i, b) in enumerate(zip(items, best))}


# --------------------------------------------------------------------------- assignment


def assign(n_old: int, n_new: int, candidates: Candidates, threshold: float) -> list[tuple[int, int, int]]:
    """Global optimal one-to-one assignment over the candidate pairs -> (old, new, candidate index).

    Maximises the summed margin above the threshold, so one excellent pair beats two
    mediocre ones. Pairs outside the candidates can never match, so the problem splits
    exactly into the connected components of the candidate graph; each is solved by
    `linear_sum_assignment` on its own small dense matrix.
    """
    rows, cols = candidates.rows, candidates.cols
    if len(rows) == 0:
        return []
    # Margin > 0 for every candidate, plus a tiny bonus for keeping the document order.
    order_bonus = POSITION_TIEBREAK * (1.0 - np.abs(rows / max(n_old, 1) - cols / max(n_new, 1)))
    weights = candidates.scores.astype(np.float64) - threshold + 1e-6 + order_bonus
    graph = coo_matrix((np.ones(len(rows)), (rows, n_old + cols)), shape=(n_old + n_new,) * 2)
    _, labels = connected_components(graph, directed=False)
    component = labels[rows]
    order = np.argsort(component, kind="stable")
    bounds = np.flatnonzero(np.diff(component[order])) + 1
    pairs: list[tuple[int, int, int]] = []
    for edges in np.split(order, bounds):
        if len(edges) == 1:
            e = int(edges[0])
            pairs.append((int(rows[e]), int(cols[e]), e))
            continue
        pairs.extend(assign_component(rows[edges], cols[edges], weights[edges], edges))
    return pairs


def assign_component(rows: np.ndarray, cols: np.ndarray, weights: np.ndarray,
                     edges: np.ndarray) -> list[tuple[int, int, int]]:
    """One component: dense matrix of margins (0 = no candidate), linear_sum_assignment."""
    old_ids, r = np.unique(rows, return_inverse=True)
    new_ids, c = np.unique(cols, return_inverse=True)
    matrix = np.zeros((len(old_ids), len(new_ids)))
    edge_at = np.full((len(old_ids), len(new_ids)), -1, dtype=np.int64)
    matrix[r, c] = weights
    edge_at[r, c] = edges
    chosen_r, chosen_c = linear_sum_assignment(matrix, maximize=True)
    return [(int(old_ids[i]), int(new_ids[j]), int(edge_at[i, j]))
            for i, j in zip(chosen_r, chosen_c) if edge_at[i, j] >= 0]


# --------------------------------------------------------------------------- splits and merges


@dataclass(frozen=True)
class Group:
    """A split (one whole on the old side) or a merge (one whole on the new side)."""

    whole: int
    parts: tuple[int, ...]
    coverage: float


def contained(part: str, whole: str) -> float:
    """Share of the part's words found, in order, in the whole (word-level LCS / part length).

    >>> contained("abc", "xaybzc"), contained("abcd", "ab")
    (1.0, 0.5)
    """
    return LCSseq.similarity(part, whole) / max(len(part), 1)


def best_wholes(parts: Sequence[int], part_side: Side, whole_side: Side,
                minimum: float) -> dict[int, tuple[int, float]]:
    """For each part: the whole that contains most of it, if that is at least `minimum`.

    LCS on the byte codes bounds the exact LCS from above, so one byte-coded cdist finds
    the few wholes worth an exact look (the same trick as score_candidates).
    """
    if not parts or not whole_side.codes:
        return {}
    found: dict[int, tuple[int, float]] = {}
    for start in range(0, len(parts), CHUNK_ROWS):
        block = parts[start:start + CHUNK_ROWS]
        # At least this many words of a part must lie inside a whole.
        needed = np.array([np.ceil(minimum * max(len(part_side.codes[p]), 1) - 1e-9) for p in block])
        bound = process.cdist([part_side.byte_codes[p] for p in block], whole_side.byte_codes,
                              scorer=LCSseq.similarity, dtype=np.int32, workers=THREADS)
        for row, col in zip(*np.nonzero(bound >= needed[:, None])):
            part, whole = block[row], int(col)
            share = contained(part_side.codes[part], whole_side.codes[whole])
            if share >= minimum and (part not in found or share > found[part][1]):
                found[part] = (whole, share)
    return found


def coverage(whole: str, parts: Sequence[str]) -> float:
    """Share of the whole's words the parts, read in order, account for.

    >>> coverage("abcdef", ["abc", "def"]), coverage("abcdef", ["abc"])
    (1.0, 0.5)
    """
    if not whole:
        return 0.0
    return LCSseq.similarity(whole, "".join(parts)) / len(whole)


def find_groups(wholes: Side, parts: Side, partner_of_whole: dict[int, int], pair_text: dict[int, float],
                excluded_parts: set[int], taken_wholes: set[int], settings: Settings) -> list[Group]:
    """Wholes that fell apart into several parts (a split seen from old to new; a merge
    seen from new to old, with the sides swapped).

    A part is an item whose words lie mostly (>= split_threshold) inside one whole: a
    leftover, or an item the assignment paired only weakly (text < WEAK_PAIR) that the
    whole holds clearly better than its partner resembles it (by STEAL_MARGIN). The
    whole's own partner is the first part when it too lies inside it. Parts join in order
    of how much of them the whole holds, each only if it explains MIN_COVERAGE_GAIN more
    of the whole; a group needs two parts and must cover the whole (>= split_threshold).
    """
    free = [p for p in range(len(parts.items))
            if p not in excluded_parts and parts.lengths[p] >= MIN_PIECE_WORDS and pair_text.get(p, 0.0) < WEAK_PAIR]
    claims: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for part, (whole, share) in best_wholes(free, parts, wholes, settings.split_threshold).items():
        if whole in taken_wholes or partner_of_whole.get(whole) == part:
            continue
        if part in pair_text and share < pair_text[part] + STEAL_MARGIN:
            continue  # it resembles its partner about as well: keep the pair
        claims[whole].append((share, part))
    groups, used = [], set()
    for whole, claimed in sorted(claims.items()):
        pieces: list[int] = []
        partner = partner_of_whole.get(whole)
        if partner is not None and partner not in used:
            if contained(parts.codes[partner], wholes.codes[whole]) < settings.split_threshold:
                continue  # the whole became something else; its leftovers are new items
            pieces.append(partner)
        covered = coverage_of(wholes, whole, parts, pieces)
        for _, part in sorted(claimed, key=lambda c: (-c[0], c[1])):
            if part in used:
                continue
            more = coverage_of(wholes, whole, parts, pieces + [part])
            if not pieces or more >= covered + MIN_COVERAGE_GAIN:
                pieces.append(part)
                covered = more
        each_inside = all(contained(parts.codes[p], wholes.codes[whole]) >= settings.split_threshold for p in pieces)
        if len(pieces) >= 2 and (covered >= settings.split_threshold
                                 or each_inside and covered >= CONTAINED_MIN_COVERAGE):
            groups.append(Group(whole, tuple(sorted(pieces)), covered))
            used.update(pieces)
    return groups


def coverage_of(wholes: Side, whole: int, parts: Side, pieces: Sequence[int]) -> float:
    """coverage() of a whole by parts read in document order."""
    return coverage(wholes.codes[whole], [parts.codes[p] for p in sorted(pieces)]) if pieces else 0.0


# --------------------------------------------------------------------------- word diff


@dataclass(frozen=True)
class WordDiff:
    """Word-level difference of old and new texts (several when split or merged).

    `segments` is the whole difference for export: ("equal" | "delete" | "insert", text),
    equal text as the new year prints it, a split's parts on their own lines.
    `old_pieces` / `new_pieces` are the same per text, for a side-by-side view: old ones
    hold equal + delete, new ones equal + insert. A change is marked without its trailing
    punctuation: "[-2021-]{+2022+}.".
    """

    old: Tokens
    new: Tokens
    opcodes: tuple[tuple[str, int, int, int, int], ...]
    old_count: int = 1  # number of texts on each side
    new_count: int = 1

    @functools.cached_property
    def segments(self) -> tuple[tuple[str, str], ...]:
        out = _Segments()
        for tag, a0, a1, b0, b1 in self.opcodes:
            if tag == "equal":
                out.add("equal", _run_text(self.new, b0, b1))
                continue
            if a1 > a0:
                out.add("delete", _run_text(self.old, a0, a1, last_gap=False))
                if b1 == b0:
                    out.add("equal", self.old.gaps[a1 - 1])
            if b1 > b0:
                out.add("insert", _run_text(self.new, b0, b1, last_gap=False))
                out.add("equal", self.new.gaps[b1 - 1])
        return out.done()

    @functools.cached_property
    def old_pieces(self) -> tuple[tuple[tuple[str, str], ...], ...]:
        return self.side_pieces("old")

    @functools.cached_property
    def new_pieces(self) -> tuple[tuple[tuple[str, str], ...], ...]:
        return self.side_pieces("new")

    def side_pieces(self, side: str, carried: frozenset[int] = frozenset()
                    ) -> tuple[tuple[tuple[str, str], ...], ...]:
        """Segments per text of the "old" or "new" side; the opcodes numbered in `carried`
        (a moved agreement year, an indexed threshold) are marked "carried" instead of
        "delete" / "insert"."""
        tokens, changed = (self.old, "delete") if side == "old" else (self.new, "insert")
        runs = []
        for n, (tag, a0, a1, b0, b1) in enumerate(self.opcodes):
            kind = "equal" if tag == "equal" else "carried" if n in carried else changed
            runs.append((kind, *((a0, a1) if side == "old" else (b0, b1))))
        return _pieces(tokens, runs, self.old_count if side == "old" else self.new_count)

    @property
    def text(self) -> str:
        """The difference as one line.

        >>> word_diff(["verbetert 94 woningen in 2021."], ["verbetert 110 woningen in 2022."]).text
        'verbetert [-94-]{+110+} woningen in [-2021-]{+2022+}.'
        """
        marks = {"equal": "{}", "delete": "[-{}-]", "insert": "{{+{}+}}"}
        return "".join(marks[op].format(text) for op, text in self.segments).strip()


def word_opcodes(old: Tokens, new: Tokens) -> tuple[tuple[str, int, int, int, int], ...]:
    """Indel (LCS) opcodes on token keys; a delete next to an insert becomes a replace, and
    a replace of as many words as it replaces is cut word by word ("in [-2021-]{+2022+}
    [-94-]{+110+}"), so that a moved year and a changed number are told apart."""
    merged: list[tuple[str, int, int, int, int]] = []
    for op in Indel.opcodes(old.keys, new.keys):
        tag, a0, a1, b0, b1 = op.tag, op.src_start, op.src_end, op.dest_start, op.dest_end
        if merged and tag != "equal" and merged[-1][0] != "equal" and merged[-1][0] != tag:
            _, p0, _, q0, _ = merged[-1]
            merged[-1] = ("replace", p0, a1, q0, b1)
        else:
            merged.append((tag, a0, a1, b0, b1))
    cut: list[tuple[str, int, int, int, int]] = []
    for tag, a0, a1, b0, b1 in merged:
        if tag == "replace" and a1 - a0 == b1 - b0:
            cut.extend(("replace", a0 + k, a0 + k + 1, b0 + k, b0 + k + 1) for k in range(a1 - a0))
        else:
            cut.append((tag, a0, a1, b0, b1))
    return tuple(cut)


def diff_tokens(old: Tokens, new: Tokens, old_count: int = 1, new_count: int = 1) -> WordDiff:
    return WordDiff(old, new, word_opcodes(old, new), old_count, new_count)


def word_diff(old_texts: Sequence[str], new_texts: Sequence[str]) -> WordDiff:
    """Word-level difference: punctuation and case alone are no change.

    >>> word_diff(["Woonborg verbetert 14 woningen."], ["Woonborg verbetert 20 woningen!"]).segments
    (('equal', 'Woonborg verbetert '), ('delete', '14'), ('insert', '20'), ('equal', ' woningen!'))
    """
    return diff_tokens(join_tokens([tokenize(t, n) for n, t in enumerate(old_texts)] or [tokenize("")]),
                       join_tokens([tokenize(t, n) for n, t in enumerate(new_texts)] or [tokenize("")]),
                       max(len(old_texts), 1), max(len(new_texts), 1))


def _run_text(tokens: Tokens, lo: int, hi: int, last_gap: bool = True) -> str:
    """Tokens lo..hi as printed; a change of text (a split's next part) starts a new line."""
    parts = []
    for k in range(lo, hi):
        if k > lo and tokens.pieces[k] != tokens.pieces[k - 1]:
            parts.append("\n")
        parts.append(tokens.texts[k])
        if last_gap or k < hi - 1:
            parts.append(tokens.gaps[k])
    return "".join(parts)


def _pieces(tokens: Tokens, runs: list[tuple[str, int, int]], count: int) -> tuple[tuple[tuple[str, str], ...], ...]:
    """Segments per text of one side from (op, lo, hi) runs; a changed run is marked
    without its trailing punctuation."""
    count = max([count] + [p + 1 for p in tokens.pieces[-1:]])
    out = [_Segments() for _ in range(count)]
    for op, lo, hi in runs:
        k = lo
        while k < hi:  # a run may cross from one text into the next
            end = k
            while end < hi and tokens.pieces[end] == tokens.pieces[k]:
                end += 1
            target = out[tokens.pieces[k]]
            if op == "equal":
                target.add("equal", _run_text(tokens, k, end))
            else:
                target.add(op, _run_text(tokens, k, end, last_gap=False))
                target.add("equal", tokens.gaps[end - 1])
            k = end
    return tuple(p.done() for p in out)


class _Segments:
    """Collects (op, text) segments, joining neighbours with the same op."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, op: str, text: str) -> None:
        if not text:
            return
        if self.items and self.items[-1][0] == op:
            self.items[-1] = (op, self.items[-1][1] + text)
        else:
            self.items.append((op, text))

    def done(self) -> tuple[tuple[str, str], ...]:
        return tuple(self.items)


# --------------------------------------------------------------------------- what changed


@dataclass(frozen=True)
class Changes:
    """What a word diff amounts to."""

    similarity: float
    wording: int  # words added, removed or replaced by another word (not years, not quantities)
    respellings: int  # words replaced by a near spelling: "energiedeel" -> "energiedaal"
    spelling_similarity: float  # character-level likeness of the texts, years carried over
    year_shift: bool
    quantity_changes: tuple[str, ...]
    indexations: tuple[str, ...]


def is_year_shift(old_key: str, new_key: str, old_year: int | None, new_year: int | None) -> bool:
    """The agreement year (or a neighbour of it) moved along with the agreement.

    >>> is_year_shift("2021", "2022", 2021, 2022), is_year_shift("2024", "2025", 2021, 2022)
    (True, False)
    """
    if old_year is None or new_year is None or old_year == new_year:
        return False
    if not (_YEAR.fullmatch(old_key) and _YEAR.fullmatch(new_key)):
        return False
    offset = int(old_key) - old_year
    return abs(offset) <= YEAR_WINDOW and int(new_key) - new_year == offset


def quantity_text(found: Tokens, index: int) -> str:
    """A changed number with what makes it readable: "€ 663", "85%", "94 woningen".

    >>> found = tokenize("afgetopt op € 663 per maand en 94 woningen")
    >>> quantity_text(found, 3), quantity_text(found, 7)
    ('€ 663', '94 woningen')
    """
    keys, words = found.keys, found.words
    text = words[index]
    if index > 0 and keys[index - 1] == "euro":
        text = f"{words[index - 1]} {text}"
    if index + 1 < len(keys):
        after = keys[index + 1]
        if after in ("procent", "euro"):
            text += ("" if words[index + 1] == "%" else " ") + words[index + 1]
        elif after.isalpha() and after not in _NOT_UNITS:
            text += " " + words[index + 1]
    return text


# Words after a number that are no unit of it: "14 woningen in 2021", "5 tot 10", "€ 663 (prijspeil".
_NOT_UNITS = {"in", "tot", "en", "of", "per", "van", "naar", "voor", "op", "met", "prijspeil", "t", "m"}


def classify(diff: WordDiff, old_year: int | None, new_year: int | None) -> Changes:
    """Count a diff's changes: year shifts and indexations are carried over, numbers are
    quantity changes, the rest is wording.

    >>> d = word_diff(["tot € 663 in 2021"], ["tot € 678 in 2022"])
    >>> c = classify(d, 2021, 2022)
    >>> c.similarity, c.wording, c.year_shift, c.quantity_changes, c.indexations
    (1.0, 0, True, (), ('€ 663 → € 678 (tweede aftoppingsgrens 2020 → 2021)',))
    """
    old, new = diff.old, diff.new
    same = wording = respellings = 0
    year_shift = False
    quantities: list[str] = []
    indexations: list[str] = []
    for tag, a0, a1, b0, b1 in diff.opcodes:
        if tag == "equal":
            same += a1 - a0
            continue
        olds, news = list(range(a0, a1)), list(range(b0, b1))
        # Years and numbers pair up in order; a year that moved with the agreement is no change.
        old_years = [i for i in olds if _is_year_token(old, i)]
        new_years = [j for j in news if _is_year_token(new, j)]
        for i, j in zip(old_years, new_years):
            if is_year_shift(old.keys[i], new.keys[j], old_year, new_year):
                year_shift = True
                same += 1
                olds.remove(i)
                news.remove(j)
        old_numbers = [i for i in olds if old.keys[i][0].isdigit()]
        new_numbers = [j for j in news if new.keys[j][0].isdigit()]
        for i, j in zip(old_numbers, new_numbers):
            before, after = quantity_text(old, i), quantity_text(new, j)
            indexed = _indexation(old, i, new, j, old_year, new_year)
            if indexed:
                indexations.append(f"{before} → {after} ({indexed})")
                same += 1
            else:
                quantities.append(f"{before} → {after}")
            olds.remove(i)
            news.remove(j)
        for i in old_numbers[len(new_numbers):]:
            quantities.append(f"{quantity_text(old, i)} → —")
            olds.remove(i)
        for j in new_numbers[len(old_numbers):]:
            quantities.append(f"— → {quantity_text(new, j)}")
            news.remove(j)
        for i, j in zip(olds, news):
            if fuzz.ratio(old.keys[i], new.keys[j]) >= 100 * RESPELLING_MIN:
                respellings += 1
            else:
                wording += 1
        wording += abs(len(olds) - len(news))
    total = len(old) + len(new)
    similarity = 1.0 if total == 0 else min(1.0, 2.0 * same / total)
    spelling = fuzz.ratio(" ".join(relative_year(k, old_year) for k in old.keys),
                          " ".join(relative_year(k, new_year) for k in new.keys)) / 100.0
    return Changes(round(similarity, 4), wording, respellings, round(spelling, 4), year_shift,
                   tuple(quantities), tuple(indexations))


def carried_opcodes(diff: WordDiff, old_year: int | None, new_year: int | None) -> frozenset[int]:
    """Numbers of the opcodes that only move the agreement year or index a threshold, so a
    report can show them as carried over rather than changed.

    >>> d = word_diff(["tot € 663 in 2021, 94 woningen"], ["tot € 678 in 2022, 110 woningen"])
    >>> sorted(carried_opcodes(d, 2021, 2022)), [d.opcodes[n][0] for n in range(len(d.opcodes))]
    ([1, 3], ['equal', 'replace', 'equal', 'replace', 'replace', 'equal'])
    """
    old, new = diff.old, diff.new
    carried = set()
    for n, (tag, a0, a1, b0, b1) in enumerate(diff.opcodes):
        if tag != "replace" or a1 - a0 != b1 - b0:
            continue
        if all((_is_year_token(old, i) and _is_year_token(new, j)
                and is_year_shift(old.keys[i], new.keys[j], old_year, new_year))
               or (old.keys[i][0].isdigit() and _indexation(old, i, new, j, old_year, new_year))
               for i, j in zip(range(a0, a1), range(b0, b1))):
            carried.add(n)
    return frozenset(carried)


def _is_year_token(found: Tokens, index: int) -> bool:
    word = found.words[index]
    return len(word) == 4 and word.isdigit() and bool(_YEAR.fullmatch(word))


def _indexation(old: Tokens, i: int, new: Tokens, j: int,
                old_year: int | None, new_year: int | None) -> str | None:
    """The threshold an old and a new amount stand for, when both are euro amounts."""
    if not (_is_euro(old, i) and _is_euro(new, j)):
        return None
    found = find_indexation(read_number(old.words[i]), read_number(new.words[j]), old_year, new_year)
    return found.describe() if found else None


def _is_euro(found: Tokens, index: int) -> bool:
    before = found.keys[index - 1] if index > 0 else ""
    after = found.keys[index + 1] if index + 1 < len(found) else ""
    return before == "euro" or after == "euro"


# --------------------------------------------------------------------------- relations


def owner_label(owners: Iterable[str], all_owners: frozenset[str]) -> str:
    """How the report names who owns an item: the parties, or "gezamenlijk" for all of them.

    >>> owner_label(["de gemeente"], frozenset({"gemeente", "woonborg", "woon"}))
    'de gemeente'
    >>> owner_label(["de gemeente", "Woonborg", "AH WOON"], frozenset({"gemeente", "woonborg", "ah woon"}))
    'gezamenlijk'
    """
    owners = list(dict.fromkeys(owners))
    keys = {owner_key(o) for o in owners}
    if (len(all_owners) >= JOINT_MIN_PARTIES and keys >= all_owners) or "partijen" in keys:
        return JOINT
    return ", ".join(owners) if owners else "geen eigenaar"


def place_label(commitment: Commitment) -> str:
    return " › ".join(p for p in (theme_name(commitment), commitment.section.section) if p) or "—"


def describe_changes(olds: Sequence[Commitment], news: Sequence[Commitment],
                     old_side: Side, new_side: Side) -> tuple[str | None, str | None]:
    """owner_change and section_change of a relation (None when the same)."""
    old_owners = [o for c in olds for o in c.owners]
    new_owners = [o for c in news for o in c.owners]
    owner_change = None
    old_label = owner_label(old_owners, old_side.all_owners)
    new_label = owner_label(new_owners, new_side.all_owners)
    if {owner_key(o) for o in old_owners} != {owner_key(o) for o in new_owners} and old_label != new_label:
        owner_change = f"{old_label} → {new_label}"
    section_change = None
    old_place = {((theme_name(c) or "").lower(), section_key(c)) for c in olds}
    new_place = {((theme_name(c) or "").lower(), section_key(c)) for c in news}
    if old_place != new_place:
        section_change = f"{place_label(olds[0])} → {place_label(news[0])}"
    return owner_change, section_change


def relation(status: str, old_ids: Sequence[int], new_ids: Sequence[int], score: float,
             context_score: float, old_side: Side, new_side: Side, settings: Settings) -> Match:
    """A Match of old and new items (one or both sides may hold several), diffed and described.

    A one-to-one pair is `unchanged` when only carried-over years and indexed thresholds
    differ, or when the only other edits are respellings and the texts stay at least
    `settings.modified_below` alike character by character; otherwise `modified`. A word
    added or removed ("niet") is always a modification, however long the text.
    """
    olds = [old_side.items[i] for i in old_ids]
    news = [new_side.items[j] for j in new_ids]
    diff = diff_tokens(_side_tokens(old_side, old_ids), _side_tokens(new_side, new_ids), len(old_ids), len(new_ids))
    changes = classify(diff, old_side.year, new_side.year)
    if status == MODIFIED and not changes.quantity_changes and changes.wording == 0 and (
            changes.respellings == 0 or changes.spelling_similarity >= settings.modified_below):
        status = UNCHANGED
    owner_change, section_change = describe_changes(olds, news, old_side, new_side)
    shown = news or olds
    return Match(
        status=status,
        old_keys=tuple(c.key for c in olds), new_keys=tuple(c.key for c in news),
        old_numbers=tuple(c.number for c in olds), new_numbers=tuple(c.number for c in news),
        old_texts=tuple(c.text for c in olds), new_texts=tuple(c.text for c in news),
        score=round(float(score), 4), similarity=changes.similarity,
        context_score=round(float(context_score), 4),
        renumbered=renumbered(olds, news),
        year_shift=changes.year_shift, indexation=bool(changes.indexations),
        owner_change=owner_change, section_change=section_change,
        quantity_changes=changes.quantity_changes, indexations=changes.indexations,
        diff=diff.segments, diff_text=diff.text,
        theme=theme_name(shown[0]), section=shown[0].section.section,
        owners=tuple(dict.fromkeys(o for c in shown for o in c.owners)))




def renumbered(olds: Sequence[Commitment], news: Sequence[Commitment]) -> bool:
    """Did a commitment's printed number change? A row of a table without numbers has none
    (types.is_unprinted): its place in the table moving is no renumbering."""
    if not olds or not news or is_unprinted(olds[0].number) or is_unprinted(news[0].number):
        return False
    return olds[0].number != news[0].number

def _side_tokens(side: Side, ids: Sequence[int]) -> Tokens:
    if len(ids) == 1:
        return side.tokens[ids[0]]
    return join_tokens([side.tokens[i] for i in ids])


def lone(status: str, item: Commitment, score: float, similarity: float, context_score: float,
         closest: Commitment | None) -> Match:
    """A new or dropped item: only one side, with how close its best counterpart came."""
    olds, news = ((item,), ()) if status == DROPPED else ((), (item,))
    return Match(
        status=status,
        old_keys=tuple(c.key for c in olds), new_keys=tuple(c.key for c in news),
        old_numbers=tuple(c.number for c in olds), new_numbers=tuple(c.number for c in news),
        old_texts=tuple(c.text for c in olds), new_texts=tuple(c.text for c in news),
        score=round(float(score), 4), similarity=round(float(similarity), 4),
        context_score=round(float(context_score), 4),
        diff=(("delete" if status == DROPPED else "insert", item.text),),
        diff_text=f"[-{item.text}-]" if status == DROPPED else f"{{+{item.text}+}}",
        theme=theme_name(item), section=item.section.section, owners=tuple(item.owners),
        closest=closest.key if closest is not None else None)


def group_context(whole: int, parts: Sequence[int], whole_is_old: bool, old: Side, new: Side,
                  overlap: np.ndarray) -> float:
    """Mean context agreement between a whole and its parts."""
    scores = [pair_context(old, new, *((whole, part) if whole_is_old else (part, whole)), overlap)
              for part in parts]
    return float(np.mean(scores)) if scores else 0.0


# --------------------------------------------------------------------------- entry point


def infer_year(items: Sequence[Commitment]) -> int | None:
    """The most common `year` of the items (None when none has one)."""
    years = Counter(c.year for c in items if c.year is not None)
    return years.most_common(1)[0][0] if years else None


def match_commitments(old: Sequence[Commitment], new: Sequence[Commitment], settings: Settings,
                      old_year: int | None = None, new_year: int | None = None, *,
                      pins: Iterable[tuple[str, str]] = (), forbids: Iterable[tuple[str, str]] = ()
                      ) -> tuple[Match, ...]:
    """Every relation between two years' commitments, in the new document's order (a
    dropped item right after the item that preceded it).

    `old_year` / `new_year` are the agreement years (default: the items' own `year`);
    they decide which years are a carry-over and which thresholds an indexation.
    `pins` are (old key, new key) pairs a user says are one commitment; `forbids` pairs
    that are not (corrections.csv): a pinned pair is made whatever the scores say, a
    forbidden one never.

    >>> from pipeline.types import Section
    >>> c = lambda n, t: Commitment("d", n, n, t, Section())
    >>> found = match_commitments([c("1", "Partijen overleggen ieder kwartaal met elkaar.")],
    ...                           [c("1", "Partijen overleggen ieder kwartaal met elkaar."),
    ...                            c("2", "De gemeente bouwt 40 nieuwe sociale huurwoningen.")], Settings())
    >>> [(m.status, m.old_key, m.new_key) for m in found]
    [('unchanged', '1', '1'), ('new', None, '2')]
    """
    old_year = old_year if old_year is not None else infer_year(old)
    new_year = new_year if new_year is not None else infer_year(new)
    old_side, new_side, owner_sets = prepare_sides(old, new, old_year, new_year)
    return _relations(old_side, new_side, owner_sets, settings, _key_pairs(old, new, pins),
                      _key_pairs(old, new, forbids))


def _key_pairs(old: Sequence[Commitment], new: Sequence[Commitment],
               pairs: Iterable[tuple[str, str]]) -> set[tuple[int, int]]:
    """(old key, new key) pairs as (old index, new index); keys the documents lack are left out."""
    old_at = {c.key: i for i, c in enumerate(old)}
    new_at = {c.key: j for j, c in enumerate(new)}
    return {(old_at[a], new_at[b]) for a, b in pairs if a in old_at and b in new_at}


def _relations(old: Side, new: Side, owner_sets: list[frozenset[str]], settings: Settings,
               pins: set[tuple[int, int]] = frozenset(), forbids: set[tuple[int, int]] = frozenset()
               ) -> tuple[Match, ...]:
    candidates = without_pairs(score_candidates(old, new, owner_sets, settings), pins, forbids)
    runner_up = runner_up_scores(candidates)
    pairs = assign(len(old.items), len(new.items), candidates, settings.match_threshold)
    pinned_old, pinned_new = {i for i, _ in pins}, {j for _, j in pins}
    splits = find_groups(old, new, {i: j for i, j, _ in pairs}, {j: float(candidates.texts[e]) for _, j, e in pairs},
                         set(pinned_new), set(pinned_old), settings)
    split_olds = {g.whole for g in splits}
    split_news = {p for g in splits for p in g.parts}
    pairs = [(i, j, e) for i, j, e in pairs if i not in split_olds and j not in split_news]
    merges = find_groups(new, old, {j: i for i, j, _ in pairs}, {i: float(candidates.texts[e]) for i, _, e in pairs},
                         split_olds | pinned_old, split_news | pinned_new, settings)
    merge_news = {g.whole for g in merges}
    merge_olds = {p for g in merges for p in g.parts}
    pairs = [(i, j, e) for i, j, e in pairs if i not in merge_olds and j not in merge_news]

    placed: list[tuple[float, Match]] = []  # (position in the new document, match)
    overlap = owner_overlap_table(owner_sets)
    grouped_old, grouped_new = split_olds | merge_olds, split_news | merge_news
    threshold = settings.match_threshold
    for i, j, e in pairs:
        match = relation(MODIFIED, [i], [j], candidates.scores[e], candidates.contexts[e], old, new, settings)
        margin = float(candidates.scores[e] - runner_up[e])
        placed.append((j, replace(match, confidence=confidence_of_pair(float(candidates.scores[e]), margin, threshold),
                                  reason=f"text and context (margin {max(margin, 0.0):.2f} to the runner-up)")))
    for i, j in sorted(pins):
        score, context = blend(old, new, i, j, _text_score(old, new, i, j), overlap, settings)
        placed.append((j, replace(relation(MODIFIED, [i], [j], score, context, old, new, settings),
                                  confidence=1.0, reason="correction: pinned pair")))
    for g in splits:
        context = group_context(g.whole, g.parts, True, old, new, overlap)
        placed.append((min(g.parts), replace(relation(SPLIT, [g.whole], g.parts, g.coverage, context, old, new,
                                                      settings), **group_confidence(g, threshold))))
    for g in merges:
        context = group_context(g.whole, g.parts, False, old, new, overlap)
        placed.append((g.whole, replace(relation(MERGED, g.parts, [g.whole], g.coverage, context, old, new,
                                                 settings), **group_confidence(g, threshold))))
    paired = [(i, j) for i, j, _ in pairs] + sorted(pins)
    aligned = align_leftovers(old, new, paired, grouped_old, grouped_new, forbids, overlap)
    for i, j, text, reason in aligned:
        score, context = blend(old, new, i, j, text, overlap, settings)
        placed.append((j, replace(relation(MODIFIED, [i], [j], score, context, old, new, settings),
                                  confidence=round(min(ALIGN_CONFIDENCE, text), 3), reason=reason)))
    paired_new = {j for _, j in paired} | {j for _, j, _, _ in aligned}
    paired_old = {i for i, _ in paired} | {i for i, _, _, _ in aligned}
    added = [j for j in range(len(new.items)) if j not in grouped_new and j not in paired_new]
    for j, (i, text) in closest_or_none(added, new, old).items():
        score, context = blend(old, new, i, j, text, overlap, settings)
        placed.append((j, replace(lone(NEW, new.items[j], score, text, context, old.items[i] if text else None),
                                  **lone_confidence(text, threshold))))
    removed = [i for i in range(len(old.items)) if i not in grouped_old and i not in paired_old]
    position_of_old = old_positions(old, [(i, j, 0) for i, j in paired] + [(i, j, 0) for i, j, _, _ in aligned],
                                    splits, merges)
    for i, (j, text) in closest_or_none(removed, old, new).items():
        score, context = blend(old, new, i, j, text, overlap, settings)
        placed.append((position_of_old[i], replace(lone(DROPPED, old.items[i], score, text, context,
                                                        new.items[j] if text else None),
                                                   **lone_confidence(text, threshold))))
    placed.sort(key=lambda p: p[0])
    return tuple(m for _, m in placed)


# --------------------------------------------------------------------------- confidence and alignment


def without_pairs(candidates: Candidates, pins: set[tuple[int, int]], forbids: set[tuple[int, int]]) -> Candidates:
    """The candidates less every forbidden pair and every pair of a pinned item (its partner is fixed)."""
    if not pins and not forbids:
        return candidates
    pinned_old, pinned_new = {i for i, _ in pins}, {j for _, j in pins}
    keep = np.array([(int(i), int(j)) not in forbids and int(i) not in pinned_old and int(j) not in pinned_new
                     for i, j in zip(candidates.rows, candidates.cols)], dtype=bool)
    return Candidates(*(part[keep] for part in (candidates.rows, candidates.cols, candidates.scores,
                                                candidates.texts, candidates.contexts)))


def runner_up_scores(candidates: Candidates) -> np.ndarray:
    """For each candidate pair: the best score either of its items reaches with another item."""
    scores = candidates.scores.astype(np.float64)
    result = np.zeros(len(scores))
    for ids in (candidates.rows, candidates.cols):
        if not len(ids):
            continue
        order = np.lexsort((-scores, ids))  # per item, best first
        sorted_ids, sorted_scores = ids[order], scores[order]
        first = np.searchsorted(sorted_ids, sorted_ids, side="left")
        best = sorted_scores[first]
        second_at = first + 1
        has_second = (second_at < len(order)) & (sorted_ids[np.minimum(second_at, len(order) - 1)] == sorted_ids)
        second = np.where(has_second, sorted_scores[np.minimum(second_at, len(order) - 1)], 0.0)
        # The best other: the runner-up of the item for its best pair, its best for any other.
        other = np.where(np.arange(len(order)) == first, second, best)
        result[order] = np.maximum(result[order], other)
    return result


def confidence_of_pair(score: float, margin: float, threshold: float) -> float:
    """How sure a pair is: half from how far its score lies above the threshold, half from
    its margin to the runner-up (FULL_MARGIN or more: sure).

    >>> confidence_of_pair(1.0, 0.5, 0.55), confidence_of_pair(0.6, 0.01, 0.55)
    (1.0, 0.081)
    """
    above = (score - threshold) / max(1.0 - threshold, 1e-9)
    return round(float(np.clip(0.5 * above + 0.5 * min(max(margin, 0.0) / FULL_MARGIN, 1.0), 0.0, 1.0)), 3)


def lone_confidence(closest_text: float, threshold: float) -> dict[str, Any]:
    """A new or dropped item is sure when nothing on the other side comes near it."""
    return {"confidence": round(float(np.clip(1.0 - closest_text / threshold, 0.0, 1.0)), 3),
            "reason": f"no counterpart (closest text {closest_text:.2f})"}


def group_confidence(group: Group, threshold: float) -> dict[str, Any]:
    above = (group.coverage - threshold) / max(1.0 - threshold, 1e-9)
    return {"confidence": round(float(np.clip(0.5 + 0.5 * above, 0.2, 1.0)), 3),
            "reason": f"parts cover {group.coverage:.2f} of the whole"}


def _text_score(old: Side, new: Side, i: int, j: int) -> float:
    return fuzz.ratio(old.codes[i], new.codes[j]) / 100.0


def align_leftovers(old: Side, new: Side, paired: list[tuple[int, int]], grouped_old: set[int],
                    grouped_new: set[int], forbids: set[tuple[int, int]], overlap: np.ndarray
                    ) -> list[tuple[int, int, float, str]]:
    """Pairs a reader sees among the items the assignment left over, as (old, new, text, reason).

    An old item and a new one that stand between the same two matched neighbours (the
    matched items before and after them on each side) are a likely pair even at a low text
    likeness (ALIGN_TEXT_FLOOR) when more evidence says so: the same section, the same
    owners, a quantity they share, each other's nearest item. Within and across gaps the
    pairs are chosen one-to-one by the same global assignment as the main pass.
    """
    matched_old = sorted(paired)
    taken_old = grouped_old | {a for a, _ in paired}  # built once: inside the loop it made this O(n^2)
    free_old = [i for i in range(len(old.items)) if i not in taken_old]
    taken_new = grouped_new | {b for _, b in paired}
    free_new = sorted(j for j in range(len(new.items)) if j not in taken_new)
    if not free_old or not free_new or not matched_old and len(free_new) > ALIGN_MAX_GAP:
        return []
    anchors_old = [a for a, _ in matched_old]
    anchors_new = [b for _, b in matched_old]
    pairs: list[tuple[int, int]] = []
    for i in free_old:
        k = np.searchsorted(anchors_old, i)
        low = anchors_new[k - 1] if k > 0 else -1
        high = anchors_new[k] if k < len(anchors_new) else len(new.items)
        if high <= low:
            continue  # the neighbours crossed: no gap to search
        start, end = np.searchsorted(free_new, low, side="right"), np.searchsorted(free_new, high, side="left")
        if 0 < end - start <= ALIGN_MAX_GAP:
            pairs.extend((i, free_new[t]) for t in range(start, end) if (i, free_new[t]) not in forbids)
    if not pairs:
        return []
    rows = np.array([i for i, _ in pairs])
    cols = np.array([j for _, j in pairs])
    texts = process.cpdist([old.codes[i] for i in rows], [new.codes[j] for j in cols], scorer=fuzz.ratio,
                           dtype=np.uint8, workers=THREADS) / 100.0
    nearest_old = _best_of_each(rows, cols, texts)
    nearest_new = _best_of_each(cols, rows, texts)
    evidence: list[list[str]] = []
    for i, j in pairs:
        found = []
        if nearest_old[i] == j and nearest_new[j] == i:
            found.append("mutual nearest")
        if old.sections[i] == new.sections[j] and section_key(old.items[i]):
            found.append("same section")
        if old.owner_sets[i] == new.owner_sets[j] and old.items[i].owners:
            found.append("same owners")
        if _shared_quantities(old.items[i], new.items[j]):
            found.append("a quantity they share")
        evidence.append(found)
    strength = np.array([len(found) for found in evidence], dtype=np.float64)
    usable = (texts >= ALIGN_TEXT_FLOOR) & (strength >= 2)
    if not usable.any():
        return []
    candidates = Candidates(rows[usable], cols[usable], texts[usable] + 0.05 * strength[usable],
                            texts[usable], np.zeros(int(usable.sum())))
    chosen = assign(len(old.items), len(new.items), candidates, ALIGN_TEXT_FLOOR)
    index = np.flatnonzero(usable)
    result = []
    for i, j, e in chosen:
        found = evidence[index[e]]
        if found[0] == "mutual nearest":  # "mutual nearest between matched neighbours, same section"
            reason = ", ".join(["mutual nearest between matched neighbours", *found[1:]])
        else:
            reason = "between matched neighbours: " + ", ".join(found)
        result.append((i, j, float(texts[index[e]]), reason))
    return result


def _best_of_each(ids: np.ndarray, others: np.ndarray, scores: np.ndarray) -> dict[int, int]:
    """For each id: the other with the best score (first in order among equals).

    >>> _best_of_each(np.array([0, 0, 1]), np.array([5, 6, 5]), np.array([0.2, 0.9, 0.4]))
    {0: 6, 1: 5}
    """
    order = np.lexsort((-scores, ids))
    first = np.flatnonzero(np.r_[True, ids[order][1:] != ids[order][:-1]])
    return {int(ids[order[k]]): int(others[order[k]]) for k in first}


def _shared_quantities(old: Commitment, new: Commitment) -> bool:
    """Do two items name a quantity of the same kind and value ("40 woningen", "€ 25.000")? Years aside."""
    values = {(q.kind, q.value) for q in old.quantities if q.kind not in ("year", "date") and q.value is not None}
    return any((q.kind, q.value) in values for q in new.quantities)


def closest_or_none(items: Sequence[int], side: Side, other: Side) -> dict[int, tuple[int | None, float]]:
    """closest_counterparts, with (None, 0.0) when the other year is empty."""
    found = closest_counterparts(items, side, other)
    return {i: found.get(i, (None, 0.0)) for i in items}


def blend(old: Side, new: Side, i: int | None, j: int | None, text: float, overlap: np.ndarray,
          settings: Settings) -> tuple[float, float]:
    """(score, context) of one old/new pair, as the assignment would see it."""
    if i is None or j is None:
        return 0.0, 0.0
    context = pair_context(old, new, i, j, overlap)
    return (1.0 - settings.context_weight) * text + settings.context_weight * context, context


def old_positions(old: Side, pairs: list[tuple[int, int, int]], splits: list[Group],
                  merges: list[Group]) -> list[float]:
    """Where each old item sits in the new document: a dropped item goes just after the new
    position of the old item before it, so the report reads in order."""
    known: dict[int, float] = {i: j for i, j, _ in pairs}
    known.update({g.whole: min(g.parts) for g in splits})
    known.update({p: g.whole for g in merges for p in g.parts})
    positions, anchor, run = [], -1.0, 0
    for i in range(len(old.items)):
        if i in known:
            anchor, run = known[i], 0
            positions.append(anchor)
        else:
            run += 1  # after its predecessor, before the next new item, in old order
            positions.append(anchor + 0.5 + run * 1e-4)
    return positions
