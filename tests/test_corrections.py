"""corrections.csv: reading (errors pinned), applying to an extraction and to a pair, and
the CLI picking the file up beside the inputs. The batch side (cache keys, reruns) is in
tests/test_lineage.py."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.corrections import (BAD, REMOVED, STALE, Corrections, PairCorrections, correct_extraction,
                                  pair_corrections, read_corrections, text_hash)
from pipeline.diff import diff
from pipeline.errors import AgreementError
from pipeline.matching import DROPPED, MODIFIED, NEW
from pipeline.settings import Settings
from pipeline.types import Document, Extraction
from tests.render.years import pair_2021_2022

HEADER = "action,document,key,text_hash,value,new_document,new_key,new_text_hash,note"


def write(folder: Path, *lines: str) -> Path:
    path = folder / "corrections.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def commitment(extraction: Extraction, key: str):
    return next(c for c in extraction.commitments if c.key == key)


@pytest.mark.parametrize("lines, message", [
    (["action,document,key\npin,a,1"], r"corrections lack the column\(s\) text_hash; expected a CSV header action,"),
    ([f"{HEADER}\nrename,a,1,abcdef012345"], r"line 2: action must be one of pin, forbid, owners, theme, "
                                             r"not-a-commitment, not 'rename'"),
    ([f"{HEADER}\nowners,a,1,,Woonborg"], r"line 2: text_hash is empty; copy it from the text_hash column"),
    ([f"{HEADER}\nowners,a,1,xyz,Woonborg"], r"line 2: text_hash must be hex digits \(the text_hash column\), not 'xyz'"),
    ([f"{HEADER}\n\npin,a,1,abcdef012345,,b,2"], r"line 3: new_text_hash is empty"),
    ([f"{HEADER}\ntheme,a,1,abcdef012345"], r"line 2: value is empty \(the theme to set\)"),
])
def test_bad_corrections_files_are_one_clear_error(tmp_path, lines, message):
    path = tmp_path / "corrections.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(AgreementError, match=message):
        read_corrections(path)


def test_the_text_hash_ignores_case_and_white_space_only():
    assert text_hash("De gemeente bouwt\n 40  woningen.") == text_hash("de gemeente bouwt 40 woningen.")
    assert text_hash("De gemeente bouwt 40 woningen.") != text_hash("De gemeente bouwt 41 woningen.")


def test_owners_theme_and_removal_are_applied_and_say_so(seed_extraction, tmp_path):
    no_owner, theme, gone = (commitment(seed_extraction, k) for k in ("63", "12", "76"))
    assert no_owner.owner_source == "none" and no_owner.confidence == 0.3
    corrections = read_corrections(write(
        tmp_path,
        f"owners,aa-en-hunze-2021,63,{text_hash(no_owner.text)},De Deelmacht; woonborg,,,,",
        f"theme,aa-en-hunze-2021,12,{text_hash(theme.text)},4.2 Beschikbaarheid,,,,",
        f"not-a-commitment,aa-en-hunze-2021,76,{text_hash(gone.text)[:8].upper()},,,,,\"an outlook, no afspraak\"",
        f"owners,other-2021,1,{text_hash('x')},Woonborg,,,,"))
    corrected = correct_extraction(seed_extraction, corrections)
    owned = commitment(corrected, "63")
    assert (owned.owners, owned.owner_source, owned.corrected) == (("De Deelmacht", "Woonborg"), "correction", ("owners",))
    assert (owned.confidence, owned.doubts) == (1.0, ())
    themed = commitment(corrected, "12")
    assert (themed.section.theme, themed.corrected, themed.owners) == ("4.2 Beschikbaarheid", ("theme",), theme.owners)
    assert "76" not in {c.key for c in corrected.commitments} and len(corrected.commitments) == 75
    kinds = [(i.kind, i.key) for i in corrected.issues]
    assert ("no-owner", "63") not in kinds and (REMOVED, "76") in kinds
    removed = next(i for i in corrected.issues if i.kind == REMOVED)
    assert removed.where == "corrections.csv line 4" and "an outlook, no afspraak" in removed.message
    assert seed_extraction.commitments[62].owner_source == "none"  # the extraction itself is left alone


def test_a_correction_that_no_longer_fits_is_an_issue_not_a_change(seed_extraction, tmp_path):
    item = commitment(seed_extraction, "12")
    corrections = read_corrections(write(
        tmp_path,
        f"theme,aa-en-hunze-2021,12,{text_hash(item.text.replace('85%', '90%'))},Wonen,,,,",
        f"not-a-commitment,aa-en-hunze-2021,99,{text_hash('x')},,,,,",
        f"owners,aa-en-hunze-2021,12,{text_hash(item.text)},Woonborg; De Vaart,,,,"))
    corrected = correct_extraction(seed_extraction, corrections)
    assert corrected.commitments == seed_extraction.commitments
    issues = [(i.kind, i.key, i.where) for i in corrected.issues[len(seed_extraction.issues):]]
    assert issues == [(STALE, "12", "corrections.csv line 2"), (STALE, "99", "corrections.csv line 3"),
                      (BAD, "12", "corrections.csv line 4")]
    messages = [i.message for i in corrected.issues[len(seed_extraction.issues):]]
    assert f"its text_hash is now {text_hash(item.text)}" in messages[0]
    assert "has no commitment 99" in messages[1]
    assert "'De Vaart', no party of aa-en-hunze-2021" in messages[2]


def _extraction(commitments, year: int) -> Extraction:
    return Extraction(Document(Path(f"aa-en-hunze-{year}.txt"), f"aa-en-hunze-{year}", "text", ()), year, (),
                      tuple(commitments))


def test_pins_and_forbids_reach_the_matcher_and_are_named_in_the_reasons(tmp_path):
    pair = pair_2021_2022()
    old, new = (_extraction(cs, y) for cs, y in zip(pair.commitments(), (2021, 2022)))
    plain = diff(old, new, Settings())
    dropped = next(m for m in plain.matches if m.status == DROPPED)  # 73: nothing like it in 2022
    added = next(m for m in plain.matches if m.status == NEW)
    carried = next(m for m in plain.matches if m.old_keys == ("2",))
    texts = {("old", c.key): c.text for c in old.commitments} | {("new", c.key): c.text for c in new.commitments}
    h = lambda side, key: text_hash(texts[(side, key)])  # noqa: E731
    (o, ), (n, ), (co, ), (cn, ) = dropped.old_keys, added.new_keys, carried.old_keys, carried.new_keys
    corrections = read_corrections(write(
        tmp_path,
        f"pin,aa-en-hunze-2021,{o},{h('old', o)},,aa-en-hunze-2022,{n},{h('new', n)},",
        f"forbid,aa-en-hunze-2021,{co},{h('old', co)},,aa-en-hunze-2022,{cn},{h('new', cn)},",
        f"pin,aa-en-hunze-2021,{o},{h('old', o)},,aa-en-hunze-2022,{cn},{h('new', cn)},",  # a second pin of o
        f"pin,aa-en-hunze-2021,1,{h('old', '2')},,aa-en-hunze-2022,1,{h('new', '1')},"))  # 1's text is not 2's
    fixes, issues = pair_corrections(corrections, old, new)
    assert fixes == PairCorrections(pins=((o, n),), forbids=((co, cn),))
    assert [(i.kind, i.where) for i in issues] == [(BAD, "corrections.csv line 4"), (STALE, "corrections.csv line 5")]
    result = diff(old, new, Settings(), fixes, issues)
    pinned = next(m for m in result.matches if m.old_keys == (o,))
    assert (pinned.status, pinned.new_keys, pinned.reason) == (MODIFIED, (n,), "correction: pinned pair")
    parted = [m for m in result.matches if m.old_keys == (co,) or m.new_keys == (cn,)]
    assert sorted(m.status for m in parted) == [DROPPED, NEW]
    assert all(m.reason.startswith("correction: not paired with ") for m in parted)
    assert {i.where for i in result.issues} >= {"corrections.csv line 4", "corrections.csv line 5"}
    assert pair_corrections(Corrections(), old, new) == (PairCorrections(), ())


def test_extract_and_diff_pick_up_the_corrections_beside_the_inputs(seed_extraction, model_path, tmp_path):
    seed = tmp_path / "aa-en-hunze-2021.txt"
    seed.write_text(Path(seed_extraction.document.path).read_text(encoding="utf-8"), encoding="utf-8")
    later = tmp_path / "aa-en-hunze-2022.txt"
    later.write_text(pair_2021_2022().texts()[1], encoding="utf-8")
    item = commitment(seed_extraction, "63")
    write(tmp_path, f"owners,aa-en-hunze-2021,63,{text_hash(item.text)},de gemeente,,,,",
          f"owners,aa-en-hunze-2021,62,{text_hash(item.text)},de gemeente,,,,")
    runner = CliRunner()
    result = runner.invoke(main, ["extract", str(seed), "--out", str(tmp_path / "x"), "--model", str(model_path)])
    assert result.exit_code == 0, result.output
    assert "1 correction not applied (see issues.csv)" in result.output
    rows = {r["key"]: r for r in csv.DictReader((tmp_path / "x" / "commitments.csv").open(encoding="utf-8"))}
    assert (rows["63"]["owner_source"], rows["63"]["corrected"], rows["63"]["text_hash"]) == (
        "correction", "owners", text_hash(item.text))
    issues = list(csv.DictReader((tmp_path / "x" / "issues.csv").open(encoding="utf-8")))
    assert [(i["kind"], i["key"]) for i in issues] == [(STALE, "62")]
    review = list(csv.DictReader((tmp_path / "x" / "review.csv").open(encoding="utf-8")))
    assert "63" not in {r["key"] for r in review}  # no longer in doubt

    other = write(tmp_path / "x", f"forbid,aa-en-hunze-2021,1,{rows['1']['text_hash']},,aa-en-hunze-2022,1,"
                                  f"{text_hash('not the text of 2022 item 1')},")
    result = runner.invoke(main, ["diff", str(tmp_path / "x"), str(later), "--out", str(tmp_path / "d"),
                                  "--corrections", str(other), "--model", str(model_path)])
    assert result.exit_code == 0, result.output
    issues = list(csv.DictReader((tmp_path / "d" / "issues.csv").open(encoding="utf-8")))
    assert [(i["kind"], i["where"]) for i in issues if i["kind"] == STALE] == [(STALE, "corrections.csv line 2")]
    review = list(csv.DictReader((tmp_path / "d" / "review.csv").open(encoding="utf-8")))
    assert review and [float(r["confidence"]) for r in review] == sorted(float(r["confidence"]) for r in review)
    assert {"match", "commitment"} == {r["kind"] for r in review}


def test_an_unreadable_corrections_file_stops_extract_with_one_error(seed_path, model_path, tmp_path):
    bad = tmp_path / "corrections.csv"
    bad.write_text("action,document\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["extract", str(seed_path), "--out", str(tmp_path / "x"),
                                       "--corrections", str(bad), "--model", str(model_path)])
    assert result.exit_code == 2
    assert f"Error: {bad}: corrections lack the column(s) key, text_hash" in result.output


def test_a_forbid_inside_a_split_is_reported():
    from pipeline.corrections import forbidden_in_groups

    pair = pair_2021_2022()
    old, new = (_extraction(cs, y) for cs, y in zip(pair.commitments(), (2021, 2022)))
    split = next(m for m in diff(old, new, Settings()).matches if m.status == "split")
    fixes = PairCorrections(forbids=((split.old_keys[0], split.new_keys[1]),))
    [issue] = forbidden_in_groups([replace(split)], fixes, "aa-en-hunze-2021")
    assert issue.kind == BAD and "split relation" in issue.message
