"""ORM models, one module per aggregate."""

from app.models.alert import Alert
from app.models.catalog import Category, Item
from app.models.idempotency import IdempotencyRecord
from app.models.location import Location
from app.models.stock import InventoryLog, LogAction, StockLevel
from app.models.user import Role, User

__all__ = [
    "Alert",
    "Category",
    "IdempotencyRecord",
    "InventoryLog",
    "Item",
    "Location",
    "LogAction",
    "Role",
    "StockLevel",
    "User",
]
