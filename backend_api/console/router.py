"""Mounting the console on the backend app: its pages, static files and the font."""

from __future__ import annotations

import logging

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from backend_api.console.settings import get_console_settings
from backend_api.console.views import (
    accounts,
    audit,
    catalogue,
    complaints,
    dashboard,
    faqs,
    handoffs,
    opendata,
    requests,
    signin,
    unresolved,
)
from backend_api.console.web import HERE

logger = logging.getLogger(__name__)

PREFIX = "/console"


# the modules whose ``router`` holds the console's pages (paths under PREFIX)
PAGES = (
    signin,
    dashboard,
    requests,
    unresolved,
    handoffs,
    complaints,
    faqs,
    catalogue,
    accounts,
    audit,
)


def console_router() -> APIRouter:
    """Every console page under ``/console``."""
    router = APIRouter(prefix=PREFIX, include_in_schema=False)
    for module in PAGES:
        router.include_router(module.router)
    return router


def install_console(app: FastAPI) -> None:
    """Add the console's pages, its static files and the shared Vazirmatn font to ``app``."""
    app.include_router(console_router())
    app.include_router(opendata.router)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=HERE / "static"), name="console-static")
    fonts = get_console_settings().fonts_dir
    if fonts.is_dir():
        # the gateway's copy of the font, served as it is: one set of binaries in the repo
        app.mount(f"{PREFIX}/fonts", StaticFiles(directory=fonts), name="console-fonts")
    else:
        logger.warning("font folder %s is missing; the console falls back to system fonts", fonts)
