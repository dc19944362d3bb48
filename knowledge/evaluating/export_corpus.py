"""Write the catalogue's documents as a corpus file.

    python -m knowledge.evaluating.export_corpus OUT.jsonl

The documents come from ``data/catalogue`` (or ``--catalogue DIR``) through the same builder the
backend uses, one JSON object per line with at least ``id``, ``title`` and ``text``, so
:mod:`knowledge.evaluating.evaluate_retrieval` ``--corpus OUT.jsonl`` evaluates exactly what the
assistant searches (:func:`knowledge.index.documents.load_corpus` reads it back).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from knowledge.index.documents import catalogue_documents, load_catalogue
from knowledge.settings import KnowledgeSettings


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        prog="python -m knowledge.evaluating.export_corpus", description=__doc__
    )
    parser.add_argument("out", type=Path, help="the JSONL file to write")
    parser.add_argument("--catalogue", type=Path, default=KnowledgeSettings().catalogue_dir)
    args = parser.parse_args(argv)
    documents = catalogue_documents(load_catalogue(args.catalogue))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as handle:
        for doc in documents:
            handle.write(json.dumps(doc.to_json(), ensure_ascii=False) + "\n")
    print(f"{len(documents)} documents written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
