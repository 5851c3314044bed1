# Two commands: `make run` sets everything up and serves the portal with a demo district;
# `make test` sets everything up and runs every check (lint, SQLite, PostgreSQL, Chromium).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PORTAL_TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test lint bench translations messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The stamp files re-run pip only when pyproject.toml changes.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --quiet --editable '.[postgres,server]'
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --quiet --editable '.[postgres,server,dev]'
	touch $@ $(VENV)/.installed-run

translations: $(VENV)/.installed-run
	$(BIN)/pybabel compile --domain messages --directory translations

# One worker runs beside the web server: it delivers SMS (shown at /dev/messages) and runs the
# periodic jobs, and stops (SIGTERM, finishing its batch) when the server does.
run: $(VENV)/.installed-run translations
	$(BIN)/flask --app portal db upgrade
	$(BIN)/flask --app portal demo seed
	export PORTAL_DEV_PAGES=true; \
	$(BIN)/flask --app portal worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; \
	$(BIN)/flask --app portal run --host 127.0.0.1 --port 5000

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: $(VENV)/.installed-dev translations lint
	$(BIN)/python -m pytest --db=sqlite
	@if $(BIN)/python -m tests.postgres_available; then \
		$(BIN)/python -m pytest --db=postgres -m "not browser"; \
	elif [ "$${CI:-}" = "true" ]; then \
		echo "PostgreSQL is not reachable at $$PORTAL_TEST_DATABASE_URL; CI must run both databases." >&2; \
		exit 1; \
	else \
		echo "PostgreSQL is not reachable at $$PORTAL_TEST_DATABASE_URL: its run was skipped (CI fails here)."; \
	fi

# Benchmarks print figures against the issues' budgets; they are not tests and not in CI.
# They need poppler-utils (pdftoppm) and wrk: apt-get install poppler-utils wrk.
bench: $(VENV)/.installed-dev translations
	$(BIN)/python -m tests.bench.posters
	$(BIN)/python -m tests.bench.door_page
	$(BIN)/python -m tests.bench.worker
	$(BIN)/python -m tests.bench.appeals

# After changing user-facing strings: refresh the catalogues, then translate the new entries.
messages: $(VENV)/.installed-dev
	$(BIN)/pybabel extract --mapping babel.cfg --keywords _l --keywords lazy_gettext --ignore-dirs '.*' \
		--no-location --no-wrap --sort-output --project portal --output-file translations/messages.pot .
	$(BIN)/pybabel update --input-file translations/messages.pot --output-dir translations \
		--no-fuzzy-matching --ignore-obsolete --no-wrap
	$(BIN)/python -m tests.catalogues

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
