"""`make run`: loopback by default, short start-up output, and a quiet, clean stop on Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(path: Path, pattern: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = path.read_text(errors="replace")
        if re.search(pattern, text):
            return text
        time.sleep(0.5)
    raise AssertionError(f"{pattern!r} never appeared:\n{path.read_text(errors='replace')[-3000:]}")


def test_make_run_listens_on_loopback_says_little_and_stops_cleanly_on_ctrl_c(tmp_path):
    # Never let this test install anything (npm ci through a shared node_modules link would empty it).
    if subprocess.run(["make", "-q", "install-python", "install-node"], cwd=ROOT).returncode != 0:
        pytest.skip("`make install` has work to do here; run it first")
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "HOST", "DATABASE_URL", "SENDGRID_API_KEY", "APP_BASE_URL"}
    }
    env.update(
        PORT=str(port),
        DATABASE_URL=f"sqlite:///{tmp_path / 'run.db'}",
        CELERY_BROKER_DIR=str(tmp_path / "broker"),
        CELERY_BEAT_SCHEDULE_FILE=str(tmp_path / "beat-schedule"),
        BACKUP_DIR=str(tmp_path / "backups"),
    )
    log = tmp_path / "run.log"
    with log.open("w") as out:
        # Its own process group, as a terminal's foreground job is: Ctrl-C goes to the whole group.
        proc = subprocess.Popen(
            ["make", "--no-print-directory", "run"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
    try:
        _wait_for(log, r"Listening at", 240)  # migrations and the demo data come first
        time.sleep(8)  # the worker sends the demo's alert emails meanwhile
        started = log.read_text(errors="replace")
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert f"Listening at: http://127.0.0.1:{port}" in started
    assert f"Inventory is starting on  http://127.0.0.1:{port}" in started
    assert "setup plugin" not in started and "Context impl" not in started  # no migration chatter per process
    assert "Running upgrade" not in started  # not one line per migration either
    assert "Warning" not in started, started  # apispec's "Multiple schemas resolved to the name" among them
    assert "is running low." not in started  # no email bodies
    assert "celery@" not in started and "[tasks]" not in started  # no Celery banners
    assert len(started.splitlines()) < 40, started
    stopping = log.read_text(errors="replace")[len(started) :]
    assert "SIGINT received" in stopping
    for noise in ("Traceback", "ERROR", "Error", "make: ***", "SIGKILL"):
        assert noise not in stopping, stopping
