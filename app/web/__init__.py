"""Page blueprints, one package per feature; registered by the wiring table in app/__init__.py."""

from __future__ import annotations

from flask import Flask


def init_templates(app: Flask) -> None:
    """The Jinja globals and filters the page templates use."""
    from app.money import format_money
    from app.permissions import Permission, can
    from app.services.backups import readable_age, readable_size, stored_where
    from app.services.quantities import show
    from app.web.common import format_when
    from app.web.forms import location_picker, supplier_picker
    from app.web.nav import visible_nav

    app.jinja_env.globals.update(
        visible_nav=visible_nav,
        can=can,
        Permission=Permission,
        location_picker=location_picker,
        supplier_picker=supplier_picker,
    )
    app.jinja_env.filters.update(
        money=format_money,
        when=format_when,
        filesize=readable_size,
        ago=readable_age,
        stored_where=stored_where,
        qty=show,
    )
