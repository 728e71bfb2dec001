"""The sidebar: one entry per page, shown when its view is registered and the role may open it.

An entry names only a label and an endpoint: the permission is the one the view itself
requires (the `require` decorator records it), so the menu and the page never disagree.
Feature packages add their entry here; templates call visible_nav(user).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from app.permissions import Permission, can


@dataclass(frozen=True)
class NavEntry:
    label: str
    endpoint: str
    icon: str = ""


NAV: list[NavEntry] = [
    NavEntry("Dashboard", "dashboard.index"),
    NavEntry("Inventory", "items.index"),
    NavEntry("Scan", "scan.index"),
    NavEntry("Categories", "categories.index"),
    NavEntry("Locations", "locations.index"),
    NavEntry("Cart", "carts.index"),
    NavEntry("Requests", "requests.index"),
    NavEntry("Purchasing", "purchasing.orders"),  # orders; its tabs lead to suggestions and suppliers
    NavEntry("Counts", "counts.index"),
    NavEntry("Alerts", "alerts.index"),
    NavEntry("Activity", "activity.index"),
    NavEntry("Users", "users.index"),
    NavEntry("Import", "imports.index"),
    NavEntry("Reports", "reports.index"),
    NavEntry("Backups", "backups.index"),
    NavEntry("Outbox", "outbox.index"),
]


def required_permission(endpoint: str) -> Permission | None:
    """The permission a registered view requires, or None when it is not registered."""
    view = current_app.view_functions.get(endpoint)
    if view is None:
        return None
    permission = getattr(view, "required_permission", None)
    if permission is None:
        raise RuntimeError(f"Navigation entry {endpoint!r} points at a view without @require")
    return permission


def visible_nav(user) -> list[NavEntry]:
    shown = []
    for entry in NAV:
        permission = required_permission(entry.endpoint)
        if permission is not None and can(user, permission):
            shown.append(entry)
    return shown
