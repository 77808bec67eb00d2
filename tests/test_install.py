"""Works once installed: a wheel of the project, installed (not editable) into a fresh venv,
extracts a document without a build step: the spaCy pipeline is built on first use into the
user's cache folder, saying so once.

The fresh venv gets the project's dependencies from this venv (a .pth line naming its
site-packages) rather than downloading them again; the package itself comes from the wheel
only, and runs from outside the source tree.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest

from tests.render.source import SEED

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict[str, str], Path]:
    """(the venv's bin folder, the environment to run it in, a folder outside the source tree)."""
    folder = tmp_path_factory.mktemp("installed")
    source = folder / "source"  # the files a wheel is built from, and nothing else
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "pipeline", source / "pipeline", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(folder / "dist"), str(source)], check=True, capture_output=True)
    wheel, = (folder / "dist").glob("prestatieafspraken-*.whl")
    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--quiet",
                    "--no-deps", "--no-index", str(wheel)], check=True, capture_output=True)
    new_site = next((venv / "lib").glob("python3*/site-packages"))
    (new_site / "dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(XDG_CACHE_HOME=str(folder / "cache"), HOME=str(folder / "home"))
    work = folder / "work"
    work.mkdir()
    return venv / "bin", env, work


def test_the_installed_package_is_not_the_source_tree(installed):
    bin_dir, env, work = installed
    done = subprocess.run([str(bin_dir / "python"), "-c", "import pipeline, pipeline.settings as s; "
                           "print(pipeline.__file__); print(s.DEFAULT_MODEL_PATH)"],
                          cwd=work, env=env, capture_output=True, text=True, check=True)
    module, model = done.stdout.splitlines()
    assert module.startswith(str(bin_dir.parent / "lib")) and not module.startswith(str(ROOT))
    assert model == str(Path(env["XDG_CACHE_HOME"]) / "prestatieafspraken" / "nl_agreements")


def test_extract_works_once_installed(installed):
    bin_dir, env, work = installed
    model = Path(env["XDG_CACHE_HOME"]) / "prestatieafspraken" / "nl_agreements"
    first = subprocess.run([str(bin_dir / "agreements"), "extract", str(SEED), "--out", "out"],
                           cwd=work, env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert first.stderr.splitlines() == [
        f"Building the spaCy pipeline into {model} (once, after installing; a few seconds)"]
    assert "aa-en-hunze-2021: 76 commitments, 5 parties" in first.stdout
    assert (work / "out" / "commitments.parquet").is_file() and (model / "config.cfg").is_file()
    again = subprocess.run([str(bin_dir / "agreements"), "extract", str(SEED), "--out", "out2"],
                           cwd=work, env=env, capture_output=True, text=True)
    assert again.returncode == 0 and again.stderr == ""  # built once
    assert (work / "out2" / "commitments.csv").read_bytes() == (work / "out" / "commitments.csv").read_bytes()


def test_a_stale_pipeline_in_the_cache_is_built_again(installed):
    bin_dir, env, work = installed
    model = Path(env["XDG_CACHE_HOME"]) / "prestatieafspraken" / "nl_agreements"
    if not (model / "meta.json").is_file():
        subprocess.run([str(bin_dir / "agreements"), "extract", str(SEED), "--out", "out"],
                       cwd=work, env=env, capture_output=True, check=True)
    meta = (model / "meta.json").read_text()
    (model / "meta.json").write_text(meta.replace('"patterns":"', '"patterns":"old').replace(
        '"patterns": "', '"patterns": "old'))
    done = subprocess.run([str(bin_dir / "agreements"), "extract", str(SEED), "--out", "out3"],
                          cwd=work, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("Building the spaCy pipeline into")
    assert "old" not in (model / "meta.json").read_text()
