from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from tinnhiem.platform.forms import DateField, PageForm

REQUIRED = _l("Trường này là bắt buộc.")


class ConferenceForm(PageForm):
    round_id = SelectField(_l("Đợt lấy phiếu"), validate_choice=False)
    title = StringField(_l("Tên hội nghị"), [InputRequired(REQUIRED), Length(max=255)])
    held_on = DateField(_l("Ngày họp"), [InputRequired(REQUIRED)])
    place = StringField(_l("Địa điểm"), [Length(max=255)])
    voting_body = StringField(_l("Thành phần ghi phiếu"), [Length(max=255)])
    mode = SelectField(_l("Hình thức"), validate_choice=False, choices=[
        ("electronic", _l("Bỏ phiếu điện tử")), ("paper", _l("Phiếu giấy"))])


class NomineeForm(PageForm):
    full_name = StringField(_l("Họ và tên"), [InputRequired(REQUIRED), Length(max=200)])
    # Offers the unit's registered cadres (a <datalist> on the page) and still takes any code.
    cadre_code = StringField(_l("Mã cán bộ"), [InputRequired(REQUIRED), Length(max=40)],
                             render_kw={"list": "cadre-codes", "autocomplete": "off"})
    post = StringField(_l("Chức vụ"), [InputRequired(REQUIRED), Length(max=255)])
    category_id = SelectField(_l("Nhóm chức danh"), validate_choice=False)
    ballot_order = IntegerField(_l("Số thứ tự trên phiếu (để trống: cuối danh sách)"),
                                [Optional(), NumberRange(1, 9999)])
    appointed_on = DateField(_l("Ngày được bầu, bổ nhiệm"))
    retirement_notice = BooleanField(_l("Đã có thông báo nghỉ hưu"))
    report = FileField(_l("Báo cáo tự đánh giá (PDF, tối đa 5 MB)"))


class VoterCountForm(PageForm):
    summoned_count = IntegerField(_l("Số người được triệu tập"),
                                  [InputRequired(REQUIRED), NumberRange(1, 5000)])


class VoterImportForm(PageForm):
    file = FileField(_l("Danh sách người được triệu tập (.xlsx hoặc .csv)"))


class AttendanceForm(PageForm):
    present_count = IntegerField(_l("Số người có mặt"), [Optional(), NumberRange(0, 5000)])


class AnnulForm(PageForm):
    reason = TextAreaField(_l("Lý do hủy"), [InputRequired(REQUIRED), Length(max=1000)])
