from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, FieldList, FormField, IntegerField, SelectField,
                     SelectMultipleField, StringField, TextAreaField)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from tinnhiem.platform.forms import DateField, PageForm

REQUIRED = _l("Trường này là bắt buộc.")


class TemplateForm(PageForm):
    title = StringField(_l("Tiêu đề phiếu"), [InputRequired(REQUIRED), Length(max=255)])
    header = TextAreaField(_l("Dòng đầu phiếu (mỗi dòng một dòng)"), [Length(max=2000)])
    high_label = StringField(_l("Mức 1"), [InputRequired(REQUIRED), Length(max=60)])
    confidence_label = StringField(_l("Mức 2"), [InputRequired(REQUIRED), Length(max=60)])
    low_label = StringField(_l("Mức 3"), [InputRequired(REQUIRED), Length(max=60)])
    instructions = TextAreaField(_l("Hướng dẫn ghi phiếu"), [Length(max=4000)])
    crossed_out_rule = SelectField(_l("Khi tên bị gạch"), validate_choice=False, choices=[
        ("row", _l("Chỉ dòng của người đó không hợp lệ")),
        ("ballot", _l("Cả phiếu không hợp lệ"))])


class CategoryForm(PageForm):
    class Meta:
        csrf = False

    name = StringField(_l("Nhóm chức danh"), [Optional(), Length(max=255)])
    deadline = DateField(_l("Hạn hoàn thành"))


class RoundForm(PageForm):
    name = StringField(_l("Tên đợt"), [InputRequired(REQUIRED), Length(max=255)])
    plan_reference = StringField(_l("Căn cứ (kế hoạch)"), [Length(max=120)])
    year = IntegerField(_l("Năm"), [InputRequired(REQUIRED), NumberRange(2000, 2200)])
    dossier_days = IntegerField(_l("Số ngày gửi hồ sơ trước hội nghị"),
                                [InputRequired(REQUIRED), NumberRange(0, 90)], default=15)
    scan_retention_days = IntegerField(
        _l("Số ngày giữ ảnh phiếu quét sau khi chứng nhận kết quả"),
        [Optional(), NumberRange(0, 3650)], default=30)
    low_rise_points = IntegerField(
        _l("Đánh dấu người có tỷ lệ phiếu tín nhiệm thấp tăng hơn (điểm %) so với đợt trước"),
        [Optional(), NumberRange(0, 100)], default=10)
    exempt_retirement_notice = BooleanField(_l("Miễn: đã có thông báo nghỉ hưu"), default=True)
    exempt_appointed_this_year = BooleanField(
        _l("Miễn: được bầu, bổ nhiệm trong năm lấy phiếu"), default=True)
    categories = FieldList(FormField(CategoryForm), min_entries=3)
    unit_ids = SelectMultipleField(_l("Đơn vị tham gia"), validate_choice=False)

    def data_for_service(self) -> dict:
        return {
            "name": self.name.data, "plan_reference": self.plan_reference.data,
            "year": self.year.data, "dossier_days": self.dossier_days.data,
            "scan_retention_days": 30 if self.scan_retention_days.data is None
            else self.scan_retention_days.data,
            "low_rise_points": 10 if self.low_rise_points.data is None
            else self.low_rise_points.data,
            "exempt_retirement_notice": self.exempt_retirement_notice.data,
            "exempt_appointed_this_year": self.exempt_appointed_this_year.data,
            "categories": [c for c in self.categories.data if (c.get("name") or "").strip()],
            "unit_ids": self.unit_ids.data,
        }


class CadreForm(PageForm):
    """A cadre as the registry names them (the province's entry, or a unit's request)."""

    cadre_code = StringField(_l("Mã cán bộ"), [InputRequired(REQUIRED), Length(max=40)])
    full_name = StringField(_l("Họ và tên"), [InputRequired(REQUIRED), Length(max=200)])
    post = StringField(_l("Chức vụ"), [InputRequired(REQUIRED), Length(max=255)])


class CadreEntryForm(CadreForm):
    unit_id = SelectField(_l("Đơn vị được lấy phiếu"), validate_choice=False)


class CadreRequestForm(CadreForm):
    note = TextAreaField(_l("Ghi chú cho Ban Tổ chức Tỉnh ủy"), [Length(max=1000)])


class DeclineForm(PageForm):
    reason = TextAreaField(_l("Lý do không chấp thuận"), [InputRequired(REQUIRED),
                                                          Length(max=1000)])
