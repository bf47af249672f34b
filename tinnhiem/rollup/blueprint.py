"""The roll-up's pages share one blueprint: the dashboard and its documents (rollup.views) and
the report upward (rollup.report_upward_views) add their routes to it."""
from flask import Blueprint

bp = Blueprint("rollup", __name__, url_prefix="/rounds")
