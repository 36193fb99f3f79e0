"""Who may do what, when: every action on a proposal, by every kind of person, in every stage.

The expectations are written out below as data, from the rules in the design
brief and the issues, not read off the code:

* a facilitator "may manage settings and close, extend or reopen any
  proposal"; "extend, close early and reopen are facilitator or proposer
  actions"; "facilitator @person (facilitators only)";
* the brief has the proposer amend and withdraw; the core's issue gives both to
  "the proposer or a facilitator", and where the two disagree the issue wins;
* responses are taken in the consent round (and while objections are being
  resolved); silence, questions and answers belong to the record;
* "every button press, reaction and DM is checked against the group's
  membership and the proposal's state"; "mydata exports what is held about a
  person, forgetme erases it" (a person who left included).

Where the brief says nothing, the table says what it assumes, in a comment.
Each cell expects one of: ``ok``, ``who`` (refused for who the person is) or
``when`` (refused for the proposal's stage); a person refused for both is told
who first. A cell where the code disagrees goes in ``DISAGREEMENTS``, as an
expected failure listed in docs/reliability.md, until the code is put right.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from datetime import timedelta

import pytest
from _pytest.mark import ParameterSet

from bot.core import commands as c
from bot.core.decide import Decision, decide
from bot.core.effects import Reply
from bot.core.model import Stage
from bot.core.rounds import STAGE_REFUSALS
from tests.core.conversation import Conversation

DAY = timedelta(days=1)

# -- the people ------------------------------------------------------------------------------

# Fran joined first (the facilitator), Pat proposes, Mel is a member, Lee joined and left,
# Rae joined and a facilitator removed her; Nell is not in the group: she writes privately
# (a forwarded button, a deep link); Otto presses and types in the group's chat, but the
# platform does not vouch that he is in it (a public group he never joined).
NON_MEMBER, OUTSIDER, FORMER, REMOVED, MEMBER, PROPOSER, FACILITATOR = (
    "non-member",
    "outsider",
    "former member",
    "removed member",
    "member",
    "proposer",
    "facilitator",
)
ROLES = (NON_MEMBER, OUTSIDER, FORMER, REMOVED, MEMBER, PROPOSER, FACILITATOR)
NAMES = {
    NON_MEMBER: "Nell",
    OUTSIDER: "Otto",
    FORMER: "Lee",
    REMOVED: "Rae",
    MEMBER: "Mel",
    PROPOSER: "Pat",
    FACILITATOR: "Fran",
}

ANYONE = frozenset(ROLES)
MEMBERS = frozenset({MEMBER, PROPOSER, FACILITATOR})
STEWARDS = frozenset({PROPOSER, FACILITATOR})
ONLY_THE_PROPOSER = frozenset({PROPOSER})
FACILITATORS = frozenset({FACILITATOR})

# -- the stages ------------------------------------------------------------------------------

STAGES = (
    Stage.DRAFT,
    Stage.QUESTIONS,
    Stage.OPEN,
    Stage.RESOLVING,
    Stage.AGREED,
    Stage.NOT_AGREED,
    Stage.WITHDRAWN,
    Stage.CLOSED,
    Stage.REVIEW_DUE,
)


WHO = {
    "anyone": ANYONE,
    "members": MEMBERS,
    "stewards": STEWARDS,  # the proposer or a facilitator
    "proposer": ONLY_THE_PROPOSER,
    "facilitators": FACILITATORS,
}

# Who may act on proposal #1, and in which of its stages (✓ allowed, · refused).
# Lines starting with "#" say what is assumed where the brief is silent.
TABLE = """
action             | who       | draft | questions | open | resolving | agreed | not_agreed | withdrawn | closed | review_due
start              | stewards  |   ✓   |     ·     |  ·   |     ·     |   ·    |     ·      |     ·     |   ·    |     ·
respond            | members   |   ·   |     ·     |  ✓   |     ✓     |   ·    |     ·      |     ·     |   ·    |     ·
take back          | members   |   ·   |     ·     |  ✓   |     ✓     |   ·    |     ·      |     ·     |   ·    |     ·
respond for Mum    | members   |   ·   |     ·     |  ✓   |     ✓     |   ·    |     ·      |     ·     |   ·    |     ·
withdraw objection | members   |   ·   |     ·     |  ✓   |     ✓     |   ·    |     ·      |     ·     |   ·    |     ·
# assumed: questions may be asked while the group is still deciding, a draft included
ask                | members   |   ✓   |     ✓     |  ✓   |     ✓     |   ·    |     ·      |     ·     |   ·    |     ·
# assumed: an answer to a question asked belongs to the record, whenever it comes
answer             | members   |   ✓   |     ✓     |  ✓   |     ✓     |   ✓    |     ✓      |     ✓     |   ✓    |     ✓
# the issue for the core: "only the proposer or a facilitator may amend, extend, close,
# reopen or withdraw" (where the brief and an issue disagree, the issue wins)
amend              | stewards  |   ✓   |     ✓     |  ✓   |     ✓     |   ·    |     ·      |     ·     |   ·    |     ·
withdraw           | stewards  |   ✓   |     ✓     |  ✓   |     ✓     |   ·    |     ·      |     ·     |   ·    |     ·
# a draft has no deadline to extend or close; closing the questions opens the responses
extend             | stewards  |   ·   |     ✓     |  ✓   |     ✓     |   ·    |     ·      |     ·     |   ·    |     ·
close              | stewards  |   ·   |     ✓     |  ✓   |     ✓     |   ·    |     ·      |     ·     |   ·    |     ✓
# an agreed decision, or one due for review, reopens as a new proposal that follows it
reopen             | stewards  |   ·   |     ·     |  ·   |     ·     |   ✓    |     ✓      |     ✓     |   ✓    |     ✓
# assumed: the proposer or a facilitator records what came of it, once it has ended
outcome            | stewards  |   ·   |     ·     |  ·   |     ·     |   ✓    |     ✓      |     ✓     |   ✓    |     ✓
# assumed: a review date suits anything that is, or may become, a decision
review             | stewards  |   ✓   |     ✓     |  ✓   |     ✓     |   ✓    |     ·      |     ·     |   ·    |     ✓
# a review's check-in: any member asks for one about a decision in force, and answers it
review now         | members   |   ·   |     ·     |  ·   |     ·     |   ✓    |     ·      |     ·     |   ·    |     ·
check-in           | members   |   ·   |     ·     |  ·   |     ·     |   ·    |     ·      |     ·     |   ·    |     ✓
show               | members   |   ✓   |     ✓     |  ✓   |     ✓     |   ✓    |     ✓      |     ✓     |   ✓    |     ✓
history            | members   |   ✓   |     ✓     |  ✓   |     ✓     |   ✓    |     ✓      |     ✓     |   ✓    |     ✓
# things to do come after a decision (or a sign-up that closed short of people);
# #1.1 is nobody's yet, so anyone may take it on, give it a date or mark it done
add action         | members   |   ·   |     ·     |  ·   |     ·     |   ✓    |     ·      |     ·     |   ✓    |     ✓
take on action     | members   |   ·   |     ·     |  ·   |     ·     |   ✓    |     ·      |     ·     |   ✓    |     ✓
move action        | members   |   ·   |     ·     |  ·   |     ·     |   ✓    |     ·      |     ·     |   ✓    |     ✓
action done        | members   |   ·   |     ·     |  ·   |     ·     |   ✓    |     ·      |     ·     |   ✓    |     ✓
"""  # noqa: E501

ACTIONS: dict[str, c.Action] = {
    "start": c.Start(1),
    "respond": c.Respond(1, "consent"),
    "take back": c.Unrespond(1, "consent"),
    "respond for Mum": c.Respond(1, "consent", proxy_for="Mum"),
    "withdraw objection": c.WithdrawObjection(1),
    "ask": c.Ask(1, "What time would Mum get up?"),
    "answer": c.AnswerQuestion(1, "At nine."),
    "amend": c.Amend(1, "At 10:30 on Tuesdays"),
    "withdraw": c.Withdraw(1),
    "extend": c.Extend(1, "in 10 days"),
    "close": c.Close(1),
    "reopen": c.Reopen(1, "in 5 days"),
    "outcome": c.RecordOutcome(1, "We start on Monday"),
    "review": c.SetReview(1, "in 6 months"),
    "review now": c.AskReview(1),
    "check-in": c.CheckIn(1, "keep"),
    "show": c.Show(1),
    "history": c.History(1),
    "add action": c.AddAction(1, "Mel tells the agency", "in 30 days"),
    "take on action": c.TakeAction(1, 1),
    "move action": c.MoveAction(1, 1, "in 25 days"),
    "action done": c.ActionDone(1, 1),
}


def read_table(table: str) -> dict[str, dict[tuple[str, str], str]]:
    """Each action's expected outcome ("ok", "who" or "when") per (role, stage)."""
    header, *rows = [
        [cell.strip() for cell in line.split("|")]
        for line in table.strip().splitlines()
        if not line.startswith("#")
    ]
    stages = header[2:]
    assert stages == [stage.value for stage in STAGES]
    expected = {}
    for action, who, *marks in rows:
        expected[action] = {
            (role, stage): "who" if role not in WHO[who] else "ok" if mark == "✓" else "when"
            for role in ROLES
            for stage, mark in zip(stages, marks, strict=True)
        }
    return expected


EXPECTED = read_table(TABLE)


# Actions on the group, the same in every stage (tried while #1 is open).
ON_THE_GROUP: dict[str, tuple[c.Action, frozenset[str]]] = {
    "propose": (c.Propose("Paint the hall"), MEMBERS),
    "status": (c.Status(), MEMBERS),
    "decisions": (c.Decisions(), MEMBERS),
    "export": (c.Export(), MEMBERS),
    "settings": (c.ShowSettings(), MEMBERS),
    "my setting": (c.MySetting("reminders", "off"), MEMBERS),
    # The right to see and to erase one's data outlives membership, however it ended.
    "mydata": (c.MyData(), frozenset({FORMER, REMOVED, *MEMBERS})),
    "forgetme": (c.ForgetMe(), frozenset({FORMER, REMOVED, *MEMBERS})),
    # Nobody answers for a member who has a chat account (Mel may name herself).
    "respond for Mel": (c.Respond(1, "consent", proxy_for="Mel"), frozenset({MEMBER})),
    # Assumed: anyone in the group may add someone who answers through a proxy …
    "add someone": (c.AddPerson("Grandad"), MEMBERS),
    # … and taking someone out of the count is managing the group.
    "remove someone": (c.RemovePerson("Mum"), FACILITATORS),
    "make facilitator": (c.MakeFacilitator("Mel"), FACILITATORS),
    "change a group setting": (c.GroupSetting("quorum", "60"), FACILITATORS),
    "link a chat": (c.LinkStart("a1b2c3d4"), FACILITATORS),
    # A private link to the group's web page, and stopping every such link.
    "make a web link": (c.WebLinkStart("9f86d081", "https://x.example/d/s3cret"), FACILITATORS),
    "stop the web links": (c.WebLinkOff(), FACILITATORS),
    # The chat's own group lets it go to another only by a facilitator's word.
    "move the chat": (c.MoveChat("console:other", "console:elsewhere"), FACILITATORS),
    # A name alone never makes an account someone added by name: a facilitator confirms.
    "this is Mum": (c.ConfirmPerson("Mum", "@Mel"), FACILITATORS),
    # Joining happens in the group's chat, by someone the platform vouches is in it:
    # privately, it would let someone removed from the chat back in. Someone who left
    # comes back; someone a facilitator removed does not.
    "join": (c.Join(), frozenset({FORMER, *MEMBERS})),
    "help": (c.Help(), ANYONE),
    # The only facilitator hands on the role before leaving.
    "leave": (c.Leave(), frozenset({MEMBER, PROPOSER})),
}

# Where the code and the brief disagree (see the module's docstring).
DISAGREEMENTS: dict[tuple[str, str], str] = {}

# -- what a refusal means --------------------------------------------------------------------
#
# Refusals are told apart by their message id. The words change as the bot's texts are
# improved, so the ids are learnt from the code itself: each from one plain case, tried
# once, of a person refused for who they are or for when they ask.


def msgid(decision: Decision) -> str:
    assert decision.refused, decision.summary
    return decision.summary.split(": ", 1)[1]


@functools.cache
def refusals() -> dict[str, str]:
    """Each refusal's message id, and whether it is about who (who) or when (when)."""
    learnt = {text: "when" for text in STAGE_REFUSALS.values()}
    for role, action, stage, why in (
        (NON_MEMBER, c.Status(), Stage.OPEN, "who"),  # not in the group
        (NON_MEMBER, c.Join(), Stage.OPEN, "who"),  # joining privately
        (OUTSIDER, c.Status(), Stage.OPEN, "who"),  # the platform does not vouch for him
        (FORMER, c.Status(), Stage.OPEN, "who"),  # left the group
        (REMOVED, c.Status(), Stage.OPEN, "who"),  # removed by a facilitator
        (PROPOSER, c.Respond(1, "consent", proxy_for="Mel"), Stage.OPEN, "who"),  # Mel can
        (MEMBER, c.GroupSetting("quorum", "60"), Stage.OPEN, "who"),  # not a facilitator
        (MEMBER, c.Close(1), Stage.OPEN, "who"),  # neither proposer nor facilitator
        (FACILITATOR, c.Leave(), Stage.OPEN, "who"),  # the only facilitator
        (PROPOSER, c.Start(1), Stage.OPEN, "when"),  # already started
        (PROPOSER, c.RecordOutcome(1, "x"), Stage.OPEN, "when"),  # not ended yet
        (PROPOSER, c.CheckIn(1, "keep"), Stage.OPEN, "when"),  # not being reviewed
        (PROPOSER, c.AddAction(1, "x"), Stage.OPEN, "when"),  # not decided yet
        (PROPOSER, c.ActionDone(1, 1), Stage.OPEN, "when"),  # no action before a decision
    ):
        learnt[msgid(attempt(role, action, stage))] = why
    return learnt


def outcome(decision: Decision) -> str:
    """ok, who or when; anything else is a refusal the table did not plan for."""
    if not decision.refused:
        return "ok"
    return refusals().get(msgid(decision), f"refused: {msgid(decision)}")


# -- a group with proposal #1 in each stage --------------------------------------------------


@functools.cache
def group_at(stage: Stage) -> Conversation:
    """Fran, Pat, Mel, Mum (added by name), Lee (who left) and Rae (removed); Pat's #1 in
    ``stage``, with a
    question Mel asked while it was open."""
    conv = Conversation()
    for name in ("Fran", "Pat", "Mel", "Lee", "Rae"):
        conv.by(name, c.Join())
    conv.by("Lee", c.Leave())
    conv.by("Fran", c.RemovePerson("Rae"))
    conv.by("Fran", c.AddPerson("Mum"))
    proposal = c.Propose("Move the morning visit to 10:00", "Mum sleeps badly")
    conv.by("Pat", {
        Stage.DRAFT: replace(proposal, draft=True),
        Stage.QUESTIONS: replace(proposal, questions="1 day"),
        Stage.CLOSED: replace(proposal, process="ack"),  # for information: it ends "closed"
        Stage.REVIEW_DUE: replace(proposal, review="in 10 days"),
    }.get(stage, proposal))  # fmt: skip
    conv.by("Mel", c.Ask(1, "Has anyone asked Mum?"))
    if stage in (Stage.OPEN, Stage.RESOLVING):
        for name in ("Fran", "Pat", "Mel"):
            conv.by(name, c.Respond(1, "object", reason=f"{name} is worried"))
    if stage in (Stage.AGREED, Stage.REVIEW_DUE):
        for name in ("Fran", "Pat", "Mel"):
            conv.by(name, c.Respond(1, "consent"))
        conv.by("Fran", c.Respond(1, "consent", proxy_for="Mum"))
    if stage is Stage.WITHDRAWN:
        conv.by("Pat", c.Withdraw(1))
    if stage in (Stage.RESOLVING, Stage.NOT_AGREED, Stage.CLOSED, Stage.AGREED):
        conv.wait(4 * DAY)
    if stage is Stage.REVIEW_DUE:
        conv.wait(11 * DAY)
    if stage in (Stage.AGREED, Stage.CLOSED, Stage.REVIEW_DUE):
        conv.by("Fran", c.AddAction(1, "tell the agency", "in 20 days"))  # #1.1, nobody's yet
    assert conv.proposal(1).stage is stage
    return conv


def attempt(role: str, action: c.Action, stage: Stage) -> Decision:
    """``role`` tries ``action`` in a group whose #1 is in ``stage``; nothing is kept."""
    conv = group_at(stage)
    name = NAMES[role]
    actor = c.Actor(identity=f"console:{name.lower()}", name=name)
    private = role == NON_MEMBER
    chat = f"dm:console:{name.lower()}" if private else "console:group"
    present = not private and role != OUTSIDER
    request = c.Request(actor, chat, action, private=private, present=present)
    decision = decide(conv.group, request, conv.now)
    if decision.refused:
        # A refusal changes nothing and says why, once.
        assert decision.group is conv.group
        assert [type(e) for e in decision.effects] == [Reply]
    return decision


def cells(name: str, role: str) -> list[ParameterSet]:
    marks = (
        [pytest.mark.xfail(strict=True, reason=DISAGREEMENTS[(name, role)])]
        if ((name, role) in DISAGREEMENTS)
        else []
    )
    return [pytest.param(name, role, id=f"{name}-{role}", marks=marks)]


@pytest.mark.parametrize(
    ("name", "role"), [cell for name in EXPECTED for role in ROLES for cell in cells(name, role)]
)
def test_who_may_act_on_a_proposal_in_which_stage(name: str, role: str) -> None:
    expected = {stage.value: EXPECTED[name][(role, stage.value)] for stage in STAGES}
    found = {stage.value: outcome(attempt(role, ACTIONS[name], stage)) for stage in STAGES}
    assert found == expected


@pytest.mark.parametrize(
    ("name", "role"),
    [cell for name in ON_THE_GROUP for role in ROLES for cell in cells(name, role)],
)
def test_who_may_act_on_the_group(name: str, role: str) -> None:
    action, who = ON_THE_GROUP[name]
    assert outcome(attempt(role, action, Stage.OPEN)) == ("ok" if role in who else "who")


def test_every_action_is_in_the_table() -> None:
    """A new kind of action must be given its row here, so no one forgets to decide who."""
    platform_events = {c.ChatMoved, c.ChatGone, c.LinkChat, c.Unclear}
    # Where they are said decides first (privately; in a chat that joined the group):
    # who may, and where, is each rule of tests/core/test_accounts.py.
    said_somewhere = {c.MyCode, c.ThisIsMe, c.Unlink}
    tabled = {type(a) for a in ACTIONS.values()} | {type(a) for a, _ in ON_THE_GROUP.values()}
    assert set(ACTIONS) == set(EXPECTED)
    assert set(c.Action.__args__) - platform_events - said_somewhere == tabled
