# Backprop, Again. `make book` builds the HTML book, `make test` runs every
# test. Both create or reuse the virtualenv $(VENV) from requirements.txt.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
JB := $(VENV)/bin/jupyter-book
STAMP := $(VENV)/.installed

.PHONY: help venv book test lint clean

help:
	@echo "make book   build the HTML book to _build/html/index.html"
	@echo "make test   run the test suite (lint, package, book build)"
	@echo "make clean  remove _build"

$(STAMP): requirements.txt code/pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m ipykernel install --prefix $(VENV) --name python3 \
	    --display-name "Python 3" >/dev/null
	touch $@

venv: $(STAMP)

book: $(STAMP)
	$(JB) build . --builder html -W -n --keep-going
	@echo "The book is at _build/html/index.html"

lint: $(STAMP)
	$(PY) -m ruff check code tests book/_ext

test: lint
	$(PY) -m pytest

clean:
	rm -rf _build
