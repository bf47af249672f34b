"""Factories that create real rows through the services, in an audited crossing session."""
import datetime as dt
import uuid

from sqlalchemy import select

from tinnhiem.platform.auth.roles import Role
from tinnhiem.tenants import accounts, services
from tinnhiem.tenants.scope import unscoped


def _code(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8].upper()}"


def rows(make, model, **where):
    """Every row of `model` matching `where`, read across every scope."""
    return make._run(lambda s: list(s.scalars(select(model).filter_by(**where))))


def refused_page(client, response, path=None):
    """The page a refused page action sends the browser back to (Post/Redirect/Get: a 303,
    then that page, 200, showing the refusal once)."""
    assert response.status_code == 303, response.status_code
    if path is not None:
        assert response.location.split("?")[0] == path, response.location
    page = client.get(response.location)
    assert page.status_code == 200, page.status_code
    return page


def _account_made_before_dissolution(session, data, unit):
    """The service refuses to bind an account to a dissolved unit; one made while the unit
    still stood is what history tests need."""
    from tinnhiem.platform.auth.models import Account
    from tinnhiem.platform.auth.passwords import hash_password

    account = Account(username=data["username"], full_name=data["full_name"], role=data["role"],
                      unit_id=unit.id, province_id=unit.province_id, active=True,
                      password_hash=hash_password(data["password"]), must_change_password=False)
    session.add(account)
    session.flush()
    return account


def down_and_up(app, revision: str, gone_table: str) -> None:
    """Migrate `app`'s database down to `revision` (checking `gone_table` went with it) and
    up again: how a revision that fills a table from recorded rows is tested."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect

    from tinnhiem.platform.db import db

    with app.app_context():
        db.engine.dispose()
        downgrade(revision=revision)
        db.engine.dispose()
        with db.engine.connect() as connection:
            assert gone_table not in inspect(connection).get_table_names()
        db.engine.dispose()
        upgrade()
        db.engine.dispose()


class Factory:
    def __init__(self, app):
        self.app = app
        self._type_id = None

    def _run(self, fn):
        with self.app.app_context(), unscoped("test setup") as session:
            session.expire_on_commit = False
            result = fn(session)
            session.commit()
            return result

    def unit_type(self, name="Đảng ủy xã", code=None):
        return self._run(lambda s: services.save_unit_type(
            s, None, {"code": code or _code("T"), "name": name}))

    def _default_type_id(self):
        if self._type_id is None:
            self._type_id = self.unit_type().id
        return self._type_id

    def unit(self, name=None, parent=None, code=None, valid_from=dt.date(2020, 1, 1),
             valid_to=None, predecessors=(), type_id=None):
        data = {
            "name": name or f"Đảng ủy {_code('X')}", "code": code or _code("U"),
            "type_id": type_id or self._default_type_id(),
            "parent_id": parent.id if parent else None,
            "valid_from": valid_from, "valid_to": valid_to,
            "predecessor_ids": [p.id for p in predecessors],
        }
        return self._run(lambda s: services.save_unit(s, None, data))

    def province(self, name=None):
        return self.unit(name=name or f"Tỉnh ủy {_code('P')}")

    def account(self, role: Role | str, unit=None, username=None, password=None):
        from tests.conftest import PASSWORD

        data = {"username": username or f"u{uuid.uuid4().hex[:10]}",
                "full_name": "Nguyễn Văn Thử", "role": str(Role(role)),
                "unit_id": unit.id if unit else None, "password": password or PASSWORD}

        def create(session):
            if unit is not None and not unit.is_active_on(services.today()):
                return _account_made_before_dissolution(session, data, unit)
            account, _ = accounts.create_account(session, None, data)
            account.must_change_password = False
            return account

        return self._run(create)

    def sign_in_session(self, account, kind="page", user_agent="Factory"):
        """A live sign-in session of `account`, as a sign-in opens it (`.token` holds its
        token)."""
        from tinnhiem.platform.auth import sessions
        from tinnhiem.platform.auth.models import Account, SessionKind

        return self._run(lambda s: sessions.open_session(
            s, s.get(Account, account.id), SessionKind(kind), user_agent))

    def world(self):
        """Two provinces; province A has units A1 (with a child) and A2; each unit has an
        admin and a counter; each province an admin and a viewer; plus an operator."""
        from types import SimpleNamespace

        w = SimpleNamespace()
        w.province_a = self.province("Tỉnh ủy Alpha")
        w.a1 = self.unit("Đảng ủy xã A1", parent=w.province_a)
        w.a1_child = self.unit("Chi bộ A1-1", parent=w.a1)
        w.a2 = self.unit("Đảng ủy phường A2", parent=w.province_a)
        w.province_b = self.province("Tỉnh ủy Beta")
        w.b1 = self.unit("Đảng ủy xã B1", parent=w.province_b)
        w.operator = self.account(Role.OPERATOR)
        w.admin_a = self.account(Role.PROVINCE_ADMIN, w.province_a)
        w.viewer_a = self.account(Role.PROVINCE_VIEWER, w.province_a)
        w.admin_b = self.account(Role.PROVINCE_ADMIN, w.province_b)
        w.unit_admin_a1 = self.account(Role.UNIT_ADMIN, w.a1)
        w.counter_a1 = self.account(Role.COUNTER, w.a1)
        w.unit_admin_a2 = self.account(Role.UNIT_ADMIN, w.a2)
        w.unit_admin_b1 = self.account(Role.UNIT_ADMIN, w.b1)
        return w

    def conference_for(self, world, unit=None):
        """A round of world.province_a with `unit` and A2 taking part, a conference of `unit`
        with one person on it (as world.round_a, world.conference_a1, world.nominee_a1)."""
        from tinnhiem.conferences import nominees
        from tinnhiem.conferences import services as conferences
        from tinnhiem.platform.auth.models import Account
        from tinnhiem.rounds import registry
        from tinnhiem.rounds import services as rounds

        unit = unit or world.a1

        def create(session):
            admin = session.get(Account, world.admin_a.id)
            # A2 takes part too: a fellow participant is still an outsider to A1's data.
            round_ = rounds.create_round(session, admin, world.province_a.id, {
                "name": "Đợt 2023", "year": 2023, "unit_ids": [unit.id, world.a2.id],
                "categories": [{"name": "Lãnh đạo cấp ủy", "deadline": dt.date(2023, 6, 30)}]})
            conference = conferences.create_conference(session, None, unit.id, {
                "round_id": round_.id, "title": "Hội nghị A1", "held_on": dt.date(2023, 6, 1)})
            registry.register(session, admin, round_, unit, {
                "cadre_code": "CB-A1", "full_name": "Nguyễn Văn Được", "post": "Bí thư"})
            nominee = nominees.add_nominee(session, None, conference, {
                "full_name": "Nguyễn Văn Được", "cadre_code": "CB-A1", "post": "Bí thư",
                "category_id": session.scalars(rounds.select_categories(round_.id)).first(),
                "report_pdf": b"%PDF-1.4 bao cao", "report_name": "bao-cao.pdf"})
            # A round only A1 takes part in: A2 may not even see it.
            only_a1 = rounds.create_round(session, admin, world.province_a.id, {
                "name": "Đợt riêng", "year": 2024, "unit_ids": [unit.id],
                "categories": [{"name": "Lãnh đạo khác", "deadline": dt.date(2024, 7, 31)}]})
            return round_, only_a1, conference, nominee

        (world.round_a, world.round_a1_only, world.conference_a1,
         world.nominee_a1) = self._run(create)
        return world

    def as_account(self, account, fn):
        """Run fn(session, actor) under `account`'s own scope, as a request would; commit."""
        from tinnhiem.platform.auth.models import Account
        from tinnhiem.platform.db import db
        from tinnhiem.tenants.request import scope_for
        from tinnhiem.tenants.scope import bind_scope

        with self.app.app_context(), self.app.test_request_context():
            session = db.session.session_factory()
            session.expire_on_commit = False
            try:
                actor = session.get(Account, account.id)
                bind_scope(session, scope_for(actor))
                result = fn(session, actor)
                session.commit()
                return result
            finally:
                session.close()

    def open_conference(self, world, unit=None, admin=None, mode="electronic", people=3,
                        summoned=10, present=None, title="Hội nghị Ban Chấp hành", names=None,
                        post="Ủy viên Ban Thường vụ"):
        """A conference of `unit` (A1) in world.round_a with `people` on the ballot (named
        `names`, else "Người Thứ 1"…), whose vote is open: as world.voting (conference) and
        world.people (nominees in ballot order)."""
        from tinnhiem.conferences import nominees, voters
        from tinnhiem.conferences import services as conferences
        from tinnhiem.rounds import services as rounds

        unit = unit or world.a1
        admin = admin or world.unit_admin_a1
        if not hasattr(world, "round_a"):
            self.conference_for(world)
        names = names or [f"Người Thứ {i + 1}" for i in range(people)]
        cadres = [{"full_name": name, "cadre_code": f"V-{uuid.uuid4().hex[:8]}", "post": post}
                  for name in names]
        self.register(world.round_a.id, unit, cadres)

        def prepare(session, actor):
            conference = conferences.create_conference(session, actor, unit.id, {
                "round_id": world.round_a.id, "title": title, "held_on": dt.date(2023, 6, 20),
                "mode": mode})
            category = session.scalars(rounds.select_categories(world.round_a.id)).first()
            added = [nominees.add_nominee(session, actor, conference, {
                **person, "category_id": category,
                "report_pdf": b"%PDF-1.4 tu danh gia", "report_name": "bao-cao.pdf"})
                for person in cadres]
            voters.set_summoned_count(session, actor, conference, summoned)
            conferences.mark_ready(session, actor, conference)
            voters.record_attendance(session, actor, conference,
                                     present_count=summoned if present is None else present)
            conferences.open_vote(session, actor, conference)
            return conference, added

        world.voting, world.people = self.as_account(admin, prepare)
        return world.voting

    def issue_codes(self, world, count, conference=None, admin=None):
        """Issue `count` codes for world.voting (or `conference`): (codes, poll slug)."""
        from sqlalchemy import select

        from tinnhiem.conferences import services as conferences
        from tinnhiem.voting import codes
        from tinnhiem.voting.models import Poll

        conference = conference or world.voting

        def issue(session, actor):
            issued = codes.issue_codes(session, actor, conferences.get_conference(
                session, conference.id), count)
            slug = session.scalar(select(Poll.slug).where(Poll.conference_id == conference.id))
            return issued, slug

        return self.as_account(admin or world.unit_admin_a1, issue)

    def close_vote(self, world, conference=None, ballots_issued=None, admin=None):
        from tinnhiem.conferences import services as conferences
        from tinnhiem.voting import sealing

        conference = conference or world.voting
        return self.as_account(admin or world.unit_admin_a1, lambda s, a: sealing.close_vote(
            s, a, conferences.get_conference(s, conference.id), ballots_issued))

    def publish_results(self, world, conference=None):
        """A closed electronic vote counted, certified by the unit's counter and a second
        one, and published by its admin."""
        from tinnhiem.conferences import services as conferences
        from tinnhiem.counting import services as counting

        conference = conference or world.voting
        second = self.account(Role.COUNTER, world.a1)
        steps = [(world.counter_a1, counting.count), (world.counter_a1, counting.certify),
                 (second, counting.certify), (world.unit_admin_a1, counting.publish)]
        for account, step in steps:
            self.as_account(account, lambda s, a: step(
                s, a, conferences.get_conference(s, conference.id)))

    def round_with_category(self, world, name, year, deadline, category="Lãnh đạo"):
        """A round of province A in which unit A1 takes part, with one post category:
        (round, category id)."""
        from tinnhiem.rounds import services as rounds

        def create(session, actor):
            round_ = rounds.create_round(session, actor, world.province_a.id, {
                "name": name, "year": year, "unit_ids": [world.a1.id],
                "categories": [{"name": category, "deadline": deadline}]})
            return round_, round_.categories[0].id

        return self.as_account(world.admin_a, create)

    def certified(self, unit, round_id, category_id, people, collected, title="Hội nghị",
                  held_on=dt.date(2023, 6, 20), certify=True, post="Bí thư"):
        """A paper conference of `unit` counted by hand and certified by two counters.
        people: (full name, cadre code, {high, confidence, low, invalid}) adding up to
        `collected`. Returns the conference."""
        from tinnhiem.conferences import nominees, voters
        from tinnhiem.conferences import services as conferences
        from tinnhiem.counting import services as counting
        from tinnhiem.platform.auth.roles import Role
        from tinnhiem.voting import paper, sealing

        staff = self._unit_staff(unit)
        self.register(round_id, unit, [{"full_name": name, "cadre_code": code, "post": post}
                                       for name, code, _figures in people])

        def prepare(session, actor):
            conference = conferences.create_conference(session, actor, unit.id, {
                "round_id": round_id, "title": title, "held_on": held_on, "mode": "paper"})
            added = [nominees.add_nominee(session, actor, conference, {
                "full_name": name, "cadre_code": code, "post": post,
                "category_id": category_id}) for name, code, _figures in people]
            voters.set_summoned_count(session, actor, conference, collected)
            conferences.mark_ready(session, actor, conference)
            voters.record_attendance(session, actor, conference, present_count=collected)
            conferences.open_vote(session, actor, conference)
            sealing.close_vote(session, actor, conference, collected)
            sheet = paper.set_totals(session, actor, conference, collected, {
                str(n.id): figures for n, (_name, _code, figures) in zip(added, people)})
            paper.submit_sheet(session, actor, conference)
            paper.accept_count(session, actor, conference, sheet.id)
            counting.count(session, actor, conference)
            return conference

        conference = self.as_account(staff[Role.UNIT_ADMIN], prepare)
        if certify:
            for counter in staff[Role.COUNTER]:
                self.as_account(counter, lambda s, a: counting.certify(
                    s, a, conferences.get_conference(s, conference.id)))
        return conference

    def register(self, round_id, unit, cadres):
        """The province's registry gives `unit` these cadres (dicts of cadre_code, full_name,
        post) in the round; ones it already has are kept."""
        from tinnhiem.rounds import registry
        from tinnhiem.rounds import services as rounds

        def enter(session):
            round_ = rounds.get_round(session, round_id)
            return [registry.own_entry(session, round_id, unit.id, cadre["cadre_code"])
                    or registry.register(session, None, round_, unit, cadre) for cadre in cadres]

        return self._run(enter)

    def _unit_staff(self, unit):
        from tinnhiem.platform.auth.roles import Role

        cache = self.__dict__.setdefault("_staff", {})
        if unit.id not in cache:
            cache[unit.id] = {Role.UNIT_ADMIN: self.account(Role.UNIT_ADMIN, unit),
                              Role.COUNTER: [self.account(Role.COUNTER, unit) for _ in range(2)]}
        return cache[unit.id]
