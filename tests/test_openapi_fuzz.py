"""schemathesis generates requests from the OpenAPI document: no server error, and every
documented response matches its schema."""
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tinnhiem.platform.auth.roles import Role

# Every operation, with real ids in its path, under three roles on two backends: a dozen
# generated requests each keeps the suite's time in bounds; FUZZ_EXAMPLES=200 digs deeper.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.PROVINCE_ADMIN, Role.UNIT_ADMIN])
def test_api_has_no_server_error(app, make, token, role):
    world = make.conference_for(make.world(), None)
    make.open_conference(world)  # an open electronic vote, with its voting link
    _codes, slug = make.issue_codes(world, 2)
    account = {Role.OPERATOR: world.operator, Role.PROVINCE_ADMIN: world.admin_a,
               Role.UNIT_ADMIN: world.unit_admin_a1}[role]
    # Real ids in the path, so requests reach past the 404 into the rules.
    real_ids = {"unit_id": world.a1.id, "conference_id": world.conference_a1.id,
                "nominee_id": world.nominee_a1.id, "round_id": world.round_a.id,
                "account_id": world.unit_admin_a1.id, "type_id": world.a1.type_id,
                "slug": slug}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10

    for operation in operations:
        # A token per operation: DELETE /auth/token and /auth/sessions end the caller's
        # tokens, which would leave every later operation with nothing but 401s.
        headers = token(account)

        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case):
            for name in list(case.path_parameters or {}):
                if name in real_ids:
                    case.path_parameters[name] = str(real_ids[name])
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error,
                                                     response_schema_conformance])

        try:
            check()
        except Exception as error:  # collect every operation's failure, then report
            failures.append(f"{operation.method.upper()} {operation.path}: {error}")
    assert failures == []
