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
    "not_image": _l("Tệp không phải ảnh đọc được."),
    "no_ballot": _l("Không tìm thấy phiếu trong ảnh: cần thấy đủ bốn ô vuông đen ở bốn góc"
                    " phiếu."),
    "cut_off": _l("Phiếu bị cắt mất một phần: hãy chụp hoặc quét cả trang, đủ bốn góc."),
    "unreadable": _l("Ảnh quá mờ hoặc quá tối để đọc: hãy quét hoặc chụp lại rõ hơn."),
    "no_code": _l("Không đọc được mã QR của trang: hãy quét hoặc chụp lại rõ hơn."),
    "foreign": _l("Mã QR trên trang không phải của phiếu tín nhiệm."),
    "layout": _l("Phiếu in theo mẫu cũ của phần mềm: hãy in lại phiếu của hội nghị."),
    "wrong_conference": _l("Trang này là phiếu của một hội nghị khác."),
    "wrong_template": _l("Trang này in theo một phiên bản mẫu phiếu khác với mẫu của hội"
                         " nghị."),
    "reader_failed": _l("Không đọc được tệp này."),
}


def reading_label(row: dict) -> str:
    return str(READINGS.get(row.get("mark") or row.get("status"), READINGS["doubtful"]))


def scan_error(code: str | None) -> str:
    return str(ERRORS.get(code, ERRORS["reader_failed"]))
