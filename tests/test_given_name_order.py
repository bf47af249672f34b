"""Issue #17: lists of people in Vietnamese official order, by given name (tên), then the
middle names, then the family name; each word in Vietnamese letter order."""
import random

from tests.rollup_world import f, rollup_names, rollup_world, xlsx_rows
from tests.snapshots import snapshot
from tinnhiem.platform.collation import KEY_LENGTH, person_sort_key, sort_key

# The roll-up's people in the normal band once GIVEN are added (a1 has Lê Bình Thường and
# Phạm Hai Nơi there): the three An by middle name then family name, then Anh before Ân (â is
# a letter after a), Dung before Đức (đ after d), and family names never first.
GIVEN = ("Trần Văn An", "Đỗ Dung", "Hoàng Văn Ân", "Nguyễn Văn An", "Dương Đức", "Lê Thị An",
         "Đặng Anh")
IN_ORDER = ["Lê Thị An", "Nguyễn Văn An", "Trần Văn An", "Đặng Anh", "Hoàng Văn Ân", "Đỗ Dung",
            "Dương Đức", "Phạm Hai Nơi", "Lê Bình Thường"]


def test_people_sort_by_given_name_then_middle_then_family_name():
    expected = ["Lê Thị An", "Nguyễn Văn An", "Trần Văn An", "Lê Anh", "Phạm Ân", "Vũ Thị Ba",
                "Nguyễn An Bình", "Đỗ Dung", "Dương Văn Đức", "Đào Văn Đức", "Lê Em",
                "Trần Ê", "Nguyễn Thị Ánh Tuyết", "Zô Văn Yến"]
    shuffled = expected[:]
    random.Random(17).shuffle(shuffled)
    assert sorted(shuffled, key=person_sort_key) == expected


def test_the_given_name_decides_first_tone_included():
    """Tones come after letters within a word, but a given name is compared whole before the
    middle and family names: every An before Ản and Án, Anh before Ánh, whatever the family."""
    expected = ["Nguyễn Văn An", "Trần Văn An", "Nguyễn Văn Ản", "Bùi Văn Án", "Ngô Thị Anh",
                "Lý Thị Ánh", "Mai Ăn", "Hồ Thị Ân", "Lê Thị Ấn", "Đinh Văn Bảo", "Phạm Văn Bảo",
                "Phạm Vân Bảo"]
    assert sorted(reversed(expected), key=person_sort_key) == expected


def test_the_key_ignores_case_spacing_and_unicode_form():
    import unicodedata

    name = "Nguyễn Thị Ánh Tuyết"
    assert person_sort_key(name) == person_sort_key("  nguyễn  thị ánh\ttuyết ")
    assert person_sort_key(unicodedata.normalize("NFD", name)) == person_sort_key(name)
    assert person_sort_key("Đỗ Văn Đức") == person_sort_key("ĐỖ VĂN ĐỨC")


def test_the_longest_name_keeps_its_whole_key_within_the_column():
    """The family name is keyed last: a name of 200 characters (the most a result holds) must
    not lose it, down to the tone of its last letter."""
    middle = " ".join(["Văn"] * 47)
    name, other = f"Nguyễn {middle} Thoại", f"Nguyên {middle} Thoại"
    assert len(name) == 200
    assert len(person_sort_key(name)) < KEY_LENGTH
    assert person_sort_key(other) < person_sort_key(name)


@snapshot
def world(make):
    w = rollup_world(make)
    make.certified(w.a3, w.round.id, w.others, [
        (name, f"GN-{n}", f(9, 1, 0)) for n, name in enumerate(GIVEN)], 10)
    return w


def test_the_roll_up_lists_people_by_given_name(world, login):
    page = login(world.viewer_a).get(f"/rounds/{world.round.id}/rollup",
                                     query_string={"sort": "name", "band": "normal"})
    assert page.status_code == 200
    assert rollup_names(page) == IN_ORDER


def test_within_a_unit_people_follow_the_given_name_too(world, login):
    page = login(world.viewer_a).get(f"/rounds/{world.round.id}/rollup", query_string={
        "sort": "unit", "unit_id": str(world.a1.id)})
    assert rollup_names(page) == ["Trần Thấp Nhiều", "Phạm Hai Nơi", "Lê Bình Thường"]


def test_the_api_and_the_spreadsheet_list_people_by_given_name(world, login, token, client):
    data = client.get(f"/api/v1/rounds/{world.round.id}/rollup", headers=token(world.viewer_a),
                      query_string={"sort": "name", "band": "normal"}).json
    assert [r["full_name"] for r in data["rows"]] == IN_ORDER
    sheet = login(world.viewer_a).get(f"/rounds/{world.round.id}/rollup.xlsx",
                                      query_string={"sort": "name", "band": "normal"})
    assert sheet.status_code == 200
    assert [r[4] for r in xlsx_rows(sheet.data)[2:]] == IN_ORDER


def _round(session, actor, w):
    import datetime as dt

    from tinnhiem.rounds import services as rounds

    round_ = rounds.create_round(session, actor, w.province_a.id, {
        "name": "Đợt 2023", "year": 2023, "unit_ids": [w.a1.id],
        "categories": [{"name": "Lãnh đạo", "deadline": dt.date(2023, 6, 30)}]})
    return round_.id, round_.categories[0].id


def test_the_board_that_certified_is_listed_by_given_name(make, client, token):
    """Code-point order would put Lê Văn Bình before Trần Thị Ánh."""
    from tinnhiem.platform.auth.models import Account
    from tinnhiem.platform.auth.roles import Role
    from tinnhiem.tenants.scope import unscoped

    w = make.world()
    counters = make._unit_staff(w.a1)[Role.COUNTER]
    with make.app.app_context(), unscoped("test: name the counting board") as session:
        for counter, name in zip(counters, ("Lê Văn Bình", "Trần Thị Ánh")):
            session.get(Account, counter.id).full_name = name
        session.commit()
    round_id, category_id = make.as_account(w.admin_a, lambda s, a: _round(s, a, w))
    conference = make.certified(w.a1, round_id, category_id,
                                [("Nguyễn Văn An", "CB-1", f(9, 1, 0))], 10)
    data = client.get(f"/api/v1/conferences/{conference.id}/results",
                      headers=token(make._unit_staff(w.a1)[Role.UNIT_ADMIN])).json
    assert data["certified_by"] == ["Trần Thị Ánh", "Lê Văn Bình"]


def test_revision_0021_rekeys_the_people_already_counted(app, world, login):
    """Downgrading gives back the family-name keys, upgrading the given-name keys, on every
    province's rows (the owner is bound by row-level security too)."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import select

    from tinnhiem.counting.models import Result
    from tinnhiem.platform.db import db
    from tinnhiem.tenants.scope import unscoped

    def keys():
        with app.app_context(), unscoped("test: read the people's keys") as session:
            return dict(session.execute(select(Result.full_name, Result.name_key)).all())

    with app.app_context():
        downgrade(revision="0020_scans")
        db.engine.dispose()
    before = keys()
    assert len(before) == 12
    assert before == {name: sort_key(name) for name in before}  # family names first
    # (The pages are read at the head revision only: later revisions add columns the
    # models of the head read, which a database at 0020 does not have.)
    client = login(world.viewer_a)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    assert keys() == {name: person_sort_key(name) for name in before}
    page = client.get(f"/rounds/{world.round.id}/rollup",
                      query_string={"sort": "name", "band": "normal"})
    assert rollup_names(page) == IN_ORDER
