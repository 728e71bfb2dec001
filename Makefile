# Two commands do all the set-up on a fresh machine:
#   make run   - install, migrate the embedded SQLite database, seed demo data, start web + worker + beat
#   make test  - install, make sure PostgreSQL and Redis answer, run the whole suite
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PORT ?= 8000
export PORT

# Debian packages the test suite drives for real (browser, promtool, compose validator,
# pdftoppm for the label tests, and podman + mmdebstrap to build and run the container image: tests/image).
APT_PACKAGES ?= chromium prometheus docker-compose postgresql-client wrk poppler-utils podman runc mmdebstrap fuse-overlayfs uidmap

PG_BIN := $(firstword $(wildcard /usr/lib/postgresql/*/bin))

.PHONY: test-image screenshots help install install-python install-node install-system run serve test test-pg test-sqlite services lint format clean

help:
	@echo "make run    - start the app on http://127.0.0.1:$(PORT) with demo data (SQLite, no other server; HOST=0.0.0.0 to listen on every address)"
	@echo "make test   - run the whole test suite against PostgreSQL and Redis"
	@echo "make test-image - build the container image with podman and run its processes"
	@echo "make lint   - ruff check and format check"

install: install-python install-node

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

install-python: $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js 18+ (Debian: apt-get install nodejs npm)"; exit 1; }
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

install-node: node_modules/.installed

# A command already on PATH counts as installed: hosts with Docker ship runc in a package that
# conflicts with Debian's runc (installing it would remove Docker).
install-system:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || command -v $$p >/dev/null || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null \
	    || { echo "Could not install:$$missing (needs root or sudo and Debian's package lists)"; exit 1; }; \
	fi

# Loopback only unless told otherwise (HOST=0.0.0.0 make run to be reachable from other machines).
run: export HOST ?= 127.0.0.1
run: export APP_BASE_URL ?= http://$(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST)):$(PORT)
# Short output: no migration chatter from every process, no email bodies, no Celery banners
# (Procfile.dev: warnings and errors only from the worker and beat; the web access log stays).
run: install
	@mkdir -p instance
	@# Alembic's INFO lines (one per migration on a fresh database) are dropped; warnings and errors stay.
	@set -o pipefail; $(VENV)/bin/flask --app wsgi db upgrade 2>&1 | { grep -v -e "^INFO  \[alembic" || true; }
	@$(VENV)/bin/flask --app wsgi seed-demo
	@echo ""
	@echo "  Inventory is starting on  $(APP_BASE_URL)   (Ctrl-C stops it)"
	@echo "  API docs:                 $(APP_BASE_URL)/docs"
	@echo "  Log in as manager@example.com / demo-password  (also admin@, staff@ ... same password)"
	@echo ""
	@# Ctrl-C reaches honcho, which stops web, worker and beat and exits 130: that is a clean stop,
	@# not an error (the shell ignores the interrupt so that make does not report one). The worker's
	@# warm shutdown may take longer than honcho's 5 s before it kills: it gets 30.
	@trap '' INT; PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) -c "import honcho.manager as m; m.KILL_WAIT = 30; \
	  from honcho.command import main; main(['start', '-f', 'Procfile.dev', 'web', 'worker', 'beat'])" || [ $$? -eq 130 ]

# Just the web process, on the embedded default, with the Flask reloader.
serve: install
	$(VENV)/bin/flask --app wsgi db upgrade
	$(VENV)/bin/flask --app wsgi run --debug --port $(PORT)

services:
	@if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
	  echo "PostgreSQL is not answering on 127.0.0.1:5432; starting it"; \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql 2>/dev/null | head -1) main start 2>/dev/null || true; \
	  for i in $$(seq 20); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done; \
	  pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is missing: install it (apt-get install postgresql) with trust auth for user postgres on 127.0.0.1:5432"; exit 1; }; \
	fi
	@if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then \
	  echo "Redis is not answering on 127.0.0.1:6379; starting it"; \
	  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null; \
	  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log >/dev/null 2>&1 || true; \
	  for i in $$(seq 20); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done; \
	  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || { echo "Redis is missing: install it (apt-get install redis-server) listening on 127.0.0.1:6379"; exit 1; }; \
	fi

test: install install-system services
	$(VENV)/bin/ruff check -q . && $(VENV)/bin/ruff format --check -q .
	$(PY) -m pytest $(PYTEST_ARGS)
	TEST_DB=sqlite $(PY) -m pytest -m core -q $(PYTEST_ARGS)

# Build the image from the Dockerfile with podman (bases from the Debian archive, cached in
# /var/cache/inventory-image) and run release, web, worker and beat against PostgreSQL and
# Redis on loopback (docs/deployment.md). Also part of `make test`.
test-image: install install-system services
	$(PY) -m pytest tests/image $(PYTEST_ARGS)

lint: install-python
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-python
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules instance .pytest_cache .ruff_cache

# Photograph the dashboard, inventory list and an item page (demo data, Debian's Chromium).
screenshots: install install-system
	$(PY) tests/browser/screenshots.py

# Live-update latency across two web processes sharing Redis (prints figures; not a test).
.PHONY: bench-labels
bench-labels: install
	$(PY) -m bench.labels $(BENCH_LABELS)

.PHONY: bench-realtime
bench-realtime: install services
	$(PY) bench/realtime_latency.py $(BENCH_ARGS)

# Performance benchmark (docs/performance.md): builds its own database (inventory_bench) on
# 127.0.0.1:5432, loads BENCH_ITEMS items (default 1,000,000; 5 ledger rows each), runs the
# production web process and measures it with wrk on loopback. Quick run: make bench BENCH_ITEMS=10000
.PHONY: bench
bench: install install-system services
	$(PY) -m bench.run
