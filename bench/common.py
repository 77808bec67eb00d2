"""What every benchmark shares: a description of the machine, and writing its own
section of bench/RESULTS.md between `<!-- NAME:start -->` / `<!-- NAME:end -->` markers,
so benchmarks run in any order and never overwrite each other's figures."""

from __future__ import annotations

import os
import platform
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def machine() -> str:
    """ "AMD EPYC 7B13, 2 cores available, Linux 6.1, Python 3.11.7" """
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{cpu}, {cores} cores available, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def write_section(name: str, section: str, results: Path = RESULTS) -> None:
    """Replace the NAME section of RESULTS.md (append it if new); the rest stays as it is."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{section}\n{end}"
    text = results.read_text(encoding="utf-8") if results.exists() else "# Benchmarks\n"
    if start in text and end in text:
        text = text[:text.index(start)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    temporary = results.with_name(f".{results.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(results)
