"""FastAPI dependencies shared by the gateway's routers: the parts the app was built with."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from connectors.attachments import Attacher
from connectors.conversation import Conversation
from connectors.gateway import Gateway
from connectors.settings import GatewaySettings
from connectors.store import Store
from connectors.texts import Texts


def get_gateway(request: Request) -> Gateway:
    """Everything the app wired together."""
    return request.app.state.gateway


GatewayDep = Annotated[Gateway, Depends(get_gateway)]


def get_settings(gateway: GatewayDep) -> GatewaySettings:
    """The settings the app was created with."""
    return gateway.settings


def get_store(gateway: GatewayDep) -> Store:
    """The gateway's store (history, inbox, payloads)."""
    return gateway.store


def get_texts(gateway: GatewayDep) -> Texts:
    """The Persian texts."""
    return gateway.texts


def get_conversation(gateway: GatewayDep) -> Conversation:
    """The way to Rasa, one message at a time per sender."""
    return gateway.conversation


def get_attacher(gateway: GatewayDep) -> Attacher:
    """Checks and forwards citizens' files."""
    return gateway.attacher


SettingsDep = Annotated[GatewaySettings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]
TextsDep = Annotated[Texts, Depends(get_texts)]
ConversationDep = Annotated[Conversation, Depends(get_conversation)]
AttacherDep = Annotated[Attacher, Depends(get_attacher)]
