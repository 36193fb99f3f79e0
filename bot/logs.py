"""Logging: one structured line per event, secrets masked, no personal data.

Lines are logfmt (``time=… level=… logger=… msg="…"``), which people can read
and log tools can parse. Secrets (tokens, passwords) are masked in every line
whatever a library chose to log: python-telegram-bot's HTTP client, for one,
logs request URLs that contain the bot token.

The log holds no message text and no names, at any level. The bot's own lines
(loggers under ``deciding_together``) say what happened in its own words: group,
chat and room ids, proposal numbers, kinds of command, reasons for a failure.
The libraries know no such rule: at DEBUG python-telegram-bot logs every update
whole (names, usernames, what was typed) and every message sent, and nio and
jsonschema quote whole events when one does not validate. So their loggers are
held at WARNING whatever the bot's level, and what they do log keeps its words
but not the values put into them (see :class:`PersonalDataFilter`). Matrix user
ids (``@sam:example.org``, a username) are masked in every line.
"""

from __future__ import annotations

import logging
import re
import sys
import traceback

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")

# The bot's own loggers: they write no message text or names (reviewed, and
# tests/app/test_logging.py runs conversations at DEBUG to check).
OWN = "deciding_together"
# Libraries that log requests, updates or events: never below WARNING.
LIBRARIES = (
    "telegram",
    "httpx",
    "httpcore",
    "apscheduler",
    "aiohttp",
    "nio",
    "peewee",
    "asyncio",
)
# A Matrix user id names a person: "@localpart:server".
MATRIX_USER = re.compile(r"@[A-Za-z0-9._=/+\-]+:[A-Za-z0-9.\-]+(?::\d+)?")
HIDDEN = "…"


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


class PersonalDataFilter(logging.Filter):
    """Keep message text and names out of the log, whatever a library does.

    * A library's record below WARNING is dropped (even from a logger whose own
      level someone set lower).
    * A library's record at WARNING or above keeps its words, not its values: the
      template without its arguments ("Calling Bot API endpoint `…`"), or, for a
      message formatted beforehand, what comes before its first ": " ("Error
      validating event: …"); an exception keeps its type and where it was raised,
      not its message.
    * Matrix user ids are masked in every record, the bot's own included.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        own = record.name == OWN or record.name.startswith(OWN + ".")
        if not own:
            if record.levelno < logging.WARNING:
                return False
            _keep_words_only(record)
        elif record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        message = MATRIX_USER.sub("@" + HIDDEN, record.getMessage())
        record.msg, record.args = message, ()
        if record.exc_text:
            record.exc_text = MATRIX_USER.sub("@" + HIDDEN, record.exc_text)
        return True


def _keep_words_only(record: logging.LogRecord) -> None:
    if not isinstance(record.msg, str):
        record.msg = type(record.msg).__name__  # ``logger.warning(error)``: the error's kind
    elif record.args:
        record.msg = record.msg.replace("%r", "%s")
        record.args = tuple(HIDDEN for _ in range(record.msg.count("%s")))
        try:
            record.msg = record.msg % record.args
        except (TypeError, ValueError):  # named or numeric placeholders
            record.msg = record.msg.split("%", 1)[0] + HIDDEN
        record.args = ()
    elif ": " in record.msg:
        record.msg = record.msg.split(": ", 1)[0] + ": " + HIDDEN
    if record.exc_info and record.exc_info[0] is not None:
        kind, _error, trace = record.exc_info
        where = "".join(traceback.format_tb(trace))
        record.exc_text = f"Traceback (most recent call last):\n{where}{kind.__name__}"
        record.exc_info = None


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
    # Personal data first: the secrets filter formats what is left.
    handler.addFilter(PersonalDataFilter())
    handler.addFilter(SecretsFilter(secrets or []))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # These libraries log every HTTP request, update and event at INFO and DEBUG:
    # too chatty for a log people read, the URLs carry the bot token (masked above
    # all the same), and the updates and events carry what people wrote.
    for library in LIBRARIES:
        logging.getLogger(library).setLevel(max(logging.WARNING, root.level))
