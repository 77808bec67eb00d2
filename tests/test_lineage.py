"""Lineage, review queue and corrections on a 4-year series rendered at test time
(tests/render/series.py: text, DOCX, text, and a PDF with one commitments table per theme).

Every chain is checked against the tracked edits: renumbering, rewording by a follow-up
action, splits, merges (one across the layout change), drops and news. Then a corrections
file pins the pair the matcher misses, forbids one it makes, sets owners, and holds one
correction whose text changed: the rerun applies what fits, reports the rest in issues.csv,
and reads no document again.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from pipeline.batch import run_batch
from pipeline.matching import ALIGN_CONFIDENCE, MERGED, MODIFIED, SPLIT
from pipeline.review import REVIEW_BELOW
from tests.render.series import (FOLLOW_UP_2022, FOLLOW_UP_2023, MISSED_2024, YEARS, Series, expected_chains)

FORBIDDEN = (2023, "50")  # a carried-over pair of 2022 -> 2023 the corrections say is not one
OWNED = (2024, "new-flexwonen", "Woonborg")  # owners set by a correction that fits
STALE = (2024, "31a")  # an owners correction written for the 2023 text of this item


def table(out: Path, name: str) -> list[dict[str, str]]:
    with (out / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def actual_chains(out: Path) -> set[tuple]:
    """(lineage_id, steps, start, end, parent, merged_into) of every chain in the outputs;
    steps are (year, commitment id or None, status)."""
    steps: dict[str, list[tuple]] = {}
    for row in table(out, "lineage_steps"):
        steps.setdefault(row["lineage_id"], []).append(
            (int(row["position"]), int(row["year"]), row["commitment_id"] or None, row["status"]))
    chains = set()
    for row in table(out, "lineage"):
        found = tuple((year, cid, status) for _, year, cid, status in sorted(steps[row["lineage_id"]]))
        chains.add((row["lineage_id"], found, row["start"], row["end"], row["parent"] or None,
                    row["merged_into"] or None))
    return chains


def as_ids(series: Series, chains) -> set[tuple]:
    """Expected chains (by idents) in the ids of the outputs."""
    cid = lambda year_ident: series.commitment_id(*year_ident) if year_ident else None  # noqa: E731
    found = set()
    for c in chains:
        steps = tuple((year, series.commitment_id(year, ident) if ident else None, status)
                      for year, ident, status in c.steps)
        found.add((steps[0][1], steps, c.start, c.end, cid(c.parent), cid(c.merged_into)))
    return found


def assert_chains(found: set, expected: set) -> None:
    missing, extra = sorted(expected - found), sorted(found - expected)
    assert not missing and not extra, f"missing: {missing[:5]}\nunexpected: {extra[:5]}"


def chain_of(out: Path, commitment_id: str) -> list[dict[str, str]]:
    """The steps of the chain a commitment is in, in series order."""
    steps = table(out, "lineage_steps")
    lineage_id = next(s["lineage_id"] for s in steps if s["commitment_id"] == commitment_id)
    return sorted((s for s in steps if s["lineage_id"] == lineage_id), key=lambda s: int(s["position"]))


@pytest.fixture(scope="module")
def run(four_years_run):
    result, out = four_years_run
    assert result.ok, result.failures
    return out


# --------------------------------------------------------------------------- the chains


def test_the_four_documents_form_one_series(four_years, run):
    documents = table(run, "documents")
    assert [(d["year"], d["format"], d["position"]) for d in documents] == [
        ("2021", "text", "1"), ("2022", "docx", "2"), ("2023", "text", "3"), ("2024", "pdf", "4")]
    assert len({d["series"] for d in documents}) == 1
    keys = [c["key"] for c in table(run, "commitments") if c["year"] == "2024"]
    assert keys == [four_years.keys[2024][i] for i in four_years.drafts[2024].idents()]  # "4.1/3": per table


def test_every_chain_through_the_four_years(four_years, run):
    assert_chains(actual_chains(run), as_ids(four_years, expected_chains(four_years)))


def test_splits_and_merges_shape_the_chains(four_years, run):
    cid = four_years.commitment_id
    split = chain_of(run, cid(2021, "16"))
    assert [(s["year"], s["commitment_id"], s["status"]) for s in split] == [
        ("2021", cid(2021, "16"), ""), ("2022", cid(2022, "16a"), SPLIT),
        ("2023", cid(2023, "16a"), "unchanged"), ("2024", cid(2024, "16a"), "unchanged")]
    lineage = {row["lineage_id"]: row for row in table(run, "lineage")}
    part = lineage[cid(2022, "16b")]
    assert (part["start"], part["parent"], part["first_year"]) == (SPLIT, cid(2021, "16"), "2022")
    merged_away = lineage[cid(2021, "71")]
    assert (merged_away["end"], merged_away["merged_into"], merged_away["last_year"]) == (
        MERGED, cid(2021, "70"), "2021")
    assert merged_away["status_2022"] == MERGED and not merged_away["commitment_2022"]
    # across the layout change: two items of running text become one table row
    layout = lineage[cid(2021, "66")]
    assert (layout["status_2024"], layout["commitment_2024"]) == (MERGED, cid(2024, "66+67"))
    assert lineage[cid(2021, "67")]["merged_into"] == cid(2021, "66")


def test_a_follow_up_action_continues_its_chain_with_low_confidence(four_years, run):
    cid = four_years.commitment_id
    for year, (ident, _, _) in ((2022, FOLLOW_UP_2022), (2023, FOLLOW_UP_2023)):
        step = next(s for s in chain_of(run, cid(year, ident)) if s["year"] == str(year))
        assert step["status"] == MODIFIED and float(step["confidence"]) <= ALIGN_CONFIDENCE
        assert "between matched neighbours" in step["reason"]
    renumbered = chain_of(run, cid(2021, "20"))
    assert [s["number"] for s in renumbered][:2] == ["20", "21"]  # an item inserted before it in 2022


def test_lineage_wide_table_database_and_package(four_years, run):
    import sqlite_utils
    from frictionless import Package

    rows = table(run, "lineage")
    assert list(rows[0])[-8:] == [f"{kind}_{year}" for year in YEARS for kind in ("commitment", "status")]
    commitments = {c["commitment_id"] for c in table(run, "commitments")}
    own = [s["commitment_id"] for s in table(run, "lineage_steps") if s["commitment_id"]]
    assert sorted(own) == sorted(commitments)  # every commitment in exactly one chain
    db = sqlite_utils.Database(run / "agreements.sqlite")
    assert db["lineage"].count == len(rows) and db["lineage_steps"].pks == ["step_id"]
    assert ("commitment_id", "commitments") in {(fk.column, fk.other_table) for fk in db["lineage_steps"].foreign_keys}
    report = Package(run / "datapackage.json").validate()
    assert report.valid, report.flatten(["title", "message"])[:5]


def test_monitor_has_a_lineage_sheet_with_a_column_per_year(four_years, run):
    from openpyxl import load_workbook

    book = load_workbook(run / "monitor.xlsx")
    assert book.sheetnames[:3] == ["changes", "Te controleren", "aa-en-hunze lineage"]
    sheet = book["aa-en-hunze lineage"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == [str(y) for y in YEARS] and "lineage_id" in header
    rows = [dict(zip(header, (c.value for c in row))) for row in sheet.iter_rows(min_row=2)]
    assert len(rows) == len(table(run, "lineage"))
    split = next(r for r in rows if r["lineage_id"] == four_years.commitment_id(2021, "16"))
    assert (split["2021"], split["2022"]) == ("16", f"{four_years.keys[2022]['16a']} (split)")
    dropped = next(r for r in rows if r["lineage_id"] == four_years.commitment_id(2021, "73"))
    assert (dropped["2022"], dropped["end"]) == ("dropped", "dropped")


# --------------------------------------------------------------------------- review queue


def test_review_queue_lists_the_least_sure_first(four_years, run):
    queue = table(run, "review")
    confidences = [float(r["confidence"]) for r in queue]
    assert confidences == sorted(confidences) and max(confidences) < REVIEW_BELOW
    assert [int(r["rank"]) for r in queue] == list(range(1, len(queue) + 1))
    low = [m for m in table(run, "matches") if float(m["confidence"]) <= ALIGN_CONFIDENCE]
    assert low, "the series has low-confidence pairs"
    listed = {(r["pair_id"], r["status"], r["old_key"] or "", r["new_key"] or "") for r in queue if r["kind"] == "match"}
    assert {(m["pair_id"], m["status"], (m["old_commitment_id"] or "#").split("#", 1)[1],
             (m["new_commitment_id"] or "#").split("#", 1)[1]) for m in low} <= listed
    # every one of them before anything surer
    last_low = max(i for i, r in enumerate(queue) if float(r["confidence"]) <= ALIGN_CONFIDENCE)
    assert all(float(r["confidence"]) > ALIGN_CONFIDENCE for r in queue[last_low + 1:])
    follow_up = next(r for r in queue if r["kind"] == "match" and r["new_key"] == four_years.keys[2022]["9"]
                     and r["pair_id"].endswith("2022"))
    assert "mutual nearest" in follow_up["why"] and follow_up["old_text_hash"] and follow_up["new_text_hash"]
    owner = next(r for r in queue if r["kind"] == "commitment")
    assert owner["why"] and owner["text_hash"] and owner["commitment_id"].startswith("aa-en-hunze-")

    from openpyxl import load_workbook
    sheet = load_workbook(run / "monitor.xlsx")["Te controleren"]
    header = [c.value for c in sheet[1]]
    assert [row[header.index("rank")].value for row in sheet.iter_rows(min_row=2)] == list(range(1, len(queue) + 1))
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref


# --------------------------------------------------------------------------- corrections


def hashes(out: Path) -> dict[str, str]:
    """commitment id -> text_hash, as a user copies it from commitments.csv."""
    return {c["commitment_id"]: c["text_hash"] for c in table(out, "commitments")}


@pytest.fixture(scope="module")
def corrected(four_years, run, settings, tmp_path_factory):
    """The run's inputs and outputs copied, a corrections.csv added to the inputs, run again."""
    folder = tmp_path_factory.mktemp("corrected")
    inputs, out = folder / "inputs", folder / "out"
    shutil.copytree(four_years.folder, inputs)
    shutil.copytree(run, out)
    cid, known = four_years.commitment_id, hashes(run)
    old_ident, new_ident, _ = MISSED_2024
    year, ident = FORBIDDEN
    stale_year, stale_ident = STALE
    owned_year, owned_ident, owner = OWNED
    doc = four_years.document
    lines = [
        "action,document,key,text_hash,value,new_document,new_key,new_text_hash,note",
        f"pin,{doc(2023)},{four_years.keys[2023][old_ident]},{known[cid(2023, old_ident)]},,"
        f"{doc(2024)},{four_years.keys[2024][new_ident]},{known[cid(2024, new_ident)]},same afspraak reworded",
        f"forbid,{doc(year - 1)},{four_years.keys[year - 1][ident]},{known[cid(year - 1, ident)]},,"
        f"{doc(year)},{four_years.keys[year][ident]},{known[cid(year, ident)]},",
        f"owners,{doc(owned_year)},{four_years.keys[owned_year][owned_ident]},"
        f"{known[cid(owned_year, owned_ident)]},{owner},,,,",
        # the hash of last year's text: that text has changed since
        f"owners,{doc(stale_year)},{four_years.keys[stale_year][stale_ident]},"
        f"{known[cid(stale_year - 1, stale_ident)]},Woonborg,,,,",
    ]
    (inputs / "corrections.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    reports = {p.relative_to(out): p.stat().st_mtime_ns for p in (out / "diffs").rglob("report.html")}
    result = run_batch(inputs, out, settings, workers=1, progress=False)
    return result, inputs, out, reports


def test_corrections_are_applied_without_reading_a_document_again(four_years, corrected):
    result, _, out, before = corrected
    assert (result.read, result.cached) == (0, 4)
    after = {p.relative_to(out): p.stat().st_mtime_ns for p in (out / "diffs").rglob("report.html")}
    untouched = [p for p in after if "2021__" in str(p)]  # no correction names 2021 or 2022 -> 2021
    assert untouched and all(after[p] == before[p] for p in untouched)
    assert all(after[p] != before[p] for p in after if p not in untouched)


def test_a_pin_pairs_what_the_matcher_missed_and_a_forbid_parts_what_it_paired(four_years, corrected, run):
    _, _, out, _ = corrected
    cid = four_years.commitment_id
    old_ident, new_ident, _ = MISSED_2024
    before = {(m["old_commitment_id"], m["new_commitment_id"]): m for m in table(run, "matches")}
    assert (cid(2023, old_ident), "") in before and ("", cid(2024, new_ident)) in before  # missed without help
    matches = {(m["old_commitment_id"], m["new_commitment_id"]): m for m in table(out, "matches")}
    pinned = matches[(cid(2023, old_ident), cid(2024, new_ident))]
    assert (pinned["status"], pinned["reason"], float(pinned["confidence"])) == (MODIFIED, "correction: pinned pair", 1.0)
    year, ident = FORBIDDEN
    assert (cid(year - 1, ident), cid(year, ident)) in before
    assert (cid(year - 1, ident), cid(year, ident)) not in matches
    parted = matches[(cid(year - 1, ident), "")]
    assert parted["status"] == "dropped" and parted["reason"].startswith(
        f"correction: not paired with new {four_years.keys[year][ident]}")
    assert matches[("", cid(year, ident))]["status"] == "new"
    pins = {2024: [(old_ident, new_ident)]}
    forbids = {year: [(ident, ident)]}
    assert_chains(actual_chains(out), as_ids(four_years, expected_chains(four_years, pins, forbids)))


def test_owners_set_by_a_correction_say_so_and_a_stale_one_is_reported(four_years, corrected):
    _, _, out, _ = corrected
    commitments = {c["commitment_id"]: c for c in table(out, "commitments")}
    owned_year, owned_ident, owner = OWNED
    owned = commitments[four_years.commitment_id(owned_year, owned_ident)]
    assert (owned["owners"], owned["owner_source"], owned["corrected"]) == (owner, "correction", "owners")
    stale = commitments[four_years.commitment_id(*STALE)]
    assert stale["owner_source"] != "correction" and not stale["corrected"]
    issues = [i for i in table(out, "issues") if i["kind"] == "stale-correction"]
    assert [(i["document"], i["key"], i["where"]) for i in issues] == [
        (four_years.document(STALE[0]), four_years.keys[STALE[0]][STALE[1]], "corrections.csv line 5")]
    assert "changed" in issues[0]["message"] and "not applied" in issues[0]["message"]


def test_without_the_corrections_file_the_first_results_return(four_years, corrected, run, settings):
    _, inputs, out, _ = corrected
    (inputs / "corrections.csv").unlink()
    result = run_batch(inputs, out, settings, workers=1, progress=False)
    assert result.read == 0
    for name in ("matches", "commitments", "lineage", "review"):
        assert table(out, name) == table(run, name), name


# --------------------------------------------------------------------------- small rules


def _member(document: str, year: int | None, position: int, keys: list[str]):
    from types import SimpleNamespace

    from pipeline.types import Commitment, Section
    commitments = tuple(Commitment(document, k, k, f"Afspraak {k}.", Section()) for k in keys)
    return SimpleNamespace(series="s", document=document, year=year, position=position,
                           extraction=SimpleNamespace(commitments=commitments))


def _pair(old, new, *relations):
    from types import SimpleNamespace
    rows = tuple({"status": s, "old_keys": list(o), "new_keys": list(n), "confidence": 0.9, "reason": "r"}
                 for s, o, n in relations)
    return SimpleNamespace(series="s", old=old, new=new, match_rows=rows)


def test_a_failed_diff_leaves_chains_unlinked_and_a_second_document_of_a_year_gets_its_own_label():
    from pipeline.lineage import UNLINKED, series_chains, step_labels

    a, b, c = _member("a", 2021, 1, ["1", "2"]), _member("b", 2021, 2, ["1", "2"]), _member("c", None, 3, ["1"])
    assert step_labels([a, b, c]) == ["2021", "2021_2", "position_3"]
    chains = series_chains([a, b, c], [_pair(a, b, ("unchanged", ["1"], ["2"]), ("unchanged", ["2"], ["1"]))])
    assert [(ch.lineage_id, ch.start, ch.end, [s.commitment_id for s in ch.steps]) for ch in chains] == [
        ("a#1", "first-year", UNLINKED, ["a#1", "b#2"]), ("a#2", "first-year", UNLINKED, ["a#2", "b#1"]),
        ("c#1", UNLINKED, "last-year", ["c#1"])]


def test_new_chains_are_drawn_after_the_chain_before_them_in_their_document():
    from pipeline.lineage import chart, series_chains

    a, b = _member("a", 2021, 1, ["1", "2"]), _member("b", 2022, 2, ["1", "2", "3"])
    chains = series_chains([a, b], [_pair(a, b, ("unchanged", ["1"], ["1"]), ("new", [], ["2"]),
                                          ("unchanged", ["2"], ["3"]))])
    assert [c.lineage_id for c in chains] == ["a#1", "b#2", "a#2"]
    picture = chart(chains, ["2021", "2022"])
    assert len(picture.marks) == 5 and len({m.y for m in picture.marks}) == 3


def test_review_ties_put_relations_before_commitments():
    from pipeline.review import review_queue

    rows = review_queue([{"confidence": 0.3, "kind": "commitment", "key": "1"},
                         {"confidence": 0.3, "kind": "match", "key": "2"},
                         {"confidence": 0.1, "kind": "commitment", "key": "3"}])
    assert [(r["rank"], r["key"]) for r in rows] == [(1, "3"), (2, "2"), (3, "1")]
