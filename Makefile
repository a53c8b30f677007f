# CallX privacy rights-request service. `make run` brings the local stack up; `make test` tests it.
# The development venv runs the Lambda runtime's Python (python3.12 in template.yaml), so every
# tier is tested on the version that ships: pyenv's 3.12 when there is one, else python3.12 on
# the PATH, else python3 (with a warning: then the code is tested on another version).
RUNTIME_PYTHON := $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12) $(shell command -v python3.12 2>/dev/null))
PYTHON ?= $(if $(RUNTIME_PYTHON),$(RUNTIME_PYTHON),python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: smoke smoke-local help install run seed soak soak-small test test-fast test-unit test-integration test-e2e test-security test-package test-browser lint bench package openapi lock check-template clean

help:
	@echo "make run     - the whole system on moto: API and web form on 127.0.0.1:8080, AWS endpoint on :5000, SMTP on :2525"
	@echo "make test    - unit, integration, security, e2e and shipped-layer tests (the ten slowest are listed at the end)"
	@echo "make test-fast - the unit tier alone (under a minute): the edit loop"
	@echo "make test-browser - the web form in real headless Chromium (needs Debian's chromium)"
	@echo "make lint    - ruff and mypy"
	@echo "make bench   - benchmarks (cold import of every handler, ...)"
	@echo "make soak    - 300 mixed requests on the local stack under AWS faults and crashes, replays, checks (SOAK_ARGS=\"-n 100 --seed 3\")"
	@echo "make package - the layer and functions for the template's runtime (python3.12, arm64) in build/, and build/template.yaml"
	@echo "make check-template - cfn-lint, checkov (skips explained in the template) and an ASL validator"
	@echo "make smoke-local - the smoke test (opt-out, access, download, deletion, re-scan of a canary) on the local stack; make smoke STACK=<name> CANARY_EMAIL=<inbox> on a deployed one"
	@echo "make openapi - regenerate docs/openapi/ (the APIs' OpenAPI documents) from the code"
	@echo "make lock    - recompile layers/requirements.txt (the layer's hashed lock) from layers/requirements.in"

$(BIN)/python:
	@echo "First install: a venv and every dependency, usually about 3.5 minutes (later runs reuse .venv)."
	@$(if $(RUNTIME_PYTHON),,echo "warning: no Python 3.12 found; the venv uses $$($(PYTHON) --version), not the Lambda runtime's" >&2)
	$(PYTHON) -m venv $(VENV)

# The layer's lock (minus the SDK the Lambda runtime brings) constrains the development install:
# the tests run the versions that ship.
LAYER_CONSTRAINTS := $(VENV)/layer-constraints.txt

$(STAMP): $(BIN)/python pyproject.toml layers/requirements.txt
	@started=$$(date +%s); echo "[install 1/2] pip itself"; \
	  $(BIN)/pip install --quiet --upgrade pip && \
	  echo "[install 1/2] done in $$(( $$(date +%s) - started )) s"
	@PYTHONPATH=infra $(BIN)/python -m lambda_package --constraints > $(LAYER_CONSTRAINTS)
	@started=$$(date +%s); echo "[install 2/2] the project and its development dependencies (pyproject.toml, the layer's versions from layers/requirements.txt)"; \
	  $(BIN)/pip install --progress-bar on -e ".[dev]" -c $(LAYER_CONSTRAINTS) && \
	  echo "[install 2/2] done in $$(( $$(date +%s) - started )) s"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python -m local_stack --port $${PORT:-8080} --aws-port $${AWS_PORT:-5000} --smtp-port $${SMTP_PORT:-2525}

# Two pytest-xdist workers (this machine kind has two cores; one pytest process uses about
# one): each deploys its own session stack, a tier that shares a stack or a build stays on one
# worker (tests/conftest.py); the largest groups go first. TEST_WORKERS=0 runs everything in
# this process.
TEST_WORKERS ?= 2
XDIST := -n $(TEST_WORKERS) --dist loadgroup

test: $(STAMP)
	$(BIN)/pytest -q -m "not browser and not soak" $(XDIST) --durations=10

test-fast: $(STAMP)
	$(BIN)/pytest -q tests/unit

test-unit: $(STAMP)
	$(BIN)/pytest -q tests/unit

test-integration: $(STAMP)
	$(BIN)/pytest -q tests/integration $(XDIST)

test-e2e: $(STAMP)
	$(BIN)/pytest -q tests/e2e

test-security: $(STAMP)
	$(BIN)/pytest -q tests/security

# What ships, imported by the runtime's Python with only the layer and the runtime's SDK.
test-package: $(STAMP)
	$(BIN)/pytest -q tests/package

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
	$(BIN)/python benchmarks/cold_import.py
	$(BIN)/python benchmarks/generator.py --calls 100000
	$(BIN)/python benchmarks/export.py --gib 1
	$(BIN)/python benchmarks/lookup_cost.py
	$(BIN)/python benchmarks/erasure.py
	$(BIN)/python benchmarks/lake.py
	$(BIN)/python -m local_stack.soak --measure -n 100

# No Docker: pip's cross-platform install of the hashed lock (manylinux aarch64, cp312 wheels only).
package: $(STAMP)
	$(BIN)/python -m lambda_package --out build

# The template under checkov (each skip explained in its Metadata.CheckovSkips), cfn-lint, and the
# state machine definitions under an independent ASL validator (asl-validator, from npm). The
# tools get a venv and a folder of their own: checkov's dependencies would fight the project's.
CHECKOV := .venv-checkov/bin/checkov
ASL_VALIDATOR := build/tools/node_modules/.bin/asl-validator

$(CHECKOV):
	python3 -m venv .venv-checkov
	.venv-checkov/bin/pip install --quiet "checkov==3.3.30"

$(ASL_VALIDATOR):
	npm install --silent --no-audit --no-fund --prefix build/tools "asl-validator@3.16.0"

check-template: $(STAMP) $(CHECKOV) $(ASL_VALIDATOR)
	# errors, warnings and I3011 (a stateful resource without explicit deletion and update-replace
	# policies: the stack is safe to delete and update in an account only with them)
	$(BIN)/cfn-lint --include-checks I3011 --regions us-east-1 -- template.yaml
	mkdir -p build
	$(CHECKOV) -f template.yaml --framework cloudformation -o json --quiet > build/checkov.json || true
	$(BIN)/python -m lambda_package.checkov_gate build/checkov.json
	for definition in infra/statemachine/*.asl.json; do $(ASL_VALIDATOR) --json-path $$definition || exit 1; done

# The smoke test (privacy_ops/smoke.py): a canary's opt-out, access request, download, deletion and
# re-scan, one line per step. Locally the stack is started in-process (or SMOKE_API_URL and
# SMOKE_AWS_ENDPOINT name a running one, e.g. make run's); deployed, codes are typed in from the
# test inbox CANARY_EMAIL (docs/deploy.md).
smoke: $(STAMP)
	@test -n "$(STACK)" || { echo "make smoke STACK=<stack name> CANARY_EMAIL=<test inbox> [REGION=...]; make smoke-local for the local stack" >&2; exit 2; }
	@test -n "$(CANARY_EMAIL)" || { echo "make smoke needs CANARY_EMAIL=<a test inbox you can read>" >&2; exit 2; }
	$(BIN)/python -m privacy_ops.smoke --stack $(STACK) --canary-email $(CANARY_EMAIL) $(if $(REGION),--region $(REGION),)

smoke-local: $(STAMP)
	$(BIN)/python -m privacy_ops.smoke --local $(if $(SMOKE_API_URL),--api-url $(SMOKE_API_URL) --aws-endpoint $(or $(SMOKE_AWS_ENDPOINT),http://127.0.0.1:5000),)

# The APIs' OpenAPI documents, generated from the resolvers into docs/openapi/ (a test checks them).
openapi: $(STAMP)
	$(BIN)/python -m lambda_package.openapi

lock: $(STAMP)
	$(BIN)/uv pip compile layers/requirements.in --universal --python-version 3.12 --generate-hashes \
	  -c layers/lambda-runtime.txt --custom-compile-command "make lock" -o layers/requirements.txt

seed: $(STAMP)
	$(BIN)/python -m local_stack.seed --endpoint-url http://127.0.0.1:$${AWS_PORT:-5000}

# A day's load on the local stack (local_stack/soak.py): loopback only, bounded in count and time;
# exits non-zero when a check fails. `python -m local_stack.soak --help` lists the options.
soak: $(STAMP)
	$(BIN)/python -m local_stack.soak $(SOAK_ARGS)

# The 30-request soak as a test (about 3 minutes alone here), run by .ci/run after make test: inside
# make test it would take most of make test's 5-minute budget (issue 15).
soak-small: $(STAMP)
	$(BIN)/pytest -q -m soak tests/e2e/test_soak_small.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
