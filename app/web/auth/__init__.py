"""Log in and log out (Flask-Login session; rate-limited per address and per account)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from app.errors import AuthenticationRequired, ValidationFailed
from app.extensions import limiter
from app.services import users
from app.web.common import apply_error, is_safe_next

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Remember me on this device")


def _login_rate() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_key() -> str:
    return "web-login-account:" + request.form.get("email", "").strip().lower()


def _next_target() -> str:
    target = request.args.get("next") or request.form.get("next")
    return target if is_safe_next(target) else url_for("dashboard.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_rate, methods=["POST"])
@limiter.limit(_login_rate, methods=["POST"], key_func=_account_key)
def login():
    if current_user.is_authenticated:
        return redirect(_next_target())
    form = LoginForm()
    error = None
    status = 200
    if form.validate_on_submit():
        try:
            user = users.authenticate(form.email.data, form.password.data)
        except AuthenticationRequired as exc:
            error, status = exc.message, 401
        except ValidationFailed as exc:  # an email no database can hold (a NUL byte)
            apply_error(form, exc)
            status = 422
        else:
            login_user(user, remember=form.remember.data)
            return redirect(_next_target())
    return render_template("auth/login.html", form=form, error=error, next=request.args.get("next", "")), status


@bp.errorhandler(RateLimitExceeded)
def too_many_attempts(_exc):
    form = LoginForm()
    error = "Too many login attempts. Please wait a minute and try again."
    return render_template("auth/login.html", form=form, error=error, next=request.args.get("next", "")), 429


@bp.post("/logout")
def logout():
    logout_user()
    flash("You have been logged out.", "info")
    return redirect(url_for("auth.login"))
