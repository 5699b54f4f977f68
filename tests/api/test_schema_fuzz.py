"""The API against its own OpenAPI description, with generated requests (schemathesis).

For every operation a fixed number of requests is generated from the description and sent to
the live test server, once with a legal staff token and once with a sponsor's; no answer may be
a 5xx, and every documented answer must match its schema.  Bounded so the run takes about a
minute (MAX_EXAMPLES per operation, no shrinking); ./scripts/test runs it on both engines.
"""
from __future__ import annotations

import json

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

MAX_EXAMPLES = 8


@pytest.fixture
def callers(server, make_sponsor, make_user, make_contract, token_for, builtin_templates):
    """A legal user of GR and a user of the sponsor of one contract, each with a token."""
    sponsor = make_sponsor("Novacure Oncology SA", "FR")
    reference = make_contract(sponsor, budget=[{"item": "Screening visit", "amount": 450, "unit": "per patient"},
                                               {"item": "Archiving", "amount": "1 500,50", "unit": "flat"}])
    # the description's examples (used first) name this contract and this sponsor
    assert reference == f"FT-{reference[3:7]}-0001" and sponsor == 1
    legal = make_user("legal", "GR")
    sponsor_user = make_user("sponsor", None, sponsor="Novacure Oncology SA")
    return {"legal": token_for(legal), "sponsor": token_for(sponsor_user), "reference": reference}


def test_no_answer_is_a_server_error_or_differs_from_the_description(server, callers):
    raw = requests.get(server + "/api/v1/openapi.json", timeout=30).json()
    raw = json.loads(json.dumps(raw).replace("FT-2026-0001", callers["reference"]))  # the year the test runs in
    schema = schemathesis.openapi.from_dict(raw)
    found: dict[str, str] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20  # the whole description, not a part that failed to load

    def sender(operation):
        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def send(case):
            for role in ("legal", "sponsor"):
                token = callers[role]
                try:
                    case.call_and_validate(base_url=server + "/api/v1", headers={"Authorization": f"Bearer {token}"},
                                           checks=[not_a_server_error, response_schema_conformance], timeout=30)
                except (AssertionError, BaseExceptionGroup) as failure:  # schemathesis: Failure, FailureGroup
                    found.setdefault(f"{operation.label} as {role}", str(failure)[:1500])
        return send

    for operation in operations:
        sender(operation)()
    assert not found, "\n\n".join(f"{label}:\n{text}" for label, text in found.items())


def test_every_read_of_real_data_matches_the_description(server, callers):
    """Generated addresses mostly name nothing (404); read the contract, sponsor and site that exist too, so that
    every field of a real answer - nulls, budget amounts - is checked against the description."""
    schema = schemathesis.openapi.from_dict(requests.get(server + "/api/v1/openapi.json", timeout=30).json())
    known = {"reference": callers["reference"], "sponsor_id": 1, "code": "GR", "site": "GR"}
    checked, found = [], {}
    for operation in (result.ok() for result in schema.get_all_operations()):
        names = [parameter.name for parameter in operation.path_parameters]
        if operation.method.upper() != "GET" or not set(names) <= set(known):
            continue
        case = operation.Case(path_parameters={name: known[name] for name in names})
        for role in ("legal", "sponsor"):
            try:
                case.call_and_validate(base_url=server + "/api/v1", timeout=30,
                                       headers={"Authorization": f"Bearer {callers[role]}"},
                                       checks=[not_a_server_error, response_schema_conformance])
            except (AssertionError, BaseExceptionGroup) as failure:
                found[f"{operation.label} as {role}"] = str(failure)[:1500]
        checked.append(operation.label)
    assert "GET /contracts/{reference}" in checked and "GET /sponsors/{sponsor_id}" in checked
    assert not found, "\n\n".join(f"{label}:\n{text}" for label, text in found.items())
