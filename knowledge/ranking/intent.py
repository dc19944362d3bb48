"""Which field of a service card a question asks about, from its cue words.

«هزینه گذرنامه چقدره؟» asks for the cost, «مدارک کارت ملی» for the documents. The cue words of
each field are in ``data/locale/knowledge.fa.yaml``; they go through the same analysis as the
question, so colloquial, Finglish and inflected forms count too. The intent of a question is a
distribution over the fields (empty when it names none); a service field document has the
intent of its field, a FAQ the intent of its own question.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import numpy as np
import numpy.typing as npt

from knowledge.index.text import Analysis, Analyzer
from knowledge.locale import FIELDS

Vector = npt.NDArray[np.float32]


class FieldIntent:
    """Maps analysed text to a distribution over the card fields."""

    def __init__(self, cues: Mapping[str, str], analyzer: Analyzer) -> None:
        self._fields: dict[str, set[int]] = {}
        for position, name in enumerate(FIELDS):
            for cue in cues.get(name, "").split():
                for term in analyzer.analyze(cue).words:
                    self._fields.setdefault(term, set()).add(position)

    def vector(self, analysis: Analysis, ignore: Collection[str] = ()) -> Vector:
        """How much the text asks about each field (sums to 1, or all zeros: no cue).

        ``ignore``: words that do not count (the service's own name: «استعلام کاربری» names a
        service, it does not ask for the legal field).
        """
        out = np.zeros(len(FIELDS), dtype=np.float32)
        for term in dict.fromkeys(analysis.words):
            if term in ignore:
                continue
            fields = self._fields.get(term)
            if fields:
                for position in fields:
                    out[position] += 1.0 / len(fields)
        total = float(out.sum())
        return out / total if total > 0 else out

    @staticmethod
    def of_field(name: str) -> Vector:
        """The intent of a card field document."""
        out = np.zeros(len(FIELDS), dtype=np.float32)
        out[FIELDS.index(name)] = 1.0
        return out


def intent_matrix(
    fields: Sequence[str], questions: Sequence[Analysis | None], intent: FieldIntent
) -> npt.NDArray[np.float32]:
    """One intent row per document: its field's, or (FAQs) its question's."""
    rows = [
        FieldIntent.of_field(name)
        if name in FIELDS
        else intent.vector(question)
        if question is not None
        else np.zeros(len(FIELDS), dtype=np.float32)
        for name, question in zip(fields, questions, strict=True)
    ]
    return np.stack(rows) if rows else np.zeros((0, len(FIELDS)), dtype=np.float32)
