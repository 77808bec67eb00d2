"""The one clean-up every reader's text goes through (pipeline/ingest/normalize.py)."""

from __future__ import annotations

import pytest

from pipeline.ingest.normalize import clean_text, join_lines


@pytest.mark.parametrize("raw, clean", [
    ("De Volmacht bouwt 40 woningen.", "De Volmacht bouwt 40 woningen."),
    ("  spaties eromheen \n", "spaties eromheen"),
    ("twee  spaties en een\ttab", "twee spaties en een tab"),
    ("energie\u00adzuinig  \ufb01nanci\u00ebn\u00a0\u20ac 663", "energiezuinig financi\u00ebn \u20ac 663"),
    ("e\u0301e\u0301n woning", "\u00e9\u00e9n woning"),  # NFC
    ("nul\u200bop\u200dde\ufeffmeter", "nulopdemeter"),
    ("smalle\u202fspatie en\u2009dunne", "smalle spatie en dunne"),
    ("**vet** en __ook vet__", "vet en ook vet"),
    ("een * ster en een _ streep", "een * ster en een _ streep"),
    ("", ""),
])
def test_clean_text(raw, clean):
    assert clean_text(raw) == clean


@pytest.mark.parametrize("lines, joined", [
    (["De Volmacht verbetert 94 wo-", "ningen naar label A."], "De Volmacht verbetert 94 woningen naar label A."),
    (["inzet op Nul-op-de-", "meter en wet- en", "regelgeving"], "inzet op Nul-op-de-meter en wet- en regelgeving"),
    (["Woonborg  ", "", "\u00a0bouwt."], "Woonborg bouwt."),
])
def test_join_lines(lines, joined):
    assert join_lines(lines) == joined
