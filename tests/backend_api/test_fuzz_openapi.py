"""Schema-driven fuzzing of every endpoint: whatever the input, never a 5xx.

Schemathesis generates requests from the OpenAPI spec (valid and invalid ones) and sends them
through the real app with an admin token, so the protected endpoints are exercised too.
"""

from __future__ import annotations

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from backend_api.catalogue.transfer import import_bundle, load_sources
from backend_api.settings import BackendSettings
from backend_api.users.security import Principal
from tests.backend_api.conftest import MINI_CATALOGUE, PASSWORDS, token_for
from tests.support.backend_app import backend_app

pytestmark = pytest.mark.slow  # every operation fuzzed: minutes; make test runs it


@pytest.fixture(scope="module")
def fuzz_target(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("fuzz")
    app = backend_app(
        BackendSettings(
            database_url=f"sqlite:///{data_dir / 'fuzz.db'}",
            data_dir=data_dir,
            jwt_secret="fuzz-secret-" + "x" * 40,
            admin_password=PASSWORDS["admin"],
            assistant_password=PASSWORDS["assistant"],
            seed_catalogue=False,
        )
    )
    with TestClient(app) as client:
        with app.state.session_factory() as session:
            import_bundle(session, load_sources(MINI_CATALOGUE), Principal("test", "admin"))
            session.commit()
        headers = token_for(client, "admin", PASSWORDS["admin"])
        yield app, headers


@pytest.fixture(scope="module")
def api_schema(fuzz_target):
    app, _headers = fuzz_target
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_input_makes_the_server_fail(case, fuzz_target):
    _app, headers = fuzz_target
    case.call_and_validate(headers=headers, checks=[not_a_server_error])
