"""Reading one section's values, each by its kind (text, choice, whole number,
flag, length of time, list, secret), noting every mistake without stopping.

``_Section`` is what the readers in ``bot.config.sections`` read through; it
hands the problems over in the order the settings are written in the file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from bot.config.problems import Problem
from bot.config.schema import DEFAULTS, FROM_FILE, SCHEMA, SECRET_ENV, _home_of
from bot.config.words import _did_you_mean, _either, _name, _shown
from bot.core.deadlines import parse_duration


class _Section:
    """Reads one section's settings, noting each problem and each setting it was asked for.

    Every reader calls ``finish`` last: it reports the settings nobody asked
    for and hands the problems over in the order the settings are written.
    """

    def __init__(self, name: str, table: Mapping[str, Any], problems: list[Problem]) -> None:
        self.name = name
        self.table = table
        self.problems = problems
        self.asked: set[str] = set()
        self._found: list[tuple[int, Problem]] = []

    def where(self, key: str) -> str:
        return f"[{self.name}] {key}"

    def problem(self, key: str, message: str, where: str | None = None) -> None:
        # A setting that is missing altogether is told first.
        position = list(self.table).index(key) if key in self.table else -1
        self._found.append((position, Problem(where or self.where(key), message)))

    def default(self, key: str) -> Any:
        """What ``key`` is when it is not written (``DEFAULTS``, the one table)."""
        return DEFAULTS[self.name][key]

    def like(self, key: str) -> str:
        return f"{key} = {SCHEMA[self.name][key]}"

    def raw(self, key: str) -> Any:
        """The value as TOML read it, or ``_ABSENT``."""
        assert key in SCHEMA[self.name], f"{key} is missing from SCHEMA[{self.name!r}]"
        self.asked.add(key)
        return self.table.get(key, _ABSENT)

    def has(self, key: str) -> bool:
        return key in self.table

    def wrong_type(self, key: str) -> bool:
        """Whether a text setting holds something else (already noted as a problem)."""
        return key in self.table and not isinstance(self.table[key], str)

    def required(self, key: str, missing: str) -> str | None:
        """A text that must be given; ``missing`` is said when it is absent or empty."""
        value = self.text(key)
        if not value and not self.wrong_type(key):
            self.problem(key, missing)
        return value or None

    # Each reader returns the default when the value is absent or wrong, having
    # noted the problem, so that reading goes on and finds every mistake.

    def text(self, key: str, default: str | None = None, *, secret: bool = False) -> str | None:
        value = self.raw(key)
        if value is _ABSENT:
            return default
        if not isinstance(value, str):
            self.problem(key, (
                f"{key} should be text in double quotes, like {self.like(key)}; "
                f"you wrote {_shown(value, secret=secret)}."
            ))  # fmt: skip
            return default
        return value.strip()

    def choice(self, key: str, default: str, options: Sequence[str]) -> str:
        value = self.text(key)
        if value is None:
            return default
        for option in options:
            if value.lower() == option.lower():
                return option
        self.problem(key, (
            f"{key} must be {_either([json.dumps(o) for o in options])}; "
            f"you wrote {_shown(value)}.{_did_you_mean(value, options)}"
        ))  # fmt: skip
        return default

    def whole_number(
        self, key: str, default: int | None, low: int, high: int, *, hint: str = ""
    ) -> int | None:
        """A whole number from ``low`` to ``high``; ``hint`` is added when it is out of range."""
        value = self.raw(key)
        if value is _ABSENT:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            fix = ""
            if isinstance(value, str) and value.strip().rstrip("%").strip().isdigit():
                fix = " Write the number without quotes or %."
            elif isinstance(value, float):
                fix = " Write it without a decimal point."
            example = SCHEMA[self.name][key]
            self.problem(key, (
                f"{key} should be a whole number like {example}; you wrote {_shown(value)}.{fix}"
            ))  # fmt: skip
            return default
        if not low <= value <= high:
            self.problem(key, (
                f"{key} must be between {low} and {high}; you wrote {_shown(value)}.{hint}"
            ))  # fmt: skip
            return default
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.raw(key)
        if value is _ABSENT:
            return default
        if not isinstance(value, bool):
            self.problem(key, (
                f"{key} should be true or false, without quotes; you wrote {_shown(value)}."
            ))  # fmt: skip
            return default
        return value

    def length_of_time(self, key: str, default: timedelta | None) -> timedelta | None:
        value = self.raw(key)
        if value is _ABSENT:
            return default
        length = parse_duration(value) if isinstance(value, str) else None
        if length is None:
            hint = ""
            if isinstance(value, int | float) and not isinstance(value, bool):
                hint = " Say which unit, in quotes: minutes, hours, days or weeks."
            self.problem(key, (
                f"{key} should be a length of time in quotes, like {self.like(key)} or "
                f'"12 hours"; you wrote {_shown(value)}.{hint}'
            ))  # fmt: skip
            return default
        return length

    def text_list(self, key: str) -> list[str] | None:
        value = self.raw(key)
        if value is _ABSENT:
            return None
        if isinstance(value, str):
            value = [value]  # one entry without brackets: forgive it
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(key, (
                f"{key} should be a list of texts in square brackets, like {self.like(key)}; "
                f"you wrote {_shown(value)}."
            ))  # fmt: skip
            return None
        return [v.strip() for v in value]

    def secret(self, key: str, env: Mapping[str, str], sources: dict[str, str]) -> str | None:
        """A secret from its environment variable, else from the file; notes where from."""
        name = SECRET_ENV[(self.name, key)]
        written = self.text(key, secret=True)
        from_env = env.get(name, "").strip()
        if from_env:
            sources[key] = name
            return from_env
        if written:
            sources[key] = FROM_FILE
            return written
        return None

    def finish(self) -> None:
        """Note every setting nobody asked for, then hand the problems over in order."""
        for key in self.table:
            if key in self.asked:
                continue
            home = _home_of(key)
            if home and home != self.name:
                advice = f" It belongs in the [{home}] section: move it there."
            else:
                advice = (
                    f"{_did_you_mean(key, SCHEMA[self.name])} Check the spelling, "
                    "or delete the line."
                )
            self.problem(key, f"{_name(key)} is not a setting of [{self.name}].{advice}",
                         where=f"[{self.name}] {_name(key)}")  # fmt: skip
        self._found.sort(key=lambda found: found[0])
        self.problems.extend(problem for _, problem in self._found)


_ABSENT: Any = object()
