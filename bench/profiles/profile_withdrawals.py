"""cProfile of N one-unit withdrawals through the Flask test client on PostgreSQL.

    BENCH_DB=inventory_bench_x .venv/bin/python -m bench.profiles.profile_withdrawals [N]

Uses a scratch database of that name (migrated first: `DATABASE_URL=... flask --app wsgi db upgrade`; data added: a user, 20 items with stock) and
the production config (APP_ENV=production, as the Procfile runs), Redis left out. Prints the
top entries by cumulative and by own time; the medians of the requests timed without the profiler.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import statistics
import sys
import time


def main(n: int) -> None:
    name = os.environ.get("BENCH_DB", "inventory_bench_profile")
    os.environ.update(
        DATABASE_URL=f"postgresql://postgres@127.0.0.1:5432/{name}",
        APP_ENV="production",
        APP_PROCESS="web",
        SECRET_KEY=os.environ.get("SECRET_KEY", "profile-" + "x" * 40),
        JWT_SECRET=os.environ.get("JWT_SECRET", "profile-jwt-" + "y" * 40),
    )
    os.environ.pop("REDIS_URL", None)
    from app import create_app
    from tests.helpers.factories import Factory

    app = create_app()
    factory = Factory(app)
    factory._n = int(time.time())  # a fresh user and SKUs on every run of the same database
    headers = factory.headers("staff")
    items = [factory.item(quantity=10 * n) for _ in range(20)]
    client = app.test_client()
    base = "https://localhost"

    def withdraw(i: int) -> None:
        response = client.post(
            f"/api/v1/items/{items[i % len(items)].id}/withdraw", json={"quantity": 1}, headers=headers, base_url=base
        )
        assert response.status_code == 200, response.get_data(as_text=True)[:300]

    for i in range(200):  # warm up
        withdraw(i)
    times = []
    for i in range(n):
        start = time.perf_counter()
        withdraw(i)
        times.append((time.perf_counter() - start) * 1000)
    print(f"{n} withdrawals, test client, no profiler: median {statistics.median(times):.2f} ms")
    profile = cProfile.Profile()
    profile.enable()
    for i in range(n):
        withdraw(i)
    profile.disable()
    if os.environ.get("PROFILE_OUT"):
        profile.dump_stats(os.environ["PROFILE_OUT"])
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).strip_dirs().sort_stats(order).print_stats(45)
        print(out.getvalue())


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
