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
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = REPO_ROOT.parent / "shared" / "articles"

PRECISION_FIELDS = {
    "capacity_mw",
    "investment",
    "jobs",
    "jobs_permanent",
    "jobs_construction",
    "site_area_ha",
    "floor_area_m2",
    "announced_on",
    "operational_year",
}
NUMERIC_TOLERANCE = 0.01  # relative


def _fold(value: Any) -> str:
    decomposed = unicodedata.normalize("NFKD", str(value).casefold().replace("’", "'"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def matches(expected: dict[str, Any], produced: dict[str, Any]) -> bool:
    """Whether a produced fact states the expected one (same field, value, currency and country)."""
    if expected["field"] != produced["field"]:
        return False
    for attribute in ("currency", "country"):
        if attribute in expected and expected[attribute] != produced.get(attribute):
            return False
    want, got = expected["value"], produced["value"]
    if isinstance(want, int | float) and not isinstance(want, bool):
        try:
            got = float(got)
        except (TypeError, ValueError):
            return False
        return abs(got - want) <= NUMERIC_TOLERANCE * max(abs(want), 1e-9)
    if expected["field"] in ("announced_on",):
        return str(want) == str(got)
    want_text, got_text = _fold(want), _fold(got)
    return bool(got_text) and (want_text in got_text or got_text in want_text)


@dataclass
class ArticleScore:
    name: str
    expected: int = 0
    found: int = 0
    checked: int = 0  # produced numeric/date facts
    correct: int = 0
    missed: list[dict[str, Any]] = field(default_factory=list)
    wrong: list[dict[str, Any]] = field(default_factory=list)
    absent_violations: list[dict[str, Any]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.checked if self.checked else 1.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "article": self.name,
            "recall": round(self.recall, 3),
            "precision": round(self.precision, 3),
            "expected": self.expected,
            "found": self.found,
            "checked": self.checked,
            "correct": self.correct,
            "missed": self.missed,
            "wrong": self.wrong,
            "absent_violations": self.absent_violations,
        }


def score_article(name: str, label: dict[str, Any], produced: list[dict[str, Any]]) -> ArticleScore:
    score = ArticleScore(name)
    for expected in label.get("facts", []):
        score.expected += 1
        if any(matches(expected, fact) for fact in produced):
            score.found += 1
        else:
            score.missed.append(expected)
    absent = set(label.get("absent", []))
    for fact in produced:
        if fact["field"] in absent:
            score.checked += 1
            score.absent_violations.append(_brief(fact))
        elif fact["field"] in PRECISION_FIELDS:
            score.checked += 1
            if any(matches(expected, fact) for expected in label.get("facts", [])):
                score.correct += 1
            else:
                score.wrong.append(_brief(fact))
    return score


def _brief(fact: dict[str, Any]) -> dict[str, Any]:
    return {k: fact[k] for k in ("field", "value", "currency", "quote") if k in fact}


def run(directory: Path) -> tuple[list[ArticleScore], dict[str, Any]]:
    from projects.extraction import extract_facts

    labels = json.loads((directory / "expected.json").read_text(encoding="utf-8"))["articles"]
    scores = []
    for name, label in sorted(labels.items()):
        text = (directory / name).read_text(encoding="utf-8")
        produced = [fact.as_dict() for fact in extract_facts(text).facts]
        scores.append(score_article(name, label, produced))
    expected = sum(s.expected for s in scores)
    checked = sum(s.checked for s in scores)
    overall = {
        "articles": len(scores),
        "recall": round(sum(s.found for s in scores) / expected, 3) if expected else 1.0,
        "precision": round(sum(s.correct for s in scores) / checked, 3) if checked else 1.0,
        "expected": expected,
        "found": sum(s.found for s in scores),
        "checked": checked,
        "correct": sum(s.correct for s in scores),
        "absent_violations": sum(len(s.absent_violations) for s in scores),
    }
    return scores, overall


def print_report(scores: list[ArticleScore], overall: dict[str, Any]) -> None:
    width = max((len(s.name) for s in scores), default=10)
    print(f"{'article':<{width}}  recall  precision  found/expected  correct/checked")
    for s in scores:
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
    print(
        f"{'OVERALL':<{width}}  {overall['recall']:6.2f}  {overall['precision']:9.2f}"
        f"  {overall['found']:>5}/{overall['expected']:<8}  {overall['correct']:>5}/{overall['checked']}"
        f"  absent violations: {overall['absent_violations']}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument("--min-recall", type=float, help="exit 1 when overall recall is below")
    parser.add_argument("--min-precision", type=float, help="exit 1 when overall precision is below")
    args = parser.parse_args(argv)
    if not (args.directory / "expected.json").is_file():
        parser.error(f"{args.directory / 'expected.json'} not found")

    sys.path.insert(0, str(REPO_ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    import django

    django.setup()

    scores, overall = run(args.directory)
    if args.json:
        print(json.dumps({"overall": overall, "articles": [s.as_dict() for s in scores]}, ensure_ascii=False, indent=2))
    else:
        print_report(scores, overall)
    below_recall = args.min_recall is not None and overall["recall"] < args.min_recall
    below_precision = args.min_precision is not None and overall["precision"] < args.min_precision
    return 1 if below_recall or below_precision else 0


if __name__ == "__main__":
    sys.exit(main())
