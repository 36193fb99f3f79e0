"""``deciding-together run --config FILE`` with a [telegram] section, against the fake."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from pathlib import Path

from bot import runtime
from bot.config import load_config
from tests.fakes.telegram import FakeTelegram


async def test_run_with_a_telegram_section_answers_in_the_group(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    config_file = tmp_path / "config.toml"
    config_file.write_text(
        f"""
[telegram]
token = "{tg.token}"
base_url = "{tg.base_url}"
mode = "polling"

[storage]
path = "{tmp_path / "deciding-together.db"}"
""",
        encoding="utf-8",
    )
    config = load_config(config_file, env={})
    sam, alex = tg.user(1001, "Sam"), tg.user(1002, "Alex")
    team = tg.group(-100500, "Mum's care team", supergroup=True, members=[sam, alex])

    stop = asyncio.Event()
    running = asyncio.create_task(runtime.run(config, stop=stop))
    try:
        tg.send_text(team, sam, "/propose Buy a new kettle\nin 3 days")
        card = await tg.wait_for_bot_message(
            team, lambda m: (m.text or "").startswith("Proposal #1: Buy a new kettle"), timeout=10
        )
        consent = next(b["callback_data"] for b in card.buttons if "Consent" in b["text"])
        press = tg.press_button(team, alex, card.message_id, consent)
        assert press.callback_query_id is not None
        answer = await tg.wait_for_answer(press.callback_query_id, timeout=10)
        assert answer.text == "Thank you, Alex. Your response to #1 is recorded: Consent."
        # The card's tally follows, at Telegram's pace.
        await tg.wait_for(lambda: "✅ Consent 1" in (card.text or ""), timeout=10, what="the tally")
        # The thanks went to the pop-up only, not to the group.
        assert not any("Thank you" in (m.text or "") for m in tg.bot_messages(team))
        assert tg.my_commands() is not None
    finally:
        stop.set()
        await asyncio.wait_for(running, 15)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):  # run() installed these for itself
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
