"""Text beyond a platform's limits is split, shortened, or refused politely; never lost in a 400.

Telegram takes at most 4096 characters a message (counted in UTF-16, so an
emoji counts twice); a Matrix event at most 64 KiB. The core refuses what no
message should hold (a 300-character title) with a sentence that says the
limit; the Telegram adapter splits long answers and shortens a card, which
must stay one message to be edited.
"""

from __future__ import annotations

import json

import pytest

from adapters.matrix import render as matrix
from bot.core import commands as c
from bot.core.cards import card
from tests.core.conversation import Conversation
from tests.fakes.telegram import utf16_len
from tests.telegram.conftest import World, joined

TELEGRAM_LIMIT = 4096
MATRIX_EVENT_LIMIT = 65_536

# Each line a different sentence, so that any part lost in a split would be missed.
LONG_DETAILS = "\n".join(
    f"Line {n}: the morning visit, the kettle and the hoist. 👍" for n in range(45)
)
LONG_REASON = " ".join(f"Reason {n}: it is loud early in the morning." for n in range(21))


async def test_a_card_too_long_for_one_message_is_shortened_and_show_gives_all_of_it(
    world: World,
) -> None:
    await joined(world, "sam", "alex", "jo")
    await world.say(world.sam, f"/propose Buy a new kettle\n{LONG_DETAILS}\nin 3 days")
    await world.say(world.alex, f"/object #1 {LONG_REASON}")
    await world.say(world.jo, f"/concern #1 {LONG_REASON.replace('loud', 'hot')}")
    card = await world.card(1)
    assert utf16_len(card.text or "") <= TELEGRAM_LIMIT
    assert "This is shortened to fit" in (card.text or "") and card.buttons

    before = world.last_id()
    await world.say(world.alex, "/show #1")
    parts = world.said(after=before)
    assert len(parts) >= 2 and all(utf16_len(part) <= TELEGRAM_LIMIT for part in parts)
    shown = "\n".join(parts)
    assert all(line in shown for line in LONG_DETAILS.splitlines())
    assert LONG_REASON in shown.replace("\n", " ")
    # Every call the bot made was taken: nothing bounced off Telegram's limit.
    sends = world.tg.calls_to("sendMessage") + world.tg.calls_to("editMessageText")
    assert all(call.ok for call in sends)


def refusal(action: c.Action) -> str:
    conv = Conversation()
    conv.by("Sam", c.Join())
    conv.by("Sam", c.Propose("Buy a kettle"))
    before = conv.group
    decision = conv.by("Sam", action)
    assert decision.refused and conv.group is before
    return conv.last_text()


@pytest.mark.parametrize(
    ("action", "limit"),
    [
        (c.Propose("x" * 201), "200"),
        (c.Respond(1, "object", reason="x" * 1001), "1000"),
        (c.Ask(1, "x" * 1001), "1000"),
        (c.AnswerQuestion(1, "x" * 1001), "1000"),
        (c.AddPerson("x" * 61), "60"),
    ],
    ids=["title", "reason", "question", "answer", "name"],
)
def test_words_beyond_what_a_message_should_hold_are_refused_with_the_limit(
    action: c.Action, limit: str
) -> None:
    said = refusal(action)
    assert limit in said and "Please" in said


def test_a_card_with_many_long_reasons_fits_in_a_matrix_event() -> None:
    conv = Conversation()
    people = [f"Opiekun{n}" for n in range(14)]  # a Polish-speaking team of fourteen
    for name in people:
        conv.by(name, c.Join())
    details = "Stary czajnik przecieka i jest za głośny rano. " * 60
    conv.by(people[0], c.Propose("Kupujemy nowy czajnik", details.strip()))
    reason = "Zażółć gęślą jaźń: to będzie za głośno o świcie. " * 19
    for name in people[1:]:
        conv.by(name, c.Respond(1, "concern", reason=reason.strip()))
    latest = card(conv.group, conv.proposal(1), conv.now)  # as the last edit draws it
    content = matrix.edit("$card", matrix.render(latest, card=True))
    assert len(json.dumps(content, ensure_ascii=False).encode()) <= MATRIX_EVENT_LIMIT
