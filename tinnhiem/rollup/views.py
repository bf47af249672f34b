"""The province's dashboard for a round and its consolidated report and table."""
from tinnhiem.platform.auth.access import require_roles
from tinnhiem.platform.read_replica import read_source
from tinnhiem.platform.web import PDF, XLSX
from tinnhiem.rollup.access import READERS, round_or_404
from tinnhiem.rollup.blueprint import bp
from tinnhiem.rollup.dashboard_page import render_dashboard
from tinnhiem.rollup.documents import report_pdf, report_xlsx
from tinnhiem.rollup.downloads import serve_document

__all__ = ["bp"]


@bp.get("/<uuid:round_id>/rollup")
@require_roles(*READERS)
def dashboard(round_id):
    round_ = round_or_404(round_id)
    with read_source() as source:
        return render_dashboard(source.session, round_, source=source)


@bp.get("/<uuid:round_id>/rollup.pdf")
@require_roles(*READERS)
def report(round_id):
    return serve_document(round_id, report_pdf, PDF, "pdf")


@bp.get("/<uuid:round_id>/rollup.xlsx")
@require_roles(*READERS)
def table(round_id):
    return serve_document(round_id, report_xlsx, XLSX, "xlsx")

