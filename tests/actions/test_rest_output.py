"""Custom payloads of the domain's responses, as Rasa's REST channel hands them to the gateway."""

from __future__ import annotations

import asyncio
from typing import Any

from connectors.messages import parse_rasa
from tests.actions.conftest import ROOT


def rest_output(response: str) -> list[dict[str, Any]]:
    """What ``POST /webhooks/rest/webhook`` answers when the bot utters ``response``."""
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.load(ROOT / "domain.yml")
    generator = TemplatedNaturalLanguageGenerator(domain.responses)
    tracker = DialogueStateTracker.from_events("telegram:7", [], slots=domain.slots)

    async def render() -> list[dict[str, Any]]:
        message = await generator.generate(response, tracker, "rest")
        channel = CollectingOutputChannel()  # the REST channel's collector
        await channel.send_response("telegram:7", message)
        return channel.messages

    return asyncio.run(render())


def test_asking_for_the_mobile_marks_the_text_for_a_share_my_number_button():
    output = rest_output("utter_ask_mobile")
    assert [m.get("custom") for m in output] == [None, {"type": "ask_mobile"}]
    [reply] = parse_rasa(output).replies
    assert reply.ask_mobile and reply.text.startswith("شمارهٔ تلفن همراه خود را وارد کنید")
