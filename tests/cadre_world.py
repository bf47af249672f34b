"""A cadre's history over three rounds and two places (issue #17), shared by the tests of the
history page and of the roll-up's rise: who was voted on where, and how a round or a
succession is recorded."""
import datetime as dt

from tests.rollup_world import f
from tests.snapshots import snapshot
from tinnhiem.rounds import services as rounds

CODE = "CB-HIST"


def _round(make, admin, province, units, name, year, **settings):
    """A round of `province` in which `units` take part, one post category: (round, id)."""
    def create(session, actor):
        round_ = rounds.create_round(session, actor, province.id, {
            "name": name, "year": year, "unit_ids": [u.id for u in units],
            "categories": [{"name": "Lãnh đạo", "deadline": dt.date(year, 6, 30)}],
            **settings})
        return round_, round_.categories[0].id

    return make.as_account(admin, create)


@snapshot
def world(make):
    """Nguyễn Văn Lịch Sử (CB-HIST) in unit A1 in three rounds (10 %, 25 %, 30 % low), and
    in A2 too in the third (75 %); Trần Văn Biên (CB-EDGE) rising by exactly the threshold;
    Lê Thị Khác (CB-A2) in A2 only."""
    w = make.world()
    person = ("Nguyễn Văn Lịch Sử", CODE)
    w.first, c1 = _round(make, w.admin_a, w.province_a, [w.a1], "Đợt 2021", 2021)
    w.conference_2021 = make.certified(w.a1, w.first.id, c1, [(*person, f(30, 6, 4)),
                                                       ("Trần Văn Biên", "CB-EDGE",
                                                        f(30, 6, 4))], 40,
                                       title="Hội nghị 2021", held_on=dt.date(2021, 6, 10),
                                       post="Phó Bí thư")
    w.second, c2 = _round(make, w.admin_a, w.province_a, [w.a1], "Đợt 2023", 2023)
    make.certified(w.a1, w.second.id, c2, [(*person, f(20, 10, 10)),
                                           ("Trần Văn Biên", "CB-EDGE", f(26, 6, 8))], 40,
                   title="Hội nghị 2023", held_on=dt.date(2023, 6, 12), post="Phó Bí thư")
    w.third, c3 = _round(make, w.admin_a, w.province_a, [w.a1, w.a2], "Đợt 2025", 2025)
    make.certified(w.a1, w.third.id, c3, [(*person, f(20, 8, 12))], 40,
                   title="Hội nghị A1 2025", held_on=dt.date(2025, 6, 2))
    make.certified(w.a2, w.third.id, c3, [(*person, f(7, 3, 30)),
                                          ("Lê Thị Khác", "CB-A2", f(30, 9, 1))], 40,
                   title="Hội nghị A2 2025", held_on=dt.date(2025, 6, 5))
    return w


def _succeed(make, successor, predecessor, dissolved_on=None):
    """The operator records that `successor` took over from `predecessor` (ended then)."""
    from tinnhiem.tenants import services
    from tinnhiem.tenants.models import Unit

    def record(session):
        if dissolved_on is not None:
            session.get(Unit, predecessor.id).valid_to = dissolved_on
        unit = session.get(Unit, successor.id)
        services.save_unit(session, None, {
            "code": unit.code, "name": unit.name, "type_id": unit.type_id,
            "parent_id": unit.parent_id, "valid_from": unit.valid_from,
            "valid_to": unit.valid_to, "predecessor_ids": [predecessor.id]}, unit)
    make._run(record)
