"""Records -> tables and files. The only module that uses pandas.

Every file is written to a temporary name in the target folder and renamed into place,
so an interrupted run never leaves a half-written table.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

TABLE_FORMATS = ("jsonl", "csv", "parquet")


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; rename it onto `target` only on success."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        tmp_path.unlink(missing_ok=True)


def write_text_atomic(target: Path, text: str) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return target


def to_plain(value: Any) -> Any:
    """Dataclasses, tuples and paths -> JSON-ready dicts, lists and strings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


def _flat_cell(value: Any) -> Any:
    """CSV and Parquet cells: lists of strings joined with "; ", other nesting as JSON."""
    if isinstance(value, list):
        if all(isinstance(v, str) for v in value):
            return "; ".join(value)
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def write_table(rows: Iterable[Mapping[str, Any]], out_dir: Path, name: str,
                columns: list[str], formats: Iterable[str] = TABLE_FORMATS) -> list[Path]:
    """Write rows (plain dicts) as name.jsonl / name.csv / name.parquet in out_dir.

    JSONL keeps nested values (lists, objects); CSV and Parquet get flat cells.
    `columns` fixes the column order and is written even when there are no rows.
    """
    rows = [dict(row) for row in rows]
    written = []
    for fmt in formats:
        target = out_dir / f"{name}.{fmt}"
        with atomic_path(target) as tmp:
            if fmt == "jsonl":
                with tmp.open("w", encoding="utf-8") as handle:
                    for row in rows:
                        handle.write(json.dumps({c: row.get(c) for c in columns}, ensure_ascii=False) + "\n")
            else:
                frame = pd.DataFrame([{c: _flat_cell(row.get(c)) for c in columns} for row in rows],
                                     columns=columns)
                if fmt == "csv":
                    frame.to_csv(tmp, index=False)
                elif fmt == "parquet":
                    frame.to_parquet(tmp, index=False)
                else:
                    raise ValueError(f"unknown table format {fmt!r}")
        written.append(target)
    return written
