"""Where a message's time goes inside Rasa (run in the Rasa env by `bench/conversation.py`).

Loads the trained model as ``rasa run`` does (same endpoints file: the running stack's action
server, a SQL tracker store), then handles the given conversations one message at a time (no
concurrency, so wall time is the message's own cost) and times, per message, the public steps of
Rasa's ``MessageProcessor``:

* ``get tracker``: loading the conversation from the tracker store (and the session check);
* ``NLU parse``: the pipeline (tokenizer, featurizers, DIET, our components);
* ``policy prediction``: every prediction of the next action (usually several per message:
  each action, then ``action_listen``);
* ``custom actions``: the HTTP round trip to the action server, which calls the backend;
* ``save tracker``: writing the tracker back;
* ``other``: the rest of ``handle_message`` (events, built-in actions, channel output).

The wrappers only time calls; they change nothing. Prints a JSON object of milliseconds.

    python bench/rasa_profile.py --model MODEL --endpoints ENDPOINTS --conversations FILE
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import logging
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

STEPS = {
    "get tracker": ("rasa.core.processor", "MessageProcessor", "fetch_tracker_and_update_session"),
    "NLU parse": ("rasa.core.processor", "MessageProcessor", "parse_message"),
    "policy prediction": (
        "rasa.core.processor",
        "MessageProcessor",
        "predict_next_with_tracker_if_should",
    ),
    "custom actions": ("rasa.core.actions.action", "RemoteAction", "run"),
    "save tracker": ("rasa.core.processor", "MessageProcessor", "save_tracker"),
}


def _timed(totals: dict[str, float], counts: dict[str, int], step: str, fn: Callable) -> Callable:
    if asyncio.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def wrapper_async(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await fn(*args, **kwargs)
            finally:
                totals[step] += time.perf_counter() - started
                counts[step] += 1

        return wrapper_async

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            totals[step] += time.perf_counter() - started
            counts[step] += 1

    return wrapper


async def profile(model: str, endpoints: str, conversations: list[list[str]]) -> dict[str, Any]:
    """Handle every message, one after the other; the mean milliseconds of each step a message."""
    import importlib

    from rasa.core.agent import load_agent
    from rasa.core.utils import AvailableEndpoints

    totals: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    for step, (module, cls, method) in STEPS.items():
        owner = getattr(importlib.import_module(module), cls)
        setattr(owner, method, _timed(totals, counts, step, getattr(owner, method)))
    agent = await load_agent(
        model_path=model, endpoints=AvailableEndpoints.read_endpoints(endpoints)
    )
    await agent.handle_text("سلام", sender_id="warm-up")
    totals.clear()
    counts.clear()
    per_message: list[float] = []
    for i, messages in enumerate(conversations):
        for text in messages:
            started = time.perf_counter()
            await agent.handle_text(text, sender_id=f"profile-{i}")
            per_message.append(time.perf_counter() - started)
    n = len(per_message)
    total_ms = sum(per_message) * 1000
    steps = {step: round(totals[step] * 1000 / n, 1) for step in STEPS}
    steps["other"] = round(total_ms / n - sum(steps.values()), 1)
    return {
        "messages": n,
        "mean_ms": round(total_ms / n, 1),
        "p50_ms": round(statistics.median(per_message) * 1000, 1),
        "steps_ms": steps,
        "calls_per_message": {step: round(counts[step] / n, 2) for step in STEPS},
    }


def main() -> None:
    """Parse the options, profile, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--endpoints", required=True)
    parser.add_argument("--conversations", required=True, type=Path)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    conversations = json.loads(args.conversations.read_text(encoding="utf-8"))
    print(json.dumps(asyncio.run(profile(args.model, args.endpoints, conversations))))


if __name__ == "__main__":
    main()
