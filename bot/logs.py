"""Logging: one structured line per event, secrets masked.

Lines are logfmt (``time=… level=… logger=… msg="…"``), which people can read
and log tools can parse. Secrets (tokens, passwords) are masked in every line
whatever a library chose to log: python-telegram-bot's HTTP client, for one,
logs request URLs that contain the bot token.
"""

from __future__ import annotations

import logging
import sys

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class SecretsFilter(logging.Filter):
    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 4]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        for secret in self.secrets:
            message = message.replace(secret, "***")
            if record.exc_text:
                record.exc_text = record.exc_text.replace(secret, "***")
        record.msg, record.args = message, ()
        return True


class LogfmtFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage().replace("\\", "\\\\").replace('"', '\\"')
        line = (
            f"time={self.formatTime(record, '%Y-%m-%dT%H:%M:%S')} level={record.levelname.lower()}"
            f' logger={record.name} msg="{message}"'
        )
        if record.exc_info or record.exc_text:
            trace = record.exc_text or self.formatException(record.exc_info)  # type: ignore[arg-type]
            line += ' error="' + trace.replace("\n", "\\n").replace('"', '\\"') + '"'
        return line


def setup_logging(level: str, secrets: list[str] | None = None) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(LogfmtFormatter())
    handler.addFilter(SecretsFilter(secrets or []))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # These libraries log every HTTP request at INFO and DEBUG: too chatty for a log
    # people read, and the URLs carry the bot token (masked above all the same).
    for noisy in ("httpx", "httpcore", "apscheduler", "aiohttp.access", "nio"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
