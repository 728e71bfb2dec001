"""Test data made through the real services, plus tokens for each role."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Flask


class Factory:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self._n = 0

    def _next(self) -> int:
        self._n += 1
        return self._n

    def user(
        self, role: str = "staff", *, email: str | None = None, password: str = "password123", active: bool = True
    ):
        from app.extensions import db
        from app.services import users

        with self.app.app_context():
            user = users.create_user(
                email=email or f"{role}{self._next()}@example.com",
                password=password,
                full_name=f"{role.title()} User",
                role=role,
            )
            if not active:
                user.is_active = False
                db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    def actor(self, role: str = "staff", **fields: Any):
        """A new user loaded into the current session, to pass as a service's `actor` (needs an
        app context: the ctx fixture)."""
        return as_actor(self.user(role, **fields))

    def token(self, user) -> str:
        from app.auth import issue_tokens
        from app.extensions import db
        from app.models import User

        with self.app.test_request_context():
            return issue_tokens(db.session.get(User, user.id))["access_token"]

    def headers(self, role: str = "staff", user=None) -> dict[str, str]:
        user = user or self.user(role)
        return {"Authorization": f"Bearer {self.token(user)}"}

    def location(self, name: str | None = None, **extra: Any):
        from app.services import locations

        with self.app.app_context():
            return _detach(locations.create_location({"name": name or f"Location {self._next()}", **extra}))

    def category(self, name: str | None = None, **extra: Any):
        from app.services import catalog

        with self.app.app_context():
            return _detach(catalog.create_category({"name": name or f"Category {self._next()}", **extra}))

    def item(self, *, quantity: int = 0, actor=None, location=None, **fields: Any):
        from app.extensions import db
        from app.models import User
        from app.services import items

        location = location or self.location()
        actor = actor or self.user("manager")
        n = self._next()
        data = {
            "sku": f"SKU-{n:05d}",
            "name": f"Widget {n}",
            "location_id": location.id,
            "unit": "pcs",
            "price": Decimal("2.50"),
            "low_stock_threshold": 0,
            "quantity": quantity,
            **fields,
        }
        with self.app.app_context():
            return _detach(items.create_item(data, actor=db.session.get(User, actor.id)))

    def shelf(self) -> dict[str, Any]:
        """A counting shelf: "Site / Shelf A" (the site structural), with 10 hex bolts (BOLT-1, in
        a category) and 4 wing nuts (NUT-1) on it."""
        site = self.location("Site", is_structural=True)
        shelf = self.location("Shelf A", parent_id=site.id)
        category = self.category()
        bolts = self.item(quantity=10, location=shelf, name="Hex bolt", sku="BOLT-1", category_id=category.id)
        nuts = self.item(quantity=4, location=shelf, name="Wing nut", sku="NUT-1")
        return {"site": site, "shelf": shelf, "category": category, "bolts": bolts, "nuts": nuts}


def as_actor(user):
    """A factory's (detached) user loaded into the current session: what services take as `actor`.
    Needs an app context (the ctx fixture, or a call race() runs with the app)."""
    from app.extensions import db
    from app.models import User

    return db.session.get(User, user.id)


def _detach(obj):
    from app.extensions import db

    db.session.refresh(obj)
    db.session.expunge(obj)
    return obj
