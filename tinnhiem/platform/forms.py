"""Helpers shared by every HTML form: Vietnamese field types and one submit-handling loop."""
import datetime as dt

from flask import Response, flash, redirect, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, StringField
from wtforms.widgets import DateInput

from tinnhiem.platform.db import db
from tinnhiem.platform.errors import ServiceError


class ActionForm(FlaskForm):
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


def handle_form(form, template: str, on_valid, **context):
    """Validate, run `on_valid` (which calls a service and returns a response); the request's
    transaction is committed once the view answers (platform.request_transaction). A refused
    submission rolls back everything and shows the form again with 422."""
    if form.validate_on_submit():
        try:
            return on_valid()
        except ServiceError as error:
            db.session.rollback()  # the form is shown again as it was before the attempt
            attach_error(form, error)
    status = 422 if form.is_submitted() else 200
    return render_template(template, form=form, **context), status


def run_page_action(form, action, show_page, success: str, done_url: str,
                    conflict_statuses=(404, 409, 413)):
    """One action of a page: validate, call the service, flash and redirect (the request's
    transaction is committed once the view answers: platform.request_transaction).
    A refusal shows the page again (`show_page(status, form)`) with the message, rolled back:
    422, or the service's status when it is a conflict. An action may answer itself (a PDF)."""
    if not form.validate_on_submit():
        return show_page(422, form)
    try:
        result = action()
    except ServiceError as error:
        db.session.rollback()
        attach_error(form, error)
        return show_page(error.status if error.status in conflict_statuses else 422, form,
                         error)
    if isinstance(result, Response):
        return result
    flash(success, "success")
    return redirect(done_url)
