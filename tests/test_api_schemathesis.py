"""Property-based run of schemathesis over the API's own OpenAPI description
(/api/v1/openapi.json), against the Flask app through WSGI, authenticated with a demo
token: for every operation, valid and invalid requests (bounded examples, derandomised)
must never get a server error, and every response must match the description (status
code, content type, body schema). Runs on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import datetime

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance,
                                               negative_data_rejection,
                                               response_schema_conformance,
                                               status_code_conformance)

from engine import apitokens
from engine.legaltime import TZ

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
EXAMPLES = 12


@pytest.fixture
def demo(app, session, district):
    from tests.helpers import build_cases
    build_cases(session, district, datetime.now(TZ).date())

    def headers():
        secret, _ = apitokens.issue(session, district.users["bureau"])
        return {"Authorization": f"Bearer {secret}"}
    return app, headers


def _run(op, mode, headers, checks, **fixed):
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    @given(case=op.as_strategy(generation_mode=mode, **fixed))
    def run(case):
        case.call_and_validate(headers=headers(), checks=checks)

    run()


def test_schemathesis_finds_no_server_error_and_no_schema_violation(demo):
    app, new_token = demo
    token = new_token()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    ops = [r.ok() for r in schema.get_all_operations()]
    assert len(ops) >= 16
    for op in ops:
        # revoking needs a token of its own each time; every other call shares one
        headers = new_token if op.method.upper() == "DELETE" else (lambda: token)
        _run(op, GenerationMode.POSITIVE, headers, CHECKS)
        _run(op, GenerationMode.NEGATIVE, headers, CHECKS + [negative_data_rejection])
        if "{case_id}" in op.path:
            # the same on a real case (the demo's first), so the views go past the 404
            _run(op, GenerationMode.POSITIVE, headers, CHECKS, path_parameters={"case_id": 1})
