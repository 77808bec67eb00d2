"""Write the sample documents in inputs/: the seed (2021) as text, PDF and DOCX, and a
2022 version of it as DOCX.

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
from tests.render.source import SEED, parse, seed_elements  # noqa: E402
from tests.render.years import pair_2021_2022  # noqa: E402

INPUTS = ROOT / "inputs"
SHARED_SEED = ROOT.parent / "shared" / "seeds" / "prestatieafspraken-aa-en-hunze-2021.txt"


def main() -> None:
    INPUTS.mkdir(exist_ok=True)
    name = "aa-en-hunze-2021"
    if SHARED_SEED.exists():
        shutil.copyfile(SHARED_SEED, SEED)
    elements = seed_elements()
    render_pdf(elements, INPUTS / f"{name}.pdf")
    render_docx(elements, INPUTS / f"{name}.docx")
    # The next year: items inserted, reworded, moved, dropped, split and merged, the year
    # moved and thresholds indexed (tests/render/years.py), as a Word document.
    _, text_2022 = pair_2021_2022().texts()
    render_docx(parse(text_2022), INPUTS / "aa-en-hunze-2022.docx")
    for path in sorted(INPUTS.glob("aa-en-hunze-*")):
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
