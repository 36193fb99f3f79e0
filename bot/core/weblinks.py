"""Private links to the group's web page: ``weblink`` and ``weblink off``.

Some people in a care team never open the chat: the person at the centre may
rely on a printed copy, a relative may only open a link on their phone. A
facilitator says ``weblink`` and receives, privately, a link to a read-only
page of the group's decisions (``bot.web``).

The link carries a secret the application makes (at least 128 bits); the group
keeps only its digest (:func:`digest`), with who made it and when it stops
working. Every facilitator is told privately of each link made, with the list
of links that work now, so a link nobody meant to make does not go unseen.
``weblink off`` stops every link of the group at once.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime, timedelta

from bot.core import commands as c
from bot.core.document import Block, Strong, bullets, doc, para
from bot.core.effects import DirectMessage
from bot.core.model import Group, Member, WebLink
from bot.core.rounds import spell_for
from bot.core.turn import Refusal, Turn
from bot.core.visibility import member_name

# Longest a link may be asked to work, whatever the configuration says.
MAX_DAYS = 3660


def digest(secret: str) -> str:
    """What the group keeps of a link's secret: its SHA-256, in hex. The secret has
    at least 128 random bits, so the digest alone opens nothing."""
    return hashlib.sha256(secret.encode()).hexdigest()


def working(group: Group, now: datetime) -> dict[str, WebLink]:
    """The group's links that still work at ``now``, by digest."""
    return {key: link for key, link in group.web_links.items() if link.expires_at > now}


def web_link_start(turn: Turn, action: c.WebLinkStart) -> None:
    member, request = turn.member, turn.request
    assert member is not None and request is not None
    if not action.digest or not action.link:
        raise Refusal(
            "The web page is not switched on for this bot. "
            "Ask the person who runs the bot to switch it on."
        )
    days = min(max(action.days, 1), MAX_DAYS)
    made = WebLink(made_by=member.id, made_at=turn.now, expires_at=turn.now + timedelta(days=days))
    links = {**working(turn.group, turn.now), action.digest: made}
    turn.group = replace(turn.group, web_links=links)
    _ = turn.member_t(member)
    blocks: list[Block] = [
        para(_("Here is a private link to the web page of this group's decisions:")),
        para(Strong(action.link)),
        para(_("It works until {date}.").format(date=spell_for(turn, made.expires_at, member))),
        para(
            _(
                "Anyone with the link can read the decisions. "
                "Share it only with people the group trusts."
            )
        ),
    ]
    if len(links) > 1:  # the others that still work, so nothing is forgotten
        blocks += _working_list(turn, member)
    else:
        blocks.append(para(_("To stop every link working, say weblink off.")))
    if request.private:
        turn.reply(*blocks)
    else:
        # Never in the group: the link is the key to the page.
        turn.emit(
            DirectMessage(member.id, member.name, member.identities, doc(*blocks), fallback=False)
        )
        turn.reply_phrase(
            "I am sending you the link in a private message. If it does not come, "
            "open a private chat with me and say weblink there."
        )
    _tell_facilitators(turn, member, made=True)


def web_link_off(turn: Turn, action: c.WebLinkOff) -> None:
    member = turn.member
    assert member is not None
    if not working(turn.group, turn.now):
        turn.group = replace(turn.group, web_links={})
        turn.reply_phrase("No link to the web page works now. To make one, say weblink.")
        return
    turn.group = replace(turn.group, web_links={})
    turn.reply_phrase(
        "Every link to the web page has stopped working. To make a new one, say weblink."
    )
    _tell_facilitators(turn, member, made=False)


def _tell_facilitators(turn: Turn, actor: Member, *, made: bool) -> None:
    """Tell every facilitator, privately, what changed and which links work now."""
    for facilitator in turn.group.facilitators():
        if facilitator.id == actor.id or not facilitator.identities:
            continue  # the one who acted has been answered already
        _ = turn.member_t(facilitator)
        if made:
            said = _("{name} made a new link to the web page of this group's decisions.")
        else:
            said = _("{name} stopped every link to the web page of this group's decisions.")
        blocks = [para(said.format(name=actor.name)), *_working_list(turn, facilitator)]
        turn.emit(
            DirectMessage(
                facilitator.id,
                facilitator.name,
                facilitator.identities,
                doc(*blocks),
                fallback=False,
            )
        )


def _working_list(turn: Turn, reader: Member) -> list[Block]:
    """The links that work now, oldest first, and how to stop them; nothing if none."""
    links = sorted(working(turn.group, turn.now).values(), key=lambda link: link.made_at)
    if not links:
        return []
    _ = turn.member_t(reader)
    return [
        para(_("Links that work now:")),
        bullets(_link_line(turn, link, reader) for link in links),
        para(_("To stop every link working, say weblink off.")),
    ]


def _link_line(turn: Turn, link: WebLink, reader: Member) -> str:
    _ = turn.member_t(reader)
    name = member_name(turn.group, link.made_by, _)
    return _("Made by {name} on {made}. It works until {until}.").format(
        name=name,
        made=spell_for(turn, link.made_at, reader),
        until=spell_for(turn, link.expires_at, reader),
    )
