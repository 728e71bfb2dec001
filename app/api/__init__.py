"""The JSON API under /api/v1: thin functions that validate, check the role, and call services.

Its blueprints are registered by the wiring table in app/__init__.py (BLUEPRINTS).
"""

from flask import Flask

from app.extensions import api


def init_api(app: Flask) -> None:
    """Bind flask-smorest (the OpenAPI document) before the API blueprints are registered."""
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
    from app.api.openapi import ErrorResponses, closed_mapping, length_in_branches, no_nul_pattern
    from app.schemas.common import Amount, ErrorSchema

    api.ERROR_SCHEMA = ErrorSchema  # the documented error body is the one app.errors answers
    api.init_app(app, spec_kwargs={"extra_plugins": [ErrorResponses()]})
    api.ma_plugin.converter.add_attribute_function(no_nul_pattern)
    api.ma_plugin.converter.add_attribute_function(closed_mapping)
    api.ma_plugin.converter.add_attribute_function(length_in_branches)
    api.ma_plugin.map_to_openapi_type(Amount, "number", None)  # quantities: bounds as numbers, not x-minimum
