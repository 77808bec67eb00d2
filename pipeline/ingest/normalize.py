"""One clean-up for every format, applied at the ingest boundary.

    >>> clean_text("energie\u00adzuinig  \ufb01nanciën\u00a0€ 663")
    'energiezuinig financiën € 663'
    >>> join_lines(["De Volmacht verbetert 94 wo-", "ningen naar label A."])
    'De Volmacht verbetert 94 woningen naar label A.'
    >>> join_lines(["inzet op Nul-op-de-", "meter en wet- en", "regelgeving"])
    'inzet op Nul-op-de-meter en wet- en regelgeving'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from pipeline.types import Block, Document, FOOTNOTE, PARAGRAPH

_LIGATURES = str.maketrans({
    "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
    "\ufb05": "st", "\ufb06": "st",
})
# Characters that only get in the way: soft hyphen, zero-width space and joiners, BOM.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
_LIGATURE_OR_INVISIBLE = re.compile("[" + "".join(map(chr, (*_LIGATURES, *_INVISIBLE))) + "]")
# Every kind of space becomes a plain one (NBSP, narrow NBSP, thin space, ...).
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_SPACES_TO_MERGE = re.compile(r"[\t\u00a0\u2000-\u200a\u202f\u205f\u3000]|  ")  # where _SPACES changes a text
_MARKDOWN_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")

# A number label as printed at the start of a paragraph:
#   "12.", "12)", "3.2.1", "3.2.1.", "a.", "a)", "(a)"      plain numbers and letters
#   "Afspraak 4", "Afspraak 3.2:", "Actie 12."                 a word before the number (Word's
#                                                             lvlText "Afspraak %1.%2"), capitalised:
#                                                             "afspraak 45" in a wrapped line is a reference
#   "A1", "B2.", "V3:", "A.1"                                 a theme letter and a number
# Group "label" holds the number without trailing punctuation, "prefix" the word before it.
# A label stands before white space, or, for a number closed by "." or ")" or of several
# levels, right before a capitalised word: Word's list numbers run into the text at the
# tab stop once they are wide enough, and the PDF then shows no gap wide enough for a
# space ("10.Partijen ...", "2.1Partijen ..."). A theme letter and number with nothing
# after it must be followed by a capitalised word ("B2 De gemeente"), so "CO2 uitstoot"
# is no label. Below the first level a number has one or two digits: "25.000." at the start
# of a wrapped line is an amount.
_GLUED_WORD = r"[A-Z\u00c0-\u00d6\u00d8-\u00de][^\W\d_]"
LABEL_PREFIXES = ("afspraak", "prestatie", "actie", "maatregel", "artikel", "opgave")
_CODED = r"[A-Z]{1,2}\.?\d{1,2}(?:\.\d{1,2}){0,2}"
LABEL_RE = re.compile(
    r"^\s*(?:\((?P<paren>[a-z]|\d{1,3})\)"
    rf"|(?P<prefix>(?:{'|'.join(w.capitalize() + '|' + w.upper() for w in LABEL_PREFIXES)})\s+)(?P<prefixed>\d{{1,3}}(?:\.\d{{1,3}})*|{_CODED})(?P<ppunct>[.):])?"
    rf"|(?P<coded>{_CODED})(?:(?P<cpunct>[.):])(?=\s|$)|(?=\s+[A-Z\u00c0-\u00de]))"
    r"|(?P<label>\d{1,3}(?:\.\d{1,2})*|[a-z])(?P<punct>[.)])?)"
    rf"(?=\s|$|(?:(?<=\d[.)])|(?<=\d\.\d)|(?<=\d\.\d\d)){_GLUED_WORD})"
)


def clean_number(raw: str) -> str:
    """A label's number without the dot some documents put after a theme letter: "A.1" -> "A1"."""
    return re.sub(r"^([A-Z]+)\.(?=\d)", r"\1", raw)


# Bullet glyphs Word, PDF producers and plain-text authors use.
BULLET_RE = re.compile(r"^\s*[-\u2013\u2014\u2022\u25aa\u25cf\u25e6\u2023\u2043\u00b7*o\uf0b7\uf0a7](?=\s)\s*")
# Footnote markers: superscript digits, or a digit glued to the start of a footnote line.
SUPERSCRIPT_DIGITS = "\u00b9\u00b2\u00b3\u2070\u2074\u2075\u2076\u2077\u2078\u2079"
FOOTNOTE_LINE_RE = re.compile(rf"^\s*[{SUPERSCRIPT_DIGITS}]+\s*\S")
_SUPERSCRIPT_TO_DIGIT = str.maketrans(SUPERSCRIPT_DIGITS, "1230456789")
DIGIT_TO_SUPERSCRIPT = str.maketrans("1230456789", SUPERSCRIPT_DIGITS)

# A hyphen at a line end that splits a word ("wo-" + "ningen"); not a dash before "en"
# or "of" as in "wet- en regelgeving".
_KEEP_HYPHEN_BEFORE = {"en", "of", "tot", "t/m", "&"}


def clean_text(text: str) -> str:
    """Unicode-normalise one line or paragraph: ligatures, invisible characters, spaces."""
    if not text.isascii():  # each step below the ASCII ones leaves ASCII text as it is
        text = unicodedata.normalize("NFC", text)
        if _LIGATURE_OR_INVISIBLE.search(text):
            text = text.translate(_LIGATURES).translate(_INVISIBLE)
    if "**" in text or "__" in text:
        text = _MARKDOWN_BOLD.sub(lambda m: m.group(1) or m.group(2), text)
    if _SPACES_TO_MERGE.search(text):
        text = _SPACES.sub(" ", text)
    return text.strip()


def footnote_marker(text: str) -> str | None:
    """The number of a footnote line ("¹ De huurprijsgrenzen ..." -> "1"), else None."""
    if not FOOTNOTE_LINE_RE.match(text):
        return None
    marks = re.match(rf"\s*([{SUPERSCRIPT_DIGITS}]+)", text).group(1)
    return marks.translate(_SUPERSCRIPT_TO_DIGIT)


def join_lines(lines: list[str]) -> str:
    """Join the printed lines of one paragraph, undoing end-of-line hyphenation."""
    out = ""
    for raw in lines:
        line = clean_text(raw)
        if not line:
            continue
        if not out:
            out = line
            continue
        first_word = line.split(" ", 1)[0]
        last_word = out.rsplit(" ", 1)[-1]
        split_word = (out.endswith("-") and len(out) > 1 and out[-2].isalpha()
                      and first_word[:1].islower() and first_word not in _KEEP_HYPHEN_BEFORE)
        if split_word and "-" in last_word[:-1]:
            out = out + line  # "Nul-op-de-" + "meter": the word already has hyphens, keep this one
        elif split_word:
            out = out[:-1] + line
        else:
            out = f"{out} {line}"
    return out


def is_label_only(text: str) -> bool:
    """True for a paragraph that is nothing but a number label ("12." or "b)")."""
    m = LABEL_RE.match(text)
    return bool(m) and not text[m.end():].strip() and bool(
        m.group("punct") or m.group("paren") or m.group("prefix") or m.group("cpunct"))


def merge_split_labels(blocks: list[Block]) -> list[Block]:
    """Put back a number label that extraction split from its text.

    PDF producers often place "12." in its own text run or line; the item's text then
    follows as the next paragraph. ["12.", "De Volmacht ..."] -> ["12. De Volmacht ..."].
    """
    merged: list[Block] = []
    for block in blocks:
        # Several labels in a row ("3." "a)" "De gemeente ...") all go into the text, so
        # that merging again changes nothing.
        while (merged and merged[-1].kind == PARAGRAPH and block.kind == PARAGRAPH
                and is_label_only(merged[-1].text) and not is_label_only(block.text)):
            label = merged.pop()
            block = replace(block, text=f"{label.text} {block.text}", page=label.page or block.page,
                            line=label.line or block.line, paragraph=label.paragraph
                            if label.paragraph is not None else block.paragraph)
        merged.append(block)
    return merged


def normalize(document: Document) -> Document:
    """Clean every block's text and re-attach split number labels.

    Readers already join lines; this pass is the same for every format.
    """
    blocks = []
    for block in document.blocks:
        text = clean_text(block.text)
        rows = tuple(tuple(clean_text(cell) for cell in row) for row in block.rows)
        if not text and not rows:
            continue
        kind = block.kind
        if kind == PARAGRAPH and footnote_marker(text):
            kind = FOOTNOTE
        if (text, rows, kind) != (block.text, block.rows, block.kind):
            block = replace(block, text=text, rows=rows, kind=kind)
        blocks.append(block)
    return replace(document, blocks=tuple(merge_split_labels(blocks)))
