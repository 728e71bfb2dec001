"""Requests: "my requests", the managers' approval queue, and a request's detail with its history."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from app.auth import current_actor
from app.errors import DomainError, InsufficientStock
from app.models import RequestState
from app.permissions import Permission, can, require
from app.services.requests import workflow as requests
from app.web.common import attempt, int_arg, page_links
from app.web.forms import checked
from app.web.requests.forms import DecideForm, RejectForm

bp = Blueprint("requests", __name__, url_prefix="/requests")

VIEWS = ("queue", "all", "mine")


@bp.get("")
@require(Permission.REQUESTS_SUBMIT)
def index():
    actor = current_actor()
    manager = can(actor, Permission.REQUESTS_READ_ALL)
    view = request.args.get("view") or ("queue" if manager else "mine")
    if view not in VIEWS or (not manager and view != "mine"):
        view = "mine"
    state = request.args.get("state") or None
    if state not in {s.value for s in RequestState}:
        state = None
    if view == "queue":
        state = RequestState.SUBMITTED.value
    page = requests.list_requests(
        actor,
        state=state,
        mine=view == "mine",
        order="asc" if view == "queue" else "desc",  # the queue: oldest first
        page=int_arg("page", 1, minimum=1),
        per_page=25,
    )
    described = requests.describe_all(page.items)
    return render_template(
        "requests/index.html",
        page=page,
        rows=described,
        view=view,
        state=state,
        states=[s.value for s in RequestState],
        manager=manager,
        links=page_links(page),
        form=DecideForm(),
    )


@bp.get("/<int:request_id>")
@require(Permission.REQUESTS_SUBMIT)
def detail(request_id: int):
    return _detail(request_id)


def _detail(request_id: int, reject_form: RejectForm | None = None, status: int = 200):
    actor = current_actor()
    req = requests.describe(requests.get_request(request_id, viewer=actor))
    return (
        render_template(
            "requests/detail.html",
            req=req,
            form=DecideForm(),
            reject_form=reject_form or RejectForm(),
            may_decide=can(actor, Permission.REQUESTS_DECIDE) and req.state == RequestState.SUBMITTED,
            may_cancel=req.author_id == actor.id and req.state == RequestState.SUBMITTED,
            may_fulfil=req.state == RequestState.APPROVED
            and (req.author_id == actor.id or can(actor, Permission.REQUESTS_DECIDE)),
        ),
        status,
    )


@bp.post("/<int:request_id>/approve")
@require(Permission.REQUESTS_DECIDE)
def approve(request_id: int):
    form = DecideForm()
    if checked(form) and attempt(lambda: requests.approve(request_id, actor=current_actor()), message=_refusal).ok:
        flash(f"Request #{request_id} approved: its stock has moved.", "success")
    if form.from_queue:  # approving from the queue returns to the queue
        return redirect(url_for("requests.index", view="queue"))
    return redirect(url_for("requests.detail", request_id=request_id))


def _refusal(exc: DomainError) -> str:
    """An approval refused for short stock names every short line."""
    if not isinstance(exc, InsufficientStock):
        return exc.message
    short = "; ".join(
        f"{s['sku']} at {s['location_name']}: {s['requested']} asked, {s['available']} available"
        for s in exc.extra.get("shortages", [])
    )
    return f"Not approved, nothing moved. Short lines: {short}."


@bp.post("/<int:request_id>/reject")
@require(Permission.REQUESTS_DECIDE)
def reject(request_id: int):
    form = RejectForm()
    if not form.validate():
        return _detail(request_id, form, 422)
    if attempt(lambda: requests.reject(request_id, actor=current_actor(), reason=form.reason.data)).ok:
        flash(f"Request #{request_id} rejected.", "success")
    return redirect(url_for("requests.detail", request_id=request_id))


@bp.post("/<int:request_id>/cancel")
@require(Permission.REQUESTS_SUBMIT)
def cancel(request_id: int):
    form = DecideForm()
    if checked(form) and attempt(lambda: requests.cancel(request_id, actor=current_actor(), note=form.note.data)).ok:
        flash(f"Request #{request_id} cancelled.", "success")
    return redirect(url_for("requests.detail", request_id=request_id))


@bp.post("/<int:request_id>/fulfil")
@require(Permission.REQUESTS_SUBMIT)
def fulfil(request_id: int):
    form = DecideForm()
    if checked(form) and attempt(lambda: requests.fulfil(request_id, actor=current_actor(), note=form.note.data)).ok:
        flash(f"Request #{request_id} marked fulfilled.", "success")
    return redirect(url_for("requests.detail", request_id=request_id))
