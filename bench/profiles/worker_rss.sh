#!/bin/bash
# start the Procfile web line with 1 worker, wait for /bench/hello, print worker RSS (MB)
cd "$(dirname "$0")/../.."
export DATABASE_URL=postgresql://postgres@127.0.0.1:5432/${BENCH_DB:-inventory_bench} APP_ENV=production SECRET_KEY=0123456789abcdef0123456789abcdef0123456789abcdef JWT_SECRET=0123456789abcdef0123456789abcdef0123456789abcdefx BENCH_HELLO=1 CELERY_BROKER_DIR=${TMPDIR:-/tmp} BACKUP_DIR=${TMPDIR:-/tmp} HOST=127.0.0.1 PORT=${PORT:-18765} WEB_CONCURRENCY=1 PATH=$PWD/.venv/bin:$PATH
unset REDIS_URL
gunicorn -c gunicorn.conf.py wsgi:app >${TMPDIR:-/tmp}/gunicorn.log 2>&1 &
master=$!
for i in $(seq 60); do curl -sf http://127.0.0.1:$PORT/bench/hello >/dev/null && break; sleep 0.5; done
sleep 1
for w in $(pgrep -P $master); do echo "worker $w rss_kb $(ps -o rss= -p $w)"; done
echo "master rss_kb $(ps -o rss= -p $master)"
kill $master; wait $master 2>/dev/null
