import datetime as dt

from marshmallow import Schema, fields, validate


class TokenRequestSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200),
                             load_only=True)
    totp = fields.String(validate=validate.Length(max=10), load_default=None)


class TokenSchema(Schema):
    token = fields.String(required=True)
    expires_in = fields.Integer(required=True)


class UtcDateTime(fields.DateTime):
    """Times are stored as naive UTC: say so on the wire."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return super()._serialize(value, attr, obj, **kwargs)


class SessionSchema(Schema):
    """A live sign-in session as its owner sees it."""

    id = fields.UUID(required=True)
    kind = fields.String(required=True, metadata={"description": "page or api"})
    device = fields.String(required=True, metadata={"description": "Browser and system, or"
                                                     " the start of the user agent"})
    created_at = UtcDateTime(required=True)
    last_seen_at = UtcDateTime(required=True, metadata={
        "description": "Up to a few minutes behind the last request"})
    expires_at = UtcDateTime(required=True)
    current = fields.Boolean(required=True, metadata={
        "description": "Whether it is the session making this request"})


class SessionsRevokedSchema(Schema):
    revoked = fields.Integer(required=True, metadata={"description": "Sessions ended"})


class MeSchema(Schema):
    id = fields.UUID()
    username = fields.String()
    full_name = fields.String()
    role = fields.String()
    province_id = fields.UUID(allow_none=True)
    unit_id = fields.UUID(allow_none=True)
    totp_enabled = fields.Boolean()
    must_change_password = fields.Boolean()
