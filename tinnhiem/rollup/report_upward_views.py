"""The report upward's page: the province admin types the letterhead (number, recipients,
who signs, place and date) and downloads the report as PDF or DOCX. Its routes are on the
roll-up's blueprint."""
from flask import request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import StringField, TextAreaField

from tinnhiem.platform.auth.access import require_roles
from tinnhiem.platform.db import db
from tinnhiem.platform.forms import DateField, PageForm, handle_form
from tinnhiem.platform.web import document_response
from tinnhiem.rollup.access import round_or_404
from tinnhiem.rollup.report_upward import FIELD_LIMITS, MAX_RECIPIENTS
from tinnhiem.rollup.report_upward_files import (CALLERS, ensure_producer, produce,
                                                 province_defaults)
from tinnhiem.rollup.blueprint import bp

LETTERHEAD = ("number", "recipients", "authority", "signer_title", "signer_name", "place",
              "issued_on")


class ReportUpwardForm(PageForm):
    """The rules (required, lengths, characters) are the service's (report_upward.letterhead),
    shown next to the field they name; the sizes here only shape the inputs."""
    number = StringField(_l("Số văn bản (ví dụ 12-BC/TU)"),
                         render_kw={"maxlength": FIELD_LIMITS["number"]})
    recipients = TextAreaField(_l("Nơi nhận (mỗi dòng một nơi, tối đa %(n)d)", n=MAX_RECIPIENTS),
                               render_kw={"rows": 5})
    authority = StringField(_l("Thẩm quyền ký (ví dụ T/M BAN THƯỜNG VỤ)"),
                            render_kw={"maxlength": FIELD_LIMITS["authority"]})
    signer_title = StringField(_l("Chức vụ người ký"),
                               render_kw={"maxlength": FIELD_LIMITS["signer_title"]})
    signer_name = StringField(_l("Họ và tên người ký"),
                              render_kw={"maxlength": FIELD_LIMITS["signer_name"]})
    place = StringField(_l("Địa danh"), render_kw={"maxlength": FIELD_LIMITS["place"]})
    issued_on = DateField(_l("Ngày ban hành"))
    format = StringField()  # the button pressed: pdf or docx

    def letterhead_values(self) -> dict:
        return {name: self[name].data for name in LETTERHEAD}


@bp.route("/<uuid:round_id>/report-upward", methods=["GET", "POST"])
@require_roles(*CALLERS)
def report_upward(round_id):
    round_ = round_or_404(round_id)
    ensure_producer(current_user)  # the viewer and unit staff see the round, not this page
    form = ReportUpwardForm(data=None if request.method == "POST"
                            else province_defaults(db.session, round_))

    def download():
        document, mimetype, name = produce(db.session, current_user, round_,
                                           form.letterhead_values(), form.format.data or "")
        return document_response(document, mimetype, name)

    return handle_form(form, "rollup/report_upward.html", download, round=round_)
