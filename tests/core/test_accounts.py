"""One person, one voice: a person links their own accounts on two platforms with a
private code (``me``, then ``me CODE``), and counts once; each rule, and each
attack on it, as a short conversation between a Telegram group and a Matrix room
linked into one group."""

from __future__ import annotations

from datetime import timedelta

from bot.core import commands as c
from bot.core.decide import Decision
from bot.core.document import Mention, plain_text
from bot.core.effects import DirectMessage, EditCard, Forget, Post, Reply, SendFile
from bot.core.model import AccountCode, Group, GroupSettings, MemberStatus
from tests.core.conversation import Conversation

DAY = timedelta(days=1)
TELEGRAM, MATRIX = "telegram:-100", "matrix:!family:example.org"


def identity(name: str, platform: str) -> str:
    return (
        f"telegram:{len(name)}{name.lower()}"
        if platform == "telegram"
        else (f"matrix:@{name.lower()}:example.org")
    )


def say(
    conv: Conversation, name: str, platform: str, action: c.Action, *, private: bool = False
) -> Decision:
    """``name`` says ``action`` from their account on ``platform``: in that platform's
    chat of the group, or privately to the bot."""
    who = identity(name, platform)
    chat = f"dm:{who}" if private else (TELEGRAM if platform == "telegram" else MATRIX)
    request = c.Request(c.Actor(who, name), chat, action, private=private, present=not private)
    return conv.run(request)


def both_chats(*telegram: str, matrix: tuple[str, ...] = ()) -> Conversation:
    """A group with a Telegram group and a Matrix room; the people of ``telegram`` joined
    on Telegram (the first is the facilitator), those of ``matrix`` on Matrix."""
    group = Group(id=TELEGRAM, chats=(TELEGRAM, MATRIX), settings=GroupSettings())
    conv = Conversation(group=group)
    for name in telegram:
        say(conv, name, "telegram", c.Join())
    for name in matrix:
        say(conv, name, "matrix", c.Join())
    return conv


def code_for(conv: Conversation, name: str, code: str = "k3y42", platform: str = "telegram") -> str:
    say(conv, name, platform, c.MyCode(code), private=True)
    return code


def refused_by(conv: Conversation, name: str, platform: str, action: c.Action, **kw: bool) -> str:
    before = conv.group
    decision = say(conv, name, platform, action, **kw)
    assert decision.refused, decision.summary
    assert conv.group is before
    assert [type(e) for e in decision.effects] == [Reply]
    return conv.last_text()


def member_named(conv: Conversation, name: str) -> list[int]:
    return [m.id for m in conv.group.members.values() if m.name == name and m.active]


# -- the code --------------------------------------------------------------------------------


def test_me_said_privately_gives_a_code_kept_with_who_asked_where_and_until_when() -> None:
    conv = both_chats("Sam", "Jo")
    code_for(conv, "Jo")
    jo = member_named(conv, "Jo")[0]
    assert conv.group.account_codes == {"k3y42": AccountCode(jo, "telegram", conv.now + DAY)}
    text = conv.last_text()
    assert "me k3y42" in text and "private message" in text
    reply = conv.last.effects[0] if conv.last else None
    assert isinstance(reply, Reply) and reply.private


def test_me_said_in_the_group_gives_no_code_and_asks_for_a_private_message() -> None:
    conv = both_chats("Sam", "Jo")
    text = refused_by(conv, "Jo", "telegram", c.MyCode("k3y42"))
    assert "private message" in text
    assert conv.group.account_codes == {}


def test_asking_again_replaces_the_persons_code() -> None:
    conv = both_chats("Sam", "Jo")
    code_for(conv, "Jo", "first")
    code_for(conv, "Jo", "second")
    assert list(conv.group.account_codes) == ["second"]


def test_only_members_get_a_code() -> None:
    conv = both_chats("Sam")
    text = refused_by(conv, "Stranger", "telegram", c.MyCode("k3y42"), private=True)
    assert "Only members" in text


# -- linking ---------------------------------------------------------------------------------


def test_me_code_on_the_other_app_links_the_account_and_the_audit_says_so() -> None:
    conv = both_chats("Sam", "Jo")
    code_for(conv, "Jo")
    jo = member_named(conv, "Jo")[0]
    decision = say(conv, "Jo", "matrix", c.ThisIsMe("k3y42"), private=True)
    assert not decision.refused
    member = conv.group.members[jo]
    assert member.identities == (identity("Jo", "matrix"), identity("Jo", "telegram"))
    assert conv.group.account_codes == {}
    assert f"account {identity('Jo', 'matrix')} linked to member {jo}" in decision.summary
    assert "This account is now linked to you" in plain_text(decision.effects[0].document)  # type: ignore[union-attr]
    # The first account hears of it too, so a stolen code does not go unnoticed.
    told = [e for e in decision.effects if isinstance(e, DirectMessage)]
    assert [t.identities for t in told] == [(identity("Jo", "telegram"),)]
    assert "tell a facilitator" in plain_text(told[0].document)


def test_a_person_in_both_chats_becomes_one_member_with_one_answer_per_round() -> None:
    conv = both_chats("Sam", "Jo", matrix=("Jo", "Kim"))
    # Two "Jo"s: one member per account until linked, never by name.
    assert len(member_named(conv, "Jo")) == 2
    say(conv, "Sam", "telegram", c.Propose("Move the morning visit to 10:00"))
    say(conv, "Jo", "telegram", c.Respond(1, "consent"))
    conv.now += timedelta(minutes=5)
    say(conv, "Jo", "matrix", c.Respond(1, "concern", reason="Her breakfast"))
    card = conv.card_text(1)
    assert "Still to respond: Sam, Kim" in card
    assert "of 4" in card and "Consent 1 · 🟡 Concern 1" in card  # counted twice

    code_for(conv, "Jo")
    decision = say(conv, "Jo", "matrix", c.ThisIsMe("k3y42"), private=True)
    jo = member_named(conv, "Jo")
    assert len(jo) == 1
    merged = conv.group.members[jo[0]]
    assert set(merged.identities) == {identity("Jo", "telegram"), identity("Jo", "matrix")}
    round_ = conv.proposal(1).round
    assert round_ is not None and len(round_.eligible) == 3
    # The latest answer of the two counts; both stay in the history.
    assert round_.response_of(jo[0]).response == "concern"  # type: ignore[union-attr]
    assert len([r for r in round_.history if r.member == jo[0]]) == 2
    assert "merged into member" in decision.summary
    assert any(isinstance(e, EditCard) and e.number == 1 for e in decision.effects)
    card = conv.card_text(1)
    assert "Still to respond: Sam, Kim" in card
    assert "of 3" in card and "Consent 0 · 🟡 Concern 1" in card


def test_once_linked_everyones_answer_passes_early_counting_the_person_once() -> None:
    conv = both_chats("Sam", "Jo", matrix=("Jo",))
    say(conv, "Sam", "telegram", c.Propose("Move the morning visit to 10:00"))
    say(conv, "Sam", "telegram", c.Respond(1, "consent"))
    say(conv, "Jo", "matrix", c.Respond(1, "consent"))
    # The Telegram "Jo" has not answered: as two members, the round waits.
    assert conv.proposal(1).stage.value == "open"
    code_for(conv, "Jo", platform="matrix")
    say(conv, "Jo", "telegram", c.ThisIsMe("k3y42"), private=True)
    assert conv.proposal(1).stage.value == "agreed"


# -- attacks ---------------------------------------------------------------------------------


def test_a_guessed_code_links_nothing() -> None:
    conv = both_chats("Sam", "Jo")
    code_for(conv, "Jo")
    text = refused_by(conv, "Mallory", "matrix", c.ThisIsMe("guess1"), private=True)
    assert "does not work" in text


def test_a_code_older_than_a_day_links_nothing() -> None:
    conv = both_chats("Sam", "Jo")
    code_for(conv, "Jo")
    conv.now += DAY
    assert "does not work" in refused_by(conv, "Jo", "matrix", c.ThisIsMe("k3y42"), private=True)


def test_a_code_works_once() -> None:
    conv = both_chats("Sam", "Jo")
    code_for(conv, "Jo")
    say(conv, "Jo", "matrix", c.ThisIsMe("k3y42"), private=True)
    assert "does not work" in refused_by(
        conv, "Mallory", "matrix", c.ThisIsMe("k3y42"), private=True
    )


def test_a_code_of_someone_no_longer_in_the_group_links_nothing() -> None:
    conv = both_chats("Sam", "Jo")
    code_for(conv, "Jo")
    say(conv, "Sam", "telegram", c.RemovePerson("Jo"))
    assert "does not work" in refused_by(conv, "Jo", "matrix", c.ThisIsMe("k3y42"), private=True)


def test_a_code_said_in_a_chat_stops_working_and_makes_nobody_a_member() -> None:
    conv = both_chats("Sam", "Jo")
    code_for(conv, "Jo")
    members = dict(conv.group.members)
    decision = say(conv, "Eve", "matrix", c.ThisIsMe("k3y42"))
    assert not decision.refused  # something changed: the code is gone
    assert conv.group.account_codes == {}
    assert dict(conv.group.members) == members  # Eve, who saw it, is no member
    assert "only in a private message" in conv.last_text()
    assert "no longer valid" in decision.summary
    assert "does not work" in refused_by(conv, "Eve", "matrix", c.ThisIsMe("k3y42"), private=True)


def test_a_code_is_said_on_the_other_app_not_the_one_it_came_from() -> None:
    conv = both_chats("Sam", "Jo")
    code_for(conv, "Jo")
    text = refused_by(conv, "Mallory", "telegram", c.ThisIsMe("k3y42"), private=True)
    assert "from your account on your other app" in text


def test_an_account_that_is_someone_elses_in_the_group_is_not_taken() -> None:
    # Kim is on both apps already; Jo's code said from Kim's Matrix account would
    # fold Kim, with her own Telegram account, into Jo: two people as one.
    conv = both_chats("Sam", "Jo", "Kim")
    code_for(conv, "Kim", "kimcode")
    say(conv, "Kim", "matrix", c.ThisIsMe("kimcode"), private=True)
    code_for(conv, "Jo")
    text = refused_by(conv, "Kim", "matrix", c.ThisIsMe("k3y42"), private=True)
    assert "linked to their own Telegram account" in text


def test_a_second_account_on_the_same_app_is_refused() -> None:
    conv = both_chats("Sam", "Jo")
    code_for(conv, "Jo")
    say(conv, "Jo", "matrix", c.ThisIsMe("k3y42"), private=True)
    code_for(conv, "Jo", "again")
    text = refused_by(conv, "Other", "matrix", c.ThisIsMe("again"), private=True)
    assert "You already have a Matrix account linked here" in text


def test_an_account_a_facilitator_removed_does_not_come_back_by_a_code() -> None:
    conv = both_chats("Sam", "Jo", matrix=("Jay",))
    say(conv, "Sam", "telegram", c.RemovePerson("Jay"))
    code_for(conv, "Jo")
    text = refused_by(conv, "Jay", "matrix", c.ThisIsMe("k3y42"), private=True)
    assert "A facilitator took this account out" in text


# -- one member, every account ---------------------------------------------------------------


def linked_jo() -> tuple[Conversation, int]:
    conv = both_chats("Sam", "Jo")
    code_for(conv, "Jo")
    say(conv, "Jo", "matrix", c.ThisIsMe("k3y42"), private=True)
    return conv, member_named(conv, "Jo")[0]


def test_a_mention_carries_every_account_and_each_platform_finds_its_own() -> None:
    conv, _ = linked_jo()
    say(conv, "Jo", "telegram", c.Propose("Move the morning visit to 10:00"))
    posted = next(e for e in conv.said if isinstance(e, Post) and e.card == 1)
    mentions = [
        s
        for block in posted.document.blocks
        for s in getattr(block, "spans", ())
        if isinstance(s, Mention) and s.name == "Jo"
    ]
    assert mentions
    assert mentions[0].on("telegram") == identity("Jo", "telegram")
    assert mentions[0].on("matrix") == identity("Jo", "matrix")
    assert mentions[0].on("console") is None


def test_private_messages_go_to_the_app_used_last_unless_one_was_chosen() -> None:
    conv, jo = linked_jo()
    say(conv, "Jo", "telegram", c.Status())
    assert conv.group.members[jo].private_identities[0] == identity("Jo", "telegram")
    say(conv, "Jo", "matrix", c.Status())
    assert conv.group.members[jo].private_identities[0] == identity("Jo", "matrix")
    say(conv, "Jo", "matrix", c.MySetting("reminders", "on telegram"))
    assert conv.last_text() == "I will send your reminders on Telegram."
    assert conv.group.members[jo].private_identities[0] == identity("Jo", "telegram")


def test_reminders_go_to_the_chosen_app() -> None:
    conv, jo = linked_jo()
    say(conv, "Jo", "telegram", c.MySetting("reminders", "on matrix"))
    say(conv, "Jo", "telegram", c.Status())  # used Telegram last
    say(conv, "Sam", "telegram", c.Propose("Move the morning visit to 10:00", duration="3 days"))
    start = len(conv.said)
    conv.wait(2 * DAY + timedelta(hours=1))
    nudges = [e for e in conv.said[start:] if isinstance(e, DirectMessage) and e.member == jo]
    assert nudges and nudges[0].identities[0] == identity("Jo", "matrix")


def test_reminders_on_an_app_without_an_account_there_is_refused() -> None:
    conv = both_chats("Sam", "Jo")
    text = refused_by(conv, "Jo", "telegram", c.MySetting("reminders", "on matrix"))
    assert "no Matrix account linked here" in text and "me" in text


def test_forgetme_from_either_account_forgets_every_account() -> None:
    conv, jo = linked_jo()
    decision = say(conv, "Jo", "matrix", c.ForgetMe(), private=True)
    forget = next(e for e in decision.effects if isinstance(e, Forget))
    assert set(forget.identities) == {identity("Jo", "telegram"), identity("Jo", "matrix")}
    assert conv.group.members[jo].status is MemberStatus.FORGOTTEN
    assert conv.group.member_by_identity(identity("Jo", "telegram")) is None


def test_mydata_covers_every_account() -> None:
    conv, _ = linked_jo()
    decision = say(conv, "Jo", "telegram", c.MyData(), private=True)
    sent = next(e for e in decision.effects if isinstance(e, SendFile))
    assert set(sent.identities) == {identity("Jo", "telegram"), identity("Jo", "matrix")}


def test_a_removed_member_is_out_on_every_account() -> None:
    conv, _ = linked_jo()
    say(conv, "Sam", "telegram", c.RemovePerson("Jo"))
    for platform in ("telegram", "matrix"):
        assert "took you out" in refused_by(conv, "Jo", platform, c.Status())


# -- linked chats ----------------------------------------------------------------------------


def test_unlink_is_for_facilitators_in_the_chat_that_leaves() -> None:
    conv = both_chats("Sam", matrix=("Kim",))
    assert "Only a facilitator" in refused_by(conv, "Kim", "matrix", c.Unlink())
    assert "Please say unlink in the chat" in refused_by(
        conv, "Sam", "telegram", c.Unlink(), private=True
    )
    assert "where the group started" in refused_by(conv, "Sam", "telegram", c.Unlink())
    say(conv, "Sam", "telegram", c.MakeFacilitator("Kim"))
    decision = say(conv, "Kim", "matrix", c.Unlink())
    assert conv.group.chats == (TELEGRAM,)
    posts = [plain_text(e.document) for e in decision.effects if isinstance(e, Post)]
    assert posts == [
        "A facilitator took one chat out of this group. Decisions are no longer shared there."
    ]
    replies = [e for e in decision.effects if isinstance(e, Reply)]
    assert [r.chat for r in replies] == [MATRIX]
    assert "This chat has left the group" in plain_text(replies[0].document)


def test_the_other_chats_are_told_when_the_bot_is_taken_out_of_one() -> None:
    conv = both_chats("Sam")
    decision = conv.run(
        c.Request(c.Actor("matrix:@x:example.org", "x"), MATRIX, c.ChatGone(MATRIX))
    )
    assert conv.group.chats == (TELEGRAM,)
    posts = [plain_text(e.document) for e in decision.effects if isinstance(e, Post)]
    assert posts == [
        "I was taken out of one of this group's chats. Decisions are no longer shared there."
    ]


def test_an_encrypted_room_is_linked_only_once_the_warning_is_confirmed() -> None:
    conv = Conversation(group=Group(id=TELEGRAM, chats=(TELEGRAM,), settings=GroupSettings()))
    say(conv, "Sam", "telegram", c.Join())
    say(conv, "Sam", "telegram", c.LinkStart("k3y"))
    warned = refused_by(conv, "Kim", "matrix", c.LinkChat("k3y", MATRIX, mixes_encryption=True))
    assert "end-to-end encrypted" in warned and "link k3y confirm" in warned
    linked = c.LinkChat("k3y", MATRIX, confirmed=True, mixes_encryption=True)
    say(conv, "Kim", "matrix", linked)
    assert conv.group.chats == (TELEGRAM, MATRIX)


def test_help_tells_how_to_link_accounts_and_choose_the_app_for_reminders() -> None:
    conv = both_chats("Sam")
    say(conv, "Sam", "telegram", c.Help())
    text = conv.last_text()
    assert "me · me <code> — On two apps? Link your accounts, so you count once." in text
    assert "reminders on telegram · reminders on matrix — Choose the app for your reminders." in (
        text
    )
    say(conv, "Sam", "telegram", c.Help("unlink"))
    assert "link · unlink" in conv.last_text()


def test_settings_show_the_linked_apps_and_where_reminders_go() -> None:
    conv, _ = linked_jo()
    say(conv, "Jo", "matrix", c.ShowSettings())
    assert "Your apps: Matrix, Telegram. Reminders go to the app you used last." in (
        conv.last_text()
    )
    say(conv, "Jo", "matrix", c.MySetting("reminders", "on telegram"))
    say(conv, "Jo", "matrix", c.ShowSettings())
    assert "Reminders go to Telegram." in conv.last_text()


def test_nobody_becomes_a_member_in_a_chat_taken_out_of_the_group() -> None:
    conv = both_chats("Sam", matrix=("Kim",))
    say(conv, "Sam", "telegram", c.MakeFacilitator("Kim"))
    say(conv, "Sam", "telegram", c.Propose("Move the morning visit to 10:00"))
    say(conv, "Kim", "matrix", c.Unlink())
    # A reaction on the old card, still in the room, by someone new there.
    text = refused_by(conv, "Eve", "matrix", c.Respond(1, "consent"))
    assert "Only members" in text
    assert conv.group.member_by_identity(identity("Eve", "matrix")) is None


def test_a_thing_to_do_is_told_on_the_app_chosen_for_reminders() -> None:
    conv, jo = linked_jo()
    say(conv, "Jo", "telegram", c.MySetting("reminders", "on matrix"))
    say(conv, "Jo", "telegram", c.Status())  # used Telegram last
    say(conv, "Sam", "telegram", c.Propose("Buy a kettle", process="ack"))
    for name in ("Sam", "Jo"):
        say(conv, name, "telegram", c.Respond(1, "seen"))
    decision = say(conv, "Sam", "telegram", c.AddAction(1, "Jo buys it", "Friday"))
    told = [e for e in decision.effects if isinstance(e, DirectMessage) and e.member == jo]
    assert told and told[0].identities[0] == identity("Jo", "matrix")
