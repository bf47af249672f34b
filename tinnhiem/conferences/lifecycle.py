"""A conference's lifecycle: its states, the moves between them and who may make each.

    draft → ready (ballot frozen) → open (only with quorum) → closed (sealed) → counted
          → certified (the second distinct counter); annulled with a reason from any state.
    A restore turns an open electronic vote into suspended, which only closes (unused codes
    voided) or is annulled.

There is no way back: a mistake found after the ballot was frozen is corrected by annulling
the conference (with a reason, audited) and preparing a new one. Every state change in the
product is one `transition()`: it locks the conference, checks the move and the actor's role,
runs the move's own work, sets the state, audits it and then tells whoever listens
(`conference_moved`, a blinker signal, as Flask's own are) so a feature reacting to a move
(the roll-up flag on annulment) subscribes instead of being imported. The caller commits.
"""
from dataclasses import dataclass
from enum import StrEnum

from blinker import Namespace
from flask_babel import lazy_gettext as _l

from tinnhiem.platform.audit.services import record
from tinnhiem.platform.auth.roles import Role
from tinnhiem.platform.errors import ServiceError


class State(StrEnum):
    DRAFT = "draft"
    READY = "ready"
    OPEN = "open"
    CLOSED = "closed"
    COUNTED = "counted"
    CERTIFIED = "certified"
    ANNULLED = "annulled"
    # An electronic vote that was open when the backup it was restored from was taken:
    # ballots cast after the backup are lost and their codes read unused, so it takes no
    # ballot until the unit voids the unused codes and closes it, or annuls it.
    SUSPENDED = "suspended"


LABELS = {
    State.DRAFT: _l("Đang chuẩn bị"), State.READY: _l("Đã chốt phiếu"),
    State.OPEN: _l("Đang bỏ phiếu"), State.CLOSED: _l("Đã kết thúc bỏ phiếu"),
    State.COUNTED: _l("Đã kiểm phiếu"), State.CERTIFIED: _l("Đã chứng nhận"),
    State.ANNULLED: _l("Đã hủy"), State.SUSPENDED: _l("Tạm dừng sau khôi phục"),
}
# The people on the ballot and the conference's details change only while preparing.
EDITABLE = frozenset({State.DRAFT})
# Before the vote: nothing cast yet, the ballot may still be frozen or not.
PREPARING = frozenset({State.DRAFT, State.READY})
# Codes may be issued once the ballot is frozen and while the vote is open.
ISSUING_CODES = frozenset({State.READY, State.OPEN})
# A count exists (results rows are written) from here on, even if later annulled.
HAS_COUNT = frozenset({State.COUNTED, State.CERTIFIED})
# The colour a page gives each state's badge (Bootstrap's text-bg-*).
STYLES = {State.DRAFT: "secondary", State.READY: "info", State.OPEN: "success",
          State.CLOSED: "primary", State.COUNTED: "dark", State.CERTIFIED: "success",
          State.SUSPENDED: "warning", State.ANNULLED: "danger"}


def status_label(status: str) -> str:
    return str(LABELS.get(status, status))


def status_style(status: str) -> str:
    return STYLES.get(status, "secondary")


@dataclass(frozen=True, eq=False)
class Move:
    """One allowed change of state and the roles that may make it. The system itself (actor
    None: the CLI, a restore, the demo load) may make any move; a move with no roles only
    the system makes (a restore suspending a vote)."""

    name: str
    sources: frozenset
    target: State
    roles: frozenset
    audit: str
    refusal: object  # the message when the state does not allow it; %(s)s: current state
    role_refusal: tuple = ("role_not_allowed", _l("Vai trò của bạn không thực hiện được thao tác"
                                                   " này."), 403)


_FROM_TO = _l("Không thể chuyển hội nghị từ “%(s)s” sang “%(b)s”.")
_CLOSE_REFUSED = _l("Không thể kết thúc bỏ phiếu khi hội nghị ở trạng thái “%(s)s”.")
_ADMIN = frozenset({Role.UNIT_ADMIN})

MARK_READY = Move("ready", frozenset({State.DRAFT}), State.READY, _ADMIN, "conference.ready",
                  _FROM_TO)
OPEN = Move("open", frozenset({State.READY}), State.OPEN, _ADMIN, "conference.opened", _FROM_TO)
CLOSE = Move("close", frozenset({State.OPEN}), State.CLOSED, _ADMIN, "conference.closed",
             _CLOSE_REFUSED)
SUSPEND = Move("suspend", frozenset({State.OPEN}), State.SUSPENDED, frozenset(),
               "conference.suspended", _FROM_TO)
VOID_AND_CLOSE = Move("void_and_close", frozenset({State.SUSPENDED}), State.CLOSED, _ADMIN,
                      "conference.suspension_closed", _CLOSE_REFUSED)
COUNT = Move("count", frozenset({State.CLOSED}), State.COUNTED,
             frozenset({Role.UNIT_ADMIN, Role.COUNTER}), "conference.counted",
             _l("Chỉ kiểm phiếu khi đã kết thúc bỏ phiếu (trạng thái hiện tại: “%(s)s”)."),
             ("not_on_board", _l("Chỉ quản trị đơn vị và Ban kiểm phiếu được kiểm phiếu."), 403))
CERTIFY = Move("certify", frozenset({State.COUNTED}), State.CERTIFIED, frozenset({Role.COUNTER}),
               "conference.certified",
               _l("Chỉ xác nhận khi đã kiểm phiếu và chưa chứng nhận (trạng thái hiện tại:"
                  " “%(s)s”)."),
               ("not_a_counter", _l("Chỉ thành viên Ban kiểm phiếu xác nhận kết quả."), 409))
ANNUL = Move("annul", frozenset(State) - {State.ANNULLED}, State.ANNULLED, _ADMIN,
             "conference.annulled", _FROM_TO)

MOVES = {move.name: move for move in
         (MARK_READY, OPEN, CLOSE, SUSPEND, VOID_AND_CLOSE, COUNT, CERTIFY, ANNUL)}

# Who does a move's work when a lower layer offers the move: conferences' page offers
# "void the unused codes and close", the work is voting's (it owns the codes). The owner
# registers it with @performs(move); the page calls perform(). Lower layers never import it.
_performers: dict = {}


def performs(move: Move):
    def register(function):
        _performers[move.name] = function
        return function
    return register


def perform(session, actor, conference, move: Move, **arguments):
    return _performers[move.name](session, actor, conference, **arguments)


_signals = Namespace()
# Sent after a move is applied and audited, inside the caller's transaction: sender is the
# Move; keyword arguments session, conference and actor.
conference_moved = _signals.signal("conference-moved")
# Sent when a conference is created (a unit's first makes it "in progress"), inside the
# caller's transaction: sender is None; keyword arguments session and conference.
conference_created = _signals.signal("conference-created")


def lock_conference(session, conference):
    """Re-read the conference and hold its row until commit, so two state changes (two
    closes, two acceptances) never both pass their checks. FOR NO KEY UPDATE, not FOR
    UPDATE: a ballot being cast holds its code's row and then needs a key-share lock on the
    conference for its foreign key; FOR UPDATE would wait for the ballot while the ballot
    waits for it (a deadlock when closing during a vote), this one lets the ballot in."""
    session.refresh(conference, with_for_update={"key_share": True})
    return conference


def audit_conference(session, actor, action: str, conference, **details) -> None:
    record(session, action, actor=actor, province_id=conference.province_id,
           unit_id=conference.unit_id, target=conference.id, details=details)


def may_move(conference, actor, move: Move) -> bool:
    """Whether `actor` (None: the system) may make `move` now: what pages offer."""
    return conference.status in move.sources and _role_allows(actor, move)


def _role_allows(actor, move: Move) -> bool:
    return actor is None or getattr(actor, "role", None) in move.roles


def require_move(conference, actor, move: Move) -> None:
    """Refuse a move the actor's role or the conference's state does not allow."""
    if not _role_allows(actor, move):
        code, message, status = move.role_refusal
        raise ServiceError(code, message, status=status)
    if conference.status not in move.sources:
        raise ServiceError("invalid_transition", _refusal(conference, move), status=409)


def _refusal(conference, move: Move) -> str:
    return str(move.refusal) % {"s": status_label(conference.status),
                                "b": status_label(move.target)}


def transition(session, actor, conference, move: Move, work=None, **details) -> dict:
    """Make `move`: lock, check, run `work()` (the move's own checks and effects; what it
    returns joins the audit entry), set the state, audit, signal. Returns the audit details."""
    lock_conference(session, conference)
    require_move(conference, actor, move)
    if work is not None:
        details.update(work() or {})
    conference.status = move.target
    session.flush()
    audit_conference(session, actor, move.audit, conference, **details)
    conference_moved.send(move, session=session, conference=conference, actor=actor)
    return details
