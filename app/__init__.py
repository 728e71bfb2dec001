"""Inventory: stock across locations, with a ledger of every change."""

from __future__ import annotations

import contextlib
import logging
import re
import uuid
from importlib import import_module

from flask import Flask, g, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from app.config import BASE_DIR, Config, get_config
from app.limits import MAX_ID, REQUEST_ID_PATTERN

PAGE, API = "page", "api"

# The wiring table: every blueprint the app serves, "module:attribute", in registration
# order. PAGE blueprints register with Flask; API ones with flask-smorest (they appear in
# the OpenAPI document) and are CSRF-exempt (token-authenticated; cookie-authenticated
# writes are checked in app.auth). A new feature adds its line here.
BLUEPRINTS: tuple[tuple[str, str], ...] = (
    (PAGE, "app.web.health:bp"),  # /health, /ready
    (PAGE, "app.web.assets:bp"),  # third-party browser assets
    (PAGE, "app.metrics:bp"),  # /metrics (access-controlled)
    (API, "app.api.auth:bp"),
    (API, "app.api.users:bp"),
    (API, "app.api.items:bp"),
    (API, "app.api.items:logs_bp"),
    (API, "app.api.lots:bp"),  # lots and serials (issue 27)
    (API, "app.api.lots:items_bp"),
    (API, "app.api.catalog:categories"),
    (API, "app.api.catalog:locations"),
    (API, "app.api.logs:bp"),
    (API, "app.api.alerts:bp"),
    (API, "app.api.dashboard:bp"),
    (API, "app.api.carts:bp"),
    (API, "app.api.requests:bp"),
    (API, "app.api.counts:bp"),  # stock counts
    (API, "app.api.scan:bp"),  # what a scanned code names; scanned batches
    (API, "app.api.labels:bp"),  # label PDFs
    (API, "app.api.exports:bp"),  # managers
    (API, "app.api.imports:bp"),  # managers
    (API, "app.api.purchasing:suppliers_bp"),  # suppliers, offers, orders, suggestions (issue 21)
    (API, "app.api.purchasing:offers_bp"),
    (API, "app.api.purchasing:orders_bp"),
    (API, "app.api.purchasing:suggestions_bp"),
    (PAGE, "app.web.auth:bp"),
    (PAGE, "app.web.dashboard:bp"),
    (PAGE, "app.web.items:bp"),
    (PAGE, "app.web.categories:bp"),
    (PAGE, "app.web.locations:bp"),
    (PAGE, "app.web.alerts:bp"),
    (PAGE, "app.web.activity:bp"),
    (PAGE, "app.web.users:bp"),
    (PAGE, "app.web.carts:bp"),
    (PAGE, "app.web.requests:bp"),
    (PAGE, "app.web.counts:bp"),  # stock counts: list, counting, review
    (PAGE, "app.web.scan:bp"),  # /scan and the /s/I<id>, /s/L<id> links our QR codes carry
    (PAGE, "app.web.outbox:bp"),  # admins
    (PAGE, "app.web.backups:bp"),  # managers
    (PAGE, "app.web.reports:bp"),  # managers
    (PAGE, "app.web.imports:bp"),  # managers
    (PAGE, "app.web.purchasing:bp"),  # suppliers, suggestions, purchase orders, receiving (issue 21)
    (PAGE, "app.web.lots:bp"),  # a lot's recall page: trace, block, CSV, label (issue 27)
)


class IdConverter(IntegerConverter):
    """`<int:...>` ids stop at the database's integer range: a larger one is a 404, not an overflow."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)

    def to_python(self, value: str) -> int:
        if int(value) > self.max:
            raise NotFound()  # not a ValidationError: that would turn into a 405 on other methods
        return super().to_python(value)


def create_app(config: str | Config | None = None) -> Flask:
    """Build the app; `config` is a mode name ("testing"...), a Config, or None for APP_ENV."""
    settings = config if isinstance(config, Config) else get_config(config)
    settings.validate()
    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        instance_path=str(BASE_DIR / "instance"),
        instance_relative_config=False,
    )
    app.config.from_object(settings)
    app.config["ENV_NAME"] = settings.ENV_NAME
    app.url_map.strict_slashes = False
    app.url_map.converters["int"] = IdConverter

    register_logging(app)
    register_json(app)
    register_extensions(app)
    register_jobs(app)
    register_request_id(app)
    register_security_headers(app)
    register_input_guard(app)
    register_blueprints(app)
    register_features(app)
    register_realtime(app)
    register_metrics(app)
    register_performance(app)
    register_error_handlers(app)
    register_cli(app)
    register_default_admin(app)
    register_edge(app)  # it wraps the whole WSGI app, Socket.IO's middleware included
    register_proxy_fix(app)  # outermost: every layer inside sees the real client address
    return app


def register_logging(app: Flask) -> None:
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Alembic announces each of its plugins at INFO in every process that imports it.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def register_json(app: Flask) -> None:
    """Exact decimals in every JSON body read or written (app/jsonio.py)."""
    from flask_smorest.arguments import ArgumentsMixin

    from app.jsonio import ExactJSONProvider, ExactParser, dumps, loads

    app.json = ExactJSONProvider(app)
    ArgumentsMixin.ARGUMENTS_PARSER = ExactParser()
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options.update(json_serializer=dumps, json_deserializer=loads)  # JSON columns (saved answers)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def register_extensions(app: Flask) -> None:
    from app import auth, events
    from app.extensions import csrf, db, limiter
    from app.services import login_limits

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.instance_path and _ensure_dir(app.instance_path)
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options["connect_args"] = {"timeout": 30, **options.get("connect_args", {})}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):  # a local file needs no liveness check
        from app import pool_liveness

        with app.app_context():
            pool_liveness.install(db.engine.pool, app.config["DB_PING_AFTER_IDLE_SECONDS"])
    if app.config["APP_PROCESS"] != "web":  # `flask db ...` and the tests; not needed to serve
        from flask_migrate import Migrate

        Migrate(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    auth.init_app(app)
    login_limits.init_app(app)
    events.init_app(app)


def register_security_headers(app: Flask) -> None:
    from app.headers import register_security_headers as register

    register(app)


def register_input_guard(app: Flask) -> None:
    from app.input_guard import register_input_guard as register

    register(app)


def register_request_id(app: Flask) -> None:
    valid = re.compile(REQUEST_ID_PATTERN)

    @app.before_request
    def assign_request_id() -> None:
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if valid.match(given) else uuid.uuid4().hex
        # g lives on the app context, which a request reuses when one is already pushed
        # (tests, CLI): never let one request's caller carry over to the next.
        g.pop("actor", None)

    @app.after_request
    def echo_request_id(response):
        if "request_id" in g:
            response.headers["X-Request-ID"] = g.request_id
        return response


def register_blueprints(app: Flask) -> None:
    """Every blueprint of the BLUEPRINTS table; the page templates' globals."""
    from app.api import init_api
    from app.extensions import api, csrf
    from app.web import init_templates

    init_api(app)
    for kind, target in BLUEPRINTS:
        module, attribute = target.split(":")
        blueprint = getattr(import_module(module), attribute)
        if kind == API:
            csrf.exempt(blueprint)
            api.register_blueprint(blueprint)
        else:
            app.register_blueprint(blueprint)
    init_templates(app)


# Feature modules that plug into the shared core when imported (the core never imports a
# feature): purchasing's section of the weekly valuation.
FEATURE_PLUGINS = ("app.services.purchasing.reports",)


def register_features(app: Flask) -> None:
    for module in FEATURE_PLUGINS:
        import_module(module)


def register_jobs(app: Flask) -> None:
    """This app's Celery instance, and the events that enqueue tasks (app/jobs.py)."""
    from app.jobs import init_app

    init_app(app)


def register_realtime(app: Flask) -> None:
    from app.realtime import init_app

    init_app(app)


def register_metrics(app: Flask) -> None:
    from app.metrics import register_metrics as register

    register(app)


def register_performance(app: Flask) -> None:
    """Maintained dashboard counters (app/services/counters.py); the benchmark's hello route."""
    from app.services import counters
    from app.services.stock import write
    from app.web import hello

    counters.init_app(app)
    write.init_app(app)
    hello.register(app)


def register_proxy_fix(app: Flask) -> None:
    """Trust TRUSTED_PROXY_HOPS proxies' X-Forwarded-For/-Proto: the client address of limits, logs, /metrics.
    With none, every forwarded header is dropped before any layer (flask-talisman's HSTS included) reads it."""
    hops = app.config.get("TRUSTED_PROXY_HOPS") or 0
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    else:
        from app.input_guard import ignore_forwarded

        app.wsgi_app = ignore_forwarded(app.wsgi_app)


def register_edge(app: Flask) -> None:
    from app.web.edge import register_edge as register

    register(app)


def register_error_handlers(app: Flask) -> None:
    from app.errors import register_error_handlers as register

    register(app)


def register_cli(app: Flask) -> None:
    from app.cli import register_commands

    register_commands(app)


def register_default_admin(app: Flask) -> None:
    """Create DEFAULT_ADMIN_EMAIL as an admin when no user exists yet (and the schema is in place)."""
    if not (app.config.get("DEFAULT_ADMIN_EMAIL") and app.config.get("DEFAULT_ADMIN_PASSWORD")):
        return
    from sqlalchemy import inspect
    from sqlalchemy.exc import IntegrityError

    from app.errors import DuplicateValue
    from app.extensions import db
    from app.services.users import ensure_default_admin

    with app.app_context():
        try:
            if not inspect(db.engine).has_table("users"):
                return  # before `db upgrade`; the next start creates it
            with contextlib.suppress(IntegrityError, DuplicateValue):  # another worker process created it first
                ensure_default_admin(
                    app.config["DEFAULT_ADMIN_EMAIL"],
                    app.config["DEFAULT_ADMIN_PASSWORD"],
                    app.config["DEFAULT_ADMIN_NAME"],
                )
        finally:
            # Close what the check opened: a process that forks next (the Celery parent, a
            # preloading gunicorn master) must hand no open connection to its children.
            db.session.remove()
            db.engine.dispose()


def _ensure_dir(path: str) -> None:
    import os

    os.makedirs(path, exist_ok=True)


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite: enforce foreign keys, let readers run beside the writer (WAL), and a lower() that
    folds every script as PostgreSQL's does on a UTF-8 database (SQLite's own folds ASCII only, so
    "ГВОЗДЬ" found nothing and a Cyrillic SKU typed as stored missed the lower(sku) index).
    The indexes on lower(...) are rebuilt with it by migration 0016_sqlite_unicode_lower."""
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()
