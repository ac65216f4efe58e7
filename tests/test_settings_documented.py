import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_environment_variable_is_documented_in_the_readme():
    settings_source = (ROOT / "tracker" / "settings.py").read_text() + (
        ROOT / "tracker" / "test_settings.py"
    ).read_text()
    names = set(
        re.findall(r"""(?:environ\.get\(|environ\[|env_bool\(|env_list\(|env=)\s*["']([A-Z_]+)["']""", settings_source)
    )
    assert {"DATABASE_URL", "DJANGO_SECRET_KEY", "DJANGO_DEBUG", "DJANGO_ALLOWED_HOSTS"} <= names
    readme = (ROOT / "README.md").read_text()
    undocumented = sorted(name for name in names if f"`{name}`" not in readme)
    assert undocumented == []
