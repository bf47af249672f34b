from marshmallow import Schema, fields, validate


class TokenRequestSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200),
                             load_only=True)
    totp = fields.String(validate=validate.Length(max=10), load_default=None)


class TokenSchema(Schema):
    token = fields.String(required=True)
    expires_in = fields.Integer(required=True)


class MeSchema(Schema):
    id = fields.UUID()
    username = fields.String()
    full_name = fields.String()
    role = fields.String()
    province_id = fields.UUID(allow_none=True)
    unit_id = fields.UUID(allow_none=True)
    totp_enabled = fields.Boolean()
    must_change_password = fields.Boolean()
