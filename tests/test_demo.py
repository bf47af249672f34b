"""The demo province: loaded once, every role signs in and sees the right pages."""
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.snapshots import snapshot
from tinnhiem.demo import load_demo
from tinnhiem.tenants.models import Unit
from tinnhiem.tenants.scope import unscoped

ROOT = Path(__file__).resolve().parents[1]


@snapshot
def demo(app):
    with app.app_context(), unscoped("test") as session:
        created, links = load_demo(session)
        session.commit()
    accounts = {username: password for username, _role, password in created}
    return {**accounts, "links": links}


def _sign_in(app, username, password):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302, username
    return client


def test_demo_has_a_province_with_mixed_units_and_a_merged_district(app, demo):
    with app.app_context(), unscoped("test") as session:
        units = session.scalars(select(Unit)).all()
        province = next(u for u in units if u.code == "TU-PT")
        in_province = [u for u in units if u.province_id == province.id]
        assert len(in_province) >= 10
        assert len({u.type_id for u in in_province}) >= 5
        district = next(u for u in units if u.code == "HU-LAMTHAO")
        assert str(district.valid_to) == "2025-06-30"
    assert set(demo) == {"vanhanh", "bantochuc", "thuongvu", "donvi", "kiemphieu", "kiemphieu2",
                         "links"}


def test_demo_loads_only_once(app, demo):
    with app.app_context(), unscoped("test") as session:
        assert load_demo(session) is None


@pytest.mark.parametrize("username, must_see, must_not_see", [
    ("vanhanh", ["Tỉnh ủy Phú Thọ", "Tỉnh ủy Vĩnh Phúc", "Tài khoản", "Nhật ký"], []),
    ("bantochuc", ["Tỉnh ủy Phú Thọ", "Đảng ủy phường Việt Trì", "Huyện ủy Lâm Thao"],
     ["Tỉnh ủy Vĩnh Phúc", "Huyện ủy Lập Thạch", "Nhật ký"]),
    ("thuongvu", ["Tỉnh ủy Phú Thọ", "Đảng ủy xã Lâm Thao"], ["Tỉnh ủy Vĩnh Phúc", "Tài khoản"]),
    ("donvi", ["Đảng ủy phường Việt Trì"], ["Tỉnh ủy Phú Thọ", "Đảng ủy phường Nông Trang"]),
    ("kiemphieu", ["Đảng ủy phường Việt Trì"], ["Đảng ủy phường Nông Trang", "Xác thực hai lớp"]),
])
def test_each_demo_role_sees_its_pages(app, demo, username, must_see, must_not_see):
    client = _sign_in(app, username, demo[username])
    assert client.get("/", follow_redirects=True).status_code == 200
    page = client.get("/units/", follow_redirects=True)
    assert page.status_code == 200
    for text in must_see:
        assert text in page.text, text
    for text in must_not_see:
        assert text not in page.text, text


def test_merged_district_page_names_its_successor(app, demo):
    client = _sign_in(app, "bantochuc", demo["bantochuc"])
    units = client.get("/units/").text
    district = re.search(r'href="(/units/[0-9a-f-]+)">Huyện ủy Lâm Thao<', units).group(1)
    page = client.get(district).text
    assert "Đã giải thể / hết hiệu lực" in page
    assert "Được kế thừa bởi" in page and "Đảng ủy xã Lâm Thao" in page


def test_nothing_shadows_the_standard_library():
    """A top-level package named `platform` would break `import uuid` from the repo root."""
    result = subprocess.run([sys.executable, "-c", "import uuid, platform; platform.system()"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert not (ROOT / "platform").exists()


def test_english_is_available(app, demo):
    client = _sign_in(app, "vanhanh", demo["vanhanh"])
    assert "Đơn vị" in client.get("/units/").text
    client.get("/lang/en", headers={"Referer": "http://localhost/units/"})
    page = client.get("/units/").text
    assert "Units" in page and "Add unit" in page


def test_demo_round_has_conferences_in_several_states(app, demo):
    from tinnhiem.conferences.models import Conference, Nominee

    with app.app_context(), unscoped("test") as session:
        states = {c.status for c in session.scalars(select(Conference))}
        exempt = session.scalars(select(Nominee).where(Nominee.exemption.is_not(None))).all()
    assert {"draft", "ready", "open", "closed", "certified", "annulled"} <= states
    assert [n.full_name for n in exempt] == ["Đỗ Quang Vinh"]  # appointed in 2028


def test_demo_unit_admin_sees_the_round_and_the_open_conference(app, demo):
    client = _sign_in(app, "donvi", demo["donvi"])
    page = client.get("/conferences/").text
    assert "Hội nghị Ban Chấp hành Đảng bộ phường Việt Trì" in page and "Đang bỏ phiếu" in page
    assert "Đảng bộ xã Lâm Thao" not in page
    overview = _sign_in(app, "thuongvu", demo["thuongvu"]).get("/rounds/").text
    assert "giữa nhiệm kỳ 2025–2030" in overview


def test_a_demo_voting_link_casts_a_ballot_once(app, demo):
    """The printed demo links work: a newcomer can vote once with each."""
    client = app.test_client()
    path, code = demo["links"][0].split("?ma=")
    assert len(demo["links"]) == 7
    assert code in client.get(demo["links"][0]).text
    page = client.post(f"{path}/ballot", data={"code": code})
    assert page.status_code == 200 and "Nguyễn Văn Hùng" in page.text
    assert client.post(f"{path}/cast", data={"code": code}).status_code == 200
    assert client.post(f"{path}/cast", data={"code": code}).status_code == 409
    admin = _sign_in(app, "donvi", demo["donvi"])
    conference = re.search(r'href="/conferences/([0-9a-f-]+)">Hội nghị Ban Chấp hành Đảng bộ phường'
                           r' Việt Trì<', admin.get("/conferences/").text).group(1)
    counts = admin.get(f"/conferences/{conference}/vote").text
    assert re.search(r'id="count-collected">4<', counts)  # three demo ballots and this one


def test_demo_counter_has_paper_ballots_to_finish(app, demo):
    client = _sign_in(app, "kiemphieu", demo["kiemphieu"])
    listing = client.get("/conferences/").text
    conference = re.search(r'href="/conferences/([0-9a-f-]+)">Hội nghị lấy phiếu Ban Thường vụ',
                           listing).group(1)
    sheet = client.get(f"/conferences/{conference}/sheet")
    assert sheet.status_code == 200 and re.search(r'id="entered">8<', sheet.text)


def test_demo_has_certified_results_in_all_three_bands(app, demo):
    """The province sees a certified, published conference whose people fall in every band."""
    client = _sign_in(app, "bantochuc", demo["bantochuc"])
    overview = _sign_in(app, "donvi", demo["donvi"]).get("/conferences/").text
    conference = re.search(r'href="/conferences/([0-9a-f-]+)">Hội nghị lấy phiếu Ủy ban Kiểm tra',
                           overview).group(1)
    page = client.get(f"/conferences/{conference}/results")
    assert page.status_code == 200
    bands = re.findall(r'data-band="([a-z_]+)"', page.text)
    assert sorted(bands) == ["normal", "over_half_low", "two_thirds_low"]
    assert "58,33\u00a0%" in page.text and "70,83\u00a0%" in page.text and "Đã công bố" in page.text


def test_demo_shows_the_merged_provinces_past_and_the_follow_ups(app, demo):
    """Issue #17's demo: Phú Thọ reads Vĩnh Phúc's certified 2023 round, and the province's
    follow-ups of the low bands stand in every state, one overdue."""
    from tinnhiem.followup import services as followup
    from tinnhiem.rounds.models import Round

    client = _sign_in(app, "thuongvu", demo["thuongvu"])
    history = client.get("/history/")
    assert "Tỉnh ủy Vĩnh Phúc" in history.text and "2020–2025" in history.text
    link = re.search(r'href="(/history/[^"]+/rounds/[^"]+)"', history.text).group(1)
    page = client.get(link)
    assert page.status_code == 200 and "Quách Văn Đức" in page.text
    assert "Huyện ủy Lập Thạch" in page.text
    with app.app_context(), unscoped("test") as session:
        rounds = {r.year: r for r in session.scalars(select(Round))}
        counts = {year: followup.status_counts(session, rounds[year].id) for year in (2026, 2028)}
    assert counts[2026] == {"pending": 1, "in_progress": 0, "decided": 1, "no_action": 1,
                            "overdue": 1}
    assert counts[2028] == {"pending": 1, "in_progress": 1, "decided": 0, "no_action": 0,
                            "overdue": 0}


def test_demo_board_has_photographed_ballots_to_read(app, demo):
    """The paper conference counted from scans: twelve photos uploaded by the demo counter;
    read (as `make run`'s worker does), every clear row as marked, the across-two-boxes row
    and the struck-through name left to the board."""
    from tinnhiem.demo_scans import BALLOTS
    from tinnhiem.scanning import jobs
    from tinnhiem.scanning.models import ScanBatch, ScanPage

    with app.app_context(), unscoped("test") as session:
        [batch] = session.scalars(select(ScanBatch)).all()
        ids = {"province_id": str(batch.province_id), "unit_id": str(batch.unit_id),
               "batch_id": str(batch.id)}
        assert batch.status == "queued" and batch.name == "IMG_20280612_0001.jpg (+11)"
    with app.app_context():
        jobs.read_batch(**ids)
    with app.app_context(), unscoped("test") as session:
        pages = session.scalars(select(ScanPage).order_by(ScanPage.position)).all()
        read = [" ".join(_cell(row) for row in page.rows) for page in pages]
    said = {"0": "high", "1": "confidence", "2": "low", "": "blank", "~": "doubtful",
            "/": "crossed"}
    assert read == [" ".join(said[cell] for cell in b.split(" ")) for b in BALLOTS]
    client = _sign_in(app, "kiemphieu", demo["kiemphieu"])
    listing = client.get("/conferences/").text
    conference = re.search(r'href="/conferences/([0-9a-f-]+)">Hội nghị lấy phiếu các Phó Trưởng'
                           r' ban', listing).group(1)
    overview = client.get(f"/conferences/{conference}/scans").text
    assert re.findall(r"id=\"summary-[a-z]+\">([0-9]+)<", overview) == ["12", "12", "2", "0", "0"]


def _cell(row) -> str:
    return row["mark"] if row["status"] == "mark" else row["status"]
