"""Page blueprints, one package per feature; registered by the wiring table in app/__init__.py."""

from __future__ import annotations

from flask import Flask


def init_templates(app: Flask) -> None:
    """The Jinja globals and filters the page templates use."""
    from app.permissions import Permission, can
    from app.web.common import format_money, format_when
    from app.web.nav import visible_nav

    app.jinja_env.globals.update(visible_nav=visible_nav, can=can, Permission=Permission)
    app.jinja_env.filters.update(money=format_money, when=format_when)
