"""Batch: discovery, series, cache, errors, and every published output, on a small corpus
rendered at test time:

    corpus/aa-en-hunze/aa-en-hunze-2021.txt    the seed
    corpus/aa-en-hunze/aa-en-hunze-2022.txt    next year: a quantity changed, one item dropped, one added
    corpus/aa-en-hunze/aa-en-hunze-2022.docx   the same 2022 text as a Word document (same series, same year)
    corpus/tynaarlo/eerste.txt                 another municipality, 2022 (file names without years:
    corpus/tynaarlo/tweede.txt                 another municipality, 2021   the order comes from the text)
    corpus/kapot.pdf                           not a PDF inside
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import sys
import time
import types
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from pipeline.batch import (Cache, ManifestEntry, Source, Workers, discover, file_series, file_year,
                            place_in_series, read_manifest, relabel, run_batch, series_key)
from pipeline.cli import main
from pipeline.errors import AgreementError
from pipeline.types import CORPORATIE, GEMEENTE, Block, Document, Extraction, Party
from tests.render.docx import render_docx
from tests.render.source import SEED, parse

AA = "aa-en-hunze--de-volmacht--woonborg"
TY = "tynaarlo--de-huismacht--woonborg"
ADDED = ("De gemeente en de corporaties stellen in 2022 een actieplan voor starters op, "
         "met minimaal 20 woningen voor jongeren.")


# --------------------------------------------------------------------------- corpus


def next_year(text: str, drop: int = 71, change: tuple[str, str] = ("minimaal 85%", "minimaal 90%"),
              add: str = ADDED) -> str:
    """The agreement a year on: years +1, one quantity changed, item `drop` gone (later items
    renumbered), one item added at the end of the list."""
    text = re.sub(r"\b20(19|20|21|22|23|24)\b", lambda m: str(int(m.group()) + 1), text)
    text = text.replace(*change)
    body = text.index("\n3 Samenwerking")
    lines, last = text[body:].split("\n"), 0
    out = []
    for line in lines:
        item = re.match(r"(\d+)\. ", line)
        if item and int(item.group(1)) == drop:
            continue
        if item and int(item.group(1)) > drop:
            line = f"{int(item.group(1)) - 1}. {line[item.end():]}"
        if item:
            last = len(out)
        out.append(line)
    number = re.match(r"(\d+)\. ", out[last]).group(1)
    out.insert(last + 1, f"\n{int(number) + 1}. {add}")
    return text[:body] + "\n".join(out)


def renamed(text: str, municipality: str, corporation: str = "De Huismacht") -> str:
    """The same agreement for another municipality and another corporation."""
    return text.replace("Aa en Hunze", municipality).replace("De Volmacht", corporation)


def build_corpus(folder: Path) -> Path:
    seed = SEED.read_text(encoding="utf-8")
    later = next_year(seed)
    (folder / "aa-en-hunze").mkdir(parents=True)
    (folder / "tynaarlo").mkdir()
    (folder / "aa-en-hunze" / "aa-en-hunze-2021.txt").write_text(seed, encoding="utf-8")
    (folder / "aa-en-hunze" / "aa-en-hunze-2022.txt").write_text(later, encoding="utf-8")
    render_docx(parse(later), folder / "aa-en-hunze" / "aa-en-hunze-2022.docx")
    (folder / "tynaarlo" / "tweede.txt").write_text(renamed(seed, "Tynaarlo"), encoding="utf-8")
    (folder / "tynaarlo" / "eerste.txt").write_text(renamed(later, "Tynaarlo"), encoding="utf-8")
    (folder / "kapot.pdf").write_bytes(b"%PDF-1.4\nnot really a pdf\n")
    return folder


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return build_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def first_run(corpus, model_path, tmp_path_factory):
    """The corpus through the CLI with two worker processes."""
    out = tmp_path_factory.mktemp("out")
    result = CliRunner().invoke(main, ["batch", str(corpus), "--out", str(out), "--workers", "2",
                                       "--model", str(model_path)])
    return result, out


@pytest.fixture
def out(first_run) -> Path:
    return first_run[1]


def table(out: Path, name: str) -> list[dict[str, str]]:
    with (out / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def copy_run(corpus: Path, out: Path, to: Path) -> tuple[Path, Path]:
    """A copy of the corpus and of the first run's output (its cache included)."""
    shutil.copytree(corpus, to / "corpus")
    shutil.copytree(out, to / "out")
    return to / "corpus", to / "out"


# --------------------------------------------------------------------------- the run


def test_bad_file_is_an_error_row_and_the_rest_completes(first_run, out):
    result, _ = first_run
    assert result.exit_code == 1, result.output
    assert re.search(r"Error: .*kapot\.pdf: not a readable PDF", result.output)
    assert "5 documents in 2 series (6 files read, 0 from cache)" in result.output
    errors = table(out, "errors")
    assert [(e["document"], e["stage"], e["error"]) for e in errors] == [("kapot", "extract", "UnreadableDocumentError")]
    assert errors[0]["reason"].startswith("not a readable PDF")
    assert not list(out.rglob(".*.tmp"))


def test_series_are_grouped_and_ordered_from_the_documents(out):
    documents = {d["document"]: d for d in table(out, "documents")}
    assert set(documents) == {"aa-en-hunze-2021", "aa-en-hunze-2022-txt", "aa-en-hunze-2022-docx",
                              "tweede", "eerste"}
    order = [(d["series"], d["position"], d["document"], d["year"]) for d in table(out, "documents")]
    assert order == [
        (AA, "1", "aa-en-hunze-2021", "2021"),
        (AA, "2", "aa-en-hunze-2022-docx", "2022"),  # same year: file order
        (AA, "3", "aa-en-hunze-2022-txt", "2022"),
        (TY, "1", "tweede", "2021"),  # file names say nothing: the text says 2021
        (TY, "2", "eerste", "2022"),
    ]
    assert documents["aa-en-hunze-2022-docx"]["format"] == "docx"
    assert {d["series_from"] for d in documents.values()} == {"parties"}
    assert {d["year_from"] for d in documents.values()} == {"document"}


def test_two_documents_of_one_series_and_year_give_a_warning_row(out):
    warnings = [i for i in table(out, "issues") if i["kind"] == "same-year"]
    assert [w["document"] for w in warnings] == ["aa-en-hunze-2022-txt"]
    assert "aa-en-hunze-2022-docx is also series" in warnings[0]["message"]


def test_tables_join_on_their_ids(out):
    commitments = pd.read_parquet(out / "commitments.parquet")
    ids = set(commitments["commitment_id"])
    assert commitments["commitment_id"].is_unique and len(commitments) == len(table(out, "commitments"))
    assert "aa-en-hunze-2021#12" in ids and "eerste#76" in ids and "aa-en-hunze-2021#77" not in ids
    quantities = pd.read_parquet(out / "quantities.parquet")
    assert set(quantities["commitment_id"]) <= ids
    changed = quantities[(quantities["commitment_id"] == "aa-en-hunze-2022-txt#12") & (quantities["kind"] == "percent")]
    assert list(changed["value"]) == [90.0]
    documents = set(pd.read_parquet(out / "documents.parquet")["document"])
    assert set(pd.read_parquet(out / "parties.parquet")["document"]) == documents
    assert set(commitments["document"]) == documents
    issues = pd.read_parquet(out / "issues.parquet")
    assert set(issues["commitment_id"].dropna()) <= ids
    assert str(commitments["year"].dtype) == "Int64"


def test_matches_join_commitments_of_consecutive_years(out):
    ids = set(pd.read_parquet(out / "commitments.parquet")["commitment_id"])
    matches = pd.read_parquet(out / "matches.parquet")
    assert set(matches["old_commitment_id"].dropna()) <= ids
    assert set(matches["new_commitment_id"].dropna()) <= ids
    pairs = table(out, "pairs")
    assert [(p["series"], p["old_document"], p["new_document"]) for p in pairs] == [
        (AA, "aa-en-hunze-2021", "aa-en-hunze-2022-docx"),
        (AA, "aa-en-hunze-2022-docx", "aa-en-hunze-2022-txt"),
        (TY, "tweede", "eerste")]
    assert set(matches["pair_id"]) == {p["pair_id"] for p in pairs}
    for pair in pairs:
        assert (out / pair["report"]).is_file()
    assert (out / "diffs" / TY / "tweede__eerste" / "report.html").is_file()
    assert 'href="diffs/' in (out / "index.html").read_text(encoding="utf-8")


def test_sqlite_has_the_tables_and_a_full_text_index(out):
    import sqlite_utils

    db = sqlite_utils.Database(out / "agreements.sqlite")
    assert {"documents", "commitments", "parties", "quantities", "matches", "pairs", "issues",
            "errors"} <= set(db.table_names())
    assert db["commitments"].detect_fts() == "commitments_fts"
    found = {row["commitment_id"] for row in db["commitments"].search("aftoppingsgrens", columns=["commitment_id"])}
    assert {"aa-en-hunze-2021#12", "eerste#12"} <= found
    assert db["commitments"].pks == ["commitment_id"]
    assert ("commitment_id", "commitments") in {(fk.column, fk.other_table) for fk in db["quantities"].foreign_keys}
    assert db["commitments"].count == len(table(out, "commitments"))


def test_monitor_workbook_for_policy_officers(out):
    from openpyxl import load_workbook

    book = load_workbook(out / "monitor.xlsx")
    assert book.sheetnames == ["changes", "Te controleren", "aa-en-hunze lineage", "aa-en-hunze 2021",
                               "aa-en-hunze 2022", "aa-en-hunze 2022 (2)", "tynaarlo lineage", "tynaarlo 2021",
                               "tynaarlo 2022"]
    sheet = book["tynaarlo 2021"]
    header = [cell.value for cell in sheet[1]]
    assert header[:5] == ["number", "theme", "section", "owners", "text"] and "status" in header
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == sheet.dimensions
    assert sheet.max_row == 77  # header + 76 commitments
    status = header.index("status") + 1
    assert all(sheet.cell(row, status).value is None for row in range(2, sheet.max_row + 1))
    text = header.index("text") + 1
    # 80 characters wide as Excel shows it (the file stores 80.71: the cell padding).
    assert 80 <= sheet.column_dimensions["E"].width < 81 and sheet.cell(2, text).alignment.wrap_text
    assert round(sheet.column_dimensions["A"].width) < 10  # fitted to the numbers
    changes = book["changes"]
    assert changes.freeze_panes == "A2" and changes.auto_filter.ref


def test_workbook_cells_lose_the_control_characters_excel_refuses(tmp_path):
    from openpyxl import load_workbook

    from pipeline.publish import _sheet, write_workbook

    columns = (("text", "text", 80), ("number", "number", 8))
    rows = [{"text": "een\x0bregel\x07\r", "number": 1}, {"text": "tab\tblijft\nen de nieuwe regel ook"}]
    sheet = load_workbook(write_workbook([_sheet("s", columns, rows)], tmp_path / "m.xlsx"))["s"]
    assert [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)] == [
        ["eenregel", 1], ["tab\tblijft\nen de nieuwe regel ook", None]]


def test_datapackage_validates_with_frictionless(out):
    from frictionless import Package

    package = Package(out / "datapackage.json")
    report = package.validate()
    assert report.valid, report.flatten(["title", "message"])[:5]
    schema = package.get_resource("quantities").schema
    assert schema.primary_key == ["quantity_id"]
    assert schema.foreign_keys[0]["reference"] == {"resource": "commitments", "fields": ["commitment_id"]}
    assert package.get_resource("commitments").schema.get_field("year").type == "integer"


def test_index_lists_every_series_and_the_errors(out):
    html = (out / "index.html").read_text(encoding="utf-8")
    assert AA in html and TY in html and "kapot.pdf" in html and "same-year" in html


# --------------------------------------------------------------------------- rerun, changes, manifest


def test_a_rerun_reads_nothing_and_a_new_file_is_read_alone(corpus, out, settings, tmp_path):
    inputs, output = copy_run(corpus, out, tmp_path)
    rerun = run_batch(inputs, output, settings, workers=2, progress=False)
    assert (rerun.read, rerun.cached) == (0, 6)  # the bad file is remembered too
    assert [f.document for f in rerun.failures] == ["kapot"]

    written = (output / "commitments.csv").stat().st_mtime_ns
    again = run_batch(inputs, output, settings, workers=2, progress=False)  # the run record: nothing to do
    assert (again.read, again.cached, len(again.members)) == (0, 6, 5)
    assert (output / "commitments.csv").stat().st_mtime_ns == written
    (output / "monitor.xlsx").unlink()  # an output gone: written again
    run_batch(inputs, output, settings, workers=2, progress=False)
    assert (output / "monitor.xlsx").is_file()

    shutil.copy(inputs / "tynaarlo" / "eerste.txt", inputs / "tynaarlo" / "copy-of-eerste.txt")
    (inputs / "tynaarlo" / "derde.txt").write_text(next_year(renamed(next_year(SEED.read_text()), "Tynaarlo")))
    grown = run_batch(inputs, output, settings, workers=2, progress=False)
    assert (grown.read, grown.cached) == (1, 7)  # a copy of a known file is not read again
    documents = {d["document"]: d for d in table(output, "documents")}
    assert documents["derde"]["year"] == "2023" and documents["derde"]["position"] == "4"
    assert documents["copy-of-eerste"]["series"] == TY


def test_a_failure_that_may_go_away_is_tried_again_on_the_next_run(corpus, settings, tmp_path, monkeypatch):
    import pipeline.run

    read = pipeline.run.extract_document

    def flaky(path, *args, **kwargs):
        if path.name == "eerste.txt":
            raise OSError("the network share went away")
        return read(path, *args, **kwargs)

    monkeypatch.setattr(pipeline.run, "extract_document", flaky)
    first = run_batch(corpus, tmp_path / "out", settings, workers=1, progress=False)
    assert sorted((f.document, f.error) for f in first.failures) == [("eerste", "OSError"), ("kapot", "UnreadableDocumentError")]
    monkeypatch.setattr(pipeline.run, "extract_document", read)
    again = run_batch(corpus, tmp_path / "out", settings, workers=1, progress=False)
    assert again.read == 1 and [f.document for f in again.failures] == ["kapot"]  # the bad PDF is remembered
    assert "eerste#12" in {row["commitment_id"] for row in table(tmp_path / "out", "commitments")}
    assert run_batch(corpus, tmp_path / "out", settings, workers=1, progress=False).read == 0


def test_spawned_workers_give_the_outputs_of_forked_ones(corpus, out, settings, tmp_path, monkeypatch):
    """Where workers cannot be forked (macOS, Windows) they are spawned, load their own
    pipeline and get each stage's data pickled: the outputs are the same."""
    monkeypatch.setattr("pipeline.batch.START_METHOD", "spawn")
    inputs = tmp_path / "corpus"
    shutil.copytree(corpus, inputs)
    result = run_batch(inputs, tmp_path / "out", settings, workers=2, progress=False)
    assert (result.read, len(result.pairs), [f.document for f in result.failures]) == (6, 3, ["kapot"])
    for name in ("documents", "commitments", "quantities", "parties", "pairs", "matches"):
        assert table(tmp_path / "out", name) == table(out, name), name
    assert (tmp_path / "out" / "monitor.xlsx").is_file() and (tmp_path / "out" / "agreements.sqlite").is_file()


def test_read_ahead_reads_while_the_pipeline_loads(corpus, settings):
    """The forked reader's documents are those read_document gives; a bad file is its Failure."""
    from pipeline.batch import Failure, ReadAhead
    from pipeline.ingest import read_document

    sources = discover(corpus)
    read = ReadAhead(sources, settings).during(lambda: time.sleep(3))
    assert read, "nothing was read in 3 s"
    assert set(read) <= {s.document for s in sources}
    for source in sources:
        if source.document not in read:
            continue
        if source.document == "kapot":
            assert isinstance(read["kapot"], Failure) and "PDF" in read["kapot"].reason
        else:
            assert read[source.document] == read_document(source.path, settings, source.document)


class _Plant:
    """Loaded, this pickle makes a folder: code that a cache must never run."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (str(self.marker),))


def test_a_planted_pickle_is_never_run(corpus, out, settings, tmp_path):
    import pickle

    inputs, output = copy_run(corpus, out, tmp_path)
    marker = tmp_path / "planted-code-ran"
    planted = pickle.dumps(_Plant(marker))
    pickle.loads(planted)  # what it would do if the cache unpickled it
    assert marker.is_dir()
    marker.rmdir()
    cache = output / ".cache"
    entries = list(cache.glob("*.json"))
    assert len(entries) == 10  # 6 files, 3 pairs, the run record
    for entry in entries:
        entry.write_bytes(planted)  # in place of every entry
        entry.with_suffix(".pickle").write_bytes(planted)  # and under the old format's names
    result = run_batch(inputs, output, settings, workers=2, progress=False)
    assert not marker.exists()
    assert (result.read, result.cached) == (6, 0)  # every entry a miss: all read again
    for name in ("documents", "commitments", "matches"):
        assert table(output, name) == table(out, name), name
    assert not list(cache.glob("*.pickle"))  # the old format's entries are deleted unread


def test_a_run_record_round_trips(corpus, out, settings, tmp_path):
    from pipeline.batch import decode_entry, encode_entry

    inputs, output = copy_run(corpus, out, tmp_path)
    result = run_batch(inputs, output, settings, workers=1, progress=False)
    back = decode_entry(encode_entry(result))
    assert back == result and len(back.pairs) == 3 and back.failures
    assert all(pair.old in back.members and pair.new in back.members for pair in back.pairs)


def test_cache_entries_unused_for_30_days_are_deleted(corpus, out, settings, tmp_path):
    inputs, output = copy_run(corpus, out, tmp_path)
    cache = output / ".cache"
    month_ago = time.time() - 31 * 86400
    kept = [p for p in cache.glob("*.json") if not p.name.startswith("run-")]
    for entry in kept:  # old, but this run uses every one of them
        os.utime(entry, (month_ago, month_ago))
    gone, recent = cache / f"{'0' * 64}-{'f' * 16}.json", cache / f"{'1' * 64}-{'f' * 16}.json"
    for entry in (gone, recent):  # earlier code or settings
        entry.write_bytes(b"stale")
    os.utime(gone, (month_ago, month_ago))
    (inputs / "tynaarlo" / "derde.txt").write_text(next_year(renamed(next_year(SEED.read_text()), "Tynaarlo")))
    result = run_batch(inputs, output, settings, workers=1, progress=False)
    assert (result.read, result.cached) == (1, 6)
    assert not gone.exists() and recent.exists()
    assert all(entry.exists() for entry in kept)


def test_manifest_overrides_series_and_year(corpus, out, settings, tmp_path):
    inputs, output = copy_run(corpus, out, tmp_path)
    (inputs / "manifest.csv").write_text("file,series,year\n"
                                         "tynaarlo/eerste.txt,Tynaarlo herzien,2030\n"
                                         "aa-en-hunze-2021.txt,,2020\n"
                                         "gone.pdf,x,2021\n", encoding="utf-8")
    result = run_batch(inputs, output, settings, workers=1, progress=False)
    assert result.read == 0
    documents = {d["document"]: d for d in table(output, "documents")}
    assert (documents["eerste"]["series"], documents["eerste"]["year"]) == ("tynaarlo-herzien", "2030")
    assert (documents["eerste"]["series_from"], documents["eerste"]["year_from"]) == ("manifest", "manifest")
    assert (documents["aa-en-hunze-2021"]["series"], documents["aa-en-hunze-2021"]["year"]) == (AA, "2020")
    issues = table(output, "issues")
    assert any(i["kind"] == "manifest-unmatched" and "gone.pdf" in i["message"] for i in issues)


def test_a_folder_without_agreements_is_one_error(tmp_path, model_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "notes.csv").write_text("a,b\n")
    result = CliRunner().invoke(main, ["batch", str(tmp_path / "in"), "--out", str(tmp_path / "out"),
                                       "--model", str(model_path)])
    assert result.exit_code == 2
    assert re.search(r"Error: .*in: no agreements found in this folder or below it \(expected \.docx", result.output)


def test_unbuilt_model_stops_the_batch_with_one_error(tmp_path):
    (tmp_path / "in").mkdir()
    for name in ("a-2021.txt", "b-2021.txt"):
        shutil.copy(SEED, tmp_path / "in" / name)
    result = CliRunner().invoke(main, ["batch", str(tmp_path / "in"), "--out", str(tmp_path / "out"),
                                       "--workers", "2", "--model", str(tmp_path / "no-model")])
    assert result.exit_code == 2
    assert "spaCy pipeline not built" in result.output


# --------------------------------------------------------------------------- small rules


@pytest.mark.parametrize("name, series, year", [
    ("aa-en-hunze-2021.txt", "aa-en-hunze", 2021),
    ("Prestatieafspraken Tynaarlo 2022.pdf", "prestatieafspraken-tynaarlo", 2022),
    ("2023_midden-drenthe.docx", "midden-drenthe", 2023),
    ("scan-003.pdf", "scan-003", None),
    ("afspraken-2021-2025.pdf", "afspraken", 2021),
])
def test_series_and_year_from_a_file_name(name, series, year):
    assert (file_series(Path(name)), file_year(Path(name))) == (series, year)


def _extraction(doc_id: str, parties=(), title: str = "", year: int | None = None) -> Extraction:
    document = Document(Path(f"{doc_id}.txt"), doc_id, "text", (Block(title),) if title else ())
    return Extraction(document, year, tuple(parties), ())


def _source(doc_id: str, relative: str | None = None) -> Source:
    return Source(Path(f"in/{relative or doc_id + '.txt'}"), relative or f"{doc_id}.txt", doc_id, "0" * 64)


@pytest.mark.parametrize("parties, title, expected", [
    ((Party("d", "Gemeente Aa en Hunze", "de gemeente", GEMEENTE), Party("d", "Woonborg", "Woonborg", CORPORATIE),
      Party("d", "Woningstichting De Volmacht", "De Volmacht", CORPORATIE)), "", (AA, "parties")),
    ((Party("d", "College van B&W van de gemeente Midden-Drenthe", "het college", GEMEENTE),), "",
     ("midden-drenthe", "parties")),
    ((), "Prestatieafspraken Tynaarlo 2022", ("tynaarlo", "title")),
    ((), "Prestatieafspraken 2022", ("scan-ty", "file-name")),
])
def test_series_key(parties, title, expected):
    assert series_key(_extraction("d", parties, title), _source("scan-ty-2022")) == expected


def test_place_in_series_orders_by_year_and_warns():
    gemeente = (Party("x", "Gemeente Borger-Odoorn", "de gemeente", GEMEENTE),)
    sources = [_source("c"), _source("a"), _source("b"), _source("d")]
    extractions = {"a": _extraction("a", gemeente, year=2022), "b": _extraction("b", gemeente, year=2021),
                   "c": _extraction("c", gemeente, year=2022), "d": _extraction("d", gemeente)}
    members, warnings = place_in_series(sources, extractions, {"d.txt": ManifestEntry("d.txt", None, None)})
    assert [(m.document, m.position) for m in members] == [("b", 1), ("c", 2), ("a", 3), ("d", 4)]
    assert [(w.document, w.kind) for w in warnings] == [("a", "same-year"), ("d", "no-year")]


def test_discover_skips_hidden_lock_and_output_files(tmp_path):
    for name in ("a/x-2021.pdf", "b/x-2021.pdf", "y.txt", ".hidden/z.txt", "a/~$x.docx", "out/t.txt",
                 "notes.csv"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("1. De gemeente bouwt.\n")
    sources = discover(tmp_path, exclude=tmp_path / "out")
    assert [(s.relative, s.document) for s in sources] == [
        ("a/x-2021.pdf", "x-2021-pdf"), ("b/x-2021.pdf", "x-2021-pdf-2"), ("y.txt", "y")]


@pytest.mark.parametrize("start, requested, documents, size", [
    ("fork", 2, 5, 2), ("spawn", 4, 3, 3), ("fork", 1, 50, 1),  # as asked, never more processes than documents
    ("fork", None, 25, 8), ("fork", None, 5, 5), ("fork", None, 1, 1),  # default: one per core
    ("spawn", None, 25, 2), ("spawn", None, 5, 1), ("spawn", None, 500, 8),  # spawned: one per ten documents
])
def test_worker_processes(start, requested, documents, size, settings, monkeypatch):
    monkeypatch.setattr("pipeline.batch.default_workers", lambda: 8)
    monkeypatch.setattr("pipeline.batch.START_METHOD", start)
    assert Workers(settings, requested).size_for(documents) == size


def test_manifest_errors_are_pinned(tmp_path):
    bad = tmp_path / "manifest.csv"
    bad.write_text("file,year\nx.pdf,2021\n")
    with pytest.raises(AgreementError, match="manifest lacks the column"):
        read_manifest(bad)
    bad.write_text("file,series,year\nx.pdf,a,21\n")
    with pytest.raises(AgreementError, match=r"line 2: year must be four digits, not '21'"):
        read_manifest(bad)


def test_relabel_and_cache_round_trip(seed_extraction, tmp_path):
    cache = Cache(tmp_path, "s")
    cache.put(seed_extraction, "abc")
    (tmp_path / "def-s.json").write_bytes(b'{"format": 1, "kind": "Extraction", "value": {"year": "x"}}')
    assert cache.get("def") is None and cache.get("missing") is None
    moved = relabel(cache.get("abc"), "elsewhere", Path("x/elsewhere.txt"))
    assert moved.document.id == "elsewhere" and {c.document for c in moved.commitments} == {"elsewhere"}
    assert {p.document for p in moved.parties} == {"elsewhere"}


# --------------------------------------------------------------------------- the diff seam


@dataclass(frozen=True)
class StandInResult:
    matches: tuple


def _stand_in_modules() -> dict[str, types.ModuleType]:
    """pipeline.diff and pipeline.matching reduced to equal texts, then equal keys: the batch's
    handling of pairs, matches and reports, whatever the real matcher decides."""
    def diff(old, new, settings):
        by_text = {}
        for c in new.commitments:
            by_text.setdefault(c.text, c.key)
        rows, used, leftover = [], set(), []
        for c in old.commitments:
            key = by_text.get(c.text)
            if key and key not in used:
                used.add(key)
                rows.append(("unchanged", c.key, key))
            else:
                leftover.append(c)
        new_keys = {c.key for c in new.commitments}
        for c in leftover:
            if c.key in new_keys and c.key not in used:
                used.add(c.key)
                rows.append(("modified", c.key, c.key))
            else:
                rows.append(("removed", c.key, None))
        return StandInResult(tuple(rows + [("added", None, c.key) for c in new.commitments if c.key not in used]))

    def write_diff(result, folder):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "report.html").write_text(f"{len(result.matches)} matches")
        return [folder / "report.html"]

    diff_module, matching = types.ModuleType("pipeline.diff"), types.ModuleType("pipeline.matching")
    diff_module.diff, diff_module.write_diff = diff, write_diff
    matching.match_rows = lambda matches: [{"status": s, "old_key": o, "new_key": n, "score": 1.0}
                                           for s, o, n in matches]
    return {"pipeline.diff": diff_module, "pipeline.matching": matching}


def test_pairs_matches_and_reports_with_a_stand_in_diff(corpus, out, settings, tmp_path, monkeypatch):
    for name, module in _stand_in_modules().items():
        monkeypatch.setitem(sys.modules, name, module)
    inputs = tmp_path / "corpus"
    shutil.copytree(corpus, inputs)
    output = tmp_path / "out"
    (output / ".cache").mkdir(parents=True)
    for entry in (out / ".cache").glob("*.json"):  # extractions only, not the real diffs
        if re.fullmatch(r"[0-9a-f]{64}-[0-9a-f]{16}\.json", entry.name):
            shutil.copy(entry, output / ".cache")
    result = run_batch(inputs, output, settings, workers=1, progress=False)
    assert result.read == 0 and len(result.pairs) == 3
    pairs = table(output, "pairs")
    assert pairs[0]["report"] == f"diffs/{AA}/aa-en-hunze-2021__aa-en-hunze-2022-docx/report.html"
    assert "added 1" in pairs[0]["summary"] and "removed 1" in pairs[0]["summary"]
    matches = table(output, "matches")
    added = [m for m in matches if m["status"] == "added"]
    assert [(m["pair_id"], m["old_commitment_id"]) for m in added] == [
        ("aa-en-hunze-2021__aa-en-hunze-2022-docx", ""), ("tweede__eerste", "")]
    assert {m["new_commitment_id"] for m in added} <= {c["commitment_id"] for c in table(output, "commitments")}
    from frictionless import Package
    assert Package(output / "datapackage.json").validate().valid
    from openpyxl import load_workbook
    changes = load_workbook(output / "monitor.xlsx")["changes"]
    header = [c.value for c in changes[1]]
    rows = [dict(zip(header, (c.value for c in row))) for row in changes.iter_rows(min_row=2)]
    assert {r["change"] for r in rows} == {"modified", "added", "removed"}
    assert any(r["new number"] == "12" and "90%" in r["new text"] and "85%" in r["old text"] for r in rows)
    html = (output / "index.html").read_text(encoding="utf-8")
    assert f'href="diffs/{TY}/tweede__eerste/report.html"' in html


def test_a_document_without_a_year_gets_a_sheet_excel_accepts(tmp_path):
    from openpyxl import load_workbook

    from pipeline.publish import _sheet, sheet_titles, write_workbook

    members = [types.SimpleNamespace(series="tynaarlo--woonborg", year=None), types.SimpleNamespace(
        series="tynaarlo--woonborg", year=None)]
    titles = sheet_titles(members)
    assert titles == ["tynaarlo no year", "tynaarlo no year (2)"]
    book = write_workbook([_sheet(t, (("text", "text", 80),), [{"text": "x"}]) for t in titles], tmp_path / "m.xlsx")
    assert load_workbook(book).sheetnames == titles
