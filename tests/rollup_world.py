"""The province the roll-up tests read (and the spreadsheet tests export): a round of four
units with certified, uncertified and dissolved-unit results, a person voted on in two places."""
import datetime as dt
import io
import re

from tinnhiem.rounds import services as rounds


def f(high=0, confidence=0, low=0, invalid=0):
    return {"high": high, "confidence": confidence, "low": low, "invalid": invalid}


def rollup_world(make):
    w = make.world()
    w.district = make.unit("Huyện ủy Cũ", parent=w.province_a, valid_to=dt.date(2025, 6, 30))
    w.commune = make.unit("Đảng ủy xã Kế Thừa", parent=w.province_a, predecessors=[w.district])
    w.a3 = make.unit("Đảng ủy xã Chưa Làm", parent=w.province_a)

    def create(session, actor):
        round_ = rounds.create_round(session, actor, w.province_a.id, {
            "name": "Giữa nhiệm kỳ 2023", "year": 2023,
            "unit_ids": [w.a1.id, w.a2.id, w.district.id, w.a3.id],
            "categories": [{"name": "Lãnh đạo cấp ủy", "deadline": dt.date(2023, 6, 30)},
                           {"name": "Lãnh đạo khác", "deadline": dt.date(2099, 12, 31)}]})
        return round_, [c.id for c in round_.categories]

    w.round, (w.leaders, w.others) = make.as_account(w.admin_a, create)
    w.conference_a1 = make.certified(w.a1, w.round.id, w.leaders, [
        ("Trần Thấp Nhiều", "CB-1", f(5, 1, 34)),      # 34/40 = 85% two thirds low
        ("Lê Bình Thường", "CB-2", f(30, 6, 4)),
        ("Phạm Hai Nơi", "CB-TWO", f(20, 10, 10))], 40, title="Hội nghị A1")
    make.certified(w.district, w.round.id, w.others, [
        ("Võ Quá Nửa", "CB-3", f(5, 4, 11)),           # 11/20 = 55% over half low
        ("Phạm Hai Nơi", "CB-TWO", f(2, 4, 14))], 20, title="Hội nghị huyện",
        held_on=dt.date(2023, 5, 10))
    # counted but not certified: must not show anywhere
    w.conference_a2 = make.certified(
        w.a2, w.round.id, w.leaders, [("Ẩn Chưa Chứng Nhận", "CB-9", f(0, 0, 9))],
                   9, title="Hội nghị A2", certify=False)
    return w


def rollup_names(page) -> list[str]:
    """The people in the roll-up's table, in the order the page lists them."""
    table = page.text.split('id="rollup"')[1].split("</table>")[0]
    return re.findall(r'<tr data-band="[a-z_]+"><td>(?:<a href="/cadres/[^"]+">)?([^<]+)<',
                      table)


def xlsx_rows(data: bytes) -> list[list]:
    """The cells of a spreadsheet's first sheet, row by row."""
    from openpyxl import load_workbook

    return [[c.value for c in r] for r in load_workbook(io.BytesIO(data)).active.iter_rows()]
