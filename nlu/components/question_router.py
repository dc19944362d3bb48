"""Rasa component: questions about a service go to ``ask_service`` (see ``nlu.routing``)."""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.components.stateless import StatelessComponent
from nlu.routing import load_router


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class QuestionRouter(StatelessComponent):
    """Re-labels a question that DIET put in an intent that does something else."""

    def process(self, messages: list[Message]) -> list[Message]:
        """Change the intent of each question-shaped message the router diverts."""
        router = load_router()
        for message in messages:
            intent = message.get(INTENT) or {}
            name = intent.get(INTENT_NAME_KEY)
            if not name or (message.get(TEXT) or "").startswith("/"):
                continue  # a button's payload says exactly what it wants
            routed = router.route(name, message.get(TEXT) or "")
            if routed != name:
                message.set(INTENT, {**intent, INTENT_NAME_KEY: routed}, add_to_output=True)
        return messages
