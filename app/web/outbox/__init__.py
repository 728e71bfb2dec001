"""The email outbox (admins): every email handed to SendGrid, or kept here when no API key is set."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from app.permissions import Permission, require
from app.services import mailer

bp = Blueprint("outbox", __name__)


@bp.get("/outbox")
@require(Permission.USERS_MANAGE_ADMINS)
def index():
    return render_template(
        "outbox/index.html", emails=mailer.list_emails(), live=bool(current_app.config.get("SENDGRID_API_KEY"))
    )
