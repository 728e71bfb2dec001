"""The one table of what each role may do, and the decorators that enforce it."""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps
from typing import Any

from app.errors import PermissionDenied
from app.models.user import Role


class Permission(enum.StrEnum):
    ITEMS_READ = "items:read"
    ITEMS_CREATE = "items:create"
    ITEMS_EDIT = "items:edit"  # every editable field (PUT, full PATCH)
    ITEMS_EDIT_BASIC = "items:edit-basic"  # description, home location, unit, threshold
    ITEMS_DELETE = "items:delete"
    STOCK_MOVE = "stock:move"  # restock, withdraw, transfer
    STOCK_ADJUST = "stock:adjust"  # set a counted quantity
    CATALOG_READ = "catalog:read"
    CATALOG_WRITE = "catalog:write"
    LOGS_READ_ITEM = "logs:read-item"
    LOGS_READ_ALL = "logs:read-all"
    ALERTS_READ = "alerts:read"
    ALERTS_ACK = "alerts:ack"
    DASHBOARD_READ = "dashboard:read"
    USERS_READ = "users:read"
    USERS_MANAGE = "users:manage"  # register, change name/role/active
    USERS_MANAGE_ADMINS = "users:manage-admins"
    BACKUPS_RUN = "backups:run"  # start a database backup now
    REPORTS_GENERATE = "reports:generate"  # build a valuation report now
    SELF = "self"  # any signed-in active user (own profile, own cart)
    CART_USE = "cart:use"  # a working cart of one's own
    REQUESTS_SUBMIT = "requests:submit"  # turn the cart into a request; see, cancel own requests
    REQUESTS_DECIDE = "requests:decide"  # approve (moves the stock) or reject any request
    REQUESTS_READ_ALL = "requests:read-all"  # see everyone's requests (the approval queue)
    DATA_EXPORT = "data:export"  # CSV/XLSX exports of the list, the ledger, stock per location
    DATA_IMPORT = "data:import"  # spreadsheet imports of items and stock
    PURCHASING_READ = "purchasing:read"  # see suppliers, their offers and purchase orders
    PURCHASING_RECEIVE = "purchasing:receive"  # book in what arrived on a sent order
    PURCHASING_MANAGE = "purchasing:manage"  # suppliers, offers, suggestions; create, edit, send, cancel orders
    COUNTS_COUNT = "counts:count"  # see counts, enter what was found, submit a count for review
    COUNTS_MANAGE = "counts:manage"  # open, review (expected quantities of blind counts), recount, approve, cancel


_STAFF = {
    Permission.SELF,
    Permission.ITEMS_READ,
    Permission.ITEMS_EDIT_BASIC,
    Permission.STOCK_MOVE,
    Permission.CATALOG_READ,
    Permission.LOGS_READ_ITEM,
    Permission.DASHBOARD_READ,
    Permission.CART_USE,
    Permission.REQUESTS_SUBMIT,
    Permission.PURCHASING_READ,
    Permission.PURCHASING_RECEIVE,
    Permission.COUNTS_COUNT,
}
_MANAGER = _STAFF | {
    Permission.ITEMS_CREATE,
    Permission.ITEMS_EDIT,
    Permission.ITEMS_DELETE,
    Permission.STOCK_ADJUST,
    Permission.CATALOG_WRITE,
    Permission.LOGS_READ_ALL,
    Permission.ALERTS_READ,
    Permission.ALERTS_ACK,
    Permission.USERS_READ,
    Permission.USERS_MANAGE,
    Permission.REQUESTS_DECIDE,
    Permission.REQUESTS_READ_ALL,
    Permission.DATA_EXPORT,
    Permission.DATA_IMPORT,
    Permission.REPORTS_GENERATE,
    Permission.PURCHASING_MANAGE,
    Permission.COUNTS_MANAGE,
}
_ADMIN = _MANAGER | {Permission.USERS_MANAGE_ADMINS, Permission.BACKUPS_RUN}

ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.STAFF: frozenset(_STAFF),
    Role.MANAGER: frozenset(_MANAGER),
    Role.ADMIN: frozenset(_ADMIN),
}

STAFF_EDITABLE_ITEM_FIELDS = frozenset({"description", "location_id", "unit", "low_stock_threshold"})


def can(user: Any, permission: Permission | str) -> bool:
    """True when `user` is signed in, active, and their role grants `permission`."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return Permission(permission) in ROLE_PERMISSIONS.get(user.role, frozenset())


def check(user: Any, permission: Permission | str) -> None:
    if not can(user, permission):
        raise PermissionDenied("Your role does not allow this action.")


def require(permission: Permission | str) -> Callable:
    """Route decorator: authenticate the caller (token or session), then check the role."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            from app.auth import current_actor  # late: auth imports models and flask-jwt

            check(current_actor(), permission)
            return view(*args, **kwargs)

        wrapped.required_permission = Permission(permission)  # type: ignore[attr-defined]
        return wrapped

    return decorator
