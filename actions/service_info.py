"""Answering questions about services from the knowledge base (service cards and FAQs).

Keeps the service being discussed in ``service_code``, so «مدارکش چیه؟» after a question about
passports is about passports.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend import backend
from actions.common import channel_of, phrase
from actions.service_lookup import choice_buttons, service_choices
from actions.settings import get_settings
from backend_api.client import BackendError, BackendUnavailable, SearchHit, SearchResult
from nlu.digits import format_amount, to_persian_digits

logger = logging.getLogger(__name__)

FIELD_PHRASES = {
    "documents": "phrase_field_documents",
    "cost": "phrase_field_cost",
    "duration": "phrase_field_duration",
    "channels": "phrase_field_channels",
    "online": "phrase_field_online",
    "steps": "phrase_field_steps",
    "legal": "phrase_field_legal",
    "eligibility": "phrase_field_eligibility",
}


def describe_cost(domain: dict[str, Any], card: dict[str, Any]) -> str:
    """The cost of a service in words for the citizen."""
    cost = card["cost"]
    if cost["kind"] == "free":
        return phrase(domain, "phrase_cost_free")
    if cost["kind"] == "fixed":
        text = phrase(domain, "phrase_cost_fixed", amount=format_amount(cost["amount"]))
        return f"{text} ({cost['note']})" if cost.get("note") else text
    return str(cost["note"])


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
        return str(channels["url"])
    return "، ".join(channels.get("offices", [])) or str(channels.get("phone", ""))


def field_value(domain: dict[str, Any], card: dict[str, Any], field: str) -> str:
    """The text of one field of a card, for the citizen."""
    bullet = "\n".join
    if field == "documents":
        return bullet(f"• {d}" for d in card["prerequisites"] + card["documents"])
    if field == "cost":
        return describe_cost(domain, card)
    if field == "duration":
        note = card["processing_time"].get("note")
        return describe_duration(domain, card) + (f" ({note})" if note else "")
    if field == "channels":
        offices = card["channels"].get("offices", [])
        parts = [describe_channel(card), *(o for o in offices if o != describe_channel(card))]
        return bullet(f"• {p}" for p in parts if p)
    if field == "online":
        return phrase(domain, f"phrase_electronic_{card['electronic']}")
    if field == "steps":
        return bullet(f"{to_persian_digits(str(i))}. {s}" for i, s in enumerate(card["steps"], 1))
    if field == "legal":
        return bullet(f"• {law}" for law in card["legal_basis"])
    if field == "eligibility":
        return bullet([card["audience"], *(f"• {p}" for p in card["prerequisites"])])
    return str(card["description"])


class ActionAnswerQuestion(Action):
    """Looks the question up in the knowledge base and answers, asks "did you mean", or admits
    it does not know (logging the question for staff and offering a person)."""

    def name(self) -> str:
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        question = (tracker.latest_message.get("text") or "").strip()
        chosen = next(tracker.get_latest_entity_values("service_code"), None)
        field = next(tracker.get_latest_entity_values("service_field"), None)
        if not question and not chosen:
            dispatcher.utter_message(response="utter_empty_message")
            return []
        try:
            if chosen:
                return await self._answer_card(dispatcher, domain, chosen, field or "about")
            context = tracker.get_slot("service_code")
            named_service = next(tracker.get_latest_entity_values("service"), None)
            if field and context and not named_service:
                # A follow-up («مدارکش چیه؟») about the service just discussed.
                return await self._answer_card(dispatcher, domain, context, field)
            result = await backend().search(question, get_settings().search_limit)
            return await self._respond(dispatcher, tracker, domain, question, field, result)
        except BackendUnavailable as exc:
            logger.warning("backend unavailable while answering: %s", exc)
        except BackendError as exc:
            logger.error("backend refused a search: %s", exc)
        dispatcher.utter_message(response="utter_backend_down")
        return []

    async def _respond(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
        question: str,
        field: str | None,
        result: SearchResult,
    ) -> list[EventType]:
        if result.outcome == "unknown" or not result.hits:
            near_misses = [
                {"id": c["id"], "title": c.get("label", ""), "score": c.get("score", 0.0)}
                for c in result.candidates
            ]
            await backend().log_unresolved(
                question,
                channel=channel_of(tracker),
                conversation_id=tracker.sender_id,
                candidates=near_misses,
            )
            dispatcher.utter_message(response="utter_no_answer")
            return []
        if result.outcome == "ambiguous":
            buttons = choice_buttons(service_choices(result), "choose_service")
            if len(buttons) >= 2:
                dispatcher.utter_message(response="utter_did_you_mean", buttons=buttons)
                return []
        return await self._answer_hit(dispatcher, domain, result.hits[0], field)

    async def _answer_hit(
        self,
        dispatcher: CollectingDispatcher,
        domain: dict[str, Any],
        hit: SearchHit,
        field: str | None,
    ) -> list[EventType]:
        if hit.kind == "faq" and not field:
            if not hit.service_code:
                dispatcher.utter_message(response="utter_faq_answer_general", answer=hit.answer)
                return []
            card = await backend().service(hit.service_code)
            dispatcher.utter_message(
                response="utter_faq_answer",
                answer=hit.answer,
                service_title=card["title"],
                agency=card["agency_name"],
            )
            return _context(card)
        if not hit.service_code:
            dispatcher.utter_message(response="utter_faq_answer_general", answer=hit.answer)
            return []
        return await self._answer_card(
            dispatcher, domain, hit.service_code, field or hit.field or "about"
        )

    async def _answer_card(
        self, dispatcher: CollectingDispatcher, domain: dict[str, Any], code: str, field: str
    ) -> list[EventType]:
        card = await backend().service(code)
        if field in FIELD_PHRASES:
            link = phrase(domain, "phrase_link", url=card["channels"]["url"])
            dispatcher.utter_message(
                response="utter_service_field",
                label=phrase(domain, FIELD_PHRASES[field]),
                title=card["title"],
                agency=card["agency_name"],
                value=field_value(domain, card, field),
                link=link if card["channels"].get("url") else "",
            )
        else:
            dispatcher.utter_message(
                response="utter_service_card",
                title=card["title"],
                agency=card["agency_name"],
                description=card["description"],
                cost=describe_cost(domain, card),
                duration=describe_duration(domain, card),
                channel=describe_channel(card),
            )
        return _context(card)


def _context(card: dict[str, Any]) -> list[EventType]:
    return [SlotSet("service_code", card["code"]), SlotSet("service_title", card["title"])]
