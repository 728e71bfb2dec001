"""Log in and log out (Flask-Login session; failed logins limited as on the API: app/services/login_limits.py)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from app.errors import TooManyAttempts, ValidationFailed
from app.services import login_limits
from app.web.auth.forms import LoginForm
from app.web.common import apply_error, attempt, is_safe_next

bp = Blueprint("auth", __name__)


def _next_target(form: LoginForm) -> str:
    target = request.args.get("next") or form.next.data
    return target if is_safe_next(target) else url_for("dashboard.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if current_user.is_authenticated:
        return redirect(_next_target(form))
    error, status, headers = None, 200, {}
    if form.validate_on_submit():
        signed_in = attempt(
            lambda: login_limits.authenticate(form.email.data, form.password.data, request.remote_addr), quiet=True
        )
        if signed_in.ok:
            login_user(signed_in.value, remember=form.remember.data)
            return redirect(_next_target(form))
        error, status = signed_in.error.message, 401
        if isinstance(signed_in.error, ValidationFailed):  # an email no database can hold (a NUL byte)
            apply_error(form, signed_in.error)
            error, status = None, 422
        elif isinstance(signed_in.error, TooManyAttempts):
            error, status = "Too many login attempts. Please wait a minute and try again.", 429
            headers["Retry-After"] = str(signed_in.error.extra["retry_after"])
    page = render_template("auth/login.html", form=form, error=error, next=request.args.get("next", ""))
    return page, status, headers


@bp.post("/logout")
def logout():
    logout_user()
    flash("You have been logged out.", "info")
    return redirect(url_for("auth.login"))
