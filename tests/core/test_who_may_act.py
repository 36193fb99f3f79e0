"""Who may act, as hostile members and outsiders would try it (docs/reliability.md's table).

Each test is one of the ways in that the trust model closes: answering for someone
who can answer themselves, coming back after being removed, acting without being
in the chat, taking over a person added by name, moving a chat between groups.
"""

from __future__ import annotations

import pytest

from bot.core import commands as c
from bot.core.effects import Forget, Post
from bot.core.language import parse
from bot.core.model import MemberStatus, Role
from tests.core.care_team import refused, team
from tests.core.conversation import CHAT, Conversation

# -- answering for someone -----------------------------------------------------------------


def test_nobody_answers_for_a_member_who_has_a_chat_account() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.Propose("Move the morning visit to 10:00", needs=("@alex",)))
    conv.by("Alex", c.Respond(1, "object", reason="Mum is not up by then"))
    before = conv.group
    text = refused(conv, c.Respond(1, "consent", proxy_for="Alex"), name="Jo")
    assert text == "Alex is in the chat, so only Alex can answer. You could remind them."
    assert conv.group is before
    record = conv.proposal(1).round.response_of(conv.member_id("Alex"))  # type: ignore[union-attr]
    assert record is not None and record.response == "object"


def test_a_proxy_does_not_satisfy_a_required_voice_or_lock_out_an_anonymous_answer() -> None:
    conv = team("Sam", "Alex", "Jo")
    conv.by("Sam", c.Propose("Try the new rota", anonymous=True, needs=("@alex",)))
    refused(conv, c.Respond(1, "consent", proxy_for="@alex"), name="Jo")
    # Alex's own answer is still hers to give.
    conv.by("Alex", c.Respond(1, "consent"))
    round_ = conv.proposal(1).round
    assert round_ is not None and conv.member_id("Alex") in round_.participants


def test_anyone_may_still_answer_for_a_person_added_by_name() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.AddPerson("Mum"))
    conv.by("Sam", c.Propose("Move the morning visit to 10:00"))
    conv.by("Alex", c.Respond(1, "concern", reason="She likes her tea first", proxy_for="Mum"))
    mum = next(m for m in conv.group.members.values() if m.name == "Mum")
    record = conv.proposal(1).round.response_of(mum.id)  # type: ignore[union-attr]
    assert record is not None and record.recorded_by == conv.member_id("Alex")
    assert "Mum — Concern: She likes her tea first (recorded by Alex)" in conv.card_text(1)


def test_a_proxy_never_overwrites_an_answer_the_person_gave_themselves() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.AddPerson("Mum"))
    conv.by("Mum", c.Join())  # Mum's own account, not yet confirmed: another member
    conv.by("Sam", c.Propose("Move the morning visit to 10:00"))
    conv.by("Mum", c.Respond(1, "object", reason="I sleep until ten"))
    conv.by("Sam", c.ConfirmPerson("Mum", "@Mum"))
    # Now one member, who answered herself: nobody may answer for her.
    text = refused(conv, c.Respond(1, "consent", proxy_for="Mum"), name="Alex")
    assert "only Mum can answer" in text


# -- removal sticks --------------------------------------------------------------------------


def test_someone_removed_cannot_put_themselves_back() -> None:
    conv = team("Sam", "Alex", "Mel")
    conv.by("Sam", c.RemovePerson("Mel"))
    mel = conv.member_id("Mel")
    assert conv.group.members[mel].status is MemberStatus.REMOVED
    for private in (False, True):
        text = refused(conv, c.Join(), name="Mel", private=private, present=not private)
        assert "facilitator" in text or "in the group's chat" in text
    conv.by("Sam", c.Propose("Move the morning visit to 10:00"))
    assert "took you out" in refused(conv, c.Respond(1, "object", reason="no"), name="Mel")
    assert conv.group.members[mel].status is MemberStatus.REMOVED


def test_only_a_facilitator_adds_back_someone_a_facilitator_removed() -> None:
    conv = team("Sam", "Alex", "Mel")
    conv.by("Sam", c.RemovePerson("Mel"))
    assert refused(conv, c.AddPerson("Mel"), "Alex") == (
        "Only a facilitator can add Mel back. You can ask one of them."
    )
    conv.by("Sam", c.AddPerson("Mel"))
    assert conv.last_text() == "Mel is back in the group."
    assert conv.group.members[conv.member_id("Mel")].active


def test_someone_who_left_comes_back_only_by_their_own_join_in_the_chat() -> None:
    conv = team("Sam", "Alex")
    conv.by("Alex", c.Leave())
    text = refused(conv, c.AddPerson("Alex"), "Sam")
    assert text == "Alex left the group. They can come back by saying join in the group's chat."
    assert "in the group's chat" in refused(conv, c.Join(), "Alex", private=True, present=False)
    conv.by("Alex", c.Join())
    assert conv.last_text() == "Welcome back, Alex."


@pytest.mark.parametrize("action", [c.MyData(), c.ForgetMe()])
def test_someone_removed_may_still_see_and_erase_their_data_privately(action: c.Action) -> None:
    conv = team("Sam", "Mel")
    conv.by("Sam", c.RemovePerson("Mel"))
    decision = conv.by("Mel", action, private=True, present=False)
    assert not decision.refused


def test_privately_someone_removed_may_do_nothing_else() -> None:
    conv = team("Sam", "Mel")
    conv.by("Sam", c.Propose("Move the morning visit to 10:00"))
    conv.by("Sam", c.RemovePerson("Mel"))
    refused(conv, c.Respond(1, "consent"), "Mel", private=True, present=False)
    refused(conv, c.Status(), "Mel", private=True, present=False)


# -- acting without being in the chat --------------------------------------------------------


def test_a_press_from_someone_the_platform_does_not_vouch_for_makes_nobody_a_member() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.Propose("Move the morning visit to 10:00"))
    before = conv.group
    text = refused(conv, c.Respond(1, "object", reason="block"), "Otto", present=False)
    assert text == (
        "Only people in this chat can take part in its decisions. Please join the chat first."
    )
    assert conv.group is before
    assert conv.group.member_by_identity("console:otto") is None
    assert "Only people in this chat" in refused(conv, c.Join(), "Otto", present=False)


# -- names are not people --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Mum", "MUM", "Ｍｕｍ"])
def test_an_account_named_like_someone_added_by_name_is_a_new_member(name: str) -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.AddPerson("Mum"))
    conv.by("Sam", c.Propose("Move the morning visit to 10:00"))
    conv.by("Alex", c.Respond(1, "object", reason="Mum's knee hurts", proxy_for="Mum"))
    mum = next(m for m in conv.group.members.values() if m.name == "Mum" and not m.identities)

    decision = conv.by(name, c.Status())
    account = conv.member_id(name)
    assert account != mum.id
    assert conv.group.members[mum.id].identities == ()
    hint = [e for e in decision.effects if isinstance(e, Post)]
    assert hint and "this is Mum @" in conv.last_text()

    # Their data is their own: not Mum's reasons, and forgetting them leaves Mum be.
    mydata = conv.by(name, c.MyData(), private=True, present=False)
    assert "knee" not in repr(mydata.effects)
    forgot = conv.by(name, c.ForgetMe(), private=True, present=False)
    (forget,) = [e for e in forgot.effects if isinstance(e, Forget)]
    assert forget.member == account
    assert conv.group.members[mum.id].name == "Mum" and conv.group.members[mum.id].active


def test_a_facilitator_confirms_an_account_and_the_two_become_one_with_both_histories() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.AddPerson("Mum"))
    conv.by("Sam", c.Propose("Move the morning visit to 10:00"))
    conv.by("Alex", c.Respond(1, "concern", reason="Ask her first", proxy_for="Mum"))
    conv.by("Mum", c.Ask(1, "Who will help me dress?"))
    account = conv.member_id("Mum")

    assert "Only a facilitator" in refused(conv, c.ConfirmPerson("Mum", "@Mum"), "Alex")
    conv.by("Sam", c.ConfirmPerson("Mum", "@Mum"))
    assert "This chat account is Mum.\nFrom now on Mum answers" in conv.last_text()
    (mum,) = [m for m in conv.group.members.values() if m.name == "Mum"]
    assert account not in conv.group.members
    assert mum.identities == ("console:mum",) and mum.added_by is None
    proposal = conv.proposal(1)
    assert proposal.questions[0].by == mum.id
    record = proposal.round.response_of(mum.id)  # type: ignore[union-attr]
    assert record is not None and record.reason == "Ask her first"
    # She answers herself now, and her answer replaces the one given for her.
    conv.by("Mum", c.Respond(1, "consent"))
    record = conv.proposal(1).round.response_of(mum.id)  # type: ignore[union-attr]
    assert record is not None and (record.response, record.recorded_by) == ("consent", None)


def test_confirming_needs_a_person_added_by_name_and_an_account_in_the_group() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.AddPerson("Mum"))
    assert "added by name" in refused(conv, c.ConfirmPerson("Alex", "@Alex"))
    assert "need to say something" in refused(conv, c.ConfirmPerson("Mum", "@Nobody"))


# -- linking chats ---------------------------------------------------------------------------


def test_a_link_code_is_used_only_in_the_chat_by_someone_in_it() -> None:
    conv = team("Sam")
    conv.by("Sam", c.LinkStart("k3y"))
    assert "in the chat you want to add" in refused(
        conv, c.LinkChat("k3y", "dm:console:kim"), "Kim", private=True, present=False
    )
    assert "Please join the chat first" in refused(
        conv, c.LinkChat("k3y", "console:family"), "Kim", present=False
    )
    assert conv.group.chats == (CHAT,)


def test_every_chat_of_the_group_is_told_when_one_joins() -> None:
    conv = team("Sam")
    conv.by("Sam", c.LinkStart("k3y"))
    decision = conv.by("Kim", c.LinkChat("k3y", "console:family"))
    (post,) = [e for e in decision.effects if isinstance(e, Post)]
    assert "Kim added another chat" in conv.last_text()
    assert conv.group.chats == (CHAT, "console:family") and post.card is None


def test_a_chat_leaves_its_group_only_by_a_facilitators_word() -> None:
    conv = team("Sam", "Alex")
    conv.by("Sam", c.LinkStart("k3y"))
    conv.by("Sam", c.LinkChat("k3y", "console:family"))
    assert "Only a facilitator" in refused(conv, c.MoveChat("console:family", "other"), "Alex")
    conv.by("Sam", c.MoveChat("console:family", "other"))
    assert conv.group.chats == (CHAT,)
    assert "has joined another group" in conv.last_text()


def test_a_groups_only_chat_with_decisions_does_not_move_away() -> None:
    conv = team("Sam")
    conv.by("Sam", c.Propose("Move the morning visit to 10:00"))
    text = refused(conv, c.MoveChat(CHAT, "other"))
    assert "already has its own decisions" in text
    assert conv.group.chats == (CHAT,)


def test_an_empty_chat_may_move_to_another_group() -> None:
    conv = Conversation()
    conv.by("Sam", c.Status())
    assert conv.group.members[conv.member_id("Sam")].role is Role.FACILITATOR
    conv.by("Sam", c.MoveChat(CHAT, "other"))
    assert conv.group.chats == ()


def test_only_the_platform_makes_someone_a_facilitator_by_joining() -> None:
    conv = team("Sam", "Alex")
    conv.by("Kim", c.Join(already_there=True, runs_the_chat=True))  # a Matrix moderator
    assert conv.group.members[conv.member_id("Kim")].role is Role.FACILITATOR
    conv.by("Alex", c.Join(runs_the_chat=True))  # an existing member made one by the room
    assert conv.group.members[conv.member_id("Alex")].role is Role.FACILITATOR
    # Typed words never carry it: "join" is a plain join, whatever follows it.
    for words in ("join", "join facilitator", "/join runs_the_chat=True"):
        typed = parse(words)
        assert not isinstance(typed, c.Join) or typed == c.Join()
