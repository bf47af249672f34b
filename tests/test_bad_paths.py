"""Every route, every path parameter: NUL, a lone surrogate, bytes that are not UTF-8 and a
10 kB string, with a deeply nested JSON body, from a stranger and from the object's owner:
a clear 4xx, never a server error."""
import re

import pytest

# Each bad value as it travels in the URL (percent-encoded bytes).
BAD_SEGMENTS = {
    "nul": "%00",
    "nul-inside": "A%00B",
    "lone-surrogate": "%ED%A0%80",
    "not-utf8": "%FF%FE",
    "long": "x" * 10_000,
}
# The 2 kB body that made the JSON decoder raise RecursionError.
DEEP_JSON = b"[" * 1000 + b"]" * 1000


@pytest.fixture
def world(make):
    w = make.world()
    make.conference_for(w, w.a1)
    make.open_conference(w)
    _codes, w.slug = make.issue_codes(w, 2)
    return w


def _real_values(world) -> dict:
    return {"unit_id": world.a1.id, "account_id": world.unit_admin_a1.id,
            "type_id": world.a1.type_id, "round_id": world.round_a.id,
            "conference_id": world.conference_a1.id, "nominee_id": world.nominee_a1.id,
            "ballot_id": world.conference_a1.id, "entry_id": world.conference_a1.id,
            "request_id": world.conference_a1.id, "batch_id": world.conference_a1.id,
            "page_id": world.conference_a1.id, "check_id": world.conference_a1.id,
            "result_id": world.conference_a1.id, "row": 0, "source_key": world.a2.id,
            "verdict": "duplicate",
            "slug": world.slug, "target": "open",
            "action": "submit", "token": "x", "code": "en", "filename": "css/app.css",
            "cadre_code": "CB-A1"}


def _urls(rule, world):
    """The rule's URL once per (parameter, bad value), the other parameters real."""
    real = _real_values(world)
    for name in rule.arguments:
        for label, bad in BAD_SEGMENTS.items():
            url = rule.rule
            for other in rule.arguments:
                url = re.sub(rf"<[^<>]*:?{other}>", bad if other == name else str(real[other]),
                             url)
            yield f"{name}={label}", url


def _send(client, method, url, headers):
    if url.startswith("/api/"):
        return client.open(url, method=method, headers=headers, data=DEEP_JSON,
                           content_type="application/json")
    return client.open(url, method=method, data={"code": "x\x00"})


def test_bad_path_parameters_never_reach_a_server_error(app, world, login, token):
    callers = {"stranger": (app.test_client(), {}),
               "unit admin": (login(world.unit_admin_a1, target=app.test_client()),
                              token(world.unit_admin_a1)),
               "province admin": (login(world.admin_a, target=app.test_client()),
                                  token(world.admin_a))}
    failures, calls = [], 0
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for label, url in _urls(rule, world):
                for who, (client, headers) in callers.items():
                    response = _send(client, method, url, headers)
                    calls += 1
                    if not 400 <= response.status_code < 500:
                        failures.append(f"{who} {method} {rule.rule} [{label}] -> "
                                        f"{response.status_code}")
    assert calls > 1000
    assert failures == []


@pytest.mark.parametrize("path", ["/v/%00", "/api/v1/polls/%00", "/v/%ED%A0%80",
                                  "/api/v1/polls/%FF"])
def test_a_bad_voting_link_is_named(app, client, path):
    response = client.get(path)
    assert response.status_code == 400
    if path.startswith("/api/"):
        assert response.json["code"] in {"invalid_characters", "not_utf8"}
    else:
        assert "không hợp lệ" in response.text or "UTF-8" in response.text


@pytest.mark.parametrize("path", ["/api/v1/auth/token", "/api/v1/polls/ABC/ballots",
                                  "/api/v1/units"])
def test_deeply_nested_json_is_refused(app, client, path):
    response = client.post(path, data=DEEP_JSON, content_type="application/json")
    assert response.status_code == 400
    assert response.json["code"] == "json_too_deep"
    assert response.json["message"] == "Dữ liệu JSON lồng nhau quá sâu."


def test_brackets_inside_strings_do_not_count_as_depth(app, client):
    """A name full of brackets is text, not nesting: it reaches the rules (401 here)."""
    body = '{"username": "' + "[" * 40 + '\\"{{", "password": "x"}'
    response = client.post("/api/v1/auth/token", data=body, content_type="application/json")
    assert response.status_code == 401
