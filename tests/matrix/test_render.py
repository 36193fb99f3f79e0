"""The Matrix adapter's pure parts, without a homeserver: rendering, reading, refusals."""

from __future__ import annotations

from types import SimpleNamespace

import nio
import pytest

from adapters.matrix import render
from adapters.matrix.events import normalise_emoji, strip_reply_fallback
from adapters.matrix.send import RoomForbidden, refusal
from adapters.matrix.settings import inviter_allowed
from adapters.matrix.sync import after_own_join
from bot.app import DeliveryFailed
from bot.core.document import Action, Document, Mention, Strong, bullets, heading, para

CARD = Document(
    (
        heading(Strong("Proposal #7: Move <b>visits</b> & more")),
        para("Details\non two lines"),
        bullets(["Jo — object: 5 < 6"]),
        para(
            "Still to respond: ",
            Mention("Sam", "matrix:@sam:example.org"),
            ", ",
            Mention("Mum"),
            ", ",
            Mention("Tg", "telegram:42"),
        ),
    ),
    (
        Action("✅ Consent", "consent #7"),
        Action("🟡 Concern", "concern #7"),
        Action("✋ Object", "object #7"),
        Action("❓ Question", "ask #7"),
    ),
)


def test_people_s_text_is_escaped_and_kept_in_the_plain_body() -> None:
    content = render.render(CARD, card=True)

    html = content["formatted_body"]
    assert (
        "<h3><strong>Proposal #7: Move &lt;b&gt;visits&lt;/b&gt; &amp; more</strong></h3>" in html
    )
    assert "<p>Details<br>on two lines</p>" in html
    assert "<ul><li>Jo — object: 5 &lt; 6</li></ul>" in html
    assert content["format"] == "org.matrix.custom.html"
    assert content["msgtype"] == "m.text"
    assert content["body"].startswith("Proposal #7: Move <b>visits</b> & more\nDetails\n")
    assert "• Jo — object: 5 < 6" in content["body"]


def test_only_matrix_members_are_mentioned_and_never_the_room() -> None:
    content = render.render(CARD, card=True)

    assert content["m.mentions"] == {"user_ids": ["@sam:example.org"]}
    assert '<a href="https://matrix.to/#/@sam:example.org">Sam</a>' in content["formatted_body"]
    assert "Still to respond: Sam, Mum, Tg" in content["body"]


def test_a_person_on_both_apps_is_mentioned_by_their_matrix_account() -> None:
    # Jo used Telegram last, so her Telegram account comes first; Matrix pings her here.
    jo = Mention("Jo", "telegram:1003", ("matrix:@jo:example.org",))
    content = render.render(Document((para("Still to respond: ", jo),)))
    assert content["m.mentions"] == {"user_ids": ["@jo:example.org"]}
    assert '<a href="https://matrix.to/#/@jo:example.org">Jo</a>' in content["formatted_body"]


def test_actions_become_typed_commands_and_a_card_names_its_reactions() -> None:
    card = render.render(CARD, card=True)
    other = render.render(CARD)

    assert "React to this message with ✅ 🟡 ✋, or type:" in card["body"]
    assert "✅ Consent: !consent #7 · 🟡 Concern: !concern #7" in card["body"]
    assert "❓ Question: !ask #7" in card["body"]
    assert "<code>!object #7</code>" in card["formatted_body"]
    assert "React" not in other["body"] and "Type: ✅ Consent: !consent #7" in other["body"]


def test_poll_options_are_offered_as_keycap_reactions_but_if_need_be_is_typed() -> None:
    poll = Document(
        (para("Time poll"),),
        (
            Action("✅ Option 1 suits me", "vote #3 1"),
            Action("🟡 Option 1 if need be", "vote #3 maybe 1"),
            Action("✅ Option 2 suits me", "vote #3 2"),
        ),
    )

    body = render.render(poll, card=True)["body"]
    assert "React to this message with 1\ufe0f\u20e3 2\ufe0f\u20e3, or type:" in body
    assert "!vote #3 maybe 1" in body
    assert render.keycap_option("2\u20e3") == 2 and render.keycap_option("✅") is None


def test_an_edit_replaces_the_card_and_pings_nobody_again() -> None:
    content = render.render(CARD, card=True)
    edit = render.edit("$card", content)

    assert edit["m.relates_to"] == {"rel_type": "m.replace", "event_id": "$card"}
    assert edit["m.new_content"] == content
    assert edit["body"] == "* " + content["body"]
    assert edit["formatted_body"].startswith("* <h3>")
    assert edit["m.mentions"] == {}


def test_a_prompt_in_a_thread_falls_back_to_a_reply_to_the_card() -> None:
    content = render.in_thread({"body": "why?"}, "$card")

    assert content["m.relates_to"] == {
        "rel_type": "m.thread",
        "event_id": "$card",
        "is_falling_back": True,
        "m.in_reply_to": {"event_id": "$card"},
    }


def test_the_person_asked_is_mentioned_by_their_name() -> None:
    asked = Document((para("Jo, please say why (object) for #7."),))

    mentioned = render.with_mention(asked, "Jo", "matrix:@jo:x")
    prefixed = render.with_mention(Document((para("Hello."),)), "Jo", "matrix:@jo:x")

    assert mentioned.blocks[0] == para(
        Mention("Jo", "matrix:@jo:x"), ", please say why (object) for #7."
    )
    assert prefixed.blocks[0] == para(Mention("Jo", "matrix:@jo:x"), ":")
    assert render.render(prefixed)["m.mentions"] == {"user_ids": ["@jo:x"]}


@pytest.mark.parametrize(
    ("inviter", "allowed"),
    [
        ("@sam:example.org", True),
        ("@jo:example.org", True),
        ("@jo:Example.ORG", True),
        ("@mallory:evil.example", False),
        ("@sam:example.org.evil", False),
        ("@other:care.example", True),
        ("", False),
    ],
)
def test_invites_are_accepted_from_listed_people_and_servers(inviter: str, allowed: bool) -> None:
    entries = ("@sam:example.org", ":example.org", "care.example")

    assert inviter_allowed(entries, inviter) is allowed
    assert inviter_allowed(("@sam:example.org",), "@jo:example.org") is False


def test_reply_fallbacks_and_emoji_variants_are_read_as_meant() -> None:
    assert strip_reply_fallback("> <@bot:x> Proposal #1\n> more\n\nconsent") == "consent"
    assert strip_reply_fallback("consent") == "consent"
    assert normalise_emoji("✋️") == "✋"
    assert normalise_emoji("✋🏽") == "✋"
    assert normalise_emoji("✅") == "✅"


def _error(
    code: str,
    message: str = "",
    retry_after_ms: int | None = None,
    headers: dict[str, str] | None = None,
) -> nio.RoomSendError:
    error = nio.RoomSendError(message, code, retry_after_ms)
    error.transport_response = SimpleNamespace(headers=headers or {})
    return error


def test_rate_limits_say_how_long_to_wait() -> None:
    limited = refusal(_error("M_LIMIT_EXCEEDED", "Too many", 2500), "!r", "sending")
    by_header = refusal(
        _error("M_LIMIT_EXCEEDED", "Too many", None, {"Retry-After": "7"}), "!r", "sending"
    )

    assert isinstance(limited, DeliveryFailed) and limited.retry_after == 2.5
    assert isinstance(by_header, DeliveryFailed) and by_header.retry_after == 7


def test_forbidden_is_undeliverable_and_says_whether_the_bot_is_in_the_room() -> None:
    gone = refusal(_error("M_FORBIDDEN", "User @bot:x not in room !r"), "!r", "sending")
    muted = refusal(_error("M_FORBIDDEN", "You don't have permission to post"), "!r", "sending")
    other = refusal(_error("M_UNKNOWN", "Internal server error"), "!r", "sending")

    assert isinstance(gone, RoomForbidden) and gone.not_in_room
    assert isinstance(muted, RoomForbidden) and not muted.not_in_room
    assert isinstance(other, DeliveryFailed) and other.retry_after is None


def _member(user: str, membership: str, before: str | None) -> nio.RoomMemberEvent:
    unsigned = {"prev_content": {"membership": before}} if before else {}
    return nio.RoomMemberEvent.from_dict(
        {
            "type": "m.room.member",
            "event_id": f"${user}{membership}",
            "sender": user,
            "origin_server_ts": 1,
            "state_key": user,
            "content": {"membership": membership},
            "unsigned": unsigned,
        }
    )


def test_only_what_follows_the_bot_s_own_join_is_acted_on() -> None:
    old, join, new = (
        _member("@a:x", "join", None),
        _member("@bot:x", "join", None),
        _member("@b:x", "join", None),
    )
    rename = _member("@bot:x", "join", "join")

    assert after_own_join([old, join, new], "@bot:x") == [new]
    assert after_own_join([old, rename, new], "@bot:x") == [old, rename, new]
    assert after_own_join([old, new], "@bot:x") == [old, new]
