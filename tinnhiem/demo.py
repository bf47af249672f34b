"""`flask --app wsgi demo load`: a demo province so a newcomer sees the whole flow at once.
Passwords are random, printed on the first load and kept in instance/demo-accounts.txt."""
import datetime as dt
from pathlib import Path

import click
from flask import Blueprint, current_app
from sqlalchemy import select

from tinnhiem import demo_history
from tinnhiem.conferences.lifecycle import State
from tinnhiem.platform.auth.roles import Role
from tinnhiem.tenants import accounts, services
from tinnhiem.tenants.models import Unit
from tinnhiem.tenants.scope import unscoped

bp = Blueprint("demo", __name__, cli_group="demo")

D = dt.date
DISSOLVED = D(2025, 6, 30)   # the district level ended on 1/7/2025
REFORMED = D(2025, 7, 1)

UNIT_TYPES = [
    ("TINH-UY", "Tỉnh ủy"), ("HUYEN-UY", "Huyện ủy"), ("THANH-UY", "Thành ủy"),
    ("DANG-UY-KHOI", "Đảng ủy khối"), ("DANG-UY-XA", "Đảng ủy xã"),
    ("DANG-UY-PHUONG", "Đảng ủy phường"), ("DANG-UY-TRUC-THUOC", "Đảng ủy trực thuộc Tỉnh ủy"),
]

MERGED = "TU-VP"  # merged into Phú Thọ on 1/7/2025
# (code, name, type, parent code, valid from, valid to, predecessor codes)
PROVINCES = {
    "TU-VP": [
        ("TU-VP", "Tỉnh ủy Vĩnh Phúc", "TINH-UY", None, D(1997, 1, 1), DISSOLVED, []),
        ("HU-LAPTHACH", "Huyện ủy Lập Thạch", "HUYEN-UY", "TU-VP", D(1997, 1, 1), DISSOLVED, []),
    ],
    "TU-PT": [
        ("TU-PT", "Tỉnh ủy Phú Thọ", "TINH-UY", None, D(1997, 1, 1), None, ["TU-VP"]),
        ("HU-LAMTHAO", "Huyện ủy Lâm Thao", "HUYEN-UY", "TU-PT", D(1997, 1, 1), DISSOLVED, []),
        ("XA-XUANLUNG-CU", "Đảng ủy xã Xuân Lũng (cũ)", "DANG-UY-XA", "HU-LAMTHAO",
         D(1997, 1, 1), DISSOLVED, []),
        ("TP-VIETTRI", "Thành ủy Việt Trì", "THANH-UY", "TU-PT", D(1997, 1, 1), DISSOLVED, []),
        ("DUK-DN", "Đảng ủy Khối Doanh nghiệp tỉnh", "DANG-UY-KHOI", "TU-PT", D(2008, 1, 1),
         DISSOLVED, []),
        ("XA-LAMTHAO", "Đảng ủy xã Lâm Thao", "DANG-UY-XA", "TU-PT", REFORMED, None,
         ["HU-LAMTHAO", "XA-XUANLUNG-CU"]),
        ("PH-VIETTRI", "Đảng ủy phường Việt Trì", "DANG-UY-PHUONG", "TU-PT", REFORMED, None,
         ["TP-VIETTRI"]),
        ("PH-NONGTRANG", "Đảng ủy phường Nông Trang", "DANG-UY-PHUONG", "TU-PT", REFORMED,
         None, ["TP-VIETTRI"]),
        ("DU-CQD", "Đảng ủy các cơ quan Đảng tỉnh", "DANG-UY-TRUC-THUOC", "TU-PT", REFORMED,
         None, []),
        ("DU-UBND", "Đảng ủy Ủy ban nhân dân tỉnh", "DANG-UY-TRUC-THUOC", "TU-PT", REFORMED,
         None, ["DUK-DN"]),
        ("DU-CA", "Đảng ủy Công an tỉnh", "DANG-UY-TRUC-THUOC", "TU-PT", D(1997, 1, 1), None, []),
        ("DU-QS", "Đảng ủy Quân sự tỉnh", "DANG-UY-TRUC-THUOC", "TU-PT", D(1997, 1, 1), None, []),
    ],
}

# (username, full name, role, unit code)
ACCOUNTS = [
    ("vanhanh", "Nguyễn Văn Vận Hành", Role.OPERATOR, None),
    ("bantochuc", "Trần Thị Tổ Chức", Role.PROVINCE_ADMIN, "TU-PT"),
    ("thuongvu", "Lê Văn Thường Vụ", Role.PROVINCE_VIEWER, "TU-PT"),
    ("donvi", "Phạm Thị Đơn Vị", Role.UNIT_ADMIN, "PH-VIETTRI"),
    ("kiemphieu", "Hoàng Văn Kiểm Phiếu", Role.COUNTER, "PH-VIETTRI"),
    ("kiemphieu2", "Đặng Thị Kiểm Phiếu", Role.COUNTER, "PH-VIETTRI"),
]


def load_demo(session) -> tuple[list[tuple[str, str, str]], list[str]] | None:
    """Create the demo data in an empty database. Returns (username, role, password) rows and
    the voting links left for a newcomer, or None when units already exist (loaded once)."""
    if session.scalar(select(Unit.id).limit(1)) is not None:
        return None
    types = {code: services.save_unit_type(session, None, {"code": code, "name": name})
             for code, name in UNIT_TYPES}
    units: dict[str, Unit] = {}
    for province, rows in PROVINCES.items():
        for code, name, type_code, parent, start, end, previous in rows:
            units[code] = services.save_unit(session, None, {
                "code": code, "name": name, "type_id": types[type_code].id,
                "parent_id": units[parent].id if parent else None,
                # Vĩnh Phúc holds its 2023 round first, then ends (demo_history)
                "valid_from": start, "valid_to": None if province == MERGED else end,
                "predecessor_ids": [units[p].id for p in previous],
            })
    demo_history.vinh_phuc_round(session, units)
    demo_history.dissolve(session, units, [row[0] for row in PROVINCES[MERGED]], DISSOLVED)
    created, by_name = [], {}
    for username, full_name, role, unit_code in ACCOUNTS:
        account, password = accounts.create_account(session, None, {
            "username": username, "full_name": full_name, "role": role.value,
            "unit_id": units[unit_code].id if unit_code else None,
        })
        account.must_change_password = False  # demo accounts go straight in
        by_name[username] = account
        created.append((username, str(role.value), password))
    voting_links, round_2028 = _demo_round(session, units, by_name)
    round_2026, _conference = demo_history.phu_tho_2026(session, units, by_name)
    demo_history.follow_ups(session, by_name["bantochuc"], {"2026": round_2026,
                                                            "2028": round_2028})
    return created, voting_links


# A paper vote left closed with its count accepted, waiting to be counted.
PAPER_COUNTED = "paper vote, count accepted"
# A paper vote closed, its ballots photographed and uploaded by the board, to be read.
PAPER_SCANNED = "paper vote, ballots scanned"
# (unit code, title, state it is left in, people: (name, code, post, appointed on))
CONFERENCES = [
    ("PH-VIETTRI", "Hội nghị Ban Chấp hành Đảng bộ phường Việt Trì", State.OPEN, [
        ("Nguyễn Văn Hùng", "PT-0101", "Bí thư Đảng ủy phường", None),
        ("Trần Thị Lan", "PT-0102", "Phó Bí thư Thường trực Đảng ủy", None),
        ("Lê Minh Tuấn", "PT-0103", "Chủ tịch Ủy ban nhân dân phường", None)]),
    ("PH-VIETTRI", "Hội nghị lấy phiếu các chức danh lãnh đạo khác", State.DRAFT, [
        ("Phạm Thu Hà", "PT-0104", "Trưởng ban Xây dựng Đảng", None),
        ("Đỗ Quang Vinh", "PT-0105", "Phó Chủ tịch Ủy ban nhân dân phường", D(2028, 3, 15))]),
    ("XA-LAMTHAO", "Hội nghị Ban Chấp hành Đảng bộ xã Lâm Thao", State.READY, [
        ("Hoàng Văn Nam", "PT-0201", "Bí thư Đảng ủy xã", None),
        ("Vũ Thị Hạnh", "PT-0202", "Phó Bí thư Đảng ủy xã", None)]),
    ("PH-NONGTRANG", "Hội nghị Ban Chấp hành Đảng bộ phường Nông Trang", State.ANNULLED, [
        ("Bùi Văn Sơn", "PT-0301", "Bí thư Đảng ủy phường", None)]),
    ("PH-VIETTRI", "Hội nghị lấy phiếu Ban Thường vụ (phiếu giấy)", PAPER_COUNTED, [
        ("Ngô Thị Mai", "PT-0106", "Ủy viên Ban Thường vụ, Chủ nhiệm Ủy ban Kiểm tra", None),
        ("Đinh Văn Long", "PT-0107", "Ủy viên Ban Thường vụ, Trưởng Ban Tuyên giáo và Dân vận",
         None)]),
    ("PH-VIETTRI", "Hội nghị lấy phiếu Ủy ban Kiểm tra và các ban", State.CERTIFIED, [
        ("Lý Thị Thu", "PT-0108", "Phó Chủ nhiệm Ủy ban Kiểm tra", None),
        ("Quách Văn Đức", "PT-0109", "Phó Trưởng ban Tổ chức", None),
        ("Mai Văn Bình", "PT-0110", "Chánh Văn phòng Đảng ủy", None)]),
    ("PH-VIETTRI", "Hội nghị lấy phiếu các Phó Trưởng ban (phiếu giấy, đọc từ ảnh chụp)",
     PAPER_SCANNED, [
         ("Tạ Văn Hòa", "PT-0112", "Phó Trưởng ban Xây dựng Đảng", None),
         ("Lương Thị Nga", "PT-0113", "Phó Chánh Văn phòng Đảng ủy", None),
         ("Kiều Minh Phúc", "PT-0114", "Phó Chủ nhiệm Ủy ban Kiểm tra", None)]),
]
# A certified, published conference whose results fall in all three bands: of 24 ballots
# (one per person present), per person (high, confidence, low, left blank).
CERTIFIED_BALLOTS = ((15, 5, 4, 0), (6, 4, 14, 0), (2, 4, 17, 1))
DEMO_CODES = 10  # issued for the open conference; a few are used, the rest printed for you
DEMO_BALLOTS = (("high", "high", "confidence"), ("confidence", "high", "low"),
                ("high", "low", None))
# Paper ballots as the demo counter typed them (one key per row, see paper.ENTRY_KEYS).
DEMO_PAPER = ("11", "12", "21", "13", "0 ", "45", "11", "32")


def _demo_round(session, units, by_name) -> tuple[list[str], object]:
    """A 2028 mid-term round with conferences in several states. Returns the voting links
    (path with a code) of the open electronic conference's unused codes, and the round."""
    from tinnhiem.conferences import nominees, services as conferences, voters
    from tinnhiem.rounds import registry, services as rounds

    province = units["TU-PT"]
    round_ = rounds.create_round(session, by_name["bantochuc"], province.id, {
        "name": "Lấy phiếu tín nhiệm giữa nhiệm kỳ 2025–2030",
        "plan_reference": "Kế hoạch 01-KH/TU", "year": 2028,
        "unit_ids": [units[c].id for c in ("PH-VIETTRI", "PH-NONGTRANG", "XA-LAMTHAO",
                                           "DU-CQD", "DU-UBND")],
        "categories": [{"name": "Chức danh lãnh đạo cấp ủy", "deadline": D(2028, 6, 30)},
                       {"name": "Chức danh lãnh đạo khác", "deadline": D(2028, 7, 31)}]})
    category_id = session.scalars(rounds.select_categories(round_.id)).first()
    links = []
    for unit_code, title, state, people in CONFERENCES:
        conference = conferences.create_conference(session, None, units[unit_code].id, {
            "round_id": round_.id, "title": title, "held_on": D(2028, 6, 12),
            "place": "Hội trường Đảng ủy", "voting_body": "Ban Chấp hành Đảng bộ",
            "mode": "paper" if state in (PAPER_COUNTED, PAPER_SCANNED) else "electronic"})
        for name, code, post, appointed in people:
            cadre = {"cadre_code": code, "full_name": name, "post": post}
            if registry.own_entry(session, round_.id, units[unit_code].id, code) is None:
                registry.register(session, by_name["bantochuc"], round_, units[unit_code], cadre)
            nominees.add_nominee(session, None, conference, {
                "full_name": name, "cadre_code": code, "post": post,
                "category_id": category_id, "appointed_on": appointed})
        voters.replace_voters(session, None, conference,
                              [(f"Đại biểu {n:02d}", "Ủy viên Ban Chấp hành") for n in range(1, 28)])
        if state in (State.READY, State.OPEN, PAPER_COUNTED, PAPER_SCANNED, State.CERTIFIED):
            conferences.mark_ready(session, None, conference)
        if state in (State.OPEN, PAPER_COUNTED, PAPER_SCANNED, State.CERTIFIED):
            voters.record_attendance(session, None, conference, present_count=24)
            conferences.open_vote(session, None, conference)
        if state == State.OPEN:
            links = _demo_votes(session, by_name["donvi"], conference)
        if state == PAPER_COUNTED:
            _demo_paper_count(session, by_name, conference)
        if state == PAPER_SCANNED:
            _demo_scans(session, by_name, conference)
        if state == State.CERTIFIED:
            _demo_certified(session, by_name, conference)
        if state == State.ANNULLED:
            conferences.annul(session, None, conference, "Danh sách triệu tập chưa đúng")
    # A request the province has yet to answer, so its registry page shows one.
    registry.file_request(session, by_name["donvi"], round_, {
        "cadre_code": "PT-0111", "full_name": "Trịnh Văn Khoa",
        "post": "Phó Trưởng ban Tuyên giáo",
        "note": "Vừa được điều động về phường tháng 5/2028"})
    return links, round_


def _issue_and_cast(session, admin, conference, count, ballots) -> list[str]:
    """Issue `count` codes and cast one ballot (levels in ballot order) with each of the first
    codes; returns every code issued."""
    from tinnhiem.conferences.services import ballot_nominees
    from tinnhiem.voting import casting, codes

    issued = codes.issue_codes(session, admin, conference, count)
    people = [str(n.id) for n in ballot_nominees(session, conference)]
    for code, levels in zip(issued, ballots):
        casting.cast_ballot(session, conference, code, dict(zip(people, levels)))
    return issued


def _demo_votes(session, admin, conference) -> list[str]:
    from tinnhiem.voting import codes

    issued = _issue_and_cast(session, admin, conference, DEMO_CODES, DEMO_BALLOTS)
    slug = codes.poll_for(session, conference).slug
    return [f"/v/{slug}?ma={code}" for code in issued[len(DEMO_BALLOTS):]]


def _demo_certified(session, by_name, conference) -> None:
    """24 voters cast, the vote closed, counted, certified by both counters and published."""
    from tinnhiem.counting import services as counting
    from tinnhiem.voting import sealing

    columns = [["high"] * high + ["confidence"] * confidence + ["low"] * low + [None] * blank
               for high, confidence, low, blank in CERTIFIED_BALLOTS]
    _issue_and_cast(session, by_name["donvi"], conference, 24, list(zip(*columns)))
    sealing.close_vote(session, by_name["donvi"], conference)
    counting.count(session, by_name["kiemphieu"], conference)
    for counter in ("kiemphieu", "kiemphieu2"):
        counting.certify(session, by_name[counter], conference)
    counting.publish(session, by_name["donvi"], conference)


def _demo_paper_count(session, by_name, conference) -> None:
    """Closed with 24 ballots handed out; the demo counter has typed in the first few."""
    from tinnhiem.conferences.services import ballot_nominees
    from tinnhiem.voting import paper, sealing

    sealing.close_vote(session, by_name["donvi"], conference, ballots_issued=24)
    people = ballot_nominees(session, conference)
    for keys in DEMO_PAPER:
        paper.add_paper_ballot(session, by_name["kiemphieu"], conference, {
            "marks": {p.id: paper.ENTRY_KEYS[k] for p, k in zip(people, keys) if k != " "},
            "blank": keys.strip() == "0"})


def _demo_scans(session, by_name, conference) -> None:
    """Closed with its ballots handed out; the demo counter has uploaded a photo of each,
    read by the worker once the demo is committed (demo_scans)."""
    from tinnhiem.conferences.ballot import render_ballot
    from tinnhiem.demo_scans import BALLOTS, ballot_photos
    from tinnhiem.scanning.jobs import read_when_committed
    from tinnhiem.scanning.uploads import store_upload
    from tinnhiem.voting import sealing

    sealing.close_vote(session, by_name["donvi"], conference, ballots_issued=len(BALLOTS))
    photos = ballot_photos(render_ballot(session, conference))
    read_when_committed(store_upload(session, by_name["kiemphieu"], conference, photos))


@bp.cli.command("load")
def load_command():
    """Load the demo province into an empty database."""
    credentials_file = Path(current_app.instance_path) / "demo-accounts.txt"
    with unscoped("demo load (CLI)") as session:
        loaded = load_demo(session)
        session.commit()
    if loaded is None:
        click.echo("Demo data already present." + (
            f" Accounts: {credentials_file}" if credentials_file.exists() else ""))
        return
    created, voting_links = loaded
    lines = [f"{username:<12} {role:<16} {password}" for username, role, password in created]
    lines += ["", "Voting links of the open demo conference (one ballot each; prefix with the"
                  " server's address):", *voting_links]
    credentials_file.parent.mkdir(parents=True, exist_ok=True)
    credentials_file.write_text("\n".join(lines) + "\n")
    credentials_file.chmod(0o600)
    click.echo("Demo accounts (username, role, password) — also in " + str(credentials_file))
    for line in lines:
        click.echo("  " + line)
