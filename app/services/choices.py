"""The bounded pickers' choices for items and suppliers (locations: app/services/locations.py
matching_paths): at most CHOICES rows for what a person typed, so a form never lists a whole table.

Matching is a case-insensitive "contains" for every typed word (ILIKE: Unicode-safe on the
UTF-8 database, so Cyrillic folds and Japanese matches as typed), served by the trigram
indexes on items.name and items.sku; a code (barcode or SKU) is one index probe.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db
from app.limits import SEARCH_LENGTH, SEARCH_WORDS
from app.models import Item, ItemBarcode
from app.models.purchasing import Supplier

CHOICES = 50


@dataclass(frozen=True)
class Choice:
    id: int
    label: str


def _words(query: str) -> list[str]:
    return [w for w in (query or "")[:SEARCH_LENGTH].split() if w][:SEARCH_WORDS]


def _contains(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def item_label(sku: str, name: str) -> str:
    """How a picker shows an item: its SKU, then its name."""
    return f"{sku} · {name}"


def item_choices(query: str, limit: int = CHOICES) -> list[Choice]:
    """Active items whose name or SKU holds every typed word, by name (at most `limit`, never more
    than CHOICES); an item whose barcode or SKU is exactly what was typed comes first."""
    limit = min(limit, CHOICES)
    words = _words(query)
    if not words:
        return []
    exact = item_by_code(" ".join(words))
    conditions = [sa.not_(Item.is_deleted)] + [
        sa.or_(Item.name.ilike(_contains(w), escape="\\"), Item.sku.ilike(_contains(w), escape="\\")) for w in words
    ]
    if exact is not None:
        conditions.append(Item.id != exact.id)
    rows = db.session.execute(
        sa.select(Item.id, Item.sku, Item.name).where(*conditions).order_by(Item.name, Item.id).limit(limit)
    ).all()
    found = [Choice(i, item_label(sku, name)) for i, sku, name in rows]
    return ([exact] + found)[:limit] if exact is not None else found


def item_by_code(code: str) -> Choice | None:
    """The active item a scanned or typed code names: a barcode exactly, else its SKU (any letter case)."""
    code = (code or "").strip()
    if not code or len(code) > SEARCH_LENGTH:
        return None
    by_barcode = (
        sa.select(Item.id, Item.sku, Item.name)
        .join(ItemBarcode, ItemBarcode.item_id == Item.id)
        .where(ItemBarcode.code == code, sa.not_(Item.is_deleted))
        .limit(1)
    )
    by_sku = (
        sa.select(Item.id, Item.sku, Item.name)
        .where(sa.func.lower(Item.sku) == code.lower(), sa.not_(Item.is_deleted))
        .limit(1)
    )
    row = db.session.execute(by_barcode).first() or db.session.execute(by_sku).first()
    return Choice(row.id, item_label(row.sku, row.name)) if row else None


def item_labels(item_ids: list[int | None]) -> dict[int, str]:
    """id -> picker label of these items (deleted ones included: a form may show what it was sent)."""
    wanted = sorted({i for i in item_ids if i is not None})
    if not wanted:
        return {}
    rows = db.session.execute(sa.select(Item.id, Item.sku, Item.name).where(Item.id.in_(wanted))).all()
    return {i: item_label(sku, name) for i, sku, name in rows}


def live_item_id(item_id: int) -> bool:
    """Whether an active (not deleted) item has this id."""
    query = sa.select(Item.id).where(Item.id == item_id, sa.not_(Item.is_deleted))
    return db.session.execute(query).first() is not None


def supplier_choices(query: str, limit: int = CHOICES) -> list[Choice]:
    """Suppliers whose name holds every typed word, by name (at most `limit`, never more than
    CHOICES); with nothing typed, the first ones by name."""
    limit = min(limit, CHOICES)
    conditions = [Supplier.name.ilike(_contains(w), escape="\\") for w in _words(query)]
    rows = db.session.execute(
        sa.select(Supplier.id, Supplier.name).where(*conditions).order_by(Supplier.name, Supplier.id).limit(limit)
    ).all()
    return [Choice(i, name) for i, name in rows]


def supplier_by_code(code: str) -> Choice | None:
    """The supplier whose name is exactly this text (any letter case)."""
    code = (code or "").strip()[:SEARCH_LENGTH]
    if not code:
        return None
    row = db.session.execute(
        sa.select(Supplier.id, Supplier.name).where(sa.func.lower(Supplier.name) == code.lower()).limit(1)
    ).first()
    return Choice(row.id, row.name) if row else None


def supplier_labels(supplier_ids: list[int | None]) -> dict[int, str]:
    """id -> name of these suppliers."""
    wanted = sorted({i for i in supplier_ids if i is not None})
    if not wanted:
        return {}
    return dict(db.session.execute(sa.select(Supplier.id, Supplier.name).where(Supplier.id.in_(wanted))).all())


def live_supplier_id(supplier_id: int) -> bool:
    """Whether a supplier has this id (suppliers are deleted outright, never archived)."""
    return db.session.get(Supplier, supplier_id) is not None
