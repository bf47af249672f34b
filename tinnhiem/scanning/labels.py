"""What the board reads on the scan pages: a row's reading and a refused page's reason, by
their stable codes (the database keeps the codes, the page says them in the reader's
language)."""
from flask_babel import lazy_gettext as _l

READINGS = {
    "high": _l("Tín nhiệm cao"), "confidence": _l("Tín nhiệm"), "low": _l("Tín nhiệm thấp"),
    "blank": _l("Để trống"), "several": _l("Nhiều dấu"), "crossed": _l("Gạch tên"),
    "doubtful": _l("Nghi ngờ: Ban kiểm phiếu quyết định"),
}
ERRORS = {
    "too_large": _l("Tệp quá lớn."),
    "encrypted_pdf": _l("Tệp PDF có mật khẩu: hãy quét lại hoặc lưu tệp không đặt mật khẩu."),
    "corrupt_pdf": _l("Tệp PDF bị hỏng hoặc không đọc được."),
    "not_an_image": _l("Tệp không phải ảnh đọc được."),
    "no_ballot": _l("Không tìm thấy phiếu trong ảnh (cần thấy đủ bốn góc của trang)."),
    "cut_off": _l("Trang phiếu bị cắt mất một phần."),
    "unreadable": _l("Ảnh mờ hoặc tối quá, không đọc được: hãy quét hoặc chụp lại."),
    "wrong_conference": _l("Phiếu của hội nghị khác."),
    "wrong_template": _l("Phiếu in theo mẫu khác với mẫu của hội nghị này."),
    "reader_failed": _l("Không đọc được tệp này."),
}


def reading_label(row: dict) -> str:
    return str(READINGS.get(row.get("mark") or row.get("status"), READINGS["doubtful"]))


def scan_error(code: str | None) -> str:
    return str(ERRORS.get(code, ERRORS["reader_failed"]))
