"""Who is calling: a bearer access token (API clients) or the Flask-Login session (pages)."""

from __future__ import annotations

from flask import Flask, g, request
from flask_jwt_extended import (
    create_access_token,
    create_refresh_token,
    decode_token,
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
        try:
            verify_jwt_in_request()
        except ExpiredSignatureError as exc:
            raise AuthenticationRequired("The access token has expired; refresh it or log in again.") from exc
        except (JWTExtendedException, PyJWTError) as exc:
            raise AuthenticationRequired(f"Invalid access token: {exc}") from exc
        user = _load_user(get_jwt_identity())
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
