# The two commands: `make run` starts the whole stack, `make test` runs every test.
# Both set everything up first (venv, packages, PostgreSQL, Redis, roles, schema, keys) and are
# fast the second time: the venv is only reinstalled when pyproject.toml changes.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: run test check lint format setup services db keys web clean-venv help

help:
	@echo "make run    - set up and start gateway :8080, platform :8000, engine :8100 and a worker"
	@echo "make test   - set up and run lint, type checks and every test"

run: setup web
	$(VENV)/bin/sp404 dev

# The web app, built from the lock file with the system's Node.js when it is new enough, else with
# Node.js from PyPI installed into the venv (scripts/ensure_node.sh); its directory goes first on
# PATH so npm's scripts (tsc, vite) run on that same node.
web: $(STAMP)
	@NODE_BIN=$$(bash scripts/ensure_node.sh) && export PATH="$$NODE_BIN:$$PATH" && \
		cd web && npm ci --no-audit --no-fund && npm run build

# The web tests need Chromium and Node.js: both are installed here (or this stops and says what to
# install); tests/web never skips for want of them.
test: setup check
	bash scripts/ensure_browser.sh
	bash scripts/ensure_node.sh >/dev/null
	$(PY) -m pytest $(PYTEST_ARGS)

check:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m mypy
	$(VENV)/bin/lint-imports

format:
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

setup: $(STAMP) db keys

$(STAMP): pyproject.toml scripts/ensure_python.sh
	bash scripts/ensure_python.sh
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,worker]'
	# The editable install maps our three top-level packages (sp404, analysis_engine, gateway) and
	# nothing else; an older checkout's path file would put generic names on the path: remove it.
	$(PY) -c "import sysconfig, pathlib; pathlib.Path(sysconfig.get_paths()['purelib'], 'sp404_src.pth').unlink(missing_ok=True)"
	touch $(STAMP)

services:
	bash scripts/ensure_services.sh

db: services $(STAMP)
	bash scripts/bootstrap_db.sh
	$(VENV)/bin/sp404 db migrate

keys: $(STAMP)
	$(VENV)/bin/sp404 keys generate

clean-venv:
	rm -rf $(VENV)
