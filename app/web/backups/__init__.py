"""Backups (managers): the recorded backups and how old the newest one is; "Back up now" (admins)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from app import jobs
from app.permissions import Permission, require
from app.services import backups
from app.web.forms import EmptyForm

bp = Blueprint("backups", __name__)


@bp.get("/backups")
@require(Permission.ALERTS_READ)
def index():
    return render_template(
        "backups/index.html",
        backups=backups.list_backups(),
        age=backups.newest_age(),
        newest=backups.newest_success(),
        form=EmptyForm(),
        started=request.args.get("started") == "1",
    )


@bp.post("/backups/run")
@require(Permission.BACKUPS_RUN)
def run():
    form = EmptyForm()
    if not form.validate_on_submit():
        flash("The form expired; press “Back up now” again.", "error")
        return redirect(url_for("backups.index"))
    if not jobs.start(jobs.RUN_BACKUP):
        flash("The backup could not start: the job queue is not reachable. Try again in a minute.", "error")
        return redirect(url_for("backups.index"))
    return redirect(url_for("backups.index", started=1))
