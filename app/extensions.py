"""Extension objects, created unbound and initialised in create_app(); nothing here imports the app.

Celery is set up beside the jobs it runs: app/jobs.py (celery_init_app).
"""

from __future__ import annotations

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


def dispose_inherited_connections(app: Flask) -> None:
    """Forget pooled connections copied from a parent process (after a fork) without closing them.

    A forked child shares its parent's sockets: two processes reading one PostgreSQL connection
    get each other's rows. close=False leaves the parent's connections to the parent.
    """
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
