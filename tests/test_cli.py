"""Command line: extract, outputs, several inputs, and pinned error messages."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from pipeline.cli import main


@pytest.fixture
def run(model_path):
    def invoke(*args: str):
        return CliRunner().invoke(main, [*args, "--model", str(model_path)])
    return invoke


def test_extract_writes_every_table(run, seed_path, tmp_path):
    result = run("extract", str(seed_path), "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "76 commitments, 5 parties" in result.output
    rows = [json.loads(line) for line in (tmp_path / "commitments.jsonl").read_text().splitlines()]
    assert len(rows) == 76 and rows[11]["owners"] == ["Woonborg", "De Volmacht"]
    assert {q["kind"] for q in rows[11]["quantities"]} >= {"percent", "euro"}
    frame = pd.read_parquet(tmp_path / "commitments.parquet")
    assert list(frame["number"]) == [str(n) for n in range(1, 77)]
    assert len(pd.read_csv(tmp_path / "commitments.csv")) == 76
    parties = list(csv.DictReader((tmp_path / "parties.csv").open()))
    assert [p["short_name"] for p in parties] == ["de gemeente", "Woonborg", "AH WOON", "De Volmacht", "De Deelmacht"]
    issues = list(csv.DictReader((tmp_path / "issues.csv").open()))
    assert [(i["kind"], i["key"]) for i in issues] == [("no-owner", "63")]
    assert not list(tmp_path.glob(".*.tmp"))


def _bad_inputs(folder: Path) -> dict[str, tuple[Path, str]]:
    """name -> (file, the pinned message it must produce)."""
    folder.mkdir(exist_ok=True)
    cases = {}
    missing = folder / "missing.pdf"
    cases["missing"] = (missing, "file not found")
    odt = folder / "agreement.odt"
    odt.write_bytes(b"PK\x03\x04 something")
    cases["unsupported"] = (odt, "unsupported file type '.odt'; expected one of")
    fake_pdf = folder / "mislabelled.pdf"
    fake_pdf.write_text("1. De gemeente bouwt.\n", encoding="utf-8")
    cases["mislabelled"] = (fake_pdf, r"not a valid PDF \(no %PDF header; the content is plain text\)")
    not_zip = folder / "notzip.docx"
    not_zip.write_text("just text", encoding="utf-8")
    cases["docx-not-zip"] = (not_zip, r"not a valid DOCX \(not a Word zip package; the content is plain text\)")
    zip_not_word = folder / "zip.docx"
    with zipfile.ZipFile(zip_not_word, "w") as archive:
        archive.writestr("hello.txt", "hi")
    cases["zip-not-word"] = (zip_not_word, r"not a valid DOCX \(not a Word zip package; the content is a ZIP archive\)")
    corrupt = folder / "corrupt.pdf"
    corrupt.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage")
    cases["corrupt-pdf"] = (corrupt, r"not a readable PDF \(corrupt or truncated")
    empty = folder / "empty.txt"
    empty.write_text("   \n", encoding="utf-8")
    cases["empty"] = (empty, "the file is empty")
    prose = folder / "prose.txt"
    prose.write_text("Prestatieafspraken 2022\n\nDit document bevat geen genummerde afspraken.\n", encoding="utf-8")
    cases["no-commitments"] = (prose, "no numbered commitments found")
    return cases


@pytest.mark.parametrize("case", ["missing", "unsupported", "mislabelled", "docx-not-zip", "zip-not-word",
                                  "corrupt-pdf", "empty", "no-commitments"])
def test_bad_input_one_clear_line(run, tmp_path, case):
    path, message = _bad_inputs(tmp_path / "in")[case]
    result = run("extract", str(path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1
    assert lines[0].startswith(f"Error: {path}: ")
    import re
    assert re.search(message, lines[0]), lines[0]


def test_encrypted_pdf_message(run, tmp_path):
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas
    path = tmp_path / "locked.pdf"
    pdf = canvas.Canvas(str(path), encrypt=pdfencrypt.StandardEncryption("user", "owner"))
    pdf.drawString(72, 720, "1. De gemeente bouwt.")
    pdf.save()
    result = run("extract", str(path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert f"Error: {path}: the PDF is encrypted (password protected)" in result.output


def test_several_inputs_go_on_past_a_bad_one(run, seed_path, tmp_path):
    bad = tmp_path / "broken.docx"
    bad.write_text("not a docx", encoding="utf-8")
    result = run("extract", str(bad), str(seed_path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert f"Error: {bad}: not a valid DOCX" in result.output
    rows = pd.read_csv(tmp_path / "out" / "commitments.csv")
    assert set(rows["document"]) == {"aa-en-hunze-2021"} and len(rows) == 76


def test_help_explains_every_command_and_option():
    result = CliRunner().invoke(main, ["extract", "--help"])
    assert result.exit_code == 0
    for option in ("--out", "--model", "--pdf-engine", "--ocr"):
        assert option in result.output
    top = CliRunner().invoke(main, ["--help"]).output
    for command in ("extract", "build-model"):
        assert command in top


def test_python_dash_m_is_the_same_program(model_path):
    result = subprocess.run([sys.executable, "-m", "pipeline", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "extract" in result.stdout


def test_missing_model_is_one_clear_error(seed_path, tmp_path):
    result = CliRunner().invoke(main, ["extract", str(seed_path), "--out", str(tmp_path),
                                       "--model", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "spaCy pipeline not built" in result.output


def test_diff_of_a_document_against_an_extract_folder(run, seed_path, tmp_path):
    from tests.render.source import parse
    from tests.render.years import pair_2021_2022
    from tests.render.docx import render_docx

    assert run("extract", str(seed_path), "--out", str(tmp_path / "2021")).exit_code == 0
    _, text_2022 = pair_2021_2022().texts()
    new = render_docx(parse(text_2022), tmp_path / "aa-en-hunze-2022.docx")
    result = run("diff", str(tmp_path / "2021"), str(new), "--out", str(tmp_path / "diff"))
    assert result.exit_code == 0, result.output
    # the counts per status on the terminal: the tracked edits of tests/render/years.py
    assert "2 new" in result.output and "2 dropped" in result.output
    assert "1 split" in result.output and "1 merged" in result.output
    for name in ("matches.jsonl", "matches.csv", "matches.parquet", "report.html"):
        assert (tmp_path / "diff" / name).stat().st_size > 0
    rows = pd.read_csv(tmp_path / "diff" / "matches.csv")
    assert {"old_key", "new_key", "status", "renumbered", "similarity", "quantity_changes"} <= set(rows.columns)


def test_diff_bad_side_is_one_clear_error(run, seed_path, tmp_path):
    missing = tmp_path / "nope.pdf"
    result = run("diff", str(missing), str(seed_path), "--out", str(tmp_path / "diff"))
    assert result.exit_code == 1
    assert f"Error: {missing}: file not found" in result.output
    assert not (tmp_path / "diff").exists()
