"""The part that asks, in a question told as a story.

«بچه‌مون تازه به دنیا اومده و بیمارستان گفت … . شناسنامه‌ش رو کجا بگیریم؟» — the story around the
question dilutes its embedding, so a question the catalogue answers can look unknown. The asking
part alone is a second reading: when it points to the same service as the whole text, the two
readings agree and the stronger of their verdicts counts (``knowledge.search``). Measured with
the search alone on the two tuning sets (never the blind one): of their 700 answerable questions,
11 more are answered with the right service; of their 190 unanswerable ones, 1 more is answered.
"""

from __future__ import annotations

import re

# A sentence ends with . ! ? ؟ or a line break (a dot between digits is a decimal point).
_SENTENCE_END = re.compile(r"(?<=[!?؟\n])|(?<=[^\d]\.)(?=\s)|(?<=\.)(?=\s*\n)")
_ASKS = ("؟", "?")
MIN_WORDS = 3  # a shorter sentence («چیکار کنم؟») names no service on its own


def asking_part(text: str) -> str | None:
    """The sentences that ask (else the last sentence), when the text has others around them;
    None for a text of one sentence, one where every sentence asks, or an asking part too short
    to be read alone."""
    sentences = [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]
    asking = [s for s in sentences if any(mark in s for mark in _ASKS)] or sentences[-1:]
    if len(asking) == len(sentences):
        return None
    part = " ".join(asking)
    return part if len(part.split()) >= MIN_WORDS else None
