"""Peak memory and time of each kind of the bad-input corpus (tests/render/hostile.py).

    .venv/bin/python bench/bench_hostile.py            # print the table
    .venv/bin/python bench/bench_hostile.py --write    # also update bench/RESULTS.md

Each file is extracted (`pipeline.run.extract_document`, the default settings) in one
process, which has the spaCy pipeline loaded; before each, the kernel's record of the
process's peak resident memory is reset (Linux: /proc/self/clear_refs), so each row's
peak is that file's own. The bound stated in the README and asserted by
tests/test_hostile.py is 1 GB for any process of a batch over this corpus.
"""

from __future__ import annotations

import argparse
import datetime
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import RESULTS, machine, write_section  # noqa: E402


def peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def main() -> int:
    import logging
    logging.disable(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help="update the bad-input section of bench/RESULTS.md")
    args = parser.parse_args()

    from pipeline.errors import AgreementError
    from pipeline.nlp import load_pipeline
    from pipeline.run import extract_document
    from pipeline.settings import Settings
    from tests.render.hostile import render_hostile

    settings = Settings()
    nlp = load_pipeline(settings)
    made = render_hostile(Path(tempfile.mkdtemp(prefix="hostile-")) / "corpus")
    baseline = peak_mb()
    rows = []
    for kind, path in made.items():
        reset_peak()
        started = time.perf_counter()
        try:
            outcome = f"read: {len(extract_document(path, settings, nlp).commitments)} commitments"
        except AgreementError as error:
            outcome = type(error).__name__
        rows.append((kind, time.perf_counter() - started, peak_mb(), outcome))
    worst = max(rows, key=lambda row: row[2])
    lines = [f"{datetime.date.today()}, {machine()}. One process with the spaCy pipeline loaded "
             f"({baseline:.0f} MB), the files in corpus order; before each, the peak is reset to the memory then "
             f"resident (which earlier files may have raised). Highest: {worst[0]}, {worst[2]:.0f} MB.", "",
             "| kind | seconds | peak MB | outcome |", "| --- | ---: | ---: | --- |"]
    lines += [f"| {kind} | {seconds:.2f} | {peak:.0f} | {outcome} |" for kind, seconds, peak, outcome in rows]
    section = "\n".join(lines)
    print(section)
    if args.write:
        write_section("hostile", "## Bad inputs: memory and time per kind (bench/bench_hostile.py)\n\n" + section)
        print(f"\nWritten to {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
