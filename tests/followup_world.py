"""A round of province A whose certified results put people in each band, for the
follow-up tests: A1 has one person two thirds low, one over half low, one normal (and a
counted but uncertified low one); A2 one over half low."""
import datetime as dt

from tinnhiem.counting.models import Result
from tinnhiem.rounds import services as rounds
from tinnhiem.tenants.services import today
from tests.factories import rows

YEAR = today().year - 1  # a round held last year: its decisions are dated before today


def f(high=0, confidence=0, low=0, invalid=0):
    return {"high": high, "confidence": confidence, "low": low, "invalid": invalid}


def followup_world(make):
    w = make.world()

    def create(session, actor):
        round_ = rounds.create_round(session, actor, w.province_a.id, {
            "name": f"Giữa nhiệm kỳ {YEAR}", "year": YEAR, "unit_ids": [w.a1.id, w.a2.id],
            "categories": [{"name": "Lãnh đạo cấp ủy", "deadline": dt.date(YEAR, 6, 30)}]})
        return round_, round_.categories[0].id

    w.round, category = make.as_account(w.admin_a, create)
    make.certified(w.a1, w.round.id, category, [
        ("Nguyễn Văn An", "CB-AN", f(1, 0, 4)),        # 4/5: two thirds low
        ("Trần Thị Bình", "CB-BINH", f(1, 1, 3)),      # 3/5: over half low
        ("Lê Văn Cường", "CB-CUONG", f(3, 1, 1))],     # normal
        5, title="Hội nghị A1", held_on=dt.date(YEAR, 6, 20))
    make.certified(w.a1, w.round.id, category, [
        ("Hoàng Chưa Xong", "CB-CHUA", f(0, 0, 5))], 5, title="Hội nghị A1 (chưa)",
        certify=False)
    make.certified(w.a2, w.round.id, category, [
        ("Phạm Văn Dũng", "CB-DUNG", f(2, 0, 3))], 5, title="Hội nghị A2",
        held_on=dt.date(YEAR, 6, 21))
    results = {r.full_name: r for r in rows(make, Result, round_id=w.round.id)}
    w.an, w.binh, w.cuong = (results[n] for n in ("Nguyễn Văn An", "Trần Thị Bình",
                                                  "Lê Văn Cường"))
    w.dung, w.unfinished = results["Phạm Văn Dũng"], results["Hoàng Chưa Xong"]
    return w
