"""The base of our components that have nothing to train, persist or configure."""

from __future__ import annotations

from typing import Any, Self

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage


class StatelessComponent(GraphComponent):
    """A component Rasa makes as it is: training and loading a model both just create it."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Self:
        """Create the component (Rasa's ``load`` calls this too)."""
        return cls()
