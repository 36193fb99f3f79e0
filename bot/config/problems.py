"""Problems: one mistake in the file, all of them together, and their explanation.

A ``Problem`` says where a mistake is and one plain sentence of what to write
instead; a ``ConfigError`` holds every problem found; ``explain`` turns them
into a numbered text for a person at a terminal.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One mistake: where it is, and a plain sentence of what to write instead."""

    where: str  # "[telegram] mode", "line 3, column 7", "DT_TELEGRAM_TOKEN (environment variable)"
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class ConfigError(Exception):
    """The configuration cannot be used; ``problems`` says every reason found."""

    def __init__(self, problems: Sequence[Problem], source: str = "the configuration") -> None:
        self.problems = list(problems)
        self.source = source
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return "\n".join(f"{self.source}: {problem}" for problem in self.problems)


_KEEP_TOGETHER = re.compile(r'(?:\w+ = )?"[^"\n]{0,60}"')
_GLUE = "\ue000"  # a private-use character: never in a message, glues words while wrapping


def explain(error: ConfigError) -> str:
    """The problems as a numbered, wrapped text for a person at a terminal."""
    count = len(error.problems)
    heading = (
        f"There is 1 mistake in {error.source}:"
        if count == 1
        else f"There are {count} mistakes in {error.source}:"
    )
    lines = [heading, ""]
    for number, problem in enumerate(error.problems, start=1):
        bullet = f"  {number}. "
        lines.append(bullet + problem.where)
        # Keep what to write ("mode = "polling"") on one line, so it can be copied.
        message = _KEEP_TOGETHER.sub(lambda m: m[0].replace(" ", _GLUE), problem.message)
        indent = " " * len(bullet)
        wrapped = textwrap.wrap(message, 88, initial_indent=indent, subsequent_indent=indent,
                                break_on_hyphens=False, break_long_words=False)  # fmt: skip
        lines += [line.replace(_GLUE, " ") for line in wrapped]
        lines.append("")
    lines.append("Fix " + ("it" if count == 1 else "them") + ", then check again with:")
    lines.append(f"  deciding-together check-config --config {error.source}")
    return "\n".join(lines)
