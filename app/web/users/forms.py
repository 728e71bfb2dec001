"""Forms of the accounts pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from app.limits import EMAIL_LENGTH, FULL_NAME_LENGTH, PASSWORD_LENGTH


class UserForm(FlaskForm):
    full_name = StringField("Full name", validators=[DataRequired(), Length(max=FULL_NAME_LENGTH)])
    email = EmailField(
        "Email",
        validators=[
            DataRequired(),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="Enter a valid email address."),
            Length(max=EMAIL_LENGTH),
        ],
    )
    password = PasswordField("Password", validators=[DataRequired(), Length(max=PASSWORD_LENGTH)])
    role = SelectField("Role")


class ChangeForm(FlaskForm):
    role = SelectField("Role", validate_choice=False)
