"""Numbers and dates as the reader's language writes them (platform.formats): on the pages in
the interface's language, in the official documents always in Vietnamese, dated from the
province's locality; and charts that say what they show."""
import datetime as dt
import re
import unicodedata
from decimal import Decimal

import pytest
from flask_babel import force_locale

from tests.conftest import TEST_CONFIG
from tests.documents import pdf_text
from tests.rollup_world import f
from tinnhiem import create_app
from tinnhiem.platform import formats
from tinnhiem.tenants.services import today

NBSP = "\u00a0"


@pytest.fixture(scope="module")
def bare_app():
    """The app without a database: the filters only need its language settings."""
    return create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


@pytest.mark.parametrize("lang, share, whole, day, bin_", [
    ("vi", f"57,14{NBSP}%", "1.234.567", "ngày 20 tháng 6 năm 2028", f"0–10{NBSP}%"),
    ("en", "57.14%", "1,234,567", "20 June 2028", "0–10%"),
])
def test_filters_write_as_the_language_does(bare_app, lang, share, whole, day, bin_):
    with bare_app.test_request_context(), force_locale(lang):
        env = bare_app.jinja_env
        assert env.from_string("{{ v|percent }}").render(v=Decimal("57.14")) == share
        assert env.from_string("{{ v|integer }}").render(v=1234567) == whole
        assert env.from_string("{{ d|document_date }}").render(d=dt.date(2028, 6, 20)) == day
        assert formats.percent_range(0, 10) == bin_
        assert env.from_string("{{ place_and_date('Phú Thọ', d) }}").render(
            d=dt.date(2028, 6, 20)) == f"Phú Thọ, {day}"


@pytest.mark.parametrize("name, place", [
    ("Tỉnh ủy Phú Thọ", "Phú Thọ"), ("Tỉnh uỷ Lào Cai", "Lào Cai"),
    ("Thành ủy Hà Nội", "Hà Nội"), ("tỉnh ủy  Cà Mau ", "Cà Mau"),
    # decomposed diacritics, as some keyboards type them
    (unicodedata.normalize("NFD", "Tỉnh ủy Phú Thọ"), "Phú Thọ"),
    ("Đảng bộ Khối", "Đảng bộ Khối"),
])
def test_a_provinces_locality_is_its_name_without_the_committee(name, place):
    assert formats.locality(name) == place


def _world_with_a_known_share(make):
    """Province "Tỉnh ủy Alpha", unit A1: one person 2 high, 1 confidence, 4 low of 7
    collected (low 57.14 %, over half), certified."""
    w = make.world()
    w.round, category = make.round_with_category(w, "Giữa nhiệm kỳ 2023", 2023,
                                                 dt.date(2099, 12, 31))
    w.conference = make.certified(w.a1, w.round.id, category, [
        ("Nguyễn Bảy Phiếu", "CB-7", f(2, 1, 4))], 7, title="Hội nghị A1",
        held_on=dt.date(2023, 6, 20))
    return w


def _pdf(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return unicodedata.normalize("NFC", pdf_text(response.data))


def test_pages_and_documents_write_shares_and_dates_as_the_language_does(app, make, login):
    w = _world_with_a_known_share(make)
    staff = login(w.unit_admin_a1, target=app.test_client())
    results = f"/conferences/{w.conference.id}/results"
    page = staff.get(results).text
    assert f"57,14{NBSP}%" in page and f"28,57{NBSP}%" in page and f"14,29{NBSP}%" in page
    assert "57.14%" not in page
    # the minutes, for the unit's staff (who do not see their province): dated from the
    # province's locality, in Vietnamese words
    minutes = _pdf(staff, f"/conferences/{w.conference.id}/minutes.pdf")
    assert "Alpha, ngày 20 tháng 6 năm 2023" in minutes
    assert "Nguyễn Bảy Phiếu Bí thư 7 7 7 0 2 28,57 % 1 14,29 % 4 57,14 %" in minutes
    ballot = _pdf(staff, f"/conferences/{w.conference.id}/ballot.pdf")
    assert "Hội nghị A1 — ngày 20 tháng 6 năm 2023" in ballot
    staff.get("/lang/en")
    assert "57.14%" in staff.get(results).text
    # an official document stays Vietnamese whatever the interface's language
    assert "Alpha, ngày 20 tháng 6 năm 2023" in _pdf(
        staff, f"/conferences/{w.conference.id}/minutes.pdf")

    province = login(w.admin_a, target=app.test_client())
    report = _pdf(province, f"/rounds/{w.round.id}/rollup.pdf")
    issued = today()
    assert f"Alpha, ngày {issued.day} tháng {issued.month} năm {issued.year}" in report
    assert "Nguyễn Bảy Phiếu Bí thư Đảng ủy xã A1 7 4 57,14 % Trên 50% tín nhiệm thấp" in report

    dashboard = province.get(f"/rounds/{w.round.id}/rollup").text
    assert f"4 · 57,14{NBSP}%" in dashboard  # the low count, then its share
    charts = dashboard.split('id="charts-heading"')[1]
    captions = re.findall(r"<figcaption[^>]*>([^<]+)</figcaption>", dashboard)
    assert captions == ["Hội nghị đã chứng nhận theo thời gian", "Số người theo mức, từng đơn vị",
                        "Số người theo tỷ lệ tín nhiệm cao", "Số người theo tỷ lệ tín nhiệm",
                        "Số người theo tỷ lệ tín nhiệm thấp"]
    # every chart is an image with a name and a description
    svgs = re.findall(r"<svg [^>]*>.*?</svg>", dashboard, re.S)
    assert len(svgs) == 5
    assert all('role="img"' in s and "aria-label=" in s and "<desc>" in s for s in svgs)
    # axes named: the progress line's, then the histograms' (share per bin, people)
    for words in ("Số hội nghị đã chứng nhận", "Ngày họp", "1 đơn vị tham gia"):
        assert words in svgs[0]
    low = svgs[4]
    assert "Tỷ lệ phiếu tín nhiệm thấp (%)" in low and "Số người" in low
    bins = re.findall(r'text-anchor="end">([^<]+)</text>', low)
    assert bins == [f"{10 * i}–{10 * (i + 1)}{NBSP}%" for i in range(10)]
    assert f"50–60{NBSP}%: 1 người" in low  # the one person's low share, 57 %
    assert "Tỷ lệ phiếu tín nhiệm cao (%)" in charts and f"20–30{NBSP}%: 1 người" in charts
