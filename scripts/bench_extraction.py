"""Score the fact extractor against hand-labelled articles.

    python scripts/bench_extraction.py [DIR] [--json] [--min-recall X --min-precision Y]

DIR (default ../shared/articles from the repository root) holds the articles
(.txt) and expected.json::

    {"articles": {"file.txt": {"language": "fr",
                               "facts": [{"field": "capacity_mw", "value": 700}, ...],
                               "absent": ["jobs_construction"]}}}

Recall counts the expected facts that were produced. Precision is measured on
numeric and date fields only (capacity, investment, jobs, areas, dates): a
produced fact is correct when it matches an expected fact of the same field;
a produced fact for a field listed under "absent" is an error and is reported.
The scoring itself lives in ``projects.extraction.scoring``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = REPO_ROOT.parent / "shared" / "articles"

sys.path.insert(0, str(REPO_ROOT))
# Importing the extractor needs no settings; running it does (the gazetteer), see main().
from projects.extraction.scoring import (  # noqa: E402
    ArticleScore,
    matches,
    score_article,
    score_directory,
)

__all__ = ["ArticleScore", "main", "matches", "run", "score_article"]


def run(directory: Path) -> tuple[list[ArticleScore], dict[str, Any]]:
    return score_directory(directory)


def print_report(scores: list[ArticleScore], overall: dict[str, Any], *, details: bool = True) -> None:
    width = max((len(s.name) for s in scores), default=10)
    print(f"{'article':<{width}}  recall  precision  found/expected  correct/checked")
    for s in scores if details else ():
        print(
            f"{s.name:<{width}}  {s.recall:6.2f}  {s.precision:9.2f}  {s.found:>5}/{s.expected:<8}"
            f"  {s.correct:>5}/{s.checked}"
        )
        for fact in s.missed:
            print(f"    missed  {fact['field']}: {fact['value']!r}")
        for fact in s.wrong:
            print(f"    wrong   {fact['field']}: {fact['value']!r}  <- {fact['quote'][:80]!r}")
        for fact in s.absent_violations:
            print(f"    absent  {fact['field']}: {fact['value']!r}  <- {fact['quote'][:80]!r}")
        for fact in s.foreign:
            print(f"    foreign {fact['field']}: {fact['value']!r}  <- {fact['quote'][:80]!r}")
        for fact in s.other_missed:
            print(f"    other   {fact['field']}: {fact['value']!r} (another project of the page)")
        for item in s.relations_missed:
            print(f"    missed  {item}")
    print(
        f"{'OVERALL':<{width}}  {overall['recall']:6.2f}  {overall['precision']:9.2f}"
        f"  {overall['found']:>5}/{overall['expected']:<8}  {overall['correct']:>5}/{overall['checked']}"
        f"  absent violations: {overall['absent_violations']}"
    )
    print(
        f"foreign facts: {overall['foreign']}  role accuracy: {overall['role_accuracy']}"
        f"  other projects' recall: {overall['other_projects_recall']}"
        f"  relationships and indicators: {overall['relationships_and_indicators_recall']}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument(
        "--overall", action="store_true", help="print the overall scores only (for a blind set: no per-fact output)"
    )
    parser.add_argument("--min-recall", type=float, help="exit 1 when overall recall is below")
    parser.add_argument("--min-precision", type=float, help="exit 1 when overall precision is below")
    args = parser.parse_args(argv)
    if not (args.directory / "expected.json").is_file():
        parser.error(f"{args.directory / 'expected.json'} not found")

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    import django

    django.setup()

    scores, overall = run(args.directory)
    if args.json:
        articles = [] if args.overall else [s.as_dict() for s in scores]
        print(json.dumps({"overall": overall, "articles": articles}, ensure_ascii=False, indent=2))
    else:
        print_report(scores, overall, details=not args.overall)
    below_recall = args.min_recall is not None and overall["recall"] < args.min_recall
    below_precision = args.min_precision is not None and overall["precision"] < args.min_precision
    return 1 if below_recall or below_precision else 0


if __name__ == "__main__":
    sys.exit(main())
