from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from tinnhiem.platform.auth.roles import ROLE_LABELS
from tinnhiem.platform.forms import DateField, PageForm

REQUIRED = _l("Trường này là bắt buộc.")
TOO_LONG = _l("Dài quá %(max)d ký tự.")


def _text(label, max_length, required=True):
    checks = [DataRequired(REQUIRED)] if required else [Optional()]
    return StringField(label, checks + [Length(max=max_length, message=TOO_LONG)])


# Choices are checked by the services, which say why in Vietnamese.
def _select(label, **kwargs):
    return SelectField(label, validate_choice=False, **kwargs)


class UnitTypeForm(PageForm):
    code = _text(_l("Mã loại"), 40)
    name = _text(_l("Tên loại đơn vị"), 200)


class UnitForm(PageForm):
    name = _text(_l("Tên đơn vị"), 255)
    code = _text(_l("Mã đơn vị"), 40)
    type_id = _select(_l("Loại đơn vị"))
    parent_id = _select(_l("Đơn vị cấp trên"))
    valid_from = DateField(_l("Hiệu lực từ ngày"), [InputRequired(REQUIRED)])
    valid_to = DateField(_l("Hết hiệu lực từ sau ngày (để trống nếu còn hoạt động)"))
    predecessor_ids = SelectMultipleField(_l("Kế thừa từ các đơn vị"), validate_choice=False)

    def data_for_service(self) -> dict:
        return {
            "name": self.name.data, "code": self.code.data, "type_id": self.type_id.data,
            "parent_id": self.parent_id.data or None, "valid_from": self.valid_from.data,
            "valid_to": self.valid_to.data, "predecessor_ids": self.predecessor_ids.data or [],
        }


def role_choices():
    return [(role.value, label) for role, label in ROLE_LABELS.items()]


class AccountForm(PageForm):
    username = _text(_l("Tên đăng nhập"), 80)
    full_name = _text(_l("Họ và tên"), 200)
    role = _select(_l("Vai trò"), choices=role_choices)
    unit_id = _select(_l("Đơn vị"))
    password = PasswordField(
        _l("Mật khẩu tạm (để trống để hệ thống tự tạo)"),
        [Optional(), Length(max=200, message=TOO_LONG)],
    )


class AccountEditForm(PageForm):
    full_name = _text(_l("Họ và tên"), 200)
    role = _select(_l("Vai trò"), choices=role_choices)
    unit_id = _select(_l("Đơn vị"))
    active = BooleanField(_l("Đang hoạt động"))
