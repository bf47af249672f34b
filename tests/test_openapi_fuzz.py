"""schemathesis generates requests from the OpenAPI document: no server error, and every
documented response matches its schema."""
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tinnhiem.platform.auth.roles import Role

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.UNIT_ADMIN])
def test_api_has_no_server_error(app, make, token, role):
    province = make.province()
    unit = make.unit(parent=province)
    make.unit(parent=unit)
    account = make.account(role, unit if role == Role.UNIT_ADMIN else None)
    headers = token(account)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10

    for operation in operations:
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case):
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error,
                                                     response_schema_conformance])

        try:
            check()
        except Exception as error:  # collect every operation's failure, then report
            failures.append(f"{operation.method.upper()} {operation.path}: {error}")
    assert failures == []
