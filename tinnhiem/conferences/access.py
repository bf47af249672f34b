"""Who may see and change a unit's conference, and the loaders that find one under the
request's scope: used alike by the conference pages and /api/v1/conferences (and by the
voting and counting features, whose pages hang off a conference)."""
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from tinnhiem.conferences import nominees, services
from tinnhiem.conferences.lifecycle import MARK_READY, OPEN
from tinnhiem.platform.api import in_scope
from tinnhiem.platform.auth.roles import STAFF_ROLES, Role
from tinnhiem.platform.db import db
from tinnhiem.platform.web import found_or_404

READERS = STAFF_ROLES  # the unit's staff, and the province reading its units
ADMIN = Role.UNIT_ADMIN  # the one role that prepares a conference and runs its vote


def conference_or_404(conference_id):
    """The conference, read through the scoped session: outside the caller's scope it does
    not exist."""
    return found_or_404(services.get_conference(db.session, conference_id))


# The same check before a request body is read, so a stranger learns nothing from
# validation errors (see platform.api.in_scope).
conference_in_scope = in_scope(services.get_conference, "conference_id")


def nominee_or_404(conference, nominee_id):
    return found_or_404(nominees.get_nominee(db.session, conference, nominee_id))


def picks_from_registry() -> bool:
    """Only the unit admin adds people, so only they are offered the registry's cadres."""
    return current_user.role == ADMIN


# The moves the unit admin makes before the vote: target -> (service, what the page tells).
TRANSITIONS = {
    MARK_READY.target: (services.mark_ready, _l("Đã chốt danh sách và mẫu phiếu.")),
    OPEN.target: (services.open_vote, _l("Đã bắt đầu bỏ phiếu.")),
}
