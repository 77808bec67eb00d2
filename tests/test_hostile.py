"""Bad inputs: every kind of hostile, broken or odd file (tests/render/hostile.py) gets its one
clear line or is read as it should be; a batch over all of them completes, within a memory bound.

The corpus is rendered once per session. A kind that only root can read past (a file
without read permission) is checked in the batch, which runs without root's power to
read any file (setpriv drops it), and skipped in-process with the reason.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.errors import AgreementError, display_path
from pipeline.ingest import read_document
from pipeline.ingest.ocr import ocr_problem
from pipeline.run import extract_document
from tests.render.hostile import PARAGRAPHS, SECRET, render_hostile

READ = "read"  # the kind is read: three commitments (the docstring of each check says more)
NO_OCR = ocr_problem("nld")

EXPECTED: dict[str, str] = {
    "empty-pdf": r"the file is empty$",
    "empty-docx": r"the file is empty$",
    "empty-txt": r"the file is empty$",
    "pdf-zero-pages": r"not a readable PDF \(corrupt or truncated: no pages found\)$",
    "pdf-truncated-10": r"not a readable PDF \(corrupt or truncated: PSEOF: Unexpected EOF\)$",
    "pdf-truncated-50": r"not a readable PDF \(corrupt or truncated: PSEOF: Unexpected EOF\)$",
    "pdf-broken-xref": READ,  # pdfium rebuilds the table by scanning the file
    "pdf-user-password": r"the PDF is encrypted \(password protected\); save an unprotected copy$",
    "pdf-owner-password": READ,  # only printing and copying restricted: no password to open it
    "pdf-200-inch-page": READ,  # text is read at any page size
    "pdf-200-inch-scan": (r"no text layer, and too large to OCR \(page 1: 200 x 200 inches, too large to OCR at "
                          r"300 dpi \(3,600 megapixels; at most 40\)\)$") if not NO_OCR else r"OCR needs",
    "pdf-2000-blank-pages": r"no text found in the document: all 2000 pages are blank$",
    "pdf-javascript": READ,  # its script is never run: nothing here runs PDF JavaScript
    "pdf-deep-nesting": READ,
    "pdf-no-tounicode": (r"the text layer maps to no characters \(fonts without a ToUnicode map print garbage\); "
                         r"read it with --ocr always$"),
    "pdf-over-size-limit": r"the file is 1,124 MB, more than the 1,024 MB a PDF may have; refused unread$",
    "docx-not-a-zip": r"not a valid DOCX \(not a Word zip package; the content is plain text\)$",
    "docx-zip-without-document": r"not a valid DOCX \(not a Word zip package; the content is a ZIP archive\)$",
    "docx-zip-bomb": (r"not a readable DOCX \(word/document\.xml inflates to 1,025 MB, more than 64 MB for one "
                      r"XML part; refused before inflating\)$"),
    **{f"docx-{attack}-{part}": (rf"not a readable DOCX \(word/{part}\.xml declares a DTD \(<!DOCTYPE>\), which "
                                 r"Word never writes; refused unread, so none of its entities is resolved\)$")
       for attack in ("xxe", "laughs") for part in ("document", "numbering", "styles")},
    "docx-damaged-deflate": (r"not a readable DOCX \(a damaged zip package: Error -3 while decompressing data: "
                             r"invalid distance too far back\)$"),
    "docx-malformed-xml": r"not a readable DOCX \(broken XML: Opening and ending tag mismatch: t line 2 and r",
    "docx-numbering-cycle": READ,
    "docx-style-cycle": READ,
    "docx-20000-paragraphs": READ,
    "docm": (r"unsupported file type '\.docm' \(a macro-enabled Word document; save it as \.docx \(its macros "
             r"are never run\)\); expected one of \.docx, "),
    "dotx": r"unsupported file type '\.dotx' \(a Word template; save a document made from it as \.docx\)",
    "docm-named-docx": (r"not a readable DOCX \(a macro-enabled Word document \(\.docm\) named \.docx; save it as "
                        r"\.docx \(its macros are never run\)\)$"),
    "pdf-named-docx": r"not a valid DOCX \(not a Word zip package; the content is a PDF: rename it to \.pdf\)$",
    "docx-named-pdf": r"not a valid PDF \(no %PDF header; the content is a DOCX: rename it to \.docx\)$",
    "text-utf16-bom": READ,
    "text-cp1252": READ,
    "text-nul-bytes": READ,
    "text-binary": r"text is neither UTF-8 nor Windows-1252$",
    "text-10mb-line": (r"line 1 is a paragraph of 10,485,757 characters \(at most 100,000\): "
                       r"not the text of an agreement$"),
    "text-200mb": r"the file is 200 MB, more than the 32 MB a text file may have; refused unread$",
    "name-spaces": READ,
    "name-unicode": READ,
    "name-leading-dash": READ,
    "name-newline": READ,
    "name-newline-bad": r"not a valid PDF \(no %PDF header; the content is plain text\)$",
    "symlink-loop": r"a symbolic link that leads nowhere \(to a missing file, or in a loop\)$",
    "unreadable": r"cannot be read \(Permission denied\)$",
    "fifo": r"not a regular file \(a pipe or a device\); not read$",
}
# What the document id of a read kind is, where its file name makes it odd.
IDS = {"name-spaces": "met-spaties-2021", "name-unicode": "sudwest-fryslan-2021",
       "name-leading-dash": "streepje-2021", "name-newline": "regel-einde-2021"}
ROOT_READS_ANYTHING = os.geteuid() == 0


@pytest.fixture(scope="session")
def hostile(tmp_path_factory) -> dict[str, Path]:
    return render_hostile(tmp_path_factory.mktemp("hostile") / "corpus")


def test_the_corpus_has_every_kind(hostile):
    assert set(hostile) == set(EXPECTED) and len(EXPECTED) >= 35
    assert sum(1 for e in EXPECTED.values() if e != READ) >= 30


def _check_read(kind: str, extraction) -> None:
    numbers = [c.number for c in extraction.commitments]
    if kind == "docx-20000-paragraphs":
        assert len(extraction.document.blocks) == PARAGRAPHS
        assert numbers == [str(n) for n in range(1, 501)]
        return
    assert numbers == ["1", "2", "3"], numbers
    assert "94 woningen naar energielabel A" in extraction.commitments[1].text
    if kind in ("text-utf16-bom", "text-cp1252"):
        assert "(€ 1.500 per woning, één keer)" in extraction.commitments[0].text
        assert {(q.kind, q.value) for q in extraction.commitments[0].quantities} >= {("euro", 1500.0)}
    if kind == "text-nul-bytes":
        assert [(i.kind, i.message) for i in extraction.issues if i.kind == "nul-bytes"] == [
            ("nul-bytes", "4 NUL characters removed (a damaged file?)")]
    if kind == "docx-numbering-cycle":  # the looping list leads nowhere: no number, an issue
        assert any(i.kind == "unknown-numbering" for i in extraction.issues)
        assert "Een alinea in de lus." in [b.text for b in extraction.document.blocks]
    if kind in IDS:
        assert extraction.document.id == IDS[kind]
    if kind.startswith("text") or kind.startswith("name"):
        assert [p.short_name for p in extraction.parties] == ["de gemeente", "Veilig Wonen"]


# The two largest kinds take seconds each: they are checked in the batch only.
BATCH_ONLY = {"pdf-2000-blank-pages", "docx-20000-paragraphs"}


@pytest.mark.parametrize("kind", sorted(set(EXPECTED) - BATCH_ONLY))
def test_each_kind_is_read_or_gets_one_clear_error(kind, hostile, settings, nlp):
    path = hostile[kind]
    if kind == "unreadable" and ROOT_READS_ANYTHING:
        pytest.skip("root reads a file without read permission; the batch test checks it without that power")
    if EXPECTED[kind] == READ:
        _check_read(kind, extract_document(path, settings, nlp))
        return
    with pytest.raises(AgreementError) as raised:
        extract_document(path, settings, nlp)
    message = str(raised.value)
    assert message.startswith(f"{display_path(path)}: ") and "\n" not in message
    assert re.search(EXPECTED[kind], raised.value.problem), message


def test_no_entity_is_resolved_by_the_parser_either(hostile, monkeypatch):
    """Past the DTD refusal, python-docx's own parser (lxml, resolve_entities=False) leaves an
    external entity unread, and libxml2 refuses "billion laughs" before expanding it."""
    from pipeline.errors import UnreadableDocumentError
    from pipeline.ingest import docx as docx_reader
    from pipeline.settings import Settings

    monkeypatch.setattr(docx_reader, "check_package", lambda path: None)
    for part in ("document", "numbering", "styles"):
        document = read_document(hostile[f"docx-xxe-{part}"], Settings())
        assert "1. De gemeente bouwt in 2021 minimaal 20 woningen voor starters." in [b.text for b in document.blocks]
        assert SECRET not in json.dumps([b.text for b in document.blocks])
        started = time.perf_counter()
        with pytest.raises(UnreadableDocumentError, match=r"broken XML: Maximum entity amplification factor exceeded"):
            read_document(hostile[f"docx-laughs-{part}"], Settings())
        assert time.perf_counter() - started < 5


def test_odd_file_names_through_the_cli(hostile, model_path, tmp_path, monkeypatch):
    """`--` ends the options, so a file named "-x.txt" is a file, not an option; a newline in
    a file name is written as "\\n", so its error stays one line."""
    from click.testing import CliRunner

    from pipeline.cli import main

    monkeypatch.chdir(hostile["name-leading-dash"].parent)
    result = CliRunner().invoke(main, ["extract", "--model", str(model_path), "--out", str(tmp_path), "--",
                                       hostile["name-leading-dash"].name, hostile["name-newline-bad"].name,
                                       hostile["name-newline"].name])
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert errors == ["Error: kapot\\nnaam.pdf: not a valid PDF (no %PDF header; the content is plain text)"]
    assert "streepje-2021: 3 commitments" in result.output and "regel-einde-2021: 3 commitments" in result.output
    rows = list(csv.DictReader((tmp_path / "commitments.csv").open(encoding="utf-8", newline="")))
    assert [row["document"] for row in rows] == ["streepje-2021"] * 3 + ["regel-einde-2021"] * 3


# --------------------------------------------------------------------------- the batch

MEMORY_BOUND_MB = 1024  # peak resident memory of any process of the batch over this corpus


def _without_root_reading(command: list[str]) -> tuple[list[str], bool]:
    """`command` run without the power to read any file (when root and setpriv exist), and
    whether a file without read permission is then unreadable."""
    if not ROOT_READS_ANYTHING:
        return command, True
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return command, False
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search", *command], True


@pytest.fixture(scope="module")
def hostile_batch(hostile, model_path, tmp_path_factory):
    """`agreements batch` over the corpus, two workers, a 60 s limit per document; run in a
    process of its own that reports the peak memory of its children."""
    out = tmp_path_factory.mktemp("hostile-out")
    batch = [sys.executable, "-m", "pipeline", "batch", str(hostile["empty-pdf"].parent), "--out", str(out),
             "--workers", "2", "--time-limit", "60", "--model", str(model_path)]
    batch, unreadable = _without_root_reading(batch)
    measure = ("import json, resource, subprocess, sys\n"
               "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
               "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024\n"
               "print(json.dumps({'code': done.returncode, 'stdout': done.stdout, 'stderr': done.stderr,"
               " 'peak_mb': peak}))\n")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", measure, *batch], capture_output=True, text=True, timeout=600,
                          cwd=Path(__file__).resolve().parent.parent)
    report = json.loads(done.stdout)
    report["seconds"] = time.perf_counter() - started
    return report, out, unreadable


def _rows(out: Path, name: str) -> list[dict[str, str]]:
    with (out / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_a_batch_completes_around_every_bad_file(hostile_batch, hostile):
    report, out, unreadable = hostile_batch
    assert report["code"] == 1, report["stderr"][-3000:]
    expected = dict(EXPECTED)
    if not unreadable:
        expected["unreadable"] = READ
    bad = {kind for kind, outcome in expected.items() if outcome != READ}
    errors = {row["path"]: row for row in _rows(out, "errors")}
    # the symlink loop is two links, each an error
    assert set(errors) == {str(hostile[k]) for k in bad} | {str(hostile["symlink-loop"].with_name("lus-b.txt"))}
    for kind in bad:
        assert re.search(expected[kind], errors[str(hostile[kind])]["reason"]), (kind, errors[str(hostile[kind])])
    lines = [line for line in report["stderr"].splitlines() if line.startswith("Error: ")]
    assert len(lines) == len(errors)
    for kind in bad:
        assert any(line.startswith(f"Error: {display_path(hostile[kind])}: ") and re.search(expected[kind], line)
                   for line in lines), kind
    documents = {row["path"] for row in _rows(out, "documents")}
    assert documents == {hostile[k].name for k, outcome in expected.items() if outcome == READ}
    commitments = _rows(out, "commitments")
    assert sum(row["document"] == "twintigduizend" for row in commitments) == 500
    assert {row["document"] for row in commitments} == {row["document"] for row in _rows(out, "documents")}
    assert not list(out.rglob(".*.tmp"))


def test_the_batch_stays_within_its_memory_bound(hostile_batch):
    report, _, _ = hostile_batch
    assert report["peak_mb"] < MEMORY_BOUND_MB, report["peak_mb"]


def test_every_output_of_the_batch_parses(hostile_batch):
    _, out, _ = hostile_batch
    assert_outputs_parse(out)


def assert_outputs_parse(out: Path) -> None:
    """Every table as CSV and Parquet, the SQLite database (integrity check), the workbook."""
    import sqlite3

    import pandas as pd
    from openpyxl import load_workbook

    for name in ("documents", "commitments", "parties", "quantities", "pairs", "matches", "issues", "errors"):
        assert len(pd.read_csv(out / f"{name}.csv")) == len(pd.read_parquet(out / f"{name}.parquet")), name
    with sqlite3.connect(out / "agreements.sqlite") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT count(*) FROM commitments").fetchone()[0] == len(pd.read_csv(out / "commitments.csv"))
    load_workbook(out / "monitor.xlsx", read_only=True).close()
    json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
