"""The development corpus: agreements the pipeline's own tests were not written from.

tests/corpus/ holds small agreements of fictional municipalities, written the way the
policy officers of many municipalities write them: each a fixture text NAME.txt
(tests/render/corpus_source.py explains its markup) and the labels NAME.json a careful
reader would type into a spreadsheet:

    formats          renderings to read, with render options (tests/render/corpus.py)
    families         the forms of the genre it shows (FAMILIES below)
    parties          name as printed, defined short name (null: none), role;
    parties_from     "definitions" (the preamble defines them) or "fallback" (only the
                     title, signatures or an owner column name them)
    year, period_start, period_end
    commitments      in document order: number (clean: "3.2", "B1"; null when a table
                     row prints none), printed ("Afspraak 3.2", "12.", "a)"), starts (the
                     first words after the label), owners, horizon, theme
    not_commitments  fragments of numbered lines that are no commitment

Owners follow the project's convention: the owner column or a "Trekker: X" line; else
the nearest heading that names parties ("Gezamenlijke afspraken": all); else the
sentence subject ("partijen", "we": all; "de corporaties": every corporation); else the
lead-in. Outlooks ("Doorkijk naar 2026 en verder", "Vooruitblik") have horizon outlook.

Every document is rendered once per session in each of its formats, extracted with
`pipeline.run.extract_document`, and the whole corpus is scored against the bar of
issue 10: every party found (role, and name or short name) with its short name, the
year right, every commitment found (by its first words), no row that is not a
labelled commitment, no party the document does not have, owners right for at least
98% of the found commitments. A failure prints a table per document and format, a
summary per format and per family, and the first misses of each kind;
tests/artifacts/corpus-report.txt keeps that report, corpus-report.json every miss.

Beside the bar: the clean numbers, the themes and horizons, the printed labels and the
periods (these two skip, saying why, while the pipeline has no field for them); and,
without extracting anything, that the labels describe their document (every opening,
theme and fragment in it, in order) and that each rendering shows what its families
claim (w:ins and w:del for tracked changes, a landscape page, a scan without text).
"""

from __future__ import annotations

import json
import multiprocessing
import re
import unicodedata
import zipfile
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from rapidfuzz import fuzz

from pipeline.errors import AgreementError
from pipeline.ingest import ocr
from pipeline.run import extract_document
from pipeline.settings import DEFAULT_OCR_LANGUAGE
from pipeline.types import is_unprinted
from tests.render.corpus import FORMATS, render_corpus
from tests.render.corpus_docx import render_corpus_docx
from tests.render.corpus_source import CORPUS, corpus_document, corpus_text

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
REPORT = ARTIFACTS / "corpus-report.txt"
OWNER_ACCURACY_BAR = 0.98
MATCH_RATIO = 90  # fuzzy match of a label's first words (OCR misreads a letter now and then)
PDF_FORMATS = ("pdf", "libreoffice-pdf")
MIN_PAGES, MAX_PAGES = 1, 3
ROLES = ("gemeente", "corporatie", "huurdersorganisatie")
# Where a Commitment may keep its label as printed ("Afspraak 3.2") beside the clean number.
PRINTED_ATTRIBUTES = ("printed", "label", "printed_number")

# Each family must be shown by at least two documents, each in its own wording.
FAMILIES = {
    # parties
    "parties-numbered": "party list numbered 1., 2., ...",
    "parties-unnumbered": "party list without numbers",
    "hierna-te-noemen": "'hierna te noemen: X'",
    "hierna-colon": "'hierna: X' without parentheses",
    "hierna-parentheses": "'(hierna: X)'",
    "hierna-genoemd": "'hierna genoemd X'",
    "verder-te-noemen": "'verder te noemen X'",
    "hierna-gezamenlijk": "'hierna gezamenlijk te noemen: partijen' for the whole group",
    "vertegenwoordigd": "'rechtsgeldig vertegenwoordigd door'",
    "not-vertegenwoordigd": "definitions without a representative",
    "ondergetekenden": "an 'Ondergetekenden:' block",
    "role-blocks": "blocks by role in capitals: DE GEMEENTE, DE CORPORATIES, DE HUURDERSORGANISATIES",
    "parties-sentence": "one sentence listing all parties ('Partijen: ..., samen: partijen.')",
    "parties-table": "a table Partij | Vertegenwoordigd door | Functie",
    "signature-blocks": "signature blocks ('Namens Woonstichting X, ..., directeur-bestuurder')",
    "parties-fallback": "no short names defined: parties only in title, signatures or owner column",
    "one-corporation": "a single corporation, 'de corporatie'",
    "two-corporations": "two corporations",
    "many-corporations": "three to six corporations",
    "merged-corporation": "a corporation formed by a merger ('ontstaan uit de fusie van ...')",
    "tenant-huurdersvereniging": "a huurdersvereniging",
    "tenant-huurdersbelang": "a huurdersbelang or huurdersbelangenvereniging",
    "tenant-huurdersraad": "a huurdersraad",
    "tenant-bewonersraad": "a bewonersraad",
    "tenant-stichting-huurdersbelang": "a stichting huurdersbelang",
    # year
    "year-prestatieafspraken": "'Prestatieafspraken 2025'",
    "year-jaarschijf": "'Jaarschijf 2025'",
    "year-jaarafspraken-voor": "'Jaarafspraken voor 2025'",
    "year-uitvoeringsafspraken": "'Uitvoeringsafspraken 2025'",
    "year-kaderafspraken": "'Kaderafspraken 2023-2026 met jaarschijf 2024'",
    "year-looptijd": "only a looptijd ('1 januari 2025 t/m 31 december 2025')",
    "year-signing-date": "only a signing date in the last quarter (the year after it)",
    "year-period": "a multi-year agreement with a period",
    # numbered lines that are not commitments
    "contents-dotted": "contents with dotted leaders",
    "contents-p": "contents entries ending in 'p. 8'",
    "contents-blz": "contents entries ending in 'blz. 8'",
    "contents-pagina": "contents entries ending in 'pagina 8'",
    "contents-bare-number": "contents entries ending in a bare page number",
    "contents-one-line": "several contents entries on one line ('1) Inleiding 2) Leeswijzer')",
    "parts-sentence": "a sentence listing the document's parts ('bestaan uit drie delen: 1. ...; 2. ...')",
    "theme-list": "a numbered list of the themes",
    "numbered-headings": "numbered headings in the numbering style of the commitments",
    "recitals-overwegende": "recitals 'Overwegende dat'",
    "recitals-in-aanmerking": "recitals 'In aanmerking nemende'",
    "definitions": "'Artikel 1 Begripsbepalingen' with numbered definitions",
    "cycle-steps": "numbered steps of the yearly cycle ('1. Bod corporaties voor 1 juli')",
    "agenda-table": "an agenda or planning table",
    "page-numbers": "page numbers in the running text or footer",
    # owners
    "owner-heading": "owners by heading ('Prestaties gemeente 2025', 'Wat doet de corporatie?')",
    "owner-subject": "owners by the sentence subject",
    "owner-column": "owners by a table column (Wie / Trekker / Verantwoordelijk / Eigenaar)",
    "owner-column-short-forms": "short forms in the owner column (Gem., Corp., HO, initials)",
    "owner-trekker-line": "a 'Trekker: X' line under a commitment in running text",
    "owner-lead-in": "owners from the lead-in ('Partijen spreken het volgende af:')",
    # numbering
    "numbering-running": "'1.' running through the document",
    "numbering-per-chapter": "numbers restarted per chapter",
    "numbering-hierarchical": "hierarchical numbers 3.2.1",
    "numbering-afspraak": "'Afspraak 4' / 'Afspraak 3.2'",
    "numbering-artikel": "contract style 'Artikel 3 Betaalbaarheid'",
    "numbering-theme-letter": "'A1' / 'B2' per theme letter in running text",
    "numbering-table-letter": "'B1' / 'V3' per theme letter as table numbers",
    "numbering-letter": "'a)' at top level",
    "numbering-lvltext-prefix": "Word numbering whose lvlText has a prefix ('Afspraak %1.%2', 'A%2', 'Artikel %1')",
    # themes
    "themes-top-level": "top-level numbered headings that are the themes",
    "themes-under-chapters": "chapters above themes",
    # Word as people leave it
    "word-tracked-changes": "tracked changes (w:ins counts, w:del does not)",
    "word-sdt": "a content control (w:sdt) around a commitment",
    "word-textbox": "a text box holding a commitment or a note",
    "word-field-simple": "a simple field (w:fldSimple)",
    "word-field-complex": "a complex field (w:fldChar / w:instrText)",
    "word-numbering": "Word automatic numbering (numbering.xml)",
    "word-toc": "a Word table of contents field",
    # layout
    "layout-commitments-table": "a table Nr. | Afspraak | Trekker | Betrokken | Gereed | Indicator",
    "layout-landscape": "a landscape section",
    "layout-table-page-break": "a commitments table running over a page break",
    "layout-scan": "a 200-dpi grayscale JPEG scan with a signature page",
    "horizon-outlook": "an outlook ('Doorkijk naar 2026 en verder', 'Vooruitblik')",
}


# -- labels --------------------------------------------------------------------------------


def load_labels() -> dict[str, dict]:
    return {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(CORPUS.glob("*.json"))}


LABELS = load_labels()


def norm(text: str | None) -> str:
    """Case, quotes, dot leaders and white space do not count.

    >>> norm("  'De  Volmacht'  ")
    'de volmacht'
    >>> norm("Betaalbaarheid ........ 4")
    'betaalbaarheid 4'
    """
    text = unicodedata.normalize("NFKC", text or "").replace("\u00ad", "")
    text = re.sub(r"[\u2018\u2019\u201c\u201d'\"`]", "", text)
    text = re.sub(r"(?:\s?\.){3,}|\u2026+", " ", text)
    return re.sub(r"\s+", " ", text).strip().lower()


def party_key(text: str | None) -> str:
    """A party's name or short name for comparison: without a leading article."""
    return re.sub(r"^(?:de|het)\s+", "", norm(text))


def heading_key(text: str | None) -> str:
    """A theme heading for comparison: the number's dot and the gap after it do not count.

    >>> heading_key("1. Beschikbaarheid") == heading_key("1 Beschikbaarheid") == heading_key("1.Beschikbaarheid")
    True
    >>> heading_key("A.Organisatie en samenwerking")
    'a organisatie en samenwerking'
    """
    return re.sub(r"^(\d{1,2}(?:\.\d{1,2})*|[a-z])(?:\.\s*|\s+)(?=\S)", r"\1 ", norm(text))


def label_owner(party: dict) -> str:
    return party["short_name"] or party["name"]


# -- label checks (no rendering) ---------------------------------------------------------


def _document_text(name: str) -> str:
    return norm(corpus_text((CORPUS / f"{name}.txt").read_text(encoding="utf-8")).replace("\t", " "))


@pytest.mark.parametrize("name", sorted(LABELS))
def test_labels_describe_their_document(name):
    """The labels are the document's: every label's text, theme and fragment is in it, in
    order, every owner a labelled party, every family and format known."""
    labels = LABELS[name]
    corpus_document(name)  # the fixture parses
    text = _document_text(name)
    assert set(labels["formats"]) <= set(FORMATS), labels["formats"]
    assert set(labels["formats"]) & set(PDF_FORMATS), "needs a PDF rendering to count its pages"
    assert set(labels["families"]) <= set(FAMILIES), set(labels["families"]) - set(FAMILIES)
    assert labels["parties_from"] in ("definitions", "fallback")
    parties = labels["parties"]
    assert all(p["role"] in ROLES for p in parties)
    if labels["parties_from"] == "fallback":
        assert all(p["short_name"] is None for p in parties)
    assert isinstance(labels["year"], int)
    assert (labels["period_start"] is None) == (labels["period_end"] is None)
    owners = {label_owner(p) for p in parties}
    position = 0
    for item in labels["commitments"]:
        assert set(item) == {"number", "printed", "starts", "owners", "horizon", "theme"}, item
        assert item["horizon"] in ("current", "outlook"), item
        assert 6 <= len(item["starts"].split()) <= 10, item["starts"]
        assert item["owners"] and set(item["owners"]) <= owners, item
        assert (item["number"] is None) == (item["printed"] is None), item
        opening = norm(f"{item['printed'] or ''} {item['starts']}")
        found = text.find(opening, position)
        assert found >= 0, f"not in the document (after the one before): {opening!r}"
        position = found + len(opening)
        if item["theme"]:
            assert norm(item["theme"]) in text, item["theme"]
    openings = [norm(item["starts"]) for item in labels["commitments"]]
    assert len(set(openings)) == len(openings), "two commitments open alike"
    source = norm((CORPUS / f"{name}.txt").read_text(encoding="utf-8").replace("\t", " "))
    for fragment in labels["not_commitments"]:  # a deleted paragraph's text counts: a reader may take it
        assert norm(fragment) in source, fragment


def test_every_family_is_shown_at_least_twice():
    counts = Counter(tag for labels in LABELS.values() for tag in labels["families"])
    thin = {tag: counts[tag] for tag in FAMILIES if counts[tag] < 2}
    assert not thin, f"families shown by fewer than two documents: {thin}"
    assert len(LABELS) >= 25


# What the package of a DOCX rendering must hold for each Word family its labels name.
WORD_MARKUP = {
    "word-tracked-changes": (r"<w:ins ", r"<w:del ", r"<w:delText"),
    "word-sdt": (r"<w:sdt>", r"<w:sdtContent>"),
    "word-textbox": (r"<mc:AlternateContent", r"<w:txbxContent>", r"<v:textbox"),
    "word-field-simple": (r"<w:fldSimple w:instr=",),
    "word-field-complex": (r"<w:instrText", r'w:fldCharType="separate"'),
    "word-numbering": (r"<w:numPr>",),
    "word-toc": (r"TOC \\o",),
    "numbering-lvltext-prefix": (r'<w:lvlText w:val="[^"%]*[A-Za-z][^"%]*%\d',),
    "layout-landscape": (r'w:orient="landscape"',),
}


@pytest.mark.parametrize("name", sorted(n for n, labels in LABELS.items() if "docx" in labels["formats"]))
def test_docx_renderings_hold_what_their_families_name(name, tmp_path):
    """A family claimed is a family shown: tracked changes are w:ins / w:del, a text box
    is a w:txbxContent, numbers come from numbering.xml, ..."""
    labels = LABELS[name]
    path = render_corpus_docx(corpus_document(name), tmp_path / f"{name}.docx", **labels["formats"]["docx"])
    with zipfile.ZipFile(path) as package:
        xml = package.read("word/document.xml").decode("utf-8") + package.read("word/numbering.xml").decode("utf-8")
    for family in set(labels["families"]) & set(WORD_MARKUP):
        for pattern in WORD_MARKUP[family]:
            assert re.search(pattern, xml), f"{family}: no {pattern}"


# -- rendering and extraction --------------------------------------------------------------


@pytest.fixture(scope="session")
def ocr_problem() -> str | None:
    """Why scans cannot be read here (Tesseract or its Dutch model missing), or None."""
    ocr.ocr_problem.cache_clear()
    return ocr.ocr_problem(DEFAULT_OCR_LANGUAGE)


@pytest.fixture(scope="session")
def corpus_files(tmp_path_factory, ocr_problem) -> dict[tuple[str, str], Path]:
    """Every rendering of every document; scans only where Tesseract can read them
    (test_the_scans_are_scored says so when it cannot)."""
    formats = {name: {fmt: options for fmt, options in labels["formats"].items()
                      if fmt != "scan" or ocr_problem is None}
               for name, labels in LABELS.items()}
    return render_corpus(formats, tmp_path_factory.mktemp("corpus"))


def _extract(path: Path, name: str, settings, nlp):
    """The Extraction, or the error's message when the pipeline gave up on the file."""
    try:
        return extract_document(path, settings, nlp, doc_id=name)
    except AgreementError as error:
        return f"{type(error).__name__}: {str(error).replace(str(path), path.name)}"


_FORKED: tuple = ()  # (settings, nlp) for the forked workers that read the scans


def _extract_forked(path: Path, name: str):
    return _extract(path, name, *_FORKED)


@pytest.fixture(scope="session")
def corpus_extractions(corpus_files, settings, nlp):
    """(name, format) -> Extraction, or the error's message when the pipeline gave up.

    OCR takes most of the time (seconds a page), so on Linux the scans are read in
    forked workers, which share the loaded spaCy pipeline, while this process reads
    the rest."""
    global _FORKED
    scans = {key: path for key, path in corpus_files.items() if key[1] == "scan"}
    results, futures = {}, {}
    pool = None
    if scans and "fork" in multiprocessing.get_all_start_methods():
        _FORKED = (settings, nlp)
        pool = ProcessPoolExecutor(max_workers=min(2, len(scans)), mp_context=multiprocessing.get_context("fork"))
        futures = {key: pool.submit(_extract_forked, path, key[0]) for key, path in scans.items()}
    try:
        for (name, fmt), path in sorted(corpus_files.items()):
            if (name, fmt) not in futures:
                results[(name, fmt)] = _extract(path, name, settings, nlp)
        results.update({key: future.result() for key, future in futures.items()})
    finally:
        if pool:
            pool.shutdown()
        _FORKED = ()
    return dict(sorted(results.items()))


def test_rendered_documents_are_one_to_three_pages(corpus_files):
    """Small agreements, as the corpus means them; a landscape section prints landscape
    pages; a scan has no text layer left."""
    pages, landscape, text_in_scans = {}, {}, {}
    for (name, fmt), path in corpus_files.items():
        if fmt in PDF_FORMATS + ("scan",):
            with pdfium.PdfDocument(path) as pdf:
                pages[(name, fmt)] = len(pdf)
                landscape[(name, fmt)] = any(page.get_width() > page.get_height() for page in pdf)
                if fmt == "scan":
                    text_in_scans[name] = sum(page.get_textpage().count_chars() for page in pdf)
    assert pages
    outside = {key: n for key, n in pages.items() if not MIN_PAGES <= n <= MAX_PAGES}
    assert not outside, f"documents outside {MIN_PAGES}-{MAX_PAGES} pages: {outside}"
    upright = [key for key, wide in landscape.items() if "layout-landscape" in LABELS[key[0]]["families"] and not wide]
    assert not upright, f"no landscape page: {upright}"
    assert not any(text_in_scans.values()), text_in_scans


# -- scoring -------------------------------------------------------------------------------


@dataclass
class Score:
    """What one rendering of one document got right and wrong."""

    name: str
    fmt: str
    error: str | None = None
    parties: int = 0
    parties_found: int = 0
    party_misses: list[str] = field(default_factory=list)  # labelled party not found / short name wrong
    phantom_parties: list[str] = field(default_factory=list)  # extracted, but no labelled party
    year: tuple[int, int | None] | None = None  # (want, got)
    period: tuple[tuple, tuple] | None = None  # ((start, end) wanted, got); None: not scored
    commitments: int = 0
    missing: list[str] = field(default_factory=list)
    false_rows: list[str] = field(default_factory=list)
    non_commitment_rows: int = 0  # of the false rows, those from a labelled non-commitment
    owners_right: int = 0
    owner_misses: list[str] = field(default_factory=list)
    number_misses: list[str] = field(default_factory=list)
    printed_misses: list[str] | None = None  # None: the pipeline has no printed label
    theme_misses: list[str] = field(default_factory=list)
    horizon_misses: list[str] = field(default_factory=list)

    @property
    def found(self) -> int:
        return self.commitments - len(self.missing)

    @property
    def year_right(self) -> bool:
        return self.year is not None and self.year[0] == self.year[1]


def match_score(starts: str, text: str) -> float:
    """How well a commitment's text opens with a label's first words: 101 when they are
    there as typed, else the fuzzy score (a stray label before them, an OCR misread within
    them, cost a little).

    >>> match_score("De gemeente stelt grond beschikbaar", "De gemeente stelt grond beschikbaar voor 40 woningen")
    101
    >>> match_score("De gemeente stelt grond beschikbaar", "De gerneente stelt grond beschikbaar") >= MATCH_RATIO
    True
    """
    want, head = norm(starts), norm(text)[:len(norm(starts)) + 16]
    return 101 if want in head else fuzz.partial_ratio(want, head)


def _printed_label(commitment) -> str | None:
    for attribute in PRINTED_ATTRIBUTES:
        if hasattr(commitment, attribute):
            return getattr(commitment, attribute)
    raise AttributeError


def _match_parties(labelled: list[dict], extracted) -> tuple[dict[str, str], list[str], list[str]]:
    """Extracted short name -> labelled owner name, the misses, the phantoms."""
    mapping, misses, used = {}, [], set()
    for party in labelled:
        keys = {party_key(party["name"])} | ({party_key(party["short_name"])} if party["short_name"] else set())
        hit = next((p for p in extracted if p.role == party["role"] and id(p) not in used
                    and ({party_key(p.name), party_key(p.short_name)} & keys)), None)
        if hit is None:
            misses.append(f"{party['name']} ({party['role']}) not found")
            continue
        used.add(id(hit))
        mapping[party_key(hit.short_name)] = label_owner(party)
        mapping.setdefault(party_key(hit.name), label_owner(party))
        if party["short_name"] and party_key(hit.short_name) != party_key(party["short_name"]):
            misses.append(f"{party['name']}: short name {hit.short_name!r}, not {party['short_name']!r}")
    phantoms = [f"{p.name} ({p.role})" for p in extracted if id(p) not in used]
    return mapping, misses, phantoms


def score_document(name: str, fmt: str, labels: dict, extraction) -> Score:
    score = Score(name, fmt, parties=len(labels["parties"]), commitments=len(labels["commitments"]))
    if isinstance(extraction, str):
        score.error = extraction
        score.party_misses = [p["name"] for p in labels["parties"]]
        score.year = (labels["year"], None)
        score.missing = [f"{c['printed'] or '-'} {c['starts']}" for c in labels["commitments"]]
        return score
    mapping, score.party_misses, score.phantom_parties = _match_parties(labels["parties"], extraction.parties)
    score.parties_found = score.parties - sum(1 for m in score.party_misses if m.endswith("not found"))
    score.year = (labels["year"], extraction.year)
    if hasattr(extraction, "period_start"):
        score.period = ((labels["period_start"], labels["period_end"]),
                        (extraction.period_start, getattr(extraction, "period_end", None)))
    has_printed = bool(extraction.commitments) and any(hasattr(extraction.commitments[0], a)
                                                       for a in PRINTED_ATTRIBUTES)
    score.printed_misses = [] if has_printed else None
    free = list(extraction.commitments)
    for item in labels["commitments"]:
        tag = f"{item['printed'] or '-'} {item['starts'][:40]}"
        scored = [(match_score(item["starts"], c.text), -i) for i, c in enumerate(free)]
        best = max(scored, default=(0, 0))
        hit = free[-best[1]] if best[0] >= MATCH_RATIO else None
        if hit is None:
            score.missing.append(tag)
            continue
        free.remove(hit)
        got_owners = {mapping.get(party_key(owner), f"?{owner}") for owner in hit.owners}
        if got_owners == set(item["owners"]):
            score.owners_right += 1
        else:
            score.owner_misses.append(f"{tag}: {sorted(got_owners)} not {sorted(item['owners'])}")
        if item["number"] is None:
            if not is_unprinted(hit.number):
                score.number_misses.append(f"{tag}: number {hit.number!r}, prints none")
        elif hit.number != item["number"]:
            score.number_misses.append(f"{tag}: number {hit.number!r} not {item['number']!r}")
        if has_printed and norm(_printed_label(hit)) != norm(item["printed"]):
            score.printed_misses.append(f"{tag}: printed {_printed_label(hit)!r} not {item['printed']!r}")
        if heading_key(hit.section.theme) != heading_key(item["theme"]):
            score.theme_misses.append(f"{tag}: theme {hit.section.theme!r} not {item['theme']!r}")
        if hit.section.horizon != item["horizon"]:
            score.horizon_misses.append(f"{tag}: {hit.section.horizon}, not {item['horizon']}")
    fragments = [norm(f) for f in labels["not_commitments"]]
    for row in free:
        from_fragment = any(f in norm(row.text) for f in fragments)
        score.non_commitment_rows += from_fragment
        score.false_rows.append(f"{row.number} {row.text[:50]!r}{' (labelled non-commitment)' if from_fragment else ''}")
    return score


@dataclass
class CorpusScore:
    scores: list[Score]

    @property
    def owner_accuracy(self) -> float:
        found = sum(s.found for s in self.scores)
        return sum(s.owners_right for s in self.scores) / found if found else 0.0

    def failures(self) -> list[str]:
        """The bar of issue 10, as the lines that say where it is not reached."""
        failed = []
        parties = sum(s.parties for s in self.scores)
        right = parties - sum(len(s.party_misses) for s in self.scores)
        if right < parties:
            failed.append(f"parties with role and short name: {right}/{parties}")
        phantoms = sum(len(s.phantom_parties) for s in self.scores)
        if phantoms:
            failed.append(f"parties the documents do not have: {phantoms}")
        years = sum(s.year_right for s in self.scores)
        if years < len(self.scores):
            failed.append(f"years right: {years}/{len(self.scores)}")
        commitments, found = sum(s.commitments for s in self.scores), sum(s.found for s in self.scores)
        if found < commitments:
            failed.append(f"commitments found: {found}/{commitments}")
        false_rows = sum(len(s.false_rows) for s in self.scores)
        if false_rows:
            nc = sum(s.non_commitment_rows for s in self.scores)
            failed.append(f"false rows: {false_rows} ({nc} from labelled non-commitments)")
        if self.owner_accuracy < OWNER_ACCURACY_BAR:
            failed.append(f"owner accuracy: {self.owner_accuracy:.1%} < {OWNER_ACCURACY_BAR:.0%}")
        return failed

    def table(self) -> str:
        head = (f"{'document':<28} {'format':<16} {'parties':>7} {'year':>11} {'found':>7} {'false':>5} "
                f"{'owners':>7} {'number':>6} {'theme':>6}")
        lines = [head, "-" * len(head)]
        for s in self.scores:
            if s.error:
                lines.append(f"{s.name:<28} {s.fmt:<16} ERROR {s.error[:70]}")
                continue
            year = f"{s.year[1]}" + ("" if s.year_right else f"≠{s.year[0]}")
            lines.append(f"{s.name:<28} {s.fmt:<16} {s.parties - len(s.party_misses):>3}/{s.parties:<3} "
                         f"{year:>11} {s.found:>3}/{s.commitments:<3} {len(s.false_rows):>5} "
                         f"{s.owners_right:>3}/{s.found:<3} {s.found - len(s.number_misses):>6} "
                         f"{s.found - len(s.theme_misses):>6}")
        return "\n".join(lines)

    def misses(self, s: Score) -> list[tuple[str, list[str]]]:
        """What one rendering got wrong, by kind."""
        kinds = [("error", [s.error] if s.error else [])]
        if s.year and not s.year_right:
            kinds.append(("year", [f"{s.year[1]} not {s.year[0]}"]))
        if s.period and s.period[0] != s.period[1]:
            kinds.append(("period", [f"{s.period[1]} not {s.period[0]}"]))
        if s.error:
            return kinds
        return kinds + [("parties", s.party_misses), ("phantom parties", s.phantom_parties),
                        ("missing", s.missing), ("false rows", s.false_rows), ("owners", s.owner_misses),
                        ("numbers", s.number_misses), ("printed labels", s.printed_misses or []),
                        ("themes", s.theme_misses), ("horizons", s.horizon_misses)]

    def details(self, shown: int = 3, width: int = 72) -> str:
        """Per rendering, per kind of miss: how many, and the first few."""
        out = []
        for s in self.scores:
            lines = []
            for kind, items in self.misses(s):
                if items:
                    few = "; ".join(i if len(i) <= width else i[:width - 1] + "…" for i in items[:shown])
                    more = f"; +{len(items) - shown} more" if len(items) > shown else ""
                    lines.append(f"  {kind} ({len(items)}): {few}{more}")
            if lines:
                out.append(f"{s.name} [{s.fmt}]\n" + "\n".join(lines))
        return "\n".join(out)

    def as_json(self) -> dict:
        return {f"{s.name} [{s.fmt}]": {kind: items for kind, items in self.misses(s) if items}
                for s in self.scores}

    def by_format(self) -> str:
        groups: dict[str, list[Score]] = defaultdict(list)
        for s in self.scores:
            groups[s.fmt].append(s)
        return self._summary("format", groups, list(FORMATS))

    def by_family(self) -> str:
        groups: dict[str, list[Score]] = defaultdict(list)
        for s in self.scores:
            for tag in LABELS[s.name]["families"]:
                groups[tag].append(s)
        return self._summary("family", groups, list(FAMILIES))

    @staticmethod
    def _summary(title: str, groups: dict[str, list[Score]], order: list[str]) -> str:
        """One line per group: documents, parties right, years right, commitments found,
        false rows, owner accuracy."""
        head = f"{title:<32} {'docs':>4} {'parties':>9} {'years':>7} {'found':>9} {'false':>5} {'owners':>7}"
        lines = [head, "-" * len(head)]
        for tag in order:
            group = groups.get(tag, [])
            if not group:
                continue
            parties = sum(s.parties for s in group)
            right = parties - sum(len(s.party_misses) for s in group)
            found, total = sum(s.found for s in group), sum(s.commitments for s in group)
            owners = sum(s.owners_right for s in group) / found if found else 0.0
            lines.append(f"{tag:<32} {len({s.name for s in group}):>4} {right:>4}/{parties:<4} "
                         f"{sum(s.year_right for s in group):>3}/{len(group):<3} {found:>4}/{total:<4} "
                         f"{sum(len(s.false_rows) for s in group):>5} {owners:>7.0%}")
        return "\n".join(lines)

    def report(self) -> str:
        failures = self.failures() or ["none: the bar of issue 10 is reached"]
        printed_scored = any(s.printed_misses is not None for s in self.scores)
        period_scored = any(s.period is not None for s in self.scores)
        notes = []
        if not printed_scored:
            notes.append("printed labels not scored: commitments have no printed label yet")
        if not period_scored:
            notes.append("periods not scored: the Extraction has no period_start / period_end yet")
        return "\n\n".join([
            "Corpus score (tests/corpus/, issue 10)",
            "Below the bar:\n" + "\n".join(f"  - {f}" for f in failures),
            *(["Not scored:\n" + "\n".join(f"  - {n}" for n in notes)] if notes else []),
            f"Owner accuracy: {self.owner_accuracy:.1%} of found commitments",
            self.table(), "Per format:\n" + self.by_format(), "Per family:\n" + self.by_family(),
            "What was missed:\n" + self.details()])


@pytest.fixture(scope="session")
def corpus_score(corpus_extractions) -> CorpusScore:
    scores = [score_document(name, fmt, LABELS[name], extraction)
              for (name, fmt), extraction in sorted(corpus_extractions.items())]
    result = CorpusScore(scores)
    ARTIFACTS.mkdir(exist_ok=True)
    REPORT.write_text(result.report() + "\n", encoding="utf-8")
    REPORT.with_suffix(".json").write_text(json.dumps(result.as_json(), indent=1, ensure_ascii=False) + "\n",
                                           encoding="utf-8")
    return result


def test_corpus_reaches_the_bar(corpus_score):
    """Every party with its short name and role, every year, every commitment, no false
    row, owners right for at least 98% of the commitments found."""
    failures = corpus_score.failures()
    assert not failures, "\n" + corpus_score.report()


def test_the_scans_are_scored(corpus_score, ocr_problem):
    if ocr_problem:
        pytest.skip(f"the scans are left out of the corpus score: {ocr_problem} "
                    "(Debian: apt-get install tesseract-ocr tesseract-ocr-nld)")
    wanted = {name for name, labels in LABELS.items() if "scan" in labels["formats"]}
    assert wanted and wanted == {s.name for s in corpus_score.scores if s.fmt == "scan"}


def test_corpus_numbers_are_clean(corpus_score):
    """The clean number of every found commitment: "3.2" for "Afspraak 3.2", "B1", none
    (an unprinted T-number) for a table row that prints none."""
    misses = {f"{s.name} [{s.fmt}]": s.number_misses for s in corpus_score.scores if s.number_misses}
    assert not misses, json.dumps(misses, indent=1, ensure_ascii=False)


def test_corpus_themes_and_horizons(corpus_score):
    misses = {f"{s.name} [{s.fmt}]": s.theme_misses + s.horizon_misses for s in corpus_score.scores
              if s.theme_misses or s.horizon_misses}
    assert not misses, json.dumps(misses, indent=1, ensure_ascii=False)


def test_corpus_printed_labels(corpus_score):
    if all(s.printed_misses is None for s in corpus_score.scores if not s.error):
        pytest.skip("commitments have no printed label yet (issue 10: the printed number beside a clean one)")
    misses = {f"{s.name} [{s.fmt}]": s.printed_misses for s in corpus_score.scores if s.printed_misses}
    assert not misses, json.dumps(misses, indent=1, ensure_ascii=False)


def test_corpus_periods(corpus_score):
    scored = [s for s in corpus_score.scores if s.period is not None]
    if not scored:
        pytest.skip("the Extraction has no period_start / period_end yet (issue 10: year and period)")
    wrong = {f"{s.name} [{s.fmt}]": s.period for s in scored if s.period[0] != s.period[1]}
    assert not wrong, wrong
