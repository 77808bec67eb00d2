"""The review queue: what a person should look at first, least sure first.

Two kinds of row share one list (review.csv, and the "Te controleren" sheet of monitor.xlsx):

    kind        confidence                     why
    commitment  the extraction's (confidence)  its doubts: "no owner found", "read by OCR", ...
    match       the relation's (matching)      its reason: "no counterpart (closest text 0.48)", ...

Rows below REVIEW_BELOW are listed, ordered by confidence (ties: relations before
commitments, then document order). Each row carries the text hashes a correction needs
(pipeline/corrections.py), so a reviewer copies the keys and hashes of a row into
corrections.csv.

    rows = review_queue(commitment_items(extraction.commitments) + match_items(match_rows(matches), old, new))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pipeline.corrections import text_hash
from pipeline.types import Commitment, Extraction

# Below this a row is listed: a commitment whose owner comes from nowhere (0.3) or whose
# number is doubtful (x 0.7), a relation with a thin margin or a near counterpart; an owner
# read from the sentence subject alone (0.75) is not.
REVIEW_BELOW = 0.7
COMMITMENT, MATCH = "commitment", "match"
# A relation a correction decided (pinned, or apart by a forbid) has been looked at: not listed.
DECIDED = "correction:"
REVIEW_COLUMNS = [
    "rank", "confidence", "kind", "status", "why", "document", "key", "number", "text_hash",
    "old_document", "old_key", "old_text_hash", "new_document", "new_key", "new_text_hash",
    "text", "old_text", "new_text",
]
_KIND_ORDER = {MATCH: 0, COMMITMENT: 1}


def commitment_items(commitments: Iterable[Commitment], below: float = REVIEW_BELOW,
                     extra: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """A review row for each commitment less sure than `below`.

    >>> from pipeline.types import Section
    >>> [row] = commitment_items([Commitment("d", "12", "12", "De gemeente ...", Section(),
    ...                                      confidence=0.3, doubts=("no owner found",))])
    >>> row["kind"], row["why"], row["key"]
    ('commitment', 'no owner found', '12')
    """
    return [{"confidence": c.confidence, "kind": COMMITMENT, "status": None, "why": "; ".join(c.doubts),
             "document": c.document, "key": c.key, "number": c.number, "text_hash": text_hash(c.text),
             "text": c.text, **(extra or {})}
            for c in commitments if c.confidence < below]


def match_items(rows: Iterable[Mapping[str, Any]], old: Extraction, new: Extraction,
                below: float = REVIEW_BELOW, extra: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """A review row for each relation (a pipeline.matching.match_rows row) less sure than
    `below` and not decided by a correction, with the text hashes of both sides."""
    old_texts = {c.key: c.text for c in old.commitments}
    new_texts = {c.key: c.text for c in new.commitments}
    items = []
    for row in rows:
        confidence = row.get("confidence")
        if confidence is None or confidence >= below or str(row.get("reason") or "").startswith(DECIDED):
            continue
        old_keys, new_keys = list(row.get("old_keys") or ()), list(row.get("new_keys") or ())
        items.append({
            "confidence": confidence, "kind": MATCH, "status": row.get("status"), "why": row.get("reason"),
            "old_document": old.document.id if old_keys else None, "old_key": "; ".join(old_keys) or None,
            "old_text_hash": _hashes(old_keys, old_texts),
            "new_document": new.document.id if new_keys else None, "new_key": "; ".join(new_keys) or None,
            "new_text_hash": _hashes(new_keys, new_texts),
            "old_text": row.get("old_text"), "new_text": row.get("new_text"), **(extra or {})})
    return items


def _hashes(keys: Sequence[str], texts: Mapping[str, str]) -> str | None:
    return "; ".join(text_hash(texts[k]) for k in keys if k in texts) or None


def review_queue(items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The rows least sure first (relations before commitments at equal confidence, else
    in the order given), numbered by `rank` from 1.

    >>> [r["rank"] for r in review_queue([{"confidence": 0.5, "kind": "match"}, {"confidence": 0.2, "kind": "match"}])]
    [1, 2]
    >>> [r["confidence"] for r in review_queue([{"confidence": 0.5, "kind": "match"}, {"confidence": 0.2, "kind": "match"}])]
    [0.2, 0.5]
    """
    ordered = sorted(items, key=lambda r: (r["confidence"], _KIND_ORDER.get(r.get("kind"), 2)))
    return [{**row, "rank": n} for n, row in enumerate(ordered, start=1)]
