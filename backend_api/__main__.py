"""Run the backend: ``python -m backend_api [serve|migrate]``."""

from __future__ import annotations

import argparse
import logging
import os

import uvicorn

from backend_api.migrate import upgrade
from backend_api.settings import get_settings


def main() -> None:
    """Entry point."""
    parser = argparse.ArgumentParser(prog="python -m backend_api")
    parser.add_argument("command", nargs="?", default="serve", choices=("serve", "migrate"))
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = get_settings()
    if args.command == "migrate":
        upgrade(settings.resolved_database_url())
        return
    if args.workers > 1:
        # Workers would race to migrate, create accounts and seed: do it once here instead.
        from backend_api.app import prepare_database
        from backend_api.db import make_engine, make_session_factory
        from backend_api.errors import load_messages

        engine = make_engine(settings.resolved_database_url())
        factory = make_session_factory(engine)
        factory.configure(info={"messages": load_messages(settings.messages_file)})
        prepare_database(settings, factory)
        engine.dispose()
        os.environ["DASTYAR_BACKEND_PREPARE_ON_START"] = "false"
    uvicorn.run(
        "backend_api.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=args.workers,
        log_level="info",
        access_log=False,
    )


if __name__ == "__main__":
    main()
