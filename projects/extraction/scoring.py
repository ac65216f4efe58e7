"""Scoring the extractor against hand-labelled articles.

A folder of labelled articles holds the texts (.txt) and ``expected.json``::

    {"articles": {"file.txt": {"language": "fr",
                               "facts": [{"field": "capacity_mw", "value": 700}, ...],
                               "absent": ["jobs_construction"]}}}

Recall counts the expected facts that were produced. Precision is measured on
numeric and date fields only (capacity, investment, jobs, areas, dates): a
produced fact is correct when it matches an expected fact of the same field;
a produced fact for a field listed under "absent" is an error and is reported.
Used by ``scripts/bench_extraction.py`` and by the held-out test.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from projects.attributes import ATTRIBUTES
from projects.choices import ValueKind

# Numbers and dates: the facts whose precision (how many of them are right) is reported.
PRECISION_FIELDS = {
    name
    for name, attribute in ATTRIBUTES.items()
    if attribute.value_kind in (ValueKind.NUMBER, ValueKind.MONEY, ValueKind.DATE)
}
NUMERIC_TOLERANCE = 0.01  # relative
# Attributes compared only when the label gives them ("currency": "EUR", "role": "investor").
MATCHED_ATTRIBUTES = ("currency", "country", "role")


def _fold(value: Any) -> str:
    decomposed = unicodedata.normalize("NFKD", str(value).casefold().replace("’", "'"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def matches(expected: dict[str, Any], produced: dict[str, Any]) -> bool:
    """Whether a produced fact states the expected one (same field and value, and the attributes labelled)."""
    if expected["field"] != produced["field"]:
        return False
    for attribute in MATCHED_ATTRIBUTES:
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
    return {k: fact[k] for k in ("field", "value", "currency", "role", "quote") if k in fact}


def score_directory(directory: Path) -> tuple[list[ArticleScore], dict[str, Any]]:
    """Score every labelled article of ``directory``; per-article scores and the overall figures."""
    from .extractor import extract_facts

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
