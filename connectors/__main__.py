"""Run the gateway: ``python -m connectors``."""

import logging

import uvicorn

from connectors.logsafe import RedactSecrets
from connectors.settings import get_settings
from shared.log_masking import install_log_masking

install_log_masking()
logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
settings = get_settings()
for handler in logging.getLogger().handlers:
    handler.addFilter(RedactSecrets(settings.secrets()))
uvicorn.run(
    "connectors.app:create_app",
    factory=True,
    host=settings.host,
    port=settings.port,
    log_level="info",
    access_log=False,  # webhook paths carry a secret: no access log
    # an open widget's event stream would otherwise hold a stop until the stream ends
    timeout_graceful_shutdown=settings.shutdown_grace_s,
)
