"""Run the gateway: ``python -m connectors``."""

import logging

import uvicorn

from connectors.settings import get_settings

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
settings = get_settings()
uvicorn.run(
    "connectors.app:create_app",
    factory=True,
    host=settings.host,
    port=settings.port,
    log_level="info",
    access_log=False,
)
