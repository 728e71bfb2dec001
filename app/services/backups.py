"""Database backups: pg_dump -Fc (PostgreSQL) or SQLite's online backup API, to a folder or S3.

Each attempt is recorded as a Backup row; only the newest BACKUP_KEEP files are kept.
Restore refuses a database that holds data unless forced.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.engine import make_url

from app import events
from app.config import database_url as normalize_url
from app.errors import Conflict, NotFound, ValidationFailed
from app.extensions import db
from app.models import Backup
from app.models.base import utcnow
from app.services.uow import before_external_call, unit_of_work


class BackupError(Exception):
    """pg_dump, pg_restore, SQLite or S3 refused."""


@dataclass
class Target:
    url: sa.URL

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"


def _target(database_url: str | None = None) -> Target:
    return Target(
        make_url(normalize_url(database_url) if database_url else current_app.config["SQLALCHEMY_DATABASE_URI"])
    )


def _pg_args(url: sa.URL) -> tuple[list[str], dict[str, str]]:
    """pg_dump/pg_restore connection arguments; the password goes through PGPASSWORD, never argv."""
    args = ["-h", url.host or "localhost", "-p", str(url.port or 5432), "-d", url.database or ""]
    if url.username:
        args += ["-U", url.username]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _run(cmd: list[str], env: dict[str, str] | None = None) -> None:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=3600)
    if result.returncode != 0:
        raise BackupError(f"{cmd[0]} exited with {result.returncode}: {result.stderr.strip()[:1000]}")


def dump_to(path: Path, database_url: str | None = None) -> None:
    """Write a consistent copy of the database to `path`. Raises BackupError."""
    target = _target(database_url)
    if target.is_sqlite:
        try:
            _sqlite_copy(target.url.database, path)
        except sqlite3.Error as exc:
            raise BackupError(f"SQLite backup failed: {exc}") from exc
        return
    args, env = _pg_args(target.url)
    _run(["pg_dump", "-Fc", "--no-owner", "-f", str(path), *args], env)


def _sqlite_copy(source: str | Path, destination: str | Path) -> None:
    """SQLite's online backup API: a consistent page-by-page copy, safe while others write."""
    src, dst = sqlite3.connect(source), sqlite3.connect(destination)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _s3():
    import boto3  # only needed when BACKUP_S3_BUCKET is set

    cfg = current_app.config
    return boto3.client("s3", endpoint_url=cfg.get("BACKUP_S3_ENDPOINT_URL"), region_name=cfg.get("BACKUP_S3_REGION"))


def _s3_key(name: str) -> str:
    prefix = current_app.config.get("BACKUP_S3_PREFIX") or ""
    return f"{prefix.rstrip('/')}/{name}" if prefix else name


def run_backup() -> Backup:
    """Back up now and record the attempt (outcome 'success' or 'failure'); never raises for a failed dump.

    The Backups page hears "backup_started" now and "backup_finished" after the record commits.
    """
    started = utcnow()
    events.announce("backup_started", {"started_at": started.isoformat()})
    clock = time.monotonic()
    sqlite = _target().is_sqlite
    name = f"inventory-{started:%Y%m%dT%H%M%S%fZ}.{'sqlite3' if sqlite else 'dump'}"
    bucket = current_app.config.get("BACKUP_S3_BUCKET")
    folder = Path(current_app.config["BACKUP_DIR"])
    location = f"s3://{bucket}/{_s3_key(name)}" if bucket else str(folder / name)
    before_external_call()  # the dump and the upload take minutes
    record = Backup(file=name, location=location, outcome="failure", started_at=started)
    try:
        with tempfile.TemporaryDirectory() as scratch:
            path = Path(scratch) / name
            dump_to(path)
            record.size_bytes = path.stat().st_size
            record.checksum_sha256 = _sha256(path)
            if bucket:
                _s3().upload_file(str(path), bucket, _s3_key(name))
            else:
                folder.mkdir(parents=True, exist_ok=True)
                shutil.move(str(path), folder / name)
        record.outcome = "success"
    except Exception as exc:  # recorded and reported; the task decides what to tell admins
        record.error = f"{type(exc).__name__}: {exc}"[:4000]
    record.duration_ms = int((time.monotonic() - clock) * 1000)
    record.finished_at = utcnow()
    with unit_of_work():
        db.session.add(record)
        db.session.flush()
        events.publish("backup_finished", backup_payload(record))
    if record.outcome == "success":
        prune()
    return record


def readable_size(size: int | None) -> str:
    """1536 -> "1.5 KB": what a person reads, in powers of 1,024."""
    if size is None:
        return ""
    amount = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if amount < 1024 or unit == "GB":
            return f"{size:,} bytes" if unit == "bytes" else f"{amount:,.1f} {unit}"
        amount /= 1024
    return f"{amount:,.1f} TB"


def readable_age(then: datetime | None, now: datetime | None = None) -> str:
    """How long ago, in the largest sensible units: "just now", "5 min ago", "3 h 10 min ago", "2 days ago"."""
    if then is None:
        return ""
    now = now or utcnow()
    if then.tzinfo is None:  # SQLite gives naive datetimes back
        then = then.replace(tzinfo=now.tzinfo)
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 60:
        return "just now"
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if days:
        return f"{days} day{'s' if days != 1 else ''} ago"
    if hours:
        return f"{hours} h {minutes % 60} min ago"
    return f"{minutes} min ago"


def stored_where(backup: Backup) -> str:
    """Where the file is, in words (never the server's path): "S3 bucket NAME" or "the backup folder"."""
    if backup.location.startswith("s3://"):
        return f"S3 bucket {backup.location.removeprefix('s3://').partition('/')[0]}"
    return "the backup folder"


def backup_payload(backup: Backup) -> dict:
    return {
        "backup_id": backup.id,
        "outcome": backup.outcome,
        "file": backup.file,
        "stored": stored_where(backup),
        "size": readable_size(backup.size_bytes),
        "error": backup.error,
        "finished_at": backup.finished_at.isoformat() if backup.finished_at else None,
    }


def prune(keep: int | None = None) -> list[str]:
    """Delete all but the newest `keep` (BACKUP_KEEP) successful backup files; returns their names."""
    keep = current_app.config["BACKUP_KEEP"] if keep is None else keep
    old = list(
        db.session.execute(
            sa.select(Backup)
            .where(Backup.outcome == "success", Backup.pruned_at.is_(None))
            .order_by(Backup.finished_at.desc(), Backup.id.desc())
            .offset(keep)
        ).scalars()
    )
    with unit_of_work():
        for backup in old:
            if backup.location.startswith("s3://"):
                bucket, _, key = backup.location.removeprefix("s3://").partition("/")
                _s3().delete_object(Bucket=bucket, Key=key)
            else:
                Path(backup.location).unlink(missing_ok=True)
            backup.pruned_at = utcnow()
    return [backup.file for backup in old]


def list_backups(limit: int = 100) -> list[Backup]:
    return list(db.session.execute(sa.select(Backup).order_by(Backup.started_at.desc()).limit(limit)).scalars())


def newest_success() -> Backup | None:
    return db.session.execute(
        sa.select(Backup)
        .where(Backup.outcome == "success")
        .order_by(Backup.finished_at.desc(), Backup.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def newest_age() -> timedelta | None:
    """How old the newest successful backup is, or None when there is none."""
    newest = db.session.execute(
        sa.select(sa.func.max(Backup.finished_at)).where(Backup.outcome == "success")
    ).scalar_one_or_none()
    if newest is None:
        return None
    if newest.tzinfo is None:  # SQLite gives naive datetimes back
        newest = newest.replace(tzinfo=utcnow().tzinfo)
    return utcnow() - newest


def has_data(database_url: str | None = None) -> bool:
    """True when any table other than alembic_version holds a row."""
    engine = sa.create_engine(_target(database_url).url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            tables = [t for t in sa.inspect(conn).get_table_names() if t != "alembic_version"]
            return any(conn.execute(sa.text(f'SELECT 1 FROM "{t}" LIMIT 1')).first() for t in tables)
    finally:
        engine.dispose()


def _fetch(source: str, scratch: Path) -> Path:
    if source.startswith("s3://"):
        bucket, _, key = source.removeprefix("s3://").partition("/")
        path = scratch / Path(key).name
        _s3().download_file(bucket, key, str(path))
        return path
    path = Path(source)
    if not path.exists():
        path = Path(current_app.config["BACKUP_DIR"]) / source
    if not path.exists():
        raise NotFound(f"No backup file {source!r} (looked in {current_app.config['BACKUP_DIR']}).")
    return path


def restore(source: str, *, force: bool = False, database_url: str | None = None) -> str:
    """Restore a backup (path, file name in BACKUP_DIR, or s3:// URI) into the database.

    Raises Conflict when the database holds data and not `force`, NotFound, ValidationFailed, BackupError.
    """
    target = _target(database_url)
    if has_data(database_url) and not force:
        raise Conflict("The database is not empty; pass --force to overwrite it with the backup.")
    db.session.remove()
    db.engine.dispose()  # our own pooled connections would block pg_restore --clean or hold SQLite
    with tempfile.TemporaryDirectory() as scratch:
        path = _fetch(source, Path(scratch))
        with path.open("rb") as handle:
            magic = handle.read(16)
        if target.is_sqlite:
            if not magic.startswith(b"SQLite format 3"):
                raise ValidationFailed("That file is not a SQLite backup.")
            _sqlite_copy(path, target.url.database)
        else:
            if not magic.startswith(b"PGDMP"):
                raise ValidationFailed("That file is not a pg_dump custom-format backup.")
            args, env = _pg_args(target.url)
            _run(["pg_restore", "--no-owner", "--clean", "--if-exists", "--single-transaction", *args, str(path)], env)
    return str(path.name)
