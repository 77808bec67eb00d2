"""Commitments: labels, continuations, sub-items, footnotes, numbering issues, keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.commitments import Label, find_commitments, parse_label
from pipeline.outline import outline
from pipeline.parties import PartyRegister
from pipeline.types import FOOTNOTE, TABLE, Block, Document


@pytest.mark.parametrize("text, label, rest", [
    ("12. De Volmacht", ("12", ".", False), "De Volmacht"),
    ("3.2.1 Partijen", ("3.2.1", "", False), "Partijen"),
    ("3.2.1. Partijen", ("3.2.1", ".", False), "Partijen"),
    ("4) Iets", ("4", ")", False), "Iets"),
    ("b. de gemeente", ("b", ".", True), "de gemeente"),
    ("(c) de gemeente", ("c", "()", True), "de gemeente"),
    ("12 woningen worden gebouwd", None, None),
    ("1 Inleiding", None, None),
    ("a de gemeente", None, None),
    ("De gemeente", None, None),
])
def test_parse_label(text, label, rest):
    parsed = parse_label(text)
    if label is None:
        assert parsed is None
    else:
        assert (parsed[0].text, parsed[0].punct, parsed[0].lettered) == label and parsed[1] == rest


def _run(nlp, *blocks: Block):
    document = Document(Path("x.txt"), "x", "text", (Block("Titel"),) + blocks)
    return find_commitments("x", outline(document, PartyRegister((), nlp)))


def test_continuations_subitems_and_footnote(nlp):
    commitments, issues = _run(
        nlp, Block("1 Afspraken"),
        Block("1. De gemeente verstrekt het jaarverslag om te toetsen aan"),
        Block("marktontwikkelingen en trends."),
        Block("2. De streefhuren zijn (\u20ac 663) \u00b9 gedifferentieerd:"),
        Block("- 80% onder de eerste grens"),
        Block("a. met uitzonderingen"),
        Block("\u00b9 De grenzen zijn van 2020.", kind=FOOTNOTE),
        Block("Voor zittende huurders geldt het huurbeleid."),
        Block("Prestaties gemeente 2021"),
        Block("Dit is een losse alinea na een kop."),
    )
    first, second = commitments
    assert first.text == "De gemeente verstrekt het jaarverslag om te toetsen aan marktontwikkelingen en trends."
    assert second.subitems == ("80% onder de eerste grens", "met uitzonderingen")
    assert second.text.splitlines() == ["De streefhuren zijn (\u20ac 663) \u00b9 gedifferentieerd:",
                                        "- 80% onder de eerste grens", "a. met uitzonderingen",
                                        "Voor zittende huurders geldt het huurbeleid."]
    assert second.footnotes == ("\u00b9 De grenzen zijn van 2020.",)
    assert issues == ()


def test_not_commitments(nlp):
    commitments, _ = _run(
        nlp, Block("1. Gemeente X, rechtsgeldig vertegenwoordigd door Y, hierna te noemen: 'de gemeente'."),
        Block("1 Inhoud"), Block("1. Inleiding ........ 3"), Block("2. Afspraken ........ 5"),
        Block("2 Afspraken"), Block("1. De gemeente bouwt."),
        Block("", kind=TABLE, rows=(("1.", "Termijn"),)),
    )
    assert [c.number for c in commitments] == ["1"]


def test_gap_repeat_and_restart_keys(nlp):
    commitments, issues = _run(
        nlp, Block("1 Afspraken"), Block("1.1 Wonen"), Block("1. Een."), Block("2. Twee."), Block("4. Vier."),
        Block("1.2 Zorg"), Block("1. Een."), Block("1. Nog een."),
    )
    assert [c.key for c in commitments] == ["1.1/1", "1.1/2", "1.1/4", "1.2/1", "1.2/1~2"]
    assert [(i.kind, i.key) for i in issues] == [("numbering-gap", "1.1/4"), ("repeated-number", "1.2/1")]
    assert "missing 3" in issues[0].message


def test_label_depth_and_last():
    label = Label("3.2.1", "", False)
    assert (label.depth, label.last) == (3, 1)
