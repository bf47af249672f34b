"""Who reads and who records follow-ups, used alike by the pages and /api/v1: the province
(admin and Standing Committee) and a unit admin (its own unit's people: the scope sees no
other) read; only the province admin records. Someone outside the object's scope gets 404;
a reader who may not write gets 403."""
from functools import wraps

from flask import abort
from flask_login import current_user

from tinnhiem.followup import services
from tinnhiem.platform.auth.roles import Role
from tinnhiem.platform.db import db
from tinnhiem.platform.web import found_or_404
from tinnhiem.rounds.access import round_or_404

READERS = (Role.PROVINCE_ADMIN, Role.PROVINCE_VIEWER, Role.UNIT_ADMIN)
WRITER = Role.PROVINCE_ADMIN


def may_write() -> bool:
    return current_user.role == WRITER


def entry_or_404(round_, result_id):
    return found_or_404(services.get_entry(db.session, round_.id, result_id))


def writes(view):
    """A write: the round (and the person, when the route names one) must be in the caller's
    scope (404 otherwise), then the caller must be the province admin (403), all before a
    request body is read."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        round_ = round_or_404(kwargs["round_id"])
        if "result_id" in kwargs:
            entry_or_404(round_, kwargs["result_id"])
        if not may_write():
            abort(403)
        return view(*args, **kwargs)

    return wrapper


__all__ = ["READERS", "WRITER", "entry_or_404", "may_write", "round_or_404", "writes"]
