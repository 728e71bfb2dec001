"""/api/v1/users: accounts, their role and active flag, and a user's activity (managers and admins)."""

from app.api.blueprint import Blueprint
from app.auth import current_actor
from app.permissions import Permission, require
from app.schemas.common import PageQuerySchema
from app.schemas.log import LogPageSchema
from app.schemas.user import UserPageSchema, UserPatchSchema, UserQuerySchema, UserSchema
from app.services import logs, users

bp = Blueprint("api_users", __name__, url_prefix="/api/v1/users", description="Accounts (managers and admins).")


@bp.get("")
@require(Permission.USERS_READ)
@bp.arguments(UserQuerySchema, location="query")
@bp.response(200, UserPageSchema)
def list_users(query: dict):
    return users.list_users(**query)


@bp.get("/<int:user_id>")
@require(Permission.USERS_READ)
@bp.response(200, UserSchema)
def get_user(user_id: int):
    return users.get_user(user_id)


@bp.patch("/<int:user_id>")
@require(Permission.USERS_MANAGE)
@bp.arguments(UserPatchSchema)
@bp.response(200, UserSchema)
def update_user(body: dict, user_id: int):
    """Change full_name, role or is_active."""
    return users.update_user(user_id, body, actor=current_actor())


@bp.get("/<int:user_id>/activity")
@require(Permission.USERS_READ)
@bp.arguments(PageQuerySchema, location="query")
@bp.response(200, LogPageSchema)
def user_activity(query: dict, user_id: int):
    """The ledger entries this user made, newest first."""
    users.get_user(user_id)
    return logs.list_logs(user_id=user_id, **query)
