"""Who may act on Telegram: Telegram vouches for who is in the chat; tokens are of one kind.

Each test is an attack from the trust model (docs/reliability.md): an outsider in a
public group pressing or reacting, someone who left or was kicked acting privately, a
card's button token used as a deep link, and one member answering for another.
"""

from __future__ import annotations

from tests.fakes.telegram import FaultKind
from tests.telegram.conftest import World, joined

TEAM = "telegram:-100500"


async def members(world: World) -> list[str]:
    group = await world.running.app.group(TEAM)
    assert group is not None
    return [m.name for m in group.active_members()]


async def test_an_outsider_who_presses_a_card_button_is_refused_and_not_counted(
    world: World,
) -> None:
    await joined(world, "sam", "alex")
    await world.say(world.sam, "/propose Buy a new kettle\nin 3 days")
    outsider = world.tg.user(2001, "Otto")  # sees the public group, never joined it
    card = await world.card(1)
    asked_before = len(world.tg.calls_to("getChatMember"))

    popup = await world.press(outsider, card, "Object")
    assert popup.show_alert is True
    assert popup.text == (
        "Only people in this chat can take part in its decisions. Please join the chat first."
    )
    assert "Otto" not in await members(world)
    assert "✋ Object 0" in ((await world.card(1)).text or "")
    assert len(world.tg.calls_to("getChatMember")) == asked_before + 1

    # Pressing again is refused again, without asking Telegram again.
    await world.press(outsider, card, "Object")
    assert len(world.tg.calls_to("getChatMember")) == asked_before + 1


async def test_someone_telegram_says_is_in_the_chat_becomes_a_member_by_pressing(
    world: World,
) -> None:
    await joined(world, "sam")
    await world.say(world.sam, "/propose Buy a new kettle\nin 3 days")
    card = await world.card(1)
    popup = await world.press(world.jo, card, "Consent")  # Jo is in the chat, and silent so far
    assert popup.show_alert is False
    assert "Jo" in await members(world)
    assert "✅ Consent 1" in ((await world.card(1)).text or "")


async def test_a_reaction_from_someone_who_is_not_in_the_chat_is_not_counted(
    world: World,
) -> None:
    world.team.bot_status = "administrator"  # Telegram sends reactions to admins only
    await joined(world, "sam", "alex")
    await world.say(world.sam, "/propose Buy a new kettle\nin 3 days")
    card = await world.card(1)
    gone = world.tg.user(2002, "Gil")
    world.tg.set_member_status(world.team, gone, "left")
    world.tg.react(world.team, gone, card.message_id, ["👎"])
    await world.settled()
    assert "Gil" not in await members(world)
    assert "✋ Object 0" in ((await world.card(1)).text or "")
    # The same reaction from a member counts.
    world.tg.react(world.team, world.alex, card.message_id, ["👍"])
    await world.settled()
    assert "✅ Consent 1" in ((await world.card(1)).text or "")


async def test_someone_kicked_cannot_join_again_privately_or_act_there(world: World) -> None:
    await joined(world, "sam", "alex", "jo")
    await world.say(world.sam, "/propose Buy a new kettle\nin 3 days")
    world.tg.leave(world.team, world.jo, by=world.sam)  # kicked by an admin
    await world.settled()
    private = world.tg.private_chat(world.jo)
    world.tg.start_private(world.jo)
    await world.settled()
    before = world.last_id(private)

    await world.say(world.jo, "/join", chat=private)
    await world.say(world.jo, "/consent #1", chat=private)
    await world.say(world.jo, "/status", chat=private)
    answers = world.said(private, after=before)
    assert answers[0] == (
        "Please say join in the group's chat. I can only add people who are in it.\n\n"
        "Like this: join"
    )
    assert all(a.startswith("You left this group.") for a in answers[1:]), answers
    assert "Jo" not in await members(world)
    assert "✅ Consent 0" in ((await world.card(1)).text or "")


async def test_a_card_buttons_token_does_nothing_as_a_deep_link(world: World) -> None:
    await joined(world, "sam", "alex")
    await world.say(world.sam, "/propose Buy a new kettle\nin 3 days")
    card = await world.card(1)
    consent = next(b["callback_data"] for b in card.buttons if "Consent" in b["text"])
    private = world.tg.private_chat(world.alex)
    before = world.last_id(private)

    world.tg.start_private(world.alex, payload=consent)  # t.me/<bot>?start=<card token>
    await world.settled()
    assert "✅ Consent 0" in ((await world.card(1)).text or "")
    said = world.said(private, after=before)
    assert said and all("#1" not in text for text in said), said


async def test_a_deep_links_payload_does_nothing_as_a_button(world: World) -> None:
    await joined(world, "sam", "alex")
    await world.say(world.sam, "/propose Buy a new kettle\nin 3 days")
    card = await world.card(1)
    # The payload of a "get it privately" link (as the refused-file message carries).
    payload = await world.running.storage.action_token(TEAM, "mydata", "deep link")
    world.tg.start_private(world.alex, payload=payload)
    await world.settled()
    sent = world.tg.bot_messages(world.tg.private_chat(world.alex))
    assert any(m.document is not None and m.document.filename == "my-data.json" for m in sent)
    press = world.tg.press_button(world.team, world.alex, card.message_id, payload, strict=False)
    assert press.callback_query_id is not None
    popup = await world.tg.wait_for_answer(press.callback_query_id)
    await world.settled()
    assert popup.text == "This button no longer works. Please type the command instead."


async def test_one_member_cannot_answer_for_another_who_has_an_account(world: World) -> None:
    await joined(world, "sam", "alex", "jo")
    await world.say(world.sam, "/propose Buy a new kettle\nin 3 days")
    await world.say(world.alex, "/object #1 It is too loud for Mum")
    before = world.last_id()
    await world.say(world.jo, "/for @alex consent #1")
    assert world.said(after=before) == [
        "Alex is in the chat, so only Alex can answer. You could remind them."
    ]
    text = (await world.card(1)).text or ""
    assert "Alex — Object: It is too loud for Mum" in text and "recorded by" not in text


async def test_when_telegram_cannot_say_who_is_in_the_chat_the_press_waits_not_refused(
    world: World,
) -> None:
    await joined(world, "sam")
    await world.say(world.sam, "/propose Buy a new kettle\nin 3 days")
    world.tg.fail_next("getChatMember", FaultKind.SERVER_ERROR)
    popup = await world.press(world.jo, await world.card(1), "Consent")
    assert popup.show_alert is False  # handled again once Telegram answered
    assert "Jo" in await members(world)
    assert "✅ Consent 1" in ((await world.card(1)).text or "")
