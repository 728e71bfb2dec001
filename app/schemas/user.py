"""Accounts and tokens: input validation (limits from app/limits.py) and JSON output."""

from __future__ import annotations

from marshmallow import fields, validate

from app.limits import EMAIL_LENGTH, FULL_NAME_LENGTH, PASSWORD_LENGTH, TOKEN_LENGTH
from app.models import Role
from app.schemas.common import BodySchema, Flag, PageQuerySchema, Text, page_of

_roles = validate.OneOf([r.value for r in Role])


class UserSchema(BodySchema):
    id = fields.Integer()
    email = fields.String()
    full_name = fields.String()
    role = fields.String()
    is_active = fields.Boolean()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


UserPageSchema = page_of(UserSchema, "UserPageSchema")


class UserQuerySchema(PageQuerySchema):
    role = fields.String(validate=_roles)
    is_active = fields.Boolean()


class RegisterSchema(BodySchema):
    email = fields.Email(required=True, validate=validate.Length(max=EMAIL_LENGTH))
    # The service checks the minimum (its message names the rule); the document states it.
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(max=PASSWORD_LENGTH), metadata={"minLength": 8}
    )
    full_name = Text(required=True, validate=validate.Length(min=1, max=FULL_NAME_LENGTH))
    role = fields.String(load_default="staff", validate=_roles)


class UserPatchSchema(BodySchema):
    full_name = Text(validate=validate.Length(min=1, max=FULL_NAME_LENGTH))
    role = fields.String(validate=_roles)
    is_active = Flag()


class LoginSchema(BodySchema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=EMAIL_LENGTH))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=PASSWORD_LENGTH))


class RefreshSchema(BodySchema):
    refresh_token = fields.String(required=True, validate=validate.Length(min=1, max=TOKEN_LENGTH))


class AccessTokenSchema(BodySchema):
    access_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()


class TokenSchema(BodySchema):
    access_token = fields.String()
    refresh_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()
    user = fields.Nested(UserSchema)
