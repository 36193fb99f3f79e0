"""The storage's SQL, as PostgreSQL reads it.

The statements live once, in SQLite's words, beside the rows they write
(``storage.changes``, ``storage.timers``, ``storage.outbox``,
``storage.forgetting``, ``storage.purge``); most of them mean the same on
PostgreSQL. :func:`dialect` rewrites the few words that differ, so that a
statement and its rows cannot disagree between the two backends:

* parameters: SQLite's ``?`` and ``?N`` become PostgreSQL's ``$N`` (the
  connections use psycopg's raw cursors, which pass ``$N`` on as it is);
* ``INSERT OR IGNORE`` becomes ``INSERT ... ON CONFLICT DO NOTHING``;
* ``instr`` is ``strpos``, ``group_concat`` is ``string_agg``, ``char`` is ``chr``;
* ``json_each(?)`` over a JSON array of texts is ``json_array_elements_text``,
  ``json_each(column)`` over a JSON array of objects is ``json_array_elements``,
  and ``json_extract(value, '$.key')`` is ``value ->> 'key'``;
* ``INDEXED BY`` (a hint for SQLite's planner) goes;
* ``rowid`` (the order rows were made in) is the ``made`` column that the
  PostgreSQL tables which are read in that order have (``storage.postgres_schema``).

Only these forms are rewritten; a statement using another SQLite-only word
fails on PostgreSQL when it runs, and the tests on both backends find it.
"""

from __future__ import annotations

import itertools
import re
from functools import cache

_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"^(\s*)INSERT OR IGNORE INTO (.*?)\s*$", re.DOTALL),
        r"\1INSERT INTO \2 ON CONFLICT DO NOTHING",
    ),
    (re.compile(r"\binstr\("), "strpos("),
    (re.compile(r"\bgroup_concat\("), "string_agg("),
    (re.compile(r"\bchar\(10\)"), "chr(10)"),
    # Membership in a JSON list given as a parameter: its items are compared as
    # text (SQLite compares a number with a number, PostgreSQL needs one type).
    (
        re.compile(r"([\w.]+) (NOT IN|IN) \(SELECT value FROM json_each\((\?\d*)\)\)"),
        r"\1::text \2 (SELECT value FROM json_array_elements_text(\3::json))",
    ),
    # Over a parameter (a JSON list of texts or numbers), its items as text; over a
    # column (a JSON list of objects), its items as JSON, each read with ->>.
    (re.compile(r"\bjson_each\((\?\d*)\)"), r"json_array_elements_text(\1::json)"),
    (re.compile(r"\bjson_each\(([\w.]+)\)"), r"json_array_elements(\1::json)"),
    (re.compile(r"\bjson_extract\((\w+), '\$\.(\w+)'\)"), r"(\1 ->> '\2')"),
    (re.compile(r"\s+INDEXED BY \w+"), ""),
    (re.compile(r"\browid\b"), "made"),
)
_NUMBERED = re.compile(r"\?(\d+)")
_PLAIN = re.compile(r"\?(?!\d)")
_DOLLAR = re.compile(r"\$(\d+)")


@cache
def dialect(statement: str) -> str:
    """``statement`` (SQLite's SQL) as PostgreSQL reads it."""
    text = statement
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    if _NUMBERED.search(text):
        if _PLAIN.search(text):
            raise ValueError(f"a statement mixes ? and ?N parameters: {statement}")
        return _NUMBERED.sub(r"$\1", text)
    number = itertools.count(1)
    return _PLAIN.sub(lambda _: f"${next(number)}", text)


@cache
def first_parameter_as(statement: str, expression: str) -> str:
    """``dialect(statement)`` with its first parameter replaced by ``expression`` (and
    the others numbered from 1 again): a row's first value filled in by the server."""
    text = dialect(statement)

    def renumber(found: re.Match[str]) -> str:
        number = int(found.group(1))
        return expression if number == 1 else f"${number - 1}"

    return _DOLLAR.sub(renumber, text)


@cache
def must_find(statement: str, rows: int, failure: str) -> str:
    """``dialect(statement)`` (an INSERT, UPDATE or DELETE) made to fail with the
    SQLSTATE ``failure`` unless it writes exactly ``rows`` rows.

    The check runs in the server, inside the transaction: the transaction is
    then rolled back there, so a commit needs no answer from the server before
    it sends the rest of its statements, and stays one round trip."""
    return (
        f"WITH written AS ({dialect(statement).strip()} RETURNING 1) "
        f"SELECT dt_expect(count(*), {int(rows)}, '{failure}') FROM written"
    )
