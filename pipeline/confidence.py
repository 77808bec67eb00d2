"""How sure the extraction of one commitment is, and why not more.

A commitment read from a table's owner column, with a printed number in a clean run, from a
text layer, is as sure as extraction gets (1.0). Each doubt multiplies it down:

    owner from the heading above it          x 0.9
    owner from the sentence subject          x 0.75
    owner from the lead-in of its list       x 0.7
    no owner found                           x 0.3
    a number the document does not print    x 0.9   (a row of a table without numbers)
    a numbering gap, step back or repeat     x 0.7
    its page was read by OCR                 x 0.85

    >>> from pipeline.types import Commitment, Section
    >>> confidence_of(Commitment("d", "12", "12", "De gemeente ...", Section(), owner_source="text"), set(), set())
    (0.75, ('owner from the sentence subject',))

The review queue (review.csv, the "Te controleren" sheet) lists the least sure first.
"""

from __future__ import annotations

from collections.abc import Iterable

from pipeline.types import (
    OWNER_FROM_COLUMN, OWNER_FROM_CORRECTION, OWNER_FROM_HEADING, OWNER_FROM_LEAD_IN, OWNER_FROM_TEXT, OWNER_NONE,
    Commitment, Issue, is_unprinted,
)

OWNER_CERTAINTY = {
    OWNER_FROM_COLUMN: (1.0, None),
    OWNER_FROM_CORRECTION: (1.0, None),
    OWNER_FROM_HEADING: (0.9, "owner from the heading above it"),
    OWNER_FROM_TEXT: (0.75, "owner from the sentence subject"),
    OWNER_FROM_LEAD_IN: (0.7, "owner from the lead-in of its list"),
    OWNER_NONE: (0.3, "no owner found"),
}
UNPRINTED_NUMBER = 0.9
NUMBERING_ISSUE = 0.7
OCR_PAGE = 0.85
NUMBERING_ISSUES = ("numbering-gap", "numbering-backwards", "repeated-number")


def confidence_of(commitment: Commitment, keys_with_numbering_issues: set[str],
                  ocr_pages: set[int]) -> tuple[float, tuple[str, ...]]:
    """(confidence 0-1, doubts) of one commitment."""
    value, doubts = 1.0, []
    owner, doubt = OWNER_CERTAINTY.get(commitment.owner_source, (0.5, f"owner from {commitment.owner_source}"))
    value *= owner
    if doubt:
        doubts.append(doubt)
    if is_unprinted(commitment.number):
        value *= UNPRINTED_NUMBER
        doubts.append("number not printed (a table row)")
    if commitment.key in keys_with_numbering_issues:
        value *= NUMBERING_ISSUE
        doubts.append("numbering gap, step back or repeat")
    if commitment.page is not None and commitment.page in ocr_pages:
        value *= OCR_PAGE
        doubts.append("read by OCR")
    return round(value, 3), tuple(doubts)


def issue_evidence(issues: Iterable[Issue]) -> tuple[set[str], set[int]]:
    """(keys with a numbering issue, pages read by OCR) from a document's issues: what
    `confidence_of` needs besides the commitment itself.

    >>> issue_evidence([Issue("d", "numbering-gap", "...", "line 9", "12"), Issue("d", "ocr", "...", "page 3")])
    ({'12'}, {3})
    """
    numbering, ocr_pages = set(), set()
    for issue in issues:
        if issue.kind in NUMBERING_ISSUES and issue.key:
            numbering.add(issue.key)
        elif issue.kind == "ocr" and issue.where.startswith("page ") and issue.where.split()[-1].isdigit():
            ocr_pages.add(int(issue.where.split()[-1]))
    return numbering, ocr_pages
