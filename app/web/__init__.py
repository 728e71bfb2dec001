"""Page blueprints, one package per feature."""

from __future__ import annotations

from flask import Flask


def register_web(app: Flask) -> None:
    """Register the staff pages and the Jinja globals their templates use."""
    from app.permissions import Permission, can
    from app.web import activity, alerts, auth, categories, dashboard, items, locations, users
    from app.web.common import format_money, format_when
    from app.web.nav import visible_nav

    for package in (auth, dashboard, items, categories, locations, alerts, activity, users):
        app.register_blueprint(package.bp)
    from app.web import carts, requests, scan

    for package in (carts, requests, scan):
        app.register_blueprint(package.bp)
    app.jinja_env.globals.update(visible_nav=visible_nav, can=can, Permission=Permission)
    app.jinja_env.filters.update(money=format_money, when=format_when)
