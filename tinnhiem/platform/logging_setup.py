"""Log output: one JSON line per event (time in UTC, level, logger, message, request id, the
exception as one field), the same for the app and for gunicorn's own lines.

LOG_FORMAT=text gives plain lines for a person at a terminal; json (the default) is for the
journal and log shippers. gunicorn.conf.py takes GUNICORN_LOGCONFIG as its logconfig_dict.
"""
import logging
import logging.config
import sys
from datetime import datetime, timezone

from pythonjsonlogger.json import JsonFormatter

from tinnhiem.platform.config import logging_settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class JsonLineFormatter(JsonFormatter):
    """A traceback stays inside its line: the exception is one JSON string field."""

    def __init__(self):
        super().__init__("{asctime}{levelname}{name}{message}{request_id}", style="{",
                         rename_fields={"asctime": "time", "levelname": "level",
                                        "name": "logger", "exc_info": "exception"},
                         json_ensure_ascii=False)

    def formatTime(self, record, datefmt=None):  # noqa: N802 (logging's name)
        moment = datetime.fromtimestamp(record.created, tz=timezone.utc)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record a handler writes, whichever logger
    made it (the app's, SQLAlchemy's, gunicorn's)."""

    def filter(self, record):
        from tinnhiem.platform.request_log import current_request_id

        record.request_id = current_request_id()
        return True


def log_handler(fmt: str = "json", stream=None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonLineFormatter() if fmt == "json"
                         else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(RequestIdFilter())
    return handler


def logging_config(settings: dict) -> dict:
    """A dictConfig from the LOG_* settings, for the app's process and gunicorn's master."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "handlers": {
            "stderr": {"()": log_handler, "fmt": settings["LOG_FORMAT"]},
            "null": {"class": "logging.NullHandler"},
        },
        "root": {"level": settings["LOG_LEVEL"], "handlers": ["stderr"]},
        "loggers": {
            "tinnhiem": {"level": settings["TINNHIEM_LOG_LEVEL"]},
            # gunicorn's lines go through the root's handler (its own one is replaced).
            "gunicorn.error": {"handlers": [], "propagate": True},
            # With any logconfig set, gunicorn writes an access line per request: the client's
            # address and the path, a voter's link included. Never.
            "gunicorn.access": {"level": "CRITICAL", "handlers": ["null"], "propagate": False},
            # The development server's access lines, for the same reason; and the rate
            # limiter's INFO line for each refusal, which names the client's address.
            "werkzeug": {"level": "WARNING"},
            "flask-limiter": {"level": "WARNING"},
        },
    }


def configure(settings: dict) -> None:
    logging.config.dictConfig(logging_config(settings))


GUNICORN_LOGCONFIG = logging_config(logging_settings())
