# Concord: `make run` and `make test` each bootstrap .venv themselves.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
BENCH_STAMP := $(VENV)/.bench-stamp
BENCH_ARGS ?=
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=
# make test spreads the suite over this many processes (pytest-xdist; each has its own database).
TEST_WORKERS ?= 2

VNU_VERSION ?= 26.9.27
VNU_JAR := .tools/node_modules/vnu-jar/build/dist/vnu.jar

.PHONY: install tools run test test-sqlite test-postgres test-faults lint bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## make tools: the Nu HTML Checker (vnu.jar, from the npm registry) for the browser tests
# Outside CI a machine without npm still runs the suite: the HTML checks then skip, saying why.
$(VNU_JAR):
	npm install --prefix .tools --no-save --no-audit --no-fund --ignore-scripts vnu-jar@$(VNU_VERSION) \
		|| [ "$$CI" != "true" ]

tools: $(VNU_JAR)

## make run: migrate, load demo data, start the local sign-in provider and the app
run: $(STAMP)
	$(PY) -m devtools.run

## make test: the whole suite on SQLite, then again on a fresh PostgreSQL database
# The browser tests (tests/e2e: pages, keyboard, accessibility, HTML validity) run in the SQLite
# pass only: they look at what the app renders, which the database does not change, and every
# other test (views, API, rules, concurrency, faults) runs on both.
test: $(STAMP) $(VNU_JAR)
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite: $(STAMP)
	@echo "=== test suite on SQLite ==="
	$(VENV)/bin/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

test-postgres: $(STAMP)
	@if $(PY) -m devtools.pg_ready "$(PG_TEST_URL)"; then \
		echo "=== test suite on PostgreSQL ($(PG_TEST_URL), fresh database per run) ==="; \
		CONCORD_TEST_POSTGRES="$(PG_TEST_URL)" $(VENV)/bin/pytest -n $(TEST_WORKERS) --ignore=tests/e2e $(PYTEST_ARGS); \
	elif [ "$$CI" = "true" ]; then \
		echo "ERROR: PostgreSQL does not answer at $(PG_TEST_URL) and CI=true: failing." >&2; exit 1; \
	else \
		echo ""; \
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
		echo "!!! SKIPPED the PostgreSQL pass: nothing answers at $(PG_TEST_URL)"; \
		echo "!!! Start PostgreSQL (or set PG_TEST_URL) to run the suite on it too."; \
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	fi

## make test-faults: only the fault tests (they also run inside make test)
test-faults: $(STAMP)
	$(VENV)/bin/pytest -m faults tests/faults $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .

$(BENCH_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

## make bench: Schulze (vs votelib), survey summary and HTTP benchmarks: a bare Flask app beside
## Concord under gunicorn + PostgreSQL, driven by wrk (apt-get install -y wrk nginx-light)
bench: $(BENCH_STAMP)
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .hypothesis .tools
