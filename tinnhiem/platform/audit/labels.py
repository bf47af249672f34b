"""The audit page's words: a Vietnamese label for every action key the code records, and the
kind of object each entry's `target` names. tests/test_audit_page.py reads the source for
every key recorded, so a new key without a label here fails there."""
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _p

UNIT, UNIT_TYPE, ACCOUNT = "unit", "unit_type", "account"
CONFERENCE, ROUND, TEMPLATE = "conference", "round", "template"
CADRE_ENTRY, CADRE_REQUEST = "cadre_entry", "cadre_request"
CADRE_POST = "cadre_post"
FOLLOW_UP = "follow_up"

# One object's kind, before its short id (a context of its own: elsewhere some of these
# words head a list and read in the plural).
KINDS = {
    UNIT: _p("audit object", "Đơn vị"), UNIT_TYPE: _p("audit object", "Loại đơn vị"),
    ACCOUNT: _p("audit object", "Tài khoản"), CONFERENCE: _p("audit object", "Hội nghị"),
    ROUND: _p("audit object", "Đợt lấy phiếu"), TEMPLATE: _p("audit object", "Mẫu phiếu"),
    CADRE_ENTRY: _p("audit object", "Cán bộ trong danh sách"),
    CADRE_REQUEST: _p("audit object", "Đề nghị bổ sung cán bộ"),
    CADRE_POST: _p("audit object", "Chức vụ của cán bộ"),
    FOLLOW_UP: _p("audit object", "Việc xử lý sau lấy phiếu"),
}
# The kinds whose names the operator may read on the audit page: the unit tree and the
# accounts it manages anyway. The operator has no data scope (Scope.for_directory), so a
# conference, a round or a cadre shows as its kind and a short id, never its title or name.
NAMED_KINDS = frozenset({UNIT, UNIT_TYPE, ACCOUNT})

ACTIONS = {
    # The unit tree and accounts (the operator's own work)
    "unit_type.created": (_l("Tạo loại đơn vị"), UNIT_TYPE),
    "unit_type.updated": (_l("Sửa loại đơn vị"), UNIT_TYPE),
    "unit.created": (_l("Tạo đơn vị"), UNIT),
    "unit.updated": (_l("Sửa đơn vị"), UNIT),
    "account.created": (_l("Tạo tài khoản"), ACCOUNT),
    "account.updated": (_l("Sửa tài khoản"), ACCOUNT),
    "account.password_reset": (_l("Đặt lại mật khẩu"), ACCOUNT),
    "account.password_changed": (_l("Đổi mật khẩu"), ACCOUNT),
    "account.sessions_revoked": (_l("Thu hồi các phiên đăng nhập"), ACCOUNT),
    "account.totp_enabled": (_l("Bật xác thực hai lớp"), ACCOUNT),
    "account.totp_disabled": (_l("Tắt xác thực hai lớp"), ACCOUNT),
    # The province's rounds, template and cadre registry
    "template.saved": (_l("Lưu mẫu phiếu"), TEMPLATE),
    "round.created": (_l("Tạo đợt lấy phiếu"), ROUND),
    "round.template": (_l("Chọn mẫu phiếu cho đợt"), ROUND),
    "registry.entered": (_l("Đưa cán bộ vào danh sách"), CADRE_ENTRY),
    "registry.removed": (_l("Bỏ cán bộ khỏi danh sách"), CADRE_ENTRY),
    "registry.requested": (_l("Đề nghị bổ sung cán bộ"), CADRE_REQUEST),
    "registry.request_approved": (_l("Chấp thuận đề nghị bổ sung cán bộ"), CADRE_REQUEST),
    "registry.request_declined": (_l("Từ chối đề nghị bổ sung cán bộ"), CADRE_REQUEST),
    "registry.filled": (_l("Lấy cán bộ từ danh sách của tỉnh vào danh sách của đợt"), ROUND),
    # The province's standing cadre registry
    "cadre_post.added": (_l("Thêm chức vụ của cán bộ"), CADRE_POST),
    "cadre_post.updated": (_l("Sửa chức vụ của cán bộ"), CADRE_POST),
    "cadre_post.ended": (_l("Ghi nhận cán bộ thôi giữ chức vụ"), CADRE_POST),
    "cadre_registry.imported": (_l("Nhập danh sách cán bộ của tỉnh"), None),
    "rollup.report_upward": (_l("Lập báo cáo gửi cấp trên"), ROUND),
    # A unit's conference
    "conference.created": (_l("Tạo hội nghị"), CONFERENCE),
    "conference.updated": (_l("Sửa thông tin hội nghị"), CONFERENCE),
    "nominee.added": (_l("Thêm người được lấy phiếu"), CONFERENCE),
    "nominee.report": (_l("Tải lên báo cáo tự đánh giá"), CONFERENCE),
    "nominee.removed": (_l("Bỏ người được lấy phiếu"), CONFERENCE),
    "conference.summoned_count": (_l("Ghi số người được triệu tập"), CONFERENCE),
    "conference.voters_replaced": (_l("Nhập danh sách người được triệu tập"), CONFERENCE),
    "conference.attendance": (_l("Ghi số người có mặt"), CONFERENCE),
    "conference.ready": (_l("Chốt phiếu"), CONFERENCE),
    "voting.codes_issued": (_l("Phát mã bỏ phiếu"), CONFERENCE),
    "conference.opened": (_l("Mở bỏ phiếu"), CONFERENCE),
    "conference.closed": (_l("Kết thúc bỏ phiếu"), CONFERENCE),
    "conference.suspended": (_l("Tạm dừng bỏ phiếu sau khôi phục"), CONFERENCE),
    "conference.suspension_closed": (_l("Hủy mã chưa dùng và kết thúc bỏ phiếu"), CONFERENCE),
    "conference.count_accepted": (_l("Chấp nhận số liệu phiếu giấy"), CONFERENCE),
    "scan.uploaded": (_l("Tải lên phiếu quét"), CONFERENCE),
    "scan.read": (_l("Đọc xong phiếu quét"), CONFERENCE),
    "scan.row_decided": (_l("Quyết định một dòng phiếu quét"), CONFERENCE),
    "scan.check_drawn": (_l("Rút phiếu kiểm tra ngẫu nhiên"), CONFERENCE),
    "scan.check_keyed": (_l("Nhập phiếu kiểm tra ngẫu nhiên"), CONFERENCE),
    "scan.accepted": (_l("Nhận kết quả đọc phiếu quét làm bảng nhập"), CONFERENCE),
    "scan.images_deleted": (_l("Xóa ảnh phiếu quét hết hạn lưu giữ"), CONFERENCE),
    "scan.duplicate_set": (_l("Ban kiểm phiếu xác định trang quét trùng hay không"), CONFERENCE),
    "scan.read_again": (_l("Đọc lại tệp phiếu quét"), CONFERENCE),
    "conference.counted": (_l("Kiểm phiếu"), CONFERENCE),
    "conference.confirmed": (_l("Thành viên Ban kiểm phiếu xác nhận kết quả"), CONFERENCE),
    "conference.certified": (_l("Chứng nhận kết quả hội nghị"), CONFERENCE),
    "conference.published": (_l("Công bố kết quả"), CONFERENCE),
    "conference.annulled": (_l("Hủy hội nghị"), CONFERENCE),
    # The province's follow-up of the low bands
    "followup.step_recorded": (_l("Ghi nhận bước xử lý người có tín nhiệm thấp"), FOLLOW_UP),
    "followup.round_deadline_set": (_l("Đặt hạn xử lý chung cho đợt"), ROUND),
    # The deployment
    "tenancy.crossed": (_l("Truy cập vượt phạm vi đơn vị"), None),
    "backup.started": (_l("Sao lưu dữ liệu"), None),
    "backup.restored": (_l("Khôi phục dữ liệu từ bản sao lưu"), None),
}


def action_label(action: str) -> str:
    """The Vietnamese label of `action`; an unknown key (an entry written by a version that
    had it) shows as it is rather than hiding the entry."""
    known = ACTIONS.get(action)
    return str(known[0]) if known else action


def target_kind(action: str) -> str | None:
    known = ACTIONS.get(action)
    return known[1] if known else None
