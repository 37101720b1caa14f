"""
The published OpenAPI schema describes what the API does (issue 15): schemathesis generates requests
from the schema for every operation and sends them through the real Django application (WSGI) as a
district administrator and as a commune officer; no answer is a server error, and every answer's status
code, content type and body are the ones the schema documents.

Path parameters are real objects of the demo district (a random id is only ever a 404), and operations
that delete run last so that the others find their objects. Generation is derandomized: a failure comes
back on the next run. FUZZ_EXAMPLES=n raises the number of requests per operation for a longer run.
"""

import os
import re

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.urls import resolve
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.roles import Role
from sites.models import AdministrativeUnit

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2"))
METHOD_ORDER = {"get": 0, "post": 1, "put": 2, "patch": 3, "delete": 4}


@pytest.fixture
def district(demo):
    from cameras import demo as cameras_demo
    from investments import demo as investments_demo
    from live import demo as live_demo
    from meetings import demo as meetings_demo

    for module in (cameras_demo, investments_demo, meetings_demo, live_demo):
        module.load()


@pytest.fixture
def wsgi_app():
    """Django's WSGI handler in the test's thread and transaction: the connection it uses is the
    test's, so the handler must not close it at the end of each request (Django's test client does
    the same)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _schema(app) -> schemathesis.schemas.BaseSchema:
    schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
    schema.app = app
    return schema


# Segments of paths that are not object ids, for resolving a path to its view.
SAMPLE_SEGMENTS = {"kind": "estimate", "fmt": "xlsx"}
PARAMETER_MODELS = {
    "meeting_id": ("meetings", "Meeting"),
    "bridge_point_id": ("sites", "BridgePoint"),
    "state_id": ("live", "ParticipantState"),
}


def _path_parameters(path: str, user) -> dict:
    """Real values for the path's parameters: the first object the user can see of the model that
    the operation's view lists (found by resolving the path)."""
    from django.apps import apps

    values: dict = {}
    for name in re.findall(r"{(\w+)}", path):
        if name in PARAMETER_MODELS:
            model = apps.get_model(*PARAMETER_MODELS[name])
        elif name == "id":
            match = resolve(re.sub(r"{(\w+)}", lambda m: SAMPLE_SEGMENTS.get(m.group(1), "1"), path))
            view_class = match.func.cls
            model = view_class.queryset.model if view_class.queryset is not None else None
            if model is None:
                continue
        else:
            continue
        obj = model.objects.order_by("pk").first()
        if obj is not None:
            values[name] = obj.pk
    return values


def _fuzz(schema, user) -> tuple[int, int, list[str]]:
    """Every operation, EXAMPLES requests each; returns (operations, requests, failures)."""
    token = Token.objects.create(user=user).key
    headers = {"Authorization": f"Token {token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    if only := os.environ.get("FUZZ_ONLY"):  # a regular expression on "METHOD /path", while fixing
        operations = [op for op in operations if re.search(only, f"{op.method.upper()} {op.path}")]
    operations.sort(key=lambda op: METHOD_ORDER.get(op.method.lower(), 9))
    failures: list[str] = []
    sent = {"n": 0}
    for operation in operations:
        strategy = operation.as_strategy(path_parameters=_path_parameters(operation.path, user) or None)

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def run(case):
            sent["n"] += 1
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except (Failure, FailureGroup) as error:  # every operation's failures are reported together
            failures.append(f"{operation.method.upper()} {operation.path}: {str(error)[:600]}")
    return len(operations), sent["n"], failures


def test_every_operation_answers_what_the_schema_documents(district, wsgi_app, make_user):
    """A commune officer first (its writes stay in its commune), then a district administrator; one
    load of the demo district for both."""
    schema = _schema(wsgi_app)
    officer = make_user(Role.COMMUNE_OFFICER, unit=AdministrativeUnit.objects.get(code="tam-hai"))
    administrator = make_user(Role.ADMINISTRATOR)
    report = []
    for label, user in (("commune officer", officer), ("district administrator", administrator)):
        operations, requests, failures = _fuzz(schema, user)
        assert operations > 250 or os.environ.get("FUZZ_ONLY")
        assert requests >= operations
        report += [f"[{label}] {failure}" for failure in failures]
    assert not report, f"{len(report)} operation runs failed:\n\n" + "\n\n".join(report)
