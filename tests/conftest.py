"""Shared fixtures: the spaCy pipeline is built once per test session into a temp folder."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

# In CI the property tests draw the same examples every run (a failure there is one anyone
# can reproduce); on a developer's machine they draw new ones each run.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

from pipeline.settings import Settings
from tests.render.source import SEED

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"


@pytest.fixture(autouse=True)
def _collectable_again():
    """The CLI freezes every object on exit (pipeline.cli._exit); run in this process by
    CliRunner, it must not keep them from the collector for the rest of the session."""
    yield
    gc.unfreeze()


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true",
                     help="Rewrite tests/golden/ from the current output (review the diff!).")


@pytest.fixture(scope="session")
def model_path(tmp_path_factory) -> Path:
    from pipeline.nlp import build_and_save
    return build_and_save(tmp_path_factory.mktemp("model") / "nl_agreements")


@pytest.fixture(scope="session")
def settings(model_path) -> Settings:
    return Settings(model_path=model_path)


@pytest.fixture(scope="session")
def nlp(settings):
    from pipeline.nlp import load_pipeline
    return load_pipeline(settings)


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return SEED


@pytest.fixture(scope="session")
def seed_extraction(seed_path, settings, nlp):
    from pipeline.run import extract_document
    return extract_document(seed_path, settings, nlp, doc_id="aa-en-hunze-2021")


@pytest.fixture(scope="session")
def four_years(tmp_path_factory):
    """The 4-year series of tests/render/series.py, rendered once (text, DOCX, text, table PDF)."""
    from tests.render.series import four_years as build, write_series
    return write_series(build(), tmp_path_factory.mktemp("four-years") / "inputs")


@pytest.fixture(scope="session")
def four_years_run(four_years, settings, tmp_path_factory):
    """The series through `agreements batch` (one worker), no corrections: (result, out folder).
    Tests copy the folder before they change anything in it."""
    from pipeline.batch import run_batch
    out = tmp_path_factory.mktemp("four-years-out")
    return run_batch(four_years.folder, out, settings, workers=1, progress=False), out
