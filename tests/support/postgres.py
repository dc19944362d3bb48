"""Private schemas in the local PostgreSQL test database, so concurrent runs don't collide."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text

from tests.support.services import unavailable

POSTGRES_URL = os.environ.get(
    "DASTYAR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def run_on_postgres(statement: str, url: str = POSTGRES_URL, **engine_options: object) -> None:
    """Run one statement (committed) on ``url``."""
    engine = create_engine(url, connect_args={"connect_timeout": 3}, **engine_options)
    try:
        with engine.begin() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()


@contextmanager
def private_schema(prefix: str) -> Iterator[str]:
    """A new, empty schema in the test database; yield a URL whose search path is that schema.

    Skips the test (or fails, where CI requires the server) when PostgreSQL does not answer.
    """
    schema = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        run_on_postgres(f'CREATE SCHEMA "{schema}"')
    except Exception as exc:
        unavailable(f"PostgreSQL at {POSTGRES_URL}", exc.__class__.__name__)
    separator = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        run_on_postgres(f'DROP SCHEMA "{schema}" CASCADE')
