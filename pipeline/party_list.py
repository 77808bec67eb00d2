"""The parties of an agreement, from whatever evidence the document gives.

Agreements introduce their parties in a few ways; each is a grammar, not one document's
wording:

    definition   <name>[, <details>], hierna te noemen: '<short>'
                 "1. Gemeente Aa en Hunze, rechtsgeldig vertegenwoordigd door ..., hierna te noemen: 'de gemeente'."
                 "Woonstichting Noorderlicht (hierna: Noorderlicht)"   -- also hierna genoemd, verder te
                 noemen, hierna ook, hierna aangeduid als; numbered or not, one per line or several in
                 one sentence ("Partijen: A (hierna: a), B (hierna: b) ... samen: partijen.")
    group        "... gezamenlijk te noemen: 'partijen'": names the group, defines no party (the
                 organisations it lists become parties if nothing else defined them)
    caption      "DE GEMEENTE" / "De corporaties:" above definitions gives their role
    table        | Partij | Vertegenwoordigd door | Functie |: one party per row
    signature    "Namens Woonstichting De Linde," / "J. Jansen" / "directeur-bestuurder", or
                 "Woonborg: E. Borstlap" / "Directeur-bestuurder": signatory and function
    fallback     no definitions at all: organisation names with a role noun (gemeente,
                 woonstichting, huurdersvereniging, huurdersraad, ...) in the title, the signature
                 block or the owner column of a commitments table; `Issue("parties-fallback")`

    >>> [(d.name, d.short) for d in definitions_in(
    ...     "Partijen: Gemeente Veenhoven (hierna: de gemeente), Woonstichting Noorderlicht "
    ...     "(hierna: Noorderlicht), samen: partijen.")]
    [('Gemeente Veenhoven', 'de gemeente'), ('Woonstichting Noorderlicht', 'Noorderlicht')]

Organisation names are found by a spaCy Matcher over the role nouns of
pipeline/patterns/party_words.jsonl: a role noun, then capitalised words ("Gemeente Aa en
Hunze", "Stichting Huurdersbelang Oosterbroek").
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, replace
from typing import Iterator, Sequence

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.util import filter_spans

from pipeline.nlp import PATTERNS_DIR, load_word_lists, words_of
from pipeline.period import TITLE_BLOCKS
from pipeline.tables import find_columns
from pipeline.types import (
    CORPORATIE, GEMEENTE, HEADING, HUURDERSORGANISATIE, TABLE, Block, Document, Issue, Party,
)

PARTY_WORDS_FILE = PATTERNS_DIR / "party_words.jsonl"

MAX_NAME_WORDS = 6  # a longer "name" is a sentence that ends in one: its last organisation is meant
# Where a party was found (Party.source).
FROM_DEFINITION = "definition"
FROM_TABLE = "table"
FROM_TITLE = "title"
FROM_SIGNATURE = "signature"
FROM_OWNER_COLUMN = "owner-column"
FALLBACK_SOURCES = (FROM_TITLE, FROM_SIGNATURE, FROM_OWNER_COLUMN)

_QUOTES = "'\"\u2018\u2019\u201a\u201b\u201c\u201d\u201e`\u00b4"
# "hierna te noemen:", "hierna:", "(hierna: X)", "hierna genoemd", "verder te noemen", "hierna ook
# te noemen", "hierna aangeduid als", "hierna gezamenlijk te noemen", "samen: partijen".
_NAMING_VERB = r"(?:te\s+noemen|genoemd|te\s+benoemen|aangeduid\s+als|aan\s+te\s+duiden\s+als|te\s+duiden\s+als)"
_GROUP_WORD = r"(?:gezamenlijk|samen|tezamen|allen|gezamenlijk\s+ook|ook\s+gezamenlijk)"
_MARK = re.compile(
    rf"(?P<paren>\(\s*)?\b(?:"
    rf"(?:hierna|hierna\s+(?:ook|kortweg|voortaan)|verder|hierna\s+(?P<group1>{_GROUP_WORD}))\s*"
    rf"(?:{_NAMING_VERB}\s*:?|:)"
    rf"|hierna(?:\s+kortweg)?(?=\s*[{_QUOTES}])"
    rf"|(?P<group2>{_GROUP_WORD})\s+(?:ook\s+)?(?:{_NAMING_VERB}\s*:?|:)"
    rf"|(?P<group3>{_GROUP_WORD})\s*:"
    rf")\s*", re.IGNORECASE)
# "Huurdersvereniging De Vaart ('HV De Vaart')": a quoted short name in brackets right after
# an organisation's name, without "hierna"; counts where the name has a role noun.
_BRACKETED = re.compile(rf"\(\s*(?=[{_QUOTES}])")
_QUOTED = re.compile(rf"[{_QUOTES}](?P<short>[^{_QUOTES}\n]{{1,60}}?)[{_QUOTES}]")
_UNQUOTED = re.compile(r"(?P<short>[^,;:()\n]{1,60}?)(?=\s*(?:[),;]|\.(?:\s|$)|$|\s+(?:en|of)\s+[A-Z'\u2018]))")
# What may stand before a name in its segment: list labels, bullets, "Ondergetekenden:", "en".
_SEGMENT_LEAD = re.compile(
    r"^(?:\s|[,;.:)\-\u2013\u2022*]|\b(?:en|de\s+ondergetekenden|ondergetekenden|partijen|tussen|"
    r"de\s+partijen|namelijk|te\s+weten|enerzijds|anderzijds)\b\s*:?|\d{1,2}[.)]|\(?[a-z][.)]|[IVX]{1,4}[.)])+",
    re.IGNORECASE)
_REPRESENTED_BY = re.compile(
    r"vertegenwoordigd\s+door\s+(?P<who>.*?)(?:,\s*(?:handelend|hierna|gemachtigd|verder|ter\s+uitvoering|"
    r"daartoe)|\s+gemachtigd|,|$)", re.IGNORECASE)
_HONORIFIC = re.compile(r"\b(?:de heer|mevrouw|dhr\.|mw\.|mevr\.|mr\.|drs\.|ir\.|dr\.)\s+", re.IGNORECASE)
_SIGNATURE_LINE = re.compile(r"^(?P<party>[^:]{2,80}):\s*(?P<person>[A-Z][^:]{1,80})$")
_ON_BEHALF = re.compile(r"^\s*(?:namens|voor|ondertekend\s+namens|handtekening)\s+(?P<party>.+?)[,:]?\s*$",
                        re.IGNORECASE)
# A person as a signature block prints them: initials and a surname, maybe an honorific.
_PERSON = re.compile(
    r"^(?:(?:de heer|mevrouw|dhr\.|mw\.|mevr\.|mr\.|drs\.|ir\.|dr\.)\s+)*"
    r"(?:[A-Z]\.\s?){1,4}(?:[a-z]{1,3}\s+){0,3}[A-Z][\w'\-]+(?:[\s-][A-Z][\w'\-]+)?$")
_CAPTION_CHARS = re.compile(r"[:.]\s*$")

# Table of parties: | Partij | Vertegenwoordigd door | Functie |.
_PARTY_HEADER = re.compile(r"^(?:partij|partijen|organisatie|naam\s+partij|instantie)$", re.IGNORECASE)
_PERSON_HEADER = re.compile(r"^(?:vertegenwoordigd\s+door|vertegenwoordiger|namens|naam|ondertekenaar|"
                            r"ondertekend\s+door|contactpersoon)$", re.IGNORECASE)
_FUNCTION_HEADER = re.compile(r"^(?:functie|rol|hoedanigheid)$", re.IGNORECASE)
_SHORT_HEADER = re.compile(r"^(?:hierna(?:\s+te\s+noemen)?|hierna\s+genoemd|korte\s+naam|afkorting|verkort|"
                           r"roepnaam|aangeduid\s+als)$", re.IGNORECASE)


@dataclass(frozen=True)
class Definition:
    """One "<name>, ..., hierna te noemen: '<short>'" as found in a text."""

    name: str
    short: str
    details: str  # what stands between the name and the mark: "rechtsgeldig vertegenwoordigd door ..."
    group: bool  # "gezamenlijk te noemen: 'partijen'": names the group, not one party
    segment: str  # the whole text before the mark, for the organisations a group lists


# -- words ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def party_words() -> dict[str, dict]:
    return load_word_lists(PARTY_WORDS_FILE)


@functools.lru_cache(maxsize=1)
def _role_nouns() -> dict[str, frozenset[str]]:
    words = party_words()
    return {role: frozenset(words_of(words[f"{role}_nouns"]))
            for role in (GEMEENTE, CORPORATIE, HUURDERSORGANISATIE)}


def role_of(name: str, short_name: str = "", caption: str | None = None) -> str:
    """A party's role from the nouns in its names, else the caption it stands under, else
    corporation (most parties with a bare brand name are corporations).

    >>> role_of("Algemene Huurdersvereniging WOON", "AH WOON"), role_of("Stichting Huurdersbelang Oost")
    ('huurdersorganisatie', 'huurdersorganisatie')
    >>> role_of("Thuis Wonen", "Thuis", caption="gemeente"), role_of("Woonborg", "Woonborg")
    ('gemeente', 'corporatie')
    """
    both = f"{name} {short_name}".lower()
    if re.search(r"huurder|bewoners", both):
        return HUURDERSORGANISATIE
    if re.search(r"\bgemeente\b|\bcollege van\b", both):
        return GEMEENTE
    if any(re.search(rf"\b{noun}", both) for noun in _role_nouns()[CORPORATIE] if noun != "stichting"):
        return CORPORATIE
    return caption or CORPORATIE


def caption_role(text: str) -> str | None:
    """The role a caption over a block of parties names: "DE CORPORATIES" -> corporatie.

    >>> caption_role("DE HUURDERSORGANISATIES"), caption_role("Gemeente:"), caption_role("De gemeente bouwt.")
    ('huurdersorganisatie', 'gemeente', None)
    """
    key = _CAPTION_CHARS.sub("", text.strip()).strip().lower()
    key = re.sub(r"^\d{1,2}[.)]?\s+", "", key)
    return party_words()["captions"]["map"].get(key)


def is_group_name(short: str) -> bool:
    """"partijen", "de corporaties": a name for several parties."""
    return short.strip().lower() in set(words_of(party_words()["group_short_names"]))


# -- definitions ---------------------------------------------------------------------


def definitions_in(text: str) -> list[Definition]:
    """Every party definition in one paragraph or table cell, in order.

    >>> [(d.name, d.short, d.group) for d in definitions_in(
    ...     "2. Woonborg, rechtsgeldig vertegenwoordigd door mevrouw E. Borstlap, hierna te noemen: 'Woonborg'.")]
    [('Woonborg', 'Woonborg', False)]
    >>> [(d.short, d.group) for d in definitions_in("Gemeente en Woonborg gezamenlijk ook te noemen: 'partijen'")]
    [('partijen', True)]
    """
    found: list[Definition] = []
    start = 0
    marks = sorted([*_MARK.finditer(text), *(m for m in _BRACKETED.finditer(text) if _after_organisation(text, m))],
                   key=lambda m: m.start())
    for mark in marks:
        if mark.start() < start:
            continue
        short_match = _QUOTED.match(text, mark.end()) or _UNQUOTED.match(text, mark.end())
        if not short_match:
            continue
        short = short_match.group("short").strip().strip(_QUOTES).strip()
        segment = text[start:mark.start()]
        start = short_match.end()
        if not short or not segment.strip():
            continue
        groups = mark.groupdict()
        group = bool(groups.get("group1") or groups.get("group2") or groups.get("group3")) or is_group_name(short)
        name, details = _name_and_details(segment)
        if name:
            found.append(Definition(name, short, details, group, segment))
    return found


def _after_organisation(text: str, bracket: re.Match) -> bool:
    """Does the bracket follow a name with a role noun ("Stichting Vaartwonen (")?"""
    before = re.split(r"[,;:]|\s(?:en|of)\s", text[:bracket.start()])[-1]
    return role_of(before) != CORPORATIE or any(
        re.search(rf"\b{noun}\b", before, re.IGNORECASE) for noun in _role_nouns()[CORPORATIE])


def _name_and_details(segment: str) -> tuple[str, str]:
    """"1. Gemeente Oost, gevestigd te Oost, vertegenwoordigd door ..." -> ("Gemeente Oost", "gevestigd te ...")."""
    segment = segment.strip()
    lead = _SEGMENT_LEAD.match(segment)
    if lead:
        segment = segment[lead.end():]
    segment = segment.strip().rstrip("(").strip()
    name, _, details = segment.partition(",")
    name = name.split(" (")[0].strip().strip(_QUOTES + "*").strip()
    if len(name.split()) > MAX_NAME_WORDS:  # "Deze afspraken zijn gemaakt door de gemeente Hazelbroek"
        nouns = "|".join(sorted(set().union(*_role_nouns().values()), key=len, reverse=True))
        last = list(re.finditer(rf"\b(?:{nouns})\b", name, re.IGNORECASE))
        if last:
            name = name[last[-1].start():]
    name = re.sub(r"^(?:de|het)\s+(?=gemeente\b)", "", name, flags=re.IGNORECASE)  # "De gemeente Veenhoven"
    return name, details.strip()


def signatory_of(details: str) -> tuple[str | None, str | None]:
    """'rechtsgeldig vertegenwoordigd door de directeur-bestuurder mevrouw E. Borstlap'
    -> ('E. Borstlap', 'directeur-bestuurder')."""
    match = _REPRESENTED_BY.search(details)
    if not match:
        return None, None
    return _person_and_function(match.group("who").strip())


def _person_and_function(who: str) -> tuple[str | None, str | None]:
    honorific = _HONORIFIC.search(who)
    if honorific:
        function, person = who[:honorific.start()].strip(), who[honorific.end():].strip()
    else:
        function, person = "", who
    function = re.sub(r"^(?:de|het|haar|zijn|hun)\s+", "", function, flags=re.IGNORECASE).strip(" ,")
    return (person or None), (function or None)


# -- organisation names ----------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _organisation_matcher(vocab) -> Matcher:
    """A role noun (one or two: "Stichting Huurdersbelang"), then a name of capitalised words,
    particles allowed between them ("Gemeente Aa en Hunze", "Woonstichting 't Heem")."""
    words = party_words()
    nouns = sorted(set().union(*_role_nouns().values()) - {"college"})
    particles = words_of(words["name_particles"])
    matcher = Matcher(vocab)
    noun = {"LOWER": {"IN": nouns}}
    capitalised = {"IS_ALPHA": True, "LOWER": {"NOT_IN": nouns + particles}, "IS_LOWER": False}
    particle = {"LOWER": {"IN": particles}}
    article = {"LOWER": {"IN": ["de", "het", "'t", "den"]}}  # "Woonstichting De Linde", "'t Heem"
    for extra in range(0, 4):  # up to three more name words after the first, each maybe after a particle
        pattern = [noun, {**noun, "OP": "?"}, {**article, "OP": "?"}, capitalised]
        for _ in range(extra):
            pattern += [{**particle, "OP": "?"}, capitalised]
        matcher.add("ORGANISATION", [pattern])
    return matcher


def organisation_names(text: str, nlp: Language) -> list[str]:
    """Names of organisations with a role noun in a text, longest where they overlap.

    >>> import spacy
    >>> organisation_names("Prestatieafspraken gemeente Aa en Hunze, Woonstichting De Linde en "
    ...                    "Stichting Huurdersbelang Oosterbroek 2025", spacy.blank("nl"))
    ['gemeente Aa en Hunze', 'Woonstichting De Linde', 'Stichting Huurdersbelang Oosterbroek']
    """
    doc: Doc = nlp.make_doc(text)
    spans = filter_spans(doc[s:e] for _, s, e in _organisation_matcher(nlp.vocab)(doc))
    names = []
    for span in sorted(spans, key=lambda s: s.start):
        if span[0].lower_ == "gemeente" and len(span) >= 2 and span[1].is_upper and not span[0].is_upper:
            continue  # "gemeente HO": an abbreviation, not a place
        names.append(span.text)
    return names


# -- signatures ------------------------------------------------------------------------


@dataclass(frozen=True)
class Signature:
    party: str  # as the block names it: "Woonstichting De Linde", "Woonborg"
    person: str | None
    function: str | None


def signatures(texts: Sequence[str]) -> list[Signature]:
    """Signature blocks: "Namens X," / person / function, or "X: person" / function.

    >>> signatures(["Namens Woonstichting De Linde,", "J. Jansen", "directeur-bestuurder", "Woonborg: E. Borstlap",
    ...             "Directeur-bestuurder"])[0]
    Signature(party='Woonstichting De Linde', person='J. Jansen', function='directeur-bestuurder')
    """
    found = []
    for i, text in enumerate(texts):
        following = [t.strip() for t in texts[i + 1:i + 3]]
        on_behalf = _ON_BEHALF.match(text)
        if on_behalf and len(text.split()) <= 10:
            party, rest = _split_inline_signature(on_behalf.group("party"))
            person, function = rest if rest else _person_function_lines(following)
            found.append(Signature(party, person, function))
            continue
        line = _SIGNATURE_LINE.match(text)
        if line and len(text.split()) <= 10 and _PERSON.match(_HONORIFIC.sub("", line.group("person")).strip()):
            function = following[0] if following and _is_function_line(following[0]) else None
            found.append(Signature(line.group("party").strip(), line.group("person").strip(), function))
    return found


def _split_inline_signature(text: str) -> tuple[str, tuple[str | None, str | None] | None]:
    """"Woonstichting De Linde, J. Jansen, directeur-bestuurder" -> the party and (person, function)."""
    parts = [part.strip() for part in text.split(",")]
    if len(parts) >= 2 and _PERSON.match(_HONORIFIC.sub("", parts[1]).strip()):
        return parts[0], (parts[1], parts[2] if len(parts) > 2 and _is_function_line(parts[2]) else None)
    return parts[0].strip(), None


def _person_function_lines(lines: list[str]) -> tuple[str | None, str | None]:
    person = function = None
    for line in lines:
        bare = _HONORIFIC.sub("", line).strip()
        if person is None and _PERSON.match(bare):
            person = bare
        elif _is_function_line(line):
            function = line
            break
        else:
            break
    return person, function


def _is_function_line(text: str) -> bool:
    """"Directeur-bestuurder", "wethouder Wonen": a function, short and without a full stop."""
    words = text.split()
    if not words or len(words) > 5 or text.endswith(".") or ":" in text:
        return False
    lowered = text.lower()
    return any(lowered.startswith(function) for function in words_of(party_words()["functions"]))


# -- the register ----------------------------------------------------------------------


def find_parties(document: Document, nlp: Language) -> tuple[tuple[Party, ...], tuple[Issue, ...]]:
    """The parties of a document and what the reader should know about how they were found.

    Definitions (lines, sentences, tables) first; a document that defines none gets the
    organisations its title, signature block and owner column name, with a
    "parties-fallback" issue; none at all gives a "no-parties" issue.
    """
    texts = [block.text for block in document.blocks if block.text]
    parties = _defined_parties(document.blocks, nlp)
    issues: list[Issue] = []
    if not parties:
        parties, sources = _fallback_parties(document, nlp)
        if parties:
            issues.append(Issue(document.id, "parties-fallback",
                                "no party definitions found ('hierna te noemen: ...'); parties taken from "
                                f"the {', '.join(sources)}: " + "; ".join(p.name for p in parties)))
    parties = _with_signatures(parties, signatures(texts))
    parties = _with_short_names_from_use(parties, texts)
    abbreviations = defined_abbreviations(texts)
    if not parties:
        issues.append(Issue(document.id, "no-parties",
                            "no parties found: no definitions ('hierna te noemen: ...'), and no organisation "
                            "named in the title, signature block or owner column; owners come from group "
                            "words only"))
    return tuple(replace(p, document=document.id, aliases=aliases(p.name, p.short_name, abbreviations))
                 for p in parties), tuple(issues)


def _defined_parties(blocks: Sequence[Block], nlp: Language) -> list[Party]:
    parties: list[Party] = []
    listed_by_groups: list[tuple[str, str | None]] = []  # (organisation, caption role) a group definition names
    caption: str | None = None
    for block in blocks:
        if block.kind == TABLE:
            parties.extend(p for p in _table_parties(block, nlp) if not _known(parties, p))
            continue
        role = caption_role(block.text) if len(block.text.split()) <= 4 else None
        if role is not None:
            caption = role
            continue
        definitions = definitions_in(block.text)
        if not definitions and block.kind == HEADING:
            caption = None
        for definition in definitions:
            if definition.group:
                listed_by_groups.extend((name, caption) for name in organisation_names(definition.segment, nlp))
                continue
            person, function = signatory_of(definition.details)
            party = Party(document="", name=definition.name, short_name=definition.short,
                          role=role_of(definition.name, definition.short, caption),
                          signatory=person, function=function, source=FROM_DEFINITION)
            if not _known(parties, party):
                parties.append(party)
    for name, role in listed_by_groups:  # "A en B, hierna gezamenlijk te noemen: 'de corporaties'"
        party = _named_party(name, FROM_DEFINITION, role)
        if not _known(parties, party):
            parties.append(party)
    return parties


def _table_parties(block: Block, nlp: Language) -> list[Party]:
    """| Partij | Vertegenwoordigd door | Functie |: a party per row, the cell's own definition
    ("Woonstichting De Linde (hierna: De Linde)") giving its short name."""
    if not block.rows:
        return []
    header = [cell.strip().rstrip(":").strip() for cell in block.rows[0]]
    party_col = next((i for i, cell in enumerate(header) if _PARTY_HEADER.match(cell)), None)
    person_col = next((i for i, cell in enumerate(header) if _PERSON_HEADER.match(cell)), None)
    function_col = next((i for i, cell in enumerate(header) if _FUNCTION_HEADER.match(cell)), None)
    short_col = next((i for i, cell in enumerate(header) if _SHORT_HEADER.match(cell)), None)
    if party_col is None or (person_col is None and function_col is None):
        return []
    parties = []
    for row in block.rows[1:]:
        cell = row[party_col].strip() if party_col < len(row) else ""
        if not cell:
            continue
        defined = [d for d in definitions_in(cell) if not d.group]
        person = row[person_col].strip() if person_col is not None and person_col < len(row) else ""
        function = row[function_col].strip() if function_col is not None and function_col < len(row) else ""
        person = _HONORIFIC.sub("", person).strip() or None
        short = row[short_col].strip().strip(_QUOTES) if short_col is not None and short_col < len(row) else ""
        if defined:
            name, short = defined[0].name, defined[0].short
            party = Party("", name, short, role_of(name, short), source=FROM_TABLE)
        elif short:
            party = Party("", cell, short, role_of(cell, short), source=FROM_DEFINITION)
        else:
            party = _named_party(cell, FROM_TABLE)
        parties.append(replace(party, signatory=person, function=function or None))
    return parties


def _named_party(name: str, source: str, caption: str | None = None) -> Party:
    """A party known only by its name: its short name is the name without the role noun
    ("Woonstichting De Linde" -> "De Linde"), until the text's own use decides."""
    name = name.strip().strip(_QUOTES).strip()
    return Party("", name, bare_name(name), role_of(name, "", caption), source=source)


def bare_name(name: str) -> str:
    """A name without its legal form or role noun: "Woonstichting De Linde" -> "De Linde",
    "Stichting Huurdersbelang Oost" -> "Huurdersbelang Oost", "Gemeente Veenhoven" -> "gemeente Veenhoven"."""
    if re.match(r"^gemeente\s+", name, re.IGNORECASE):
        return re.sub(r"^gemeente\s+", "gemeente ", name, flags=re.IGNORECASE)
    bare = re.sub(r"^(?:stichting\s+)?(?:woningstichting|woonstichting|woningcorporatie|wooncorporatie|"
                  r"woningbouwvereniging|woningvereniging|woonvereniging|woonbedrijf|woningbedrijf|"
                  r"huurdersvereniging|huurdersorganisatie|vereniging|stichting)\s+", "", name, flags=re.IGNORECASE)
    return bare or name


def _known(parties: list[Party], party: Party) -> bool:
    names = {party.name.lower(), party.short_name.lower()}
    return any({p.name.lower(), p.short_name.lower()} & names for p in parties)


def _fallback_parties(document: Document, nlp: Language) -> tuple[list[Party], list[str]]:
    """Organisations named in the title, the signature block, or an owner column."""
    blocks = document.blocks
    evidence: list[tuple[str, list[str]]] = [
        (FROM_TITLE, [block.text for block in blocks[:TITLE_BLOCKS]]),
        (FROM_SIGNATURE, [s.party for s in signatures([b.text for b in blocks if b.text])]),
        (FROM_OWNER_COLUMN, list(_owner_cells(blocks))),
    ]
    parties: list[Party] = []
    sources: list[str] = []
    for source, texts in evidence:
        found = [_named_party(name, source) for text in texts for name in organisation_names(text, nlp)]
        new = []
        for party in found:
            if not _known(parties + new, party) and not _mentions_role_only(party):
                new.append(party)
        if new:
            sources.append({FROM_TITLE: "title", FROM_SIGNATURE: "signature block",
                            FROM_OWNER_COLUMN: "owner column"}[source])
            parties.extend(new)
    return parties, sources


def _mentions_role_only(party: Party) -> bool:
    """"Gemeente Dijkveld" names a party; "Stichting Zorg" with no capitalised name after
    the noun does not get this far, but "college van B&W" might."""
    return party.short_name.lower() in {"de gemeente", "gemeente", "het college"}


def _owner_cells(blocks: Sequence[Block]) -> Iterator[str]:
    for block in blocks:
        if block.kind != TABLE or not block.rows:
            continue
        columns = find_columns(block.rows)
        if columns is None or columns.owner is None:
            continue
        for row in block.rows[columns.header_row + 1:]:
            if columns.owner < len(row) and row[columns.owner].strip():
                yield row[columns.owner]


def _with_signatures(parties: list[Party], found: list[Signature]) -> list[Party]:
    """Signatory and function from the signature block; the block's function is the one
    printed under the name ("Wethouder Volkshuisvesting"), so it wins over the preamble's."""
    updated = []
    for party in parties:
        names = {alias.lower() for alias in aliases(party.name, party.short_name)}
        for signature in found:
            key = signature.party.strip().lower()
            key = re.sub(r"^(?:de|het)\s+(?=gemeente\b)", "", key)
            if key in names or key.removeprefix("de ") in names:
                party = replace(party, signatory=party.signatory or signature.person,
                                function=signature.function or party.function)
                break
        updated.append(party)
    return updated


def _with_short_names_from_use(parties: list[Party], texts: Sequence[str]) -> list[Party]:
    """A party found by its name only is called what the text calls it most: "De Linde" or
    "Woonstichting De Linde"; the municipality "de gemeente" when the text says so."""
    if all(p.source in (FROM_DEFINITION,) for p in parties):
        return parties
    body = "\n".join(texts).lower()
    updated = []
    for party in parties:
        if party.source == FROM_DEFINITION or (party.source == FROM_TABLE and party.short_name != bare_name(party.name)):
            updated.append(party)
            continue
        candidates = [party.short_name, party.name]
        if party.role == GEMEENTE:
            candidates = ["de gemeente", party.name]
        counts = Counter({c: len(re.findall(rf"(?<!\w){re.escape(c.lower())}(?!\w)", body)) for c in candidates})
        best = max(candidates, key=lambda c: (counts[c], -candidates.index(c)))
        updated.append(replace(party, short_name=best))
    return updated


# "SW en WV staan voor Sluiswonen en Voorde", "HBH staat voor Huurdersbelang Hazelbroek": a
# legend of the abbreviations an owner column uses.
_ABBREVIATIONS = r"(?P<abbreviations>\b[A-Z][A-Za-z]{0,5}\.?(?:\s*(?:,|en)\s*[A-Z][A-Za-z]{0,5}\.?)*)"
_STANDS_FOR = re.compile(rf"{_ABBREVIATIONS}\s+(?:staat|staan)\s+voor\s+(?P<names>[^.;:()]+)|"
                         rf"\b(?:staat|staan)\s+{_ABBREVIATIONS.replace('abbreviations', 'after')}\s+voor\s+"
                         r"(?P<names_after>[^.;:()]+)")
_LIST_SPLIT = re.compile(r"\s*,\s*|\s+en\s+")


def defined_abbreviations(texts: Sequence[str]) -> dict[str, str]:
    """Name (lower-cased) -> the abbreviations a legend gives it.

    >>> defined_abbreviations(["SW en WV staan voor Sluiswonen en Voorde."])
    {'sluiswonen': ('SW',), 'voorde': ('WV',)}
    """
    found: dict[str, tuple[str, ...]] = {}
    for text in texts:
        if " voor " not in text:
            continue
        for match in _STANDS_FOR.finditer(text):
            short = [part for part in _LIST_SPLIT.split(match.group("abbreviations") or match.group("after")) if part]
            names = [part for part in _LIST_SPLIT.split((match.group("names") or match.group("names_after")).strip())
                     if part]
            if len(short) == len(names):
                for abbreviation, name in zip(short, names):
                    name = re.sub(r"^(?:de|het)\s+", "", name.strip(), flags=re.IGNORECASE).lower()
                    found[name] = found.get(name, ()) + (abbreviation.rstrip("."),)
    return found


def aliases(name: str, short: str, abbreviations: dict[str, tuple[str, ...]] | None = None) -> tuple[str, ...]:
    """Spellings of a party: its legal name, short name, name without legal form, and the
    abbreviations a legend in the document gives any of them."""
    found = [name, short, bare_name(name)]
    for spelling in list(found):
        found.extend((abbreviations or {}).get(re.sub(r"^(?:de|het)\s+", "", spelling, flags=re.IGNORECASE).lower(), ()))
    if short.lower().startswith("de gemeente") or name.lower().startswith("gemeente"):
        found.append(re.sub(r"^gemeente\s+", "gemeente ", name, flags=re.IGNORECASE))
    seen: dict[str, str] = {}
    for alias in found:
        if alias:
            seen.setdefault(alias.lower(), alias)
    return tuple(seen.values())
