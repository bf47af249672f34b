"""The follow-up's words, shared by its pages (the API sends the keys)."""
from flask_babel import lazy_gettext as _l

from tinnhiem.followup.models import DECIDED, IN_PROGRESS, NO_ACTION, PENDING

STATE_LABELS = {
    PENDING: _l("Chưa xử lý"),
    IN_PROGRESS: _l("Đang xem xét"),
    DECIDED: _l("Đã có quyết định"),
    NO_ACTION: _l("Không xử lý"),
}
STATE_STYLES = {PENDING: "secondary", IN_PROGRESS: "info", DECIDED: "success",
                NO_ACTION: "dark"}
ACTION_LABELS = {
    "relieved": _l("Cho thôi giữ chức vụ / xin thôi giữ chức vụ"),
    "dismissed": _l("Miễn nhiệm"),
    "transferred": _l("Điều động hoặc bố trí công tác khác"),
    "confidence_vote": _l("Trình bỏ phiếu tín nhiệm"),
    "other": _l("Khác"),
}
