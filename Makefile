# Two commands do all the set-up:  `make run` (main job on inputs/) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
MODEL := models/nl_agreements

.PHONY: setup system-packages samples run test bench

setup: $(VENV)/.installed $(MODEL)/meta.json

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[ocr,test]'
	touch $@

$(MODEL)/meta.json: $(VENV)/.installed pipeline/nlp.py pipeline/verbs.py $(wildcard pipeline/patterns/*.jsonl)
	$(VENV)/bin/agreements build-model --path $(MODEL)

# Debian packages for the browser test and OCR (needs root; skipped with a note otherwise).
system-packages:
	bash scripts/system-packages.sh

# Re-create the sample documents in inputs/ from the seed text (PDF and DOCX rendered).
samples: setup
	$(PY) scripts/make_samples.py

run: setup
	$(VENV)/bin/agreements batch inputs/ --out outputs/

test: setup system-packages
	$(PY) -m pytest

# Benchmarks (minutes, not part of the tests); each rewrites its section of bench/RESULTS.md.
bench: setup
	$(PY) bench/bench_pdf.py --write
	$(PY) bench/bench_matching.py --write
	$(PY) bench/bench_batch.py --write
	$(PY) bench/bench_ocr.py --write
	$(PY) bench/bench_hostile.py --write
	$(PY) bench/fuzz_readers.py --write
