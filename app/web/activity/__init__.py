"""Every ledger entry, with filters (managers)."""

from __future__ import annotations

from datetime import UTC, datetime, time

from flask import Blueprint, render_template, request

from app.models import LogAction
from app.permissions import Permission, require
from app.services import logs, users
from app.web.common import int_arg, page_links

bp = Blueprint("activity", __name__, url_prefix="/activity")


def _day(name: str, end: bool = False) -> datetime | None:
    try:
        day = datetime.strptime(request.args.get(name, ""), "%Y-%m-%d").date()
    except ValueError:
        return None
    return datetime.combine(day, time.max if end else time.min, tzinfo=UTC)


@bp.get("")
@require(Permission.LOGS_READ_ALL)
def index():
    action = request.args.get("action") or None
    state = {
        "user": int_arg("user", minimum=1),
        "item": int_arg("item", minimum=1),
        "action": action if action in set(LogAction) else None,
        "since": request.args.get("since", "") if _day("since") else "",
        "until": request.args.get("until", "") if _day("until") else "",
        "request": request.args.get("request", "").strip()[:64] or None,  # e.g. import-12
    }
    page = logs.list_logs(
        page=int_arg("page", 1, minimum=1),
        per_page=50,
        user_id=state["user"],
        item_id=state["item"],
        action=state["action"],
        since=_day("since"),
        until=_day("until", end=True),
        request_id=state["request"],
    )
    return render_template(
        "activity/index.html",
        page=page,
        state=state,
        links=page_links(page),
        labels=logs.labels_for(page.items),
        people=users.list_users(per_page=500).items,
        actions=[a.value for a in LogAction],
        args={k: v for k, v in state.items() if v},
        export_range={k: state[n] for k, n in (("from", "since"), ("to", "until")) if state[n]},
    )
