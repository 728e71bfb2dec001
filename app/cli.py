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
        from app.services import demo

        result = demo.seed(item_count=items, days=days, random_seed=seed)
        if result is None:
            click.echo("Demo data already present; nothing done.")
            return
        for line in result:
            click.echo(line)
