"""Same-run before/after: two checkouts' web processes on one bench database, played in turn.

    BENCH_ITEMS=10000 BENCH_DB=inventory_bench .venv/bin/python -m bench.compare /path/to/before-checkout \
        hello_world,filtered_p1,item_detail,withdraw_1 [rounds]

Starts the production web line of `before` (another checkout, e.g. `git worktree add --detach
/tmp/before <commit>`, with its own .venv link) and of this checkout on the same loaded database
(bench/run.py loads it; BENCH_REUSE is implied), then for each scenario plays 1 client for 3 s on
each in turn, `rounds` times (6), alternating which goes first. On a machine other work is loading,
this pairs each before-run with an after-run seconds apart, which separate `make bench` runs do
not. Prints the median of each side's p50s (ms) and every run's p50.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

from bench import scenarios
from bench import server as bench_server
from bench.run import settings

HERE = Path(__file__).resolve().parent.parent


def start(root: Path, cfg: dict, workdir: str, label: str):
    port = bench_server.free_port()
    env = bench_server.server_env(cfg, port, workdir)
    env["PATH"] = f"{root / '.venv' / 'bin'}:{env['PATH']}"
    saved, bench_server.ROOT = bench_server.ROOT, root  # start_server runs the Procfile of ROOT
    try:
        process = bench_server.start_server(env, os.path.join(workdir, f"{label}.log"))
    finally:
        bench_server.ROOT = saved
    return process, f"http://{bench_server.HOST}:{port}"


def main(before: str, names: list[str], rounds: int) -> dict:
    cfg = settings()
    workdir = tempfile.mkdtemp(prefix="inventory-compare-")
    sides = {"before": Path(before).resolve(), "after": HERE}
    servers, bases = {}, {}
    try:
        for label, root in sides.items():
            servers[label], bases[label] = start(root, cfg, workdir, label)
        token, _cookie = bench_server.login(bases["after"])
        headers = {"token": ("Authorization", f"Bearer {token}"), "none": None}
        plan = {s.name: s for s in scenarios.build(cfg["items"], with_page=False)}
        figures = {}
        for name in names:
            scenario = plan[name]
            for label in sides:  # warm-up
                scenarios.run_wrk(bases[label], scenario, 1, 1, headers[scenario.auth])
            p50s = {label: [] for label in sides}
            for r in range(rounds):
                for label in list(sides)[:: 1 if r % 2 == 0 else -1]:
                    if name in bench_server.MOVEMENT_SCENARIOS:
                        bench_server.top_up_hot_set(cfg, bases[label], headers["token"])
                    p50s[label].append(
                        scenarios.run_wrk(bases[label], scenario, 1, 3, headers[scenario.auth])["p50_ms"]
                    )
            figures[name] = {label: round(statistics.median(v), 2) for label, v in p50s.items()} | {"runs": p50s}
            print(f"{name:<16} before {figures[name]['before']:>7} ms  after {figures[name]['after']:>7} ms  {p50s}")
    finally:
        for process in servers.values():
            process.terminate()
            process.wait(timeout=30)
    return figures


if __name__ == "__main__":
    result = main(sys.argv[1], sys.argv[2].split(","), int(sys.argv[3]) if len(sys.argv) > 3 else 6)
    print(json.dumps(result))
