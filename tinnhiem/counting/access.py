"""Who may see a conference's results and who may count, certify and publish them: used
alike by the results page and /api/v1/conferences/<id>/results."""
from typing import Callable, NamedTuple

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from tinnhiem.conferences.access import conference_or_404
from tinnhiem.conferences.lifecycle import State
from tinnhiem.counting import services
from tinnhiem.platform.auth.roles import PROVINCE_ROLES, Role
from tinnhiem.platform.db import db

BOARD = (Role.UNIT_ADMIN, Role.COUNTER)  # the counting board


def readable_conference(conference_id):
    """Results stay in the unit until certified: before that the province gets a 404."""
    conference = conference_or_404(conference_id)
    if current_user.role in PROVINCE_ROLES and conference.status != State.CERTIFIED:
        abort(404)
    return conference


def counted_conference(conference_id):
    """A readable conference that has results (its documents exist only then), or 404."""
    conference = readable_conference(conference_id)
    if not services.results_of(db.session, conference):
        abort(404)
    return conference


class Action(NamedTuple):
    roles: tuple
    service: Callable  # service(session, actor, conference)
    done: str  # what the page tells once it is done


# Who takes each step. The services refuse any other actor too (counting.services); here a
# wrong role is answered as for a page it may not use: 404.
ACTIONS = {
    "count": Action(BOARD, services.count, _l("Đã kiểm phiếu và ghi nhận kết quả.")),
    "certify": Action((Role.COUNTER,), services.certify, _l("Đã ghi nhận xác nhận của bạn.")),
    "publish": Action((Role.UNIT_ADMIN,), services.publish, _l("Đã công bố kết quả.")),
}


def allowed_action(name: str) -> Action:
    """The step `name` if the signed-in account's role takes it, else 404."""
    action = ACTIONS[name]
    if current_user.role not in action.roles:
        abort(404)
    return action
