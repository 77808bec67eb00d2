"""Dependency floors above the known advisories: pyproject.toml's lower bounds, and what is
installed. pip-audit needs a vulnerability service on the network, which CI does not
reach; this pinned list stands in for it (run `pip-audit` where the network allows, and
raise a floor here and in pyproject.toml when it finds one)."""

from __future__ import annotations

import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent

# package -> (the lowest release past its advisories, the advisories)
FLOORS = {
    "pdfminer.six": ("20260107", "CVE-2025-64512 / GHSA-f83h-ghpp-7wcc: pickled CMaps loaded (code run) from a PDF"),
    "lxml": ("6.0", "bundled libxml2 2.14.4: CVE-2025-6021, CVE-2025-49794, CVE-2025-49796 (5.4: CVE-2025-32414/5)"),
    "pillow": ("11.3", "CVE-2024-28219 (buffer overflow), CVE-2025-48379 (DDS write overflow, 11.2)"),
    "jinja2": ("3.1.6", "CVE-2024-56201, CVE-2024-56326, CVE-2025-27516: sandbox escapes"),
    "tqdm": ("4.66.3", "CVE-2024-34062: eval of CLI arguments"),
    "pyarrow": ("14.0.1", "CVE-2023-47248: deserialisation of untrusted IPC/Parquet data"),
    "reportlab": ("3.6.13", "CVE-2023-33733: code run from a rich-text attribute"),
    "setuptools": ("78.1.1", "CVE-2025-47273: path traversal in PackageIndex"),
}
# pypdf is no dependency: none of its advisories applies.
NOT_USED = ("pypdf", "PyPDF2")


def _requirements() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    lines = [*project["project"]["dependencies"], *project["build-system"]["requires"],
             *(r for extra in project["project"]["optional-dependencies"].values() for r in extra)]
    return {Requirement(line).name.lower(): Requirement(line) for line in lines}


def _lower_bound(requirement: Requirement) -> Version | None:
    bounds = [Version(s.version) for s in requirement.specifier if s.operator in (">=", "==", "~=")]
    return max(bounds) if bounds else None


@pytest.mark.parametrize("package", sorted(FLOORS))
def test_pyproject_floors_are_above_the_advisories(package):
    requirement = _requirements().get(package)
    assert requirement is not None, f"{package} is not required, so drop it from FLOORS"
    floor, advisories = FLOORS[package]
    bound = _lower_bound(requirement)
    assert bound is not None and bound >= Version(floor), f"{requirement}: needs >= {floor} ({advisories})"


@pytest.mark.parametrize("package", sorted(FLOORS))
def test_installed_versions_are_above_the_advisories(package):
    try:
        installed = version(package)
    except PackageNotFoundError:
        pytest.skip(f"{package} is not installed here (an extra that was not asked for)")
    assert Version(installed) >= Version(FLOORS[package][0]), (package, installed, FLOORS[package][1])


def test_pypdf_is_not_a_dependency():
    required = _requirements()
    assert not any(name.lower() in required for name in NOT_USED)
