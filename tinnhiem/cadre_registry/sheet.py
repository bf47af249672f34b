"""Importing the province's own list of posts (XLSX or CSV): all or nothing, every bad row
named. A row updates the current post of the same (code, unit, post) or adds one. The caller
commits (a refusal is rolled back whole)."""
import hashlib

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from tinnhiem.cadre_registry import services
from tinnhiem.cadre_registry.models import CadrePost
from tinnhiem.platform.audit.services import record
from tinnhiem.platform.collation import fold
from tinnhiem.platform.errors import ServiceError
from tinnhiem.platform.sheet_import import ImportErrors, read_rows, sheet_kind
from tinnhiem.platform.xlsx_export import Column, write_table
from tinnhiem.rounds.services import require_province_admin
from tinnhiem.tenants.models import Unit

MAX_ROWS = 5000  # a province's leading posts run to a few thousand
MAX_COLUMNS = 12  # the columns read, with room for a row number and the province's extras
# Each field and the headers (folded: no diacritics, lower case) that name it.
HEADERS = {
    "cadre_code": {"ma can bo", "ma cb", "cadre code", "code"},
    "full_name": {"ho va ten", "ho ten", "full name", "name"},
    "post": {"chuc vu", "post", "position"},
    "unit": {"don vi", "ma don vi", "unit", "unit code"},
    "held_since": {"tu ngay", "giu chuc vu tu ngay", "ngay bo nhiem", "held since", "since"},
    "held_until": {"den ngay", "thoi giu chuc vu tu ngay", "held until", "until"},
    "note": {"ghi chu", "note"},
}
REQUIRED = ("cadre_code", "full_name", "post", "unit", "held_since")
# The list a province downloads to fill in: headers the import recognises.
TEMPLATE_COLUMNS = (Column(_l("Mã cán bộ"), 16), Column(_l("Họ và tên"), 30),
                    Column(_l("Chức vụ"), 36), Column(_l("Mã đơn vị"), 16),
                    Column(_l("Từ ngày"), 14), Column(_l("Đến ngày"), 14),
                    Column(_l("Ghi chú"), 30))


def template():
    """An empty list to fill in, as an open temporary XLSX file (see write_table)."""
    return write_table(_l("Danh sách cán bộ"), TEMPLATE_COLUMNS, [])


def _columns(header: list[str]) -> dict:
    folded = [fold(cell) for cell in header]
    found = {field: next((i for i, cell in enumerate(folded) if cell in names), None)
             for field, names in HEADERS.items()}
    missing = [field for field in REQUIRED if found[field] is None]
    if missing:
        raise ServiceError("missing_columns", _l(
            "Dòng đầu của tệp phải có các cột: Mã cán bộ, Họ và tên, Chức vụ, Mã đơn vị,"
            " Từ ngày (có thể thêm Đến ngày, Ghi chú). Hãy dùng tệp mẫu."), field="file")
    return {field: at for field, at in found.items() if at is not None}


def parse(filename: str, content: bytes) -> list[tuple[int, dict]]:
    """(row number, the row's values by field) for each row under the header row."""
    kind = sheet_kind(filename, content)
    rows = read_rows(kind, content, max_rows=MAX_ROWS + 1, max_columns=MAX_COLUMNS)
    if not rows:
        raise ServiceError("empty_file", _l("Tệp không có dòng nào."), field="file")
    columns = _columns(rows[0][1])
    parsed = [(number, {field: cells[at] if at < len(cells) else ""
                        for field, at in columns.items()}) for number, cells in rows[1:]]
    if not parsed:
        raise ServiceError("empty_file", _l("Tệp không có dòng nào."), field="file")
    return parsed


class _Import:
    """One import's state: the province's units and posts read once, the file's rows
    checked against them and against each other."""

    def __init__(self, session, province_id):
        self.session = session
        units = list(session.scalars(select(Unit)))
        self.units = {fold(u.code): u for u in units}
        by_name: dict = {}
        for unit in units:
            by_name.setdefault(fold(unit.name), []).append(unit)
        self.units_by_name = {name: found[0] for name, found in by_name.items()
                              if len(found) == 1}
        self.names: dict[str, str] = {}
        self.current: dict[tuple, CadrePost] = {}
        for post in session.scalars(select(CadrePost).where(
                CadrePost.province_id == province_id)):
            self.names.setdefault(post.cadre_code, post.full_name)
            if post.held_until is None:
                self.current[(post.unit_id, post.cadre_code, post.post_key)] = post
        self.seen: dict[tuple, int] = {}
        self.counts = {"added": 0, "updated": 0, "unchanged": 0}

    def unit(self, text: str) -> Unit:
        unit = self.units.get(fold(text)) or self.units_by_name.get(fold(text))
        if unit is None:
            raise ServiceError("unknown_unit", _l("Không có đơn vị «%(unit)s» trong tỉnh.",
                                                  unit=text[:80]), field="unit")
        return unit

    def row(self, number: int, values: dict) -> tuple:
        """The checked row, ready to apply; raises the row's first problem."""
        code = services.clean_code(values.get("cadre_code"))
        fields = services.clean_fields(values)
        unit = self.unit(values.get("unit", ""))
        known = self.names.setdefault(code, fields["full_name"])
        if known != fields["full_name"]:
            raise services.name_conflict(code, known)
        key = (unit.id, code, services.post_key(fields["post"]))
        if key in self.seen:
            raise ServiceError("duplicate_row", _l("Trùng với dòng %(n)d (cùng mã cán bộ, đơn"
                                                   " vị và chức vụ).", n=self.seen[key]))
        self.seen[key] = number
        return unit, code, key, fields

    def apply(self, unit: Unit, code: str, key: tuple, fields: dict) -> None:
        post = self.current.get(key)
        if post is None:
            post = CadrePost(province_id=unit.province_id, unit_id=unit.id, cadre_code=code)
            services.set_name(post, fields["full_name"])
            self.session.add(post)
            self.counts["added"] += 1
        elif all(getattr(post, name) == value for name, value in fields.items()):
            self.counts["unchanged"] += 1
            return
        else:
            self.counts["updated"] += 1
            post.updated_at = services.utc_now()
        services.set_post(post, fields["post"])
        post.held_since, post.held_until = fields["held_since"], fields["held_until"]
        post.note = fields["note"]


def import_posts(session, actor, filename: str, content: bytes) -> dict:
    """Read, check every row, then write them all: {"added", "updated", "unchanged"}.
    Raises ImportErrors naming each bad row (nothing is written)."""
    require_province_admin(actor)
    rows = parse(filename, content)
    services.lock_registry(session, actor.province_id)
    state = _Import(session, actor.province_id)
    checked, errors = [], []
    for number, values in rows:
        try:
            checked.append(state.row(number, values))
        except ServiceError as error:
            errors.append((number, str(error.message)))
    if errors:
        raise ImportErrors(errors)
    for row in checked:
        state.apply(*row)
    services.flush_posts(session)
    # One entry for the whole list, with the file's digest: thousands of rows would
    # otherwise be thousands of entries.
    record(session, "cadre_registry.imported", actor=actor, province_id=actor.province_id,
           details={**state.counts, "rows": len(rows),
                    "file": "".join(ch for ch in str(filename) if ch.isprintable())[:120],
                    "sha256": hashlib.sha256(content).hexdigest()})
    return state.counts
