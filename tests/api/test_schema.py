"""Property-based tests of the served API against its own OpenAPI document (schemathesis): for generated
requests, valid and invalid, no 500, every response matches the documented status, media type and schema, and
requests without a token are refused where the document says a token is needed."""
import threading

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, ignored_auth, response_schema_conformance, status_code_conformance,
)
from werkzeug.serving import make_server

from forum import create_app
from forum.extensions import db
from forum.models import Reason
from forum.services.people import api_tokens
from forum.services.reputation import ledger
from tests.factories import make_answer, make_question, make_user
from tests.databases import make_config

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          ignored_auth]


@pytest.fixture(scope="module")
def served_api(databases, tmp_path_factory):
    """The app on a free local port, with a thread to read and a member (with reputation) holding a token."""
    workdir = tmp_path_factory.mktemp("api")
    url = databases.create(workdir)
    app = create_app(make_config(url, workdir / "search-index", PRIVILEGE_PRESET="small"))
    with app.app_context():
        question = make_question(title="Sync stops after the update", body="The sync stops after the update.")
        make_answer(question, body="Sign out and in again, then run the sync from the menu.")
        member = make_user(commit=False)
        db.session.flush()
        ledger.record(member.id, Reason.BONUS, 500)
        _token, secret = api_tokens.create_token(member, "schemathesis", "write", None)
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="api-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", secret
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()
    with app.app_context():
        db.engine.dispose()
    databases.drop(url)


@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_every_operation_keeps_its_documented_promises(served_api, mode):
    """Each operation, with generated valid (positive) or invalid (negative) requests. Driven from a loop rather
    than schemathesis' pytest plugin, which does not run on this pytest."""
    base, secret = served_api
    schema = schemathesis.openapi.from_url(f"{base}/api/v1/openapi.json")
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:
        @given(case=operation.as_strategy(generation_mode=GenerationMode(mode)))
        @settings(max_examples=12, deadline=None, database=None, derandomize=True,  # the same cases in every run
                  suppress_health_check=list(HealthCheck))
        def check(case):
            case.call_and_validate(base_url=base, headers={"Authorization": f"Bearer {secret}"},
                                   checks=CHECKS)
        try:
            check()
        except Unsatisfiable:  # nothing to make invalid (an operation without parameters or body)
            assert mode == "negative", operation.label
        except Exception as failure:  # noqa: BLE001 -- every operation is tried; all failures are reported
            failures.append(f"{operation.label}: {failure}")
    assert not failures, "\n\n".join(failures)
