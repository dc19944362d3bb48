"""Browsing the catalogue in chat: «خدمات سازمان ثبت احوال چیه؟», «چه خدماتی برای خودرو دارید؟».

A question that browses (a ``browse.cues`` phrase of ``data/locale/knowledge.fa.yaml``), asks no
field of a service and names an agency or a cluster by its distinctive words (at least half of
them; generic words such as «سازمان» or «وزارت» do not count) gets that agency's or cluster's
services to choose from. The question is read as the search read it, so «ماشین» names the cluster
«رانندگی و خودرو» through the synonym lexicon.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from backend_api.catalogue.service import browse_services, list_agencies, list_clusters
from knowledge.locale import Texts
from nlu.normalize import normalize
from nlu.phrases import find, phrase_words, words_of

MAX_SERVICES = 10


@dataclass(frozen=True)
class Browse:
    """An agency or cluster named by a question, and its services (code, title)."""

    kind: str  # agency or cluster
    code: str
    name: str
    services: list[tuple[str, str]]


def _distinctive(name: str, generic: frozenset[str]) -> frozenset[str]:
    return frozenset(w for w in words_of(normalize(name)) if w not in generic)


def named_group(
    text: str, groups: list[tuple[str, str, str]], generic: frozenset[str]
) -> tuple[str, str, str] | None:
    """The (kind, code, name) that ``text`` names best by distinctive words, if any."""
    words = set(words_of(normalize(text)))
    best, best_share = None, 0.0
    for kind, code, name in groups:
        own = _distinctive(name, generic)
        if not own:
            continue
        share = len(own & words) / len(own)
        if share >= 0.5 and share > best_share:
            best, best_share = (kind, code, name), share
    return best


def browses(text: str, texts: Texts) -> bool:
    """Whether the question uses a browsing phrase («چه خدماتی»)."""
    words = words_of(normalize(text))
    return any(find(phrase_words(cue), words) is not None for cue in texts.browse_cues)


def browse(session: Session, text: str, texts: Texts) -> Browse | None:
    """The services to list for a browsing question (None when it names no agency or
    cluster); call it for questions that :func:`browses`."""
    groups = [("agency", a.code, a.name) for a in list_agencies(session)]
    groups += [("cluster", c.code, c.name) for c in list_clusters(session)]
    named = named_group(text, groups, frozenset(texts.browse_generic))
    if named is None:
        return None
    kind, code, name = named
    services, _ = browse_services(
        session,
        cluster=code if kind == "cluster" else None,
        agency=code if kind == "agency" else None,
        text=None,
        limit=MAX_SERVICES,
        offset=0,
    )
    return Browse(kind, code, name, [(s.code, s.title) for s in services])
