"""Check a blind question file's format and coverage (the authors ran it on their own files).

python data/knowledge-eval/authoring/check.py data/knowledge-eval/blind.jsonl
"""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIELDS = {"about", "documents", "cost", "duration", "channels", "online", "steps", "legal"}
STYLES = {
    "formal",
    "colloquial",
    "fragment",
    "story",
    "typo",
    "arabic",
    "no_zwnj",
    "finglish",
    "mixed_english",
    "two_fields",
}
KINDS = {"not_in_catalogue", "near_miss", "other_domain", "chitchat"}


def problems_of(row: dict, codes: set[str]) -> list[str]:
    """What is wrong with one row."""
    out = []
    if row.get("style") not in STYLES:
        out.append(f"bad style {row.get('style')}")
    if row.get("answerable") is True:
        fields = row.get("fields") or []
        if row.get("service") not in codes:
            out.append(f"unknown service {row.get('service')}")
        if not fields or not set(fields) <= FIELDS:
            out.append(f"bad fields {fields}")
        if (len(fields) == 2) != (row.get("style") == "two_fields"):
            out.append("two fields iff style two_fields")
    elif row.get("answerable") is False:
        if row.get("service") is not None or row.get("fields"):
            out.append("unanswerable rows have service null and fields []")
        if row.get("kind") not in KINDS:
            out.append(f"bad kind {row.get('kind')}")
    else:
        out.append("answerable must be true or false")
    return out


def main(path: str) -> int:
    """Print the problems and the coverage of the file at ``path``; 1 if anything is wrong."""
    with (HERE / "services.tsv").open(encoding="utf-8") as handle:
        codes = {r["code"] for r in csv.DictReader(handle, delimiter="\t")}
    ids: set[str] = set()
    questions: set[str] = set()
    styles, fields, kinds, services = Counter(), Counter(), Counter(), Counter()
    bad = answerable = unanswerable = 0
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        row = json.loads(line)
        question = " ".join(str(row.get("question", "")).split())
        found = problems_of(row, codes)
        if row.get("id") in ids:
            found.append("duplicate id")
        if not question or question in questions:
            found.append("empty or duplicate question")
        ids.add(row.get("id"))
        questions.add(question)
        for problem in found:
            print(f"line {number}: {problem}")
        bad += len(found)
        styles[row.get("style")] += 1
        if row.get("answerable"):
            answerable += 1
            fields.update(row.get("fields") or [])
            services[row.get("service")] += 1
        else:
            unanswerable += 1
            kinds[row.get("kind")] += 1
    print(f"{answerable} answerable, {unanswerable} unanswerable, {bad} problems")
    print("styles:", dict(styles))
    print("fields:", dict(fields))
    print("kinds:", dict(kinds))
    print(f"services covered: {len(services)}; not covered: {len(codes - set(services))}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
