from flask import current_app, request

from app.api.blueprint import Blueprint
from app.auth import current_actor, issue_tokens, refresh_access_token
from app.extensions import limiter
from app.permissions import Permission, require
from app.schemas.user import AccessTokenSchema, LoginSchema, RefreshSchema, RegisterSchema, TokenSchema, UserSchema
from app.services import users

bp = Blueprint("api_auth", __name__, url_prefix="/api/v1/auth", description="Log in, refresh tokens, register users.")


def blueprints() -> list[Blueprint]:
    return [bp]


def _login_rate() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _login_account_key() -> str:
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    return "login-account:" + (email.strip().lower() if isinstance(email, str) else "")


@bp.post("/login")
@limiter.limit(_login_rate)
@limiter.limit(_login_rate, key_func=_login_account_key)
@bp.arguments(LoginSchema)
@bp.response(200, TokenSchema)
def login(body: dict):
    """Exchange an email and password for an access and a refresh token."""
    user = users.authenticate(body["email"], body["password"])
    expires = current_app.config["JWT_ACCESS_TOKEN_EXPIRES"]
    return {**issue_tokens(user), "token_type": "bearer", "expires_in": int(expires.total_seconds()), "user": user}


@bp.post("/refresh")
@bp.arguments(RefreshSchema)
@bp.response(200, AccessTokenSchema)
def refresh(body: dict):
    """A new access token for a valid refresh token."""
    _user, token = refresh_access_token(body["refresh_token"])
    expires = current_app.config["JWT_ACCESS_TOKEN_EXPIRES"]
    return {"access_token": token, "token_type": "bearer", "expires_in": int(expires.total_seconds())}


@bp.get("/me")
@require(Permission.SELF)
@bp.response(200, UserSchema)
def me():
    """The signed-in user."""
    return current_actor()


@bp.post("/register")
@require(Permission.USERS_MANAGE)
@bp.arguments(RegisterSchema)
@bp.response(201, UserSchema)
def register(body: dict):
    """Create an account (manager or admin; only an admin may create an admin)."""
    return users.create_user(actor=current_actor(), **body)
