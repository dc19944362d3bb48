"""The bots' webhook endpoint: ``POST /channels/{channel}/webhook/{path_secret}``."""

from __future__ import annotations

import hmac
import logging

from fastapi import APIRouter, Request, Response

from connectors.telegram.bot import BotChannel

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_router(bots: list[BotChannel]) -> APIRouter:
    """Routes updates to the bot in webhook mode whose secret path and header match."""
    router = APIRouter(tags=["bots"])
    by_channel = {bot.name: bot for bot in bots if bot.config.mode == "webhook"}

    @router.post("/channels/{channel}/webhook/{path_secret}", include_in_schema=False)
    async def webhook(channel: str, path_secret: str, request: Request) -> Response:
        """One update from the platform."""
        bot = by_channel.get(channel)
        expected = bot.config.webhook_path.rsplit("/", 1)[-1] if bot else ""
        if bot is None or not hmac.compare_digest(path_secret.encode(), expected.encode()):
            return Response(status_code=404)
        header = request.headers.get(SECRET_HEADER)
        if header is None and bot.config.require_secret_header:
            logger.warning("%s: webhook call without the secret header refused", channel)
            return Response(status_code=401)
        if header is not None and not hmac.compare_digest(
            header.encode(), bot.config.secret.encode()
        ):
            logger.warning("%s: webhook call with a wrong secret header refused", channel)
            return Response(status_code=401)
        try:
            data = await request.json()
        except ValueError:
            return Response(status_code=400)
        if isinstance(data, dict):
            await bot.accept(data)
        return Response(status_code=200)

    return router
