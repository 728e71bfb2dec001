"""Extension objects, created unbound and initialised in create_app(); celery_init_app()."""

from __future__ import annotations

from pathlib import Path

from celery import Celery, Task
from celery.signals import worker_process_init
from flask import Flask
from flask_jwt_extended import JWTManager
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_smorest import Api
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData

# Stable constraint names so Alembic can alter them on SQLite (batch mode) and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
login_manager = LoginManager()
csrf = CSRFProtect()
jwt = JWTManager()
limiter = Limiter(key_func=get_remote_address)
api = Api()
# Live updates; bound in app.realtime.init_app (Redis message queue when REDIS_URL is set).
socketio = SocketIO()


def broker_settings(app: Flask) -> dict:
    """Redis when REDIS_URL is set; otherwise a SQLite file, so no server is needed."""
    redis_url = app.config.get("REDIS_URL")
    if redis_url:
        return {"broker_url": redis_url, "result_backend": redis_url}
    folder = Path(app.config.get("CELERY_BROKER_DIR") or app.instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "broker_url": f"sqla+sqlite:///{folder / 'celery-broker.sqlite'}",
        "result_backend": f"db+sqlite:///{folder / 'celery-results.sqlite'}",
    }


def dispose_inherited_connections(app: Flask) -> None:
    """Forget pooled connections copied from a parent process (after a fork) without closing them.

    A forked child shares its parent's sockets: two processes reading one PostgreSQL connection
    get each other's rows. close=False leaves the parent's connections to the parent.
    """
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


def celery_init_app(app: Flask) -> Celery:
    from app.jobs import celery_options

    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(
        {
            **broker_settings(app),
            "task_acks_late": True,
            "task_reject_on_worker_lost": True,
            "worker_prefetch_multiplier": 1,
            "broker_connection_retry_on_startup": True,
            "task_ignore_result": True,
            "timezone": "UTC",
            "imports": ("tasks",),
            **celery_options(app.config),  # queue, redelivery timeout, beat schedule (app/jobs.py)
            **app.config.get("CELERY", {}),
        }
    )
    celery_app.set_default()
    app.extensions["celery"] = celery_app

    def on_worker_process_init(**_kwargs: object) -> None:
        # Each prefork pool process starts with the parent's engine pool: never use it.
        dispose_inherited_connections(app)

    worker_process_init.connect(on_worker_process_init, weak=False)
    return celery_app
