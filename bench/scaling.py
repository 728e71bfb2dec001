"""Movements with one web worker, then with gunicorn.conf.py's default (one per core).

Both servers run the same configuration apart from the worker count: the production web
line with Redis as Socket.IO's message queue (which is what lets several workers share live
events), on a channel and a Celery queue of the benchmark's own that are removed afterwards.
Each plays hello world and the mixed movements at saturation; the ratio of the movement
figures is the scaling target (docs/performance.md). Each run also records the whole
machine's CPU per request (every process: the server, PostgreSQL, Redis, the load
generator), and so the ceiling the machine's cores allow: on a small machine that runs its
own database and load generator, that ceiling, not the server, bounds the ratio.
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import redis

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
SCENARIOS = ("hello_world", "movements_mixed")


def run(cfg: dict, plan: list, headers: dict, workdir: str) -> dict:
    """{"workers_1": {...}, "workers_default": {...}, "movements_ratio": x}; needs Redis."""
    from bench import scenarios
    from bench import server as bench

    tag = f"inventory-bench-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    extra = {
        "REDIS_URL": REDIS_URL,
        "SOCKETIO_CHANNEL": tag,
        "CELERY_TASK_DEFAULT_QUEUE": tag,  # tasks a movement may enqueue (low-stock mail) go nowhere shared
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    chosen = [s for s in plan if s.name in SCENARIOS]
    results = {}
    try:
        for label, workers in (("workers_1", "1"), ("workers_default", "")):
            port = bench.free_port()
            env = {**bench.server_env(cfg, port, workdir), **extra}
            env.pop("WEB_CONCURRENCY", None)
            if workers:
                env["WEB_CONCURRENCY"] = workers
            server = bench.start_server(env, os.path.join(workdir, f"web-{label}.log"))
            base = f"http://{bench.HOST}:{port}"
            try:
                for scenario in chosen:  # warm-up of every worker's pool and caches
                    scenarios.run_wrk(base, scenario, 16, 2, headers[scenario.auth])
                figures = {"workers": len(bench.worker_rss_mb(server.pid)) - 1}
                for scenario in chosen:
                    if scenario.name in bench.MOVEMENT_SCENARIOS:
                        bench.top_up_hot_set(cfg, base, headers["token"])
                    bench.settle(base)
                    before = _cpu(server.pid)
                    run = scenarios.run_wrk(base, scenario, 16, cfg["duration"], headers[scenario.auth])
                    after = _cpu(server.pid)
                    # How much CPU the server got, and per request: on a busy machine the
                    # first says whether the extra workers found idle cores at all.
                    run["server_cores_used"] = round((after[0] - before[0]) / (after[1] - before[1]), 2)
                    run["machine_idle_pct"] = round(100 * (after[2] - before[2]) / max(1e-9, after[3] - before[3]), 1)
                    run["server_cpu_ms_per_request"] = round(1000 * (after[0] - before[0]) / max(1, run["requests"]), 2)
                    # Every process's CPU per request (server, PostgreSQL, Redis, the load generator
                    # share these cores): the most requests per second this machine could serve.
                    busy = (after[3] - before[3]) - (after[2] - before[2])
                    run["machine_cpu_ms_per_request"] = round(1000 * busy / max(1, run["requests"]), 2)
                    run["machine_ceiling_rps"] = round(
                        (os.cpu_count() or 1) * 1000 / max(1e-9, run["machine_cpu_ms_per_request"]), 1
                    )
                    figures[scenario.name] = run
                    print(f"  {label:<16} {scenario.name:<16} {_brief(run)}", flush=True)
                figures["rss_mb"] = bench.worker_rss_mb(server.pid)
            finally:
                server.terminate()
                server.wait(timeout=30)
            results[label] = figures
    finally:
        _forget(tag)
    one, many = (results.get(k, {}).get("movements_mixed", {}).get("rps") for k in ("workers_1", "workers_default"))
    results["movements_ratio"] = round(many / one, 2) if one and many else None
    # What the machine allows at all: its every core busy at the default workers' whole-machine
    # CPU per movement, over one worker's rate. The target is 0.95 x this ceiling (bench/report.py).
    ceiling = results.get("workers_default", {}).get("movements_mixed", {}).get("machine_ceiling_rps")
    results["movements_ceiling_ratio"] = round(ceiling / one, 2) if one and ceiling else None
    return results


def _brief(r: dict) -> str:
    return (
        f"{r['rps']:>8.1f} req/s  p50 {r['p50_ms']:.1f}  p99 {r['p99_ms']:.1f} ms  "
        f"server {r['server_cores_used']} cores, {r['server_cpu_ms_per_request']} ms CPU/request, "
        f"machine {r['machine_cpu_ms_per_request']} ms CPU/request (ceiling {r['machine_ceiling_rps']} req/s), "
        f"idle {r['machine_idle_pct']}%  {r['statuses']}"
    )


def _cpu(master: int) -> tuple[float, float, float, float]:
    """(CPU seconds of the gunicorn master and workers, wall clock, machine idle and total
    CPU seconds) from Linux /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    pids = [master, *map(int, Path(f"/proc/{master}/task/{master}/children").read_text().split())]
    used = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        used += int(fields[11]) + int(fields[12])  # utime, stime
    cpu = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return used / ticks, time.monotonic(), (cpu[3] + cpu[4]) / ticks, sum(cpu[:8]) / ticks


def _forget(tag: str) -> None:
    """Drop the benchmark's Celery queue (and its binding) from the shared Redis."""
    try:
        client = redis.Redis.from_url(REDIS_URL)
        client.delete(tag, f"_kombu.binding.{tag}")
        for key in client.scan_iter(match=f"{tag}*"):
            client.delete(key)
    except redis.RedisError:
        pass
