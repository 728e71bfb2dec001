"""Backups (managers): the recorded backups and how old the newest one is."""

from __future__ import annotations

from flask import Blueprint, render_template

from app.permissions import Permission, require
from app.services import backups

bp = Blueprint("backups", __name__)


@bp.get("/backups")
@require(Permission.ALERTS_READ)
def index():
    return render_template("backups/index.html", backups=backups.list_backups(), age=backups.newest_age())
