"""DOMAIN.md's quorum, exemption and third-place examples, and the conference lifecycle."""
import datetime as dt
import unicodedata

import pytest

from tinnhiem.conferences import nominees, services, voters
from tinnhiem.platform.auth.roles import Role
from tinnhiem.platform.db import db
from tinnhiem.platform.errors import ServiceError
from tinnhiem.platform.inputs import normalize_code
from tinnhiem.rounds import registry
from tinnhiem.rounds import services as rounds
from tinnhiem.tenants.scope import bind_scope


@pytest.mark.parametrize("present, summoned, met", [
    (32, 48, True), (31, 48, False), (2, 3, True), (1, 3, False), (0, 0, False), (48, 48, True),
])
def test_quorum_is_two_thirds_on_integers(present, summoned, met):
    assert services.quorum_met(present, summoned) is met


def test_quorum_needed():
    assert services.quorum_needed(48) == 32 and services.quorum_needed(3) == 2
    assert services.quorum_needed(10) == 7


class World:
    """A province with two units in one round of 2023; runs services as a given account."""

    def __init__(self, app, make):
        self.app = app
        self.province = make.province("Tỉnh ủy Thử")
        self.unit_a = make.unit("Huyện ủy A", parent=self.province)
        self.unit_b = make.unit("Huyện ủy B", parent=self.province)
        self.unit_c = make.unit("Huyện ủy C", parent=self.province)
        self.admin = make.account(Role.PROVINCE_ADMIN, self.province)
        self.unit_admins = {u: make.account(Role.UNIT_ADMIN, u)
                            for u in (self.unit_a, self.unit_b, self.unit_c)}
        self.round = self.run(self.admin, lambda s, actor: rounds.create_round(
            s, actor, self.province.id, {
                "name": "Lấy phiếu giữa nhiệm kỳ", "plan_reference": "Kế hoạch 153-KH/TU",
                "year": 2023, "unit_ids": [self.unit_a.id, self.unit_b.id, self.unit_c.id],
                "categories": [
                    {"name": "Chức danh lãnh đạo cấp ủy", "deadline": dt.date(2023, 6, 30)},
                    {"name": "Chức danh lãnh đạo khác", "deadline": dt.date(2023, 7, 31)}]}))
        self.category_id = self.run(self.admin, lambda s, _a: rounds.get_round(
            s, self.round.id).categories[0].id)

    def run(self, account, fn):
        """Run fn(session, account) under the account's scope and commit."""
        with self.app.app_context():
            from tinnhiem.platform.auth.models import Account
            from tinnhiem.tenants.request import scope_for

            session = db.session.session_factory()
            session.expire_on_commit = False
            actor = session.get(Account, account.id)
            with self.app.test_request_context():
                bind_scope(session, scope_for(actor))
            try:
                result = fn(session, actor)
                session.commit()
                return result
            finally:
                session.close()

    def conference(self, unit, title="Hội nghị Ban Chấp hành lần thứ 19"):
        return self.run(self.unit_admins[unit], lambda s, a: services.create_conference(
            s, a, unit.id, {"round_id": self.round.id, "title": title,
                            "held_on": dt.date(2023, 6, 20), "place": "Hội trường",
                            "voting_body": "Ban Chấp hành", "mode": "electronic"}))

    def register(self, unit, name, code):
        """The province's registry gives `unit` this cadre (kept if it already has them)."""
        def enter(session, actor):
            round_ = rounds.get_round(session, self.round.id)
            if registry.own_entry(session, round_.id, unit.id, normalize_code(code)) is None:
                registry.add_entry(session, actor, round_, {
                    "unit_id": unit.id, "cadre_code": code, "full_name": name,
                    "post": "Phó Bí thư"})
        self.run(self.admin, enter)

    def add(self, unit, conference, name, code, registered=True, **extra):
        if registered:
            self.register(unit, name, code)

        def add(session, actor):
            item = services.get_conference(session, conference.id)
            return nominees.add_nominee(session, actor, item, {
                "full_name": name, "cadre_code": code, "post": "Phó Bí thư",
                "category_id": self.category_id, **extra})
        return self.run(self.unit_admins[unit], add)


@pytest.fixture
def world(app, make):
    return World(app, make)


def test_appointed_this_year_is_exempt_last_year_is_not(world):
    conference = world.conference(world.unit_a)
    this_year = world.add(world.unit_a, conference, "Nguyễn Văn Mới", "CB-1",
                          appointed_on=dt.date(2023, 3, 15))
    last_year = world.add(world.unit_a, conference, "Trần Văn Cũ", "CB-2",
                          appointed_on=dt.date(2022, 12, 20))
    retiring = world.add(world.unit_a, conference, "Lê Văn Nghỉ", "CB-3", retirement_notice=True)
    assert this_year.exemption == "appointed_this_year" and not this_year.on_ballot
    assert last_year.exemption is None and last_year.on_ballot
    assert retiring.exemption == "retirement_notice"
    on_ballot = world.run(world.unit_admins[world.unit_a], lambda s, a: [
        n.full_name for n in services.ballot_nominees(s, services.get_conference(
            s, conference.id))])
    assert on_ballot == ["Trần Văn Cũ"]


def test_third_place_in_a_round_is_refused(world):
    """The province cannot give a third unit a cadre listed in two; the unit itself is
    told only that the registry does not give it the cadre."""
    for unit in (world.unit_a, world.unit_b):
        world.add(unit, world.conference(unit), "Phạm Văn Hai Nơi", "CB-77")
    with pytest.raises(ServiceError) as caught:
        world.register(world.unit_c, "Phạm Văn Hai Nơi", "cb-77")
    assert caught.value.code == "third_place" and caught.value.status == 409
    message = str(caught.value.message)
    assert "tối đa ở 2 nơi" in message
    assert "Huyện ủy A" in message and "Huyện ủy B" in message  # the province sees both
    third = world.conference(world.unit_c)
    with pytest.raises(ServiceError) as caught:
        world.add(world.unit_c, third, "Phạm Văn Hai Nơi", "cb-77", registered=False)
    assert caught.value.code == "not_in_registry"
    assert "Huyện ủy A" not in str(caught.value.message)
    left = world.run(world.unit_admins[world.unit_c], lambda s, a: nominees.list_nominees(
        s, services.get_conference(s, third.id)))
    assert left == []


def test_one_live_conference_of_a_unit_per_cadre(world):
    world.add(world.unit_a, world.conference(world.unit_a), "Phạm Văn Một", "CB-55")
    with pytest.raises(ServiceError) as caught:
        world.add(world.unit_a, world.conference(world.unit_a, "Hội nghị khác"), "Phạm Văn Một",
                  "CB-55")
    assert caught.value.code == "listed_elsewhere"
    assert "Hội nghị Ban Chấp hành lần thứ 19" in str(caught.value.message)


def test_exempt_person_does_not_take_a_place(world):
    for unit in (world.unit_a, world.unit_b):
        world.add(unit, world.conference(unit), "Võ Văn Ba", "CB-88")
    exempt = world.add(world.unit_c, world.conference(world.unit_c), "Võ Văn Ba", "CB-88",
                       registered=False, retirement_notice=True)
    assert exempt.exemption == "retirement_notice"


def _prepare(world, unit, summoned=48):
    conference = world.conference(unit)
    world.add(unit, conference, "Nguyễn Thị Một", "CB-101")
    admin = world.unit_admins[unit]
    world.run(admin, lambda s, a: voters.set_summoned_count(
        s, a, services.get_conference(s, conference.id), summoned))
    world.run(admin, lambda s, a: services.mark_ready(s, a, services.get_conference(
        s, conference.id)))
    return conference


def _attend_and_open(world, unit, conference, present):
    admin = world.unit_admins[unit]
    world.run(admin, lambda s, a: voters.record_attendance(
        s, a, services.get_conference(s, conference.id), present_count=present))
    world.run(admin, lambda s, a: services.open_vote(s, a, services.get_conference(
        s, conference.id)))


def test_quorum_met_opens_the_vote(world):
    conference = _prepare(world, world.unit_a)
    _attend_and_open(world, world.unit_a, conference, 32)
    status = world.run(world.unit_admins[world.unit_a],
                       lambda s, a: services.get_conference(s, conference.id).status)
    assert status == "open"


def test_quorum_not_met_is_refused_with_a_clear_message(world):
    conference = _prepare(world, world.unit_a)
    with pytest.raises(ServiceError) as caught:
        _attend_and_open(world, world.unit_a, conference, 31)
    assert caught.value.code == "no_quorum"
    assert "31/48" in str(caught.value.message) and "32" in str(caught.value.message)
    status = world.run(world.unit_admins[world.unit_a],
                       lambda s, a: services.get_conference(s, conference.id).status)
    assert status == "ready"


def test_people_cannot_be_edited_after_ready(world):
    conference = _prepare(world, world.unit_a)
    with pytest.raises(ServiceError) as caught:
        world.add(world.unit_a, conference, "Người Thêm Muộn", "CB-999")
    assert caught.value.code == "not_editable"


def test_ready_freezes_the_template_and_a_change_makes_a_new_version(world):
    conference = _prepare(world, world.unit_a)
    template = world.run(world.admin, lambda s, a: rounds.latest_template(s, world.province.id))
    assert template.frozen and template.version == 1
    new = world.run(world.admin, lambda s, a: rounds.save_template(
        s, a, world.province.id, {**rounds.DEFAULT_TEMPLATE, "title": "PHIẾU MỚI"}))
    assert new.version == 2
    used = world.run(world.unit_admins[world.unit_a],
                     lambda s, a: services.get_conference(s, conference.id).template_id)
    assert used == template.id


def test_unit_admin_cannot_change_the_template(world):
    with pytest.raises(ServiceError):
        world.run(world.unit_admins[world.unit_a], lambda s, a: rounds.save_template(
            s, a, world.province.id, rounds.DEFAULT_TEMPLATE))


def test_annul_needs_a_reason_and_is_final(world):
    conference = world.conference(world.unit_a)
    admin = world.unit_admins[world.unit_a]
    with pytest.raises(ServiceError):
        world.run(admin, lambda s, a: services.annul(s, a, services.get_conference(
            s, conference.id), "  "))
    world.run(admin, lambda s, a: services.annul(s, a, services.get_conference(
        s, conference.id), "Nhầm danh sách"))
    with pytest.raises(ServiceError) as caught:
        world.run(admin, lambda s, a: services.mark_ready(s, a, services.get_conference(
            s, conference.id)))
    assert caught.value.code == "invalid_transition"


def test_voter_sheet_import_reports_bad_rows_and_saves_nothing(world):
    csv_content = "Họ và tên,Chức vụ\nNguyễn Văn A,Ủy viên\n,Thiếu tên\nTrần Thị B,\n".encode()
    with pytest.raises(voters.ImportErrors) as caught:
        voters.parse_voter_sheet("ds.csv", csv_content)
    assert caught.value.rows[0][0] == 3
    good = voters.parse_voter_sheet("ds.csv", "Họ và tên\nNguyễn Văn A\nTrần Thị B\n".encode())
    assert good == [("Nguyễn Văn A", ""), ("Trần Thị B", "")]


def test_voter_sheet_from_xlsx(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Họ và tên", "Chức vụ"])
    sheet.append(["Đỗ Văn Xuân", "Bí thư"])
    sheet.append(["Hà Thị Thu", None])
    path = tmp_path / "ds.xlsx"
    workbook.save(path)
    assert voters.parse_voter_sheet("DS.XLSX", path.read_bytes()) == [
        ("Đỗ Văn Xuân", "Bí thư"), ("Hà Thị Thu", "")]
    with pytest.raises(ServiceError):
        voters.parse_voter_sheet("ds.xlsx", b"not a workbook")


def test_look_alike_cadre_codes_are_one_cadre(world):
    for unit in (world.unit_a, world.unit_b):
        world.add(unit, world.conference(unit), "Phạm Văn Hai Nơi", "CB-77")
    with pytest.raises(ServiceError) as caught:
        world.register(world.unit_c, "Phạm Văn Hai Nơi", "ＣＢ-77")
    assert caught.value.code == "third_place"
    with pytest.raises(ServiceError) as caught:
        world.add(world.unit_c, world.conference(world.unit_c), "X", "CB-77\u200b",
                  registered=False)
    assert caught.value.code == "invalid_code"


def test_annulled_conference_gives_its_places_back(world):
    first = world.conference(world.unit_a)
    world.add(world.unit_a, first, "Phạm Văn Hai Nơi", "CB-77")
    world.add(world.unit_b, world.conference(world.unit_b), "Phạm Văn Hai Nơi", "CB-77")
    world.run(world.unit_admins[world.unit_a], lambda s, a: services.annul(
        s, a, services.get_conference(s, first.id), "Sai danh sách"))
    again = world.add(world.unit_a, world.conference(world.unit_a), "Phạm Văn Hai Nơi", "CB-77")
    assert again.on_ballot


def test_attendance_is_taken_again_when_the_summoned_change(world):
    conference = world.conference(world.unit_a)
    world.add(world.unit_a, conference, "Nguyễn Thị Một", "CB-101")
    admin = world.unit_admins[world.unit_a]
    get = services.get_conference
    world.run(admin, lambda s, a: voters.set_summoned_count(s, a, get(s, conference.id), 48))
    world.run(admin, lambda s, a: voters.record_attendance(s, a, get(s, conference.id),
                                                           present_count=40))
    world.run(admin, lambda s, a: voters.replace_voters(s, a, get(s, conference.id),
                                                        [(f"Người {n}", "") for n in range(10)]))
    world.run(admin, lambda s, a: services.mark_ready(s, a, get(s, conference.id)))
    with pytest.raises(ServiceError) as caught:
        world.run(admin, lambda s, a: services.open_vote(s, a, get(s, conference.id)))
    assert caught.value.code == "no_quorum" and "0/10" in str(caught.value.message)


def test_duplicate_units_in_a_round_are_taken_once(world):
    created = world.run(world.admin, lambda s, a: rounds.create_round(s, a, world.province.id, {
        "name": "Đợt trùng", "year": 2024, "unit_ids": [world.unit_a.id, str(world.unit_a.id)],
        "categories": [{"name": "Nhóm", "deadline": dt.date(2024, 6, 30)}]}))
    assert world.run(world.admin, lambda s, a: rounds.participating_unit_ids(
        s, created.id)) == [world.unit_a.id]


@pytest.mark.parametrize("content, rows", [
    ("STT,Họ và tên,Chức vụ\n1,Nguyễn Văn A,Ủy viên\n2,Trần Thị B,\n".encode(),
     [("Nguyễn Văn A", "Ủy viên"), ("Trần Thị B", "")]),
    (unicodedata.normalize("NFD", "Họ và tên\nLê Văn C\n").encode(), [("Lê Văn C", "")]),
    ("Lê Văn C\nĐỗ Thị D\n".encode(), [("Lê Văn C", ""), ("Đỗ Thị D", "")]),
])
def test_voter_sheet_finds_the_name_column(content, rows):
    assert voters.parse_voter_sheet("ds.csv", content) == rows


def test_row_numbers_match_the_spreadsheet_without_a_header():
    with pytest.raises(voters.ImportErrors) as caught:
        voters.parse_voter_sheet("ds.csv", "A\n,x\n".encode())
    assert caught.value.rows[0][0] == 2


@pytest.mark.parametrize("content", [b'"' + b"x" * 200_000 + b'"\n', b"a,b\x00c\n"])
def test_damaged_csv_is_a_clear_refusal(content):
    with pytest.raises(ServiceError):
        voters.parse_voter_sheet("ds.csv", content)


def test_xlsx_with_a_far_right_cell_reads_only_the_first_columns(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Họ và tên"])
    sheet.append(["Đỗ Văn Xuân"])
    sheet.cell(row=2, column=16000, value="xa")
    path = tmp_path / "wide.xlsx"
    workbook.save(path)
    assert voters.parse_voter_sheet("wide.xlsx", path.read_bytes()) == [("Đỗ Văn Xuân", "")]
