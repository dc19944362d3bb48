"""The backend app as API tests build it: production code, a cheap password hash."""

from __future__ import annotations

from argon2 import PasswordHasher
from fastapi import FastAPI

from backend_api.app import create_app
from backend_api.settings import BackendSettings

# Argon2id at the lowest cost the library accepts: tests hash and check passwords on every app
# start and sign-in, and at production cost that was most of an API test's CPU time.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def backend_app(settings: BackendSettings) -> FastAPI:
    """The backend app for ``settings``, hashing passwords cheaply."""
    return create_app(settings, password_hasher=CHEAP_HASHER)
