import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

ARTICLE = (
    "Un campus de 700 mégawatts à Escaudain\n\n"
    "Annoncé le 9 décembre 2025, ce projet représente un investissement de cinq milliards d’euros "
    "et créera 2\u202f400 emplois permanents. Il sera opérationnel à l'horizon 2030.\n"
)


@pytest.fixture
def article(tmp_path):
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def run(*args):
    out = StringIO()
    call_command("extract_facts", *args, stdout=out)
    return out.getvalue()


def test_json_output(article):
    data = json.loads(run("--format", "json", str(article)))
    assert data["language"] == "fr"
    by_field = {fact["field"]: fact for fact in data["facts"]}
    assert by_field["capacity_mw"]["value"] == 700
    assert by_field["capacity_mw"]["unit"] == "MW"
    assert by_field["investment"]["value"] == 5_000_000_000
    assert by_field["investment"]["currency"] == "EUR"
    assert by_field["jobs_permanent"]["value"] == 2400
    assert by_field["announced_on"]["value"] == "2025-12-09"
    assert by_field["operational_year"]["value"] == 2030
    assert by_field["municipality"]["value"] == "Escaudain"
    assert by_field["municipality"]["country"] == "FR"
    for fact in data["facts"]:
        assert ARTICLE[fact["start"] : fact["end"]] == fact["quote"]


def test_json_keeps_non_ascii(article):
    assert "d’euros" in run("--format", "json", str(article))


def test_language_option(article):
    assert json.loads(run("--format", "json", "--language", "en", str(article)))["language"] == "en"


def test_text_table(article):
    output = run(str(article))
    lines = output.splitlines()
    assert lines[0] == "language: fr"
    header = lines[2]
    assert header.split() == ["field", "value", "detail", "confidence", "span", "quote"]
    row = next(line for line in lines if line.startswith("capacity_mw"))
    assert "700" in row and "MW gross" not in row and "MW" in row
    # Columns are aligned: every value starts where the header's "value" column starts.
    column = header.index("value")
    assert all(line[column - 2 : column] == "  " for line in lines[3:] if line)


def test_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run(str(tmp_path / "nope.txt"))


def test_not_utf8(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Un data center à Escaudain".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        run(str(path))
