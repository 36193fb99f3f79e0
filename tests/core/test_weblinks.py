"""``weblink`` and ``weblink off``: private links to the group's web page, each rule
as a short conversation."""

from __future__ import annotations

from bot.core import commands as c
from bot.core.codec import decode, encode
from bot.core.effects import DirectMessage, Reply
from bot.core.language import parse
from bot.core.weblinks import digest
from tests.core.care_team import DAY, direct_messages, refused, team

SECRET = "s3cr3t-s3cr3t-s3cr3t-s3cr3t"
LINK = f"https://care.example.org/page/{SECRET}"


def weblink(days: int = 90) -> c.WebLinkStart:
    return c.WebLinkStart(digest=digest(SECRET), link=LINK, days=days)


def test_a_facilitator_gets_the_link_privately_never_in_the_group() -> None:
    conv = team("Sam", "Alex")
    decision = conv.by("Sam", weblink())
    replies = [e for e in decision.effects if isinstance(e, Reply)]
    assert [plain for plain in conv.last_text().split("\n") if LINK in plain]
    assert all(LINK not in str(r.document) for r in replies)  # the group sees no link
    assert "private message" in str(replies[0].document)
    (private,) = [e for e in decision.effects if isinstance(e, DirectMessage)]
    assert private.name == "Sam" and LINK in str(private.document)
    assert private.fallback is False  # never mentioned in the group instead


def test_said_privately_the_link_is_the_answer() -> None:
    conv = team("Sam")
    decision = conv.by("Sam", weblink(), private=True)
    (reply,) = decision.effects
    assert isinstance(reply, Reply) and reply.private and LINK in str(reply.document)


def test_only_the_digest_is_kept_and_the_link_works_for_its_days() -> None:
    conv = team("Sam")
    conv.by("Sam", weblink(days=30))
    (kept,) = conv.group.web_links.items()
    assert kept[0] == digest(SECRET) and SECRET not in kept[0]
    assert kept[1].made_by == conv.member_id("Sam")
    assert kept[1].expires_at == conv.now + 30 * DAY
    assert "It works until" in conv.last_text()


def test_every_other_facilitator_is_told_of_each_link_made() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.MakeFacilitator("Alex"))
    decision = conv.by("Sam", weblink())
    told = dict(direct_messages(list(decision.effects)))
    assert "Sam made a new link" in told["Alex"]
    assert "Links that work now:" in told["Alex"] and "Made by Sam on" in told["Alex"]
    assert LINK not in told["Alex"]  # the others learn that it exists, not the link
    assert "Jo" not in told  # not a facilitator


def test_weblink_off_stops_every_link_and_tells_the_facilitators() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.MakeFacilitator("Alex"))
    conv.by("Sam", weblink())
    decision = conv.by("Alex", c.WebLinkOff())
    assert conv.group.web_links == {}
    assert "stopped working" in conv.last_text()
    told = dict(direct_messages(list(decision.effects)))
    assert "Alex stopped every link" in told["Sam"]
    again = conv.by("Alex", c.WebLinkOff())
    assert "No link to the web page works now" in conv.last_text() and not again.refused


def test_old_links_are_dropped_when_a_new_one_is_made() -> None:
    conv = team("Sam")
    conv.by("Sam", weblink(days=1))
    conv.wait(2 * DAY)
    conv.by("Sam", c.WebLinkStart(digest=digest("another-secret-of-enough-length"), link=LINK))
    assert list(conv.group.web_links) == [digest("another-secret-of-enough-length")]


def test_only_facilitators_make_or_stop_links() -> None:
    conv = team("Sam", "Alex")
    assert "Only a facilitator" in refused(conv, weblink(), name="Alex")
    assert "Only a facilitator" in refused(conv, c.WebLinkOff(), name="Alex")


def test_without_the_web_page_switched_on_there_is_no_link() -> None:
    conv = team("Sam")
    assert "not switched on" in refused(conv, c.WebLinkStart(digest=""))


def test_the_link_itself_is_never_written_down() -> None:
    written = encode(c.Request(c.Actor("console:sam", "Sam"), "console:group", weblink()))
    assert SECRET not in str(written)
    replayed = decode(written, c.Request)
    assert replayed.action == c.WebLinkStart(digest=digest(SECRET), link="", days=90)


def test_weblink_is_read_from_words() -> None:
    assert parse("weblink") == c.WebLinkStart(digest="")
    assert parse("/weblink") == c.WebLinkStart(digest="")
    assert parse("web link off") == c.WebLinkOff()
    assert parse("weblink OFF please") == c.WebLinkOff()
    assert not isinstance(parse("weblink banana"), c.WebLinkStart | c.WebLinkOff)


def test_the_maker_is_shown_every_link_that_still_works() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.MakeFacilitator("Alex"))
    conv.by("Alex", c.WebLinkStart(digest=digest("alexs-own-secret-of-enough-length"), link=LINK))
    conv.wait(DAY)
    conv.by("Sam", weblink(), private=True)
    said = conv.last_text()
    assert "Links that work now:" in said
    assert "Made by Alex on" in said and "Made by Sam on" in said
