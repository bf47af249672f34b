"""A cadre's history page: every certified result of one cadre code the caller may read."""
from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l

from tinnhiem.cadres.access import READERS, history_or_404
from tinnhiem.cadres.charts import low_share_trend, signed
from tinnhiem.counting.bands import band_label, consequence
from tinnhiem.platform.auth.access import require_roles
from tinnhiem.platform.db import db

bp = Blueprint("cadres", __name__, url_prefix="/cadres")


@bp.get("/<cadre_code>")
@require_roles(*READERS)
def history(cadre_code):
    found = history_or_404(db.session, cadre_code)
    return render_template(
        "cadres/history.html", history=found, band_label=band_label, consequence=consequence,
        signed=signed, chart=low_share_trend(found.rows, str(_l("Tỷ lệ phiếu tín nhiệm thấp"
                                                               " qua các đợt"))))
