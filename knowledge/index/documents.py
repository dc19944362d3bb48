"""The searchable units, and how service cards and FAQs become them.

A FAQ is one document, ``faq:<slug>``. A service card is split into one document per field,
``service:<code>:<field>`` (fields in :data:`knowledge.locale.FIELDS`), so a question about the
cost of a passport lands on the passport card's cost and not on its description. Every field
document also carries the service title and aliases, so the service is found from any field.

The builders take cards and FAQs in the catalogue's import/export format (``data/catalogue``, and
``card_of`` in the backend), so the backend and the offline tools index exactly the same text.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from knowledge.locale import FIELDS, Texts, load_texts
from nlu.digits import format_amount, to_persian_digits


@dataclass(frozen=True)
class Document:
    """A searchable text with what a hit should carry back to the caller.

    ``text`` is what the lexical index reads, ``passages`` what the embedder reads (each
    embedded on its own; a document scores as its best passage), ``body`` the answer-bearing
    text taken from the card or FAQ (nothing else), ``meta`` plain strings for the caller.
    """

    id: str
    text: str
    title: str = ""
    kind: str = "faq"
    meta: dict[str, str] = field(default_factory=dict)
    field: str = ""
    body: str = ""
    passages: tuple[str, ...] = ()

    def embedded_texts(self) -> tuple[str, ...]:
        """The passages to embed (the title and text when none were given)."""
        return self.passages or (f"{self.title} {self.text}".strip(),)

    def digest(self) -> str:
        """A hash of everything that makes this document what it is."""
        payload = json.dumps(
            [
                self.id,
                self.text,
                self.title,
                self.kind,
                self.field,
                self.body,
                list(self.passages),
                sorted(self.meta.items()),
            ],
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (see :meth:`from_json`)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "field": self.field,
            "title": self.title,
            "text": self.text,
            "body": self.body,
            "passages": list(self.passages),
            "meta": self.meta,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Document:
        """Rebuild a document from :meth:`to_json` (or a plain ``{"id", "text"}`` corpus row)."""
        return cls(
            id=str(data["id"]),
            text=str(data.get("text", "")),
            title=str(data.get("title", "")),
            kind=str(data.get("kind", "") or _kind_of(str(data["id"]))),
            meta={str(k): str(v) for k, v in (data.get("meta") or {}).items()},
            field=str(data.get("field", "")),
            body=str(data.get("body", "")),
            passages=tuple(str(p) for p in data.get("passages") or ()),
        )


def _kind_of(doc_id: str) -> str:
    prefix = doc_id.split(":", 1)[0]
    return prefix if prefix in {"faq", "service"} else "document"


@dataclass(frozen=True)
class Hit:
    """A document found for a query (higher scores are better).

    ``score`` is the fused score; ``lexical`` and ``dense`` what each retriever gave it
    (BM25 and cosine; 0 when that retriever did not return it).
    """

    document: Document
    score: float
    lexical: float = 0.0
    dense: float = 0.0


def documents_digest(documents: Iterable[Document]) -> str:
    """One hash of a whole document set (order-independent)."""
    digests = sorted(doc.digest() for doc in documents)
    return hashlib.sha256("\n".join(digests).encode("ascii")).hexdigest()


# --- service cards -----------------------------------------------------------------------------


def _join(items: Iterable[Any], texts: Texts) -> str:
    return str(texts.values["separator"]).join(str(i).strip() for i in items if str(i).strip())


def _labelled(label_key: str, value: str, texts: Texts) -> str:
    return f"{texts.values[label_key]}: {value}" if value else ""


def _lines(*parts: str) -> str:
    return "\n".join(p for p in parts if p)


def cost_text(cost: Mapping[str, Any], texts: Texts) -> str:
    """The card's cost, as written to a citizen."""
    kind = cost.get("kind", "")
    note = str(cost.get("note") or "").strip()
    if kind == "free":
        value = texts.value("cost_free")
    elif kind == "fixed" and cost.get("amount") is not None:
        value = texts.value("cost_fixed", amount=format_amount(int(cost["amount"])))
    else:
        value = texts.value("cost_variable")
    return f"{value}. {note}" if note else value


def duration_text(time: Mapping[str, Any], texts: Texts) -> str:
    """The card's processing time, as written to a citizen."""
    low, high = int(time.get("min_days") or 0), int(time.get("max_days") or 0)
    if high <= 0:
        value = texts.value("days_same")
    elif low == high:
        value = texts.value("days_exact", days=to_persian_digits(str(high)))
    else:
        value = texts.value(
            "days_range", min=to_persian_digits(str(low)), max=to_persian_digits(str(high))
        )
    note = str(time.get("note") or "").strip()
    return f"{value}. {note}" if note else value


def field_bodies(card: Mapping[str, Any], agency_name: str, texts: Texts) -> dict[str, str]:
    """The answer-bearing text of each field of ``card`` (only what the card says)."""
    channels = card.get("channels") or {}
    electronic = texts.values["electronic"].get(str(card.get("electronic", "")), "")
    steps = [str(s).strip() for s in card.get("steps") or [] if str(s).strip()]
    return {
        "about": _lines(
            str(card.get("description", "")).strip(),
            _labelled("audience", str(card.get("audience") or "").strip(), texts),
            _labelled("agency", agency_name, texts),
        ),
        "documents": _lines(
            _labelled("documents", _join(card.get("documents") or [], texts), texts),
            _labelled("prerequisites", _join(card.get("prerequisites") or [], texts), texts),
        ),
        "cost": cost_text(card.get("cost") or {}, texts),
        "duration": duration_text(card.get("processing_time") or {}, texts),
        "channels": _lines(
            _labelled("url", str(channels.get("url") or ""), texts),
            _labelled("offices", _join(channels.get("offices") or [], texts), texts),
            _labelled("phone", str(channels.get("phone") or ""), texts),
            _labelled("electronic_label", electronic, texts),
        ),
        "steps": "\n".join(f"{to_persian_digits(str(i))}. {s}" for i, s in enumerate(steps, 1)),
        "legal": _lines(
            _labelled("legal_basis", _join(card.get("legal_basis") or [], texts), texts),
            _labelled("inquiries", _join(card.get("inquiries") or [], texts), texts),
        ),
    }


def service_documents(
    card: Mapping[str, Any], agency_name: str, texts: Texts | None = None
) -> list[Document]:
    """One document per field of a service card."""
    texts = texts or load_texts()
    code = str(card["code"])
    title = str(card["title"]).strip()
    names = service_names(card, texts)
    url = str((card.get("channels") or {}).get("url") or "")
    bodies = field_bodies(card, agency_name, texts)
    docs = []
    for name in FIELDS:
        label = texts.labels[name]
        body = bodies[name]
        meta = {
            "service_code": code,
            "service_title": title,
            "service_names": names,
            "agency": agency_name,
            "agency_code": str(card.get("agency", "")),
            "url": url,
            "field": name,
            "field_label": label,
            "answer": body,
            "revised": str(card.get("revised", "")),
        }
        docs.append(
            Document(
                id=f"service:{code}:{name}",
                kind="service",
                field=name,
                title=title,
                text=f"{names}\n{label} {texts.cues[name]}\n{body}",
                body=body,
                passages=(f"{names}. {label}: {body}",),
                meta=meta,
            )
        )
    return docs


# --- FAQs --------------------------------------------------------------------------------------


def service_names(card: Mapping[str, Any], texts: Texts) -> str:
    """The service's title and aliases, as one string."""
    aliases = [str(a).strip() for a in card.get("aliases") or [] if str(a).strip()]
    return _join([str(card["title"]).strip(), *aliases], texts)


def faq_document(
    faq: Mapping[str, Any],
    service: Mapping[str, Any] | None = None,
    agency_name: str = "",
    texts: Texts | None = None,
) -> Document:
    """The document of one FAQ (``service``: the linked card, if any)."""
    texts = texts or load_texts()
    slug = str(faq.get("id") or faq.get("slug"))
    question = str(faq["question"]).strip()
    alternatives = [str(a).strip() for a in faq.get("alternatives") or [] if str(a).strip()]
    answer = str(faq["answer"]).strip()
    meta = {
        "answer": answer,
        "question": question,
        "service_code": str(service["code"]) if service else "",
        "service_title": str(service["title"]) if service else "",
        "service_names": service_names(service, texts) if service else "",
        "agency": agency_name if service else "",
        "url": str((service.get("channels") or {}).get("url") or "") if service else "",
        "revised": str(service.get("revised", "")) if service else "",
    }
    return Document(
        id=f"faq:{slug}",
        kind="faq",
        title=question,
        text="\n".join([question, *alternatives, answer]),
        body=answer,
        # each phrasing on its own, and the question with its answer
        passages=(question, *alternatives, f"{question} {answer}"),
        meta=meta,
    )


# --- the catalogue as a whole ------------------------------------------------------------------


@dataclass
class Catalogue:
    """Agencies, service cards and FAQs in the import/export format."""

    agencies: dict[str, dict[str, Any]]
    services: list[dict[str, Any]]
    faqs: list[dict[str, Any]]


def _records(path: Path, key: str) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return list(data.get(key) or [])


def load_catalogue(directory: Path) -> Catalogue:
    """Read the YAML catalogue sources (``data/catalogue`` layout)."""
    agencies = {str(a["code"]): a for a in _records(directory / "agencies.yaml", "agencies")}
    services = [
        s for p in sorted((directory / "services").glob("*.yaml")) for s in _records(p, "services")
    ]
    faqs = [f for p in sorted((directory / "faqs").glob("*.yaml")) for f in _records(p, "faqs")]
    return Catalogue(agencies, services, faqs)


def catalogue_documents(catalogue: Catalogue, texts: Texts | None = None) -> list[Document]:
    """Every document of the catalogue: active service fields, then published FAQs."""
    texts = texts or load_texts()
    by_code = {str(s["code"]): s for s in catalogue.services}

    def agency_of(card: Mapping[str, Any]) -> str:
        return str(catalogue.agencies.get(str(card.get("agency")), {}).get("name", ""))

    docs: list[Document] = []
    for card in catalogue.services:
        if card.get("active", True):
            docs.extend(service_documents(card, agency_of(card), texts))
    for faq in catalogue.faqs:
        if faq.get("status", "published") != "published":
            continue
        service = by_code.get(str(faq.get("service") or ""))
        docs.append(faq_document(faq, service, agency_of(service) if service else "", texts))
    return docs


def iter_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """The rows of a JSON-lines file (blank lines skipped)."""
    with Path(path).open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def load_corpus(path: Path) -> list[Document]:
    """The documents of a corpus file (JSON lines of :meth:`Document.to_json`)."""
    return [Document.from_json(row) for row in iter_jsonl(path)]
