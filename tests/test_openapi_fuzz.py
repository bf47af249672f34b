"""schemathesis generates requests from the OpenAPI document: no server error, and every
documented response matches its schema."""
import os

import pytest

from tests.api_fuzz import ROLES, api_operations, fuzz_reach, fuzz_world, is_public

# Every operation, with real ids in its path, under three roles and without a token, on two
# backends. A dozen generated requests where the account reaches the operation's rules keeps
# the suite's time in bounds (bench/fuzz_deep.py digs deeper; so does FUZZ_EXAMPLES=200);
# PROBE requests show an operation that is not the account's is refused as documented.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
PROBE = 3


@pytest.mark.parametrize("role", [*ROLES, pytest.param(None, id="anonymous")])
def test_api_has_no_server_error(app, make, token, role):
    accounts, real_ids = fuzz_world(make)
    failures = []
    operations = api_operations(app)
    assert len(operations) >= 10

    for operation in operations:
        if role is not None and is_public(operation):
            continue  # a voter's poll and signing in take no token: fuzzed once, without
        # A token per operation: DELETE /auth/token and /auth/sessions end the caller's
        # tokens, which would leave every later operation with nothing but 401s.
        headers = token(accounts[role]) if role is not None else {}
        failures.append(fuzz_reach(operation, headers, real_ids, EXAMPLES, PROBE))
    assert [failure for failure in failures if failure] == []
