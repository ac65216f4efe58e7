"""Scoring the extractor against hand-labelled articles.

A folder of labelled articles holds the texts (.txt) and ``expected.json``::

    {"articles": {"file.txt": {"language": "fr",
                               "facts": [{"field": "capacity_mw", "value": 700}, ...],
                               "absent": ["jobs_construction"]}}}

Recall counts the expected facts that were produced. Precision is measured on
numeric and date fields only (capacity, investment, jobs, areas, dates): a
produced fact is correct when it matches an expected fact of the same field;
a produced fact for a field listed under "absent" is an error and is reported.

A label may also give a figure's ``scope`` (project, phase, building,
eventual), ``bound`` (exact, at_least, at_most, range) and ``value_max``;
they are compared when given, a produced fact without them counting as a
whole-project exact figure. ``projects`` lists the other projects of a
roundup, each with its own facts: they are scored against the extraction's
``projects`` (the candidate sharing the most facts), apart from the main
figures, and a main fact that only another project's label holds is counted
as *foreign* (a figure of the next project attributed to the main one).
The role accuracy is over the organizations labelled with a role and found by name, on
the main project and on each other project's candidate.
``relationships`` ({"kind", "organizations"}) and ``indicators`` ({"value",
"unit", "year"}) are scored, for recall, against the extraction's own.
Used by ``scripts/bench_extraction.py`` and by the held-out tests.
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
MATCHED_ATTRIBUTES = ("currency", "country", "role", "job_type")
# Compared when the label gives them, with the default a produced fact without them has.
DEFAULTED_ATTRIBUTES = {"scope": "project", "bound": "exact"}


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
    for attribute, default in DEFAULTED_ATTRIBUTES.items():
        if attribute in expected and expected[attribute] != (produced.get(attribute) or default):
            return False
    if "value_max" in expected and not _same_number(expected["value_max"], produced.get("value_max")):
        return False
    want, got = expected["value"], produced["value"]
    if isinstance(want, int | float) and not isinstance(want, bool):
        return _same_number(want, got)
    if expected["field"] in ("announced_on",):
        return str(want) == str(got)
    want_text, got_text = _fold(want), _fold(got)
    return bool(got_text) and (want_text in got_text or got_text in want_text)


def _same_number(want: float, got: Any) -> bool:
    try:
        got = float(got)
    except (TypeError, ValueError):
        return False
    return abs(got - want) <= NUMERIC_TOLERANCE * max(abs(want), 1e-9)


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
    # Main facts that only another project of the page holds (roundups).
    foreign: list[dict[str, Any]] = field(default_factory=list)
    # Organizations labelled with a role and found by name: how many have that role.
    roles_labelled: int = 0
    roles_right: int = 0
    # The other projects of a roundup: their labelled facts, and how many were found on their candidate.
    other_expected: int = 0
    other_found: int = 0
    other_missed: list[dict[str, Any]] = field(default_factory=list)
    # Relationships between organizations and market indicators: labelled, and found.
    relations_expected: int = 0
    relations_found: int = 0
    relations_missed: list[dict[str, Any]] = field(default_factory=list)

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
            "foreign": self.foreign,
            "roles": [self.roles_right, self.roles_labelled],
            "other_projects": [self.other_found, self.other_expected],
            "other_missed": self.other_missed,
            "relationships_and_indicators": [self.relations_found, self.relations_expected],
            "relations_missed": self.relations_missed,
        }


def _without(expected: dict[str, Any], attribute: str) -> dict[str, Any]:
    return {k: v for k, v in expected.items() if k != attribute}


def same_relationship(expected: dict[str, Any], produced: dict[str, Any]) -> bool:
    """Same kind, and every labelled organization named by one of the produced ones."""
    names = [{"field": "organization", "value": name} for name in produced.get("organizations", [])]
    return expected["kind"] == produced.get("kind") and all(
        any(matches({"field": "organization", "value": want}, got) for got in names)
        for want in expected["organizations"]
    )


def same_indicator(expected: dict[str, Any], produced: dict[str, Any]) -> bool:
    if "year" in expected and expected["year"] != produced.get("year"):
        return False
    return expected.get("unit") == produced.get("unit") and _same_number(expected["value"], produced.get("value"))


def score_article(
    name: str,
    label: dict[str, Any],
    produced: list[dict[str, Any]],
    projects: list[dict[str, Any]] | None = None,
    extraction: dict[str, Any] | None = None,
) -> ArticleScore:
    """Score one article: ``produced`` are the main project's facts, ``projects`` every candidate's."""
    score = ArticleScore(name)
    for expected in label.get("facts", []):
        score.expected += 1
        if any(matches(expected, fact) for fact in produced):
            score.found += 1
        else:
            score.missed.append(expected)
    _score_roles(score, label.get("facts", []), produced)
    others = [fact for project in label.get("projects", []) for fact in project.get("facts", [])]
    for fact in produced:
        if any(matches(o, fact) for o in others) and not any(matches(e, fact) for e in label.get("facts", [])):
            score.foreign.append(_brief(fact))
    _score_other_projects(score, label.get("projects", []), projects or [])
    extraction = extraction or {}
    for key, same in (("relationships", same_relationship), ("indicators", same_indicator)):
        for expected in label.get(key, []):
            score.relations_expected += 1
            if any(same(expected, got) for got in extraction.get(key, [])):
                score.relations_found += 1
            else:
                score.relations_missed.append(expected)
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


def _score_other_projects(score: ArticleScore, labelled: list[dict[str, Any]], candidates: list[dict[str, Any]]):
    """Each labelled project against the candidate holding most of its facts (the main one excluded).

    Its labelled organizations found by name on that candidate count towards the role accuracy too.
    """
    for project in labelled:
        facts = project.get("facts", [])
        score.other_expected += len(facts)
        best: set[int] = set()
        best_facts: list[dict[str, Any]] = []
        for candidate in candidates:
            if candidate.get("main"):
                continue
            found = {i for i, expected in enumerate(facts) if any(matches(expected, f) for f in candidate["facts"])}
            if len(found) > len(best):
                best, best_facts = found, candidate["facts"]
        score.other_found += len(best)
        score.other_missed += [fact for i, fact in enumerate(facts) if i not in best]
        _score_roles(score, facts, best_facts)


def _score_roles(score: ArticleScore, labelled: list[dict[str, Any]], produced: list[dict[str, Any]]) -> None:
    """Of the labelled organizations with a role that were found by name, how many have that role."""
    for expected in labelled:
        if expected["field"] != "organization" or "role" not in expected:
            continue
        named = [fact for fact in produced if matches(_without(expected, "role"), fact)]
        if named:
            score.roles_labelled += 1
            score.roles_right += any(fact.get("role") == expected["role"] for fact in named)


def _brief(fact: dict[str, Any]) -> dict[str, Any]:
    keys = ("field", "value", "currency", "role", "scope", "bound", "quote")
    return {k: fact[k] for k in keys if k in fact}


def score_directory(directory: Path) -> tuple[list[ArticleScore], dict[str, Any]]:
    """Score every labelled article of ``directory``; per-article scores and the overall figures."""
    from .extractor import extract_facts

    labels = json.loads((directory / "expected.json").read_text(encoding="utf-8"))["articles"]
    scores = []
    for name, label in sorted(labels.items()):
        text = (directory / name).read_text(encoding="utf-8")
        extraction = extract_facts(text).as_dict()
        scores.append(score_article(name, label, extraction["facts"], extraction.get("projects"), extraction))
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
        "foreign": sum(len(s.foreign) for s in scores),
        "role_accuracy": _ratio(sum(s.roles_right for s in scores), sum(s.roles_labelled for s in scores)),
        "other_projects_recall": _ratio(sum(s.other_found for s in scores), sum(s.other_expected for s in scores)),
        "relationships_and_indicators_recall": _ratio(
            sum(s.relations_found for s in scores), sum(s.relations_expected for s in scores)
        ),
    }
    return scores, overall


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None
