"""Who may run a unit's vote and its counting board's paper entry, and what each role sees:
used alike by the voting pages and /api/v1/conferences/<id>/… . (What the voter's routes
share, with no account, is in voting.voter_access.)"""
from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from tinnhiem.conferences.access import conference_or_404
from tinnhiem.platform.auth.roles import Role
from tinnhiem.platform.db import db
from tinnhiem.voting import paper
from tinnhiem.voting.models import Poll

ADMIN = Role.UNIT_ADMIN  # issues codes and closes the vote
BOARD = (Role.UNIT_ADMIN, Role.COUNTER)  # the counting board: enters, compares, accepts


def poll_of(conference):
    """The conference's public poll (its voting link), once codes were issued."""
    return db.session.scalar(select(Poll).where(Poll.conference_id == conference.id))


def sees_sheets() -> bool:
    """Figures per person stay with the counting board until certified results leave the
    unit: other readers (the province) see the vote's totals only."""
    return current_user.role in BOARD


def paper_conference_or_404(conference_id):
    """A conference whose board enters paper ballots: the sheet pages of an electronic vote
    do not exist."""
    conference = conference_or_404(conference_id)
    if conference.mode != "paper":
        abort(404)
    return conference


# What a board member does with their own sheet: action -> (service, what the page tells).
SHEET_ACTIONS = {
    "submit": (paper.submit_sheet, _l("Đã nộp bảng nhập.")),
    "reopen": (paper.reopen_sheet, _l("Đã mở lại bảng nhập để sửa.")),
    "clear": (paper.clear_sheet, _l("Đã xóa bảng nhập.")),
}
