"""What the API accepts and returns for unit types, units and accounts."""
from marshmallow import Schema, fields, validate

from tinnhiem.platform.auth.roles import Role

CODE = validate.Length(min=1, max=40)


class UnitTypeSchema(Schema):
    id = fields.UUID(dump_only=True)
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))


class UnitSchema(Schema):
    id = fields.UUID(dump_only=True)
    province_id = fields.UUID(dump_only=True)
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=255))
    type_id = fields.UUID(required=True)
    type = fields.Nested(UnitTypeSchema, dump_only=True)
    parent_id = fields.UUID(allow_none=True, load_default=None)
    valid_from = fields.Date(required=True)
    valid_to = fields.Date(allow_none=True, load_default=None)
    predecessor_ids = fields.List(fields.UUID(), load_default=list)


class UnitUpdateSchema(Schema):
    """Any subset of a unit's fields; the rest keep their value."""

    code = fields.String(validate=CODE)
    name = fields.String(validate=validate.Length(min=1, max=255))
    type_id = fields.UUID()
    parent_id = fields.UUID(allow_none=True)
    valid_from = fields.Date()
    valid_to = fields.Date(allow_none=True)
    predecessor_ids = fields.List(fields.UUID())


class AccountSchema(Schema):
    id = fields.UUID(dump_only=True)
    username = fields.String(required=True, validate=validate.Length(min=3, max=80))
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    role = fields.String(required=True, validate=validate.OneOf([r.value for r in Role]))
    unit_id = fields.UUID(allow_none=True, load_default=None)
    province_id = fields.UUID(dump_only=True, allow_none=True)
    active = fields.Boolean(dump_only=True)
    must_change_password = fields.Boolean(dump_only=True)
    totp_enabled = fields.Boolean(dump_only=True)
    password = fields.String(load_only=True, validate=validate.Length(max=200),
                             load_default=None, allow_none=True)


class AccountCreatedSchema(AccountSchema):
    generated_password = fields.String(
        dump_only=True, allow_none=True,
        metadata={"description": "Shown once, when no password was given."},
    )


class AccountUpdateSchema(Schema):
    full_name = fields.String(validate=validate.Length(min=1, max=200))
    role = fields.String(validate=validate.OneOf([r.value for r in Role]))
    unit_id = fields.UUID(allow_none=True)
    active = fields.Boolean()


class PasswordResetSchema(Schema):
    temporary_password = fields.String(required=True)
