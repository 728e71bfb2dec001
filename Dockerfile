# syntax=docker/dockerfile:1
# One image for every process: web (default CMD), worker, beat and the
# migration step choose their command at run time.

# The base images are build arguments: the defaults are the usual public ones, and
# `make test-image` passes bases it builds from the Debian archive with mmdebstrap
# (tests/image/, docs/deployment.md), because no image registry is reachable there.
# PYTHON_IMAGE must give python3 with venv; NODE_IMAGE node and npm.
ARG PYTHON_IMAGE=python:3.11-slim
ARG NODE_IMAGE=node:20-bookworm-slim

# Front-end libraries from npm (htmx, socket.io-client, chart.js, ...), which the
# app serves from /app/node_modules. Node 20 by default, as in CI.
FROM ${NODE_IMAGE} AS assets
WORKDIR /build
# requirements.txt always exists, so this COPY succeeds without a package.json.
COPY requirements.txt package*.json ./
RUN mkdir -p node_modules \
    && if [ -f package.json ]; then \
         npm ci --omit=dev --ignore-scripts --no-audit --no-fund; \
       fi

# Python dependencies into a self-contained virtualenv.
FROM ${PYTHON_IMAGE} AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python3 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY requirements.txt /tmp/requirements.txt
# Every pinned dependency ships a wheel (psycopg2-binary bundles libpq), so no stage
# needs a compiler; --only-binary keeps it that way.
RUN pip install --only-binary=:all: -r /tmp/requirements.txt

# Runtime image: no compilers, no npm, not root.
FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    APP_ENV=production \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus-multiproc \
    BACKUP_DIR=/var/backups/inventory
# libpq for the database driver; postgresql-client (15 on bookworm, same
# major as the server) gives the backup task pg_dump and pg_restore.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 postgresql-client \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app \
    && mkdir -p /app /tmp/prometheus-multiproc /var/backups/inventory \
    && chown app:app /app /tmp/prometheus-multiproc /var/backups/inventory
WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
COPY --from=assets --chown=app:app /build/node_modules /app/node_modules
COPY --chown=app:app . /app
USER 10001:10001
EXPOSE 8000
# /health answers 503 when a dependency is down; urlopen raises on it. It asks the port
# gunicorn binds (PORT, gunicorn.conf.py) on loopback.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('PORT') or 8000}/health\", timeout=4)"]
CMD ["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
