"""The JSON API under /api/v1: thin functions that validate, check the role, and call services."""

from flask import Flask

from app.extensions import api, csrf


def register_api(app: Flask) -> None:
    from app.api import alerts, auth, carts, catalog, dashboard, items, labels, logs, requests, scan, users

    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "components": {
                "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}
            },
            "security": [{"bearerAuth": []}],
            "info": {
                "description": "Stock across locations, with a ledger of every change. Errors are JSON `{error: {code, message, fields?}}`."
            },
        },
    )
    api.init_app(app)
    for module in (auth, users, items, catalog, logs, alerts, dashboard, carts, requests, scan, labels):
        for blueprint in module.blueprints():
            # Token-authenticated; cookie-authenticated writes are checked in app.auth.
            csrf.exempt(blueprint)
            api.register_blueprint(blueprint)
