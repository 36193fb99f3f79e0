"""A fake Telegram Bot API server that the real python-telegram-bot talks to over HTTP.

Start it, point PTB's ``base_url`` at it, and act as the people in the chats::

    async with FakeTelegram() as tg:
        alice = tg.user(1001, "Alice", username="alice")
        team = tg.group(-100200, "Care team")
        bot = telegram.Bot(tg.token, base_url=tg.base_url)
        async with bot:
            tg.send_text(team, alice, "/propose Buy a new kettle")
            (update,) = await bot.get_updates(timeout=1)
            sent = await bot.send_message(team.id, "Proposal recorded")
        assert tg.message(team, sent.message_id).text == "Proposal recorded"

What it models, and how closely:

* Routes ``/bot<token>/<method>`` for GET and POST with JSON, urlencoded or multipart bodies.
  A wrong token answers 401, an unknown method 404, as Telegram does.
* Updates wait in one queue until confirmed, exactly like Telegram: ``getUpdates`` returns
  updates without removing them; a later ``offset`` confirms (drops) those with a smaller id.
  ``timeout`` long-polls. A newer ``getUpdates`` ends a pending one with 409 Conflict.
* ``allowed_updates`` is one server-side setting, changed by ``getUpdates``/``setWebhook`` when
  given and kept otherwise. It filters updates *when they are created*, as Telegram does, so an
  update created while it was excluded is never delivered (see :attr:`FakeTelegram.dropped`).
  By default ``chat_member``, ``message_reaction`` and ``message_reaction_count`` are excluded.
* A webhook receives the same queue by POST, one update at a time, with the secret header, and
  each update is retried until the receiver answers 2xx.
* The bot only sees what Telegram would show it: nothing from groups it is not a member of,
  ``chat_member`` and group ``message_reaction`` updates only while it is an administrator, and
  with ``privacy_mode=True`` only commands, replies to it, mentions and service messages from
  groups where it is not an administrator.
* Messages live per chat with increasing ids; edits, deletions and reactions are kept.
* ``parse_mode="HTML"`` is parsed strictly (see :func:`parse_html`); Markdown modes are stored
  verbatim without entities. Editing a message's text without ``reply_markup`` removes its
  inline keyboard, as on Telegram.

Where each part lives (one job per module):

* ``server`` — the aiohttp app, routing ``/bot<token>/<method>`` and the call log;
* ``state`` — the people, chats, messages and the update queue every part shares;
* ``objects`` — the records themselves and their Bot API JSON, request parameters, HTML parsing;
* ``people`` — acting as people (write, press, react, join, leave, …);
* ``looking`` — what the bot did, and waiting for it;
* ``messages``, ``callbacks``, ``chats``, ``files``, ``webhooks``, ``updates``, ``commands`` — the
  Bot API methods by concern, with ``checks`` for the parameters they share;
* ``failing`` and ``faults`` — forced faults and flood limits.

Not modelled: inline mode, payments, media other than documents, file downloads (``getFile``),
forum topics, webhook replies (a method call in the webhook's answer), HTTPS-only webhooks.
"""

from .faults import FaultKind, RateLimits, Rule
from .objects import (
    MEMBER_STATUSES,
    FakeChat,
    FakeUser,
    StoredFile,
    StoredMessage,
    parse_html,
    utf16_len,
)
from .records import Action, CallbackAnswer, CallbackQuery, CallRecord, WebhookAttempt
from .server import FakeTelegram, fake_telegram
from .state import DEFAULT_TOKEN

__all__ = [
    "DEFAULT_TOKEN",
    "MEMBER_STATUSES",
    "Action",
    "CallRecord",
    "CallbackAnswer",
    "CallbackQuery",
    "FakeChat",
    "FakeTelegram",
    "FakeUser",
    "FaultKind",
    "RateLimits",
    "Rule",
    "StoredFile",
    "StoredMessage",
    "WebhookAttempt",
    "fake_telegram",
    "parse_html",
    "utf16_len",
]
