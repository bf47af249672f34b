from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from tinnhiem.followup.labels import ACTION_LABELS, STATE_LABELS
from tinnhiem.followup.models import DECISION_NUMBER_MAX, NOTE_MAX
from tinnhiem.platform.forms import DateField, PageForm


class StepForm(PageForm):
    """One step about a person; the service checks what the chosen state needs."""

    state = SelectField(_l("Trạng thái sau bước này"), validate_choice=False,
                        choices=list(STATE_LABELS.items()))
    action = SelectField(_l("Hình thức xử lý (khi đã có quyết định)"), validate_choice=False,
                         choices=[("", _l("— Chọn —")), *ACTION_LABELS.items()])
    decision_number = StringField(_l("Số quyết định"), [Length(max=DECISION_NUMBER_MAX)])
    decision_date = DateField(_l("Ngày quyết định"))
    deadline = DateField(_l("Hạn xử lý (khi còn đang xử lý)"))
    note = TextAreaField(_l("Ghi chú / lý do"), [Length(max=NOTE_MAX)])


class RoundDeadlineForm(PageForm):
    deadline = DateField(_l("Hạn xử lý chung"), [InputRequired(_l("Hãy chọn hạn xử lý."))])
    note = TextAreaField(_l("Ghi chú"), [Length(max=NOTE_MAX)])
