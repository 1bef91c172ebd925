# Workspace: `make run` serves the app on http://localhost:3000, `make test` runs every test.
# Each target prepares what it needs first (scripts/setup.sh): .venv with the locked
# dependencies, Node 22 for Reflex when the system one is older, database migrations.

PORT ?= 3000
DEV_BACKEND_PORT ?= 8000
PYTEST_ARGS ?=
export PORT

SETUP := scripts/setup.sh
LINT_PATHS := workspace tests bench

.PHONY: setup run dev test lint format bench lock

setup:
	@$(SETUP)

## Serve UI, /api/v1 and portal pages on one port (production build; data kept in data/).
run:
	@$(SETUP) reflex run --env prod

## Hot reload: UI on :$(PORT), backend and /api/v1 on :$(DEV_BACKEND_PORT). Only code under
## workspace/ triggers a reload (the database in data/ changes all the time).
dev:
	@BACKEND_PORT=$(DEV_BACKEND_PORT) API_URL=http://localhost:$(DEV_BACKEND_PORT) \
	  REFLEX_HOT_RELOAD_OVERRIDE_PATHS=$(CURDIR)/workspace $(SETUP) reflex run

## The whole suite, browser tests included (installs chromium, poppler-utils, fonts when missing).
test:
	@scripts/install-test-deps.sh
	@$(SETUP) pytest -p no:cacheprovider $(PYTEST_ARGS)

lint:
	@$(SETUP) sh -c 'ruff check $(LINT_PATHS) && ruff format --check $(LINT_PATHS)'

format:
	@$(SETUP) sh -c 'ruff check --fix $(LINT_PATHS) && ruff format $(LINT_PATHS)'

## Benchmarks print their figures; results are recorded in bench/RESULTS.md.
bench:
	@$(SETUP) sh -c 'for bench in bench/*.py; do echo "== $$bench"; python "$$bench" || exit 1; done'

## Refresh requirements.lock from a clean install of .[dev].
lock:
	@rm -rf .lock-venv && python3 -m venv .lock-venv
	@.lock-venv/bin/pip install --quiet --disable-pip-version-check '.[dev]'
	@{ echo "# Exact versions of every dependency of .[dev] (make lock regenerates it from a clean install)."; \
	  .lock-venv/bin/pip freeze --disable-pip-version-check | grep -v -i '^workspace[= @]'; } > requirements.lock
	@rm -rf .lock-venv
	@echo "requirements.lock updated."
