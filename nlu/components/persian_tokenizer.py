"""Rasa tokenizer for Persian: offsets into the original text, canonical forms as lemmas.

Featurizers read ``Token.lemma`` (CountVectorsFeaturizer's ``use_lemma`` is on by default), so
training data, live messages and the knowledge index all see the same canonical Persian, while
entities keep pointing at what the citizen actually wrote.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

from nlu.tokenize import tokenize


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class PersianTokenizer(Tokenizer):
    """Tokenizes Persian (and Finglish) text with ``nlu.tokenize`` (Rasa's ``Tokenizer`` creates
    it from its configuration)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Defaults shared with Rasa's tokenizers."""
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        """Tokens of one attribute of a message."""
        text = message.get(attribute) or ""
        tokens = [
            Token(t.text, t.start, t.end, lemma=t.canonical or t.text) for t in tokenize(text)
        ]
        if not tokens:
            tokens = [Token(text, 0, len(text))]
        return self._apply_token_pattern(tokens)
