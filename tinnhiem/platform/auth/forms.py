from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from tinnhiem.platform.auth.passwords import MAX_LENGTH, MIN_LENGTH

REQUIRED = _l("Trường này là bắt buộc.")


class LoginForm(FlaskForm):
    username = StringField(_l("Tên đăng nhập"), [DataRequired(REQUIRED), Length(max=80)])
    password = PasswordField(_l("Mật khẩu"), [DataRequired(REQUIRED), Length(max=MAX_LENGTH)])


class TotpForm(FlaskForm):
    code = StringField(_l("Mã xác thực (6 chữ số)"), [DataRequired(REQUIRED), Length(max=10)])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Mật khẩu hiện tại"), [DataRequired(REQUIRED)])
    password = PasswordField(
        _l("Mật khẩu mới"),
        [DataRequired(REQUIRED),
         Length(min=MIN_LENGTH, max=MAX_LENGTH,
                message=_l("Mật khẩu phải có từ %(min)d đến %(max)d ký tự."))],
    )
    confirm = PasswordField(
        _l("Nhập lại mật khẩu mới"),
        [DataRequired(REQUIRED), EqualTo("password", message=_l("Hai mật khẩu không khớp."))],
    )


class DisableTotpForm(FlaskForm):
    password = PasswordField(_l("Mật khẩu"), [DataRequired(REQUIRED)])
