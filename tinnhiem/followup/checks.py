"""What a recorded step must hold, by the state it leaves the follow-up in: checked here once
for the pages and the API. Each refusal is a ServiceError naming the field, in Vietnamese."""
import datetime as dt

from flask_babel import lazy_gettext as _l

from tinnhiem.followup.models import (ACTIONS, DECIDED, DECISION_NUMBER_MAX, IN_PROGRESS,
                                      NO_ACTION, NOTE_MAX, OPEN_STATES, PENDING, STATES)
from tinnhiem.platform.errors import ServiceError
from tinnhiem.platform.inputs import required_text

FURTHEST_DEADLINE_DAYS = 3 * 366  # a deadline beyond a few years is a typo, not a plan
# A decision dated before this is a typo (0202 for 2028). The round's own year is no floor:
# a round may be dated ahead of the clock (the demo's 2028 mid-term).
EARLIEST_DECISION = dt.date(2000, 1, 1)


def note_text(value, field: str = "note") -> str | None:
    """Free text kept as typed (lines too), trimmed; None when empty. Control characters
    other than line breaks and tabs are refused, and so is anything past NOTE_MAX."""
    text = str(value or "").strip()
    if any((ord(ch) < 32 and ch not in "\n\r\t") or ord(ch) == 127 or 0xD800 <= ord(ch) <= 0xDFFF
           for ch in text):
        raise ServiceError("invalid_characters", _l("Có ký tự không hợp lệ."), field=field)
    if len(text) > NOTE_MAX:
        raise ServiceError("too_long", _l("Dài quá %(n)d ký tự.", n=NOTE_MAX), field=field)
    return text or None


def as_date(value, field: str) -> dt.date | None:
    """A date from a form or a schema (already a date) or ISO text; None when empty."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ServiceError("invalid_date", _l("Ngày không hợp lệ (định dạng năm-tháng-ngày)."),
                           field=field) from None


def deadline(value, today: dt.date, field: str = "deadline", required=False) -> dt.date | None:
    """A deadline from today on, within a few years."""
    day = as_date(value, field)
    if day is None:
        if required:
            raise ServiceError("required", _l("Hãy chọn hạn xử lý."), field=field)
        return None
    if day < today:
        raise ServiceError("deadline_past", _l("Hạn xử lý không được trước ngày hôm nay."),
                           field=field)
    if day > today + dt.timedelta(days=FURTHEST_DEADLINE_DAYS):
        raise ServiceError("deadline_too_far", _l("Hạn xử lý quá xa (tối đa 3 năm)."),
                           field=field)
    return day


def _decision(data: dict, today: dt.date) -> dict:
    action = data.get("action") or None
    if action not in ACTIONS:
        raise ServiceError("action_required", _l("Hãy chọn hình thức xử lý."), field="action")
    number = required_text(data.get("decision_number"), "decision_number", DECISION_NUMBER_MAX)
    day = as_date(data.get("decision_date"), "decision_date")
    if day is None:
        raise ServiceError("decision_date_required", _l("Hãy nhập ngày ban hành quyết định."),
                           field="decision_date")
    if day > today:
        raise ServiceError("decision_date_future",
                           _l("Ngày quyết định không được sau ngày hôm nay."),
                           field="decision_date")
    if day < EARLIEST_DECISION:
        raise ServiceError("decision_date_early",
                           _l("Ngày quyết định không hợp lệ (trước năm 2000)."),
                           field="decision_date")
    return {"action": action, "decision_number": number, "decision_date": day}


def step(data: dict, current: str, today: dt.date) -> dict:
    """The step `data` describes, checked against the follow-up's `current` state:
    {state, action, decision_number, decision_date, note, deadline}."""
    state = data.get("state")
    if state not in STATES:
        raise ServiceError("invalid_state", _l("Trạng thái không hợp lệ."), field="state")
    if state == PENDING and current != PENDING:
        raise ServiceError("cannot_return_to_pending",
                           _l("Không thể đưa về trạng thái chưa xử lý."), field="state")
    note = note_text(data.get("note"))
    clean = {"state": state, "action": None, "decision_number": None, "decision_date": None,
             "note": note, "deadline": None}
    if state == DECIDED:
        clean.update(_decision(data, today))
        if clean["action"] == "other" and not note:
            raise ServiceError("note_required", _l("Hãy ghi rõ hình thức xử lý khác."),
                               field="note")
    elif state == NO_ACTION and not note:
        raise ServiceError("reason_required", _l("Hãy ghi lý do không xử lý."), field="note")
    elif state == IN_PROGRESS and current not in OPEN_STATES and not note:
        raise ServiceError("reason_required", _l("Hãy ghi lý do mở lại việc đã kết thúc."),
                           field="note")
    if state in OPEN_STATES:
        clean["deadline"] = deadline(data.get("deadline"), today)
    elif data.get("deadline"):
        raise ServiceError("deadline_closed",
                           _l("Việc đã có quyết định hoặc không xử lý thì không cần hạn."),
                           field="deadline")
    if state == current == PENDING and not (clean["deadline"] or note):
        raise ServiceError("nothing_recorded", _l("Bước này không ghi nhận điều gì mới."),
                           field="state")
    return clean
