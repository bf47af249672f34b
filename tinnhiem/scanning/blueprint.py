"""The scans' blueprint, shared by their two views modules (scanning.views: upload, progress,
pages; scanning.board_views: the board's decisions, blind check and acceptance)."""
from flask import Blueprint

from tinnhiem.scanning.labels import reading_label, scan_error

bp = Blueprint("scanning", __name__, url_prefix="/conferences")


@bp.context_processor
def _labels():
    return {"reading_label": reading_label, "scan_error": scan_error}
