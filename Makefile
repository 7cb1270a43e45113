# Inter Ventures Events — the commands a developer needs.
#   make run    fresh clone → running app with demo data on http://127.0.0.1:5000
#   make test   fresh clone → the type check and the whole test suite

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run dev-config test typecheck lint format install lock bench clean-instance translations compile-translations js-deps

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

# Installs exactly the versions (and hashes) in requirements.lock, then the project itself
# in editable mode with the locked setuptools. Reinstalls when the lock changes.
$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

install: $(VENV)/.installed

# Refreshes requirements.lock from pyproject.toml on purpose: keeps the current pins where
# they still satisfy pyproject.toml; `make lock UPGRADE=1` moves every pin to the newest
# release. The lock covers the app, PostgreSQL support and the development tools, on
# every platform (universal resolution, Python 3.11+).
LOCK_FLAGS := --extra dev --extra postgres --universal --python-version 3.11 --generate-hashes
lock: | $(BIN)/activate
	$(BIN)/python -m pip install --quiet "uv>=0.9"
	$(BIN)/uv pip compile pyproject.toml $(LOCK_FLAGS) $(if $(UPGRADE),--upgrade) \
		--custom-compile-command "make lock" --quiet -o requirements.lock

# A development secret key and public address, written once and never committed. The app
# refuses to start without either (links in e-mails never come from the request's Host);
# an instance/config.py written before PUBLIC_BASE_URL was required gets the line added.
instance/config.py:
	mkdir -p instance
	$(BIN)/python -c "import secrets; print(f'SECRET_KEY = {secrets.token_hex(32)!r}')" > $@
	@echo "Wrote a development SECRET_KEY to $@"

dev-config: instance/config.py
	@grep -q '^PUBLIC_BASE_URL' instance/config.py || { \
		echo "PUBLIC_BASE_URL = 'http://127.0.0.1:$(PORT)'" >> instance/config.py; \
		echo "Wrote a development PUBLIC_BASE_URL to instance/config.py"; }

run: install dev-config compile-translations
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	$(FLASK) run --host $(HOST) --port $(PORT)

# The layer contracts and the type check; then the suite on every core (TEST_WORKERS,
# pytest-xdist: one database per worker), except the tests that start browsers or several
# server processes, which run afterwards in one process so that their time limits hold;
# then the branch-coverage report of the webapp package over both runs. (Exit status 5:
# PYTEST_ARGS selected no test in one of the two runs.)
TEST_WORKERS ?= auto
SERIAL_TESTS := tests/browser tests/test_registrations_concurrency.py \
	tests/test_operations_multihost.py tests/test_operations_gunicorn.py
test: install compile-translations js-deps typecheck
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --cov --cov-report= \
		$(addprefix --ignore=,$(SERIAL_TESTS)) $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(BIN)/python -m pytest --cov --cov-append --cov-report=term $(PYTEST_ARGS) $(SERIAL_TESTS) \
		|| [ $$? -eq 5 ]

typecheck: install
	$(BIN)/mypy

# JavaScript used by the tests (ical.js, axe-core): installed from the lockfile when
# tests/js/node_modules is missing or older than it, if npm is there at all.
JS_DIR := tests/js
$(JS_DIR)/node_modules/.package-lock.json: $(JS_DIR)/package.json $(JS_DIR)/package-lock.json
	npm ci --prefix $(JS_DIR) --no-audit --no-fund --loglevel=error
	touch $@

js-deps:
	@if command -v npm >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory $(JS_DIR)/node_modules/.package-lock.json; \
	else \
		echo "npm not found: tests that need ical.js or axe-core will be skipped"; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Languages: catalogs are webapp/translations/<lang>/LC_MESSAGES/messages.po (committed);
# the compiled .mo files are built from them and never committed.
TRANSLATIONS := webapp/translations
PO_FILES := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)

# Extract every wrapped string, merge it into each language's catalog, compile.
translations: install
	$(BIN)/pybabel extract -F $(TRANSLATIONS)/babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 \
		--add-comments=Translators: --project="Inter Ventures Events" \
		--copyright-holder="Inter Ventures partnership" -o $(TRANSLATIONS)/messages.pot webapp templates
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --ignore-obsolete
	$(MAKE) compile-translations

compile-translations: $(PO_FILES:.po=.mo)

$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po | $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -i $< -o $@

# Benchmarks print their figures and ratios; they never fail on a timing.
# BENCH_DATABASE_URL selects PostgreSQL for the server benchmarks (each works in a schema
# of its own and drops it). `make bench BENCH=stack` runs only the issue-19 ratios.
# The server benchmarks load gunicorn with wrk (Debian/Ubuntu: apt-get install wrk).
BENCH_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
bench: install
	@command -v wrk >/dev/null 2>&1 || echo "wrk not found: install it with 'apt-get install wrk' (a slower Python load generator stands in)"
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m tests.perf $(BENCH)
