"""Accounts: sign-in checks, creating and changing users."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from app import events
from app.errors import AuthenticationRequired, DuplicateValue, PermissionDenied, ValidationFailed
from app.extensions import db
from app.limits import MIN_PASSWORD_LENGTH
from app.models import Role, User
from app.permissions import Permission, can
from app.services.lookup import get_or_404, lock_or_404
from app.services.pagination import Page, paginate
from app.services.uow import unit_of_work

# Compared against when the address is unknown, so a miss costs as long as a hit.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def authenticate(email: str, password: str) -> User:
    """The active user with these credentials. Raises AuthenticationRequired."""
    user = find_by_email(email)
    if user is None:
        User(password_hash=_DUMMY_HASH).check_password(password)
        raise AuthenticationRequired("Wrong email or password.")
    if not user.check_password(password):
        raise AuthenticationRequired("Wrong email or password.")
    if not user.is_active:
        raise AuthenticationRequired("This account has been deactivated; ask a manager to reactivate it.")
    return user


def find_by_email(email: str) -> User | None:
    return db.session.execute(sa.select(User).where(User.email == User.normalize_email(email))).scalar_one_or_none()


def get_user(user_id: int) -> User:
    """Raises NotFound."""
    return get_or_404(User, user_id)


def list_users(*, page: int = 1, per_page: int = 50, role: str | None = None, is_active: bool | None = None) -> Page:
    conditions = []
    if role is not None:
        conditions.append(User.role == role)
    if is_active is not None:
        conditions.append(User.is_active.is_(is_active))
    return paginate(
        sa.select(User).where(*conditions).order_by(User.email),
        sa.select(sa.func.count(User.id)).where(*conditions),
        page=page,
        per_page=per_page,
    )


def create_user(
    *, email: str, password: str, full_name: str, role: str = Role.STAFF, actor: User | None = None
) -> User:
    """Create an account. Raises DuplicateValue, ValidationFailed, PermissionDenied (admin by non-admin)."""
    if role == Role.ADMIN and actor is not None and not can(actor, Permission.USERS_MANAGE_ADMINS):
        raise PermissionDenied("Only an admin may create an admin.", fields={"role": ["Admins only."]})
    _check_password(password)
    with unit_of_work():
        if find_by_email(email) is not None:
            raise DuplicateValue(
                f"A user with email {email!r} already exists.", fields={"email": ["Already registered."]}
            )
        user = User(email=User.normalize_email(email), full_name=full_name.strip(), role=str(role), is_active=True)
        user.set_password(password)
        db.session.add(user)
    return user


def update_user(user_id: int, changes: dict[str, Any], *, actor: User) -> User:
    """Change name, role or active flag.

    Raises NotFound, PermissionDenied (admins are changed only by admins; nobody
    demotes or deactivates themselves), ValidationFailed.
    """
    with unit_of_work():
        user = lock_or_404(User, user_id)
        touches_admin = user.role == Role.ADMIN or changes.get("role") == Role.ADMIN
        if touches_admin and not can(actor, Permission.USERS_MANAGE_ADMINS):
            raise PermissionDenied("Only an admin may change an admin or grant the admin role.")
        if user.id == actor.id and (changes.get("is_active") is False or changes.get("role", user.role) != user.role):
            raise PermissionDenied("You cannot deactivate yourself or change your own role.")
        if "password" in changes:
            _check_password(changes["password"])
            user.set_password(changes.pop("password"))
        access_before = (user.role, user.is_active)
        for name in ("full_name", "role", "is_active"):
            if name in changes:
                setattr(user, name, changes[name].strip() if name == "full_name" else changes[name])
        if (user.role, user.is_active) != access_before:
            # Live connections opened under the old role (or by a now inactive user) are closed.
            events.publish("user_access_changed", {"user_id": user.id, "role": user.role, "is_active": user.is_active})
    return user


def ensure_default_admin(email: str | None, password: str | None, name: str | None) -> User | None:
    """Create the configured admin when the users table is empty."""
    if not email or not password:
        return None
    if db.session.execute(sa.select(User.id).limit(1)).first() is not None:
        return None
    return create_user(email=email, password=password, full_name=name or "Administrator", role=Role.ADMIN)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            "The password is too short.",
            fields={"password": [f"Use at least {MIN_PASSWORD_LENGTH} characters."]},
        )
