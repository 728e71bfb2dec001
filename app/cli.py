"""Commands: `flask --app wsgi create-user`, `flask --app wsgi seed-demo`."""

from __future__ import annotations

import click
from flask import Flask

from app.errors import DomainError
from app.models import Role


def register_commands(app: Flask) -> None:
    @app.cli.command("create-user")
    @click.option("--email", prompt=True)
    @click.option("--name", "full_name", prompt="Full name")
    @click.option("--role", type=click.Choice([r.value for r in Role]), default="staff", prompt=True, show_default=True)
    @click.password_option()
    def create_user(email: str, full_name: str, role: str, password: str) -> None:
        """Create an account (the password is asked twice, never echoed)."""
        from app.services.users import create_user as create

        try:
            user = create(email=email, password=password, full_name=full_name, role=role)
        except DomainError as exc:
            raise click.ClickException(f"{exc.message} {exc.fields or ''}".strip()) from exc
        click.echo(f"Created {user.role} {user.email} (id {user.id}).")

    @app.cli.command("seed-demo")
    @click.option("--items", default=300, show_default=True, help="How many items to create.")
    @click.option("--days", default=42, show_default=True, help="How many days of history.")
    @click.option("--seed", default=7, show_default=True, help="Random seed, for repeatable data.")
    def seed_demo(items: int, days: int, seed: int) -> None:
        """Load a realistic demo data set (skipped when items already exist)."""
        from app.services.demo import seed as demo

        try:
            result = demo.seed(item_count=items, days=days, random_seed=seed)
        except DomainError as exc:
            raise click.ClickException(exc.message) from exc
        if result is None:
            click.echo("Demo data already present; nothing done.")
            return
        for line in result:
            click.echo(line)

    register_backup_commands(app)


def register_backup_commands(app: Flask) -> None:
    """`flask --app wsgi backup now|list|restore FILE [--force]` (docs/jobs.md)."""

    @app.cli.group("backup")
    def backup() -> None:
        """Back up the database, list backups, restore one."""

    @backup.command("now")
    def backup_now() -> None:
        """Back up now (in this process, not on a worker)."""
        from app.services import backups

        record = backups.run_backup()
        if record.outcome != "success":
            raise click.ClickException(f"Backup failed: {record.error}")
        click.echo(
            f"{record.location}  {record.size_bytes} bytes  sha256 {record.checksum_sha256}  {record.duration_ms} ms"
        )

    @backup.command("list")
    def backup_list() -> None:
        """The recorded backups, newest first."""
        from app.services import backups

        for b in backups.list_backups():
            state = "pruned" if b.pruned_at else b.outcome
            click.echo(
                f"{b.started_at:%Y-%m-%d %H:%M:%S}  {state:8}  {b.size_bytes or 0:>12}  {b.location}  {b.error or ''}"
            )

    @backup.command("restore")
    @click.argument("file")
    @click.option("--force", is_flag=True, help="Overwrite a database that already holds data.")
    def backup_restore(file: str, force: bool) -> None:
        """Restore FILE (a path, a file name in BACKUP_DIR, or s3://bucket/key) into the configured database."""
        from app.services import backups

        try:
            name = backups.restore(file, force=force)
        except (DomainError, backups.BackupError) as exc:
            raise click.ClickException(str(getattr(exc, "message", exc))) from exc
        click.echo(f"Restored {name}.")
