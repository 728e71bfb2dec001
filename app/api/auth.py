"""/api/v1/auth: log in for a token pair, refresh it, see yourself, register accounts (managers)."""

from flask import current_app, request

from app.api.blueprint import Blueprint
from app.auth import current_actor, issue_tokens, refresh_access_token
from app.permissions import Permission, require
from app.schemas.user import AccessTokenSchema, LoginSchema, RefreshSchema, RegisterSchema, TokenSchema, UserSchema
from app.services import login_limits, users

bp = Blueprint("api_auth", __name__, url_prefix="/api/v1/auth", description="Log in, refresh tokens, register users.")


@bp.post("/login")
@bp.arguments(LoginSchema)
@bp.response(200, TokenSchema)
def login(body: dict):
    """Exchange an email and password for an access and a refresh token.

    Failed attempts are limited per account and address, shared with the login page (429).
    """
    user = login_limits.authenticate(body["email"], body["password"], request.remote_addr)
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
