"""corrections.csv: what a reviewer says the tool got wrong, re-applied on every run.

One row per correction, keyed by document and key, with the hash of the commitment's text
so a correction made for one wording is never applied to another:

    action,document,key,text_hash,value,new_document,new_key,new_text_hash,note
    pin,aa-en-hunze-2021,9,ce7db9044fad,,aa-en-hunze-2022,10,731fe821ff0b,follow-up of the same afspraak
    forbid,aa-en-hunze-2021,30,96b54830405e,,aa-en-hunze-2022,32,9b7546e103c6,
    owners,aa-en-hunze-2022,12,b110cc25fb1d,De Volmacht,,,,
    theme,aa-en-hunze-2022,12,b110cc25fb1d,4.2 Beschikbaarheid,,,,
    not-a-commitment,aa-en-hunze-2022,76,bb4402dc9149,,,,,an outlook rather than an afspraak

| action | what it does |
| --- | --- |
| `pin` | the old commitment (document, key) and the new one (new_document, new_key) are one afspraak: the diff pairs them whatever the scores say (Match reason "correction: pinned pair") |
| `forbid` | they are not: the diff never pairs them (the relations of both say "correction: not paired with ...") |
| `owners` | the owners are `value` ("; "-separated short names of the document's parties); owner_source becomes `correction` |
| `theme` | the theme is `value` |
| `not-a-commitment` | the row is dropped from the commitments; issues.csv keeps a `not-a-commitment` row saying so |

`text_hash` is the commitment's `text_hash` column in commitments.csv (and review.csv): the
first 12 hex digits of the SHA-256 of its text, Unicode NFKC, case-folded, white space as
single spaces (`text_hash`). When the text at that key changed, or the key is gone, the
correction is stale: it is not applied and issues.csv gets a `stale-correction` row. A
corrected commitment lists what was corrected in its `corrected` column.

    corrections = read_corrections(Path("inputs/corrections.csv"))
    extraction = correct_extraction(extraction, corrections)            # owners, theme, removals
    pair, issues = pair_corrections(corrections, old_extraction, new_extraction)   # pins, forbids

Only the standard library: pipeline.batch imports this before any heavy module.
"""

from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.confidence import confidence_of, issue_evidence
from pipeline.errors import AgreementError
from pipeline.types import OWNER_FROM_CORRECTION, Extraction, Issue

CORRECTIONS_NAME = "corrections.csv"  # picked up from the inputs folder when --corrections is not given
PIN, FORBID, OWNERS, THEME, NOT_A_COMMITMENT = "pin", "forbid", "owners", "theme", "not-a-commitment"
ACTIONS = (PIN, FORBID, OWNERS, THEME, NOT_A_COMMITMENT)
PAIR_ACTIONS = (PIN, FORBID)
REQUIRED_COLUMNS = ("action", "document", "key", "text_hash")
COLUMNS = (*REQUIRED_COLUMNS, "value", "new_document", "new_key", "new_text_hash", "note")
HASH_LENGTH = 12  # hex digits of text_hash; a longer prefix of the SHA-256 (up to 64) is accepted too
MIN_HASH_LENGTH = 8

# Issue kinds (rows of issues.csv).
STALE = "stale-correction"  # the text at that key changed, or the key is gone: not applied
BAD = "bad-correction"  # cannot be applied as written (an owner that is no party, a second pin)
UNMATCHED = "correction-unmatched"  # names a document the batch does not have, or two it does not compare
REMOVED = "not-a-commitment"  # a row the corrections took out of the commitments
CORRECTION_ISSUES = (STALE, BAD, UNMATCHED, REMOVED)

_HEX = re.compile(r"[0-9a-f]+")


def text_hash(text: str) -> str:
    """The hash a correction names a commitment's text by: 12 hex digits of the SHA-256 of
    the text, NFKC, case-folded, runs of white space as one space.

    >>> text_hash("De gemeente  bouwt\\n40 woningen.") == text_hash("de gemeente bouwt 40 woningen.")
    True
    >>> len(text_hash("x"))
    12
    """
    return _full_hash(text)[:HASH_LENGTH]


def _full_hash(text: str) -> str:
    normal = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()


def hash_fits(expected: str, text: str) -> bool:
    """Does the hash a correction gives still fit the text (a prefix of its SHA-256)?"""
    return _full_hash(text).startswith(expected)


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Correction:
    """One row of corrections.csv; `line` is its line in the file (for messages)."""

    line: int
    action: str  # pin | forbid | owners | theme | not-a-commitment
    document: str
    key: str
    text_hash: str
    value: str = ""  # owners ("Woonborg; De Volmacht") or theme
    new_document: str = ""  # pin / forbid: the commitment of the later year
    new_key: str = ""
    new_text_hash: str = ""
    note: str = ""
    origin: str = CORRECTIONS_NAME  # the file's name, for messages

    @property
    def where(self) -> str:
        """"corrections.csv line 3"."""
        return f"{self.origin} line {self.line}"

    @property
    def owners(self) -> tuple[str, ...]:
        return tuple(o.strip() for o in self.value.split(";") if o.strip())


@dataclass(frozen=True)
class Corrections:
    """Every correction of a run, and a digest of the files they came from (for cache keys)."""

    rows: tuple[Correction, ...] = ()
    digest: str = ""  # SHA-256 of the files' bytes; "" without corrections

    def __bool__(self) -> bool:
        return bool(self.rows)

    def of_document(self, document: str) -> tuple[Correction, ...]:
        """The owners, theme and not-a-commitment rows of one document."""
        return tuple(c for c in self.rows if c.action not in PAIR_ACTIONS and c.document == document)

    def of_pair(self, old: str, new: str) -> tuple[Correction, ...]:
        """The pin and forbid rows from document `old` to document `new`."""
        return tuple(c for c in self.rows if c.action in PAIR_ACTIONS and c.document == old and c.new_document == new)

    def fingerprint(self, old: str, new: str) -> str:
        """A hash of the rows a diff from document `old` to `new` depends on (the owners,
        theme and not-a-commitment rows of either, the pins and forbids between them); ""
        when there are none.

        >>> Corrections().fingerprint("a-2021", "a-2022")
        ''
        """
        named = self.of_document(old) + self.of_document(new) + self.of_pair(old, new)
        if not named:
            return ""
        text = repr([(c.action, c.document, c.key, c.text_hash, c.value, c.new_document, c.new_key,
                      c.new_text_hash) for c in named])
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def __add__(self, other: Corrections) -> Corrections:
        digest = hashlib.sha256(f"{self.digest}|{other.digest}".encode()).hexdigest() if self and other else \
            self.digest or other.digest
        return Corrections(self.rows + other.rows, digest)


@dataclass(frozen=True)
class PairCorrections:
    """The pins and forbids of one compared pair that still fit both documents, as
    (old key, new key); what pipeline.matching.match_commitments takes."""

    pins: tuple[tuple[str, str], ...] = ()
    forbids: tuple[tuple[str, str], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.pins or self.forbids)


# --------------------------------------------------------------------------- reading


def read_corrections(path: Path) -> Corrections:
    """corrections.csv as Correction records.

    Raises AgreementError (naming the file and the line) for a file that cannot be read, a
    missing column, an unknown action, an empty or malformed hash, or a row that lacks what
    its action needs; empty lines are skipped.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise AgreementError(path, f"corrections cannot be read ({error.strerror})") from error
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise AgreementError(path, "corrections must be a UTF-8 CSV file") from error
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise AgreementError(path, f"corrections lack the column(s) {', '.join(missing)}; "
                                   f"expected a CSV header {','.join(COLUMNS)}")
    rows = []
    for row in reader:
        line = reader.line_num  # the file's own line: empty lines and quoted line breaks counted
        cells = {name: (row.get(name) or "").strip() for name in COLUMNS}
        if not any(cells.values()):
            continue
        rows.append(_correction(path, line, cells))
    return Corrections(tuple(rows), hashlib.sha256(data).hexdigest())


def _correction(path: Path, line: int, cells: dict[str, str]) -> Correction:
    action = cells["action"].lower()
    if action not in ACTIONS:
        raise AgreementError(path, f"line {line}: action must be one of {', '.join(ACTIONS)}, not {cells['action']!r}")
    for name in ("document", "key"):
        if not cells[name]:
            raise AgreementError(path, f"line {line}: {name} is empty")
    needs = ["text_hash"] + (["new_document", "new_key", "new_text_hash"] if action in PAIR_ACTIONS else [])
    for name in needs:
        if not cells[name]:
            raise AgreementError(path, f"line {line}: {name} is empty; copy it from the text_hash column "
                                       "of commitments.csv or review.csv" if "hash" in name else
                                       f"line {line}: {name} is empty ({action} names two commitments)")
        if "hash" in name:
            cells[name] = cells[name].lower()
            if not (MIN_HASH_LENGTH <= len(cells[name]) <= 64 and _HEX.fullmatch(cells[name])):
                raise AgreementError(path, f"line {line}: {name} must be hex digits (the text_hash column), "
                                           f"not {cells[name]!r}")
    if action in (OWNERS, THEME) and not cells["value"]:
        raise AgreementError(path, f"line {line}: value is empty (the {action} to set)")
    return Correction(line, action, cells["document"], cells["key"], cells["text_hash"], cells["value"],
                      cells["new_document"], cells["new_key"], cells["new_text_hash"], cells["note"], path.name)


def find_corrections(folders: Iterable[Path]) -> Corrections:
    """corrections.csv of each folder that has one (each read once), combined; none is no correction."""
    found = Corrections()
    for folder in dict.fromkeys(Path(f).resolve() for f in folders):
        if (folder / CORRECTIONS_NAME).is_file():
            found = found + read_corrections(folder / CORRECTIONS_NAME)
    return found


# --------------------------------------------------------------------------- applying


def correct_extraction(extraction: Extraction, corrections: Corrections) -> Extraction:
    """The extraction with the owners, theme and not-a-commitment corrections of its document
    applied; each one that no longer fits becomes an issue instead (`stale-correction`,
    `bad-correction`), each removed row a `not-a-commitment` issue.

    A corrected commitment lists the corrected fields in `corrected`; corrected owners have
    owner_source "correction" and the confidence that gives (its "no-owner" issue goes). A
    removed row takes the issues about it along.

        owners,aa-en-hunze-2021,63,<its text_hash>,de gemeente
        -> commitment 63: owners ("de gemeente",), owner_source "correction", corrected ("owners",)
    """
    rows = corrections.of_document(extraction.document.id)
    if not rows:
        return extraction
    document = extraction.document.id
    at = {c.key: i for i, c in enumerate(extraction.commitments)}
    commitments = list(extraction.commitments)
    issues: list[Issue] = []
    removed: set[str] = set()
    owners_set: set[str] = set()
    for correction in rows:
        index = at.get(correction.key)
        problem = _stale(correction, None if index is None else commitments[index].text)
        if problem:
            issues.append(Issue(document, STALE, problem, correction.where, correction.key))
            continue
        commitment = commitments[index]
        if correction.action == NOT_A_COMMITMENT:
            removed.add(commitment.key)
            issues.append(Issue(document, REMOVED, f"row {commitment.key} is not a commitment ({correction.where}"
                                + (f": {correction.note})" if correction.note else ")"),
                                correction.where, commitment.key))
        elif correction.action == OWNERS:
            owners, unknown = _party_names(extraction, correction.owners)
            if unknown:
                issues.append(Issue(document, BAD, f"{correction.where} names {', '.join(map(repr, unknown))}, "
                                    f"no party of {document} (its parties: {_party_list(extraction)}); not applied",
                                    correction.where, correction.key))
                continue
            owners_set.add(commitment.key)
            commitments[index] = replace(commitment, owners=owners, owner_source=OWNER_FROM_CORRECTION,
                                         corrected=_with(commitment.corrected, OWNERS))
        elif correction.action == THEME:
            commitments[index] = replace(commitment, section=replace(commitment.section, theme=correction.value),
                                         corrected=_with(commitment.corrected, THEME))
    kept_issues = tuple(i for i in extraction.issues
                        if i.key not in removed and not (i.kind == "no-owner" and i.key in owners_set))
    numbering, ocr_pages = issue_evidence(kept_issues)
    commitments = [c if c.key not in owners_set else
                   replace(c, **dict(zip(("confidence", "doubts"), confidence_of(c, numbering, ocr_pages))))
                   for c in commitments if c.key not in removed]
    return replace(extraction, commitments=tuple(commitments), issues=kept_issues + tuple(issues))


def pair_corrections(corrections: Corrections, old: Extraction, new: Extraction
                     ) -> tuple[PairCorrections, tuple[Issue, ...]]:
    """The pins and forbids from `old` to `new` that fit both (corrected) extractions, and an
    issue for each that does not: a text changed or a key gone (`stale-correction`), or a
    second pin of a commitment already pinned (`bad-correction`)."""
    rows = corrections.of_pair(old.document.id, new.document.id)
    if not rows:
        return PairCorrections(), ()
    old_texts = {c.key: c.text for c in old.commitments}
    new_texts = {c.key: c.text for c in new.commitments}
    pins: list[tuple[str, str]] = []
    forbids: list[tuple[str, str]] = []
    issues: list[Issue] = []
    for correction in rows:
        problem = _stale(correction, old_texts.get(correction.key)) or _stale(
            correction, new_texts.get(correction.new_key), new_side=True)
        if problem:
            issues.append(Issue(correction.document, STALE, problem, correction.where, correction.key))
            continue
        pair = (correction.key, correction.new_key)
        if correction.action == FORBID:
            forbids.append(pair)
            continue
        clash = next((p for p in pins if p[0] == pair[0] or p[1] == pair[1]), None)
        if clash:
            issues.append(Issue(correction.document, BAD, f"{correction.where} pins {pair[0]} → {pair[1]}, but "
                                f"{clash[0]} → {clash[1]} is pinned already; not applied",
                                correction.where, correction.key))
            continue
        pins.append(pair)
    forbids = [f for f in forbids if f not in pins]
    return PairCorrections(tuple(pins), tuple(forbids)), tuple(issues)


def _stale(correction: Correction, text: str | None, new_side: bool = False) -> str | None:
    """Why a correction no longer fits the commitment it names, or None when it does."""
    document, key, expected = ((correction.new_document, correction.new_key, correction.new_text_hash) if new_side
                               else (correction.document, correction.key, correction.text_hash))
    if text is None:
        return f"{correction.where} ({correction.action}): {document} has no commitment {key}; not applied"
    if not hash_fits(expected, text):
        return (f"{correction.where} ({correction.action}): the text of {document} {key} changed (its text_hash is "
                f"now {text_hash(text)}, the correction expects {expected}); not applied, check and update it")
    return None


def _with(values: tuple[str, ...], name: str) -> tuple[str, ...]:
    return values if name in values else values + (name,)


def _party_names(extraction: Extraction, names: Sequence[str]) -> tuple[tuple[str, ...], list[str]]:
    """Owner names as the document's party short names, and those that are no party; with
    no parties known every name is taken as written."""
    if not extraction.parties:
        return tuple(names), []
    spelled = {}
    for party in extraction.parties:
        for spelling in (party.short_name, party.name, *party.aliases):
            if spelling:
                spelled.setdefault(spelling.casefold(), party.short_name or party.name)
    found = [spelled.get(name.casefold()) for name in names]
    return tuple(dict.fromkeys(f for f in found if f)), [n for n, f in zip(names, found) if not f]


def _party_list(extraction: Extraction) -> str:
    return ", ".join(p.short_name or p.name for p in extraction.parties)


def forbid_notes(matches: Sequence, pair: PairCorrections) -> tuple:
    """The matches with "correction: not paired with ..." before the reason of each relation
    holding an item of a forbidden pair, so the table says why they stand apart.

    Works on pipeline.matching.Match records (old_keys, new_keys, reason).
    """
    if not pair.forbids:
        return tuple(matches)
    notes: dict[tuple[str, str], list[str]] = {}
    for old_key, new_key in pair.forbids:
        notes.setdefault(("old", old_key), []).append(f"new {new_key}")
        notes.setdefault(("new", new_key), []).append(f"old {old_key}")
    out = []
    for m in matches:
        said = [n for k in m.old_keys for n in notes.get(("old", k), [])] + \
               [n for k in m.new_keys for n in notes.get(("new", k), [])]
        out.append(replace(m, reason=f"correction: not paired with {', '.join(said)}; {m.reason}") if said else m)
    return tuple(out)


def forbidden_in_groups(matches: Sequence, pair: PairCorrections, old_document: str) -> tuple[Issue, ...]:
    """A forbid is obeyed between one-to-one pairs; one whose two items ended up in one split
    or merge is reported (`bad-correction`): pin the parts one by one instead.

    `matches` are Match records or their rows (pipeline.matching.match_rows).
    """
    issues = []
    for m in matches:
        get = m.get if isinstance(m, Mapping) else lambda name, m=m: getattr(m, name)
        old_keys, new_keys = tuple(get("old_keys") or ()), tuple(get("new_keys") or ())
        if len(old_keys) + len(new_keys) <= 2:
            continue
        for old_key, new_key in pair.forbids:
            if old_key in old_keys and new_key in new_keys:
                issues.append(Issue(old_document, BAD, f"forbid {old_key} → {new_key}: both are in one "
                                    f"{get('status')} relation, which a forbid does not undo", "", old_key))
    return tuple(issues)


def unmatched_corrections(corrections: Corrections, documents: Iterable[str],
                          compared: Iterable[tuple[str, str]]) -> tuple[Issue, ...]:
    """Rows naming a document the batch did not read, and pins or forbids between two
    documents it does not compare (not consecutive in one series): `correction-unmatched`."""
    documents, compared = set(documents), set(compared)
    issues = []
    for c in corrections.rows:
        if c.document not in documents or (c.action in PAIR_ACTIONS and c.new_document not in documents):
            gone = c.document if c.document not in documents else c.new_document
            issues.append(Issue("", UNMATCHED, f"{c.where} ({c.action}) names {gone}, which is not among the documents",
                                c.where))
        elif c.action in PAIR_ACTIONS and (c.document, c.new_document) not in compared:
            issues.append(Issue("", UNMATCHED, f"{c.where} ({c.action}) pairs {c.document} with {c.new_document}, "
                                "which are not compared (consecutive years of one series)", c.where))
    return tuple(issues)
