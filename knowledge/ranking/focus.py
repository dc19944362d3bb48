"""The part that asks, in a question told as a story.

«بچه‌مون تازه به دنیا اومده و بیمارستان گفت … . شناسنامه‌ش رو کجا بگیریم؟» — the story around the
question dilutes its embedding, so a question the catalogue answers can look unknown. The asking
part alone is a second reading: when it points to the same service as the whole text, the two
readings agree and the stronger of their verdicts counts (``knowledge.search``). Measured on the
two tuning sets (not the blind one), on the 415 questions of two sentences or more: 12 more
answerable ones answered, 1 more unanswerable one answered, at the same thresholds.
"""

from __future__ import annotations

import re

# A sentence ends with . ! ? ؟ or a line break (a dot between digits is a decimal point).
_SENTENCE_END = re.compile(r"(?<=[!?؟\n])|(?<=[^\d]\.)(?=\s)|(?<=\.)(?=\s*\n)")
_ASKS = ("؟", "?")
MIN_WORDS = 3  # a shorter sentence («چیکار کنم؟») names no service on its own


def asking_part(text: str) -> str | None:
    """From the first sentence that asks to the end (else the last sentence), when the story
    before it leaves something out; None for a text of one sentence, for a question that starts
    the text, or for an asking part too short to be read alone."""
    sentences = [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]
    first = next((i for i, s in enumerate(sentences) if any(m in s for m in _ASKS)), None)
    start = len(sentences) - 1 if first is None else first
    if start < 1:
        return None
    part = " ".join(sentences[start:])
    return part if len(part.split()) >= MIN_WORDS else None
