# Shared Purpose: `make run` serves the demo, `make test` runs every check. See README.md.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run

PYTHON ?= python3
VENV := .venv
UV_VERSION := 0.13.9
UV := $(VENV)/bin/uv
SP := $(VENV)/bin/sharedpurpose
PORT ?= 8000
export UV_PYTHON := $(VENV)/bin/python
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: run test install install-dev assets chromium lint typecheck pytest bench clean

run: install assets ## Install, migrate the embedded database, load the demo and serve on 127.0.0.1:$(PORT)
	@mkdir -p var
	@$(SP) migrate --no-input -v0
	@$(SP) demo
	@$(SP) serve --port $(PORT) --with-worker

test: install-dev assets chromium lint typecheck pytest ## Lint, type-check and run the whole suite

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Python 3.11 or newer is required as $(PYTHON)"; exit 1; }
	@$(PYTHON) -m venv --help >/dev/null 2>&1 || $(MAKE) --no-print-directory apt-python-venv
	$(PYTHON) -m venv $(VENV)

$(UV): $(VENV)/bin/python
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# Stamps make a second `make run` skip work that is already done.
$(VENV)/.installed: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --inexact --quiet
	@touch $@

$(VENV)/.installed-dev: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --inexact --quiet --extra dev
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed pdf-libraries
install-dev: $(VENV)/.installed-dev pdf-libraries

# WeasyPrint draws PDFs (application answers, reports) with Pango from the system.
.PHONY: pdf-libraries
pdf-libraries: $(VENV)/.installed
	@$(VENV)/bin/python -c 'import weasyprint' 2>/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core; \
		else echo "Pango is missing: run 'apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core' as root"; exit 1; fi; }
	@$(VENV)/bin/python -c 'import weasyprint' || { echo "WeasyPrint cannot load Pango"; exit 1; }

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || $(MAKE) --no-print-directory apt-npm
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The stylesheet: NHS.UK frontend without its CDN web font, plus the platform's own rules.
build/static/sharedpurpose/sharedpurpose.css: node_modules/.installed $(wildcard src/sharedpurpose/core/scss/*.scss)
	npm run -s build

assets: build/static/sharedpurpose/sharedpurpose.css

chromium: ## Debian's Chromium drives the browser tests (never a downloaded browser)
	@command -v chromium >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
		else echo "chromium is missing: run 'apt-get install chromium' as root"; exit 1; fi; }
	@command -v chromium >/dev/null || { echo "chromium could not be installed"; exit 1; }

.PHONY: apt-python-venv apt-npm
apt-python-venv:
	@[ "$$(id -u)" = 0 ] || { echo "python3-venv is missing: install it as root"; exit 1; }
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv

apt-npm:
	@[ "$$(id -u)" = 0 ] || { echo "npm is missing: install it as root"; exit 1; }
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm

lint: install-dev
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/lint-imports

typecheck: install-dev
	$(VENV)/bin/mypy

pytest: install-dev assets chromium
	$(VENV)/bin/pytest

BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test

bench: install assets ## every benchmark in bench/ (see bench/README.md)
	$(UV) sync --frozen --inexact --quiet --extra bench
	$(VENV)/bin/python bench/spc_xmr.py
	$(VENV)/bin/python bench/dashboard.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(VENV)/bin/python bench/import_points.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(VENV)/bin/python bench/api_bulk_upsert.py
	$(VENV)/bin/python bench/fanout.py
	$(VENV)/bin/python bench/round_page_rps.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(VENV)/bin/python bench/load_mixed.py

clean:
	rm -rf $(VENV) node_modules build var
