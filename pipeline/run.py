"""The stages in order. A reader of this file sees the whole pipeline.

    path -> read_document (ingest + normalize) -> find_parties -> outline
         -> find_commitments -> attribute_owners -> quantities -> Extraction
         -> correct_extraction (corrections.csv: owners, theme, not a commitment)
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.commitments import Sentences, find_commitments, where
from pipeline.confidence import confidence_of, issue_evidence
from pipeline.corrections import Corrections, correct_extraction
from pipeline.errors import AgreementError, NoCommitmentsError
from pipeline.ingest import read_document, unique_ids
from pipeline.nlp import UNUSED_BY_STAGES
from pipeline.outline import outline
from pipeline.parties import PartyRegister, attribute_owners
from pipeline.party_list import find_parties
from pipeline.period import Period, agreement_period
from pipeline.quantities import quantities_from_doc
from pipeline.settings import Settings
from pipeline.types import OWNER_NONE, Commitment, Document, Extraction, Issue
from pipeline.verbs import VerbLexicon


def extract_document(path: Path | str, settings: Settings, nlp: Language,
                     doc_id: str | None = None) -> Extraction:
    """Read one agreement and extract its parties and numbered commitments.

    Raises an AgreementError subclass (naming the file) when the input is unusable.
    """
    return extract_read(read_document(path, settings, doc_id), nlp)


def extract_read(document: Document, nlp: Language) -> Extraction:
    """The stages after reading: parties and numbered commitments of a read document
    (pipeline.batch reads some documents while the spaCy pipeline loads).

    Raises NoCommitmentsError when the document has no numbered commitments.
    """
    parties, party_issues = find_parties(document, nlp)
    register = PartyRegister(parties, nlp)
    placed = outline(document, register)
    commitments, issues = find_commitments(document.id, placed, Sentences(VerbLexicon.of(nlp), register))
    if not commitments:
        raise NoCommitmentsError(document.path, "no numbered commitments found "
                                 "(expected paragraphs such as '12. De gemeente ...')")
    period = agreement_period(document)
    # One nlp.pipe over every text: spaCy batches far better than one call per commitment.
    docs = nlp.pipe((c.text for c in commitments), disable=UNUSED_BY_STAGES)
    commitments = tuple(enrich(c, doc, register, period) for c, doc in zip(commitments, docs))
    issues = document.issues + party_issues + issues + tuple(owner_issues(commitments))
    commitments = with_confidence(commitments, issues)
    return Extraction(document=document, year=period.year, parties=parties, commitments=commitments,
                      issues=issues, period_start=period.start, period_end=period.end)


def enrich(commitment: Commitment, doc: Doc, register: PartyRegister, period: Period) -> Commitment:
    """Year, period, owners, actors and quantities of one commitment; `doc` is its parsed text."""
    lead_in_owners = register.lead_in_owners(commitment.lead_in) if commitment.lead_in else ()
    commitment = attribute_owners(commitment, register, doc, lead_in_owners)
    return replace(commitment, year=period.year, period_start=period.start, period_end=period.end,
                   quantities=quantities_from_doc(doc))


def with_confidence(commitments: tuple[Commitment, ...], issues: tuple[Issue, ...]) -> tuple[Commitment, ...]:
    """Each commitment with how sure its extraction is (pipeline/confidence.py)."""
    numbering, ocr_pages = issue_evidence(issues)
    return tuple(replace(c, confidence=value, doubts=doubts) for c in commitments
                 for value, doubts in [confidence_of(c, numbering, ocr_pages)])


def owner_issues(commitments: tuple[Commitment, ...]):
    for commitment in commitments:
        if commitment.owner_source == OWNER_NONE:
            yield Issue(commitment.document, "no-owner",
                        f"commitment {commitment.number} names no owning party "
                        "(no owner heading, no party in its text)", where(commitment), commitment.key)



def extract_many(paths: list[Path], settings: Settings, nlp: Language, corrections: Corrections = Corrections()
                 ) -> tuple[list[Extraction], list[AgreementError]]:
    """Extract every input and apply its corrections (pipeline/corrections.py); a bad file
    becomes an error in the list and the rest goes on."""
    extractions, errors = [], []
    for path, doc_id in zip(paths, unique_ids(paths)):
        try:
            extractions.append(correct_extraction(extract_document(path, settings, nlp, doc_id), corrections))
        except AgreementError as error:
            errors.append(error)
    return extractions, errors
