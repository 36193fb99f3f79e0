"""The page's server over HTTP: who gets in, what every response carries, and what
the page shows and hides. (The same page in a real browser: ``test_browser``.)"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.web.page import STYLE_HASH
from tests.web.team import ALEX, JO, SAM, care_team, decisions_of_a_month

GONE = "This link no longer works."


async def fetch(url: str, method: str = "GET") -> tuple[int, dict[str, str], str]:
    async with aiohttp.ClientSession() as http, http.request(method, url) as response:
        return response.status, dict(response.headers), await response.text()


async def test_a_link_shows_its_groups_decisions_with_strict_headers(tmp_path: Path) -> None:
    async with care_team(tmp_path / "db") as team:
        await decisions_of_a_month(team)
        status, headers, page = await fetch(await team.link())
        assert status == 200
        assert "Decisions of Mum&#x27;s care team" in page
        assert "Try the new evening routine for a month" in page and "Move the morning" in page
        assert headers["Content-Security-Policy"].startswith("default-src 'none'; ")
        assert f"style-src '{STYLE_HASH}'" in headers["Content-Security-Policy"]
        assert "script-src" not in headers["Content-Security-Policy"]  # none: default-src
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["X-Robots-Tag"].startswith("noindex")
        assert headers["Cache-Control"] == "no-store"
        assert headers["Server"] == "deciding-together"  # no library, no version
        assert "<script" not in page and "Set-Cookie" not in headers


async def test_expired_stopped_forged_and_made_up_links_all_look_the_same(tmp_path: Path) -> None:
    async with care_team(tmp_path / "db") as team:
        stopped = await team.link()
        await team.says(SAM, "weblink off")
        expiring = await team.link()
        secret = expiring.rsplit("/", 1)[1]
        forged = expiring[:-3] + ("AAA" if not expiring.endswith("AAA") else "BBB")
        team.run.clock.advance(timedelta(days=90))
        answers = [
            await fetch(url)
            for url in (
                stopped,
                expiring,
                forged,
                f"{team.origin}/",
                f"{team.origin}/{secret}/more",
                f"{team.origin}/{'x' * 300}",
            )
        ]
        for status, headers, page in answers:
            assert status == 404 and GONE in page and "ask a facilitator" in page.lower()
            assert headers["Cache-Control"] == "no-store"
        assert len({page for _s, _h, page in answers}) == 1  # nothing tells them apart


async def test_only_get_and_head_are_taken(tmp_path: Path) -> None:
    async with care_team(tmp_path / "db") as team:
        url = await team.link()
        status, _h, body = await fetch(url, "HEAD")
        assert status == 200 and body == ""
        for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
            status, headers, _p = await fetch(url, method)
            assert status == 405, method
            assert headers["Referrer-Policy"] == "no-referrer"


async def test_a_link_shows_only_its_own_group(tmp_path: Path) -> None:
    async with care_team(tmp_path / "db") as team:
        await team.says(SAM, "propose Ours: buy a kettle")
        other = await team.run.app.submit(
            chat="console:other", actor=SAM, text="propose Theirs: paint the fence"
        )
        assert other.decision is not None
        _s, _h, page = await fetch(await team.link())
        assert "buy a kettle" in page and "paint the fence" not in page


async def test_what_people_typed_is_escaped(tmp_path: Path) -> None:
    async with care_team(tmp_path / "db") as team:
        await team.says(ALEX, 'propose <script>alert("hi")</script><img src=x onerror=alert(1)>')
        await team.says(JO, "concern #1 <b>bold</b> & </ul></section>")
        _s, _h, page = await fetch(await team.link())
        assert "<script>alert" not in page and "<img" not in page and "<b>" not in page
        assert "&lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt;" in page
        assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;/ul&gt;&lt;/section&gt;" in page


async def test_anonymous_answers_name_nobody_and_hidden_ones_stay_hidden(tmp_path: Path) -> None:
    async with care_team(tmp_path / "db") as team:
        await team.says(SAM, "propose Change the key safe code\nanonymous")
        await team.says(ALEX, "object #1 Mum has only just learnt the old one")
        await team.says(SAM, "propose A new carer joins after her trial\nhide results")
        await team.says(JO, "object #2 She was late every day")
        _s, _h, page = await fetch(await team.link())
        anonymous, hidden = page.split("Proposal #2")  # #1 is listed before #2
        assert "Someone — Object: Mum has only just learnt the old one" in anonymous
        assert "Alex — " not in anonymous and "Who still has to answer?" not in anonymous
        assert "She was late every day" not in hidden and "Object" not in hidden
        assert "Responses so far: 1. You will see the results at the end." in hidden
        waiting = hidden.split("Who still has to answer?")[1].split("</ul>")[0]
        assert waiting.endswith("<ul><li>Sam</li><li>Alex</li>")  # as the card says it


async def test_forgetme_shows_on_the_next_load(tmp_path: Path) -> None:
    async with care_team(tmp_path / "db") as team:
        await team.says(SAM, "propose Buy a new kettle")
        await team.says(ALEX, "consent #1")
        url = await team.link()
        _s, _h, before = await fetch(url)
        assert "Alex — Consent" in before
        await team.says(ALEX, "forgetme")
        _s, _h, after = await fetch(url)
        assert "Alex" not in after and "a former member — Consent" in after


async def test_the_page_speaks_the_language_asked_for(tmp_path: Path) -> None:
    async with care_team(tmp_path / "db") as team:
        await team.says(SAM, "propose Buy a new kettle")
        url = await team.link()
        _s, _h, polish = await fetch(url + "?lang=pl")
        assert '<html lang="pl">' in polish and "grudnia" in polish  # the date, in Polish
        assert "Jaki jest pomysł?" in polish  # "What is the idea?", translated already
        _s, _h, unknown = await fetch(url + "?lang=xx-not-a-language")
        assert '<html lang="en">' in unknown


async def test_no_log_line_holds_a_secret(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with care_team(tmp_path / "db") as team:
        url = await team.link()
        await fetch(url)
        await fetch(url + "x")
    secret = url.rsplit("/", 1)[1]
    assert caplog.records and not any(secret in r.getMessage() for r in caplog.records)


async def test_every_emoji_has_a_name_for_screen_readers(tmp_path: Path) -> None:
    async with care_team(tmp_path / "db") as team:
        await team.says(SAM, "propose A new rota 🏠👍🏽")
        await team.says(ALEX, "consent #1")
        _s, _h, page = await fetch(await team.link())
        assert '<span role="img" aria-label="house building">🏠</span>' in page
        assert '<span role="img" aria-label="thumbs up sign">👍🏽</span>' in page  # with its tone
        assert '<span role="img" aria-label="check mark">✅</span> Consent 1' in page


async def test_decisions_no_longer_held_in_memory_are_on_the_page(tmp_path: Path) -> None:
    async with care_team(tmp_path / "db") as team:
        await team.says(SAM, "propose Buy a new kettle")
        for who in (SAM, ALEX, JO):
            await team.says(who, "consent #1")  # agreed, with no review: out of memory
        group = await team.run.app.group("console:group")
        assert group is not None and 1 not in group.proposals
        _s, _h, page = await fetch(await team.link())
        decided = page.split("What have we decided?")[1]
        assert "Buy a new kettle" in decided and "What did we decide?" in decided
