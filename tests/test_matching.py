"""Matching commitments across years: realistic year pairs built from the seed.

A year pair is the seed agreement (2021) and an edited copy (2022): the agreement year
moved, items inserted (so everything after them is renumbered), reworded, quantities
changed, thresholds indexed, an item moved to another section and owner, items dropped,
one split and two merged. Items are tracked by their 2021 number through the edits, so
every relation the matcher reports can be checked, not just counted.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.matching import (DROPPED, MERGED, MODIFIED, NEW, SPLIT, STATUSES, UNCHANGED,
                               MATCH_COLUMNS, Match, match_commitments, match_rows,
                               normalised_words, summarize, word_diff)
from pipeline.settings import Settings
from pipeline.types import Commitment, Section
from tests.render.source import parse
from tests.render.years import YearPair, pair_2021_2022, pair_2022_2023

def relations(matches: tuple[Match, ...]) -> set[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    return {(m.status, m.old_numbers, m.new_numbers) for m in matches}


def by_old(matches, number: str) -> Match:
    return next(m for m in matches if number in m.old_numbers)


def by_new(matches, number: str) -> Match:
    return next(m for m in matches if number in m.new_numbers)


def assert_relations(found: set, expected: set) -> None:
    missing, extra = sorted(expected - found), sorted(found - expected)
    assert not missing and not extra, f"missing: {missing}\nunexpected: {extra}"


# --------------------------------------------------------------------------- the year pairs


@pytest.fixture(scope="module")
def pair_a() -> YearPair:
    return pair_2021_2022()


@pytest.fixture(scope="module")
def matches_a(pair_a) -> tuple[Match, ...]:
    old, new = pair_a.commitments()
    return match_commitments(old, new, Settings(), 2021, 2022)


def test_every_relation_of_2021_to_2022(pair_a, matches_a):
    assert_relations(relations(matches_a), pair_a.expected())


def test_every_relation_of_2022_to_2023():
    pair = pair_2022_2023()
    old, new = pair.commitments()
    assert_relations(relations(match_commitments(old, new, Settings(), 2022, 2023)), pair.expected())


def test_every_item_appears_in_exactly_one_relation(pair_a, matches_a):
    old, new = pair_a.commitments()
    assert sorted(k for m in matches_a for k in m.old_keys) == sorted(c.key for c in old)
    assert sorted(k for m in matches_a for k in m.new_keys) == sorted(c.key for c in new)


def test_inserted_item_renumbers_what_follows(pair_a, matches_a):
    first = by_old(matches_a, "1")
    assert (first.status, first.renumbered) == (UNCHANGED, False)
    later = by_old(matches_a, "20")
    assert later.new_numbers == ("21",) and later.renumbered and later.status == UNCHANGED


def test_a_row_moving_in_a_table_without_numbers_is_no_renumbering():
    texts = ["De gemeente zet in 2024 twee energiecoaches in.", "De corporaties bouwen 40 woningen.",
             "Partijen evalueren de woonruimteverdeling."]

    def rows(year: int, numbers: list[str], order: list[int]) -> list[Commitment]:
        return [Commitment(f"a-{year}", number, number, texts[i], Section()) for number, i in zip(numbers, order)]

    old = rows(2024, ["T1.1", "T1.2", "T1.3"], [0, 1, 2])
    moved = match_commitments(old, rows(2025, ["T1.1", "T1.2", "T1.3"], [2, 0, 1]), Settings(), 2024, 2025)
    assert {(m.old_numbers, m.new_numbers, m.renumbered) for m in moved} == {
        (("T1.1",), ("T1.2",), False), (("T1.2",), ("T1.3",), False), (("T1.3",), ("T1.1",), False)}
    printed = match_commitments(old, rows(2025, ["7", "8", "9"], [0, 1, 2]), Settings(), 2024, 2025)
    assert not any(m.renumbered for m in printed)  # numbers printed only from 2025: none changed
    numbered = rows(2024, ["1", "2", "3"], [0, 1, 2])
    assert [m.renumbered for m in match_commitments(numbered, rows(2025, ["2", "3", "4"], [0, 1, 2]),
                                                    Settings(), 2024, 2025)] == [True] * 3
    from pipeline.report import report_row  # the report shows no point after a number never printed
    row = report_row(next(m for m in printed if m.old_numbers == ("T1.1",)))
    assert ([p.label for p in row.old], [p.label for p in row.new]) == (["T1.1"], ["7."])


def test_year_bump_is_a_carry_over(pair_a, matches_a):
    m = by_old(matches_a, "44")  # "in het eerste kwartaal van 2021" -> 2022
    assert (m.status, m.year_shift, m.similarity) == (UNCHANGED, True, 1.0)
    assert "[-2021-]{+2022+}" in m.diff_text
    assert by_old(matches_a, "1").year_shift is False  # no year in it


def test_changed_quantities_are_modified_and_listed(pair_a, matches_a):
    m = by_old(matches_a, "31")
    assert m.status == MODIFIED and m.year_shift
    assert m.quantity_changes == ("94 woningen → 110 woningen",)
    assert "[-94-]{+110+} woningen" in m.diff_text
    assert by_old(matches_a, "69").quantity_changes == ("38.000 euro → 40.000 euro",)


def test_indexed_thresholds_are_indexation_not_change(pair_a, matches_a):
    m12 = by_old(matches_a, "12")
    assert (m12.status, m12.indexation, m12.quantity_changes) == (UNCHANGED, True, ())
    assert m12.indexations == ("€ 663 → € 678 (tweede aftoppingsgrens 2020 → 2021)",)
    m14 = by_old(matches_a, "14")  # "€ 663 (prijspeil 2020)" -> "€ 678 (prijspeil 2021)"
    assert (m14.status, m14.indexation, m14.year_shift) == (UNCHANGED, True, True)
    m17 = by_old(matches_a, "17")
    assert m17.status == UNCHANGED and len(m17.indexations) == 5
    assert any("liberalisatiegrens 2020 → 2021" in i for i in m17.indexations)


def test_moved_item_reports_section_and_owner(pair_a, matches_a):
    m = by_old(matches_a, "19")
    assert m.status == UNCHANGED and m.new_numbers == (pair_a.number("new", "19"),)
    assert m.owner_change == "de gemeente → gezamenlijk"
    assert m.section_change == ("Betaalbaarheid › Prestaties gemeente 2021 → "
                                "Beschikbaarheid › Gezamenlijke prestaties 2022")
    assert by_old(matches_a, "18").section_change is None  # same section, year moved


def test_split_is_one_relation_with_both_parts(pair_a, matches_a):
    m = next(m for m in matches_a if m.status == SPLIT)
    assert m.old_keys == ("16",) and m.new_keys == (pair_a.number("new", "16a"), pair_a.number("new", "16b"))
    assert m.score >= Settings().split_threshold and m.year_shift
    row = match_rows([m])[0]
    assert row["old_key"] == "16" and row["new_key"] == list(m.new_keys)


def test_merge_is_one_relation_with_both_parts(pair_a, matches_a):
    m = next(m for m in matches_a if m.status == MERGED)
    assert m.old_keys == ("70", "71") and m.new_keys == (pair_a.number("new", "70+71"),)


def test_new_and_dropped_carry_their_closest_counterpart(pair_a, matches_a):
    dropped = by_old(matches_a, "75")
    assert dropped.status == DROPPED and dropped.new_keys == () and dropped.closest is not None
    assert 0 <= dropped.score < Settings().match_threshold


def test_rows_follow_the_new_document(pair_a, matches_a):
    positions = [int(m.new_numbers[0]) for m in matches_a if m.new_numbers]
    assert positions == sorted(positions)
    # a dropped item sits right after the relation of the item before it
    at = [i for i, m in enumerate(matches_a) if m.old_numbers == ("73",)][0]
    assert matches_a[at - 1].old_numbers == ("72",)


def test_summary_counts_every_status(pair_a, matches_a):
    summary = summarize(matches_a)
    assert list(summary) == list(STATUSES)
    assert {k: summary[k] for k in (SPLIT, MERGED, NEW, DROPPED)} == {SPLIT: 1, MERGED: 1, NEW: 2, DROPPED: 2}
    assert summary[MODIFIED] == 3
    assert sum(summary.values()) == len(matches_a)


def test_rows_have_every_column(matches_a):
    rows = match_rows(matches_a)
    assert all(list(row) == MATCH_COLUMNS for row in rows)
    for row in rows:
        assert 0.0 <= row["similarity"] <= 1.0 and 0.0 <= row["score"] <= 1.0


# --------------------------------------------------------------------------- matching rules


def test_matching_ignores_numbers_entirely():
    """Same texts, numbers shuffled: every pair is found by content."""
    old, _ = pair_2021_2022().commitments()
    shuffled = [replace(c, number=str(100 - i), key=str(100 - i))
                for i, c in enumerate(reversed(old))]
    found = match_commitments(old, shuffled, Settings())
    texts_old = {c.key: c.text for c in old}
    texts_new = {c.key: c.text for c in shuffled}
    assert all(m.status == UNCHANGED for m in found)
    assert all(texts_old[m.old_keys[0]] == texts_new[m.new_keys[0]] for m in found)


def test_assignment_is_global_not_greedy():
    """Greedy would give B's best partner to A (A's best too) and leave B unmatched."""
    def item(key: str, text: str) -> Commitment:
        return Commitment("d", key, key, text, Section(theme="4.1 Betaalbaarheid"), owners=("De Volmacht",))
    old = [item("1", "De Volmacht verbetert in 2021 veertien woningen naar energielabel A of beter"),
           item("2", "De Volmacht verbetert in 2021 veertien woningen")]
    new = [item("1", "De Volmacht verbetert in 2021 veertien woningen naar label A"),
           item("2", "De Volmacht verbetert in 2021 woningen naar energielabel A of beter")]
    found = match_commitments(old, new, Settings(), 2021, 2021)
    assert {(m.old_keys, m.new_keys) for m in found} == {(("1",), ("2",)), (("2",), ("1",))}


@pytest.mark.parametrize("threshold, status", [(0.55, MODIFIED), (0.95, None)])
def test_match_threshold_decides_what_is_the_same_afspraak(threshold, status):
    old = [Commitment("d", "1", "1", "De gemeente informeert de corporaties ieder kwartaal over de "
                      "voortgang van de huisvesting van vergunninghouders.", Section())]
    new = [Commitment("d", "1", "1", "De gemeente houdt de corporaties elk kwartaal op de hoogte van de "
                      "voortgang bij het huisvesten van vergunninghouders.", Section())]
    found = match_commitments(old, new, Settings(match_threshold=threshold))
    if status is None:
        assert {m.status for m in found} == {NEW, DROPPED}
    else:
        assert [m.status for m in found] == [status]


TEXT_40 = ("De huurdersorganisaties omarmen de Drentse energiedeel, mits de uitwerking hiervan niet leidt tot "
           "verhoging van de woonlasten. Huurdersorganisaties stimuleren het gebruik energiecoaches, die "
           "huurders kunnen ondersteunen bij energiebesparing en het treffen van duurzaamheidsmaatregelen.")


@pytest.mark.parametrize("edit, settings, status", [
    (("energiedeel", "energiedaal"), Settings(), UNCHANGED),  # a typo fixed
    (("energiedeel", "energiedaal"), Settings(modified_below=1.0), MODIFIED),
    (("mits de uitwerking hiervan niet", "mits de uitwerking hiervan"), Settings(), MODIFIED),  # meaning flips
    (("stimuleren", "ontmoedigen"), Settings(), MODIFIED),
])
def test_respelling_is_unchanged_but_a_word_is_a_modification(edit, settings, status):
    old = [Commitment("d", "40", "40", TEXT_40, Section())]
    new = [Commitment("d", "40", "40", TEXT_40.replace(*edit), Section())]
    assert [m.status for m in match_commitments(old, new, settings)] == [status]


@pytest.mark.parametrize("count", [3, 120])  # 120: more than MAX_CANDIDATES per item
def test_identical_items_keep_document_order(count):
    same = "De corporaties leveren een bijdrage aan de afstemming wonen en zorg."
    old = [Commitment("d", str(n), str(n), same, Section()) for n in range(1, count + 1)]
    found = match_commitments(old, old, Settings())
    assert [(m.status, m.old_keys, m.new_keys) for m in found] == [
        (UNCHANGED, (str(n),), (str(n),)) for n in range(1, count + 1)]


def test_empty_sides():
    one = [Commitment("d", "1", "1", "De gemeente bouwt.", Section())]
    assert match_commitments([], [], Settings()) == ()
    assert [m.status for m in match_commitments(one, [], Settings())] == [DROPPED]
    assert [m.status for m in match_commitments([], one, Settings())] == [NEW]


@pytest.mark.parametrize("text, year, words", [
    ("In 2021 en 2022 (prijspeil 2020)", 2021, ["in", "jaar+0", "en", "jaar+1", "prijspeil", "jaar-1"]),
    ("energieneutraal in 2040", 2021, ["energieneutraal", "in", "2040"]),
    ("Zoals benoemd in afspraak 45.", 2021, ["zoals", "benoemd", "in", "afspraak", "#"]),
    ("circa 1.500 woningen; € 663,-", None, ["circa", "1500", "woningen", "euro", "663"]),
])
def test_normalised_words(text, year, words):
    assert normalised_words(text, year) == words


def test_word_diff_marks_inside_the_sentence():
    d = word_diff(["De Volmacht verbetert 94 woningen naar label A."],
                  ["De Volmacht renoveert 110 woningen naar label A in 2022."])
    # a replacement of as many words is shown word by word, so a year and a number stay apart
    assert d.text == "De Volmacht [-verbetert-]{+renoveert+} [-94-]{+110+} woningen naar label A {+in 2022+}."
    assert ("delete", "94") in d.segments and ("insert", "110") in d.segments
    assert [op for op, _ in d.old_pieces[0]] == ["equal", "delete", "equal", "delete", "equal"]
    d = word_diff(["Partijen informeren elkaar."], ["Partijen houden elkaar op de hoogte."])
    assert d.text == "Partijen [-informeren-]{+houden+} elkaar {+op de hoogte+}."


def test_carried_over_edits_are_marked_apart():
    from pipeline.matching import carried_opcodes

    d = word_diff(["tot € 663 in 2021 met 94 woningen"], ["tot € 678 in 2022 met 110 woningen"])
    carried = carried_opcodes(d, 2021, 2022)
    assert [text for op, text in d.side_pieces("new", carried)[0] if op == "carried"] == ["678", "2022"]
    assert [text for op, text in d.side_pieces("new", carried)[0] if op == "insert"] == ["110"]


def test_split_parts_keep_their_own_texts():
    d = word_diff(["Eerste zin over huur. Tweede zin over bouwen."],
                  ["Eerste zin over huur.", "Tweede zin over bouwen."])
    assert len(d.new_pieces) == 2
    assert all(op == "equal" for piece in d.new_pieces for op, _ in piece)
    assert "\n" in "".join(text for _, text in d.segments)


# --------------------------------------------------------------------------- through the real stages


def test_pdf_one_year_docx_the_next(tmp_path, settings, nlp):
    """The 2021 agreement as a PDF, the 2022 one as a Word document: the same relations."""
    from pipeline.diff import diff
    from pipeline.run import extract_document
    from tests.render.docx import render_docx
    from tests.render.pdf import render_pdf

    pair = pair_2021_2022()
    old_text, new_text = pair.texts()
    old = extract_document(render_pdf(parse(old_text), tmp_path / "aa-en-hunze-2021.pdf"), settings, nlp)
    new = extract_document(render_docx(parse(new_text), tmp_path / "aa-en-hunze-2022.docx"), settings, nlp)
    assert (old.document.format, new.document.format, old.year, new.year) == ("pdf", "docx", 2021, 2022)
    result = diff(old, new, settings)
    assert_relations(relations(result.matches), pair.expected())
    moved = by_old(result.matches, "19")
    assert moved.owner_change == "de gemeente → gezamenlijk" and moved.section_change
    assert by_old(result.matches, "12").indexation


def test_extract_folder_round_trip(seed_extraction, tmp_path):
    """A folder `agreements extract` wrote reads back as the same commitments and parties."""
    from pipeline.diff import load_extraction_folder
    from pipeline.export import write_extractions

    write_extractions([seed_extraction], tmp_path)
    loaded = load_extraction_folder(tmp_path)
    assert loaded.year == seed_extraction.year == 2021
    assert loaded.document.id == seed_extraction.document.id
    assert loaded.parties == seed_extraction.parties
    assert loaded.commitments == seed_extraction.commitments


def test_extract_folder_errors(seed_extraction, tmp_path):
    from pipeline.diff import load_extraction_folder
    from pipeline.errors import UnreadableDocumentError
    from pipeline.export import write_extractions

    with pytest.raises(UnreadableDocumentError, match="no commitments.jsonl here: pass a folder written by"):
        load_extraction_folder(tmp_path)
    other = replace(seed_extraction, document=replace(seed_extraction.document, id="other-2022"),
                    commitments=tuple(replace(c, document="other-2022") for c in seed_extraction.commitments))
    write_extractions([seed_extraction, other], tmp_path)
    with pytest.raises(UnreadableDocumentError, match="holds 2 documents .*extract each year into its own folder"):
        load_extraction_folder(tmp_path)
    assert load_extraction_folder(tmp_path, "other-2022").document.id == "other-2022"
    with pytest.raises(UnreadableDocumentError, match="document 'x' is not in commitments.jsonl"):
        load_extraction_folder(tmp_path, "x")


def test_write_diff_writes_tables_and_report(pair_a, tmp_path):
    import json

    import pandas as pd

    from pipeline.diff import diff, format_summary, write_diff
    from pipeline.types import Document, Extraction

    old, new = pair_a.commitments()
    result = diff(*(Extraction(Document(Path(f"{y}.txt"), f"aa-en-hunze-{y}", "text", ()), y, (), tuple(cs))
                    for cs, y in ((old, 2021), (new, 2022))), Settings())
    written = write_diff(result, tmp_path / "diff-2021-2022")
    assert sorted(p.name for p in written) == ["issues.csv", "matches.csv", "matches.jsonl", "matches.parquet",
                                               "report.html", "review.csv"]
    lines = (tmp_path / "diff-2021-2022" / "matches.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    assert len(rows) == len(result.matches) and list(rows[0]) == MATCH_COLUMNS
    split = next(r for r in rows if r["status"] == SPLIT)
    assert split["old_key"] == "16" and len(split["new_key"]) == 2
    frame = pd.read_parquet(tmp_path / "diff-2021-2022" / "matches.parquet")
    assert list(frame.columns) == MATCH_COLUMNS and len(frame) == len(rows)
    csv_frame = pd.read_csv(tmp_path / "diff-2021-2022" / "matches.csv")
    assert csv_frame.loc[csv_frame["status"] == SPLIT, "new_key"].item().count("; ") == 1
    assert format_summary(result.summary).startswith(f"{len(rows)} relations: ")


# --------------------------------------------------------------------------- scoring is exact


def test_bounding_pass_finds_exactly_the_pairs_exact_scoring_finds(pair_a):
    """The byte-coded cdist only bounds the score; the candidates must equal scoring every
    pair exactly (and a tiny byte vocabulary forces many shared codes)."""
    import numpy as np
    from rapidfuzz import fuzz, process

    from pipeline import matching

    old, new = pair_a.commitments()
    settings = Settings()
    old_side, new_side, owner_sets = matching.prepare_sides(old, new, 2021, 2022)
    tiny = matching.ByteCodes([], own=0)  # every word hashed into 256 shared codes
    cramped = [
        replace_side(side, tuple(tiny.encode(w) for w in words))
        for side, words in ((old_side, [normalised_words(c.text, 2021, c.number) for c in old]),
                            (new_side, [normalised_words(c.text, 2022, c.number) for c in new]))]
    for sides in ((old_side, new_side), cramped):
        found = matching.score_candidates(*sides, owner_sets, settings)
        text = process.cdist(old_side.codes, new_side.codes, scorer=fuzz.ratio, dtype=np.uint8) / np.float32(100)
        overlap = matching.owner_overlap_table(owner_sets)
        rows, cols = np.indices(text.shape)
        context = matching.pairs_context(old_side, new_side, rows.ravel(), cols.ravel(), overlap).reshape(text.shape)
        blended = (1 - settings.context_weight) * text + settings.context_weight * context
        expected = set(zip(*np.nonzero(blended >= settings.match_threshold)))
        assert set(zip(found.rows.tolist(), found.cols.tolist())) == {(int(i), int(j)) for i, j in expected}


def replace_side(side, byte_codes):
    return replace(side, byte_codes=byte_codes)


@pytest.mark.parametrize("seed", range(6))
def test_random_edits_keep_every_item_in_one_relation(seed):
    """Items dropped, duplicated with edits, split, merged and shuffled at random."""
    import random

    rng = random.Random(seed)
    old, _ = pair_2021_2022().commitments()
    new: list[Commitment] = []
    for c in old:
        roll = rng.random()
        if roll < 0.1:
            continue
        text = c.text.replace("2021", "2022")
        if roll < 0.2 and ". " in text:
            first, rest = text.split(". ", 1)
            new += [replace(c, text=first + "."), replace(c, text=rest)]
        elif roll < 0.25 and new:
            last = new.pop()
            new.append(replace(last, text=f"{last.text} {text}"))
        else:
            new.append(replace(c, text=text))
            if roll > 0.95:
                words = text.split()
                words[rng.randrange(len(words))] = "aanvullend"
                new.append(replace(c, text=" ".join(words)))
    rng.shuffle(new)
    new = [replace(c, number=str(n), key=str(n)) for n, c in enumerate(new, start=1)]
    found = match_commitments(old, new, Settings(), 2021, 2022)
    assert sorted(k for m in found for k in m.old_keys) == sorted(c.key for c in old)
    assert sorted(k for m in found for k in m.new_keys) == sorted(c.key for c in new)
    assert {m.status for m in found} <= set(STATUSES)
    for m in found:
        assert len(m.old_keys) >= (2 if m.status == MERGED else 1 if m.status != NEW else 0)
        assert len(m.new_keys) >= (2 if m.status == SPLIT else 1 if m.status != DROPPED else 0)


def test_diff_takes_the_years_from_the_document_ids_when_the_text_has_none():
    from pipeline.diff import diff
    from pipeline.types import Document, Extraction

    def extraction(year: int, text: str) -> Extraction:
        item = Commitment(f"x-{year}", "1", "1", text, Section())
        return Extraction(Document(Path(f"x-{year}.txt"), f"x-{year}", "text", ()), None, (), (item,))

    result = diff(extraction(2021, "Partijen overleggen in 2021 over de huren."),
                  extraction(2022, "Partijen overleggen in 2022 over de huren."), Settings())
    assert result.years == (2021, 2022)
    assert [(m.status, m.year_shift) for m in result.matches] == [(UNCHANGED, True)]


# --------------------------------------------------------------------------- evidence beyond the text


def _item(document: str, number: str, text: str, section: str = "Betaalbaarheid",
          owners: tuple[str, ...] = ("de gemeente",), theme: str = "Wonen") -> Commitment:
    return Commitment(document, number, number, text, Section(theme=theme, section=section), owners=owners)


_BEFORE = "Partijen overleggen ieder kwartaal bestuurlijk over de voortgang van alle afspraken uit dit document."
_AFTER = "De corporaties leveren voor 1 juli een overzicht van hun voorgenomen activiteiten voor het volgende jaar."


@pytest.mark.parametrize("old_text, new_text", [
    # reworded by the follow-up action: far apart in words, but between matched neighbours,
    # in the same section, by the same owners
    ("In 2021 onderzoeken partijen de mogelijkheden om tot meerjarige prestatieafspraken en kaderafspraken te komen.",
     "In 2022 stellen partijen meerjarige kaderafspraken op en leggen die voor aan de gemeenteraad."),
    ("De gemeente wil samen met de corporaties inhoud geven aan een in 2021 op te stellen warmtetransitieplan.",
     "De gemeente stelt in 2022 samen met de corporaties de Transitievisie Warmte vast."),
])
def test_a_reworded_item_between_matched_neighbours_is_modified_with_low_confidence(old_text, new_text):
    old = [_item("a", "1", _BEFORE), _item("a", "2", old_text), _item("a", "3", _AFTER)]
    new = [_item("b", "1", _BEFORE), _item("b", "2", new_text), _item("b", "3", _AFTER)]
    found = match_commitments(old, new, Settings(), 2021, 2022)
    middle = by_old(found, "2")
    assert (middle.status, middle.new_numbers) == (MODIFIED, ("2",))
    assert middle.confidence <= 0.35 and "between matched neighbours" in middle.reason
    assert all(m.confidence > 0.9 for m in found if m is not middle)


def test_a_low_likeness_without_more_evidence_stays_new_and_dropped():
    """Another section and other owners: the neighbours alone do not make a pair."""
    old = [_item("a", "1", _BEFORE), _item("a", "2", "De gemeente stelt het minimabeleid in 2021 bij."),
           _item("a", "3", _AFTER)]
    new = [_item("b", "1", _BEFORE),
           _item("b", "2", "Woonborg bouwt in 2022 veertig woningen in Gieten.", section="Nieuwbouw",
                 owners=("Woonborg",)), _item("b", "3", _AFTER)]
    found = match_commitments(old, new, Settings(), 2021, 2022)
    assert {m.status for m in found if m.old_numbers == ("2",) or m.new_numbers == ("2",)} == {NEW, DROPPED}


def test_pins_and_forbids_are_obeyed():
    old = [_item("a", "1", _BEFORE), _item("a", "2", _AFTER)]
    new = [_item("b", "1", _BEFORE), _item("b", "2", _AFTER)]
    found = match_commitments(old, new, Settings(), 2021, 2022, pins=[("1", "2")], forbids=[("2", "2")])
    pinned = by_old(found, "1")
    assert pinned.new_numbers == ("2",) and pinned.reason == "correction: pinned pair" and pinned.confidence == 1.0
    assert {m.status for m in found if m is not pinned} == {NEW, DROPPED}


def test_confidence_follows_the_margin_to_the_runner_up():
    """Two near copies of one old item: whichever is chosen, the pair is unsure."""
    old = [_item("a", "1", "De gemeente verstrekt jaarlijks een bijdrage aan het noodfonds voor huurders.")]
    new = [_item("b", "1", "De gemeente verstrekt jaarlijks een bijdrage aan het noodfonds voor huurders."),
           _item("b", "2", "De gemeente verstrekt jaarlijks een bijdrage aan het noodfonds voor alle huurders.")]
    paired = next(m for m in match_commitments(old, new, Settings(), 2021, 2022) if m.old_numbers)
    assert paired.confidence < 0.7 and "margin 0.0" in paired.reason
    sure = match_commitments(old, new[:1], Settings(), 2021, 2022)[0]
    assert sure.confidence == 1.0


def test_a_merge_across_a_layout_change_is_found():
    """Two items of running text become one table row that also says who and when."""
    old = [_item("a", "1", "De corporaties verduurzamen in 2021 samen 300 woningen naar ten minste label B."),
           _item("a", "2", "De corporaties plaatsen in 2021 zonnepanelen op 150 woningen zonder huurverhoging.")]
    new = [_item("b", "B1", "De corporaties verduurzamen in 2022 samen 300 woningen naar ten minste label B en "
                            "plaatsen zonnepanelen op 150 woningen zonder huurverhoging; de huurders worden vooraf "
                            "per brief en op een bewonersavond geïnformeerd over de planning van de werkzaamheden.")]
    found = match_commitments(old, new, Settings(), 2021, 2022)
    assert [(m.status, m.old_numbers) for m in found] == [(MERGED, ("1", "2"))]
