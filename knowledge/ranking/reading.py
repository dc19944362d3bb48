"""Reading a question before it is searched: Persian letters, repaired spelling, catalogue words.

Three steps, in order: Finglish is written in Persian letters (``nlu.finglish``); words nobody
knows are repaired against the knowledge base's own words (:mod:`knowledge.ranking.spelling`);
the catalogue's words are added for the colloquial names the question uses
(:mod:`knowledge.ranking.lexicon`).
The repaired text is what the field cues are read from; the expanded one is what is searched.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.index.documents import Document
from knowledge.index.text import formal_word
from knowledge.ranking.lexicon import Lexicon
from knowledge.ranking.spelling import Speller, persian_lexicon
from nlu.finglish import is_finglish, transliterate
from nlu.normalize import normalize, remove_punctuation

_EDGES = re.compile(r"^(\W*)(.*?)(\W*)$")


@dataclass(frozen=True)
class Reading:
    """A question as typed, as repaired, and as searched."""

    original: str
    text: str  # Persian letters, spelling repaired
    search_text: str  # ``text`` with the catalogue's words for what it names
    repairs: tuple[tuple[str, str], ...] = ()


class QueryReader:
    """Reads questions against one knowledge base's vocabulary and lexicon."""

    def __init__(self, speller: Speller, lexicon: Lexicon) -> None:
        self.speller = speller
        self.lexicon = lexicon

    @classmethod
    def for_documents(cls, documents: Sequence[Document], lexicon: Lexicon) -> QueryReader:
        """A reader whose known spellings are the documents' and the lexicon's words."""
        counts: Counter[str] = Counter()
        for doc in documents:
            text = f"{doc.title} {doc.text}"
            counts.update(remove_punctuation(normalize(text)).split())
        counts.update(lexicon.words())
        return cls(Speller(counts, persian_lexicon()), lexicon)

    def _spoken(self, word: str) -> bool:
        """Whether the word is the spoken form of known words («میدن» → «می‌دهند»); hazm's
        informal normaliser also rewrites unknown words («حزینه» → «حزینه است»), which are not."""
        formal = formal_word(word).split()
        return formal != [word] and all(self.speller.common(w) for w in formal)

    def read(self, question: str) -> Reading:
        """The question in Persian letters, repaired, and expanded for the search."""
        text = normalize(question)
        from_latin = is_finglish(text)
        if from_latin:
            text = normalize(transliterate(text))
        words = []
        repairs = []
        for token in text.split():
            # punctuation stays where it was («چیه؟»): the field cues read clauses by it
            before, word, after = _EDGES.match(token).groups()  # type: ignore[union-attr]
            known = not word or self.speller.common(word) or self._spoken(word)
            fixed = None if known else self.speller.repair_word(word, from_latin=from_latin)
            if fixed is not None and fixed != word:
                repairs.append((word, fixed))
                words.append(f"{before}{fixed}{after}")
            else:
                words.append(token)
        repaired = " ".join(words)
        return Reading(question, repaired, self.lexicon.expand(repaired), tuple(repairs))
