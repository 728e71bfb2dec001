"""Each user's working cart: lines of (item, source location, quantity) to ask for.

A line may ask for more than the source holds: it is kept and flagged with what is
available, because stock may arrive before a manager approves the request.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.limits import MAX_QUANTITY, QUANTITY_MESSAGE
from app.models import Cart, CartLine, Item, Location, StockLevel, User
from app.models.base import utcnow
from app.services.locations import require_live_location
from app.services.lookup import not_found
from app.services.quantities import check_places
from app.services.uow import is_sqlite, locked, unit_of_work


@dataclass
class LineView:
    """A cart or request line with the names and the stock available at its source."""

    id: int
    item_id: int
    sku: str
    name: str
    unit: str
    location_id: int
    location_name: str
    quantity: int
    available: int
    item_active: bool

    @property
    def short(self) -> bool:
        return not self.item_active or self.quantity > self.available


@dataclass
class CartView:
    id: int | None
    lines: list[LineView]

    @property
    def line_count(self) -> int:
        return len(self.lines)

    @property
    def total_quantity(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def has_short_lines(self) -> bool:
        return any(line.short for line in self.lines)


def get_cart(user: User) -> CartView:
    """The user's cart with each line's availability (an empty view when none exists yet)."""
    cart = db.session.execute(sa.select(Cart).where(Cart.user_id == user.id)).scalar_one_or_none()
    if cart is None:
        return CartView(id=None, lines=[])
    return CartView(id=cart.id, lines=describe_lines(cart.lines))


def add_line(user: User, item_id: int, quantity: int, location_id: int | None = None) -> LineView:
    """Add units of an item from a location (the item's home by default); the same item and
    location again adds to the existing line. Raises ValidationFailed."""
    with unit_of_work():
        cart = _lock_cart(user, create=True)
        item = _active_item(item_id)
        check_places(item, quantity)
        location_id = location_id or item.location_id
        require_live_location(location_id, holds_stock=True)
        line = next((ln for ln in cart.lines if ln.item_id == item_id and ln.location_id == location_id), None)
        if line is None:
            line = CartLine(cart_id=cart.id, item_id=item_id, location_id=location_id, quantity=0)
            db.session.add(line)
            cart.lines.append(line)
        line.quantity = _bounded(line.quantity + quantity)
        cart.updated_at = utcnow()
        db.session.flush()
        line_id = line.id
    return get_line(user, line_id)


def update_line(user: User, line_id: int, *, quantity: int | None = None, location_id: int | None = None) -> LineView:
    """Change a line's quantity and/or source location. Raises NotFound, ValidationFailed."""
    with unit_of_work():
        cart = _lock_cart(user, create=False)
        line = _own_line(cart, line_id)
        if location_id is not None and location_id != line.location_id:
            require_live_location(location_id, holds_stock=True)
            twin = next((ln for ln in cart.lines if ln.item_id == line.item_id and ln.location_id == location_id), None)
            if twin is not None:
                # Moving onto a line that already exists merges the two.
                twin.quantity = _bounded(twin.quantity + (quantity if quantity is not None else line.quantity))
                cart.lines.remove(line)
                db.session.delete(line)
                line, quantity = twin, None
            else:
                line.location_id = location_id
        if quantity is not None:
            check_places(_active_item(line.item_id), quantity)
            line.quantity = _bounded(quantity)
        cart.updated_at = utcnow()
        db.session.flush()
        line_id = line.id
    return get_line(user, line_id)


def remove_line(user: User, line_id: int) -> None:
    """Take a line out of the cart. Raises NotFound."""
    with unit_of_work():
        cart = _lock_cart(user, create=False)
        line = _own_line(cart, line_id)
        cart.lines.remove(line)
        db.session.delete(line)
        cart.updated_at = utcnow()


def clear(user: User) -> None:
    """Empty the cart."""
    with unit_of_work():
        cart = db.session.execute(sa.select(Cart).where(Cart.user_id == user.id)).scalar_one_or_none()
        if cart is not None:
            db.session.execute(sa.delete(CartLine).where(CartLine.cart_id == cart.id))
            cart.updated_at = utcnow()


def get_line(user: User, line_id: int) -> LineView:
    """One line of the user's cart. Raises NotFound."""
    line = db.session.execute(
        sa.select(CartLine).join(Cart).where(CartLine.id == line_id, Cart.user_id == user.id)
    ).scalar_one_or_none()
    if line is None:
        raise not_found("Cart line", line_id)  # or another user's: the same answer
    return describe_lines([line])[0]


def describe_lines(lines: list) -> list[LineView]:
    """Cart or request lines with item and location names and the stock at each source."""
    if not lines:
        return []
    item_ids = {line.item_id for line in lines}
    location_ids = {line.location_id for line in lines}
    items = {item.id: item for item in db.session.scalars(sa.select(Item).where(Item.id.in_(item_ids)))}
    names = dict(db.session.execute(sa.select(Location.id, Location.path).where(Location.id.in_(location_ids))).all())
    levels = {
        (item_id, location_id): quantity
        for item_id, location_id, quantity in db.session.execute(
            sa.select(StockLevel.item_id, StockLevel.location_id, StockLevel.quantity).where(
                StockLevel.item_id.in_(item_ids), StockLevel.location_id.in_(location_ids)
            )
        )
    }
    return [
        LineView(
            id=line.id,
            item_id=line.item_id,
            sku=items[line.item_id].sku,
            name=items[line.item_id].name,
            unit=items[line.item_id].unit,
            location_id=line.location_id,
            location_name=names.get(line.location_id, f"#{line.location_id}"),
            quantity=line.quantity,
            available=levels.get((line.item_id, line.location_id), 0),
            item_active=not items[line.item_id].is_deleted,
        )
        for line in lines
    ]


def lock_cart(user: User) -> Cart | None:
    """Lock the user's cart row for the caller's transaction (None when there is no cart)."""
    return _lock_cart(user, create=False, missing_ok=True)


def _lock_cart(user: User, *, create: bool, missing_ok: bool = False) -> Cart | None:
    if is_sqlite():
        # SQLite ignores FOR UPDATE: a no-op write takes its database lock before we read.
        db.session.execute(sa.update(Cart).where(Cart.user_id == user.id).values(id=Cart.id))
    query = locked(sa.select(Cart).where(Cart.user_id == user.id))
    cart = db.session.execute(query).scalar_one_or_none()
    if cart is not None:
        return cart
    if not create:
        if missing_ok:
            return None
        raise NotFound("Your cart is empty.")
    try:
        with db.session.begin_nested():
            db.session.add(Cart(user_id=user.id))
    except IntegrityError:
        pass  # created a moment ago by a concurrent request of the same user
    return db.session.execute(query).scalar_one()


def _own_line(cart: Cart, line_id: int) -> CartLine:
    line = next((ln for ln in cart.lines if ln.id == line_id), None)
    if line is None:
        raise not_found("Cart line", line_id)
    return line


def _active_item(item_id: int) -> Item:
    item = db.session.get(Item, item_id)
    if item is None or item.is_deleted:
        raise ValidationFailed(
            "Unknown item.", fields={"item_id": [f"There is no item {item_id}: it may have been deleted."]}
        )
    return item


def _bounded(quantity: int) -> int:
    if quantity > MAX_QUANTITY:
        raise ValidationFailed("Too many units in one line.", fields={"quantity": [QUANTITY_MESSAGE]})
    return quantity
