import importlib.util
import json
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "bench_extraction.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_extraction", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


def test_numbers_match_within_one_percent(bench):
    expected = {"field": "capacity_mw", "value": 700}
    assert bench.matches(expected, {"field": "capacity_mw", "value": 705})
    assert not bench.matches(expected, {"field": "capacity_mw", "value": 720})
    assert not bench.matches(expected, {"field": "site_area_ha", "value": 700})


def test_currency_must_match_when_expected(bench):
    expected = {"field": "investment", "value": 5e9, "currency": "EUR"}
    assert bench.matches(expected, {"field": "investment", "value": 5e9, "currency": "EUR"})
    assert not bench.matches(expected, {"field": "investment", "value": 5e9, "currency": "USD"})


def test_text_match_ignores_case_accents_and_containment(bench):
    expected = {"field": "organization", "value": "Communauté d'agglomération de la Porte du Hainaut"}
    assert bench.matches(
        expected, {"field": "organization", "value": "communaute d’agglomeration de la Porte du Hainaut"}
    )
    assert bench.matches({"field": "organization", "value": "SUSE"}, {"field": "organization", "value": "Suse"})
    assert not bench.matches({"field": "organization", "value": "Nexity"}, {"field": "organization", "value": "GSE"})


def test_scores_and_absent_violations(bench):
    label = {
        "facts": [{"field": "capacity_mw", "value": 300}, {"field": "municipality", "value": "London"}],
        "absent": ["investment"],
    }
    produced = [
        {"field": "capacity_mw", "value": 300, "quote": "300MW"},
        {"field": "jobs", "value": 50, "quote": "50 jobs"},
        {"field": "investment", "value": 1e9, "currency": "GBP", "quote": "£1bn"},
        {"field": "organization", "value": "Acme", "quote": "Acme"},
    ]
    score = bench.score_article("a.txt", label, produced)
    assert (score.found, score.expected) == (1, 2)
    assert (score.correct, score.checked) == (1, 3)
    assert [v["field"] for v in score.absent_violations] == ["investment"]
    assert [w["field"] for w in score.wrong] == ["jobs"]


def test_run_on_a_directory(bench, tmp_path, capsys):
    (tmp_path / "a.txt").write_text("The 300MW data centre campus in London was announced today.", encoding="utf-8")
    labels = {"articles": {"a.txt": {"language": "en", "facts": [{"field": "capacity_mw", "value": 300}]}}}
    (tmp_path / "expected.json").write_text(json.dumps(labels), encoding="utf-8")
    assert bench.main([str(tmp_path), "--json", "--min-recall", "1", "--min-precision", "1"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["overall"]["recall"] == 1.0
    assert bench.main([str(tmp_path), "--min-recall", "1.1"]) == 1
