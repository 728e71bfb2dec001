"""Stock counts: the list (managers open counts), the counting page (tablet-first, scanning)
and the managers' review. Every rule lives in app/services/counts/counting.py; what a viewer may see
of the system quantities in app/services/counts/views.py."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from app.auth import current_actor
from app.errors import AlreadyCounted
from app.models import CountState
from app.models.base import utcnow
from app.permissions import Permission, can, require
from app.services import catalog, locations
from app.services.counts import counting as counts
from app.services.counts import lookups as count_lookups
from app.services.counts import views as count_views
from app.services.quantities import show
from app.web.common import attempt, int_arg, page_links
from app.web.counts.forms import ApproveForm, LineForm, OpenCountForm, RecountForm
from app.web.forms import EmptyForm, checked

bp = Blueprint("counts", __name__, url_prefix="/counts")


@bp.get("")
@require(Permission.COUNTS_COUNT)
def index():
    actor = current_actor()
    state = request.args.get("state") or None
    if state not in {s.value for s in CountState}:
        state = None
    page = count_lookups.list_counts(state=state, page=int_arg("page", 1, minimum=1), per_page=25)
    rows = [count_views.describe(c, actor, with_lines=False) for c in page.items]
    return render_template(
        "counts/index.html",
        rows=rows,
        page=page,
        links=page_links(page),
        state=state,
        states=[s.value for s in CountState],
        form=_open_form() if can(actor, Permission.COUNTS_MANAGE) else None,
    )


@bp.post("")
@require(Permission.COUNTS_MANAGE)
def open_count():
    form = _open_form()
    if form.validate():
        outcome = attempt(
            lambda: counts.open_count(
                location_id=form.location_id.data,
                category_id=form.category_id.data,
                item_ids=_narrowed_to(form),
                blind=form.blind.data,
                actor=current_actor(),
            ),
            form,
        )
        if outcome.ok:
            flash(f"Count #{outcome.value.id} opened: {len(outcome.value.lines)} line(s) to count.", "success")
            return redirect(url_for("counts.detail", count_id=outcome.value.id))
    page = count_lookups.list_counts(page=1, per_page=25)
    rows = [count_views.describe(c, current_actor(), with_lines=False) for c in page.items]
    return (
        render_template(
            "counts/index.html",
            rows=rows,
            page=page,
            links=page_links(page),
            state=None,
            states=[s.value for s in CountState],
            form=form,
        ),
        422,
    )


@bp.get("/<int:count_id>")
@require(Permission.COUNTS_COUNT)
def detail(count_id: int):
    form = LineForm(formdata=None)
    form.location_id.data = int_arg("location_id")
    return _detail(count_id, form)


@bp.get("/<int:count_id>/lines")
@require(Permission.COUNTS_COUNT)
def lines(count_id: int):
    """The lines table alone: the counting page reloads it when count_updated arrives."""
    view = count_views.describe(counts.get_count(count_id), current_actor())
    return render_template("counts/_lines.html", view=view)


@bp.post("/<int:count_id>/lines")
@require(Permission.COUNTS_COUNT)
def record(count_id: int):
    count = counts.get_count(count_id)
    form = _line_form(count)
    if not form.validate():
        return _detail(count_id, form, 422)
    outcome = attempt(
        lambda: counts.record_code(
            count_id,
            form.item.data,
            location_id=form.location_id.data,
            counted=form.counted.data,
            actor=current_actor(),
            mode=form.mode.data or None,
            lot=(form.lot.data or "").strip() or None,
        ),
        form,
    )
    if isinstance(outcome.error, AlreadyCounted):  # a duplicate is never counted silently: ask
        return _detail(count_id, form, 409, duplicate=outcome.error)
    if not outcome.ok:
        return _detail(count_id, form, outcome.status)
    flash(f"Counted: {show(outcome.value.counted)} of {form.item.data}.", "success")
    return redirect(url_for("counts.detail", count_id=count_id, location_id=form.location_id.data))


@bp.post("/<int:count_id>/submit")
@require(Permission.COUNTS_COUNT)
def submit(count_id: int):
    if checked(EmptyForm()) and attempt(lambda: counts.submit(count_id, actor=current_actor())).ok:
        flash(f"Count #{count_id} submitted for review.", "success")
    return redirect(url_for("counts.detail", count_id=count_id))


@bp.get("/<int:count_id>/review")
@require(Permission.COUNTS_MANAGE)
def review(count_id: int):
    view = count_views.describe(counts.get_count(count_id), current_actor())
    return render_template(
        "counts/review.html",
        view=view,
        groups=count_views.review_order(view),
        approve_form=ApproveForm(),
        form=EmptyForm(),
        rendered_at=utcnow().isoformat(),  # count_updated events up to now are already in the page
    )


@bp.post("/<int:count_id>/recount")
@require(Permission.COUNTS_MANAGE)
def recount(count_id: int):
    form = RecountForm()
    if checked(form):
        ids = form.line_ids.data or []
        if attempt(lambda: counts.recount(count_id, ids, actor=current_actor())).ok:
            flash(f"{len(ids)} line(s) sent back for a recount; the count is open again.", "success")
    return redirect(url_for("counts.review", count_id=count_id))


@bp.post("/<int:count_id>/approve")
@require(Permission.COUNTS_MANAGE)
def approve(count_id: int):
    form = ApproveForm()
    if checked(form):
        done = attempt(lambda: counts.approve(count_id, actor=current_actor(), zero_uncounted=form.zero_uncounted.data))
        if done.ok:
            flash(f"Count #{count_id} approved: the differences were adjusted.", "success")
    return redirect(url_for("counts.review", count_id=count_id))


@bp.post("/<int:count_id>/cancel")
@require(Permission.COUNTS_MANAGE)
def cancel(count_id: int):
    if checked(EmptyForm()) and attempt(lambda: counts.cancel(count_id, actor=current_actor())).ok:
        flash(f"Count #{count_id} cancelled; nothing changed.", "success")
    return redirect(url_for("counts.index"))


def _narrowed_to(form: OpenCountForm) -> list[int] | None:
    """The items a new count is narrowed to (the typed SKUs and the picked item), or None for all."""
    ids = count_lookups.item_ids_for_skus(form.skus.data) if form.skus.data else []
    if form.item_id.data is not None and form.item_id.data not in ids:
        ids.append(form.item_id.data)
    return ids or None


def _open_form() -> OpenCountForm:
    form = OpenCountForm()
    form.category_id.choices = [("", "Any category"), *catalog.category_names().items()]
    return form


def _line_form(count) -> LineForm:
    form = LineForm()
    form.location_id.within = count.location_id  # the picker offers the places the count covers
    return form


def _detail(count_id: int, form: LineForm, status: int = 200, duplicate: AlreadyCounted | None = None):
    actor = current_actor()
    count = counts.get_count(count_id)
    form.location_id.within = count.location_id
    if form.location_id.data is None:
        places = locations.matching_paths("", limit=2, holding_stock=True, within=count.location)
        form.location_id.data = places[0][0] if len(places) == 1 else None  # one place to count: chosen already
    view = count_views.describe(count, actor)
    return (
        render_template(
            "counts/detail.html",
            view=view,
            form=form,
            button_form=EmptyForm(),
            duplicate=duplicate,
            may_manage=can(actor, Permission.COUNTS_MANAGE),
        ),
        status,
    )
