"""Property: nothing a client can send makes the server answer 5xx. schemathesis generates
requests for every operation of the served OpenAPI document (valid and invalid inputs) and sends
them with a player's token and with an operator's."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

EXAMPLES_PER_OPERATION = int(os.environ.get("FUZZ_EXAMPLES", "12"))


@pytest.mark.parametrize("role", ["player", "operator"])
def test_no_request_gets_a_server_error(base_url, player, operator, role):
    headers = player().headers if role == "player" else operator.headers
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        def check(case):
            case.call_and_validate(base_url=base_url, headers=headers, checks=[not_a_server_error])

        check()
