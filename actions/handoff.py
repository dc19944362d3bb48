"""Handing the conversation to a person."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.backend import backend
from actions.common import channel_of, transcript
from backend_client import BackendError
from nlu.digits import to_persian_digits


class ActionHandoff(Action):
    """Queues the conversation for staff and tells the citizen what happens next."""

    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        lines = transcript(tracker)
        question = next((line["text"] for line in reversed(lines) if line["who"] == "user"), "")
        try:
            handoff = await backend().open_handoff(
                tracker.sender_id, channel_of(tracker), "asked", question, lines
            )
        except BackendError:
            dispatcher.utter_message(response="utter_handoff_failed")
            return []
        dispatcher.utter_message(
            response="utter_handoff", position=to_persian_digits(str(handoff["queue_position"]))
        )
        return []
