# syntax=docker/dockerfile:1
# One image for every process: web (default CMD), worker, beat and the
# migration step choose their command at run time.

# Front-end libraries from npm (htmx, socket.io-client, chart.js, ...), which the
# app serves from /app/node_modules. Node 20, as in CI.
FROM node:20-bookworm-slim AS assets
WORKDIR /build
# requirements.txt always exists, so this COPY succeeds without a package.json.
COPY requirements.txt package*.json ./
RUN mkdir -p node_modules \
    && if [ -f package.json ]; then \
         npm ci --omit=dev --ignore-scripts --no-audit --no-fund; \
       fi

# Python dependencies into a self-contained virtualenv.
FROM python:3.11-slim AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential libpq-dev \
    && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY requirements.txt /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt

# Runtime image: no compilers, no npm, not root.
FROM python:3.11-slim AS runtime
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
# /health answers 503 when a dependency is down; urlopen raises on it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]
CMD ["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
