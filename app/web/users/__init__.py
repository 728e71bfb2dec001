"""Accounts (managers): list, create, change role, activate/deactivate, a user's activity."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for

from app.auth import current_actor
from app.models import Role
from app.permissions import Permission, can, require
from app.services import logs, users
from app.web.common import attempt, int_arg, page_links
from app.web.forms import EmptyForm, checked
from app.web.users.forms import ActiveForm, ChangeForm, RoleForm, UserForm

bp = Blueprint("users", __name__, url_prefix="/users")


def role_choices() -> list[tuple[str, str]]:
    roles = [Role.STAFF, Role.MANAGER] + ([Role.ADMIN] if can(current_actor(), Permission.USERS_MANAGE_ADMINS) else [])
    return [(r.value, r.value.title()) for r in roles]


def _render(form: UserForm, status: int = 200):
    page = users.list_users(page=int_arg("page", 1, minimum=1), per_page=50)
    return (
        render_template(
            "users/index.html", page=page, links=page_links(page), form=form, change=EmptyForm(), roles=role_choices()
        ),
        status,
    )


@bp.get("")
@require(Permission.USERS_READ)
def index():
    form = UserForm(formdata=None)
    form.role.choices = role_choices()
    return _render(form)


@bp.post("")
@require(Permission.USERS_MANAGE)
def create():
    form = UserForm()
    form.role.choices = role_choices()
    if form.validate():
        created = attempt(
            lambda: users.create_user(
                email=form.email.data,
                password=form.password.data,
                full_name=form.full_name.data,
                role=form.role.data,
                actor=current_actor(),
            ),
            form,
        )
        if created.ok:
            flash(f"Created {created.value.role} {created.value.email}.", "success")
            return redirect(url_for("users.index"))
    return _render(form, 422)


def _change(user_id: int, form: ChangeForm, changes: dict, done: str):
    users.get_user(user_id)  # a missing account is a 404 page
    changed = attempt(lambda: users.update_user(user_id, changes, actor=current_actor()))
    if changed.ok:
        flash(done.format(user=changed.value), "success")
    return redirect(form.back_path() or url_for("users.index"))


@bp.post("/<int:user_id>/role")
@require(Permission.USERS_MANAGE)
def change_role(user_id: int):
    form = RoleForm()
    if not checked(form):
        return redirect(url_for("users.index"))
    return _change(user_id, form, {"role": form.role.data}, "{user.email} is now " + form.role.data + ".")


@bp.post("/<int:user_id>/active")
@require(Permission.USERS_MANAGE)
def set_active(user_id: int):
    form = ActiveForm()
    if not form.asked:
        # Deactivating signs the person out everywhere: ask first, on a page of its own.
        user = users.get_user(user_id)
        back = form.back_path() or url_for("users.index")
        return render_template("users/deactivate.html", user=user, change=EmptyForm(), back=back)
    done = "{user.email} " + ("reactivated." if form.activating else "deactivated.")
    return _change(user_id, form, {"is_active": form.activating}, done)


@bp.get("/<int:user_id>")
@require(Permission.USERS_READ)
def detail(user_id: int):
    user = users.get_user(user_id)
    page = logs.list_logs(user_id=user_id, page=int_arg("page", 1, minimum=1), per_page=50)
    return render_template(
        "users/detail.html",
        user=user,
        page=page,
        links=page_links(page),
        labels=logs.labels_for(page.items),
        change=EmptyForm(),
        roles=role_choices(),
    )
