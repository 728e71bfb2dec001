"""Accounts: unique emails, password rules, who may change whom."""

from __future__ import annotations

import pytest

from app.errors import AuthenticationRequired, DuplicateValue, PermissionDenied, ValidationFailed
from app.services import users

pytestmark = pytest.mark.core


def test_email_is_unique_whatever_the_case(factory, ctx):
    factory.user("staff", email="pat@example.com")
    with pytest.raises(DuplicateValue):
        users.create_user(email="PAT@example.com", password="password123", full_name="Pat Again")


def test_short_password_is_refused_on_its_field(ctx):
    with pytest.raises(ValidationFailed) as refused:
        users.create_user(email="short@example.com", password="x", full_name="Short")
    assert list(refused.value.fields) == ["password"]


def test_manager_may_not_create_or_change_an_admin(factory, ctx):
    manager = factory.actor("manager")
    admin = factory.user("admin")
    with pytest.raises(PermissionDenied):
        users.create_user(
            email="boss@example.com", password="password123", full_name="Boss", role="admin", actor=manager
        )
    with pytest.raises(PermissionDenied):
        users.update_user(admin.id, {"full_name": "Renamed"}, actor=manager)
    assert users.get_user(admin.id).full_name == "Admin User"


def test_nobody_deactivates_themselves(factory, ctx):
    admin = factory.actor("admin")
    with pytest.raises(PermissionDenied):
        users.update_user(admin.id, {"is_active": False}, actor=admin)
    assert users.get_user(admin.id).is_active


def test_deactivated_user_can_no_longer_log_in(factory, ctx):
    manager = factory.actor("manager")
    staff = factory.user("staff", email="leaver@example.com")
    assert users.authenticate("leaver@example.com", "password123").id == staff.id
    users.update_user(staff.id, {"is_active": False}, actor=manager)
    with pytest.raises(AuthenticationRequired):
        users.authenticate("leaver@example.com", "password123")
