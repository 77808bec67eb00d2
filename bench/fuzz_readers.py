"""Fuzz the readers: mutated PDFs and DOCX through `read_document`, counting what happens.

    .venv/bin/python bench/fuzz_readers.py                    # 1,000 mutants of each
    .venv/bin/python bench/fuzz_readers.py --mutants 200 --seed 3
    .venv/bin/python bench/fuzz_readers.py --write            # also update bench/RESULTS.md

A small agreement (tests/render/mutate.py: a party list, numbered items, a footnote, a
ruled table) is rendered to PDF and DOCX; each mutant (bytes flipped, cut, a piece lost or
doubled, a structural number or keyword changed; for DOCX mostly an XML part changed and
zipped again) is read with the PDF engines "auto" and "pdfplumber", OCR off, under a time
limit. Every outcome is one of: read, a clean AgreementError (the one-line error a user
sees), too slow (the time limit), or a crash: any other exception, which is a bug. Crashes
are printed with their mutation and saved under bench/work/fuzz/ to be replayed.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import random
import resource
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import RESULTS, machine, write_section  # noqa: E402

TIME_LIMIT = 20.0  # seconds one mutant may take


def fuzz(mutants_each: int, seed: int, keep: Path | None) -> dict:
    from pipeline.errors import AgreementError, TimeLimitError
    from pipeline.ingest import read_document
    from pipeline.limits import time_limit
    from pipeline.settings import Settings
    from tests.render.docx import render_docx
    from tests.render.mutate import mutants, sample_elements
    from tests.render.pdf import render_pdf

    work = Path(tempfile.mkdtemp(prefix="fuzz-"))
    seeds = {"pdf": render_pdf(sample_elements(), work / "seed.pdf").read_bytes(),
             "docx": render_docx(sample_elements(), work / "seed.docx").read_bytes()}
    engines = {"pdf": ["auto", "pdfplumber"], "docx": ["auto"]}
    rng = random.Random(seed)
    outcomes = {kind: collections.Counter() for kind in seeds}
    crashes, slowest, started = [], 0.0, time.perf_counter()
    for kind, data in seeds.items():
        stream = mutants(data, kind, rng)
        for number in range(mutants_each):
            how, mutant = next(stream)
            path = work / f"mutant.{kind}"
            path.write_bytes(mutant)
            for engine in engines[kind]:
                began = time.perf_counter()
                try:
                    with time_limit(TIME_LIMIT, path):
                        read_document(path, Settings(pdf_engine=engine, ocr="never"))
                    outcomes[kind]["read"] += 1
                except TimeLimitError:
                    outcomes[kind]["too slow"] += 1
                except AgreementError:
                    outcomes[kind]["clean error"] += 1
                except Exception as error:  # noqa: BLE001 - a crash is what we look for
                    outcomes[kind]["crash"] += 1
                    where = traceback.extract_tb(error.__traceback__)[-1]
                    crashes.append((kind, engine, how, f"{type(error).__name__}: {error}"[:160],
                                    f"{Path(where.filename).name}:{where.lineno}"))
                    if keep is not None:
                        keep.mkdir(parents=True, exist_ok=True)
                        (keep / f"crash-{len(crashes)}.{kind}").write_bytes(mutant)
                slowest = max(slowest, time.perf_counter() - began)
    return {"outcomes": outcomes, "crashes": crashes, "seconds": time.perf_counter() - started,
            "slowest": slowest, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
            "mutants": mutants_each, "seed": seed}


def report(result: dict) -> str:
    lines = [f"{datetime.date.today()}, {machine()}; seed {result['seed']}, {result['mutants']:,} mutants of "
             f"each file, PDF read by two engines; {result['seconds']:.0f} s, slowest read "
             f"{result['slowest']:.1f} s, peak memory {result['peak_mb']} MB.", "",
             "| file | reads tried | read | clean error | too slow | crash |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for kind, counts in result["outcomes"].items():
        lines.append(f"| {kind} | {sum(counts.values()):,} | {counts['read']:,} | {counts['clean error']:,} | "
                     f"{counts['too slow']} | {counts['crash']} |")
    if result["crashes"]:
        lines += ["", "Crashes (kind, engine, mutation, error, where):", ""]
        lines += [f"- {c[0]} {c[1]} `{c[2]}`: {c[3]} ({c[4]})" for c in result["crashes"][:30]]
    return "\n".join(lines)


def main() -> int:
    import logging
    logging.disable(logging.WARNING)  # pdfminer's and pypdfium's complaints about each damaged file
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mutants", type=int, default=1000, help="mutants of each file [1000]")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--write", action="store_true", help="update the fuzzing section of bench/RESULTS.md")
    args = parser.parse_args()
    result = fuzz(args.mutants, args.seed, ROOT / "bench" / "work" / "fuzz")
    section = report(result)
    print(section)
    if args.write:
        write_section("fuzz", "## Fuzzing the readers (bench/fuzz_readers.py)\n\n" + section)
        print(f"\nWritten to {RESULTS}")
    return 1 if result["crashes"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
