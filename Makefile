# Two commands do all the set-up:  `make run` (main job on inputs/) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
MODEL := models/nl_agreements

.PHONY: setup system-packages samples run test bench

setup: $(VENV)/.installed $(VENV)/.tesserocr $(MODEL)/meta.json

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[ocr,dask,test]'
	touch $@

# tesserocr built against the system's libtesseract, the Tesseract the program pytesseract
# runs (scripts/system-packages.sh installs its headers). Without them OCR goes through
# pytesseract, and this is tried again on the next make.
$(VENV)/.tesserocr: $(VENV)/.installed
	@if $(PY) -m pip install --quiet --no-binary tesserocr -e '.[tesserocr]'; then touch $@; else \
	  echo "note: tesserocr not built (needs libtesseract-dev libleptonica-dev pkg-config g++:" \
	       "bash scripts/system-packages.sh as root); OCR runs through pytesseract" >&2; fi

$(MODEL)/meta.json: $(VENV)/.installed pipeline/nlp.py pipeline/verbs.py $(wildcard pipeline/patterns/*.jsonl)
	$(VENV)/bin/agreements build-model --path $(MODEL)

# Debian packages for the browser test and OCR, and the headers tesserocr is built
# against (needs root; skipped with a note otherwise).
system-packages:
	bash scripts/system-packages.sh

# Re-create the sample documents in inputs/ from the seed text (PDF and DOCX rendered).
samples: setup
	$(PY) scripts/make_samples.py

run: setup
	$(VENV)/bin/agreements batch inputs/ --out outputs/

# System packages first: tesserocr is built against their libtesseract.
test: system-packages setup
	$(PY) -m pytest

# Benchmarks (minutes, not part of the tests); each rewrites its section of bench/RESULTS.md.
bench: setup
	$(PY) bench/bench_pdf.py --write
	$(PY) bench/bench_matching.py --write
	$(PY) bench/bench_batch.py --write
	$(PY) bench/bench_batch.py --engines --write
	$(PY) bench/bench_ocr.py --write
	$(PY) bench/bench_hostile.py --write
	$(PY) bench/fuzz_readers.py --write
