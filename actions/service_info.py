"""Answering questions about services from the knowledge base (service cards and FAQs).

The backend decides (``GET /api/v1/search``: the service first, then the fields asked); the
action says it. Keeps the service being discussed in ``service_code``, so «مدارکش چیه؟» after a
question about passports is about passports.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend import backend
from actions.common import channel_of, phrase
from actions.service_lookup import CHOICES
from actions.settings import get_settings
from backend_client import BackendError, BackendUnavailable, SearchResult
from nlu.digits import format_amount, to_persian_digits

logger = logging.getLogger(__name__)


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


class ActionAnswerQuestion(Action):
    """Answers a question from the knowledge base as the backend decides: the answer (one reply
    per field asked), "which of these?" buttons, or an honest "I don't know" (the question
    logged for staff, a person offered). Leaves what it did in ``last_answer`` (outcome,
    service, fields, options) for follow-ups and for the end-to-end evaluation."""

    def name(self) -> str:
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        question = (tracker.latest_message.get("text") or "").strip()
        chosen = next(tracker.get_latest_entity_values("service_code"), None)
        named_fields = next(tracker.get_latest_entity_values("service_field"), None)
        fields = [f for f in str(named_fields or "").split(",") if f]
        if not question and not chosen:
            dispatcher.utter_message(response="utter_empty_message")
            return []
        limit = get_settings().search_limit
        try:
            if chosen:
                result = await backend().search(chosen, limit, service=chosen, fields=fields)
            else:
                context = tracker.get_slot("service_code")
                named_service = next(tracker.get_latest_entity_values("service"), None)
                # A follow-up («مدارکش چیه؟») about the service just discussed.
                follow_up = bool(fields and context and not named_service)
                service = context if follow_up else ""
                result = await backend().search(question, limit, service=service or "")
            return await self._respond(dispatcher, tracker, question, result)
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
        question: str,
        result: SearchResult,
    ) -> list[EventType]:
        decision = result.decision or {"outcome": "unknown"}
        outcome = decision.get("outcome", "unknown")
        options = [o for o in decision.get("options") or [] if o.get("code")]
        asked = ",".join(decision.get("asked") or [])
        record = {
            "outcome": outcome,
            "service": decision.get("service_code") or None,
            "fields": [p["field"] for p in decision.get("parts") or []],
            "options": [o["code"] for o in options],
        }
        if outcome == "browse" and options:
            dispatcher.utter_message(
                response="utter_browse_services",
                group=decision.get("group") or "",
                buttons=option_buttons(options, "", limit=len(options)),
            )
            return [SlotSet("last_answer", record)]
        if outcome == "clarify" and len(options) >= 2:
            dispatcher.utter_message(
                response="utter_did_you_mean", buttons=option_buttons(options, asked)
            )
            return [SlotSet("last_answer", record)]
        if outcome != "answer" or not decision.get("parts"):
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
            return [SlotSet("last_answer", {**record, "outcome": "unknown"})]
        for part in decision["parts"]:
            dispatcher.utter_message(response="utter_answer", answer=part["reply"])
        if options:  # other variants of the same service («تمدید», «المثنی»)
            dispatcher.utter_message(
                response="utter_other_variants", buttons=option_buttons(options, asked)
            )
        events: list[EventType] = [SlotSet("last_answer", record)]
        if decision.get("service_code"):
            events += [
                SlotSet("service_code", decision["service_code"]),
                SlotSet("service_title", decision.get("service_title") or None),
            ]
        return events


def option_buttons(
    options: list[dict[str, Any]], asked: str, limit: int = CHOICES
) -> list[dict[str, str]]:
    """Buttons that choose a service and carry the fields asked, so the choice answers them."""
    field = f', "service_field": "{asked}"' if asked else ""
    return [
        {
            "title": o.get("title") or o["code"],
            "payload": f'/choose_service{{"service_code": "{o["code"]}"{field}}}',
        }
        for o in options[:limit]
    ]
