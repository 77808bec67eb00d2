"""Records as data and back (pipeline.records): what the batch cache stores instead of pickles."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from pipeline.batch import Failure, decode_entry, encode_entry
from pipeline.records import from_data, to_data
from pipeline.settings import Settings
from pipeline.types import Block, Commitment, Document, Extraction, Issue, Party, Quantity, Section
from tests.render.docx import render_docx
from tests.render.pdf import render_pdf
from tests.render.source import seed_elements


@pytest.fixture(scope="module")
def extractions(seed_extraction, settings, nlp, tmp_path_factory) -> dict[str, Extraction]:
    """The seed as text, DOCX and PDF: every reader's records, every field the formats fill."""
    from pipeline.run import extract_document

    folder = tmp_path_factory.mktemp("records")
    docx = render_docx(seed_elements(), folder / "seed.docx")
    pdf = render_pdf(seed_elements(), folder / "seed.pdf")
    return {"text": seed_extraction, "docx": extract_document(docx, settings, nlp),
            "pdf": extract_document(pdf, settings, nlp)}


def _records(value):
    """Every dataclass instance inside `value`, depth first."""
    if dataclasses.is_dataclass(value):
        yield value
        for field in dataclasses.fields(value):
            yield from _records(getattr(value, field.name))
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _records(item)


@pytest.mark.parametrize("fmt", ["text", "docx", "pdf"])
def test_an_extraction_round_trips_through_json(extractions, fmt):
    extraction = extractions[fmt]
    data = json.loads(json.dumps(to_data(extraction)))
    back = from_data(Extraction, data)
    assert back == extraction
    # Equal field by field, with the same types: tuples stay tuples, paths paths.
    for before, after in zip(_records(extraction), _records(back), strict=True):
        for field in dataclasses.fields(before):
            assert type(getattr(after, field.name)) is type(getattr(before, field.name)), (type(before), field.name)


def test_the_extractions_fill_every_field_of_every_record(extractions):
    """So the round trip above is tested on every field, not on defaults."""
    filled: dict[type, set[str]] = {}
    for extraction in extractions.values():
        for record in _records(extraction):
            filled.setdefault(type(record), set()).update(
                f.name for f in dataclasses.fields(record)
                if getattr(record, f.name) not in (None, (), "") and getattr(record, f.name) != f.default)
    expected = {Extraction: {"document", "year", "parties", "commitments", "issues"},
                Document: {"path", "id", "format", "blocks", "page_count"},
                Block: {"text", "kind", "heading_level", "page", "paragraph", "line", "rows", "style"},
                Party: {"document", "name", "short_name", "role", "signatory", "function", "aliases"},
                Commitment: {f.name for f in dataclasses.fields(Commitment)} - {"due", "owner_column", "corrected"},
                Section: {"chapter", "theme", "section", "horizon", "heading_owners", "in_body"},
                Quantity: {"kind", "value", "unit", "text", "value_max", "qualifier"},
                Issue: {"document", "kind", "message", "where", "key"}}
    for kind, names in expected.items():
        assert names <= filled[kind], (kind.__name__, names - filled[kind])
    values = {type(q.value) for e in extractions.values() for c in e.commitments for q in c.quantities}
    assert values == {float, str}


def test_the_fields_the_seed_leaves_empty_round_trip():
    """`due` and `owner_column` (commitments tables), `corrected` (corrections.csv) and a reader's issues."""
    commitment = Commitment("d", "T1.2", "T1.2", "Actieplan.", Section(theme="Wonen"), due="Q2 2024",
                            owner_column="Gemeente, corporaties", quantities=(Quantity("label", "A", None, "label A"),),
                            corrected=("owners", "theme"))
    assert from_data(Commitment, json.loads(json.dumps(to_data(commitment)))) == commitment
    document = Document(Path("in/x.pdf"), "x", "pdf", (Block("", kind="table", rows=(("a", "b"),)),), 2,
                        (Issue("x", "unreadable-page", "page 2 could not be read", "page 2"),))
    assert from_data(Document, json.loads(json.dumps(to_data(document)))) == document


def test_cache_entries_hold_only_their_kinds():
    failure = Failure("in/x.pdf", "x", "extract", "UnreadableDocumentError", "not a readable PDF")
    assert decode_entry(encode_entry(failure)) == failure
    rows = ({"status": "unchanged", "old_key": "1", "new_keys": ["1"], "similarity": 1.0, "diff": [["=", "a"]]},)
    assert decode_entry(encode_entry(rows)) == rows
    with pytest.raises(ValueError, match="unknown kind of cache entry 'os.system'"):
        decode_entry(b'{"format": 1, "kind": "os.system", "value": "touch /tmp/x"}')
    with pytest.raises(ValueError, match="not a cache entry of format 1"):
        decode_entry(b'{"format": 0, "kind": "Failure", "value": {}}')
    with pytest.raises(ValueError, match="data does not fit"):
        decode_entry(b'{"format": 1, "kind": "Failure", "value": {"path": 3}}')
    with pytest.raises(TypeError, match="the cache keeps no Settings"):
        encode_entry(Settings())


@pytest.mark.parametrize("hint, data, message", [
    (Block, {"text": 1}, "expected str, got int"),
    (Block, ["a"], "expected dict, got list"),
    (Quantity, {"kind": "euro", "value": [1], "unit": None, "text": ""}, "expected float or str or NoneType"),
    (Document, {"path": "x", "id": "x", "format": "text", "blocks": {}}, "expected list, got dict"),
    (Section, {"horizon": "current", "in_body": 1}, "expected bool, got int"),
])
def test_data_that_does_not_fit_its_type_is_refused(hint, data, message):
    with pytest.raises(ValueError, match=message):
        from_data(hint, data)


def test_numpy_scalars_are_stored_as_numbers():
    import numpy as np

    assert to_data({"score": np.float32(0.5), "n": np.int64(3), "ok": np.bool_(True)}) == {
        "score": 0.5, "n": 3, "ok": True}
    assert to_data(Path("a/b.txt")) == "a/b.txt"
    with pytest.raises(TypeError, match="cannot store a object"):
        to_data(object())
