"""Mutated PDFs and DOCX for fuzzing the readers: a good file, changed at random the ways
files get damaged (bytes flipped, cut short, a piece lost or doubled) and the ways a
hostile file is made (numbers in the PDF's structure made huge, XML parts of a DOCX with
elements dropped, doubled or given odd values).

    mutants(seed_bytes, "pdf", random.Random(7)) -> an endless stream of (how, bytes)
"""

from __future__ import annotations

import io
import random
import re
import zipfile
from collections.abc import Iterator

from tests.render.source import parse

SAMPLE = """Prestatieafspraken Fuzzdorp 2021

In dit document leggen we de prestatieafspraken vast tussen:

1. Gemeente Fuzzdorp, vertegenwoordigd door wethouder J. Jansen, hierna te noemen: 'de gemeente'.
2. Woningstichting Ruis, vertegenwoordigd door mevrouw A. de Vries, hierna te noemen: 'Ruis'.

1 Afspraken

1.1 Betaalbaarheid

1. De gemeente bouwt in 2021 minimaal 20 woningen voor starters¹.
2. Ruis verbetert 94 woningen naar energielabel A en houdt de huur onder € 663.
 - 80% van de woningen blijft betaalbaar.
3. De gemeente en Ruis overleggen vier keer per jaar over de voortgang.

Termijn\tOverleg\tWie
Q1\tvoortgang\tgemeente
Q3\tbegroting\tRuis

¹ De aantallen gelden voor 2021.
"""


def sample_elements():
    return parse(SAMPLE)


def mutate_bytes(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    """One damage done to a file's bytes, and its name."""
    how = rng.choice(["flip", "truncate", "delete", "duplicate", "insert", "numbers", "keyword"])
    data = bytearray(data)
    if how == "flip":
        for _ in range(rng.randint(1, 24)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif how == "truncate":
        data = data[: rng.randrange(1, len(data))]
    elif how == "delete":
        start = rng.randrange(len(data))
        del data[start:start + rng.randint(1, 2000)]
    elif how == "duplicate":
        start = rng.randrange(len(data))
        piece = data[start:start + rng.randint(1, 2000)]
        at = rng.randrange(len(data))
        data[at:at] = piece
    elif how == "insert":
        at = rng.randrange(len(data))
        data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    elif how == "numbers":  # object numbers, lengths, offsets, sizes: huge, negative, zero
        spots = [m.span() for m in re.finditer(rb"\d+", bytes(data))]
        for start, end in rng.sample(spots, min(len(spots), rng.randint(1, 8))):
            data[start:end] = rng.choice([b"0", b"-1", b"99999999999", b"4294967296", b"1e308", b"3.5"])
            break  # spans after the first moved: one a mutant
    else:  # a structural keyword replaced
        words = [m.span() for m in re.finditer(rb"obj|endobj|stream|endstream|xref|trailer|startxref|/Length|"
                                                rb"/Kids|/Count|/Type|/Pages|/Root|R\b", bytes(data))]
        if words:
            start, end = rng.choice(words)
            data[start:end] = rng.choice([b"", b"null", b"[[[[", b"<<", b"obj", b"/Kids [1 0 R]"])
    return how, bytes(data)


def mutate_xml(xml: bytes, rng: random.Random) -> tuple[str, bytes]:
    """One change to an XML part: an element dropped or doubled, an attribute value odd, a
    tag cut, or the bytes damaged."""
    how = rng.choice(["drop", "double", "value", "cut", "bytes"])
    tags = [m.span() for m in re.finditer(rb"<w:[a-zA-Z]+[^>]*?(?:/>|>)", xml)]
    if how == "bytes" or not tags:
        return mutate_bytes(xml, rng)
    start, end = rng.choice(tags)
    if how == "drop":
        return how, xml[:start] + xml[end:]
    if how == "double":
        return how, xml[:end] + xml[start:end] + xml[end:]
    if how == "cut":
        return how, xml[:rng.randrange(start, end)] + xml[end:]
    values = list(re.finditer(rb'="([^"]*)"', xml[start:end]))
    if not values:
        return how, xml
    value = rng.choice(values)
    odd = rng.choice([b"", b"-1", b"99999999999", b"abc", b"0", b"%9%9%9", b"\xc3\xa9", b"2147483648", b"1.5"])
    return how, xml[:start + value.start(1)] + odd + xml[start + value.end(1):]


def mutate_docx(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    """Usually one XML part changed and the package zipped again; sometimes its zip bytes damaged."""
    if rng.random() < 0.2:
        how, damaged = mutate_bytes(data, rng)
        return f"zip-{how}", damaged
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    parts = [info.filename for info, _ in members if info.filename.endswith((".xml", ".rels"))]
    weights = [8 if name == "word/document.xml" else 3 if name in ("word/numbering.xml", "word/styles.xml",
                                                                     "word/footnotes.xml") else 1 for name in parts]
    target = rng.choices(parts, weights)[0]
    out = io.BytesIO()
    how = ""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, content in members:
            if info.filename == target:
                how, content = mutate_xml(content, rng)
            archive.writestr(info, content)
    return f"{target}:{how}", out.getvalue()


def mutants(data: bytes, kind: str, rng: random.Random) -> Iterator[tuple[str, bytes]]:
    """Mutants of `data` (a PDF or a DOCX), one or two changes each, without end."""
    mutate = mutate_bytes if kind == "pdf" else mutate_docx
    while True:
        how, mutant = mutate(data, rng)
        if rng.random() < 0.3:
            more, mutant = mutate(mutant, rng) if kind == "pdf" else mutate_bytes(mutant, rng)
            how = f"{how}+{more}"
        yield how, mutant
