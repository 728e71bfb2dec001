"""The login form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, Length

from app.limits import EMAIL_LENGTH, PASSWORD_LENGTH


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=EMAIL_LENGTH)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=PASSWORD_LENGTH)])
    remember = BooleanField("Remember me on this device")
    next = HiddenField()  # where to go after: the page's ?next= wins (the form's action carries it)
