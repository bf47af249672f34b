from flask_babel import lazy_gettext as _l
from wtforms import FileField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from tinnhiem.platform.forms import DateField, PageForm

REQUIRED = _l("Trường này là bắt buộc.")


class PostCorrectionForm(PageForm):
    """What a correction may change (the code and the unit stay)."""

    full_name = StringField(_l("Họ và tên"), [InputRequired(REQUIRED), Length(max=200)])
    post = StringField(_l("Chức vụ"), [InputRequired(REQUIRED), Length(max=255)])
    held_since = DateField(_l("Giữ chức vụ từ ngày"))
    held_until = DateField(_l("Đến ngày (để trống nếu đang giữ)"))
    note = TextAreaField(_l("Ghi chú"), [Length(max=1000)])


class PostForm(PostCorrectionForm):
    cadre_code = StringField(_l("Mã cán bộ"), [InputRequired(REQUIRED), Length(max=40)])
    unit_id = SelectField(_l("Đơn vị"), validate_choice=False)


class EndPostForm(PageForm):
    held_until = DateField(_l("Thôi giữ chức vụ từ ngày (để trống: hôm nay)"))


class ImportForm(PageForm):
    file = FileField(_l("Danh sách cán bộ của tỉnh (.xlsx hoặc .csv)"))
