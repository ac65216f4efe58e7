"""Log formats, shared by Django's settings and gunicorn.conf.py.

``LOG_FORMAT=json`` writes one JSON object per line (python-json-logger): ``time``, ``level``,
``logger``, ``message``, then ``exc_info`` for an exception and any ``extra`` fields;
``LOG_FORMAT=text`` (the default) writes the message alone.
"""

import os

FORMATS = ("text", "json")

FORMATTERS = {
    "text": {"format": "%(message)s"},
    "json": {
        "()": "pythonjsonlogger.json.JsonFormatter",
        "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
        "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        "json_ensure_ascii": False,
    },
}


def log_format() -> str:
    """The format named by ``LOG_FORMAT``; ValueError for any other."""
    value = os.environ.get("LOG_FORMAT", "").strip().lower() or "text"
    if value not in FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(FORMATS)}, not {value!r}.")
    return value
