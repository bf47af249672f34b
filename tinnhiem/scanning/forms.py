from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import IntegerField, RadioField
from wtforms.validators import InputRequired, NumberRange, Optional

from tinnhiem.platform.forms import PageForm

# What the reader opens; the service checks each file's first bytes whatever it claims.
SCAN_TYPES = ("application/pdf,image/jpeg,image/png,image/tiff,image/heic,image/heif,"
              "image/webp,.heic,.heif")


class ScanUploadForm(PageForm):
    files = MultipleFileField(_l("Tệp PDF từ máy quét, hoặc ảnh phiếu (JPEG, PNG, TIFF, HEIC,"
                                 " WebP)"),
                              render_kw={"accept": SCAN_TYPES})


class PhotoForm(PageForm):
    """One ballot at a time from the phone's camera."""

    files = MultipleFileField(_l("Chụp ảnh phiếu"),
                              render_kw={"accept": "image/*", "capture": "environment"})


class DecisionForm(PageForm):
    """One row's mark, chosen by a board member; the row comes in the URL."""

    mark = RadioField(_l("Ý kiến của Ban kiểm phiếu"), choices=[
        ("high", _l("Tín nhiệm cao")), ("confidence", _l("Tín nhiệm")),
        ("low", _l("Tín nhiệm thấp")), ("blank", _l("Để trống")),
        ("several", _l("Nhiều dấu")), ("crossed", _l("Gạch tên"))],
        validators=[InputRequired(_l("Hãy chọn một mức."))])


class DrawForm(PageForm):
    count = IntegerField(_l("Số phiếu rút kiểm tra"), [Optional(), NumberRange(1, 5000)])


class AcceptScansForm(PageForm):
    collected = IntegerField(_l("Số phiếu thu về (đếm trong thùng phiếu)"),
                             [InputRequired(_l("Trường này là bắt buộc.")),
                              NumberRange(0, 100000)])
