"""The bots' webhook endpoint: ``POST /channels/{channel}/webhook/{path_secret}``."""

from __future__ import annotations

import hmac
import logging

from fastapi import APIRouter, Request, Response

from connectors.deps import GatewayDep

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


router = APIRouter(tags=["bots"])


@router.post("/channels/{channel}/webhook/{path_secret}", include_in_schema=False)
async def webhook(
    channel: str, path_secret: str, request: Request, gateway: GatewayDep
) -> Response:
    """One update from the platform, for the bot in webhook mode whose secret path and header
    match."""
    bot = gateway.webhook_bot(channel)
    expected = bot.config.webhook_path.rsplit("/", 1)[-1] if bot else ""
    if bot is None or not hmac.compare_digest(path_secret.encode(), expected.encode()):
        return Response(status_code=404)
    header = request.headers.get(SECRET_HEADER)
    if header is None and bot.config.require_secret_header:
        logger.warning("%s: webhook call without the secret header refused", channel)
        return Response(status_code=401)
    if header is not None and not hmac.compare_digest(header.encode(), bot.config.secret.encode()):
        logger.warning("%s: webhook call with a wrong secret header refused", channel)
        return Response(status_code=401)
    try:
        data = await request.json()
    except ValueError:
        return Response(status_code=400)
    if isinstance(data, dict):
        await bot.feed(data)
    return Response(status_code=200)
