# Yiwang — the two commands of the README contract are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PORT ?= 8000
UV ?= $(shell command -v uv 2>/dev/null || echo "$(HOME)/.local/bin/uv")
PYTEST_WORKERS ?= 2
PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres
export UV_LINK_MODE := copy
# Property tests use the same examples on every `make test` run (conftest.py); plain pytest explores.
export YIWANG_HYPOTHESIS_PROFILE ?= repeatable

.PHONY: help run federation-demo test-federation test deps uv pydeps assets messages chromium lint typecheck test-sqlite test-dates test-postgres migrate demo-data totp bench scaleout-test bench-scaleout audit clean

help:
	@echo "make run    install what is missing, migrate, load demo data, serve on http://127.0.0.1:$(PORT)"
	@echo "make test   install what is missing, lint, and run the whole suite on SQLite (and PostgreSQL if reachable)"
	@echo "make federation-demo  a province (PORT) and its city (PORT+100), paired (docs/federation-demo.md)"
	@echo "make test-federation   the cross-process province/city tests alone; make scaleout-test  2 web nodes + 2 workers behind HAProxy, one of each killed"
	@echo "make bench-scaleout    one web node vs two (docs/benchmarks.md)"
	@echo "make totp USER=clerk   the current TOTP code of a demo staff account (after make run)"
	@echo "make audit  known vulnerabilities in the locked dependencies (pip-audit, npm audit; needs the advisory services)"

# --- installation (each step skips what is already there) ---------------------------------------
uv:
	@command -v uv >/dev/null 2>&1 || test -x "$(UV)" || python3 -m pip install --user --quiet uv || python3 -m pip install --quiet uv

pydeps: uv
	@$(UV) sync --frozen --quiet

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

assets: node_modules/.package-lock.json
	@python3 scripts/build_assets.py

messages: pydeps
	@# The compiled catalogues are committed; recompile only where gettext is installed.
	@if [ -d src/yiwang/locale ] && command -v msgfmt >/dev/null 2>&1; then \
	  cd src/yiwang && $(UV) run python ../../manage.py compilemessages -v 0; fi

deps: pydeps assets messages

chromium:
	@{ command -v chromium && command -v pdfsig && command -v certutil; } >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium (browser tests), poppler-utils (pdfsig) and libnss3-tools (certutil)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium fonts-noto-cjk poppler-utils libnss3-tools >/dev/null; }
	@# system-deps of the scale-out tests (docs/scale-out.md): PgBouncer in front of PostgreSQL
	@{ command -v pgbouncer || test -x /usr/sbin/pgbouncer; } >/dev/null 2>&1 || { \
	  echo "Installing Debian's pgbouncer (scale-out tests)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq pgbouncer >/dev/null; }
	@# HAProxy in front of the web nodes of the scale-out kill test and benchmark (deploy/haproxy/)
	@{ command -v haproxy || test -x /usr/sbin/haproxy; } >/dev/null 2>&1 || { \
	  echo "Installing Debian's haproxy (scale-out tests)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq haproxy >/dev/null; }

# --- the two contract commands -------------------------------------------------------------------
run: deps
	PORT=$(PORT) $(UV) run yiwang demo

# 省市协同: a province (PORT) and its city (PORT+100), paired, under one supervisor (docs/federation-demo.md)
federation-demo: deps
	PORT=$(PORT) $(UV) run yiwang federation-demo

# The cross-process federation tests alone (`make test` runs them in its PostgreSQL pass), SQLite then PostgreSQL if reachable
test-federation: pydeps
	env -u DATABASE_URL YIWANG_PROFILE=test YIWANG_FEDERATION_SQLITE=1 $(UV) run pytest -p no:cacheprovider -q -s -m federation tests/federation
	@if [ -n "$$DATABASE_URL" ] || pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
	  DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} YIWANG_PROFILE=test $(UV) run pytest -p no:cacheprovider -q -s -m federation tests/federation; \
	else echo "PostgreSQL not reachable: skipped the PostgreSQL run"; fi

test: deps chromium lint
	@$(MAKE) --no-print-directory test-sqlite
	@$(MAKE) --no-print-directory test-dates
	@if [ -n "$$DATABASE_URL" ] || pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
	  $(MAKE) --no-print-directory test-postgres; \
	else echo "PostgreSQL not reachable: skipped the PostgreSQL run"; fi

lint: pydeps
	$(UV) run ruff check src tests scripts
	$(UV) run ruff format --check src tests scripts
	$(UV) run mypy
	@# Layers (docs/architecture.md): edge -> domain -> web kit -> kernel, never back
	$(UV) run lint-imports --no-cache

test-sqlite: pydeps
	@echo "=== test suite on SQLite ==="
	env -u DATABASE_URL YIWANG_PROFILE=test $(UV) run pytest -n $(PYTEST_WORKERS) -p no:cacheprovider --durations=15 --durations-min=10

# The date-sensitive tests (case clocks, calendar, licence validity, to-do flags) again as if today
# were late December of each of the next two years: the suite must pass on any date.
THIS_YEAR := $(shell date +%Y)
TEST_DATES ?= $(shell echo $$(( $(THIS_YEAR) + 1 )))-12-21 $(shell echo $$(( $(THIS_YEAR) + 2 )))-12-30
DATE_SENSITIVE_TESTS ?= src/yiwang/cases src/yiwang/licences src/yiwang/core/tests/test_calendar.py \
  src/yiwang/core/tests/test_calendar_fingerprint.py src/yiwang/core/tests/test_calendar_import.py \
  src/yiwang/core/tests/test_statutory_holidays.py src/yiwang/core/tests/test_health.py \
  src/yiwang/workbench/tests/test_todo.py src/yiwang/workbench/tests/test_work_queue.py \
  src/yiwang/workbench/tests/test_calendar_page.py src/yiwang/portal/tests/test_case_clock_page.py
test-dates: pydeps
	@set -e; for day in $(TEST_DATES); do \
	  echo "=== date-sensitive tests as if today were $$day (SQLite) ==="; \
	  env -u DATABASE_URL YIWANG_PROFILE=test YIWANG_TEST_TODAY=$$day $(UV) run pytest -n $(PYTEST_WORKERS) \
	    -p no:cacheprovider -q $(DATE_SENSITIVE_TESTS); \
	done

test-postgres: pydeps
	@echo "=== test suite on PostgreSQL ==="
	DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} YIWANG_PROFILE=test $(UV) run pytest -n $(PYTEST_WORKERS) -p no:cacheprovider --durations=15 --durations-min=10

migrate: pydeps
	$(UV) run python manage.py migrate

demo-data: pydeps
	$(UV) run yiwang loaddemo

# The current TOTP code of a demo staff account (demo mode only): make totp USER=clerk
USER_TOTP = $(if $(filter command line,$(origin USER)),$(USER),clerk)
totp: pydeps
	@$(UV) run --quiet yiwang totp $(USER_TOTP)

# --- benchmark suite (docs/benchmarks.md): PostgreSQL, seeds once (~7 min), then ~25 min of load (3 runs) ---
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/yiwang_bench
BENCH_ARGS ?=
bench: deps
	@command -v pgbench >/dev/null 2>&1 || { echo "Installing pgbench (postgresql-client)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq postgresql-client >/dev/null; }
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(UV) run python bench/run.py $(BENCH_ARGS)

# --- scale-out (docs/operations.md "Province deployment"): 2 web nodes + 2 task workers + scheduler behind
# HAProxy on PostgreSQL and its streaming replica, one web node and one worker killed -9 mid-run (30 s of load;
# the PostgreSQL pass of `make test` runs an 8-second version without the replica); and the 1 vs 2 web nodes
# benchmark (docs/benchmarks.md "Scale-out").
SCALEOUT_SECONDS ?= 30
scaleout-test: pydeps chromium
	DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} YIWANG_PROFILE=test YIWANG_SCALEOUT_SECONDS=$(SCALEOUT_SECONDS) \
	  $(UV) run pytest -p no:cacheprovider -q -s tests/scaleout
SCALEOUT_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/yiwang_scaleout
bench-scaleout: deps chromium
	@command -v wrk >/dev/null 2>&1 || { echo "Installing Debian's wrk (the load generator)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq wrk >/dev/null; }
	SCALEOUT_DATABASE_URL=$(SCALEOUT_DATABASE_URL) $(UV) run python bench/scaleout.py $(BENCH_ARGS)

# --- dependency audit (operators, docs/operations.md): asks the advisory services (PyPI/OSV, the npm
# registry's audit endpoint), so it is not part of `make test` (CI reaches only the package registries).
# Fails when a locked production dependency has a known vulnerability.
AUDIT_REQUIREMENTS := build/audit/requirements.txt
audit: uv
	@mkdir -p $(dir $(AUDIT_REQUIREMENTS))
	@echo "=== pip-audit: the locked Python requirements (uv.lock, without dev dependencies) ==="
	$(UV) export --frozen --no-dev --no-emit-project --format requirements-txt --output-file $(AUDIT_REQUIREMENTS) --quiet
	$(UV) tool run pip-audit --strict --progress-spinner off --disable-pip --require-hashes -r $(AUDIT_REQUIREMENTS)
	@echo "=== npm audit: the front-end packages (package-lock.json, without dev dependencies) ==="
	npm audit --omit=dev --audit-level=low

clean:
	rm -rf build var/static .pytest_cache
