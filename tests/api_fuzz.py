"""Fuzzing the API from its OpenAPI document with schemathesis: the world its requests reach
into, and one operation's run under one account. Shared by tests/test_openapi_fuzz.py (a
bounded run, in CI) and bench/fuzz_deep.py (many examples, run by hand)."""
from collections import Counter

import schemathesis
from hypothesis import HealthCheck, Verbosity, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (content_type_conformance,
                                               response_schema_conformance,
                                               status_code_conformance)

from tinnhiem.platform.auth.roles import Role

ROLES = (Role.OPERATOR, Role.PROVINCE_ADMIN, Role.UNIT_ADMIN)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
# Refusals that come before a request's content matters: no token (401), not the account's
# operation or object (404), not in the object's present state (409).
REFUSED = {401, 404, 409}


def fuzz_world(make):
    """Two provinces with units, staff, a draft conference with a person on it and an open
    electronic vote with codes: (accounts by role, the real ids to put in paths)."""
    world = make.conference_for(make.world(), None)
    make.open_conference(world)  # an open electronic vote, with its voting link
    _codes, slug = make.issue_codes(world, 2)
    accounts = {Role.OPERATOR: world.operator, Role.PROVINCE_ADMIN: world.admin_a,
                Role.UNIT_ADMIN: world.unit_admin_a1}
    from tinnhiem.cadre_registry import services as cadre_posts

    post = make.as_account(world.admin_a, lambda s, a: cadre_posts.add_post(s, a, {
        "cadre_code": "CB-A1", "full_name": "Nguyễn Văn Được", "post": "Bí thư",
        "unit_id": world.a1.id, "held_since": "2021-03-01"}))
    # Real ids in the path, so requests reach past the 404 into the rules.
    real_ids = {"unit_id": world.a1.id, "conference_id": world.conference_a1.id,
                "nominee_id": world.nominee_a1.id, "round_id": world.round_a.id,
                "account_id": world.unit_admin_a1.id, "type_id": world.a1.type_id,
                "post_id": post.id, "slug": slug}
    return accounts, {name: str(value) for name, value in real_ids.items()}


def api_operations(app) -> list:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def label(operation) -> str:
    return f"{operation.method.upper()} {operation.path}"


def is_public(operation) -> bool:
    """Open to anyone (a voter's poll, signing in): the document lists no security for it."""
    return operation.definition.raw.get("security") == []


def fuzz_operation(operation, headers, real_ids, examples, statuses: Counter | None = None,
                   mode=GenerationMode.POSITIVE) -> str | None:
    """Send `examples` generated requests to `operation` with these headers: what failed
    (no server error, every response as documented), or None. Counts the statuses met."""
    names = {parameter.name for parameter in operation.path_parameters}
    fixed = {name: value for name, value in real_ids.items() if name in names}
    # Headers fixed here rather than at the call: then an operation with nothing left to
    # vary (a GET without parameters) is sent once, not `examples` times.
    strategy = operation.as_strategy(mode, path_parameters=fixed or None,
                                     headers=headers or None)

    # Quiet when breaking the document's constraints: an operation with nothing left to break
    # is no failure, yet Hypothesis would print a seed to reproduce it.
    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck),
              verbosity=Verbosity.quiet if mode == GenerationMode.NEGATIVE else Verbosity.normal)
    @given(case=strategy)
    def check(case):
        response = case.call()
        if statuses is not None:
            statuses[response.status_code] += 1
        case.validate_response(response, checks=CHECKS)

    try:
        check()
    except Unsatisfiable:  # nothing to vary that this mode may (negative: all of it fixed)
        return None
    except (Exception, FailureGroup) as error:  # the caller collects every operation's
        return f"{label(operation)}: {error}"  # failure, then reports them all
    return None


def fuzz_reach(operation, headers, real_ids, examples, probe, statuses: Counter | None = None,
               mode=GenerationMode.POSITIVE) -> str | None:
    """fuzz_operation with `examples` requests where the account reaches the operation's
    rules; where the first `probe` requests were all refused (REFUSED) or were all there is
    to send, those are enough."""
    seen = Counter()
    probe = min(probe, examples)
    failure = fuzz_operation(operation, headers, real_ids, probe, seen, mode)
    if statuses is not None:
        statuses.update(seen)
    if failure or set(seen) <= REFUSED or seen.total() < probe or probe == examples:
        return failure
    return fuzz_operation(operation, headers, real_ids, examples - probe, statuses, mode)
