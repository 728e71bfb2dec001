"""Manufacturers' barcodes on items, and the index a scanned SKU is found by."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import utcnow
from app.models.catalog import Item


class ItemBarcode(db.Model):
    """A manufacturer's barcode (UPC-A, EAN-13 or any Code 128 text) printed on an item.

    Unique among active items: checked by app.services.barcodes under a per-code lock,
    since an index cannot see whether the item it points at is deleted.
    """

    __tablename__ = "item_barcodes"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id", ondelete="CASCADE"), nullable=False)
    code: Mapped[str] = mapped_column(sa.String(64), nullable=False, index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, nullable=False)

    __table_args__ = (sa.UniqueConstraint("item_id", "code", name="uq_item_barcodes_item_code"),)


# A scanned SKU is matched case-insensitively among active items (app/services/scanning/codes.py).
sa.Index(
    "ix_items_sku_lower",
    sa.func.lower(Item.sku),
    postgresql_where=sa.text("NOT is_deleted"),
    sqlite_where=sa.text("is_deleted = 0"),
)
