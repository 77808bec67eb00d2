"""Write the sample documents in inputs/: the seed as text, and rendered to PDF and DOCX.

    python scripts/make_samples.py        (or: make samples)

The renderers are the test suite's (tests/render/): the samples are exactly what the
cross-format tests read.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.render.docx import render_docx  # noqa: E402
from tests.render.pdf import render_pdf  # noqa: E402
from tests.render.source import SEED, seed_elements  # noqa: E402

INPUTS = ROOT / "inputs"


def main() -> None:
    INPUTS.mkdir(exist_ok=True)
    name = "aa-en-hunze-2021"
    shutil.copyfile(SEED, INPUTS / f"{name}.txt")
    elements = seed_elements()
    render_pdf(elements, INPUTS / f"{name}.pdf")
    render_docx(elements, INPUTS / f"{name}.docx")
    for path in sorted(INPUTS.glob(f"{name}.*")):
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
