"""The sidebar: one entry per page, shown when its blueprint is registered and the role allows it.

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
    permission: Permission
    icon: str = ""


NAV: list[NavEntry] = [
    NavEntry("Dashboard", "dashboard.index", Permission.DASHBOARD_READ),
    NavEntry("Inventory", "items.index", Permission.ITEMS_READ),
    NavEntry("Scan", "scan.index", Permission.ITEMS_READ),
    NavEntry("Categories", "categories.index", Permission.CATALOG_READ),
    NavEntry("Locations", "locations.index", Permission.CATALOG_READ),
    NavEntry("Cart", "carts.index", Permission.SELF),
    NavEntry("Requests", "requests.index", Permission.SELF),
    NavEntry("Alerts", "alerts.index", Permission.ALERTS_READ),
    NavEntry("Activity", "activity.index", Permission.LOGS_READ_ALL),
    NavEntry("Users", "users.index", Permission.USERS_READ),
    NavEntry("Reports", "reports.index", Permission.ALERTS_READ),
    NavEntry("Backups", "backups.index", Permission.ALERTS_READ),
    NavEntry("Outbox", "outbox.index", Permission.USERS_MANAGE_ADMINS),
]


def visible_nav(user) -> list[NavEntry]:
    return [e for e in NAV if e.endpoint in current_app.view_functions and can(user, e.permission)]
