"""The JSON API under /api/v1: one flask-smorest Api, one error format, bearer-token auth."""
from functools import wraps

import marshmallow as ma
from flask_smorest import Api

from tinnhiem.platform.extensions import csrf


class ApiErrorSchema(ma.Schema):
    """The body of every API error (see platform.web.error_response)."""

    code = ma.fields.String(required=True, metadata={"description": "Stable error code"})
    message = ma.fields.String(required=True, metadata={"description": "For people"})
    status = ma.fields.Integer(required=True)
    field = ma.fields.String(metadata={"description": "The input at fault"})
    errors = ma.fields.Dict(metadata={"description": "Per-field validation messages"})
    rows = ma.fields.List(ma.fields.Dict(), metadata={
        "description": "An import's bad rows: {row: number as the sheet shows it, message}"})


class TinNhiemApi(Api):
    ERROR_SCHEMA = ApiErrorSchema

    def _register_error_handlers(self):
        """Errors are rendered by the web shell (platform.web), in one format for the API."""


def in_scope(load, param: str):
    """404 for an object outside the caller's scope before the body is even read, so a
    stranger learns nothing from validation errors. `load(session, id)` uses the scoped
    session."""
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            from tinnhiem.platform.db import db
            from tinnhiem.platform.web import found_or_404

            found_or_404(load(db.session, kwargs[param]))
            return view(*args, **kwargs)

        return wrapper

    return decorator


def document_responses(*mimetypes, description: str = "The document") -> dict:
    """OpenAPI: a 200 whose body is a file of one of `mimetypes`."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {"200": {"description": description,
                    "content": {mimetype: binary for mimetype in mimetypes}}}


def document_errors(blp, *statuses):
    """Document the error responses an operation may give, all in the one error format."""
    def decorator(view):
        for status in statuses:
            view = blp.alt_response(status, schema="Error")(view)
        return view

    return decorator


def register(app, *blueprints) -> TinNhiemApi:
    api = TinNhiemApi(app, spec_kwargs={"security": [{"bearerAuth": []}]})
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    for blueprint in blueprints:
        csrf.exempt(blueprint)  # the API authenticates by bearer token, never by cookie
        api.register_blueprint(blueprint, url_prefix=f"/api/v1{blueprint.url_prefix or ''}")
    return api
