"""Party register, group words and owner attribution.

The parties themselves are found by pipeline/party_list.py. Mentions in headings and sentences resolve to short names through a PhraseMatcher over
every alias, plus the model's group words ("partijen" = all, "de corporaties" = every
corporation, ...).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, replace

from spacy.attrs import ORTH
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from pipeline.nlp import GROUPS_KEY, LEMMATIZER, QUANTITY_RULER
from pipeline.types import (
    CORPORATIE, GEMEENTE, HUURDERSORGANISATIE, OWNER_FROM_COLUMN, OWNER_FROM_HEADING,
    OWNER_FROM_LEAD_IN, OWNER_FROM_TEXT, OWNER_NONE, Commitment, Party,
)

# Prepositions that make a party mention an object or a place, not the one acting:
# "advies bij De Deelmacht", "afspraken met De Deelmacht". "door" marks the agent.
_NOT_AGENT_BEFORE = {
    "aan", "bij", "binnen", "conform", "in", "met", "na", "naar", "namens", "onder", "op",
    "over", "per", "richting", "rond", "rondom", "tegen", "tot", "tussen", "uit", "van",
    "vanuit", "voor", "zonder", "omtrent", "ten", "jegens",
}
# Words that make "gemeente" a place, not the party: "woningzoekenden uit de eigen gemeente".
_NOT_A_PARTY_BEFORE = {"eigen", "hele", "gehele", "andere", "omliggende", "naburige", "elke", "iedere", "welke",
                       "deze", "onze", "buur", "regio"}
_COORDINATORS = {"en", ",", "/", "of", "&"}
_SENTENCE_END_MARKS = {".", "!", "?", ";"}
_AGENT_MARK = "door"
_JOINT = re.compile(r"\bgezamenlijk|\bsamen\b|\btripartie?t", re.IGNORECASE)
# A lead-in that names who makes the list that follows: "Partijen maken hierover de
# volgende afspraken:", "De gemeente zegt daarnaast toe:", "Partijen spreken het volgende af:".
_LEAD_IN = re.compile(
    r"(afspraken|afspraak|prestaties|acties|maatregelen|inspanningen)\s*:\s*$|volgende\b.*:\s*$|"
    r"\b(?:zeggen|zegt)\b.*\btoe\s*:\s*$|\b(?:spreken|spreekt)\b.*\baf\s*:\s*$|"
    r"\b(?:komen|komt)\b.*\bovereen\s*:\s*$|\b(?:verplichten|verplicht)\s+(?:zich|zij|hij)\b.*:\s*$",
    re.IGNORECASE)

# What an owner column of a table says for "every party"; only the whole cell (or one
# of its parts) counts, since "allen" in a sentence rarely means the parties.
_EVERY_PARTY_CELL = re.compile(r"^(?:allen|alle partijen|iedereen|allemaal|gezamenlijk|samen|partijen)$",
                               re.IGNORECASE)
_CELL_PARTS = re.compile(r"\s*(?:[,;/+&\n]|\ben\b)\s*", re.IGNORECASE)
# Short forms an owner column uses for a group, as a whole part of the cell: "Gem.", "Corp.",
# "HO". (A party's initials, "DV" for De Volmacht, are read too: see PartyRegister.)
_CELL_ABBREVIATIONS = {
    **dict.fromkeys(("gem", "gmt"), GEMEENTE),
    **dict.fromkeys(("corp", "corpo", "corpn", "wc", "wbc", "woco", "wocos", "woco's"), CORPORATIE),
    **dict.fromkeys(("ho", "ho's", "hos", "hv", "hvs", "hv's", "hbv", "hbv's", "huurders", "hr", "br", "hb",
                     "huurdersraad", "bewonersraad"), HUURDERSORGANISATIE),
}

GROUP_ALL = "ALL"
GROUP_ROLES = {"CORPORATIES": CORPORATIE, "HUURDERSORGANISATIES": HUURDERSORGANISATIE,
               "GEMEENTE": GEMEENTE}
# Mentions read the group words only.
_NOT_FOR_MENTIONS = (LEMMATIZER, QUANTITY_RULER)


@dataclass(frozen=True)
class Mention:
    start: int  # token offsets in the doc
    end: int
    text: str
    parties: tuple[str, ...]  # short names it stands for


class PartyRegister:
    """The parties of one document and a matcher for their mentions.

    Built once per document from `find_parties`; the spaCy pipeline is passed in.
    """

    def __init__(self, parties: tuple[Party, ...], nlp: Language):
        self.parties = parties
        self.nlp = nlp
        self.all = tuple(p.short_name for p in parties)
        self._by_key: dict[str, str] = {}
        self._ends_sentence: dict[int, bool] = {}  # orth id -> ends a sentence, learnt per word
        self._lead_in_owners: dict[str, tuple[str, ...]] = {}
        self._matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        # A party's initials in an owner column ("DV" for De Volmacht, "ZW" for Woonstichting
        # Zandvliet Wonen), from any of its names, where no other party and no group
        # abbreviation has the same.
        keys = {p.short_name: {key for alias in p.aliases + (p.short_name,) if (key := _initials(alias))}
                for p in parties}
        initials = Counter(key for found in keys.values() for key in found)
        self._initials = {key.lower(): short for short, found in keys.items() for key in found
                          if initials[key] == 1 and key.lower() not in _CELL_ABBREVIATIONS}
        for party, names in _own_aliases(parties).items():
            key = f"PARTY:{party.short_name}"
            self._by_key[key] = party.short_name
            self._matcher.add(key, list(nlp.tokenizer.pipe(names)))

    def with_role(self, role: str) -> tuple[str, ...]:
        return tuple(p.short_name for p in self.parties if p.role == role)

    def _group(self, label: str) -> tuple[str, ...]:
        if label == GROUP_ALL:
            return self.all
        return self.with_role(GROUP_ROLES.get(label, ""))

    def mentions(self, doc: Doc) -> list[Mention]:
        """Party names and group words in a parsed text, longest first where they overlap."""
        spans = [Span(doc, s, e, label=self.nlp.vocab.strings[k]) for k, s, e in self._matcher(doc)]
        spans += doc.spans.get(GROUPS_KEY, [])
        result = []
        for span in sorted(filter_spans(spans), key=lambda s: s.start):
            label = span.label_
            parties = (self._by_key[label],) if label in self._by_key else self._group(label)
            if parties:
                result.append(Mention(span.start, span.end, span.text, parties))
        return result

    def parse(self, text: str) -> Doc:
        """`text` as a doc with its group words, all that `mentions` and `actors` read."""
        return self.nlp(text, disable=_NOT_FOR_MENTIONS)

    def heading_owners(self, heading: str) -> tuple[str, ...]:
        """Owners named by a section heading.

        "Prestaties Woonborg en De Volmacht 2021" -> ("Woonborg", "De Volmacht");
        "Gezamenlijke afspraken 2021" -> every party.
        """
        mentioned = self._ordered(p for m in self.mentions(self.parse(heading)) for p in m.parties)
        if not mentioned and _JOINT.search(heading):
            return self.all
        return mentioned

    def lead_in_owners(self, lead_in: str) -> tuple[str, ...]:
        """Owners named by a lead-in: "Partijen maken hierover de volgende afspraken:" -> every party.

        Every item of a list shares its lead-in, so each lead-in is read once. A paragraph that
        ends in ":" without announcing commitments ("Toelichting:") names none.
        """
        if lead_in not in self._lead_in_owners:
            self._lead_in_owners[lead_in] = self.actors(self.parse(lead_in)) if is_lead_in(lead_in) else ()
        return self._lead_in_owners[lead_in]

    def column_owners(self, cell: str) -> tuple[str, ...]:
        """Owners named by the owner column of a commitments table.

        "Corporaties" -> every corporation; "Vooruit, gemeente" -> both; "Allen" -> every party;
        "Gem. / HO" -> the municipality and every tenant organisation; "DV" -> De Volmacht;
        "Huurdersorganisati es" (broken in a narrow column) -> every tenant organisation.
        """
        parts = [part.strip(" .()").lower() for part in _CELL_PARTS.split(cell)]
        if any(_EVERY_PARTY_CELL.match(part) for part in parts if part):
            return self.all
        named = [p for m in self.mentions(self.parse(cell)) for p in m.parties]
        for part in parts:
            if part in _CELL_ABBREVIATIONS:
                named.extend(self.with_role(_CELL_ABBREVIATIONS[part]))
            elif part in self._initials:
                named.append(self._initials[part])
            elif len(parts) > 1 and (own := self.mentions(self.parse(part))):
                named.extend(p for m in own for p in m.parties)  # "SW/WV": one token for the whole cell
            elif " " in part and not self.mentions(self.parse(part)):
                # A word too wide for a narrow column is broken over two lines, which the
                # reader joins with a space: "Huurdersorganisati es".
                named.extend(p for m in self.mentions(self.parse(part.replace(" ", ""))) for p in m.parties)
        return self._ordered(named)

    def actors(self, doc: Doc) -> tuple[str, ...]:
        """Parties a text names as doing something: sentence subjects and "door X" agents.

        "De Volmacht hanteert ... advies bij De Deelmacht." -> ("De Volmacht",)
        """
        mentions = self.mentions(doc)
        if not mentions:
            return ()
        chosen: list[str] = []
        sentence_starts = self._sentence_starts(doc, mentions[-1].start)
        subject_taken: set[int] = set()
        previous_is_actor = False
        for i, mention in enumerate(mentions):
            if i and _are_coordinated(doc, mentions[i - 1], mention):
                is_actor = previous_is_actor  # "met huurdersorganisaties en gemeente"
            else:
                before = doc[mention.start - 1].lower_ if mention.start > 0 else ""
                sentence = sentence_starts[bisect_right(sentence_starts, mention.start) - 1]
                is_actor = before == _AGENT_MARK or (
                    before not in _NOT_AGENT_BEFORE and before not in _NOT_A_PARTY_BEFORE
                    and sentence not in subject_taken)
                if is_actor and before != _AGENT_MARK:
                    subject_taken.add(sentence)
            if is_actor:
                chosen.extend(mention.parties)
            previous_is_actor = is_actor
        return self._ordered(chosen)

    def _sentence_starts(self, doc: Doc, last: int) -> list[int]:
        """Token offsets up to `last` where a sentence starts: a capitalised word after ".",
        "!", "?", ";" or a word ending in "." ("2021. De gemeente", "o.a. Woonborg")."""
        ends = self._ends_sentence
        strings = self.nlp.vocab.strings
        starts = [0]
        for i, orth in enumerate(doc.to_array(ORTH)[:last].tolist()):
            end = ends.get(orth)
            if end is None:
                text = strings[orth]
                end = ends[orth] = text in _SENTENCE_END_MARKS or text.endswith(".")
            if end and (doc[i + 1].is_title or doc[i + 1].is_upper):
                starts.append(i + 1)
        return starts

    def _ordered(self, names) -> tuple[str, ...]:
        wanted = set(names)
        return tuple(p for p in self.all if p in wanted)


def _own_aliases(parties: tuple[Party, ...]) -> dict[Party, tuple[str, ...]]:
    """Each party's spellings, less those another party is called by: "Ravenhorst" is the
    corporation's short name, not the bare name of "Huurdersvereniging Ravenhorst"."""
    claimed = Counter(alias.lower() for party in parties for alias in set(a.lower() for a in party.aliases))
    own = {party.short_name.lower() for party in parties} | {party.name.lower() for party in parties}
    result = {}
    for party in parties:
        mine = {party.short_name.lower(), party.name.lower()}
        result[party] = tuple(alias for alias in party.aliases
                              if claimed[alias.lower()] == 1 and (alias.lower() not in own or alias.lower() in mine)
                              or alias.lower() in mine) or (party.short_name,)
    return result


def _initials(name: str) -> str:
    """The initials of a name of several words, as an owner column may write it; a short
    word in capitals is kept whole.

    >>> _initials("De Volmacht"), _initials("Woonborg"), _initials("AH WOON")
    ('DV', '', 'AHW')
    """
    words = re.findall(r"\w+", name)
    if len(words) < 2:
        return ""
    return "".join(word if word.isupper() and len(word) <= 3 else word[0] for word in words).upper()


def _are_coordinated(doc: Doc, first: Mention, second: Mention) -> bool:
    """"gemeente, De Volmacht en Woonborg": only coordinators and articles in between."""
    # Stops at the first other word: mentions may lie far apart.
    return second.start > first.end and all(
        token.lower_ in _COORDINATORS or token.lower_ in {"de", "het"} for token in doc[first.end:second.start])


def is_lead_in(text: str) -> bool:
    """A paragraph that introduces the list below it: "... de volgende afspraken:"."""
    return bool(_LEAD_IN.search(text))


def attribute_owners(commitment: Commitment, register: PartyRegister, doc: Doc,
                     lead_in_owners: tuple[str, ...] = ()) -> Commitment:
    """Set owners, owner_source and actors: a table's owner column first, then the
    heading, then the text, then a lead-in.

    `doc` is the commitment's text as parsed by `register.parse`. An owner column that
    names no known party ("Zorgpartijen") gives way to the other sources.
    """
    actors = register.actors(doc)
    column = register.column_owners(commitment.owner_column) if commitment.owner_column else ()
    if column:
        owners, source = column, OWNER_FROM_COLUMN
    elif commitment.section.heading_owners:
        owners, source = commitment.section.heading_owners, OWNER_FROM_HEADING
    elif actors:
        owners, source = actors, OWNER_FROM_TEXT
    elif lead_in_owners:
        owners, source = lead_in_owners, OWNER_FROM_LEAD_IN
    else:
        owners, source = (), OWNER_NONE
    return replace(commitment, owners=owners, owner_source=source, actors=actors)
