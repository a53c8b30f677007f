# CallX privacy rights-request service. `make run` brings the local stack up; `make test` tests it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help install run seed test test-unit test-integration test-e2e test-security test-browser lint bench clean

help:
	@echo "make run     - the whole system on moto: API and web form on 127.0.0.1:8080, AWS endpoint on :5000, SMTP on :2525"
	@echo "make test    - unit, integration and e2e tests"
	@echo "make test-browser - the web form in real headless Chromium (needs Debian's chromium)"
	@echo "make lint    - ruff and mypy"
	@echo "make bench   - benchmarks (cold import of every handler, ...)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python -m local_stack --port $${PORT:-8080} --aws-port $${AWS_PORT:-5000} --smtp-port $${SMTP_PORT:-2525}

test: $(STAMP)
	$(BIN)/pytest -q -m "not browser"

test-unit: $(STAMP)
	$(BIN)/pytest -q tests/unit

test-integration: $(STAMP)
	$(BIN)/pytest -q tests/integration

test-e2e: $(STAMP)
	$(BIN)/pytest -q tests/e2e

test-security: $(STAMP)
	$(BIN)/pytest -q tests/security

# The browser tier drives Debian's Chromium with Playwright for Python; axe-core comes bundled in
# axe-playwright-python (its axe.min.js is injected into the pages). Never `playwright install`:
# it downloads a browser of its own.
test-browser: $(STAMP)
	@test -x /usr/bin/chromium || { \
	  echo "make test-browser: /usr/bin/chromium is missing. Install Debian's Chromium:" >&2; \
	  echo "  apt-get update && apt-get install -y chromium   (not 'playwright install')" >&2; \
	  exit 1; }
	$(BIN)/pip install --quiet "playwright>=1.45,<2" "axe-playwright-python==0.1.8"
	$(BIN)/pytest -q -m browser tests/browser

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/cold_import.py --runs 7
	$(BIN)/python benchmarks/generator.py --calls 100000
	$(BIN)/python benchmarks/export.py --gib 1
	$(BIN)/python benchmarks/lookup_cost.py
	$(BIN)/python benchmarks/erasure.py

seed: $(STAMP)
	$(BIN)/python -m local_stack.seed

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
