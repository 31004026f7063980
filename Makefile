# onewindow: the two commands of the README, and the steps behind them.
#   make demo   set up, create the SQLite database, load demo data, run the sandbox
#               networks and the web app on http://127.0.0.1:8000
#   make test   set up, then the whole test suite (on CI also PostgreSQL and the browser)
# Needs only Python 3.11+ with pip (and npm, for the pinned htmx file).

PYTHON ?= python3
UV_VERSION := 0.13.9
BOOT := .uv-bootstrap
UV := $(BOOT)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
SANDBOX_PORT ?= 8001
export ONEWINDOW_HOME ?= $(CURDIR)/var
# CI provides PostgreSQL here; a run with CI set fails if it is not reachable.
POSTGRES_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: setup demo test test-sqlite test-postgres lint bench clean

$(UV):
	$(PYTHON) -m venv $(BOOT)
	$(BOOT)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

setup: $(UV)
	$(UV) sync --all-packages --locked --quiet
	$(BIN)/python web/scripts/fetch_htmx.py

demo: setup
	$(BIN)/onewindow db upgrade
	$(BIN)/onewindow demo load
	@echo "sandbox networks on http://$(HOST):$(SANDBOX_PORT), web app on http://$(HOST):$(PORT)"
	@set -e; \
	$(BIN)/onewindow sandbox --host $(HOST) --port $(SANDBOX_PORT) & sandbox=$$!; \
	trap 'kill $$sandbox 2>/dev/null' EXIT INT TERM; \
	ONEWINDOW_SANDBOX_URL=http://$(HOST):$(SANDBOX_PORT) $(BIN)/onewindow serve --host $(HOST) --port $(PORT)

test: setup lint test-sqlite
	@if [ -n "$$CI" ] || [ -n "$$ONEWINDOW_TEST_POSTGRES" ]; then $(MAKE) --no-print-directory test-postgres; \
	else echo "PostgreSQL run skipped outside CI: set ONEWINDOW_TEST_POSTGRES=1 or run 'make test-postgres'"; fi

test-sqlite:
	$(BIN)/python -m pytest

test-postgres:
	ONEWINDOW_TEST_DATABASE_URL=$(POSTGRES_TEST_URL) $(BIN)/python -m pytest -p no:cacheprovider

lint:
	$(BIN)/ruff check core web plugins tests benchmarks

bench: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) $(BOOT) var .pytest_cache
