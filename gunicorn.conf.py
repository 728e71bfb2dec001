"""gunicorn settings for the web process (`gunicorn -c gunicorn.conf.py wsgi:app`).

Socket.IO runs in Flask-SocketIO's threading mode: the gthread worker gives every
connection a thread, and an open WebSocket keeps its thread for as long as the page is
open. So WEB_THREADS must cover the live clients of one process plus the ordinary
requests in flight; beyond that, add processes or replicas (they share events through
Redis). See docs/realtime.md for why not gevent/eventlet.
"""

import os

# The app leaves out what only the command line needs (app/config.py: APP_PROCESS).
os.environ.setdefault("APP_PROCESS", "web")

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "100"))


def available_cpus() -> int:
    """The cores this process may run on: its CPU affinity, capped by a cgroup v2 CPU quota
    (a container's `cpu` limit), at least 1."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    try:
        with open("/sys/fs/cgroup/cpu.max") as quota_file:
            quota, period = quota_file.read().split()[:2]
        if quota != "max":
            cpus = min(cpus, max(1, -(-int(quota) // int(period))))  # round up: 1.5 cores -> 2
    except (OSError, ValueError):
        pass
    return max(1, cpus)


# Memory to allow per worker when a cgroup memory limit caps their number: the 120 MB
# target after a run (docs/performance.md) plus room for the master and peaks.
WORKER_MEMORY_BUDGET = 160 * 2**20


def memory_capped(workers: int) -> int:
    """No more workers than a cgroup v2 memory limit (a container's) has room for."""
    try:
        with open("/sys/fs/cgroup/memory.max") as limit_file:
            limit = limit_file.read().strip()
        return workers if limit == "max" else max(1, min(workers, int(limit) // WORKER_MEMORY_BUDGET))
    except (OSError, ValueError):
        return workers


def default_workers() -> int:
    """One worker per available core when Redis joins the workers' live events (a commit in
    one worker reaches the clients of all), else one: without Redis each worker's
    Socket.IO would reach only its own clients."""
    return memory_capped(available_cpus()) if os.environ.get("REDIS_URL") else 1


workers = int(os.environ.get("WEB_CONCURRENCY") or default_workers())
if os.environ.get("SOCKETIO_TRANSPORT", "websocket") != "websocket" and workers > 1:
    # Long-polling sends each request of a Socket.IO session separately; gunicorn cannot
    # pin them to one worker, so only a single worker per replica works with it.
    workers = 1
# gthread: the cap on open connections (WebSockets included) per worker.
worker_connections = int(os.environ.get("WEB_MAX_CONNECTIONS", "1000"))
timeout = 60
graceful_timeout = 30
keepalive = 5
accesslog = "-" if os.environ.get("WEB_ACCESS_LOG", "1") != "0" else None
errorlog = "-"
# Forwarded headers (X-Forwarded-Proto: https) are believed from a proxy the app is told about
# (TRUSTED_PROXY_HOPS, app/config.py) and from nowhere without one: gunicorn's own default trusts
# 127.0.0.1, so any local client could claim HTTPS (the app's ProxyFix reads them when hops > 0).
_proxy_hops = int(os.environ.get("TRUSTED_PROXY_HOPS") or 0)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1") if _proxy_hops > 0 else ""
# Requests too large: the app refuses them at gunicorn's default sizes (app/limits.py,
# MAX_REQUEST_LINE...) with the security headers; gunicorn's own bare pages answer only beyond
# these, its maximum line and twice its default header sizes (docs/security.md).
limit_request_line = 8190
limit_request_field_size = 16380
limit_request_fields = 200


# Metrics with several workers (app/metrics.py, docs/observability.md): each worker writes its
# counters to files in PROMETHEUS_MULTIPROC_DIR and every scrape adds them all up.
def on_starting(server):
    """Start from an empty metrics directory: a previous run's files would be added in.
    Several workers and no directory given: a fresh one, so /metrics still adds them all up."""
    if server.cfg.workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        import tempfile

        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="inventory-metrics-")
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if path:
        os.makedirs(path, exist_ok=True)
        for name in os.listdir(path):
            if name.endswith(".db"):
                os.remove(os.path.join(path, name))


def child_exit(server, worker):
    """Forget a dead worker's live gauges; its counters stay, they were really counted."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def post_fork(server, worker):
    """Cap glibc's malloc arenas: with one arena per busy thread (up to 8 per core) a
    threaded worker's resident memory keeps growing with fragmentation. Two arenas keep
    it flat at no measurable cost in speed (docs/performance.md)."""
    _limit_malloc_arenas(int(os.environ.get("MALLOC_ARENA_MAX", "2")))
    _forget_inherited_connections()


def _forget_inherited_connections() -> None:
    """With preload_app the master built the app (and maybe connected): a worker must never
    share its database sockets. Without preload nothing is loaded yet and this does nothing."""
    import sys

    wsgi = sys.modules.get("wsgi")
    if wsgi is not None and hasattr(wsgi, "app"):
        from app.extensions import dispose_inherited_connections

        dispose_inherited_connections(wsgi.app)


def post_request(worker, req, environ, resp):
    """After an import upload (a file read and maybe dry-run inline): collect the cycles openpyxl
    leaves and hand freed heap back to the system, or the worker keeps its peak for good
    (bench/hostile_memory.py: 160 MB -> 148 MB after the hostile files, docs/performance.md)."""
    if req.method == "POST" and "/imports" in req.path:
        import gc

        gc.collect()
        _malloc_trim()


def _malloc_trim() -> None:
    import ctypes
    import ctypes.util

    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return
    try:
        trim = ctypes.CDLL(libc_name).malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to trim
        return
    trim(0)


M_ARENA_MAX = -8  # glibc's malloc.h


def _limit_malloc_arenas(arenas: int) -> None:
    import ctypes
    import ctypes.util

    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return
    try:
        mallopt = ctypes.CDLL(libc_name).mallopt
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to tune
        return
    mallopt(M_ARENA_MAX, arenas)
