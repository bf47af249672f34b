"""The demo's past (issue #17): Vĩnh Phúc's 2023 round, certified before the province merged
into Phú Thọ, and a 2026 round of Phú Thọ, so a newcomer sees a successor read what it
succeeded and one cadre (Quách Văn Đức, PT-0109) followed across three rounds and two
provinces, his low share rising each time."""
import datetime as dt

from tinnhiem.platform.auth.roles import Role
from tinnhiem.tenants import accounts, services

D = dt.date
# (name, cadre code, post, (high, confidence, low)) of each certified conference's people
VINH_PHUC_2023 = ("HU-LAPTHACH", "Hội nghị Ban Chấp hành Đảng bộ huyện Lập Thạch", D(2023, 6, 15),
                  20, [("Quách Văn Đức", "PT-0109", "Trưởng Ban Tổ chức Huyện ủy", (14, 4, 2)),
                       ("Nguyễn Thị Hoa", "VP-0201", "Bí thư Huyện ủy", (16, 3, 1)),
                       ("Trần Văn Quang", "VP-0202", "Phó Bí thư Thường trực Huyện ủy",
                        (12, 6, 2))])
PHU_THO_2026 = ("PH-VIETTRI", "Hội nghị lấy phiếu cán bộ sau sắp xếp tổ chức bộ máy",
                D(2026, 6, 18), 20,
                [("Quách Văn Đức", "PT-0109", "Phó Trưởng ban Tổ chức", (9, 4, 7)),
                 ("Trương Văn Cường", "PT-0120", "Phó Chủ tịch Ủy ban nhân dân phường",
                  (2, 3, 15)),
                 ("Hồ Thị Lệ", "PT-0121", "Trưởng ban Dân vận", (5, 4, 11)),
                 ("Phan Văn Tài", "PT-0122", "Chánh Thanh tra phường", (3, 5, 12)),
                 ("Lý Thị Thu", "PT-0108", "Phó Chủ nhiệm Ủy ban Kiểm tra", (15, 4, 1))])
# Vĩnh Phúc's staff while it stood (their accounts ended with it: not printed).
VINH_PHUC_STAFF = [("bantochuc.vp", "Đỗ Văn Tổ Chức", Role.PROVINCE_ADMIN, "TU-VP"),
                   ("donvi.lapthach", "Kiều Thị Đơn Vị", Role.UNIT_ADMIN, "HU-LAPTHACH"),
                   ("kiemphieu.lt1", "Chu Văn Kiểm", Role.COUNTER, "HU-LAPTHACH"),
                   ("kiemphieu.lt2", "Lưu Thị Phiếu", Role.COUNTER, "HU-LAPTHACH")]


def _staff(session, units) -> dict:
    made = {}
    for username, full_name, role, unit_code in VINH_PHUC_STAFF:
        made[username], _password = accounts.create_account(session, None, {
            "username": username, "full_name": full_name, "role": role.value,
            "unit_id": units[unit_code].id})
    return made


def certified_paper(session, province_admin, admin, counters, round_, category_id, plan):
    """One paper conference of `plan` (unit, title, day, ballots, people) counted by hand
    and certified by the two counters, through the services a unit uses."""
    from tinnhiem.conferences import nominees, services as conferences, voters
    from tinnhiem.counting import services as counting
    from tinnhiem.rounds import registry
    from tinnhiem.voting import paper, sealing

    unit, title, held_on, collected, people = plan
    conference = conferences.create_conference(session, admin, unit.id, {
        "round_id": round_.id, "title": title, "held_on": held_on, "mode": "paper",
        "place": "Hội trường", "voting_body": "Ban Chấp hành Đảng bộ"})
    added = []
    for name, code, post, _figures in people:
        cadre = {"cadre_code": code, "full_name": name, "post": post}
        if registry.own_entry(session, round_.id, unit.id, code) is None:
            registry.register(session, province_admin, round_, unit, cadre)
        added.append(nominees.add_nominee(session, admin, conference, {
            **cadre, "category_id": category_id}))
    voters.set_summoned_count(session, admin, conference, collected)
    conferences.mark_ready(session, admin, conference)
    voters.record_attendance(session, admin, conference, present_count=collected)
    conferences.open_vote(session, admin, conference)
    sealing.close_vote(session, admin, conference, collected)
    totals = {str(nominee.id): {"high": high, "confidence": confidence, "low": low,
                                "invalid": collected - high - confidence - low}
              for nominee, (_n, _c, _p, (high, confidence, low)) in zip(added, people)}
    sheet = paper.set_totals(session, admin, conference, collected, totals)
    paper.submit_sheet(session, admin, conference)
    paper.accept_count(session, admin, conference, sheet.id)
    counting.count(session, admin, conference)
    for counter in counters:
        counting.certify(session, counter, conference)
    return conference


def _round(session, admin, province, name, year, unit_ids, plan_reference):
    from tinnhiem.rounds import services as rounds

    round_ = rounds.create_round(session, admin, province.id, {
        "name": name, "plan_reference": plan_reference, "year": year, "unit_ids": unit_ids,
        "categories": [{"name": "Chức danh lãnh đạo cấp ủy", "deadline": D(year, 6, 30)}]})
    return round_, session.scalars(rounds.select_categories(round_.id)).first()


def vinh_phuc_round(session, units) -> None:
    """Vĩnh Phúc's mid-term round of 2023, certified while it stood."""
    staff = _staff(session, units)
    unit_code, *plan = VINH_PHUC_2023
    round_, category_id = _round(
        session, staff["bantochuc.vp"], units["TU-VP"], "Lấy phiếu tín nhiệm giữa nhiệm kỳ"
        " 2020–2025", 2023, [units[unit_code].id], "Kế hoạch 153-KH/TU")
    certified_paper(session, staff["bantochuc.vp"], staff["donvi.lapthach"],
                    [staff["kiemphieu.lt1"], staff["kiemphieu.lt2"]], round_, category_id,
                    (units[unit_code], *plan))


def dissolve(session, units, codes, day) -> None:
    """The operator records that the units ended on `day` (1/7/2025: the merger)."""
    for code in codes:
        unit = units[code]
        services.save_unit(session, None, {
            "code": unit.code, "name": unit.name, "type_id": unit.type_id,
            "parent_id": unit.parent_id, "valid_from": unit.valid_from, "valid_to": day}, unit)


def phu_tho_2026(session, units, by_name):
    """Phú Thọ's 2026 round after the reorganisation: three people in the low bands."""
    unit_code, *plan = PHU_THO_2026
    round_, category_id = _round(
        session, by_name["bantochuc"], units["TU-PT"], "Lấy phiếu tín nhiệm cán bộ sau sắp xếp"
        " 2026", 2026, [units[unit_code].id], "Kế hoạch 12-KH/TU")
    conference = certified_paper(session, by_name["bantochuc"], by_name["donvi"],
                                 [by_name["kiemphieu"], by_name["kiemphieu2"]], round_,
                                 category_id, (units[unit_code], *plan))
    return round_, conference


# What the province recorded about the low bands, in every state: (round, cadre code, the
# day it was recorded, the step). Tài's deadline of 31/10/2026 has passed: overdue.
FOLLOW_UPS = [
    ("2026", "PT-0120", D(2026, 9, 16), {
        "state": "decided", "action": "dismissed", "decision_number": "125-QĐ/TU",
        "decision_date": "2026-09-15", "note": "Ban Thường vụ quyết định miễn nhiệm."}),
    ("2026", "PT-0121", D(2026, 8, 20), {
        "state": "no_action", "note": "Đã nghỉ hưu từ tháng 8/2026 theo quyết định của"
                                     " cấp có thẩm quyền."}),
    ("2026", "PT-0122", D(2026, 7, 1), {
        "state": "pending", "deadline": "2026-10-31",
        "note": "Giao Ban Tổ chức Tỉnh ủy xem xét, báo cáo Ban Thường vụ."}),
    ("2028", "PT-0109", D(2026, 12, 1), {
        "state": "in_progress", "deadline": "2028-09-30",
        "note": "Đã gặp, trao đổi; chờ ý kiến của Ban Thường vụ."}),
]


def follow_ups(session, admin, rounds: dict) -> None:
    """The follow-ups above, recorded by the province admin through the service."""
    from sqlalchemy import select

    from tinnhiem.counting.models import Result
    from tinnhiem.followup import services as followup

    for round_key, code, day, step in FOLLOW_UPS:
        round_ = rounds[round_key]
        result_id = session.scalar(select(Result.id).where(
            Result.round_id == round_.id, Result.cadre_code == code, Result.certified))
        followup.record_step(session, admin, round_, result_id, step, today=day)
