from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, IntegerField
from wtforms.validators import InputRequired, NumberRange, Optional

from tinnhiem.platform.forms import PageForm
from tinnhiem.voting.codes import MAX_BATCH

REQUIRED = _l("Trường này là bắt buộc.")


class IssueCodesForm(PageForm):
    count = IntegerField(_l("Số mã cần phát"), [InputRequired(REQUIRED), NumberRange(1, MAX_BATCH)])


class CloseVoteForm(PageForm):
    ballots_issued = IntegerField(_l("Số phiếu đã phát ra"), [Optional(), NumberRange(0, 100000)])


class PaperBallotForm(PageForm):
    """The per-ballot flags; the rows are read from the request (one field per person)."""

    not_issued = BooleanField(_l("Phiếu không do Ban kiểm phiếu phát ra"))
    blank = BooleanField(_l("Phiếu trắng (không đánh dấu gì)"))
    extra_names = BooleanField(_l("Có ghi thêm tên ngoài danh sách"))


class TotalsForm(PageForm):
    collected = IntegerField(_l("Số phiếu thu về"), [InputRequired(REQUIRED), NumberRange(0, 100000)])


class AcceptForm(PageForm):
    sheet_id = HiddenField()
