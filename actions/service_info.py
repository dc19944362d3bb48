"""Answering questions about services from the knowledge base (service cards and FAQs)."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.backend import backend
from actions.settings import get_settings
from backend_api.client import BackendError, BackendUnavailable, SearchHit
from nlu.digits import format_amount, to_persian_digits

logger = logging.getLogger(__name__)


def phrase(domain: dict[str, Any], name: str, **values: Any) -> str:
    """A short phrase from the domain's responses, filled with ``values``."""
    text = domain["responses"][name][0]["text"]
    return text.format(**values)


def describe_cost(domain: dict[str, Any], card: dict[str, Any]) -> str:
    """The cost of a service in words for the citizen."""
    cost = card["cost"]
    if cost["kind"] == "free":
        return phrase(domain, "phrase_cost_free")
    if cost["kind"] == "fixed":
        text = phrase(domain, "phrase_cost_fixed", amount=format_amount(cost["amount"]))
        return f"{text} ({cost['note']})" if cost.get("note") else text
    return cost["note"]


def describe_duration(domain: dict[str, Any], card: dict[str, Any]) -> str:
    """How long a service takes, in Persian digits."""
    time = card["processing_time"]
    low, high = time["min_days"], time["max_days"]
    if high == 0:
        return phrase(domain, "phrase_same_day")
    if low == high:
        return phrase(domain, "phrase_days", days=to_persian_digits(str(low)))
    return phrase(
        domain,
        "phrase_day_range",
        low=to_persian_digits(str(low)),
        high=to_persian_digits(str(high)),
    )


def describe_channel(card: dict[str, Any]) -> str:
    """Where to apply: the e-service address, else the offices."""
    channels = card["channels"]
    if channels.get("url"):
        return channels["url"]
    return "، ".join(channels.get("offices", [])) or channels.get("phone", "")


class ActionAnswerQuestion(Action):
    """Looks the latest message up in the knowledge base and answers from the best match."""

    def name(self) -> str:
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        question = (tracker.latest_message.get("text") or "").strip()
        if not question:
            dispatcher.utter_message(response="utter_empty_message")
            return []
        settings = get_settings()
        client = backend()
        try:
            hits = await client.search(question, settings.search_limit)
            best = hits[0] if hits and hits[0].score >= settings.min_answer_score else None
            if best is None:
                await client.log_unresolved(
                    question,
                    channel=_channel(tracker),
                    conversation_id=tracker.sender_id,
                    candidates=[{"id": h.id, "title": h.title, "score": h.score} for h in hits],
                )
                dispatcher.utter_message(response="utter_no_answer")
                return []
            await self._answer(dispatcher, domain, best)
        except BackendUnavailable as exc:
            logger.warning("backend unavailable while answering: %s", exc)
            dispatcher.utter_message(response="utter_backend_down")
        except BackendError as exc:
            logger.error("backend refused a search: %s", exc)
            dispatcher.utter_message(response="utter_backend_down")
        return []

    async def _answer(
        self, dispatcher: CollectingDispatcher, domain: dict[str, Any], hit: SearchHit
    ) -> None:
        if hit.kind == "faq":
            if hit.service_code:
                card = await backend().service(hit.service_code)
                dispatcher.utter_message(
                    response="utter_faq_answer",
                    answer=hit.answer,
                    service_title=card["title"],
                    agency=hit.agency,
                )
            else:
                dispatcher.utter_message(response="utter_faq_answer_general", answer=hit.answer)
            return
        card = await backend().service(hit.service_code)
        dispatcher.utter_message(
            response="utter_service_card",
            title=card["title"],
            agency=card["agency_name"],
            description=card["description"],
            cost=describe_cost(domain, card),
            duration=describe_duration(domain, card),
            channel=describe_channel(card),
        )


def _channel(tracker: Tracker) -> str:
    metadata = tracker.latest_message.get("metadata") or {}
    return str(metadata.get("channel") or "web")
