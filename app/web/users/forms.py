"""Forms of the accounts pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, Length, Regexp

from app.limits import EMAIL_LENGTH, EMAIL_PATTERN, FULL_NAME_LENGTH, PASSWORD_LENGTH
from app.models import Role


class UserForm(FlaskForm):
    full_name = StringField("Full name", validators=[DataRequired(), Length(max=FULL_NAME_LENGTH)])
    email = EmailField(
        "Email",
        validators=[
            DataRequired(),
            Regexp(EMAIL_PATTERN, message="Enter a valid email address."),
            Length(max=EMAIL_LENGTH),
        ],
    )
    password = PasswordField("Password", validators=[DataRequired(), Length(max=PASSWORD_LENGTH)])
    role = SelectField("Role")


class ChangeForm(FlaskForm):
    """A change made from the list or from a user's page (whose path `back` carries)."""

    back = HiddenField()

    def back_path(self) -> str | None:
        """Where to return: a users page only, never elsewhere."""
        return self.back.data if (self.back.data or "").startswith("/users") else None


class RoleForm(ChangeForm):
    role = SelectField(
        "Role", validate_choice=False, validators=[AnyOf([r.value for r in Role], message="Choose a valid role.")]
    )


class ActiveForm(ChangeForm):
    """Activate (active=1) or deactivate; deactivating asks first, then comes back `confirmed`."""

    active = HiddenField()
    confirmed = HiddenField()

    @property
    def activating(self) -> bool:
        return self.active.data == "1"

    @property
    def asked(self) -> bool:
        return self.activating or self.confirmed.data == "1"
