"""Button data is never trusted: ten thousand presses of anything, through the adapter's lookup.

A button's callback data is an opaque token that the Telegram adapter looks up
in storage. Anyone can send any callback data (a modified client, a replayed
press, a button copied from another group's card). Each target below makes ten
thousand presses, each from a seed Hypothesis draws, by made-up people in
made-up places, and puts them through the real
:class:`~adapters.telegram.gestures.Gestures`, application and storage:

* nothing raises, and every press is answered exactly once;
* data that is no token (any text, a guess, a real token changed a little) is
  answered with the adapter's own clear words, as an alert, and never reaches
  the application;
* a real token pressed in another group's chat is ignored and said so; pressed
  again as an update seen before, it changes nothing; pressed anywhere by
  anyone, it changes its own group at most, a private press teaches the group
  nobody new, and a refusal is an alert that says why, in a pop-up's length.

Only Telegram's own object building is skipped: the presses are made as
python-telegram-bot objects directly, not parsed from HTTP (the fake server's
round trip is covered in ``tests/telegram/test_safety.py``).
"""

from __future__ import annotations

import asyncio
import itertools
import random
import string
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram import (
    CallbackQuery,
    Chat,
    ChatMember,
    ChatMemberLeft,
    ChatMemberMember,
    Message,
    User,
)

from adapters.telegram import texts
from adapters.telegram.gestures import POPUP_LIMIT, Gestures
from adapters.telegram.memory import Memory
from adapters.telegram.vouching import Vouching
from bot.app import Application, ManualClock, Submitted
from bot.core.commands import Actor
from bot.core.model import Group
from storage.sqlite import SqliteStorage
from tests.harness import START

EXAMPLES = 10_000
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same ten thousand presses on every run
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

OURS, THEIRS = -100500, -100777
GROUPS = {OURS: f"telegram:{OURS}", THEIRS: f"telegram:{THEIRS}"}
SAM, ALEX, DANA = 1001, 1002, 2001  # Sam and Alex in our group, Dana in theirs
STRANGER, ANONYMOUS_ADMIN = 3001, 1087968824
PEOPLE = {SAM: "Sam", ALEX: "Alex", DANA: "Dana", STRANGER: "Stranger", ANONYMOUS_ADMIN: "Group"}
# Who Telegram says is in each group's chat: the stranger is in ours, but not in theirs.
IN_THE_CHAT = {(OURS, SAM), (OURS, ALEX), (OURS, STRANGER), (THEIRS, DANA)}
# Typed commands that buttons stand for: responses, questions, reminders, and for #2,
# which is closed, responses that must be refused.
COMMANDS = ("consent #1", "object #1", "concern #1", "ask #1", "reminders on", "consent #2")


@dataclass
class Answer:
    query: str
    text: str | None
    alert: bool


@dataclass
class PopUps:
    """Stands in for the Bot: a press uses ``answer_callback_query``, and asks
    ``get_chat_member`` about someone the group does not count yet."""

    answers: dict[str, list[Answer]] = field(default_factory=dict)

    async def get_chat_member(self, chat_id: int, user_id: int) -> ChatMember:
        person = User(user_id, PEOPLE.get(user_id, "Someone"), is_bot=False)
        if (chat_id, user_id) in IN_THE_CHAT:
            return ChatMemberMember(person)
        return ChatMemberLeft(person)

    async def answer_callback_query(
        self, callback_query_id: str, text: str | None = None, show_alert: bool = False
    ) -> bool:
        answer = Answer(callback_query_id, text, show_alert)
        self.answers.setdefault(callback_query_id, []).append(answer)
        return True


@dataclass(repr=False)
class Presses:
    """Two care teams on one database, and the adapter's button handling in front of them."""

    loop: asyncio.AbstractEventLoop
    storage: SqliteStorage
    app: Application
    gestures: Gestures
    popups: PopUps
    tokens: dict[str, str]  # token -> group id
    asked: list[Submitted] = field(default_factory=list)  # what the application was asked
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        submit = self.app.submit

        async def counted(**request: Any) -> Submitted:
            submitted = await submit(**request)
            self.asked.append(submitted)
            return submitted

        self.app.submit = counted  # type: ignore[method-assign]

    def __repr__(self) -> str:
        return "two care teams and their buttons"

    def states(self) -> dict[str, Group]:
        """Each group as the application holds it: a new object after every change."""
        found = {g: self.loop.run_until_complete(self.app.group(g)) for g in GROUPS.values()}
        return {g: group for g, group in found.items() if group is not None}

    def press(self, data: str, user: int, chat: int | None, key: str | None = None) -> Answer:
        """Press a button with ``data`` under a message in ``chat`` (None: no message)."""
        number = str(next(self.ids))
        person = User(user, PEOPLE[user], is_bot=False)
        message = None
        if chat is not None:
            place = Chat(chat, Chat.PRIVATE if chat > 0 else Chat.SUPERGROUP)
            message = Message(77, datetime(2026, 12, 7, tzinfo=UTC), place)
        query = CallbackQuery(number, person, "instance", message=message, data=data)
        self.loop.run_until_complete(self.gestures.press(query, key or f"telegram:update:{number}"))
        answered = self.popups.answers.get(number, [])
        assert len(answered) == 1, f"{len(answered)} answers to one press"
        return answered[0]


@pytest.fixture(scope="module")
def presses() -> Iterator[Presses]:
    """Built once for the module: the examples keep adding to the same record, as a real
    group's would."""
    # One loop for every press, driven by hand: an asyncio.Runner would reinstall its
    # signal handling on every run, which costs more than the press.
    loop = asyncio.new_event_loop()
    # SQLite in memory: what is fuzzed is the lookup, not the disk (tests/storage has that).
    storage = loop.run_until_complete(SqliteStorage.open(":memory:"))
    app = Application(storage=storage, clock=ManualClock(START))

    async def two_teams() -> dict[str, str]:
        for chat, user in ((OURS, SAM), (OURS, ALEX), (THEIRS, DANA)):
            actor = Actor(f"telegram:{user}", PEOPLE[user])
            await app.submit(chat=GROUPS[chat], actor=actor, text="join")
        for chat, user in ((OURS, SAM), (THEIRS, DANA)):
            actor = Actor(f"telegram:{user}", PEOPLE[user])
            for text in ("propose Paint the hall\nin 3 days", "propose Buy a kettle\nin 3 days"):
                await app.submit(chat=GROUPS[chat], actor=actor, text=text)
            await app.submit(chat=GROUPS[chat], actor=actor, text="withdraw #2")
        return {
            await storage.action_token(group, command): group
            for group in GROUPS.values()
            for command in COMMANDS
        }

    tokens = loop.run_until_complete(two_teams())
    popups = PopUps()
    gestures = Gestures(
        app,
        popups,  # type: ignore[arg-type]
        Memory(app),
        Vouching(app, popups),  # type: ignore[arg-type]
    )
    try:
        yield Presses(loop, storage, app, gestures, popups, tokens)
    finally:
        loop.run_until_complete(storage.close())
        loop.close()


def refused_by_the_adapter(answer: Answer) -> bool:
    unknown = texts.say(texts.UNKNOWN_BUTTON)
    other = texts.say(texts.OTHER_GROUP_BUTTON)
    return answer.alert and answer.text in (unknown, other)


def check_clear(answer: Answer) -> None:
    """An answer a person can read: short enough for a pop-up; a refusal says why."""
    assert answer.text is None or 0 < len(answer.text) <= POPUP_LIMIT
    if answer.alert:
        assert answer.text and answer.text.strip()
        assert "Traceback" not in answer.text and "Error" not in answer.text


# -- what is pressed, and by whom, where ------------------------------------------------------
#
# Hypothesis draws only a seed per press, and the press is made from it, as in
# tests/core/test_language.py: ten thousand presses then cost little more than the
# presses themselves, and a failing one is shown in full.

PLACES = (OURS, THEIRS, SAM, ALEX, DANA, STRANGER, None)  # None: a message Telegram lost
TOKEN_CHARACTERS = string.ascii_letters + string.digits + "-_"
ODD_CHARACTERS = "\x00\n\t #@/\\%<>&\"'é漢字👍🏽\u200d\ufeff"


def someone_somewhere(pick: random.Random) -> tuple[int, int | None]:
    return pick.choice(sorted(PEOPLE)), pick.choice(PLACES)


def made_up(pick: random.Random, tokens: list[str]) -> str:
    """Callback data that is no token: any text, a token-shaped guess, or a real token
    with a character changed, added or taken away."""
    kind = pick.randrange(4)
    if kind == 0:  # any text at all, up to Telegram's 64 bytes and beyond
        alphabet = [chr(pick.randrange(0x20, 0x3000)) for _ in range(8)] + list(ODD_CHARACTERS)
        return "".join(pick.choice(alphabet) for _ in range(pick.randrange(0, 90)))
    if kind == 1:  # shaped like a token
        return "".join(pick.choice(TOKEN_CHARACTERS) for _ in range(pick.randrange(1, 65)))
    real = pick.choice(tokens)
    at = pick.randrange(len(real))
    if kind == 2:
        return real[:at] + pick.choice(TOKEN_CHARACTERS) + real[at + 1 :]
    return real[:at] + real[at + 1 :] if pick.random() < 0.5 else real + pick.choice("=_ ")


SEEDS = st.integers(0, 2**64)


@FUZZ
@given(seed=SEEDS)
def test_any_text_or_forged_token_as_button_data_is_refused_clearly_and_changes_nothing(
    presses: Presses, seed: int
) -> None:
    pick = random.Random(seed)
    data = made_up(pick, sorted(presses.tokens))
    user, chat = someone_somewhere(pick)
    if data in presses.tokens:
        return  # a forgery that happened to give back a real token
    asked = len(presses.asked)
    answer = presses.press(data, user, chat)
    assert answer.alert and answer.text == texts.say(texts.UNKNOWN_BUTTON)
    assert len(presses.asked) == asked  # the application never heard of it


@FUZZ
@given(seed=SEEDS)
def test_real_tokens_anywhere_by_anyone_act_only_where_they_belong(
    presses: Presses, seed: int
) -> None:
    pick = random.Random(seed)
    token = pick.choice(sorted(presses.tokens))
    user, chat = someone_somewhere(pick)
    home = presses.tokens[token]
    before, asked = presses.states(), len(presses.asked)
    # One press in three comes again as an update seen before (when one of its key was).
    replay = pick.randrange(100) if pick.random() < 1 / 3 else None
    key = f"telegram:update:replay-{replay}" if replay is not None else None
    answer = presses.press(token, user, chat, key)
    after = presses.states()
    check_clear(answer)
    if chat is None:
        assert refused_by_the_adapter(answer)
    elif chat < 0 and GROUPS[chat] != home:
        # Another group's button, copied into this chat: ignored, and said so.
        assert answer.text == texts.say(texts.OTHER_GROUP_BUTTON)
    if refused_by_the_adapter(answer):
        assert len(presses.asked) == asked  # the application never heard of it
    elif presses.asked[-1].duplicate:
        assert after == before and answer.text is None  # a repeat: nothing, silently
    # Whatever happened, it happened to the button's own group only.
    assert all(after[group] is before[group] for group in GROUPS.values() if group != home)
    if chat is not None and (chat > 0 or (chat, user) not in IN_THE_CHAT):
        # Privately, a button teaches the group nobody new: only the group's chat can,
        # and there only someone Telegram says is in it.
        assert after[home].members.keys() == before[home].members.keys()
