"""The report upward as a file, for the form and the API alike: who may produce it, the
letterhead checked, the figures read, the PDF or DOCX written, the production audited.

It is read from the primary, not the replica the dashboard may read: a document sent to the
centre with a number states the certified results as they stand when it is made."""
from flask_babel import lazy_gettext as _l

from tinnhiem.followup import services as followups
from tinnhiem.platform.audit.services import record
from tinnhiem.platform.auth.roles import Role
from tinnhiem.platform.errors import ServiceError
from tinnhiem.platform.formats import locality
from tinnhiem.platform.pdf import render_pdf
from tinnhiem.platform.web import PDF
from tinnhiem.rollup import report_upward
from tinnhiem.tenants.services import get_unit, today

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FORMATS = ("pdf", "docx")
# DESIGN.md: the province admin (Ban Tổ chức Tỉnh ủy) produces the consolidated report; the
# viewer reads the roll-up (and its PDF summary) but issues no numbered document.
PRODUCERS = frozenset({Role.PROVINCE_ADMIN})
# Roles that reach the check (and get 403); any other gets 404 (platform.auth.access).
CALLERS = (Role.PROVINCE_ADMIN, Role.PROVINCE_VIEWER, Role.UNIT_ADMIN)


def ensure_producer(actor) -> None:
    if getattr(actor, "role", None) not in PRODUCERS:
        raise ServiceError("report_not_allowed", _l(
            "Chỉ Ban Tổ chức Tỉnh ủy (quản trị cấp tỉnh) được lập báo cáo gửi cấp trên."),
            status=403)


def province_defaults(session, round_) -> dict:
    """The form's values before anything is typed: the province's place, today."""
    return report_upward.defaults(get_unit(session, round_.province_id).name, today())


def produce(session, actor, round_, values: dict, kind: str) -> tuple[bytes, str, str]:
    """(the document, its mimetype, its file name) for `values` (the letterhead's fields),
    as `kind` ("pdf" or "docx"); recorded in the audit log in the caller's transaction."""
    ensure_producer(actor)
    if kind not in FORMATS:
        raise ServiceError("invalid_format", _l("Định dạng phải là PDF hoặc DOCX."),
                           field="format")
    province = get_unit(session, round_.province_id)
    head = report_upward.letterhead(values, place=locality(province.name),
                                    today=today())
    report = report_upward.compose(session, round_, province.name, head,
                                   followups.status_counts(session, round_.id))
    if kind == "pdf":
        document, mimetype = render_pdf("rollup/report_upward_pdf.html", report=report), PDF
    else:
        from tinnhiem.rollup.report_docx import render_docx  # python-docx, only when asked

        document, mimetype = render_docx(report), DOCX
    record(session, "rollup.report_upward", actor=actor, province_id=round_.province_id,
           target=str(round_.id), details={"format": kind, **head.as_details()})
    return document, mimetype, f"bao-cao-tin-nhiem-{round_.year}.{kind}"
