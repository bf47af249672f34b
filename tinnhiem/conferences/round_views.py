"""A round's page (/rounds/<id>): the round, its template and each unit's conferences with
their state. It lives here, not in rounds, because it lists conferences, which build on
rounds."""
from flask import Blueprint, render_template

from tinnhiem.conferences import services as conferences
from tinnhiem.platform.auth.access import require_roles
from tinnhiem.platform.auth.roles import STAFF_ROLES
from tinnhiem.platform.db import db
from tinnhiem.platform.forms import ActionForm
from tinnhiem.rounds import services
from tinnhiem.rounds.access import round_or_404
from tinnhiem.tenants import services as tenants

bp = Blueprint("round_page", __name__)


@bp.get("/rounds/<uuid:round_id>")
@require_roles(*STAFF_ROLES)
def show(round_id):
    round_ = round_or_404(round_id)
    unit_ids = services.participating_unit_ids(db.session, round_.id)
    units = {u.id: u for u in tenants.list_units(db.session)}
    by_unit: dict = {unit_id: [] for unit_id in unit_ids}
    for conference in conferences.list_conferences(db.session, round_.id):
        by_unit.setdefault(conference.unit_id, []).append(conference)
    rows = sorted(((units[uid], items) for uid, items in by_unit.items() if uid in units),
                  key=lambda row: row[0].name)
    latest = services.latest_template(db.session, round_.province_id)
    return render_template("rounds/show.html", round=round_, rows=rows, latest=latest,
                           action_form=ActionForm())
