"""The report upward (báo cáo gửi cấp trên): the province's consolidated report of a round to
the centre, in the format of party documents (Hướng dẫn 36-HD/VPTW): issuing body and
number, the national-party heading with place and date, title and abstract, the summary
tables the centre asks for (people per post category and band, per unit type and band), the
follow-up of the low bands, the signature block and the recipients.

What the admin types (the letterhead) is checked here, for the form and the API alike; the
figures are summed from the counts kept per certified conference (counting.RollupCount),
never from ballots. compose() turns both into one Report of Vietnamese strings, which the
PDF template and the DOCX writer lay out alike, so the two files cannot disagree."""
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from tinnhiem.counting.bands import band_label, share
from tinnhiem.counting.models import RollupCount
from tinnhiem.platform.collation import sort_key
from tinnhiem.platform.errors import ServiceError
from tinnhiem.platform.formats import integer, locality, percent, place_and_date
from tinnhiem.platform.inputs import required_text
from tinnhiem.rollup import progress as round_progress
from tinnhiem.rollup.services import BANDS
from tinnhiem.tenants.models import Unit, UnitType

FIELD_LIMITS = {"number": 40, "authority": 120, "signer_title": 120, "signer_name": 120,
                "place": 80}
RECIPIENT_LENGTH = 200
MAX_RECIPIENTS = 20
# Follow-up of a person in a low band (followup.services.status_counts): its states in the
# order the report lists them; "overdue" counts those of them past their deadline.
FOLLOW_UP_STATES = ("pending", "in_progress", "decided", "no_action")
OVERDUE = "overdue"
FOLLOW_UP_LABELS = {
    "pending": _l("Chưa xem xét"),
    "in_progress": _l("Đang xem xét"),
    "decided": _l("Đã có quyết định xử lý"),
    "no_action": _l("Xem xét, không xử lý"),
    OVERDUE: _l("Trong đó: quá hạn xem xét"),
}
# Characters XML 1.0 (so a DOCX) cannot hold; the request checks already refuse NUL and lone
# surrogates, but U+FFFE, U+FFFF and the C0 controls would reach python-docx and fail there.
NOT_IN_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# "Số 12-BC/TU": the word is part of the layout, so a number typed with it is not doubled.
NUMBER_WORD = re.compile(r"^số\s*:?\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Letterhead:
    """What the admin types: the document's number, who signs, where and when, and whom
    it goes to."""
    number: str
    recipients: tuple[str, ...]
    authority: str  # "T/M BAN THƯỜNG VỤ"
    signer_title: str  # "PHÓ BÍ THƯ THƯỜNG TRỰC"
    signer_name: str
    place: str
    issued_on: dt.date

    def as_details(self) -> dict:
        """What the audit entry keeps of it."""
        return {"number": self.number, "issued_on": self.issued_on.isoformat(),
                "recipients": len(self.recipients)}


def _text(value, field: str) -> str:
    text = required_text(value, field, FIELD_LIMITS.get(field, RECIPIENT_LENGTH))
    if NOT_IN_XML.search(text):
        raise ServiceError("invalid_characters", _l("Có ký tự không hợp lệ."), field=field)
    return text


def _recipients(value) -> tuple[str, ...]:
    """One recipient a line (a list, or text with a line each); blank lines dropped, a
    leading dash too (the layout writes it)."""
    lines = value.splitlines() if isinstance(value, str) else list(value or [])
    if not all(isinstance(line, str) for line in lines):
        raise ServiceError("invalid_recipients", _l("Nơi nhận không hợp lệ."),
                           field="recipients")
    kept = [line.strip().lstrip("-–").strip() for line in lines]
    kept = [line for line in kept if line]
    if not kept:
        raise ServiceError("required", _l("Cần ít nhất một nơi nhận."), field="recipients")
    if len(kept) > MAX_RECIPIENTS:
        raise ServiceError("too_many_recipients",
                           _l("Nhiều nhất %(n)d nơi nhận.", n=MAX_RECIPIENTS),
                           field="recipients")
    return tuple(_text(line, "recipients") for line in kept)


def _issued_on(value) -> dt.date:
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value or "").strip())
        except ValueError:
            raise ServiceError("invalid_date", _l("Ngày không hợp lệ (định dạng năm-tháng-ngày)."),
                               field="issued_on") from None
    if not 2000 <= day.year <= 2200:
        raise ServiceError("invalid_date", _l("Năm ban hành phải từ 2000 đến 2200."),
                           field="issued_on")
    return day


def letterhead(values: dict, *, place: str, today: dt.date) -> Letterhead:
    """The letterhead from what was typed (a form's or the API's fields), blank place and
    date taken as the province's place and today. Refusals name their field."""
    number = NUMBER_WORD.sub("", str(values.get("number") or "").strip())
    return Letterhead(
        number=_text(number, "number"),
        recipients=_recipients(values.get("recipients")),
        authority=_text(values.get("authority"), "authority"),
        signer_title=_text(values.get("signer_title"), "signer_title"),
        signer_name=_text(values.get("signer_name"), "signer_name"),
        place=_text(values.get("place") or place, "place"),
        issued_on=_issued_on(values.get("issued_on") or today))


def defaults(province_name: str, today: dt.date) -> dict:
    """What the form offers before anything is typed: in Vietnamese, as the document is."""
    with force_locale("vi"):
        return _defaults(province_name, committee_of(province_name), today)


def _defaults(province_name: str, committee: str, today: dt.date) -> dict:
    return {"place": locality(province_name), "issued_on": today,
            "authority": _("T/M BAN THƯỜNG VỤ"), "signer_title": _("PHÓ BÍ THƯ THƯỜNG TRỰC"),
            "recipients": "\n".join((_("Ban Tổ chức Trung ương (để báo cáo),"),
                                     _("Thường trực %(c)s,", c=committee),
                                     _("Lưu Văn phòng %(c)s.", c=committee)))}


def committee_of(province_name: str) -> str:
    """"Tỉnh ủy Phú Thọ" → "Tỉnh ủy": how a province's own documents name its committee."""
    name = unicodedata.normalize("NFC", " ".join(province_name.split()))
    place = locality(name)
    if place == name:
        return name  # no committee prefix: the name is the committee's
    return name[:len(name) - len(place)].strip()


# --- the figures -------------------------------------------------------------------------

@dataclass
class BandRow:
    """People per band in one group (a post category, a unit type, or all)."""
    label: str
    people: dict

    @property
    def total(self) -> int:
        return sum(self.people.values())

    def cells(self) -> list[str]:
        """The row as the tables print it: total, then each band's people and share."""
        out = [integer(self.total)]
        for band in BANDS:
            out += [integer(self.people[band]), percent(share(self.people[band], self.total))]
        return out


def _rows(grouped: dict, labels: list[tuple]) -> list[BandRow]:
    """A row per (key, label) in that order, then the total row."""
    rows = [BandRow(label, {b: grouped.get((key, b), 0) for b in BANDS}) for key, label in labels]
    total = BandRow(_("Tổng cộng"), {b: sum(r.people[b] for r in rows) for b in BANDS})
    return rows + [total]


def by_category(session, round_) -> list[BandRow]:
    """People per post category and band, the categories in the round's order."""
    grouped = {(category, BANDS[severity]): people for category, severity, people in
               session.execute(select(RollupCount.category_id, RollupCount.severity,
                                      func.sum(RollupCount.people))
                               .where(RollupCount.round_id == round_.id)
                               .group_by(RollupCount.category_id, RollupCount.severity))}
    return _rows(grouped, [(c.id, c.name) for c in round_.categories])


def by_unit_type(session, round_id) -> list[BandRow]:
    """People per unit type and band (the type the unit has now: a type is data), the types
    with anyone certified, by name."""
    grouped, names = {}, {}
    for type_id, name, severity, people in session.execute(
            select(UnitType.id, UnitType.name, RollupCount.severity,
                   func.sum(RollupCount.people))
            .join(Unit, Unit.id == RollupCount.unit_id)
            .join(UnitType, UnitType.id == Unit.type_id)
            .where(RollupCount.round_id == round_id)
            .group_by(UnitType.id, UnitType.name, RollupCount.severity)):
        grouped[(type_id, BANDS[severity])] = people
        names[type_id] = name
    return _rows(grouped, sorted(names.items(), key=lambda item: sort_key(item[1])))


# --- the document ------------------------------------------------------------------------

@dataclass
class Table:
    """A table of the report: an optional row of column groups ((label, columns spanned);
    a group spanning one column heads it alone, over both header rows), the column heads,
    the rows (strings, as printed); the last row is a total when `total` is set."""
    caption: str
    columns: list
    rows: list
    groups: list | None = None
    total: bool = True


@dataclass
class Report:
    """The report as printed: every string in Vietnamese, laid out alike by the PDF template
    and the DOCX writer. `blocks` is the body: ("heading" | "paragraph" | "note", text) or
    ("table", Table)."""
    issuer: str
    number: str
    motto: str
    place_and_date: str
    title: str
    abstract: str
    blocks: list
    authority: str
    signer_title: str
    signer_name: str
    recipients_heading: str
    recipients: list


def band_table(caption: str, first_column: str, rows: list[BandRow]) -> Table:
    groups = [(first_column, 1), (_("Tổng số người"), 1),
              *((band_label(band), 2) for band in BANDS)]
    columns = [first_column, _("Tổng số người"), *(_("Số người"), _("Tỷ lệ")) * len(BANDS)]
    return Table(caption, columns, [[row.label, *row.cells()] for row in rows], groups)


def follow_up_blocks(follow_up: dict, low_people: int) -> list:
    """The follow-up of the people in the low bands, from whatever counts are given (state ->
    people; OVERDUE among them); none given: said so."""
    blocks = [("paragraph", _("Số người có trên 50%% phiếu tín nhiệm thấp thuộc diện xem xét: "
                              "%(n)s người.", n=integer(low_people)))]
    if not low_people:
        return blocks
    if not follow_up:
        return blocks + [("note", _("Chưa có số liệu theo dõi việc xem xét, xử lý."))]
    counted = [(state, int(follow_up.get(state) or 0)) for state in FOLLOW_UP_STATES]
    rows = [[str(FOLLOW_UP_LABELS[state]), integer(number)] for state, number in counted]
    rows.append([str(FOLLOW_UP_LABELS[OVERDUE]), integer(int(follow_up.get(OVERDUE) or 0))])
    rows.append([_("Tổng cộng"), integer(sum(number for _state, number in counted))])
    return blocks + [("table", Table(_("Bảng 3. Tình hình xem xét, xử lý sau lấy phiếu"),
                                     [_("Tình trạng"), _("Số người")], rows))]


def _intro(round_, committee: str) -> str:
    plan = (" " + _("và %(plan)s", plan=round_.plan_reference)) if round_.plan_reference else ""
    return _("Thực hiện Quy định số 96-QĐ/TW, ngày 02-02-2023 của Bộ Chính trị về lấy phiếu tín"
             " nhiệm đối với chức vụ lãnh đạo, quản lý trong hệ thống chính trị%(plan)s, Ban"
             " Thường vụ %(committee)s báo cáo kết quả lấy phiếu tín nhiệm (%(round)s) như sau:",
             plan=plan, committee=committee, round=round_.name)


def _progress_text(progress: dict) -> str:
    totals = progress["totals"]
    return _("Số đơn vị tham gia: %(n)s; đã hoàn thành: %(d)s; đang thực hiện: %(p)s; chưa"
             " thực hiện: %(s)s.", n=integer(progress["participating"]),
             d=integer(totals["done"]), p=integer(totals["in_progress"]),
             s=integer(totals["not_started"]))


def _results_text(total: BandRow) -> str:
    parts = [_("%(band)s: %(n)s người (%(share)s)", band=band_label(band),
               n=integer(total.people[band]), share=percent(share(total.people[band],
                                                                  total.total)))
             for band in BANDS]
    return _("Tổng số người được lấy phiếu đã có kết quả được chứng nhận: %(t)s người; trong"
             " đó: %(parts)s.", t=integer(total.total), parts="; ".join(parts))


def compose(session, round_, province_name: str, head: Letterhead, follow_up: dict) -> Report:
    """The report of `round_` (its certified results now) under `head`, with the follow-up
    counts given (state -> people, see FOLLOW_UP_STATES)."""
    with force_locale("vi"):  # an official document, whatever language the page is in
        categories = by_category(session, round_)
        unit_types = by_unit_type(session, round_.id)
        total = categories[-1]
        committee = committee_of(province_name)
        blocks = [
            ("paragraph", _intro(round_, committee)),
            ("heading", _("I- TÌNH HÌNH TRIỂN KHAI")),
            ("paragraph", _progress_text(round_progress.progress(session, round_, limit=0))),
            ("heading", _("II- KẾT QUẢ LẤY PHIẾU TÍN NHIỆM")),
            ("paragraph", _results_text(total)),
            ("table", band_table(_("Bảng 1. Kết quả theo nhóm chức danh"),
                                 _("Nhóm chức danh"), categories)),
            ("table", band_table(_("Bảng 2. Kết quả theo loại đơn vị"), _("Loại đơn vị"),
                                 unit_types)),
            ("note", _("Tỷ lệ tính trên tổng số người của từng dòng.")),
            ("heading", _("III- VIỆC XEM XÉT, XỬ LÝ SAU LẤY PHIẾU")),
            *follow_up_blocks(follow_up, total.total - total.people[BANDS[-1]]),
        ]
        return Report(
            issuer=province_name.upper(), number=_("Số %(number)s", number=head.number),
            motto=_("ĐẢNG CỘNG SẢN VIỆT NAM"),
            place_and_date=place_and_date(head.place, head.issued_on), title=_("BÁO CÁO"),
            abstract=_("kết quả lấy phiếu tín nhiệm đối với cán bộ lãnh đạo, quản lý năm %(y)s",
                       y=round_.year),
            blocks=blocks, authority=head.authority.upper(),
            signer_title=head.signer_title.upper(), signer_name=head.signer_name,
            recipients_heading=_("Nơi nhận:"),
            recipients=[f"- {line}" for line in head.recipients])
