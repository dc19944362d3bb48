"""Run the backend: ``python -m backend_api [serve|migrate]``."""

from __future__ import annotations

import argparse
import logging

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
