"""Helpers shared by every HTML form: Vietnamese field types, one submit-handling loop, and
Post/Redirect/Get for a page's refused actions (the typed values and errors kept once)."""
import datetime as dt
import json
import re
import zlib

from flask import Response, flash, g, redirect, render_template, request, session
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import Field, FileField, FormField, PasswordField, StringField
from wtforms.csrf.core import CSRFTokenField
from wtforms.fields import FieldList
from wtforms.widgets import DateInput

from tinnhiem.platform.db import db
from tinnhiem.platform.errors import ServiceError


KEPT_KEY = "kept_form"
# The session is a signed cookie (4 KB at most, shared with the sign-in and the flashes):
# the typed values kept may take this many bytes compressed; longer ones are dropped.
KEPT_BYTES = 1500
KEPT_ROWS = 20  # rows of an import's problems brought back; the rest are counted
# Never kept, whatever form they come from: secrets, and the CSRF token.
SECRET_NAME = re.compile(r"password|secret|token|otp|totp", re.IGNORECASE)


def _walk(fields):
    """Every field of `fields`, and those inside its field lists and sub-forms."""
    for field in fields:
        yield field
        if isinstance(field, (FieldList, FormField)):
            yield from _walk(field)


def _messages(field) -> list[str]:
    """The field's own messages (a field list's also holds its entries' errors)."""
    return [str(message) for message in field.errors
            if not isinstance(message, (dict, list, tuple))]


def _kept_record() -> dict | None:
    """The refused submission kept for this page, taken out of the session by the first GET
    that builds a page form: the page redirected to (any other page drops it)."""
    if KEPT_KEY not in g:
        record = None
        if request.method == "GET" and KEPT_KEY in session:
            record = session.pop(KEPT_KEY)
            if not isinstance(record, dict) or record.get("path") != request.path:
                record = None
        setattr(g, KEPT_KEY, record)
    return getattr(g, KEPT_KEY)


def kept_input() -> MultiDict:
    """The values typed in the refused submission shown on this page (empty otherwise): for
    inputs a page draws outside its form class (a paper ballot's rows)."""
    record = _kept_record()
    return MultiDict(record["values"]) if record else MultiDict()


def kept_rows() -> tuple[list, int]:
    """(rows, how many more) of the refused submission's row-level problems (an import)."""
    record = _kept_record() or {}
    rows = [tuple(row) for row in record.get("rows") or []]
    return rows, record.get("more_rows", 0)


class PageForm(FlaskForm):
    """A form of a staff page. After a refused submission (keep_refused) the form built on
    the page the browser is sent back to shows the values typed and the errors again.
    `not_kept` names fields never kept (besides passwords, files and secret-looking names)."""

    not_kept: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        record = _kept_record()
        self.restored = bool(record and record["form"] == _form_key(self))
        if self.restored:
            values, dropped = MultiDict(record["values"]), set(record["dropped"])
            for field in self:  # a field list as a whole: it has the entries typed
                if field.name not in dropped and not isinstance(field, (CSRFTokenField,
                                                                       FileField)):
                    field.process(values)
            errors = record["errors"]
            for field in _walk(self):
                if field.name in errors:
                    field.errors = list(errors[field.name])


def _form_key(form) -> str:
    return f"{type(form).__name__}:{form._prefix}"


def _unkept(form, field) -> bool:
    return (isinstance(field, (PasswordField, FileField, CSRFTokenField))
            or field.short_name in getattr(form, "not_kept", ())
            or SECRET_NAME.search(field.name) is not None)


def _packed(values: dict) -> int:
    return len(zlib.compress(json.dumps(values).encode()))


def keep_refused(form, page_url: str, error: ServiceError | None = None):
    """Answer a refused submission with a 303 to the page (Post/Redirect/Get), keeping in the
    session, once, what the page needs to show it again: the errors next to their fields
    (others flashed) and the values typed, never a secret or a file. Reloading the page the
    browser lands on sends nothing again."""
    unkept = {field.name for field in _walk(form) if _unkept(form, field)}
    errors = {}
    for field in _walk(form):
        messages = _messages(field)
        if not messages:
            continue
        if isinstance(field, CSRFTokenField):  # not the user's input: said on top of the page
            for message in messages:
                flash(message, "danger")
        else:
            errors[field.name] = messages
    values = {key: request.form.getlist(key) for key in request.form
              if key not in unkept and not SECRET_NAME.search(key)}
    dropped = sorted(unkept)
    while values and _packed(values) > KEPT_BYTES:  # the longest go first
        longest = max(values, key=lambda key: len(json.dumps(values[key])))
        dropped.append(longest)
        del values[longest]
    rows = list(getattr(error, "rows", None) or [])
    session[KEPT_KEY] = {
        "path": page_url.split("?", 1)[0], "form": _form_key(form), "errors": errors,
        "values": [(key, value) for key, items in values.items() for value in items],
        "dropped": dropped, "rows": [list(row) for row in rows[:KEPT_ROWS]],
        "more_rows": max(len(rows) - KEPT_ROWS, 0)}
    return redirect(page_url, 303)


class ActionForm(PageForm):
    """A button that only needs the CSRF token."""


def whole_number(text: str, max_digits: int) -> int | None:
    """The number `text` writes in ASCII digits, or None: str.isdigit() alone also accepts
    "²", which int() refuses."""
    if text.isascii() and text.isdigit() and len(text) <= max_digits:
        return int(text)
    return None


class DateField(StringField):
    """An <input type=date> whose parse error is in Vietnamese (WTForms' is English)."""

    widget = DateInput()

    def process_formdata(self, valuelist):
        self.data = None
        raw = (valuelist[0] if valuelist else "").strip()
        if not raw:
            return
        try:
            self.data = dt.date.fromisoformat(raw)
        except ValueError:
            self.data = None
            raise ValueError(str(_l("Ngày không hợp lệ (định dạng năm-tháng-ngày)."))) from None

    def _value(self):
        return self.data.isoformat() if isinstance(self.data, dt.date) else (self.raw_data or [""])[0]


def attach_error(form, error: ServiceError) -> None:
    field: Field | None = getattr(form, error.field, None) if error.field else None
    if field is not None and isinstance(field, Field):
        field.errors = list(field.errors) + [str(error.message)]
    else:
        flash(str(error.message), "danger")


def handle_form(form, template: str, on_valid, *, redirect_refused=True, **context):
    """Validate, run `on_valid` (which calls a service and returns a response); the request's
    transaction is committed once the view answers (platform.request_transaction). A refused
    submission rolls back everything and goes back to the form (keep_refused). Forms of
    passwords and second factors pass redirect_refused=False: shown again at once, with 422,
    so that nothing they hold passes through the session."""
    error = None
    if form.validate_on_submit():
        try:
            return on_valid()
        except ServiceError as refused:
            db.session.rollback()  # the form is shown again as it was before the attempt
            attach_error(form, error := refused)
    if not form.is_submitted():
        return render_template(template, form=form, **context)
    if redirect_refused:
        return keep_refused(form, request.full_path.rstrip("?"), error)
    return render_template(template, form=form, **context), 422


def run_page_action(form, action, success: str, page_url: str, done_url: str | None = None):
    """One action of a page: validate, call the service, flash and redirect to `done_url`
    (default the page; the request's transaction is committed once the view answers:
    platform.request_transaction). An action may answer itself (a PDF, its own redirect).
    A refusal is rolled back and sent back to the page with its messages (keep_refused)."""
    if not form.validate_on_submit():
        return keep_refused(form, page_url)
    try:
        result = action()
    except ServiceError as error:
        db.session.rollback()
        attach_error(form, error)
        return keep_refused(form, page_url, error)
    if isinstance(result, Response):
        return result
    flash(success, "success")
    return redirect(done_url or page_url)
