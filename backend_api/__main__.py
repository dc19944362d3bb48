"""Run the backend: ``python -m backend_api [serve|migrate]``."""

from __future__ import annotations

import argparse
import logging
import sys

from backend_api.migrate import upgrade
from backend_api.serving import PortInUse, serve
from backend_api.settings import get_settings
from shared.log_masking import install_log_masking

logger = logging.getLogger("backend_api")


def main() -> None:
    """Entry point."""
    parser = argparse.ArgumentParser(prog="python -m backend_api")
    parser.add_argument("command", nargs="?", default="serve", choices=("serve", "migrate"))
    parser.add_argument(
        "--workers", type=int, default=0, help="worker processes (default: DASTYAR_BACKEND_WORKERS)"
    )
    args = parser.parse_args()
    install_log_masking()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = get_settings()
    if args.command == "migrate":
        upgrade(settings.resolved_database_url())
        return
    try:
        status = serve(settings.host, settings.port, args.workers or settings.workers)
    except PortInUse as exc:
        logger.error("%s: stop the other program or set DASTYAR_BACKEND_PORT", exc)
        status = 1
    sys.exit(status)


if __name__ == "__main__":
    main()
