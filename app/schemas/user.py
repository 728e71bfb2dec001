from __future__ import annotations

from marshmallow import fields, validate

from app.models import Role
from app.schemas.common import BodySchema, PageQuerySchema, Text, page_of

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
    email = fields.Email(required=True, validate=validate.Length(max=254))
    # The service checks the minimum (its message names the rule); the document states it.
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(max=256), metadata={"minLength": 8}
    )
    full_name = Text(required=True, validate=validate.Length(min=1, max=120))
    role = fields.String(load_default="staff", validate=_roles)


class UserPatchSchema(BodySchema):
    full_name = Text(validate=validate.Length(min=1, max=120))
    role = fields.String(validate=_roles)
    is_active = fields.Boolean()


class LoginSchema(BodySchema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=256))


class RefreshSchema(BodySchema):
    refresh_token = fields.String(required=True, validate=validate.Length(min=1, max=4096))


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
