"""The extractor scored on press pages written for this repository (tests/.../press, see its README).

``dev`` is what the extractor was tuned on; ``blind`` was written, labelled and committed before
any change and scored once at the end. The floors sit a little below the measured scores (dev
0.99 / 1.00, blind 0.91 / 0.96), so a change that loses ground on either shows up here. ``blind2`` is
left out: it is scored by hand, overall only, so that tuning never runs against it.
"""

import json
from pathlib import Path

import pytest

from projects.extraction import extract_facts
from projects.extraction.scoring import score_directory

PRESS = Path(__file__).parent / "press"
# The development article this repository's issue names, kept outside the repository.
SEED = Path(__file__).resolve().parents[4] / "shared" / "articles" / "fr-escaudain-actualites24.txt"

FLOORS = {
    # set: (articles, recall, numeric precision, role accuracy, other projects' recall)
    "dev": (51, 0.95, 0.97, 0.95, 0.8),
    "blind": (12, 0.88, 0.94, 0.9, 0.9),
}


@pytest.fixture(scope="module", params=sorted(FLOORS))
def scored(request):
    return request.param, *score_directory(PRESS / request.param)


def test_recall_and_numeric_precision_floors(scored):
    name, scores, overall = scored
    articles, recall, precision, _, _ = FLOORS[name]
    assert overall["articles"] == articles
    report = {s.name: (s.missed, s.wrong, s.absent_violations) for s in scores if s.missed or s.wrong}
    assert overall["recall"] >= recall, report
    assert overall["precision"] >= precision, report


def test_roles_and_the_other_projects_of_roundups(scored):
    name, _, overall = scored
    _, _, _, roles, others = FLOORS[name]
    assert overall["role_accuracy"] >= roles
    assert overall["other_projects_recall"] >= others


def test_no_figure_of_another_project_on_the_main_one(scored):
    name, scores, overall = scored
    assert overall["foreign"] <= (0 if name == "dev" else 1), [s.foreign for s in scores if s.foreign]


def test_labels_are_well_formed():
    for name in FLOORS:
        labels = json.loads((PRESS / name / "expected.json").read_text(encoding="utf-8"))["articles"]
        for article, label in labels.items():
            assert (PRESS / name / article).is_file(), article
            for fact in label["facts"] + [f for p in label.get("projects", []) for f in p["facts"]]:
                assert fact.get("scope", "project") in ("project", "phase", "building", "eventual"), fact
                assert fact.get("bound", "exact") in ("exact", "at_least", "at_most", "range"), fact


@pytest.mark.skipif(not SEED.is_file(), reason="the shared development articles are not on this machine")
def test_the_seed_page_proposes_its_relationships_and_its_indicator():
    extraction = extract_facts(SEED.read_text(encoding="utf-8"))
    pairs = {(r.kind, frozenset(name.casefold() for name in r.organizations)) for r in extraction.relationships}
    assert ("partnership", frozenset({"nexity", "gse"})) in pairs
    assert ("partnership", frozenset({"evroc", "suse"})) in pairs
    forecasts = [(i.value, i.unit, i.year, i.stated_by.casefold()) for i in extraction.indicators]
    assert (75, "%", 2030, "commission européenne") in forecasts
    assert not {f.value for f in extraction.facts if f.field == "operational_year"} - {2030}
