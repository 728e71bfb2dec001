"""Configuration classes. This is the only module that reads the environment."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
INSTANCE_DIR = BASE_DIR / "instance"

# Values that must never reach production: the development defaults below and
# the placeholders printed in .env.example.
INSECURE_SECRETS = {
    "",
    "dev-secret-key-not-for-production",
    "dev-jwt-secret-not-for-production",
    "change-me",
    "changeme",
    "secret",
}


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _int(name: str, default: int) -> int:
    return _number(name, default, int, "an integer")


def _float(name: str, default: float) -> float:
    return _number(name, default, float, "a number")


def _number(name: str, default, convert, kind: str):
    raw = _env(name)
    if raw is None:
        return default
    try:
        return convert(raw)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be {kind}, got {raw!r}") from exc


def database_url(url: str | None = None) -> str:
    url = url or _env("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'inventory.db'}"
    # Heroku/Fly style URLs use the scheme SQLAlchemy dropped.
    for bare in ("postgres://", "postgresql://"):
        if url.startswith(bare):
            # SQLAlchemy 2.1 would pick psycopg 3 for a bare URL; we ship psycopg2.
            url = "postgresql+psycopg2://" + url[len(bare) :]
    return url


class Config:
    """Settings shared by every mode; read from the environment when instantiated."""

    ENV_NAME = "development"
    TESTING = False

    def __init__(self) -> None:
        self.SECRET_KEY = _env("SECRET_KEY", "dev-secret-key-not-for-production")
        self.JWT_SECRET_KEY = _env("JWT_SECRET", "dev-jwt-secret-not-for-production")
        self.JWT_ACCESS_TOKEN_EXPIRES = timedelta(minutes=_int("ACCESS_TOKEN_EXPIRE_MINUTES", 60))
        self.JWT_REFRESH_TOKEN_EXPIRES = timedelta(days=_int("REFRESH_TOKEN_EXPIRE_DAYS", 7))
        self.JWT_TOKEN_LOCATION = ["headers"]

        self.SQLALCHEMY_DATABASE_URI = database_url()
        self.SQLALCHEMY_ENGINE_OPTIONS: dict = {}
        # A pooled connection idle for longer than this is pinged before use (app/pool_liveness.py);
        # one used more recently is not: pre-pinging every checkout cost a round trip per request.
        self.DB_PING_AFTER_IDLE_SECONDS = _float("DB_PING_AFTER_IDLE_SECONDS", 1.0)
        # "web" (set by gunicorn.conf.py): the serving process leaves out what only the CLI
        # needs (Flask-Migrate and Alembic, ~11 MB per worker).
        self.APP_PROCESS = _env("APP_PROCESS", "")
        self.REDIS_URL = _env("REDIS_URL")
        # Live updates (app/realtime): the Redis pub/sub channel shared by every web process and
        # worker of one deployment, and the transport the pages use (see docs/realtime.md).
        self.SOCKETIO_CHANNEL = _env("SOCKETIO_CHANNEL", "inventory-socketio")
        self.SOCKETIO_TRANSPORT = _env("SOCKETIO_TRANSPORT", "websocket")
        # How often each process re-checks its live connections' users (deactivated, role changed).
        self.SOCKETIO_REVALIDATE_SECONDS = _int("SOCKETIO_REVALIDATE_SECONDS", 30)

        self.DEFAULT_ADMIN_EMAIL = _env("DEFAULT_ADMIN_EMAIL")
        self.DEFAULT_ADMIN_PASSWORD = _env("DEFAULT_ADMIN_PASSWORD")
        self.DEFAULT_ADMIN_NAME = _env("DEFAULT_ADMIN_NAME", "Administrator")

        self.SENDGRID_API_KEY = _env("SENDGRID_API_KEY")
        self.SENDGRID_HOST = _env("SENDGRID_HOST", "https://api.sendgrid.com")
        self.ALERT_FROM_EMAIL = _env("ALERT_FROM_EMAIL", "inventory@localhost")
        self.APP_BASE_URL = _env("APP_BASE_URL", "http://127.0.0.1:8000")
        # The shop's currency, wherever money is shown (pages, live cards, reports): ISO code and symbol.
        self.CURRENCY_CODE = _env("CURRENCY_CODE", "USD")
        self.CURRENCY_SYMBOL = _env("CURRENCY_SYMBOL", "$")
        self.PRIMARY_REGION = _env("PRIMARY_REGION")
        self.FLY_REGION = _env("FLY_REGION")

        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_DURATION = timedelta(days=14)
        self.WTF_CSRF_TIME_LIMIT = None

        self.RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI") or _env("REDIS_URL", "memory://")
        self.RATELIMIT_HEADERS_ENABLED = True
        # A Redis outage never turns a limited route into a 500: count in memory meanwhile.
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        self.RATELIMIT_SWALLOW_ERRORS = True
        # Failed logins only (app/services/login_limits.py, docs/login-limits.md): per (account,
        # client address), per account from every address, per address across accounts.
        self.LOGIN_RATE_LIMIT = _env("LOGIN_RATE_LIMIT", "10 per minute")
        self.LOGIN_ACCOUNT_RATE_LIMIT = _env("LOGIN_ACCOUNT_RATE_LIMIT", "50 per hour")
        self.LOGIN_ADDRESS_RATE_LIMIT = _env("LOGIN_ADDRESS_RATE_LIMIT", "30 per minute")
        # An active account's first failure from an address fills this one instead (a shift's typos).
        self.LOGIN_ADDRESS_FIRST_FAILURE_RATE_LIMIT = _env("LOGIN_ADDRESS_FIRST_FAILURE_RATE_LIMIT", "60 per minute")
        # How many proxies in front add X-Forwarded-For (the chart's ingress, Fly's edge: 1).
        # 0 trusts none: a client cannot pick its own address for limits, logs and /metrics.
        self.TRUSTED_PROXY_HOPS = _int("TRUSTED_PROXY_HOPS", 0)

        self.API_TITLE = "Inventory API"
        self.API_VERSION = "v1"
        self.OPENAPI_VERSION = "3.0.3"
        self.OPENAPI_URL_PREFIX = "/"
        self.OPENAPI_JSON_PATH = "api/v1/openapi.json"
        self.OPENAPI_SWAGGER_UI_PATH = "docs"
        # Served from node_modules (installed by `make`), never from a CDN.
        self.OPENAPI_SWAGGER_UI_URL = "/vendor/swagger-ui-dist/"
        self.NODE_MODULES_DIR = str(BASE_DIR / "node_modules")

        self.MAX_CONTENT_LENGTH = 1024 * 1024
        # Spreadsheet imports (app/services/imports/runs.py): the upload limit (413 above it), rows per
        # committed batch, and the file size up to which the dry run runs in the request itself.
        self.IMPORT_MAX_BYTES = _int("IMPORT_MAX_BYTES", 50 * 1024 * 1024)
        self.IMPORT_BATCH_SIZE = _int("IMPORT_BATCH_SIZE", 500)
        self.IMPORT_INLINE_BYTES = _int("IMPORT_INLINE_BYTES", 2 * 1024 * 1024)
        # A file with a cell beyond this column is refused at upload (a wide row is read whole).
        self.IMPORT_MAX_COLUMNS = _int("IMPORT_MAX_COLUMNS", 200)
        # A running import with no committed batch for this long is resumed by the beat's sweep.
        self.IMPORT_STALL_SECONDS = _int("IMPORT_STALL_SECONDS", 120)
        self.IMPORT_SWEEP_SCHEDULE = _env("IMPORT_SWEEP_SCHEDULE", "* * * * *")
        # Counts again the location figures a move left queued, when the move's own job was lost.
        self.LOCATION_RECOUNT_SCHEDULE = _env("LOCATION_RECOUNT_SCHEDULE", "*/5 * * * *")

        # Celery pipeline (tasks/, docs/jobs.md). Schedules are crontab lines ("m h dom mon dow"),
        # or a plain number of seconds (handy for tests and demos).
        self.CELERY_TASK_DEFAULT_QUEUE = _env("CELERY_TASK_DEFAULT_QUEUE", "celery")
        self.CELERY_VISIBILITY_TIMEOUT = _int("CELERY_VISIBILITY_TIMEOUT", 3600)
        self.CELERY_REDIS_KEY_PREFIX = _env("CELERY_REDIS_KEY_PREFIX", "")
        self.CELERY_BROKER_DIR = _env("CELERY_BROKER_DIR")  # SQLite broker folder; default instance/
        self.SENDGRID_TIMEOUT = float(_env("SENDGRID_TIMEOUT", "10"))
        self.SENDGRID_MAX_RETRIES = _int("SENDGRID_MAX_RETRIES", 8)
        self.SENDGRID_RETRY_BACKOFF = float(_env("SENDGRID_RETRY_BACKOFF", "5"))
        self.SENDGRID_RETRY_BACKOFF_MAX = float(_env("SENDGRID_RETRY_BACKOFF_MAX", "600"))
        self.BACKUP_DIR = _env("BACKUP_DIR", str(INSTANCE_DIR / "backups"))
        self.BACKUP_KEEP = _int("BACKUP_KEEP", 7)
        self.BACKUP_SCHEDULE = _env("BACKUP_SCHEDULE", "0 2 * * *")
        self.BACKUP_S3_BUCKET = _env("BACKUP_S3_BUCKET")
        self.BACKUP_S3_PREFIX = _env("BACKUP_S3_PREFIX", "backups/")
        self.BACKUP_S3_ENDPOINT_URL = _env("BACKUP_S3_ENDPOINT_URL")
        self.BACKUP_S3_REGION = _env("BACKUP_S3_REGION", "us-east-1")
        self.LOW_STOCK_DIGEST_SCHEDULE = _env("LOW_STOCK_DIGEST_SCHEDULE", "0 7 * * *")
        self.VALUATION_REPORT_SCHEDULE = _env("VALUATION_REPORT_SCHEDULE", "0 6 * * 1")
        # The sweep that re-enqueues emails whose enqueue was lost (Redis down at the time):
        # owed for longer than the grace, raised within the maximum age (docs/jobs.md).
        self.EMAIL_SWEEP_SCHEDULE = _env("EMAIL_SWEEP_SCHEDULE", "*/2 * * * *")
        self.CYCLE_COUNT_SCHEDULE = _env("CYCLE_COUNT_SCHEDULE", "30 5 * * *")  # opens counts that fell due
        self.EMAIL_SWEEP_GRACE_SECONDS = _int("EMAIL_SWEEP_GRACE_SECONDS", 60)
        self.EMAIL_SWEEP_MAX_AGE_HOURS = _int("EMAIL_SWEEP_MAX_AGE_HOURS", 72)

        # /metrics (app/metrics.py, docs/observability.md): who may scrape it, checked
        # against request.remote_addr; multiprocess mode when gunicorn runs several workers.
        self.METRICS_ALLOWED_NETWORKS = _env("METRICS_ALLOWED_NETWORKS", "127.0.0.1/32,::1/128")
        self.PROMETHEUS_MULTIPROC_DIR = _env("PROMETHEUS_MULTIPROC_DIR")
        self.METRICS_CACHE_SECONDS = _int("METRICS_CACHE_SECONDS", 10)
        self.METRICS_REDIS_PREFIX = _env("METRICS_REDIS_PREFIX", "inventory:metrics:")

        # bench/ (docs/performance.md): adds a plain "hello world" route to measure the framework's
        # ceiling on the production server set-up. Never set it in a real deployment.
        self.BENCH_HELLO = _env("BENCH_HELLO") == "1"

    def validate(self) -> None:
        """Check the settings; only production refuses anything."""


class DevelopmentConfig(Config):
    ENV_NAME = "development"


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True

    def __init__(self) -> None:
        super().__init__()
        self.SQLALCHEMY_DATABASE_URI = database_url(_env("TEST_DATABASE_URL", "sqlite://"))
        self.RATELIMIT_STORAGE_URI = "memory://"
        self.DEFAULT_ADMIN_EMAIL = None
        self.DEFAULT_ADMIN_PASSWORD = None
        # Tasks the suite enqueues land in a throwaway SQLite broker, never in instance/.
        self.CELERY_BROKER_DIR = _env("CELERY_BROKER_DIR") or os.path.join(
            os.environ.get("TMPDIR", "/tmp"), f"inventory-test-broker-{os.getpid()}"
        )


class ProductionConfig(Config):
    ENV_NAME = "production"

    def __init__(self) -> None:
        super().__init__()
        self.SESSION_COOKIE_SECURE = True
        self.REMEMBER_COOKIE_SECURE = True
        self.PREFERRED_URL_SCHEME = "https"

    def validate(self) -> None:
        """Refuse to start with a missing or well-known secret, naming which."""
        bad = [
            env_name
            for env_name, value in (("SECRET_KEY", self.SECRET_KEY), ("JWT_SECRET", self.JWT_SECRET_KEY))
            if value is None or value.strip().lower() in INSECURE_SECRETS
        ]
        if bad:
            raise RuntimeError(
                "Refusing to start in production: set "
                + " and ".join(bad)
                + " to a long random value, e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def get_config(name: str | None = None) -> Config:
    """The settings for `name`, or for APP_ENV (development by default)."""
    name = name or _env("APP_ENV", "development")
    try:
        config_class = CONFIGS[name]
    except KeyError as exc:
        raise RuntimeError(f"APP_ENV must be one of {sorted(CONFIGS)}, got {name!r}") from exc
    return config_class()
