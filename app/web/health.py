"""Liveness and readiness for load balancers and orchestrators."""

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from app.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/health/live")
def live():
    """200 while the process serves requests; dependencies are not checked (liveness)."""
    return jsonify({"status": "ok"})


@bp.get("/health")
def health():
    """200 when the database (and Redis, when configured) answer; 503 naming what is down."""
    checks: dict[str, str] = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # any failure means "down"; the message says why
        db.session.rollback()
        checks["database"] = f"down: {type(exc).__name__}"
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        import redis

        try:
            redis.Redis.from_url(redis_url, socket_connect_timeout=1, socket_timeout=1).ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"down: {type(exc).__name__}"
    down = sorted(name for name, state in checks.items() if state != "ok")
    body = {"status": "ok" if not down else "unavailable", "checks": checks}
    if down:
        body["down"] = down
    return jsonify(body), 503 if down else 200
