"""Rasa's endpoints file for one run: the action server, the tracker store and the lock store.

The embedded default keeps conversations in a SQLite file and locks them in memory. For several
Rasa replicas serving the same citizens, point the tracker store at PostgreSQL and the lock
store at Redis (``DASTYAR_RASA_TRACKER_STORE_URL``, ``DASTYAR_RASA_LOCK_STORE_URL``): a
conversation is then processed by one replica at a time and every replica sees its history.

Passwords never land in the file: it names environment variables (``${...}``), which Rasa
substitutes when it reads the file, and the values go into the Rasa process's environment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

TRACKER_PASSWORD_VAR = "DASTYAR_RASA_TRACKER_STORE_PASSWORD"
LOCK_PASSWORD_VAR = "DASTYAR_RASA_LOCK_STORE_PASSWORD"
LOCK_KEY_PREFIX = "dastyar"  # Rasa accepts only an alphanumeric prefix
# Rasa's own Redis lock store is not atomic across replicas (see the module named here).
LOCK_STORE_CLASS = "rasa_plugins.redis_lock_store.AtomicRedisLockStore"


class StoreUrlError(ValueError):
    """A tracker or lock store URL that Rasa cannot use."""


def tracker_store(url: str, sqlite_file: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """Rasa's ``tracker_store`` section and the secrets it needs in the environment.

    ``url`` is empty (a SQLite file) or ``postgresql://user:password@host:port/database``.
    """
    if not url:
        return {"type": "SQL", "dialect": "sqlite", "db": str(sqlite_file)}, {}
    parts = urlsplit(url)
    if parts.scheme.split("+")[0] not in ("postgresql", "postgres"):
        raise StoreUrlError("the tracker store URL must start with postgresql://")
    database = parts.path.lstrip("/")
    if not parts.hostname or not database:
        raise StoreUrlError("the tracker store URL needs a host and a database name")
    section: dict[str, Any] = {
        "type": "SQL",
        "dialect": "postgresql",
        "url": parts.hostname,
        "port": parts.port or 5432,
        "db": database,
        # Rasa creates the database when it is missing, connecting to this one to do it.
        "login_db": "postgres",
    }
    env: dict[str, str] = {}
    if parts.username:
        section["username"] = unquote(parts.username)
    if parts.password:
        section["password"] = f"${{{TRACKER_PASSWORD_VAR}}}"
        env[TRACKER_PASSWORD_VAR] = unquote(parts.password)
    return section, env


def lock_store(url: str) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """Rasa's ``lock_store`` section (None: in memory) and the secrets it needs.

    ``url`` is empty or ``redis://[:password@]host[:port][/db]``.
    """
    if not url:
        return None, {}
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        raise StoreUrlError("the lock store URL must start with redis://")
    if not parts.hostname:
        raise StoreUrlError("the lock store URL needs a host")
    db = parts.path.lstrip("/") or "0"
    if not db.isdigit():
        raise StoreUrlError("the lock store's Redis database must be a number")
    section: dict[str, Any] = {
        "type": LOCK_STORE_CLASS,
        "url": parts.hostname,
        "port": parts.port or 6379,
        "db": int(db),
        "key_prefix": LOCK_KEY_PREFIX,
        "use_ssl": parts.scheme == "rediss",
    }
    env: dict[str, str] = {}
    if parts.password:
        section["password"] = f"${{{LOCK_PASSWORD_VAR}}}"
        env[LOCK_PASSWORD_VAR] = unquote(parts.password)
    return section, env


def write_endpoints(
    path: Path,
    *,
    actions_url: str,
    tracker_store_url: str,
    lock_store_url: str,
    sqlite_file: Path,
) -> dict[str, str]:
    """Write the endpoints file to ``path``; return what Rasa's environment must add."""
    tracker, tracker_env = tracker_store(tracker_store_url, sqlite_file)
    lock, lock_env = lock_store(lock_store_url)
    config: dict[str, Any] = {
        "action_endpoint": {"url": actions_url},
        "tracker_store": tracker,
    }
    if lock is not None:
        config["lock_store"] = lock
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "# Written by `python -m assistant run` from DASTYAR_* settings; edits are overwritten.\n"
        + yaml.safe_dump(config, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    return {**tracker_env, **lock_env}
