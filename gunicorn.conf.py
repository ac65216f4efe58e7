"""gunicorn reads this file from the working directory: its own log (start-up, workers, access
lines when enabled) takes the format of the application's, so that LOG_FORMAT=json gives one
JSON object per line from gunicorn and Django alike (tracker/logs.py)."""

from tracker.logs import FORMATTERS, log_format

if log_format() == "json":
    logconfig_dict = {
        "formatters": {"json": FORMATTERS["json"]},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"},
            "error_console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
        },
        # Each line once: gunicorn's loggers do not pass their records on to the root logger too.
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
        },
    }
