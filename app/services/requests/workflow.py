"""Stock requests: a submitted cart that a manager approves (moving every line's stock
in one transaction) or rejects; its author may cancel it while it waits.

Life: submitted -> approved -> fulfilled, or submitted -> rejected | cancelled.
Approval is the stock movement: all lines move, each ledger row carrying the
request id, or nothing moves. Fulfilled only records the hand-over afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app import events
from app.errors import Conflict, InsufficientStock, InvalidState, NotFound, PermissionDenied, ValidationFailed
from app.extensions import db
from app.limits import REQUEST_NOTE_LENGTH
from app.models import (
    CartLine,
    LogAction,
    RequestKind,
    RequestState,
    StockRequest,
    StockRequestEvent,
    StockRequestLine,
    User,
)
from app.models.base import utcnow
from app.permissions import Permission, can
from app.services import locations, stock
from app.services.lookup import get_or_404, lock_or_404
from app.services.pagination import Page, paginate
from app.services.requests import carts
from app.services.requests.carts import LineView
from app.services.uow import unit_of_work


@dataclass
class RequestView:
    """A request with its lines described (names, availability) for pages and the API."""

    request: StockRequest
    lines: list[LineView]

    def __getattr__(self, name: str):
        return getattr(self.request, name)

    @property
    def short_lines(self) -> list[LineView]:
        return [line for line in self.lines if line.short] if self.request.state == RequestState.SUBMITTED else []


def submit(
    user: User,
    *,
    kind: str,
    destination_location_id: int | None = None,
    note: str | None = None,
    needed_by: date | None = None,
) -> StockRequest:
    """Turn the user's cart into a submitted request and empty the cart.
    Raises ValidationFailed, Conflict (empty cart)."""
    kind = RequestKind(kind)
    note = (note or "").strip() or None
    with unit_of_work():
        cart = carts.lock_cart(user)
        if cart is None or not cart.lines:
            raise Conflict("Your cart is empty: add lines before submitting.")
        _check_submission(kind, destination_location_id, needed_by, cart.lines)
        req = StockRequest(
            kind=kind.value,
            state=RequestState.SUBMITTED.value,
            author_id=user.id,
            destination_location_id=destination_location_id if kind == RequestKind.TRANSFER else None,
            note=note,
            needed_by=needed_by,
        )
        db.session.add(req)
        db.session.flush()
        for line in cart.lines:
            db.session.add(
                StockRequestLine(
                    request_id=req.id, item_id=line.item_id, location_id=line.location_id, quantity=line.quantity
                )
            )
        db.session.execute(sa.delete(CartLine).where(CartLine.cart_id == cart.id))
        _record(req, RequestState.SUBMITTED, user, note)
        events.publish("request_submitted", _payload(req, user))
    return _reload(req.id)


def approve(request_id: int, *, actor: User) -> StockRequest:
    """Move every line's stock (all or nothing) and mark the request approved.
    Raises NotFound, InvalidState, InsufficientStock (naming every short line), Conflict."""
    with unit_of_work():
        req = _lock_request(request_id)
        _expect(req, RequestState.SUBMITTED, "approve")
        destination = req.destination_location_id if req.kind == RequestKind.TRANSFER else None
        lines = [(line.item_id, line.location_id, destination, line.quantity) for line in req.lines]
        try:
            stock.apply_lines(
                lines, LogAction.WITHDRAW, actor=actor, note=f"Request #{req.id} ({req.kind})", stock_request_id=req.id
            )
        except InsufficientStock as exc:
            shortages = _named(exc.extra.get("shortages", []))
            raise InsufficientStock(
                f"Request #{req.id} cannot be approved: {len(shortages)} line(s) short; nothing was moved.",
                shortages=shortages,
            ) from exc
        except (NotFound, ValidationFailed) as exc:
            # A line's item was deleted or a location archived since submission.
            raise Conflict(f"Request #{req.id} cannot be applied: {exc.message}", fields=exc.fields) from exc
        _decide(req, RequestState.APPROVED, actor, None)
    return _reload(request_id)


def reject(request_id: int, *, actor: User, reason: str) -> StockRequest:
    """Refuse a submitted request; nothing moves. Raises NotFound, InvalidState, ValidationFailed."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            "Give a reason for the rejection.", fields={"reason": ["Say why the request is rejected."]}
        )
    with unit_of_work():
        req = _lock_request(request_id)
        _expect(req, RequestState.SUBMITTED, "reject")
        req.reason = reason[:REQUEST_NOTE_LENGTH]
        _decide(req, RequestState.REJECTED, actor, req.reason)
    return _reload(request_id)


def cancel(request_id: int, *, actor: User, note: str | None = None) -> StockRequest:
    """The author withdraws a request still waiting. Raises NotFound, PermissionDenied, InvalidState."""
    with unit_of_work():
        req = _lock_request(request_id)
        if req.author_id != actor.id:
            raise PermissionDenied("Only the author can cancel a request.")
        _expect(req, RequestState.SUBMITTED, "cancel")
        req.state = RequestState.CANCELLED.value
        _record(req, RequestState.CANCELLED, actor, (note or "").strip() or None)
        events.publish("request_cancelled", _payload(req, actor))
    return _reload(request_id)


def fulfil(request_id: int, *, actor: User, note: str | None = None) -> StockRequest:
    """Record that an approved request's goods were handed over (no stock change).
    Raises NotFound, PermissionDenied, InvalidState."""
    with unit_of_work():
        req = _lock_request(request_id)
        if req.author_id != actor.id and not can(actor, Permission.REQUESTS_DECIDE):
            raise PermissionDenied("Only the author or a manager can mark a request fulfilled.")
        _expect(req, RequestState.APPROVED, "mark fulfilled")
        req.state = RequestState.FULFILLED.value
        _record(req, RequestState.FULFILLED, actor, (note or "").strip() or None)
        events.publish("request_fulfilled", _payload(req, actor))
    return _reload(request_id)


def get_request(request_id: int, *, viewer: User) -> StockRequest:
    """A request its viewer may see (own, or any with REQUESTS_READ_ALL). Raises NotFound, PermissionDenied."""
    req = get_or_404(StockRequest, request_id, "Request")
    if req.author_id != viewer.id and not can(viewer, Permission.REQUESTS_READ_ALL):
        raise PermissionDenied("You can only see your own requests.")
    return req


def describe(req: StockRequest) -> RequestView:
    return RequestView(request=req, lines=carts.describe_lines(req.lines))


def describe_all(reqs: list[StockRequest]) -> list[RequestView]:
    """describe() of a page of requests, their lines described together (three statements for the
    page, not three per request)."""
    described = iter(carts.describe_lines([line for req in reqs for line in req.lines]))
    return [RequestView(request=req, lines=[next(described) for _line in req.lines]) for req in reqs]


def list_requests(
    viewer: User,
    *,
    state: str | None = None,
    kind: str | None = None,
    mine: bool = False,
    order: str = "desc",
    page: int = 1,
    per_page: int = 20,
) -> Page:
    """Requests newest first (or oldest first): a viewer without REQUESTS_READ_ALL sees only their own."""
    conditions = []
    if mine or not can(viewer, Permission.REQUESTS_READ_ALL):
        conditions.append(StockRequest.author_id == viewer.id)
    if state:
        conditions.append(StockRequest.state == state)
    if kind:
        conditions.append(StockRequest.kind == kind)
    direction = sa.asc if order == "asc" else sa.desc
    return paginate(
        sa.select(StockRequest)
        .options(selectinload(StockRequest.author), selectinload(StockRequest.destination))
        .where(*conditions)
        .order_by(direction(StockRequest.created_at), direction(StockRequest.id)),
        sa.select(sa.func.count(StockRequest.id)).where(*conditions),
        page=page,
        per_page=per_page,
    )


def _check_submission(kind: RequestKind, destination_id: int | None, needed_by: date | None, lines: list) -> None:
    fields: dict[str, list[str]] = {}
    if kind == RequestKind.TRANSFER:
        if destination_id is None:
            fields["destination_location_id"] = ["Required for a transfer."]
        else:
            destination = locations.live_location(destination_id)
            if destination is None:
                fields["destination_location_id"] = [f"Location {destination_id} does not exist."]
            elif destination.is_structural:
                fields["destination_location_id"] = [f"{destination.path} is structural and cannot hold stock."]
            elif any(line.location_id == destination_id for line in lines):
                fields["destination_location_id"] = ["Some lines already come from this location."]
    elif destination_id is not None:
        fields["destination_location_id"] = ["Only a transfer has a destination."]
    if needed_by is not None and needed_by < utcnow().date():
        fields["needed_by"] = ["Must not be in the past."]
    if fields:
        raise ValidationFailed("The request has invalid fields.", fields=fields)


def _lock_request(request_id: int) -> StockRequest:
    return lock_or_404(StockRequest, request_id, "Request", sqlite_lock=True)


def _expect(req: StockRequest, state: RequestState, verb: str) -> None:
    # Checked after the row lock, so a second approval (even a concurrent one) finds the first's result.
    if req.state != state:
        raise InvalidState(
            f"Request #{req.id} is {req.state}; only a {state.value} request can be asked to {verb}.",
            state=req.state,
        )


def _decide(req: StockRequest, state: RequestState, actor: User, note: str | None) -> None:
    req.state = state.value
    req.decided_by_id = actor.id
    req.decided_at = utcnow()
    _record(req, state, actor, note)
    events.publish("request_decided", _payload(req, actor))


def _record(req: StockRequest, state: RequestState, user: User, note: str | None) -> None:
    req.updated_at = utcnow()
    db.session.add(
        StockRequestEvent(request_id=req.id, user_id=user.id, state=state.value, note=note, created_at=utcnow())
    )
    db.session.flush()


def _payload(req: StockRequest, actor: User) -> dict:
    author = db.session.get(User, req.author_id)
    decided_by = db.session.get(User, req.decided_by_id) if req.decided_by_id else None
    return {
        "request_id": req.id,
        "kind": req.kind,
        "state": req.state,
        "author_id": req.author_id,
        "author_email": author.email if author else None,
        "decided_by": decided_by.email if decided_by else None,
        "decided_by_email": decided_by.email if decided_by else None,
        "actor_email": actor.email,
        "reason": req.reason,
        "line_count": db.session.scalar(
            sa.select(sa.func.count(StockRequestLine.id)).where(StockRequestLine.request_id == req.id)
        ),
        "destination_location_id": req.destination_location_id,
        "timestamp": req.updated_at.isoformat(),
    }


def _named(shortages: list[dict]) -> list[dict]:
    """Add item and location names to apply_lines' shortages, for people reading the answer."""
    views = carts.describe_lines(
        [
            SimpleNamespace(id=0, item_id=s["item_id"], location_id=s["location_id"], quantity=s["requested"])
            for s in shortages
        ]
    )
    return [
        {**s, "name": view.name, "unit": view.unit, "location_name": view.location_name}
        for s, view in zip(shortages, views, strict=True)
    ]


def _reload(request_id: int) -> StockRequest:
    req = db.session.get(StockRequest, request_id, populate_existing=True)
    assert req is not None
    return req
