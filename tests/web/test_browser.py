"""The web page in a real browser: headless Chromium opens it as a relative would,
on a phone. Every request the page makes is recorded, the document the browser
built is read back and checked for what a screen reader needs, and a screenshot
at phone width is kept in ``test-artefacts/`` (git-ignored)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.web.page import STYLE
from tests.web.accessibility import contrast_problems, heading_problems, unnamed_symbols
from tests.web.chromium import Browser, BrowserMissing, chromium
from tests.web.team import ALEX, JO, SAM, care_team, decisions_of_a_month

ROOT = Path(__file__).resolve().parents[2]
ARTEFACTS = ROOT / "test-artefacts"
PHONE = {"width": 390, "height": 844}  # CSS pixels, as a common phone shows them
GONE = "This link no longer works."


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[Browser]:
    try:
        async with chromium(tmp_path / "chromium-profile") as running:
            yield running
    except BrowserMissing as missing:
        pytest.fail(str(missing), pytrace=False)


async def test_a_relative_opens_the_page_on_a_phone(browser: Browser, tmp_path: Path) -> None:
    async with care_team(tmp_path / "db") as team:
        await decisions_of_a_month(team)
        url = await team.link()
        tab = await browser.tab(**PHONE, phone=True)
        loaded = await tab.open(url)
        assert loaded.status == 200
        assert loaded.headers["content-security-policy"].startswith("default-src 'none'")
        assert loaded.headers["referrer-policy"] == "no-referrer"
        # Nothing but the page itself: no font, image, script or style from anywhere.
        assert loaded.requests == [url]
        assert await tab.count("script, img, iframe, link[rel=stylesheet]") == 0
        html = await tab.html()
        assert "Try the new evening routine for a month" in html
        assert "Move the morning visit to 10:00" in html
        assert "The pharmacy closes at 12 on Saturdays" in html
        assert await tab.count("header h1") == 1 and await tab.count("main") == 1
        assert await tab.count("footer") == 1
        whole = await tab.screenshot(ARTEFACTS / "web-page-phone-whole.png")
        first = await tab.screenshot(ARTEFACTS / "web-page-phone.png", whole=False)
        for shot in (whole, first):
            assert shot.stat().st_size > 10_000
            assert _png_size(shot.read_bytes())[0] == PHONE["width"] * 2  # a phone's 2x pixels
        assert _png_size(first.read_bytes())[1] == PHONE["height"] * 2
        assert _png_size(whole.read_bytes())[1] > PHONE["height"] * 2


def test_the_docs_show_the_page_on_a_phone() -> None:
    """docs/web.md shows the first screen of ``test_a_relative_opens_the_page_on_a_phone``."""
    shot = ROOT / "docs" / "web-page-phone.png"
    assert _png_size(shot.read_bytes()) == (PHONE["width"] * 2, PHONE["height"] * 2)
    assert "](web-page-phone.png)" in (ROOT / "docs" / "web.md").read_text(encoding="utf-8")


async def test_expired_revoked_and_forged_links_show_the_same_plain_page(
    browser: Browser, tmp_path: Path
) -> None:
    async with care_team(tmp_path / "db") as team:
        await team.says(SAM, "propose Buy a new kettle")
        revoked = await team.link()
        await team.says(SAM, "weblink off")
        expired = await team.link()
        valid = await team.link()
        forged = re.sub(r"/[^/]{5}$", "/AAAAA", valid)
        tab = await browser.tab(**PHONE, phone=True)
        assert (await tab.open(valid)).status == 200
        team.run.clock.advance(timedelta(days=90))  # expired and valid both run out
        texts = []
        for url in (expired, revoked, forged):
            loaded = await tab.open(url)
            assert loaded.status == 404 and loaded.requests == [url]
            html = await tab.html()
            assert GONE in html and "Buy a new kettle" not in html
            texts.append(html)
        assert len(set(texts)) == 1


async def test_a_title_with_a_script_is_shown_as_words(browser: Browser, tmp_path: Path) -> None:
    async with care_team(tmp_path / "db") as team:
        await team.says(ALEX, 'propose <script>document.title="owned"</script> Tea')
        tab = await browser.tab(width=1024, height=768)
        loaded = await tab.open(await team.link())
        assert loaded.status == 200
        assert await tab.count("script") == 0
        html = await tab.html()
        assert '&lt;script&gt;document.title="owned"&lt;/script&gt; Tea' in html
        assert "<title>owned</title>" not in html


async def test_anonymous_and_hidden_proposals_as_the_chat_shows_them(
    browser: Browser, tmp_path: Path
) -> None:
    async with care_team(tmp_path / "db") as team:
        await team.says(SAM, "propose Change the key safe code\nanonymous")
        await team.says(ALEX, "object #1 Mum has only just learnt the old one")
        await team.says(SAM, "propose A new carer joins after her trial\nhide results")
        await team.says(JO, "concern #2 She was late twice")
        tab = await browser.tab(**PHONE, phone=True)
        await tab.open(await team.link())
        html = await tab.html()
        anonymous, hidden = html.split("Proposal #2")
        assert "Someone — Object" in anonymous and "Alex" not in anonymous
        assert "She was late twice" not in hidden and "Concern" not in hidden
        assert "Responses so far: 1." in hidden


async def test_the_page_in_polish(browser: Browser, tmp_path: Path) -> None:
    async with care_team(tmp_path / "db") as team:
        await team.says(SAM, "propose Kupić nowy czajnik")
        tab = await browser.tab(**PHONE, phone=True)
        await tab.open(await team.link() + "?lang=pl")
        html = await tab.html()
        assert await tab.count('html[lang="pl"]') == 1
        assert "Jaki jest pomysł?" in html and "Kupić nowy czajnik" in html


async def test_the_page_passes_the_accessibility_checks(browser: Browser, tmp_path: Path) -> None:
    async with care_team(tmp_path / "db") as team:
        await decisions_of_a_month(team)
        await team.says(SAM, "poll Which day suits the review? | Monday | Tuesday")
        tab = await browser.tab(**PHONE, phone=True)
        await tab.open(await team.link())
        html = await tab.html()
        assert heading_problems(html) == []
        assert unnamed_symbols(html) == []
        assert '<span role="img" aria-label="check mark">✅</span>' in html
        assert contrast_problems(STYLE) == []


def _png_size(png: bytes) -> tuple[int, int]:
    """The width and height a PNG file's header gives."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
