"""Every route, HTML and API, called by someone outside the object's unit answers 404."""
import re

import pytest

from tinnhiem.rounds import services as rounds_services
from tinnhiem.scanning.models import ScanPage
from tests.conftest import PASSWORD
from tests.factories import rows
from tests.scan_pages import drawn, scanned
from tests.snapshots import snapshot

# Routes whose parameters name no tenant object.
NOT_OBJECT_ROUTES = {"/static/<path:filename>", "/lang/<code>"}
# The voter's pages answer anyone holding the voting link, by design: no account reaches
# further through them (a code of another conference is refused: see test_voting).
VOTER_ROUTES = ("/v/", "/api/v1/polls/", "/r/")
# Path parameters that are not object ids (the object is named by the other parameters).
NOT_OBJECT_PARAMS = {"target": "open", "action": "submit", "row": 0, "verdict": "single"}
# Routes about the counting board's paper sheets are called on a paper conference.
PAPER_ROUTE = re.compile(r"/(sheet|count|results|minutes|scans)")
# A document made from what its query says: asked for with nothing, it says what is missing.
GET_QUERIES = {"/api/v1/rounds/<uuid:round_id>/report-upward": {
    "number": "1-BC/TU", "recipients": "Lưu.", "authority": "T/M", "signer_title": "Bí thư",
    "signer_name": "A"}}
OUTSIDERS = ["unit_admin_a2", "counter_a1_other", "unit_admin_b1", "admin_b"]


@snapshot
def world(make):
    w = make.world()
    # A counter of unit A2 is also "another unit" for A1's objects.
    from tinnhiem.platform.auth.roles import Role

    w.counter_a1_other = make.account(Role.COUNTER, w.a2)
    make.conference_for(w, w.a1)
    _paper_conference_with_a_sheet(make, w)
    # A sign-in session is its account's alone: anyone else's attempt to end it is a 404.
    w.session_a1 = make.sign_in_session(w.unit_admin_a1)
    _registry_entry_and_request(make, w)
    _certified_low_result(make, w)
    _certified_cadre(make, w)
    return w


def _certified_low_result(make, w):
    """A certified result of A1 in the two-thirds band, in the round only A1 takes part in:
    a person the province follows up (the follow-up routes' result_id)."""
    import datetime as dt

    from tinnhiem.counting.models import Result
    from tinnhiem.rounds.models import RoundCategory

    [category] = rows(make, RoundCategory, round_id=w.round_a1_only.id)
    make.certified(w.a1, w.round_a1_only.id, category.id, [
        ("Nguyễn Văn Thấp", "CB-LOW", {"high": 0, "confidence": 1, "low": 2, "invalid": 0})],
        3, title="Hội nghị đã chứng nhận", held_on=dt.date(2024, 6, 20))
    [w.low_result] = rows(make, Result, round_id=w.round_a1_only.id)


def _certified_cadre(make, w):
    """A person of A1 with a certified result: a cadre's history A1 reads (w.cadre_code)."""
    w.cadre_code = "CB-HIST-A1"
    category = make.as_account(w.admin_a, lambda s, a: s.scalars(
        rounds_services.select_categories(w.round_a.id)).first())
    make.certified(w.a1, w.round_a.id, category, [("Nguyễn Văn Sử", w.cadre_code, {
        "high": 3, "confidence": 1, "low": 1, "invalid": 0})], 5)


def _registry_entry_and_request(make, w):
    """An entry of the province's cadre registry for A1 and a request A1 filed, both in the
    round only A1 takes part in."""
    from tinnhiem.rounds import registry
    from tinnhiem.rounds import services as rounds

    cadre = {"cadre_code": "CB-REG", "full_name": "Nguyễn Văn Đăng Ký", "post": "Phó Bí thư"}
    w.cadre_entry = make.register(w.round_a1_only.id, w.a1, [cadre])[0]
    w.cadre_request = make.as_account(w.unit_admin_a1, lambda s, a: registry.file_request(
        s, a, rounds.get_round(s, w.round_a1_only.id), {**cadre, "cadre_code": "CB-ASK"}))
    # A post held in A1, in the province's standing registry.
    from tinnhiem.cadre_registry import services as cadre_posts

    w.cadre_post = make.as_account(w.admin_a, lambda s, a: cadre_posts.add_post(s, a, {
        **cadre, "unit_id": w.a1.id, "held_since": "2021-03-01"}))


def _paper_conference_with_a_sheet(make, w):
    """A closed paper conference of A1 on which A1's admin entered one ballot."""
    from tinnhiem.conferences import services as conferences
    from tinnhiem.voting import paper

    make.open_conference(w, mode="paper", people=1, title="Hội nghị phiếu giấy")
    make.close_vote(w, ballots_issued=5)
    w.paper_conference = w.voting
    w.paper_ballot = make.as_account(w.unit_admin_a1, lambda s, a: paper.add_paper_ballot(
        s, a, conferences.get_conference(s, w.paper_conference.id),
        {"marks": {w.people[0].id: "high"}}))

    def accept_and_count(session, actor):
        from tinnhiem.counting import services as counting

        conference = conferences.get_conference(session, w.paper_conference.id)
        sheet = paper.submit_sheet(session, actor, conference)
        paper.accept_count(session, actor, conference, sheet.id)
        counting.count(session, actor, conference)

    make.as_account(w.unit_admin_a1, accept_and_count)
    # Its board's scans: a batch, a page read with a doubtful row, a ballot drawn for the check.
    [w.scan_page_id] = scanned(make, w, ["?"])
    w.scan_batch_id = rows(make, ScanPage, id=w.scan_page_id)[0].batch_id
    w.scan_check_id = drawn(make, w, w.scan_page_id)


def object_routes(app):
    for rule in app.url_map.iter_rules():
        if not rule.arguments or rule.rule in NOT_OBJECT_ROUTES \
                or rule.rule.startswith(VOTER_ROUTES):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def _arguments(rule, world):
    values = {"unit_id": world.a1.id, "account_id": world.unit_admin_a1.id,
              "type_id": world.a1.type_id, "round_id": world.round_a1_only.id,
              "conference_id": world.conference_a1.id, "nominee_id": world.nominee_a1.id,
              "ballot_id": world.paper_ballot.id, "session_id": world.session_a1.id,
              "entry_id": world.cadre_entry.id, "request_id": world.cadre_request.id,
              "batch_id": world.scan_batch_id, "page_id": world.scan_page_id,
              "check_id": world.scan_check_id, "post_id": world.cadre_post.id,
              "result_id": world.low_result.id, "cadre_code": world.cadre_code,
              # a unit that exists but that no one here succeeded (tests/test_history.py
              # has the successors' side)
              "source_key": world.a2.id, **NOT_OBJECT_PARAMS}
    if PAPER_ROUTE.search(rule.rule):
        values["conference_id"] = world.paper_conference.id
    unknown = set(rule.arguments) - values.keys()
    assert not unknown, f"{rule.rule}: teach the isolation matrix about {unknown}"
    return {name: values[name] for name in rule.arguments}


def _fill(rule, world) -> str:
    url = rule.rule
    for name, value in _arguments(rule, world).items():
        url = re.sub(rf"<[^<>]*:?{name}>", str(value), url)
    return url


def _directory_route(url: str) -> bool:
    """Operator pages (the unit tree, types, accounts); everything else is the unit's."""
    return url.startswith(("/units/", "/unit-types/", "/accounts/", "/api/v1/units",
                           "/api/v1/unit-types", "/api/v1/accounts"))


def _call(client, method, url, headers):
    if url.startswith("/api/"):
        return client.open(url, method=method, headers=headers, json={})
    return client.open(url, method=method, data={})


def _headers_for(app, account):
    client = app.test_client()
    response = client.post("/api/v1/auth/token",
                           json={"username": account.username, "password": PASSWORD})
    return {"Authorization": f"Bearer {response.json['token']}"}


def test_every_object_route_is_404_for_other_units(app, world, login):
    routes = list(object_routes(app))
    assert len(routes) >= 20  # units, unit types, accounts, rounds, conferences
    failures = []
    for outsider_name in OUTSIDERS:
        outsider = getattr(world, outsider_name)
        client = login(outsider, target=app.test_client())
        headers = _headers_for(app, outsider)
        for rule, method in routes:
            url = rule.rule
            url = _fill(rule, world)
            response = _call(client, method, url, headers)
            if response.status_code != 404:
                failures.append(f"{outsider_name} {method} {url} -> {response.status_code}")
    assert failures == []


def test_the_owner_reaches_the_same_object(app, world, login, token):
    """Control: the matrix's 404s come from the scope, not from broken URLs."""
    owner = client = login(world.unit_admin_a1)
    assert client.get(f"/units/{world.a1.id}").status_code == 200
    assert client.get(f"/api/v1/units/{world.a1.id}",
                      headers=token(world.unit_admin_a1)).status_code == 200
    operator = login(world.operator, target=app.test_client())
    # The roll-up, the cadre registry's own pages and the standing registry's edit page are
    # the province's.
    province = login(world.admin_a, target=app.test_client())
    for rule, method in object_routes(app):
        # A predecessor's history is read by its successors only: tests/test_history.py
        # reaches it from their side.
        if method == "GET" and "/history/" not in rule.rule:
            url = _fill(rule, world)
            reader, account = (operator, world.operator) if _directory_route(url) else \
                (province, world.admin_a) if re.search(
                    r"/rollup|/registry|cadre-registry/posts|/report-upward", url) \
                else (owner, world.unit_admin_a1)
            headers = token(account) if url.startswith("/api/") else {}
            response = reader.get(url, headers=headers, query_string=GET_QUERIES.get(rule.rule))
            assert response.status_code == 200, url


@pytest.mark.parametrize("viewer, visible, hidden", [
    ("unit_admin_a1", ["Đảng ủy xã A1"],
     ["Đảng ủy phường A2", "Tỉnh ủy Alpha", "Tỉnh ủy Beta", "Chi bộ A1-1"]),
    ("counter_a1", ["Đảng ủy xã A1"], ["Đảng ủy phường A2", "Tỉnh ủy Beta"]),
    ("admin_a", ["Tỉnh ủy Alpha", "Đảng ủy xã A1", "Đảng ủy phường A2", "Chi bộ A1-1"],
     ["Tỉnh ủy Beta", "Đảng ủy xã B1"]),
    ("viewer_a", ["Tỉnh ủy Alpha", "Đảng ủy phường A2"], ["Tỉnh ủy Beta", "Đảng ủy xã B1"]),
    ("admin_b", ["Tỉnh ủy Beta", "Đảng ủy xã B1"],
     ["Tỉnh ủy Alpha", "Đảng ủy xã A1", "Đảng ủy phường A2"]),
])
def test_lists_show_only_the_scope(app, world, login, token, viewer, visible, hidden):
    account = getattr(world, viewer)
    client = login(account)
    page = client.get("/units/", follow_redirects=True).text
    api = client.get("/api/v1/units", headers=token(account)).json
    api_names = {unit["name"] for unit in api}
    for name in visible:
        assert name in page and name in api_names
    for fragment in hidden:
        assert fragment not in page
        assert not any(fragment in name for name in api_names)


@pytest.mark.parametrize("who, target", [("unit_admin_a1", "/conferences/"),
                                         ("counter_a1", "/conferences/"),
                                         ("admin_a", "/rounds/"), ("operator", "/units/")])
def test_each_role_lands_on_its_work(app, world, login, who, target):
    response = login(getattr(world, who), target=app.test_client()).get("/")
    assert response.headers["Location"] == target


def test_no_route_without_arguments_shows_another_units_data(app, world, login):
    """Lists, forms and documents: nothing of unit A1 reaches a user of another unit."""
    secret_name = "Đảng ủy xã A1"
    failures = []
    for outsider_name in OUTSIDERS:
        outsider = getattr(world, outsider_name)
        client = login(outsider, target=app.test_client())
        headers = _headers_for(app, outsider)
        for rule in app.url_map.iter_rules():
            if rule.arguments or "GET" not in rule.methods:
                continue
            response = client.get(rule.rule, headers=headers if rule.rule.startswith("/api/")
                                  else {})
            if secret_name.encode() in response.get_data():  # a document may be binary
                failures.append(f"{outsider_name} GET {rule.rule}")
    assert failures == []


def test_ids_of_another_scope_in_a_body_are_refused(app, world, token, client):
    """Ids sent by a client are resolved inside the caller's scope only."""
    b1 = token(world.unit_admin_b1)
    refused = client.post("/api/v1/conferences", headers=b1, json={
        "round_id": str(world.round_a1_only.id), "title": "Lấn sân", "held_on": "2024-06-01"})
    assert refused.status_code == 422 and refused.json["code"] == "unknown_round"
    admin_b = token(world.admin_b)
    foreign_units = client.post("/api/v1/rounds", headers=admin_b, json={
        "name": "Đợt lấn sân", "year": 2024, "unit_ids": [str(world.a1.id)],
        "categories": [{"name": "Nhóm", "deadline": "2024-06-30"}]})
    assert foreign_units.status_code == 422 and foreign_units.json["code"] == "unknown_unit"
    assert client.get("/api/v1/rounds", headers=admin_b).json == []
