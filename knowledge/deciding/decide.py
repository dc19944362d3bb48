"""Deciding what to tell the citizen: the service first, then the fields asked.

A ranking holds documents: card fields and FAQs. Several of them usually belong to one service
(«هزینهٔ تمدید گذرنامه», its cost field, its FAQs about cost and documents); they are one piece
of evidence for that service, not competitors. So:

1. **Which service?** The calibrated verdict (:mod:`knowledge.deciding.verdict`) says how sure the
   first *service* is. Sure → answer it. Unsure, but the close services are variants of one
   thing (issue / renew / duplicate of a passport) → answer the first and offer the other
   variants. Unsure otherwise → ask which of the close services was meant (never a list padded
   with services far behind). The knowledge base does not answer it → ``unknown``.
2. **Which fields?** The ones the question names (:mod:`knowledge.deciding.asks`); each is
   answered by the best-ranked document of that service for that field — an FAQ when one ranks
   above the card field, else the card field. A question that names no field gets the service's
   best-ranked document.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from knowledge.deciding.asks import AskedFields, name_words
from knowledge.deciding.verdict import Outcome
from knowledge.index.documents import Document, Hit
from knowledge.locale import FIELDS
from knowledge.ranking.focus import asking_part
from nlu.normalize import ZWNJ, normalize
from nlu.phrases import words_of

Decided = Literal["answer", "clarify", "unknown"]
CLOSE = 0.85  # services scoring at least this share of the first one's score are "close"
MAX_OPTIONS = 3
BARE_NAME_WORDS = 2  # a question this short only names the service


@dataclass(frozen=True)
class Option:
    """A service offered to the citizen (a "which one?" button)."""

    code: str
    title: str


@dataclass(frozen=True)
class Part:
    """One answered field and the document that answers it."""

    field: str  # what was asked: a card field, or "online"
    document: Document


@dataclass(frozen=True)
class Decision:
    """What to say: answer (``parts`` of ``service``), clarify (``options``) or unknown.

    ``options`` with an answer are the other variants of the answered service.
    """

    outcome: Decided
    service: str = ""  # the service's code ("" for a general FAQ, or no answer)
    parts: tuple[Part, ...] = ()
    options: tuple[Option, ...] = ()
    asked: tuple[str, ...] = ()
    variants: bool = False  # clarify/answer among variants of one service
    confidence: float = float("nan")

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields answered."""
        return tuple(p.field for p in self.parts)


@dataclass(frozen=True)
class Families:
    """Which services are variants of one thing, from their titles: a title without its
    variant words («صدور», «تمدید», «المثنی», …) starts with the same head («گذرنامه»); a
    generic head («کارت», «گواهی») takes the next word too («کارت ملی»)."""

    variant_words: frozenset[str] = frozenset()
    generic_heads: frozenset[str] = frozenset()
    base_words: frozenset[str] = frozenset()  # variant words of a first issue («صدور»)
    cache: dict[str, str] = field(default_factory=dict, compare=False)

    def key(self, title: str) -> str:
        """The family of a service title."""
        found = self.cache.get(title)
        if found is None:
            words = [
                w for w in normalize(title).replace(ZWNJ, "").split() if w not in self.variant_words
            ]
            take = 2 if words and words[0] in self.generic_heads else 1
            found = self.cache[title] = " ".join(words[:take])
        return found

    def variants_in(self, text: str) -> frozenset[str]:
        """The variant words a text names («تمدید», «المثنی»)."""
        return frozenset(normalize(text).replace(ZWNJ, "").split()) & self.variant_words

    def variants_named(self, question: str) -> frozenset[str]:
        """The variant words of the question, except those of a first issue («صدور»): a
        question without a variant word asks about the first issue anyway."""
        return self.variants_in(question) - self.base_words


def _group(doc: Document) -> str:
    return doc.meta.get("service_code") or doc.id


def decide(
    question: str,
    outcome: Outcome,
    confidence: float,
    hits: Sequence[Hit],
    asked_fields: AskedFields,
    families: Families,
    answer_field: Callable[[Document], str],
    lookup: Callable[[str], Document | None],
) -> Decision:
    """The decision for a ranking (``hits`` best first) and the calibrated ``outcome``.

    ``answer_field``: the card field a document answers (FAQs: their question's field, "" when
    it names none); ``lookup``: a document by id (a card field the ranking did not reach).
    """
    if outcome == "unknown" or not hits:
        return Decision("unknown", confidence=confidence)
    groups: dict[str, list[Hit]] = {}
    for hit in hits:
        groups.setdefault(_group(hit.document), []).append(hit)
    order = list(groups)
    top = _named_variant(question, order, groups, families)
    best = groups[top][0].score
    title_of = {g: groups[g][0].document.meta.get("service_title", "") for g in order}
    # only services can be offered to choose from (a choice answers about a service)
    close = [g for g in order if g != top and title_of[g] and groups[g][0].score >= CLOSE * best]
    close = close[: MAX_OPTIONS - 1]
    if outcome == "ambiguous" and close and title_of[top]:
        family = families.key(title_of[top])
        if not all(families.key(title_of[g]) == family for g in close):
            options = tuple(Option(g, title_of[g]) for g in [top, *close])
            return Decision("clarify", options=options, confidence=confidence)
        variants = tuple(Option(g, title_of[g]) for g in close)
        answer = _answer(question, groups[top], asked_fields, answer_field, lookup)
        return Decision(
            "answer",
            answer.service,
            answer.parts,
            variants,
            answer.asked,
            variants=True,
            confidence=confidence,
        )
    answer = _answer(question, groups[top], asked_fields, answer_field, lookup)
    return Decision("answer", answer.service, answer.parts, (), answer.asked, confidence=confidence)


def _named_variant(
    question: str, order: list[str], groups: dict[str, list[Hit]], families: Families
) -> str:
    """The first group, unless the question names a variant («المثنی کارت ملی») that the
    first service is not and a close service of its family is."""
    top = order[0]
    title = groups[top][0].document.meta.get("service_title", "")
    named = families.variants_named(question)
    if not title or not named or named & families.variants_in(title):
        return top
    best = groups[top][0].score
    for group in order[1:]:
        other = groups[group][0]
        if other.score < CLOSE * best:
            break
        other_title = other.document.meta.get("service_title", "")
        if families.key(other_title) == families.key(title) and named & families.variants_in(
            other_title
        ):
            return group
    return top


def answer_service(
    question: str,
    code: str,
    hits: Sequence[Hit],
    asked_fields: AskedFields,
    answer_field: Callable[[Document], str],
    lookup: Callable[[str], Document | None],
    fields: Sequence[str] = (),
) -> Decision:
    """The answer about one chosen service (a "which one?" button, a follow-up question):
    ``fields`` if given, else those the question asks, else what the service is."""
    about = lookup(f"service:{code}:about")
    if about is None:
        return Decision("unknown")
    own = [h for h in hits if h.document.meta.get("service_code") == code]
    if fields:
        return _parts(code, tuple(fields), own, answer_field, lookup)
    return _answer(question, own or [Hit(about, 0.0)], asked_fields, answer_field, lookup)


def _answer(
    question: str,
    hits: Sequence[Hit],
    asked_fields: AskedFields,
    answer_field: Callable[[Document], str],
    lookup: Callable[[str], Document | None],
) -> Decision:
    """The parts that answer ``question`` from one service's (or general FAQ's) hits."""
    first = hits[0].document
    code = first.meta.get("service_code", "")
    if not code:  # a general FAQ: its own answer
        return Decision("answer", "", (Part("about", first),))
    ignore = name_words([first.meta.get("service_names", "")])
    # in a story, the fields are those its asking part names («… همه مدارکم رفت. المثنی کارت
    # ملی چقدر هزینه داره؟» asks the cost only); the whole text when that part names none
    part = asking_part(question)
    asked = (asked_fields.of(part, ignore) if part else ()) or asked_fields.of(question, ignore)
    if not asked:
        # A bare name («پاسپورت») asks what the service is, whichever of its fields ranked
        # first; a longer question that names no field is answered by its best document (a FAQ
        # often answers exactly it: «آقایان مشمول هم جواز می‌گیرند؟»).
        if len(words_of(normalize(question))) <= BARE_NAME_WORDS:
            about = lookup(f"service:{code}:about") or first
            return Decision("answer", code, (Part("about", about),))
        return Decision("answer", code, (Part(answer_field(first) or "about", first),))
    return _parts(code, asked, hits, answer_field, lookup)


def _parts(
    code: str,
    asked: tuple[str, ...],
    hits: Sequence[Hit],
    answer_field: Callable[[Document], str],
    lookup: Callable[[str], Document | None],
) -> Decision:
    """Each asked field answered by the service's best-ranked document for it."""
    parts = []
    for name in asked:
        wanted = "channels" if name == "online" else name
        chosen = next((h.document for h in hits if answer_field(h.document) == wanted), None)
        if chosen is None or (chosen.kind == "faq" and name == "online"):
            chosen = lookup(f"service:{code}:{wanted}") or chosen
        if chosen is not None:
            parts.append(Part(name, chosen))
    return Decision("answer", code, tuple(parts), asked=asked)


__all__ = ["FIELDS", "Decision", "Families", "Option", "Part", "decide"]
