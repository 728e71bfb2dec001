"""ORM models, one module per aggregate."""

from app.models.alert import Alert
from app.models.backup import Backup
from app.models.barcode import ItemBarcode
from app.models.catalog import Category, Item
from app.models.count import CountState, StockCount, StockCountLine
from app.models.idempotency import IdempotencyRecord
from app.models.location import Location
from app.models.lot import Lot, LotLevel, LotStatus, Serial, SerialState, Tracking
from app.models.outbox import OutboxEmail
from app.models.purchasing import (
    OrderState,
    PurchaseOrder,
    PurchaseOrderLine,
    Supplier,
    SupplierOffer,
)
from app.models.report import Report
from app.models.request import (
    Cart,
    CartLine,
    RequestKind,
    RequestState,
    StockRequest,
    StockRequestEvent,
    StockRequestLine,
)
from app.models.spreadsheet_import import Import, ImportState
from app.models.stats import CategoryStat, LocationRecount, LocationStat
from app.models.stock import InventoryLog, LogAction, StockLevel
from app.models.user import Role, User

__all__ = [
    "Alert",
    "Backup",
    "Cart",
    "CartLine",
    "CountState",
    "Category",
    "CategoryStat",
    "LocationRecount",
    "LocationStat",
    "IdempotencyRecord",
    "ItemBarcode",
    "Import",
    "ImportState",
    "InventoryLog",
    "Item",
    "Location",
    "Lot",
    "LotLevel",
    "LotStatus",
    "Serial",
    "SerialState",
    "Tracking",
    "OrderState",
    "OutboxEmail",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "LogAction",
    "Report",
    "RequestKind",
    "RequestState",
    "Role",
    "StockCount",
    "StockCountLine",
    "StockLevel",
    "StockRequest",
    "StockRequestEvent",
    "StockRequestLine",
    "Supplier",
    "SupplierOffer",
    "User",
]
