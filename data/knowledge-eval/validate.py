#!/usr/bin/env python3
"""Check the knowledge-retrieval evaluation set against the sample catalogue.

Usage: python data/knowledge-eval/validate.py   (from the repository root or anywhere)

Checks: row schema, gold ids exist (FAQ ids, service codes, field names), `no_answer` rows have
empty gold and other rows do not, `field` rows point only at card fields, no duplicate queries
within or across dev/test (after light normalisation), no query copies an FAQ question or
alternative, minimum sizes and kind proportions. Prints counts and coverage; exits 1 on error.
"""

import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
CATALOGUE = HERE.parent / "catalogue"
FIELDS = {"about", "documents", "cost", "duration", "channels", "steps", "legal"}
KINDS = {  # kind -> (target share, allowed deviation)
    "paraphrase": (0.25, 0.05),
    "colloquial": (0.20, 0.05),
    "typo": (0.15, 0.04),
    "finglish": (0.10, 0.04),
    "field": (0.15, 0.04),
    "no_answer": (0.15, 0.04),
}
MIN_ROWS = {"dev": 320, "test": 130}
MIN_NO_ANSWER = {"dev": 50, "test": 20}

errors = []


def err(msg):
    errors.append(msg)


def norm(text):
    """Loose form used for duplicate / copy detection."""
    t = unicodedata.normalize("NFKC", text)
    t = t.replace("ي", "ی").replace("ى", "ی").replace("ك", "ک").replace("ۀ", "ه").replace("ة", "ه")
    t = t.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789"))
    t = re.sub("[\u064b-\u065f\u0670\u0654]", "", t)  # harakat, hamza above
    t = re.sub(r"[\s\u200c\u200d\u200f\u200e]+", "", t)
    t = re.sub(r"[^\w]", "", t)
    return t.lower()


def load_catalogue():
    faqs, services, clusters = {}, {}, {}
    for path in sorted((CATALOGUE / "services").glob("*.yaml")):
        for s in yaml.safe_load(path.read_text(encoding="utf-8"))["services"]:
            services[s["code"]] = s
            clusters[s["code"]] = s["cluster"]
    for path in sorted((CATALOGUE / "faqs").glob("*.yaml")):
        for f in yaml.safe_load(path.read_text(encoding="utf-8"))["faqs"]:
            faqs[f["id"]] = dict(f, cluster=path.stem)
    return faqs, services, clusters


def check_id(gid, faqs, services, where):
    if gid.startswith("faq:"):
        if gid[4:] not in faqs:
            err(f"{where}: unknown FAQ id {gid}")
        return
    parts = gid.split(":")
    if len(parts) != 3 or parts[0] != "service":
        err(f"{where}: malformed id {gid}")
        return
    if parts[1] not in services:
        err(f"{where}: unknown service code {parts[1]}")
    if parts[2] not in FIELDS:
        err(f"{where}: unknown field {parts[2]}")


def main():
    faqs, services, clusters = load_catalogue()
    print(f"catalogue: {len(services)} services, {len(faqs)} FAQs")
    faq_texts = {}
    for f in faqs.values():
        for q in [f["question"], *(f.get("alternatives") or [])]:
            faq_texts[norm(q)] = f["id"]

    seen = {}  # normalised query -> (file, line)
    data = {}
    for split in ("dev", "test"):
        path = HERE / f"{split}.jsonl"
        rows = []
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            where = f"{split}.jsonl:{n}"
            if not line.strip():
                err(f"{where}: blank line")
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                err(f"{where}: bad JSON ({e})")
                continue
            if set(row) != {"query", "gold", "kind"}:
                err(f"{where}: keys must be query, gold, kind (got {sorted(row)})")
                continue
            q, gold, kind = row["query"], row["gold"], row["kind"]
            if not isinstance(q, str) or not q.strip():
                err(f"{where}: empty query")
            if kind not in KINDS:
                err(f"{where}: unknown kind {kind!r}")
            if not isinstance(gold, list) or len(set(gold)) != len(gold):
                err(f"{where}: gold must be a list without repeats")
                continue
            for gid in gold:
                check_id(gid, faqs, services, where)
            if kind == "no_answer" and gold:
                err(f"{where}: no_answer row must have empty gold")
            if kind != "no_answer" and not gold:
                err(f"{where}: gold is empty but kind is {kind}")
            if kind == "field" and any(g.startswith("faq:") for g in gold):
                err(f"{where}: field row should point at card fields only")
            key = norm(q)
            if key in seen:
                err(f"{where}: duplicate query (also {seen[key]}): {q}")
            else:
                seen[key] = where
            if key in faq_texts:
                err(f"{where}: query copies FAQ {faq_texts[key]} verbatim: {q}")
            rows.append(row)
        data[split] = rows

    for split, rows in data.items():
        n = len(rows)
        counts = Counter(r["kind"] for r in rows)
        print(f"\n{split}.jsonl: {n} rows")
        for kind, (target, tol) in KINDS.items():
            share = counts[kind] / n if n else 0
            flag = "" if abs(share - target) <= tol else "  <-- off target"
            print(f"  {kind:<11}{counts[kind]:>4}  {share:6.1%}  (target {target:.0%}){flag}")
            if flag:
                err(f"{split}: share of {kind} is {share:.1%}, target {target:.0%} ± {tol:.0%}")
        if n < MIN_ROWS[split]:
            err(f"{split}: {n} rows, need at least {MIN_ROWS[split]}")
        if counts["no_answer"] < MIN_NO_ANSWER[split]:
            err(f"{split}: {counts['no_answer']} no_answer rows, need {MIN_NO_ANSWER[split]}")
        golds = [g for r in rows for g in r["gold"]]
        codes = {g.split(":")[1] for g in golds if g.startswith("service:")}
        codes |= {
            faqs[g[4:]]["service"]
            for g in golds
            if g.startswith("faq:") and g[4:] in faqs and faqs[g[4:]].get("service")
        }
        cl = Counter()
        for r in rows:
            cs = set()
            for g in r["gold"]:
                if g.startswith("service:") and g.split(":")[1] in clusters:
                    cs.add(clusters[g.split(":")[1]])
                elif g.startswith("faq:") and g[4:] in faqs:
                    cs.add(faqs[g[4:]]["cluster"])
            cl.update(cs)
        print(
            f"  services covered: {len(codes)}/{len(services)}; FAQs used: "
            f"{len({g for g in golds if g.startswith('faq:')})}; clusters: {len(cl)}"
        )
        print("  rows per cluster: " + ", ".join(f"{c} {k}" for c, k in sorted(cl.items())))

    if errors:
        print(f"\n{len(errors)} error(s):")
        for e in errors:
            print("  " + e)
        return 1
    print("\nOK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
