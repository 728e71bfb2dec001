"""A framework-ceiling route for the benchmark (bench/), present only when BENCH_HELLO is on."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    if not app.config.get("BENCH_HELLO"):
        return

    @app.get("/bench/hello")
    def bench_hello() -> tuple[str, int, dict[str, str]]:
        return "Hello, world!", 200, {"Content-Type": "text/plain; charset=utf-8"}
