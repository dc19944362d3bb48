"""The backend app as API tests build it: production code, a cheap password hash."""

from __future__ import annotations

from argon2 import PasswordHasher
from fastapi import FastAPI

from backend_api.app import create_app, prepare_database
from backend_api.common.guard import make_guard
from backend_api.settings import BackendSettings
from backend_api.users.service import ActiveUsers

# Argon2id at the lowest cost the library accepts: tests hash and check passwords on every app
# start and sign-in, and at production cost that was most of an API test's CPU time.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def backend_app(settings: BackendSettings) -> FastAPI:
    """The backend app for ``settings``, hashing passwords cheaply."""
    return create_app(settings, password_hasher=CHEAP_HASHER)


def renew(app: FastAPI) -> None:
    """Make a started app over emptied tables answer as a new one would: its accounts made
    again, and nothing kept in memory from the test before (cached roles, failed lookups,
    the search index of the old contents).

    Building the app is most of a small API test's setup (FastAPI builds every route), so the
    tests of a module share one app and renew it between cases.
    """
    settings, factory = app.state.settings, app.state.session_factory
    prepare_database(settings, factory, app.state.password_hasher)
    app.state.active_users = ActiveUsers(factory)
    app.state.lookup_guard = make_guard(settings)
    app.state.search_index.forget()
