"""/history: the certified results of what the signed-in unit or province succeeded, under
the historical names, read-only (tenants.history)."""
from flask import Blueprint, render_template, url_for

from tinnhiem.platform.auth.access import require_roles
from tinnhiem.platform.db import db
from tinnhiem.platform.read_replica import Source
from tinnhiem.rollup.history import READERS, round_or_404, source_or_404, sources_and_rounds
from tinnhiem.rollup.dashboard_page import render_dashboard
from tinnhiem.tenants.history import history_session

bp = Blueprint("history", __name__, url_prefix="/history")


@bp.get("/")
@require_roles(*READERS)
def index():
    return render_template("history/index.html", listed=sources_and_rounds(db.session))


@bp.get("/<uuid:source_key>/rounds/<uuid:round_id>")
@require_roles(*READERS)
def round_rollup(source_key, round_id):
    source = source_or_404(db.session, source_key)
    with history_session(source) as past:
        round_ = round_or_404(past, round_id)
        return render_dashboard(past, round_, source=Source(past), history=source,
                                history_here=url_for("history.round_rollup",
                                                     source_key=source_key, round_id=round_id))
