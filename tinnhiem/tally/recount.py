"""Reading the figures again from what was sealed, and the balances of DESIGN.md they must
keep before anything is recorded from them."""
from flask_babel import lazy_gettext as _l

from tinnhiem.platform.errors import ServiceError
from tinnhiem.tally.seal import seal_digest
from tinnhiem.tally.totals import accepted_sheet, ballots_tally, sheet_tally
from tinnhiem.tally.validity import Tally


def recount(session, conference) -> Tally:
    """The figures, read again from what was sealed; refused if it no longer matches the seal."""
    if not conference.seal_digest:
        raise ServiceError("not_sealed", _l("Chưa niêm phong: hãy kết thúc bỏ phiếu (phiếu giấy:"
                                            " chốt bảng nhập) trước khi kiểm phiếu."), status=409)
    sheet = accepted_sheet(session, conference) if conference.mode == "paper" else None
    if seal_digest(session, conference, sheet) != conference.seal_digest:
        raise ServiceError("seal_broken", _l("Dữ liệu phiếu không khớp với niêm phong. Không thể"
                                             " kiểm phiếu; hãy báo cho quản trị hệ thống."),
                           status=409)
    if sheet is not None:
        return sheet_tally(session, conference, sheet)
    return ballots_tally(session, conference)


def check_balances(conference, figures: Tally, codes: dict | None = None) -> None:
    """Collected ≤ issued, every person's rows add up to the ballots collected and, for an
    electronic vote, the codes issued = ballots cast + codes not used (`codes`: the code
    counts by state, which voting keeps)."""
    if codes is not None:
        unused = codes["void"] + codes["unused"]
        if codes["issued"] != figures.collected + unused:
            raise ServiceError(
                "unbalanced",
                _l("Số mã phát ra (%(i)d) khác số phiếu đã bỏ (%(c)d) cộng số mã không dùng"
                   " (%(u)d).", i=codes["issued"], c=figures.collected, u=unused), status=409)
    issued = conference.ballots_issued or 0
    if figures.collected > issued:
        raise ServiceError("integrity_alert",
                           _l("Cảnh báo: số phiếu thu về (%(c)d) lớn hơn số phiếu phát ra (%(i)d).",
                              c=figures.collected, i=issued), status=409)
    for person in figures.people.values():
        if person.valid + person.invalid != figures.collected:
            raise ServiceError("unbalanced", _l("Số phiếu theo người không khớp số phiếu thu về."),
                               status=409)
