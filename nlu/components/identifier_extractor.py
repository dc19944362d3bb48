"""Rasa entity extractor for national codes, mobiles and tracking codes (checksums, any digits)."""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.components.stateless import StatelessComponent
from nlu.entities import find_identifiers


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class IdentifierExtractor(StatelessComponent, EntityExtractorMixin):
    """Adds ``national_code``, ``mobile`` and ``tracking_code`` entities, values normalised."""

    def process(self, messages: list[Message]) -> list[Message]:
        """Append the identifiers found in each message's text to its entities."""
        for message in messages:
            text = message.get(TEXT) or ""
            found = [
                {
                    "entity": span.entity,
                    "value": span.value,
                    "start": span.start,
                    "end": span.end,
                    "confidence_entity": 1.0,
                    "extractor": self.__class__.__name__,
                }
                for span in find_identifiers(text)
            ]
            if found:
                message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages
