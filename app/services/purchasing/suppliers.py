"""Suppliers and their offers per item (SKU, pack size, price, minimum order; one preferred per item)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from marshmallow import ValidationError as MarshmallowError
from marshmallow import validate

from app.errors import DuplicateValue, InUse, NotFound, ValidationFailed
from app.extensions import db
from app.models import Item, PurchaseOrder, Supplier, SupplierOffer
from app.services.lookup import get_or_404, lock_or_404
from app.services.pagination import Page, paginate
from app.services.quantities import check_places
from app.services.stock import lock_item
from app.services.uow import locked, unit_of_work

SUPPLIER_FIELDS = ("name", "contact", "email", "phone", "lead_time_days", "notes")
OFFER_FIELDS = ("supplier_sku", "pack_size", "unit_price", "min_order_quantity", "preferred")


def list_suppliers(search: str | None = None) -> list[Supplier]:
    return list(db.session.execute(_suppliers(search)).scalars())


def page_suppliers(search: str | None = None, *, page: int = 1, per_page: int = 50) -> Page:
    """One page of the suppliers whose name holds `search`, by name."""
    query = _suppliers(search)
    count = sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    return paginate(query, count, page=page, per_page=per_page)


def _suppliers(search: str | None) -> sa.Select:
    query = sa.select(Supplier).order_by(sa.func.lower(Supplier.name), Supplier.id)
    if search:
        query = query.where(Supplier.name.ilike(f"%{search}%"))
    return query


def get_supplier(supplier_id: int) -> Supplier:
    """Raises NotFound."""
    return get_or_404(Supplier, supplier_id)


def create_supplier(data: dict[str, Any]) -> Supplier:
    """Raises DuplicateValue (name), ValidationFailed (email)."""
    _check_email(data.get("email"))
    with unit_of_work():
        _check_name_free(data["name"])
        supplier = Supplier(**{k: v for k, v in data.items() if k in SUPPLIER_FIELDS})
        supplier.lead_time_days = data.get("lead_time_days") or 0
        db.session.add(supplier)
        db.session.flush()
    return supplier


def update_supplier(supplier_id: int, changes: dict[str, Any]) -> Supplier:
    """Raises NotFound, DuplicateValue (name), ValidationFailed (email)."""
    _check_email(changes.get("email"))
    with unit_of_work():
        supplier = lock_or_404(Supplier, supplier_id)
        if "name" in changes and changes["name"].lower() != supplier.name.lower():
            _check_name_free(changes["name"], exclude_id=supplier.id)
        for name, value in changes.items():
            if name in SUPPLIER_FIELDS:
                setattr(supplier, name, value if name != "lead_time_days" else (value or 0))
    return supplier


def delete_supplier(supplier_id: int) -> None:
    """Remove a supplier and its offers. Raises NotFound, InUse (it has purchase orders)."""
    with unit_of_work():
        supplier = get_supplier(supplier_id)
        orders = db.session.scalar(
            sa.select(sa.func.count(PurchaseOrder.id)).where(PurchaseOrder.supplier_id == supplier.id)
        )
        if orders:
            raise InUse(f"{supplier.name} has {orders} purchase order(s) and stays for their history.", orders=orders)
        db.session.execute(sa.delete(SupplierOffer).where(SupplierOffer.supplier_id == supplier.id))
        db.session.delete(supplier)


_EMAIL = validate.Email()


def _check_email(email: str | None) -> None:
    """The one check of a supplier's address (orders are emailed to it), for the API and the pages alike."""
    if not email:
        return
    try:
        _EMAIL(email)
        if len(email.rpartition("@")[0]) > 64:  # RFC 5321's limit on the part before the @
            raise MarshmallowError("the part before the @ is over 64 characters")
    except MarshmallowError:
        raise ValidationFailed(
            f"{email!r} is not a valid email address.", fields={"email": ["Not a valid email address."]}
        ) from None


def _check_name_free(name: str, exclude_id: int | None = None) -> None:
    query = sa.select(Supplier.id).where(sa.func.lower(Supplier.name) == name.lower())
    if exclude_id is not None:
        query = query.where(Supplier.id != exclude_id)
    if db.session.execute(query).first() is not None:
        raise DuplicateValue(f"A supplier named {name!r} exists already.", fields={"name": ["Already in use."]})


def list_offers(item_id: int) -> list[SupplierOffer]:
    """An active item's offers, preferred first. Raises NotFound."""
    _active_item(item_id)
    return list(
        db.session.execute(
            sa.select(SupplierOffer)
            .join(Supplier, Supplier.id == SupplierOffer.supplier_id)
            .where(SupplierOffer.item_id == item_id)
            .order_by(SupplierOffer.preferred.desc(), sa.func.lower(Supplier.name))
        ).scalars()
    )


def add_offer(item_id: int, data: dict[str, Any]) -> SupplierOffer:
    """An item's first offer is preferred. Raises NotFound, DuplicateValue (supplier offers it already), ValidationFailed."""
    with unit_of_work():
        item = lock_item(item_id)  # serialises the "one preferred" rule per item
        supplier = db.session.get(Supplier, data["supplier_id"])
        if supplier is None:
            raise ValidationFailed(
                "Unknown supplier.", fields={"supplier_id": [f"Supplier {data['supplier_id']} does not exist."]}
            )
        existing = _offers_of(item_id)
        if any(offer.supplier_id == supplier.id for offer in existing):
            raise DuplicateValue(
                f"{supplier.name} already has an offer for {item.sku}; edit it instead.",
                fields={"supplier_id": ["Already offers this item."]},
            )
        offer = SupplierOffer(item_id=item_id, supplier_id=supplier.id, pack_size=1, min_order_quantity=0)
        offer.unit_price = Decimal("0")
        _set_offer(item, offer, {**data, "preferred": data.get("preferred", not existing)}, existing)
        db.session.add(offer)
        db.session.flush()
    return offer


def update_offer(item_id: int, supplier_id: int, changes: dict[str, Any]) -> SupplierOffer:
    """Raises NotFound, ValidationFailed."""
    with unit_of_work():
        item = lock_item(item_id)
        existing = _offers_of(item_id)
        offer = next((o for o in existing if o.supplier_id == supplier_id), None)
        if offer is None:
            raise NotFound(f"Supplier {supplier_id} has no offer for item {item_id}.")
        _set_offer(item, offer, changes, existing)
        db.session.flush()
    return offer


def delete_offer(item_id: int, supplier_id: int) -> None:
    """Raises NotFound."""
    with unit_of_work():
        lock_item(item_id)
        offer = next((o for o in _offers_of(item_id) if o.supplier_id == supplier_id), None)
        if offer is None:
            raise NotFound(f"Supplier {supplier_id} has no offer for item {item_id}.")
        db.session.delete(offer)


def preferred_offers(item_ids: list[int]) -> dict[int, SupplierOffer]:
    if not item_ids:
        return {}
    rows = db.session.execute(
        sa.select(SupplierOffer).where(SupplierOffer.item_id.in_(item_ids), SupplierOffer.preferred.is_(True))
    ).scalars()
    return {offer.item_id: offer for offer in rows}


def offer_of(item_id: int, supplier_id: int) -> SupplierOffer | None:
    return db.session.execute(
        sa.select(SupplierOffer).where(SupplierOffer.item_id == item_id, SupplierOffer.supplier_id == supplier_id)
    ).scalar_one_or_none()


def _set_offer(item: Item, offer: SupplierOffer, data: dict[str, Any], existing: list[SupplierOffer]) -> None:
    for name in ("pack_size", "min_order_quantity"):
        if data.get(name) is not None:
            check_places(item, data[name], name)
    for name in OFFER_FIELDS:
        if name in data and data[name] is not None:
            if name == "preferred" and data[name]:
                for other in existing:
                    if other is not offer and other.preferred:
                        other.preferred = False
                db.session.flush()  # the old preferred goes first: the partial unique index allows one
            setattr(offer, name, data[name])
    if "supplier_sku" in data and data["supplier_sku"] is None:
        offer.supplier_sku = None


def _offers_of(item_id: int) -> list[SupplierOffer]:
    return list(
        db.session.execute(
            locked(sa.select(SupplierOffer).where(SupplierOffer.item_id == item_id).order_by(SupplierOffer.id))
        ).scalars()
    )


def _active_item(item_id: int) -> Item:
    return get_or_404(Item, item_id, where=[Item.is_deleted.is_(False)])
