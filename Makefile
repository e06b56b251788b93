# Backprop, Again. `make book` builds the HTML book, `make test` runs every
# test. Both create or reuse the virtualenv $(VENV) from requirements.txt.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
JB := $(VENV)/bin/jupyter-book
STAMP := $(VENV)/.installed
MATHJAX_VERSION := 3.2.2
MATHJAX := book/_static/mathjax/tex-chtml.js
AXE_VERSION := 4.14.1
AXE := .cache/axe/node_modules/axe-core/axe.min.js

.PHONY: help venv mathjax book pdf notebooks assignments course site \
	bench test lint clean

help:
	@echo "make book       build the HTML book to _build/html/index.html"
	@echo "make pdf        build the PDF to _build/pdf/backprop-again.pdf (TeX)"
	@echo "make notebooks  executed notebooks and a zip in _build/notebooks"
	@echo "make assignments  handouts, answer keys and nbgrader sources in"
	@echo "                assignments/ (for instructors: never deployed)"
	@echo "make course     an nbgrader course in course/, ready to release"
	@echo "make site       book, PDF, notebooks and handouts in _build/html,"
	@echo "                checked, to deploy"
	@echo "make bench      benchmarks: a table, and _build/bench.json"
	@echo "                (BENCH_ARGS=--no-book skips the book builds)"
	@echo "make test       run every test (lint, package, book, PDF, browser)"
	@echo "make clean      remove _build"

$(STAMP): requirements.txt code/pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m ipykernel install --prefix $(VENV) --name python3 \
	    --display-name "Python 3" >/dev/null
	touch $@

venv: $(STAMP)

# MathJax 3 from the npm registry, served from the book so that it renders
# offline. Not committed; fetched once.
$(MATHJAX):
	@command -v npm >/dev/null || { echo "npm is needed to fetch MathJax: \
	apt-get install npm"; exit 1; }
	rm -rf .cache/npm book/_static/mathjax
	mkdir -p .cache/npm book/_static
	npm install --prefix .cache/npm --no-audit --no-fund --silent \
	    mathjax@$(MATHJAX_VERSION)
	cp -r .cache/npm/node_modules/mathjax/es5 book/_static/mathjax

mathjax: $(MATHJAX)

# axe-core from the npm registry, for the accessibility checks of the
# browser tests. Not committed; fetched once.
$(AXE):
	@command -v npm >/dev/null || { echo "npm is needed to fetch axe-core: \
	apt-get install npm"; exit 1; }
	mkdir -p .cache/axe
	npm install --prefix .cache/axe --no-audit --no-fund --silent \
	    axe-core@$(AXE_VERSION)

book: $(STAMP) $(MATHJAX)
	$(JB) build . --builder html -W -n --keep-going
	@echo "The book is at _build/html/index.html"

pdf: book
	$(PY) scripts/build_pdf.py .

notebooks: book
	$(PY) scripts/notebooks.py .

assignments: book
	$(PY) scripts/assignments.py .

course: assignments
	$(PY) scripts/course.py .

site: book pdf notebooks assignments
	$(PY) scripts/publish_site.py .

# torch, to compare against, from requirements-bench.txt (a CPU wheel);
# never in requirements.txt. OpenBLAS picks its own kernel here: the
# two variables that override it are unset for this command alone.
# `make bench BENCH_ARGS=--no-book` skips the book build timings.
BENCH_STAMP := $(VENV)/.bench-installed
$(BENCH_STAMP): $(STAMP) requirements-bench.txt
	$(PY) -m pip install --quiet -r requirements-bench.txt
	touch $@

BENCH_BOOK := $(if $(findstring --no-book,$(BENCH_ARGS)),,$(MATHJAX))
bench: $(STAMP) $(BENCH_STAMP) $(BENCH_BOOK)
	@for v in OPENBLAS_CORETYPE OPENBLAS_L2_SIZE; do \
	  value=$$(printenv $$v || true); \
	  if [ -n "$$value" ]; then echo "WARNING: $$v=$$value is set in \
	your environment; it forces a slower OpenBLAS kernel, so make bench \
	unsets it for the benchmark (tests and CI leave it alone)."; fi; \
	done
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
	    $(PY) benchmarks/run.py $(BENCH_ARGS)

lint: $(STAMP)
	$(PY) -m ruff check code tests book/_ext scripts benchmarks
	$(VENV)/bin/actionlint .github/workflows/*.yml

test: lint $(MATHJAX) $(AXE)
	$(PY) -m pytest

clean:
	rm -rf _build
