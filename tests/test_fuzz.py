"""A short fuzzing run over mutated PDFs and DOCX (tests/render/mutate.py): every mutant is read
or gets a clean AgreementError, never another exception. bench/fuzz_readers.py runs the long
version and keeps the figures in bench/RESULTS.md.
"""

from __future__ import annotations

import logging
import random

import pytest

from pipeline.errors import AgreementError
from pipeline.ingest import read_document
from pipeline.limits import time_limit
from pipeline.settings import Settings
from tests.render.docx import render_docx
from tests.render.mutate import mutants, sample_elements
from tests.render.pdf import render_pdf

MUTANTS = 40  # of each file, in the default run (a few seconds)


@pytest.fixture(scope="module")
def seeds(tmp_path_factory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("fuzz")
    return {"pdf": render_pdf(sample_elements(), folder / "seed.pdf").read_bytes(),
            "docx": render_docx(sample_elements(), folder / "seed.docx").read_bytes()}


def test_the_unmutated_seeds_are_read(seeds, tmp_path):
    for kind, data in seeds.items():
        (tmp_path / f"seed.{kind}").write_bytes(data)
        document = read_document(tmp_path / f"seed.{kind}", Settings(ocr="never"))
        assert "2. Ruis verbetert 94 woningen naar energielabel A en houdt de huur onder € 663." in [
            b.text for b in document.blocks], kind


@pytest.mark.parametrize("kind, engine", [("pdf", "auto"), ("pdf", "pdfplumber"), ("docx", "auto")])
def test_mutants_are_read_or_refused_cleanly(seeds, tmp_path, kind, engine, caplog):
    caplog.set_level(logging.ERROR)  # the PDF libraries complain about every damaged file
    rng = random.Random(f"{kind}-{engine}")
    stream = mutants(seeds[kind], kind, rng)
    outcomes = {"read": 0, "refused": 0}
    path = tmp_path / f"mutant.{kind}"
    for _ in range(MUTANTS):
        how, data = next(stream)
        path.write_bytes(data)
        try:
            with time_limit(30, path):
                read_document(path, Settings(pdf_engine=engine, ocr="never"))
            outcomes["read"] += 1
        except AgreementError as error:
            assert str(error).startswith(f"{path}: ") and "\n" not in str(error), how
            outcomes["refused"] += 1
        except Exception as error:  # noqa: BLE001
            pytest.fail(f"{kind} mutant ({how}) crashed the reader: {type(error).__name__}: {error}")
    assert outcomes["read"] and outcomes["refused"], outcomes  # the mutations both spare and break
