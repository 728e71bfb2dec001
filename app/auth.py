"""Who is calling: a bearer access token (API clients) or the Flask-Login session (pages)."""

from __future__ import annotations

import time

from flask import Flask, current_app, g, request
from flask_jwt_extended import (
    create_access_token,
    create_refresh_token,
    decode_token,
    get_jwt,
    get_jwt_identity,
    verify_jwt_in_request,
)
from flask_jwt_extended.exceptions import JWTExtendedException
from flask_login import current_user
from jwt import ExpiredSignatureError, PyJWTError

from app.errors import AuthenticationRequired
from app.extensions import csrf, db, jwt, login_manager
from app.models.user import User

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Access tokens this process has verified: (secret, token) -> (user id, expiry). Checking a
# signature and parsing the token twice cost more CPU than a movement's SQL; the answer for
# the same bytes and secret never changes, except by expiry, which is checked on every use.
# Only the token is remembered: the caller is loaded on every request, so a deactivated user
# is refused at once in every process.
_VERIFIED: dict[tuple[str, str], tuple[str, float]] = {}
_VERIFIED_MAX = 4096


def _load_user(user_id: str | int | None) -> User | None:
    try:
        user = db.session.get(User, int(user_id)) if user_id is not None else None
    except (TypeError, ValueError):
        return None
    return user if user is not None and user.is_active else None


def current_actor() -> User:
    """The authenticated, active user of this request, or AuthenticationRequired."""
    if "actor" in g:
        return g.actor
    if request.headers.get("Authorization"):
        user = _load_user(_access_token_identity(request.headers["Authorization"]))
        if user is None:
            raise AuthenticationRequired("This account does not exist or has been deactivated.")
    elif current_user.is_authenticated:
        user = current_user._get_current_object()
        if request.method not in SAFE_METHODS:
            # Cookie-authenticated writes must prove they come from our own pages.
            csrf.protect()
    else:
        raise AuthenticationRequired("Log in first: send 'Authorization: Bearer <access token>'.")
    g.actor = user
    return user


def _access_token_identity(header: str) -> str | None:
    """The user id of a valid access token; a verified token is remembered until it expires."""
    key = (current_app.config["JWT_SECRET_KEY"], header)
    known = _VERIFIED.get(key)
    if known is not None and known[1] > time.time():
        return known[0]
    try:
        verify_jwt_in_request()
    except ExpiredSignatureError as exc:
        _VERIFIED.pop(key, None)
        raise AuthenticationRequired("The access token has expired; refresh it or log in again.") from exc
    except (JWTExtendedException, PyJWTError) as exc:
        raise AuthenticationRequired(f"Invalid access token: {exc}") from exc
    identity, expires = get_jwt_identity(), get_jwt().get("exp")
    if expires is not None:
        if len(_VERIFIED) >= _VERIFIED_MAX:
            _VERIFIED.clear()
        _VERIFIED[key] = (identity, float(expires))
    return identity


def issue_tokens(user: User) -> dict:
    return {
        "access_token": create_access_token(identity=str(user.id), additional_claims={"role": user.role}),
        "refresh_token": create_refresh_token(identity=str(user.id)),
    }


def refresh_access_token(refresh_token: str) -> tuple[User, str]:
    try:
        claims = decode_token(refresh_token)
    except ExpiredSignatureError as exc:
        raise AuthenticationRequired("The refresh token has expired; log in again.") from exc
    except (JWTExtendedException, PyJWTError) as exc:
        raise AuthenticationRequired("Invalid refresh token.") from exc
    if claims.get("type") != "refresh":
        raise AuthenticationRequired("That is not a refresh token.")
    user = _load_user(claims.get("sub"))
    if user is None:
        raise AuthenticationRequired("This account does not exist or has been deactivated.")
    return user, create_access_token(identity=str(user.id), additional_claims={"role": user.role})


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load_user)
    jwt.init_app(app)
