# Two commands: `make run` sets everything up and serves the portal with a demo district;
# `make test` sets everything up and runs every check (lint, SQLite, PostgreSQL, Chromium).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PORTAL_TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test test-sqlite test-postgres system-packages lint bench fuzz translations messages clean

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
# `make run PORT=8000` serves another port; the addresses on posters, in SMS and on tracking
# pages follow it (PORTAL_BASE_URL), unless PORTAL_BASE_URL is set already.
PORT ?= 5000
run: export PORTAL_BASE_URL ?= http://127.0.0.1:$(PORT)
run: $(VENV)/.installed-run translations
	$(BIN)/flask --app portal db upgrade
	$(BIN)/flask --app portal demo seed
	export PORTAL_DEV_PAGES=true; \
	$(BIN)/flask --app portal worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; \
	$(BIN)/flask --app portal run --host 127.0.0.1 --port $(PORT)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The browser tests drive Debian's Chromium and need the Noto CJK fonts to show Chinese at all;
# the poster tests render PDFs as a printer would, with pdftoppm (poppler-utils). None of these
# comes from pip, so `make test` installs them itself where it can (as root with apt: CI, a
# fresh container) and otherwise stops, naming them, instead of skipping those tests silently.
# The fonts are looked for in what grep prints, not in its status: with pipefail, a grep that
# quits at the first match (-q, or any grep writing to /dev/null) can kill fc-list with SIGPIPE
# and make installed fonts look missing.
SYSTEM_PACKAGES := chromium fonts-noto-cjk poppler-utils
HAVE_SYSTEM_PACKAGES := [ -x /usr/bin/chromium ] && [ -x /usr/bin/pdftoppm ] \
	&& [ -n "$$(fc-list 2>/dev/null | grep -i 'Noto Sans CJK')" ]

system-packages:
	@if $(HAVE_SYSTEM_PACKAGES); then \
		exit 0; \
	elif [ "$$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing $(SYSTEM_PACKAGES) (the browser and poster tests need them)."; \
		apt-get update -qq; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; \
		$(HAVE_SYSTEM_PACKAGES) || { echo "$(SYSTEM_PACKAGES) installed, yet still missing." >&2; exit 1; }; \
	else \
		echo "The tests need Chromium (/usr/bin/chromium), the Noto CJK fonts and pdftoppm." >&2; \
		echo "Install these Debian packages as root, then run make test again:" >&2; \
		echo "    apt-get install $(SYSTEM_PACKAGES)" >&2; \
		exit 1; \
	fi

# The two databases' runs go side by side: much of a run is waiting (on PostgreSQL, on
# Chromium, on worker processes and their clocks), so together they take little longer than
# the longer one alone. Each run's output is printed whole when it ends.
test: system-packages $(VENV)/.installed-dev translations lint
	$(MAKE) --no-print-directory --jobs=2 --output-sync=target test-sqlite test-postgres

test-sqlite: $(VENV)/.installed-dev translations
	$(BIN)/python -m pytest --db=sqlite

test-postgres: $(VENV)/.installed-dev translations
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
	$(BIN)/python -m tests.bench.uploads
	$(BIN)/python -m tests.bench.meetings
	$(BIN)/python -m tests.bench.meeting_bookings
	$(BIN)/python -m tests.bench.volunteering
	$(BIN)/python -m tests.bench.points
	$(BIN)/python -m tests.bench.legal_queue
	$(BIN)/python -m tests.bench.legal_faq
	$(BIN)/python -m tests.bench.archives

# A long, randomised run of the fuzzer (tests/fuzz): hostile requests to every route as every
# role, FUZZ_SECONDS on each database (10 minutes unless told), then per route the share of
# requests that reached form validation. Not in `make test`, which runs the fuzzer derandomised
# and short. A failure it finds is pinned in tests/fuzz/test_fuzz.py (PINNED).
FUZZ_SECONDS ?= 600
fuzz: $(VENV)/.installed-dev translations
	status=0; \
	for db in sqlite postgres; do \
		FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_REPORT=1 $(BIN)/python -m pytest --db=$$db \
			-p no:cacheprovider tests/fuzz || status=1; \
	done; \
	exit $$status

# After changing user-facing strings: refresh the catalogues, then translate the new entries.
messages: $(VENV)/.installed-dev
	$(BIN)/pybabel extract --mapping babel.cfg --keywords _l --keywords lazy_gettext --ignore-dirs '.*' \
		--no-location --no-wrap --sort-output --project portal --output-file translations/messages.pot .
	$(BIN)/pybabel update --input-file translations/messages.pot --output-dir translations \
		--no-fuzzy-matching --ignore-obsolete --no-wrap
	$(BIN)/python -m tests.catalogues

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
