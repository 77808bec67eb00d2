"""Lineage: every commitment followed through all years of its series, as chains.

A chain is one afspraak through the years: at most one commitment per year, linked by
the relations of the consecutive diffs (pipeline.matching). It starts in the series'
first year, as a `new` item, or as a part of a split; it goes on while each year's
relation carries it (`unchanged`, `modified`); it ends `dropped`, `merged` into another
chain, or with the series' last year.

Splits and merges (one row per chain, every commitment in exactly one chain):

    split 2022 #16 -> 2023 #17 + #18     the chain of #16 goes on in the first part (#17, in
                                         document order); #18 starts a chain of its own whose
                                         `parent` is the chain of #16. Both steps say "split".
    merge 2022 #70 + #71 -> 2023 #72     the chain of the first part (#70) goes on in #72 (step
                                         "merged"); the chain of #71 ends there, its 2023 step
                                         "merged" and `merged_into` the chain of #70.

`lineage_id` is the commitment id of the chain's first commitment ("aa-en-hunze-2021#12"),
so it stays the same on a rerun as long as that commitment does.

    chains = series_chains(members, pairs)    # batch Members (one series, in order) and Pairs
    [step.status for step in chains[0].steps]   ->  ["", "unchanged", "modified", "dropped"]

Steps carry a `label` per member: its year ("2022"), "2022_2" for a second document of
the same year, "position_3" for one without a year. `chart` lays the chains out as the
marks and lines of the series picture on index.html.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

UNCHANGED, MODIFIED, SPLIT, MERGED, NEW, DROPPED = (
    "unchanged", "modified", "split", "merged", "new", "dropped")  # pipeline.matching's statuses
# How a chain starts and ends.
FIRST_YEAR = "first-year"  # there from the series' first document
LAST_YEAR = "last-year"  # still there in its last
UNLINKED = "unlinked"  # the diff between two documents failed: chains cannot be followed across it
STARTS = (FIRST_YEAR, NEW, SPLIT, UNLINKED)
ENDS = (LAST_YEAR, DROPPED, MERGED, UNLINKED)


@dataclass(frozen=True)
class Step:
    """A chain in one document of its series: the commitment it has there, and how it got there.

    `status` is the relation from the previous document ("" in the first document and for
    a chain that starts unlinked); the last step of a dropped or merged-away chain has no
    commitment.
    """

    position: int  # of the document in its series, 1-based
    label: str  # "2022"; "2022_2" for a second document of that year
    year: int | None
    document: str
    commitment_id: str | None
    key: str | None
    number: str | None
    status: str
    confidence: float | None = None  # of the relation (pipeline.matching), None in the first year
    reason: str = ""
    text: str = ""  # the commitment's text (for the picture's tooltips; the tables join commitments)


@dataclass(frozen=True)
class Chain:
    lineage_id: str  # the commitment id of its first commitment
    series: str
    steps: tuple[Step, ...]
    start: str  # first-year | new | split | unlinked
    end: str  # last-year | dropped | merged | unlinked
    parent: str | None = None  # split: the chain it split from
    merged_into: str | None = None  # merged: the chain that goes on
    text: str = ""  # its latest commitment's text

    @property
    def present(self) -> tuple[Step, ...]:
        """The steps with a commitment."""
        return tuple(s for s in self.steps if s.commitment_id)

    @property
    def first_year(self) -> int | None:
        return self.present[0].year

    @property
    def last_year(self) -> int | None:
        return self.present[-1].year


def commitment_id(document: str, key: str) -> str:
    """The id that joins a commitment across tables (as pipeline.publish names it).

    >>> commitment_id("aa-en-hunze-2021", "4.1/3")
    'aa-en-hunze-2021#4.1/3'
    """
    return f"{document}#{key}"


def step_labels(members: Sequence[Any]) -> list[str]:
    """A column label per member of one series: its year, made unique.

        2021, 2022, 2022, None -> "2021", "2022", "2022_2", "position_4"
    """
    seen: Counter = Counter()
    labels = []
    for m in members:
        if m.year is None:
            labels.append(f"position_{m.position}")
            continue
        seen[m.year] += 1
        labels.append(str(m.year) if seen[m.year] == 1 else f"{m.year}_{seen[m.year]}")
    return labels


@dataclass
class _Builder:
    """A chain while it is being followed (mutable only inside series_chains)."""

    lineage_id: str
    start: str
    parent: str | None = None
    steps: list[Step] = field(default_factory=list)
    end: str | None = None
    merged_into: str | None = None
    text: str = ""


def series_chains(members: Sequence[Any], pairs: Iterable[Any]) -> tuple[Chain, ...]:
    """The chains of one series, in the order the series picture draws them.

    `members` are one series' batch Members in series order (series, year, position,
    document, extraction.commitments); `pairs` the batch Pairs among them (old.document,
    new.document, match_rows). Consecutive members without a pair (their diff failed) end
    every chain and start new ones, `unlinked`.

    Drawing order: the first document's chains in its order; a chain that starts later
    comes right after the chain of the commitment before it in its document.
    """
    members = list(members)
    if not members:
        return ()
    labels = step_labels(members)
    rows_of = {(p.old.document, p.new.document): p.match_rows for p in pairs}
    order: list[_Builder] = []
    own: dict[str, _Builder] = {}  # commitment id -> the chain it belongs to

    commitments = [{c.key: c for c in m.extraction.commitments} for m in members]
    places = [{key: i for i, key in enumerate(found)} for found in commitments]

    def step(k: int, key: str | None, status: str, row: Mapping[str, Any] | None = None) -> Step:
        m, c = members[k], commitments[k].get(key) if key else None
        return Step(m.position, labels[k], m.year, m.document, commitment_id(m.document, key) if key else None,
                    key, c.number if c else None, status, row.get("confidence") if row else None,
                    (row.get("reason") or "") if row else "", c.text if c else "")

    def add(chain: _Builder, k: int, key: str, status: str, row=None) -> None:
        chain.steps.append(step(k, key, status, row))
        chain.text = chain.steps[-1].text
        own[commitment_id(members[k].document, key)] = chain

    def begin(k: int, key: str, start: str, status: str, row=None, parent: str | None = None) -> _Builder:
        chain = _Builder(commitment_id(members[k].document, key), start, parent)
        add(chain, k, key, status, row)
        return chain

    for k, member in enumerate(members):
        keys = list(commitments[k])
        started: dict[str, _Builder] = {}  # key -> a chain starting in this document
        rows = rows_of.get((members[k - 1].document, member.document)) if k else None
        if k == 0:
            order.extend(begin(0, key, FIRST_YEAR, "") for key in keys)
            continue
        open_before = [c for c in order if c.end is None]
        if rows is None:
            for chain in open_before:
                chain.end = UNLINKED
            started = {key: begin(k, key, UNLINKED, "") for key in keys}
        else:
            previous = members[k - 1].document
            for row in rows:
                status = row.get("status")
                olds = sorted(_keys(row, "old"), key=lambda key: places[k - 1].get(key, len(places[k - 1])))
                news = sorted(_keys(row, "new"), key=lambda key: places[k].get(key, len(keys)))
                chains = [own.get(commitment_id(previous, key)) for key in olds]
                if status == NEW or not olds:
                    started.update({key: begin(k, key, NEW, NEW, row) for key in news})
                elif not news:  # dropped
                    for chain in chains:
                        if chain is not None:
                            chain.steps.append(step(k, None, DROPPED, row))
                            chain.end = DROPPED
                elif chains[0] is None:  # not followed so far (cannot happen with a complete diff)
                    started.update({key: begin(k, key, UNLINKED, status, row) for key in news})
                else:
                    add(chains[0], k, news[0], status, row)
                    for key in news[1:]:  # the other parts of a split
                        started[key] = begin(k, key, SPLIT, status, row, parent=chains[0].lineage_id)
                    for chain in chains[1:]:  # the other parts of a merge
                        if chain is not None:
                            chain.steps.append(step(k, None, status, row))
                            chain.end, chain.merged_into = MERGED, chains[0].lineage_id
            missing = [key for key in keys if commitment_id(member.document, key) not in own]
            started.update({key: begin(k, key, UNLINKED, "") for key in missing})
            for chain in open_before:
                if chain.end is None and chain.steps[-1].position != member.position:
                    chain.end = UNLINKED
        _place(order, started, keys, member.document, own)
    for chain in order:
        if chain.end is None:
            chain.end = LAST_YEAR
    series = members[0].series
    return tuple(Chain(c.lineage_id, series, tuple(c.steps), c.start, c.end, c.parent, c.merged_into, c.text)
                 for c in order)


def _keys(row: Mapping[str, Any], side: str) -> list[str]:
    values = row.get(f"{side}_keys")
    if values is None:
        value = row.get(f"{side}_key")
        values = [] if value in (None, "") else value if isinstance(value, list) else [value]
    return [str(v) for v in values]


def _place(order: list[_Builder], started: Mapping[str, _Builder], keys: Sequence[str], document: str,
           own: Mapping[str, _Builder]) -> None:
    """Insert the chains starting in this document right after the chain of the commitment
    before them in it (or first when none comes before; last when the whole document starts
    anew, after a failed diff)."""
    if not started:
        return
    if len(started) == len(keys):
        order.extend(started[key] for key in keys)
        return
    at = {id(chain): i for i, chain in enumerate(order)}
    after: dict[int, list[_Builder]] = {}  # row of the anchor chain (-1: before every row) -> chains
    anchor = -1
    for key in keys:
        chain = own[commitment_id(document, key)]
        if key in started:
            after.setdefault(anchor, []).append(chain)
        else:
            anchor = at[id(chain)]
    placed = list(after.get(-1, []))
    for i, chain in enumerate(order):
        placed.append(chain)
        placed.extend(after.get(i, []))
    order[:] = placed


def chains_of(members: Sequence[Any], pairs: Sequence[Any]) -> tuple[Chain, ...]:
    """The chains of every series (members grouped by series in their batch order)."""
    by_series: dict[str, list[Any]] = {}
    for m in members:
        by_series.setdefault(m.series, []).append(m)
    found: list[Chain] = []
    for series, group in by_series.items():
        found += series_chains(group, [p for p in pairs if p.series == series])
    return tuple(found)


# --------------------------------------------------------------------------- rows


def summary(chain: Chain) -> str:
    """A chain in one line: each document's number and how it got there.

        "2021 12 → 2022 13 unchanged → 2023 13 modified → 2024 dropped"
    """
    parts = []
    for s in chain.steps:
        what = s.number if s.commitment_id else ""
        parts.append(" ".join(p for p in (s.label, what, s.status) if p))
    return " → ".join(parts)


def step_rows(chains: Iterable[Chain]) -> list[dict[str, Any]]:
    """One row per chain and document it reaches (the long form of the lineage)."""
    return [{"step_id": f"{c.lineage_id}@{s.position}", "lineage_id": c.lineage_id, "series": c.series,
             "position": s.position, "label": s.label, "year": s.year, "document": s.document,
             "commitment_id": s.commitment_id, "number": s.number, "status": s.status or None,
             "confidence": s.confidence, "reason": s.reason or None}
            for c in chains for s in c.steps]


def chain_rows(chains: Iterable[Chain], labels: Sequence[str]) -> list[dict[str, Any]]:
    """One row per chain, with `commitment_<label>` and `status_<label>` for each label."""
    rows = []
    for c in chains:
        present = c.present
        row = {"lineage_id": c.lineage_id, "series": c.series, "first_year": c.first_year, "last_year": c.last_year,
               "years": len(present), "start": c.start, "end": c.end, "parent": c.parent,
               "merged_into": c.merged_into, "first_commitment_id": present[0].commitment_id,
               "last_commitment_id": present[-1].commitment_id, "path": summary(c)}
        for label in labels:
            row[f"commitment_{label}"] = None
            row[f"status_{label}"] = None
        for s in c.steps:
            row[f"commitment_{s.label}"] = s.commitment_id
            row[f"status_{s.label}"] = s.status or None
        rows.append(row)
    return rows


def all_labels(chains: Iterable[Chain]) -> list[str]:
    """Every step label of the chains, in year order (a same-year second after the first,
    documents without a year last)."""
    labels = {s.label: s for c in chains for s in c.steps}

    def order(label: str) -> tuple:
        year, _, n = label.partition("_")
        return (0, int(year), int(n or 1)) if year.isdigit() else (1, int(n or 0), 0)
    return sorted(labels, key=order)


# --------------------------------------------------------------------------- the series picture

CHART_COLUMN = 110  # px between the documents' columns
CHART_ROW = 9  # px per chain
CHART_LEFT, CHART_TOP, CHART_BOTTOM = 14, 26, 8
MARK_RADIUS = 3.2


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    lineage_id: str
    label: str
    commitment_id: str
    status: str  # "" in the first document
    title: str  # the tooltip


@dataclass(frozen=True)
class Link:
    """A line from one mark to the next: along a chain, or from a chain to a split part or merge."""

    x1: float
    y1: float
    x2: float
    y2: float
    status: str


@dataclass(frozen=True)
class End:
    """Where a chain stops before the series does: dropped (a cross) or merged away."""

    x: float
    y: float
    status: str
    title: str


@dataclass(frozen=True)
class Chart:
    """The series picture: one row per chain, one column per document, a mark where the chain
    has a commitment, coloured by how it got there."""

    width: int
    height: int
    columns: tuple[tuple[float, str], ...]  # (x, label)
    marks: tuple[Mark, ...]
    links: tuple[Link, ...]
    ends: tuple[End, ...]


def chart(chains: Sequence[Chain], labels: Sequence[str]) -> Chart:
    """Marks, lines and ends of the chains of one series, in pixels."""
    x_of = {label: CHART_LEFT + 40 + i * CHART_COLUMN for i, label in enumerate(labels)}
    row_of = {c.lineage_id: CHART_TOP + i * CHART_ROW for i, c in enumerate(chains)}
    marks, links, ends = [], [], []
    by_id = {c.lineage_id: c for c in chains}
    for c in chains:
        y = row_of[c.lineage_id]
        last = None
        for s in c.steps:
            x = x_of[s.label]
            if s.commitment_id is None:  # dropped or merged away
                if s.status == MERGED and c.merged_into in by_id:
                    links.append(Link(last[0], last[1], x, row_of[c.merged_into], MERGED))
                ends.append(End(x if s.status == DROPPED else last[0] + 8, y, s.status,
                                f"{s.label}: {s.status}" + (f" into {c.merged_into}" if c.merged_into else "")))
                continue
            if last is not None:
                links.append(Link(last[0], last[1], x, y, s.status))
            elif c.parent in by_id:  # a split part: from its parent's previous mark
                parent_step = next((p for p in reversed(by_id[c.parent].steps)
                                    if p.commitment_id and p.position < s.position), None)
                if parent_step is not None:
                    links.append(Link(x_of[parent_step.label], row_of[c.parent], x, y, SPLIT))
            marks.append(Mark(x, y, c.lineage_id, s.label, s.commitment_id, s.status,
                              f"{s.label} · {s.number or s.key}" + (f" ({s.status})" if s.status else "")
                              + f": {_snippet(s.text)}"))
            last = (x, y)
    width = CHART_LEFT + 40 + max(len(labels) - 1, 0) * CHART_COLUMN + 60
    height = CHART_TOP + max(len(chains), 1) * CHART_ROW + CHART_BOTTOM
    return Chart(width, height, tuple((x_of[label], label) for label in labels), tuple(marks), tuple(links),
                 tuple(ends))


def _snippet(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"
