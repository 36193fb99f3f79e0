"""Tests of the fake Telegram Bot API server, driven by the real python-telegram-bot client."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
import telegram
from aiohttp import web
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from tests.fakes.telegram import (
    MEMBER_STATUSES,
    FakeTelegram,
    FaultKind,
    RateLimits,
    Rule,
    fake_telegram,  # noqa: F401  (the fixture, used by name below)
)

# PTB warns on every RetryAfter it builds while ints are still the default for time periods.
pytestmark = pytest.mark.filterwarnings(
    "ignore:.*`retry_after` will be of type `datetime.timedelta`:DeprecationWarning"
)

# Requests held by a TIMEOUT fault outlast this client-side read timeout.
SHORT_READ_TIMEOUT = 0.5


def make_bot(tg: FakeTelegram, read_timeout: float = 5.0) -> telegram.Bot:
    return telegram.Bot(
        tg.token, base_url=tg.base_url, request=HTTPXRequest(read_timeout=read_timeout)
    )


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[telegram.Bot]:
    async with make_bot(tg) as client:
        yield client


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d.title(), callback_data=d) for d in data]])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- basics ------------------------------------------------------------------------------------


async def test_get_me_through_ptb(tg: FakeTelegram, bot: telegram.Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456789, "DecidingTogetherBot", True)
    assert me.can_join_groups is True
    assert tg.calls[0].method == "getMe" and tg.calls[0].ok


async def test_fixture_serves_the_bot_api(fake_telegram: FakeTelegram) -> None:  # noqa: F811
    async with make_bot(fake_telegram) as client:
        assert (await client.get_me()).username == "DecidingTogetherBot"


async def test_wrong_token_and_unknown_method(tg: FakeTelegram, bot: telegram.Bot) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{tg.base_url}999:wrong/getMe") as response:
            assert response.status == 401
            assert await response.json() == {
                "ok": False,
                "error_code": 401,
                "description": "Unauthorized",
            }
        async with http.post(f"{tg.base_url}{tg.token}/noSuchMethod") as response:
            assert response.status == 404
            assert (await response.json())["description"] == "Not Found"
    # PTB reads 401 as InvalidToken, and a 404 for a method as EndPointNotFound.
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("noSuchMethod")
    with pytest.raises(InvalidToken):
        await telegram.Bot("999:wrong", base_url=tg.base_url).get_me()


async def test_json_form_and_query_encodings_are_equivalent(tg: FakeTelegram) -> None:
    team = tg.group(-300, "Team")
    url = f"{tg.base_url}{tg.token}/sendMessage"
    markup = {"inline_keyboard": [[{"text": "Yes", "callback_data": "yes"}]]}
    async with aiohttp.ClientSession() as http:
        async with http.post(
            url, json={"chat_id": team.id, "text": "123", "reply_markup": markup}
        ) as response:
            assert (await response.json())["result"]["text"] == "123"
        form = {"chat_id": str(team.id), "text": "456", "reply_markup": json.dumps(markup)}
        async with http.post(url, data=form) as response:
            assert (await response.json())["result"]["reply_markup"] == markup
        async with http.get(url, params={"chat_id": str(team.id), "text": "789"}) as response:
            assert response.status == 200
    texts = [m.text for m in tg.bot_messages(team)]
    assert texts == ["123", "456", "789"]  # "123" stays a string, not a number
    assert tg.message(team, 2).inline_keyboard == markup["inline_keyboard"]


# -- messages ----------------------------------------------------------------------------------


async def test_send_press_answer_edit_round_trip(tg: FakeTelegram, bot: telegram.Bot) -> None:
    alice = tg.user(1001, "Alice", username="alice")
    team = tg.group(-100200, "Care team", supergroup=True)
    proposal = tg.send_text(team, alice, "/propose@DecidingTogetherBot Buy a kettle")
    assert proposal.message is not None

    sent = await bot.send_message(
        team.id,
        "<b>Proposal</b> by Alice &amp; co",
        parse_mode="HTML",
        reply_markup=keyboard("consent", "object"),
        reply_to_message_id=proposal.message.message_id,
    )
    assert sent.text == "Proposal by Alice & co"
    assert sent.entities[0].type == "bold" and sent.entities[0].length == len("Proposal")
    assert sent.reply_to_message.message_id == proposal.message.message_id
    assert sent.reply_markup == keyboard("consent", "object")
    assert sent.from_user.id == tg.bot.id

    press = tg.press_button(team, alice, sent.message_id, "object")
    updates = await bot.get_updates(timeout=1)
    assert updates[0].message.text.startswith("/propose")
    query = updates[-1].callback_query
    assert (query.data, query.from_user.id, query.message.message_id) == (
        "object",
        alice.id,
        sent.message_id,
    )
    assert query.id == press.callback_query_id

    await query.answer("Objection noted", show_alert=True)
    answer = tg.answer_for(press.callback_query_id)
    assert answer is not None and (answer.text, answer.show_alert) == ("Objection noted", True)
    with pytest.raises(BadRequest, match="Query is too old"):
        await query.answer("twice")

    edited = await bot.edit_message_text(
        "Proposal (1 objection)", team.id, sent.message_id, reply_markup=keyboard("consent")
    )
    assert edited.edit_date is not None
    stored = tg.message(team, sent.message_id)
    assert stored.text == "Proposal (1 objection)" and stored.callback_data == ["consent"]
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text(
            "Proposal (1 objection)", team.id, sent.message_id, reply_markup=keyboard("consent")
        )
    # Without reply_markup Telegram drops the inline keyboard.
    await bot.edit_message_text("Decided", team.id, sent.message_id)
    assert stored.inline_keyboard is None
    await bot.edit_message_reply_markup(team.id, sent.message_id, reply_markup=keyboard("undo"))
    assert [e.method for e in stored.edits] == [
        "editMessageText",
        "editMessageText",
        "editMessageReplyMarkup",
    ]
    assert stored.original_text == "Proposal by Alice & co"
    assert stored.edit_count == 3 and stored.edits[0].at <= stored.edits[-1].at

    assert await bot.delete_message(team.id, sent.message_id)
    assert stored.deleted and tg.bot_messages(team) == []
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(team.id, sent.message_id)


async def test_message_ids_increase_per_chat(tg: FakeTelegram, bot: telegram.Bot) -> None:
    alice = tg.user(1001, "Alice")
    one, two = tg.group(-1, "One"), tg.group(-2, "Two")
    tg.send_text(one, alice, "hi")
    first = await bot.send_message(one.id, "a")
    second = await bot.send_message(two.id, "b")
    third = await bot.send_message(one.id, "c")
    assert (first.message_id, second.message_id, third.message_id) == (2, 1, 3)


async def test_send_message_is_validated_like_telegram(tg: FakeTelegram, bot: telegram.Bot) -> None:
    team = tg.group(-5, "Team")
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(team.id, "x" * 4097)
    await bot.send_message(team.id, "x" * 4096)
    for bad_html in ("<b>open", "<b>x</i>", "line<br>break", "a </b>", "<p>para</p>"):
        with pytest.raises(BadRequest, match="Can't parse entities"):
            await bot.send_message(team.id, bad_html, parse_mode="HTML")
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(team.id, "vote", reply_markup=keyboard("x" * 65))
    await bot.send_message(team.id, "vote", reply_markup=keyboard("x" * 64))
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(team.id, "re", reply_to_message_id=999)
    force = await bot.send_message(team.id, "Your reason?", reply_markup=telegram.ForceReply())
    assert tg.message(team, force.message_id).reply_markup == {"force_reply": True}
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(-424242, "nobody here")


async def test_html_entities_count_utf16_units(tg: FakeTelegram, bot: telegram.Bot) -> None:
    alice = tg.user(1001, "Alice", "alice")
    team = tg.group(-5, "Team")
    sent = await bot.send_message(
        team.id,
        '👍 <b>Ja</b> <a href="https://example.org/?a=1&amp;b=2">link</a> '
        f'<a href="tg://user?id={alice.id}">Alice</a>',
        parse_mode="HTML",
    )
    assert sent.text == "👍 Ja link Alice"
    assert list(sent.parse_entities().values()) == ["Ja", "link", "Alice"]
    assert sent.entities[1].url == "https://example.org/?a=1&b=2"
    assert sent.entities[2].user.username == "alice"


async def test_people_edit_and_reply(tg: FakeTelegram, bot: telegram.Bot) -> None:
    alice = tg.user(1001, "Alice")
    team = tg.group(-5, "Team")
    question = await bot.send_message(team.id, "Any objections?")
    answer = tg.send_text(team, alice, "Nope", reply_to=question.message_id)
    assert answer.message is not None
    tg.edit_text(team, alice, answer.message.message_id, "Nope, none")
    first, edited = await bot.get_updates()
    assert first.message.reply_to_message.text == "Any objections?"
    assert first.message.reply_to_message.from_user.id == tg.bot.id
    assert edited.edited_message.text == "Nope, none" and edited.edited_message.edit_date


async def test_document_upload_keeps_name_and_bytes(tg: FakeTelegram, bot: telegram.Bot) -> None:
    team = tg.group(-5, "Team")
    payload = bytes(range(256)) * 10
    sent = await bot.send_document(team.id, payload, filename="minutes.bin", caption="Minutes")
    assert sent.document.file_name == "minutes.bin" and sent.document.file_size == len(payload)
    stored = tg.message(team, sent.message_id)
    assert stored.document is not None and stored.document.data == payload
    assert stored.caption == "Minutes"
    again = await bot.send_document(team.id, sent.document.file_id)
    assert again.document.file_id == sent.document.file_id


async def test_commands_by_scope_and_language(tg: FakeTelegram, bot: telegram.Bot) -> None:
    await bot.set_my_commands([("propose", "Propose something")])
    await bot.set_my_commands(
        [("propose", "Etwas vorschlagen")],
        scope=telegram.BotCommandScopeAllGroupChats(),
        language_code="de",
    )
    assert [c.description for c in await bot.get_my_commands()] == ["Propose something"]
    german = await bot.get_my_commands(
        scope=telegram.BotCommandScopeAllGroupChats(), language_code="de"
    )
    assert [c.command for c in german] == ["propose"]
    assert await bot.get_my_commands(language_code="fr") == ()
    assert tg.my_commands({"type": "all_group_chats"}, "de") == [
        {"command": "propose", "description": "Etwas vorschlagen"}
    ]
    with pytest.raises(BadRequest):
        await bot.set_my_commands([("Bad-Name", "x")])


async def test_chat_and_member_lookups_and_bot_reactions(
    tg: FakeTelegram, bot: telegram.Bot
) -> None:
    alice, bob = tg.user(1001, "Alice"), tg.user(1002, "Bob")
    team = tg.group(-7, "Team", members=[alice])
    tg.set_member_status(team, bob, "administrator")
    chat = await bot.get_chat(team.id)
    assert (chat.title, chat.type) == ("Team", "group")
    assert (await bot.get_chat_member(team.id, alice.id)).status == "member"
    assert (await bot.get_chat_member(team.id, bob.id)).status == "administrator"
    assert (await bot.get_chat_member(team.id, tg.bot.id)).status == "administrator"

    said = tg.send_text(team, alice, "I agree")
    assert said.message is not None
    await bot.set_message_reaction(team.id, said.message.message_id, "👍")
    assert said.message.bot_reaction == [{"type": "emoji", "emoji": "👍"}]
    with pytest.raises(BadRequest, match="Reaction_invalid"):
        await bot.set_message_reaction(team.id, said.message.message_id, "🦖")


@pytest.mark.parametrize("status", MEMBER_STATUSES)
async def test_every_member_status_de_jsons_in_ptb(
    tg: FakeTelegram, bot: telegram.Bot, status: str
) -> None:
    alice = tg.user(1001, "Alice")
    team = tg.group(-100500, "Team", supergroup=True)
    tg.set_member_status(team, alice, status)
    member = await bot.get_chat_member(team.id, alice.id)
    assert member.status == status and member.user.id == alice.id


async def test_close_and_log_out_are_accepted(bot: telegram.Bot) -> None:
    assert await bot.log_out() is True
    assert await bot.close() is True


# -- updates -----------------------------------------------------------------------------------


async def test_get_updates_offset_confirms(tg: FakeTelegram, bot: telegram.Bot) -> None:
    alice = tg.user(1001, "Alice")
    team = tg.group(-5, "Team")
    ids = [tg.send_text(team, alice, f"message {n}").update_id for n in range(3)]

    # Fetching does not remove anything: only a later offset confirms.
    assert [u.update_id for u in await bot.get_updates()] == ids
    assert [u.update_id for u in await bot.get_updates()] == ids
    assert [u.update_id for u in await bot.get_updates(limit=1)] == ids[:1]
    assert [u.update_id for u in await bot.get_updates(offset=ids[1])] == ids[1:]
    assert [u["update_id"] for u in tg.pending_updates] == ids[1:]
    # A negative offset keeps only the newest updates.
    assert [u.update_id for u in await bot.get_updates(offset=-1)] == ids[2:]
    assert await bot.get_updates(offset=ids[2] + 1) == ()
    assert tg.pending_updates == []


async def test_allowed_updates_default_and_persistence(tg: FakeTelegram, bot: telegram.Bot) -> None:
    alice, bob = tg.user(1001, "Alice"), tg.user(1002, "Bob")
    team = tg.group(-100300, "Team", supergroup=True)
    said = tg.send_text(team, alice, "hello")
    assert said.message is not None

    # By default Telegram leaves chat_member and message_reaction out, for good.
    reaction = tg.react(team, bob, said.message.message_id, ["👍"])
    joined = tg.join(team, bob)
    assert reaction.dropped == [reaction.update_id]
    assert joined.dropped == [joined.updates[1]["update_id"]]  # the chat_member half
    received = await bot.get_updates()
    assert [u.message.text for u in received] == ["hello", None]
    assert received[1].message.new_chat_members[0].id == bob.id

    # A given allowed_updates applies to updates created afterwards and persists.
    await bot.get_updates(offset=received[-1].update_id + 1, allowed_updates=Update.ALL_TYPES)
    assert tg.allowed_updates == list(Update.ALL_TYPES)
    reaction = tg.react(team, bob, said.message.message_id, ["🔥"])
    left = tg.leave(team, bob)
    updates = await bot.get_updates()  # no allowed_updates: the setting stays
    kinds = [u.effective_message is not None for u in updates]
    assert len(updates) == 3 and kinds == [False, True, False]
    changed = updates[0].message_reaction
    assert [r.emoji for r in changed.old_reaction] == ["👍"]
    assert [r.emoji for r in changed.new_reaction] == ["🔥"]
    assert updates[2].chat_member.new_chat_member.status == "left"
    assert left.message is not None and left.message.extra["left_chat_member"]["id"] == bob.id


async def test_long_poll_wakes_when_an_update_arrives(tg: FakeTelegram, bot: telegram.Bot) -> None:
    alice = tg.user(1001, "Alice")
    team = tg.group(-5, "Team")
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=20))
    await tg.wait_for(lambda: tg.calls_to("getUpdates"), what="the poll to arrive")
    await asyncio.sleep(0.1)
    assert not poll.done()
    tg.send_text(team, alice, "wake up")
    updates = await asyncio.wait_for(poll, 2)
    assert updates[0].message.text == "wake up"
    assert time.monotonic() - started < 2


async def test_a_newer_poll_ends_the_older_with_conflict(tg: FakeTelegram) -> None:
    async with make_bot(tg) as first, make_bot(tg) as second:
        old = asyncio.create_task(first.get_updates(timeout=20))
        await tg.wait_for(lambda: len(tg.calls_to("getUpdates")) == 1)
        assert await second.get_updates(timeout=0) == ()
        with pytest.raises(Conflict, match="terminated by other getUpdates"):
            await asyncio.wait_for(old, 2)


async def test_stop_releases_pending_long_polls_quickly() -> None:
    async with FakeTelegram() as tg:
        client = make_bot(tg)
        await client.initialize()
        poll = asyncio.create_task(client.get_updates(timeout=30))
        await tg.wait_for(lambda: tg.calls_to("getUpdates"))
        started = time.monotonic()
    assert await asyncio.wait_for(poll, 1) == ()
    assert time.monotonic() - started < 1
    await client.shutdown()


# -- people ------------------------------------------------------------------------------------


async def test_people_events_de_json_in_ptb(tg: FakeTelegram, bot: telegram.Bot) -> None:
    alice, carol = tg.user(1001, "Alice", "alice"), tg.user(1003, "Carol")
    team = tg.group(-100400, "Team", supergroup=True, bot_status="left")
    tg.start_private(alice, payload="join-100400")
    tg.bot_added(team, by=alice, status="administrator")
    tg.send_as_anonymous_admin(team, "From the admins")
    tg.automatic_forward(team, -100999, "Channel news", channel_title="News")
    tg.bot_removed(team, by=alice)
    updates = await bot.get_updates(allowed_updates=Update.ALL_TYPES)

    start = updates[0].message
    assert start.text == "/start join-100400" and start.chat.type == "private"
    assert start.entities[0].type == "bot_command" and start.entities[0].length == 6
    assert updates[1].my_chat_member.new_chat_member.status == "administrator"
    assert updates[2].message.new_chat_members[0].id == tg.bot.id
    anonymous = updates[3].message
    assert anonymous.from_user.id == 1087968824 and anonymous.sender_chat.id == team.id
    forward = updates[4].message
    assert forward.from_user.id == 777000 and forward.is_automatic_forward
    assert forward.sender_chat.title == "News"
    assert updates[5].my_chat_member.new_chat_member.status == "left"
    assert len(updates) == 6

    with pytest.raises(Forbidden, match="not a member of the supergroup"):
        await bot.send_message(team.id, "still here?")
    with pytest.raises(Forbidden, match="can't initiate conversation"):
        await bot.send_message(carol.id, "hello stranger")
    assert (await bot.send_message(alice.id, "welcome")).chat.id == alice.id
    blocked = tg.block_bot(alice)
    (as_ptb,) = blocked.ptb_updates()
    assert as_ptb.my_chat_member.new_chat_member.status == "kicked"
    with pytest.raises(Forbidden, match="blocked by the user"):
        await bot.send_message(alice.id, "hello again")


async def test_migrate_to_supergroup(tg: FakeTelegram, bot: telegram.Bot) -> None:
    alice = tg.user(1001, "Alice")
    old = tg.group(-4242, "Team")
    moved = tg.migrate_to_supergroup(old, by=alice)
    new_id = moved.messages[1].chat.id
    updates = await bot.get_updates()
    assert updates[0].message.migrate_to_chat_id == new_id
    assert updates[1].message.migrate_from_chat_id == old.id
    assert updates[1].message.chat.type == "supergroup"
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(old.id, "anyone?")
    assert caught.value.new_chat_id == new_id
    assert (await bot.send_message(new_id, "here")).chat.id == new_id


async def test_privacy_mode_hides_plain_group_chatter() -> None:
    async with FakeTelegram(privacy_mode=True) as tg, make_bot(tg) as client:
        alice = tg.user(1001, "Alice")
        team = tg.group(-5, "Team", bot_status="member")
        reply_target = await client.send_message(team.id, "Any objections?")
        chatter = tg.send_text(team, alice, "just chatting")
        command = tg.send_text(team, alice, "/object too expensive")
        reply = tg.send_text(team, alice, "yes, cost", reply_to=reply_target.message_id)
        other_bot = tg.send_text(team, alice, "/start@SomeOtherBot")
        assert not chatter.delivered and not other_bot.delivered
        assert command.delivered and reply.delivered
        assert [u.message.text for u in await client.get_updates()] == [
            "/object too expensive",
            "yes, cost",
        ]


# -- webhooks ----------------------------------------------------------------------------------


class Receiver:
    """A minimal webhook endpoint that checks the secret header like PTB's does."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.received: list[dict] = []
        self.refused = 0

    async def handle(self, request: web.Request) -> web.Response:
        if request.headers.get("X-Telegram-Bot-Api-Secret-Token") != self.secret:
            self.refused += 1
            return web.Response(status=403)
        self.received.append(await request.json())
        return web.Response(status=200)


async def test_webhook_delivers_with_secret_and_retries_refusals(
    tg: FakeTelegram, bot: telegram.Bot
) -> None:
    alice = tg.user(1001, "Alice")
    team = tg.group(-5, "Team")
    receiver = Receiver(secret="right")
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="wrong")
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates()
        first = tg.send_text(team, alice, "first")
        await tg.wait_for(lambda: receiver.refused >= 2, what="retries")
        info = await bot.get_webhook_info()
        assert info.pending_update_count == 1
        assert info.last_error_message == "Wrong response from the webhook: 403 Forbidden"
        assert all(a.update_id == first.update_id for a in tg.webhook_attempts)

        await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="right")
        tg.send_text(team, alice, "second")
        await tg.wait_until_consumed()
        assert [u["message"]["text"] for u in receiver.received] == ["first", "second"]
        assert tg.webhook_attempts[-1].accepted

        await bot.delete_webhook()
        tg.send_text(team, alice, "third")
        assert [u.message.text for u in await bot.get_updates()] == ["third"]
    finally:
        await runner.cleanup()


# -- faults and limits -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        (FaultKind.RETRY_AFTER, RetryAfter),
        (FaultKind.SERVER_ERROR, NetworkError),
        (FaultKind.BAD_GATEWAY, NetworkError),
        (FaultKind.TIMEOUT, TimedOut),
        (FaultKind.DROP, NetworkError),
    ],
)
async def test_forced_faults_surface_as_ptb_errors(
    tg: FakeTelegram, kind: FaultKind, error: type[Exception]
) -> None:
    team = tg.group(-5, "Team")
    tg.fail_next("sendMessage", kind, retry_after=3)
    async with make_bot(tg, read_timeout=SHORT_READ_TIMEOUT) as client:
        with pytest.raises(error) as caught:
            await client.send_message(team.id, "lost")
        if kind is FaultKind.RETRY_AFTER:
            assert caught.value.retry_after == 3
        assert tg.bot_messages(team) == []  # the fault came before any effect
        sent = await client.send_message(team.id, "next one works")
    assert sent.text == "next one works"
    assert [c.fault for c in tg.calls_to("sendMessage")] == [kind, None]
    tg.user(1001, "Alice")
    tg.send_text(team, 1001, "faults never touch the test-side API")


async def test_fault_after_processing_sends_but_loses_the_answer(tg: FakeTelegram) -> None:
    team = tg.group(-5, "Team")
    tg.fail_next("sendMessage", "drop", after_processing=True)
    async with make_bot(tg) as client:
        with pytest.raises(NetworkError):
            await client.send_message(team.id, "did it arrive?")
    assert [m.text for m in tg.bot_messages(team)] == ["did it arrive?"]


async def test_random_faults_are_reproducible_with_a_seed() -> None:
    outcomes: list[list[str]] = []
    for _ in range(2):
        async with FakeTelegram() as tg, make_bot(tg) as client:
            team = tg.group(-5, "Team")
            tg.faults(rate=0.5, kinds=["429", "500"], seed=7, methods=["sendMessage"])
            run = []
            for n in range(12):
                try:
                    await client.send_message(team.id, str(n))
                    run.append("ok")
                except (RetryAfter, NetworkError) as caught:
                    run.append(type(caught).__name__)
            outcomes.append(run)
    assert outcomes[0] == outcomes[1]
    assert {"ok", "RetryAfter", "NetworkError"} <= set(outcomes[0])


async def test_limits_mode_answers_429_with_retry_after() -> None:
    # A shorter per-chat window than Telegram's 1 s keeps the test fast.
    limits = RateLimits(per_chat=Rule(1, 0.2), per_group=Rule(3, 60.0))
    async with FakeTelegram(enforce_limits=True, limits=limits) as tg, make_bot(tg) as client:
        alice = tg.user(1001, "Alice")
        tg.start_private(alice)
        team = tg.group(-5, "Team")
        await client.send_message(team.id, "one")
        with pytest.raises(RetryAfter) as per_chat:
            await client.send_message(team.id, "two, too soon")
        assert per_chat.value.retry_after == 1
        await client.send_message(alice.id, "another chat is fine")

        await asyncio.sleep(0.25)
        await client.send_message(team.id, "two")
        await asyncio.sleep(0.25)
        await client.send_message(team.id, "three")
        await asyncio.sleep(0.25)
        with pytest.raises(RetryAfter) as per_group:
            await client.send_message(team.id, "four in a minute")
        assert 50 <= per_group.value.retry_after <= 60
    assert tg.rate_limited_count == 2
    assert [c.status for c in tg.calls_to("sendMessage")].count(429) == 2


# -- python-telegram-bot's Application -----------------------------------------------------------


async def test_application_long_polling_receives_text_and_button(tg: FakeTelegram) -> None:
    alice = tg.user(1001, "Alice")
    team = tg.group(-5, "Team")
    seen: list[str] = []

    async def on_propose(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(update.effective_message.text)
        await update.effective_message.reply_text("Vote:", reply_markup=keyboard("yes"))

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(update.callback_query.data)
        await update.callback_query.answer("Thanks")

    async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(update.effective_message.text)

    app = Application.builder().token(tg.token).base_url(tg.base_url).build()
    app.add_handler(CommandHandler("propose", on_propose))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=10, allowed_updates=Update.ALL_TYPES)
    try:
        tg.send_text(team, alice, "good morning")
        command = tg.send_text(team, alice, "/propose new kettle")
        assert command.message is not None
        vote = await tg.wait_for_bot_message(team)
        assert vote.reply_to is command.message
        press = tg.press_button(team, alice, vote.message_id, "yes")
        answer = await tg.wait_for_answer(press.callback_query_id)
        assert answer.text == "Thanks"
        assert seen == ["good morning", "/propose new kettle", "yes"]
    finally:
        started = time.monotonic()
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        assert time.monotonic() - started < 2
    # PTB deletes any webhook before polling, sends allowed_updates with every poll, and
    # confirms the last offset with one more short poll when stopping.
    assert tg.calls_to("deleteWebhook")
    polls = tg.calls_to("getUpdates")
    assert all(p.params["allowed_updates"] == list(Update.ALL_TYPES) for p in polls)
    assert polls[0].params["offset"] == 0 and polls[-1].params["timeout"] == 0
    assert tg.pending_updates == []


async def test_application_webhook_receives_updates(tg: FakeTelegram) -> None:
    alice = tg.user(1001, "Alice")
    team = tg.group(-5, "Team")
    texts: list[str] = []

    async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        texts.append(update.effective_message.text)

    app = Application.builder().token(tg.token).base_url(tg.base_url).build()
    app.add_handler(MessageHandler(filters.TEXT, on_text))
    port = free_port()
    await app.initialize()
    await app.start()
    await app.updater.start_webhook(
        listen="127.0.0.1",
        port=port,
        url_path="telegram",
        webhook_url=f"http://127.0.0.1:{port}/telegram",
        secret_token="s3cret",
        allowed_updates=Update.ALL_TYPES,
    )
    try:
        assert tg.webhook_url == f"http://127.0.0.1:{port}/telegram"
        tg.send_text(team, alice, "via webhook")
        await tg.wait_for(lambda: texts, what="the handler")
        assert texts == ["via webhook"]
        assert tg.webhook_attempts[-1].status == 200
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
