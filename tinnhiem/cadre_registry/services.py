"""The standing cadre registry's rules: reading (in the caller's scope), and the province's
hand edits. One cadre code is one person: it carries one name across the province's units.
The caller commits."""
import datetime as dt
import unicodedata
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from tinnhiem.cadre_registry.models import CadrePost
from tinnhiem.platform.audit.services import record
from tinnhiem.platform.collation import fold, person_sort_key, search_key
from tinnhiem.platform.errors import ServiceError
from tinnhiem.platform.inputs import as_uuid, normalize_code, optional_text, required_text
from tinnhiem.rounds.models import utc_now
from tinnhiem.rounds.services import require_province_admin
from tinnhiem.tenants.models import Unit

PER_PAGE = 50
MAX_PAGE = 10_000
MAX_QUERY = 100
FIELDS = ("full_name", "post", "held_since", "held_until", "note")  # what a correction sets
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2200, 12, 31)


@dataclass
class Page:
    rows: list  # CadrePost, each with `unit_name` set
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


SEARCH_KEY_LENGTH = CadrePost.search_key.type.length


def post_key(post: str) -> str:
    return unicodedata.normalize("NFC", post).casefold()[:255]


def parse_date(value, field: str, required: bool) -> dt.date | None:
    """A date as a form, the API or a sheet gives it: a date, ISO (2024-05-01, with a time
    after it as a spreadsheet's date cell reads) or as written in Vietnam (01/05/2024)."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        day = value
    elif value is None or not str(value).strip():
        if required:
            raise ServiceError("required", _l("Trường này là bắt buộc."), field=field)
        return None
    else:
        day = _date_text(str(value).strip(), field)
    if not EARLIEST <= day <= LATEST:
        raise ServiceError("invalid_date", _l("Ngày không hợp lệ."), field=field)
    return day


def _date_text(text: str, field: str) -> dt.date:
    text = text[:10] if len(text) > 10 and text[10] in " T" else text
    for separator in "/-.":
        parts = text.split(separator)
        if len(parts) == 3 and all(p.isascii() and p.isdigit() for p in parts):
            try:
                if len(parts[0]) == 4:
                    return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
                if len(parts[2]) == 4:
                    return dt.date(int(parts[2]), int(parts[1]), int(parts[0]))
            except ValueError:
                break
    raise ServiceError("invalid_date", _l("Ngày không hợp lệ (ngày/tháng/năm hoặc"
                                          " năm-tháng-ngày)."), field=field)


def clean_fields(data: dict) -> dict:
    """The checked values of a post as typed (form, API or a sheet's row)."""
    name = unicodedata.normalize("NFC", required_text(data.get("full_name"), "full_name", 200))
    post = unicodedata.normalize("NFC", required_text(data.get("post"), "post", 255))
    since = parse_date(data.get("held_since"), "held_since", required=True)
    until = parse_date(data.get("held_until"), "held_until", required=False)
    if until is not None and until < since:
        raise ServiceError("invalid_period", _l("Ngày thôi giữ chức vụ phải sau ngày bắt đầu."),
                           field="held_until")
    note = optional_text(data.get("note"), "note", 1000)
    if any(ord(ch) < 32 and ch not in "\n\t" or ord(ch) == 127 for ch in note):
        raise ServiceError("invalid_characters", _l("Có ký tự không hợp lệ."), field="note")
    return {"full_name": name, "post": post, "held_since": since, "held_until": until,
            "note": note}


def clean_code(value) -> str:
    return normalize_code(value, "cadre_code")


def set_name(post: CadrePost, full_name: str) -> None:
    post.full_name = full_name
    post.name_key = person_sort_key(full_name)
    set_search_key(post)


def set_post(post: CadrePost, text: str) -> None:
    post.post, post.post_key = text, post_key(text)
    set_search_key(post)


def set_search_key(post) -> None:
    """What the registry's search looks in: the person's name and code, and the post."""
    # Folding may lengthen a text (casefold: "ß" is "ss"): kept within the column.
    post.search_key = search_key(post.full_name, post.cadre_code, post.post)[:SEARCH_KEY_LENGTH]


# Reading ---------------------------------------------------------------------------------

def search(session, *, text: str = "", unit_id=None, include_ended: bool = False,
           page: int = 1, per_page: int = PER_PAGE) -> Page:
    """A page of posts in the caller's scope, in Vietnamese list order, matching `text` in
    the person's name or code, the post, or the unit's name or code (diacritics ignored)."""
    query = select(CadrePost, Unit.name).join(Unit, Unit.id == CadrePost.unit_id)
    wanted = fold(str(text or "")[:MAX_QUERY])
    if wanted:
        query = query.where(or_(CadrePost.search_key.contains(wanted, autoescape=True),
                                Unit.search_key.contains(wanted, autoescape=True)))
    if unit_id:
        query = query.where(CadrePost.unit_id == as_uuid(unit_id, "unit_id"))
    if not include_ended:
        query = query.where(CadrePost.held_until.is_(None))
    page = min(max(int(page or 1), 1), MAX_PAGE)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    found = session.execute(query.order_by(CadrePost.name_key, CadrePost.cadre_code,
                                           Unit.name_key, CadrePost.held_since.desc())
                            .limit(per_page).offset((page - 1) * per_page)).all()
    rows = []
    for post, unit_name in found:
        post.unit_name = unit_name
        rows.append(post)
    return Page(rows, total, page, per_page)


def get_post(session, post_id) -> CadrePost | None:
    return session.scalar(select(CadrePost).where(CadrePost.id == post_id))


def current_posts(session, unit_ids=None, codes=None) -> list[CadrePost]:
    """Current posts in the caller's scope, optionally of some units or people only."""
    query = select(CadrePost).where(CadrePost.held_until.is_(None))
    if unit_ids is not None:
        query = query.where(CadrePost.unit_id.in_(list(unit_ids)))
    if codes is not None:
        query = query.where(CadrePost.cadre_code.in_(list(codes)))
    return list(session.scalars(query.order_by(CadrePost.cadre_code, CadrePost.unit_id,
                                               CadrePost.held_since, CadrePost.post_key)))


def held_by_code(session, unit_id, codes) -> dict:
    """code -> the current posts each cadre holds in the unit (what a unit admin picking
    cadres for its ballot reads beside the round's entries)."""
    held: dict = {}
    for post in current_posts(session, unit_ids=[unit_id], codes=set(codes)):
        held.setdefault(post.cadre_code, []).append(post)
    return held


def unit_in_scope(session, unit_id) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.id == as_uuid(unit_id, "unit_id")))
    if unit is None:
        raise ServiceError("unknown_unit", _l("Không có đơn vị này trong tỉnh."),
                           field="unit_id")
    return unit


# The province's writes -------------------------------------------------------------------

def lock_registry(session, province_id) -> None:
    """Writers of one province's registry go one after another (the province's root row,
    FOR NO KEY UPDATE: foreign keys to it still pass), so two of them cannot give one code
    two names at the same moment."""
    session.scalar(select(Unit.id).where(Unit.id == province_id)
                   .with_for_update(key_share=True))


def name_conflict(code: str, name: str) -> ServiceError:
    return ServiceError(
        "name_conflict",
        _l("Mã cán bộ %(code)s đã được dùng cho «%(name)s»; mỗi mã chỉ thuộc về một người."
           " Hãy kiểm tra lại mã, hoặc sửa họ tên của người này.", code=code, name=name),
        field="full_name", status=409)


def known_name(session, province_id, code: str) -> str | None:
    return session.scalar(select(CadrePost.full_name).where(
        CadrePost.province_id == province_id, CadrePost.cadre_code == code).limit(1))


def _require_free(session, unit: Unit, code: str, key: str, but=None) -> None:
    query = select(CadrePost.id).where(CadrePost.unit_id == unit.id,
                                       CadrePost.cadre_code == code, CadrePost.post_key == key,
                                       CadrePost.held_until.is_(None))
    if but is not None:
        query = query.where(CadrePost.id != but.id)
    if session.scalar(query.limit(1)) is not None:
        raise ServiceError("already_held",
                           _l("Cán bộ %(code)s đang giữ chức vụ này ở %(unit)s.", code=code,
                              unit=unit.name), field="post", status=409)


def flush_posts(session) -> None:
    """Flush in a savepoint: a unique refused by another writer is a 409, and the
    transaction stays usable."""
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise ServiceError("registry_busy", _l("Danh sách vừa được người khác thay đổi; hãy"
                                               " thử lại."), status=409) from None


def audit(session, actor, action: str, post: CadrePost, **details) -> None:
    record(session, action, actor=actor, province_id=post.province_id, unit_id=post.unit_id,
           target=post.id, details={"cadre": post.cadre_code, **details})


def add_post(session, actor, data: dict) -> CadrePost:
    require_province_admin(actor)
    code = clean_code(data.get("cadre_code"))
    fields = clean_fields(data)
    unit = unit_in_scope(session, data.get("unit_id"))
    lock_registry(session, unit.province_id)
    known = known_name(session, unit.province_id, code)
    if known is not None and known != fields["full_name"]:
        raise name_conflict(code, known)
    if fields["held_until"] is None:
        _require_free(session, unit, code, post_key(fields["post"]))
    post = CadrePost(province_id=unit.province_id, unit_id=unit.id, cadre_code=code,
                     held_since=fields["held_since"], held_until=fields["held_until"],
                     note=fields["note"])
    set_name(post, fields["full_name"])
    set_post(post, fields["post"])
    session.add(post)
    flush_posts(session)
    audit(session, actor, "cadre_post.added", post)
    return post


def rename(session, province_id, code: str, full_name: str) -> int:
    """The person's name on every post of their code (the code is the person)."""
    posts = list(session.scalars(select(CadrePost).where(
        CadrePost.province_id == province_id, CadrePost.cadre_code == code,
        CadrePost.full_name != full_name)))
    for post in posts:
        set_name(post, full_name)
    return len(posts)


def update_post(session, actor, post: CadrePost, data: dict) -> CadrePost:
    """Correct a post: the name (on every post of the person), the post's title, its dates,
    the note. The code and the unit stay: a post held elsewhere is another post."""
    require_province_admin(actor)
    fields = clean_fields({name: data[name] if name in data else getattr(post, name)
                           for name in FIELDS})
    unit = unit_in_scope(session, post.unit_id)
    lock_registry(session, post.province_id)
    if fields["held_until"] is None:
        _require_free(session, unit, post.cadre_code, post_key(fields["post"]), but=post)
    changed = sorted(name for name in FIELDS if getattr(post, name) != fields[name])
    renamed = rename(session, post.province_id, post.cadre_code, fields["full_name"])
    set_post(post, fields["post"])
    post.held_since, post.held_until = fields["held_since"], fields["held_until"]
    post.note, post.updated_at = fields["note"], utc_now()
    flush_posts(session)
    audit(session, actor, "cadre_post.updated", post, changed=changed, renamed_posts=renamed)
    return post


def end_post(session, actor, post: CadrePost, held_until=None) -> CadrePost:
    """The cadre no longer holds the post (from `held_until`, today if not given); the post
    stays as history."""
    require_province_admin(actor)
    if post.held_until is not None:
        raise ServiceError("already_ended", _l("Chức vụ này đã kết thúc."), status=409)
    until = parse_date(held_until, "held_until", required=False) or dt.date.today()
    if until < post.held_since:
        raise ServiceError("invalid_period", _l("Ngày thôi giữ chức vụ phải sau ngày bắt đầu."),
                           field="held_until")
    post.held_until, post.updated_at = until, utc_now()
    session.flush()
    audit(session, actor, "cadre_post.ended", post, held_until=until.isoformat())
    return post
