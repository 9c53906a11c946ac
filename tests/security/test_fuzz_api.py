"""Schemathesis against the app's own OpenAPI document, in process, with valid tokens.

Every operation is fuzzed with schema-valid and schema-invalid requests, once with generated
path values and once against the real objects of the scene (the dispatched appeal, its order, the
partner, ...), as a principal the access matrix says gets through, so the views themselves are
reached. No answer may be a 500 (in TESTING an unhandled exception fails the test directly),
and every answer must match its documented status, content type and schema.
Bounded and derandomised for CI: FUZZ_EXAMPLES (default 8) examples per operation, mode and
kind of path values; each request is rolled back so every example sees the same scene.
"""
import os
import re
import traceback

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.security.scene import PRINCIPALS, build_scene
from tests.security.test_access_matrix import EXPECTED

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Who fuzzes an operation: the first of these the matrix lets through (admin reaches the most views).
PREFERENCE = ("admin", "lead", "operator", "dispatcher", "supervisor", "partner")


def openapi_path(route: str) -> str:
    """"POST /api/v1/appeals/<string:number>/accept" -> "POST /api/v1/appeals/{number}/accept"."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", route)


def fuzzer_for(label: str) -> str:
    rows = {openapi_path(route): dict(zip(PRINCIPALS, row.split())) for route, row in EXPECTED.items()}
    answers = rows[label]
    return next((p for p in PREFERENCE if answers[p] not in ("401", "403")), "admin")


def fuzz(scene, operation, mode: GenerationMode, path_parameters: dict | None) -> None:
    headers = scene.principals[fuzzer_for(operation.label)].headers
    strategy = operation.as_strategy(mode, path_parameters=path_parameters)

    @given(case=strategy)
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        with scene.undone(), scene.app.app_context():
            case.call_and_validate(headers=headers, checks=CHECKS)

    run()


def describe(error: BaseException) -> str:
    """Each of hypothesis' distinct failures with its falsifying example, not just their count."""
    errors = error.exceptions if isinstance(error, BaseExceptionGroup) else (error,)
    return "\n".join("".join(traceback.format_exception(e, limit=-3)) for e in errors)


@pytest.mark.timeout(900 + 10 * EXAMPLES)  # 300 examples took 475 s on 2 idle cores; room for a loaded machine
def test_no_operation_answers_500_or_breaks_its_schema(app, database, redis_conn):
    scene = build_scene(app)
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    failures, count = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        names = [p.name for p in operation.path_parameters]
        flavours = [None] + ([{name: scene.path_values[name] for name in names}] if names else [])
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for path_parameters in flavours:
                count += 1
                try:
                    fuzz(scene, operation, mode, path_parameters)
                except Unsatisfiable:
                    # Nothing to make invalid: the path values are fixed and there is no other
                    # parameter, body or credential (Open311's discovery document).
                    assert mode == GenerationMode.NEGATIVE and path_parameters, operation.label
                except Exception as error:  # every operation is fuzzed; all failures are reported together
                    failures.append(f"{operation.label} ({mode}, path values {path_parameters or 'generated'}):\n"
                                    + describe(error))
                redis_conn.flushdb()  # rate-limit counters
    assert count > 100, "fewer fuzz runs than expected: is the OpenAPI document complete?"
    assert not failures, "\n\n".join(failures)
