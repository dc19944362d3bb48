"""Resolving what service the citizen means, through the backend's search."""

from __future__ import annotations

from dataclasses import dataclass

from actions.backend import backend

# A service wins outright when its best hit scores at least this many times the runner-up's.
CLEAR_LEAD = 1.25
CHOICES = 3


@dataclass(frozen=True)
class ServiceChoice:
    """A candidate service."""

    code: str
    title: str
    score: float


async def candidate_services(text: str) -> list[ServiceChoice]:
    """Distinct services behind the best search hits for ``text``, best first."""
    hits = (await backend().search(text, limit=10)).hits
    seen: dict[str, ServiceChoice] = {}
    for hit in hits:
        if hit.service_code and hit.service_code not in seen:
            title = hit.service_title or hit.title
            seen[hit.service_code] = ServiceChoice(hit.service_code, title, hit.score)
    return list(seen.values())


def clear_winner(choices: list[ServiceChoice]) -> ServiceChoice | None:
    """The one service that clearly leads, if any."""
    if not choices:
        return None
    if len(choices) == 1 or choices[0].score >= CLEAR_LEAD * max(choices[1].score, 1e-9):
        return choices[0]
    return None


def choice_buttons(choices: list[ServiceChoice], intent: str) -> list[dict[str, str]]:
    """ "Did you mean" buttons whose payload sets the service code."""
    return [
        {"title": c.title, "payload": f'/{intent}{{"service_code": "{c.code}"}}'}
        for c in choices[:CHOICES]
    ]
