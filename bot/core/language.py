"""The chat language: what people type to the bot, read into actions.

    consent #7                         object #7 Tuesday is too early for Mum
    propose Move the morning visit to 10:00   (details and options on the lines below)
    poll Which day? | Monday | Tuesday         vote #7 2        for Mum consent #7

:func:`parse` reads one message (the text after the adapter decided it was
for the bot) into one of the actions in ``commands``, or a
:class:`NotUnderstood` that says, kindly and with an example to copy, what
to type instead. It never raises, whatever it is given.

It is forgiving: a leading "/" or "!" (Telegram, Matrix), "@botname" after
the command word, case, accents, punctuation around words, "please" and
"thanks", and several words for most commands ("end" for close, "edit" for
amend). The command words are in ``COMMANDS`` below; response words come
from the process table (``processes``) and are read in ``language_responses``;
new proposals and their option lines are read in ``language_options``, and
the commands about people and settings in ``language_settings``.

A proposal's number may be written "#7", "# 7", "no. 7", or "7" right after
the command word; a number typed always wins over ``reply_to``, the card the
message replies to, which fills in when no number is typed.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import replace

from bot.core.checkins import ANSWERS as REVIEW_ANSWERS
from bot.core.commands import (
    Action,
    Amend,
    AnswerQuestion,
    Ask,
    AskReview,
    CheckIn,
    Close,
    Decisions,
    Export,
    Extend,
    ForgetMe,
    Help,
    History,
    Join,
    Leave,
    MyData,
    RecordOutcome,
    Reopen,
    SetReview,
    Show,
    Start,
    Status,
    Withdraw,
    WithdrawObjection,
)
from bot.core.i18n import N_, Phrase
from bot.core.language_doing import EXAMPLES as DOING_EXAMPLES
from bot.core.language_doing import read_action, read_done, read_signup, read_take
from bot.core.language_options import EXAMPLES as PROPOSAL_EXAMPLES
from bot.core.language_options import read_proposal
from bot.core.language_responses import (
    PROXY_EXAMPLE,
    RESPONSES,
    example,
    read_proxy,
    read_response,
    response_name,
)
from bot.core.language_settings import EXAMPLES as SETTINGS_EXAMPLES
from bot.core.language_settings import HANDLERS as SETTINGS_HANDLERS
from bot.core.language_words import (
    MAX_DETAILS,
    MAX_MESSAGE,
    MAX_SHORT,
    MAX_TEXT,
    MAX_TITLE,
    Handler,
    NotUnderstood,
    Said,
    Words,
    free_text,
    is_filler,
    key,
    over,
    phrase_key,
    proposal_number,
    tidy,
    too_long,
)

__all__ = [
    "COMMANDS",
    "MAX_DETAILS",
    "MAX_MESSAGE",
    "MAX_SHORT",
    "MAX_TEXT",
    "MAX_TITLE",
    "NotUnderstood",
    "parse",
]

# What people type (folded) → the command it names.
COMMANDS: dict[str, str] = {
    **dict.fromkeys(("propose", "proposal", "new proposal"), "propose"),
    **dict.fromkeys(("poll", "new poll"), "poll"),
    **dict.fromkeys(("timepoll", "time poll", "datepoll", "date poll"), "timepoll"),
    **dict.fromkeys(("ask", "question"), "ask"),
    "answer": "answer",
    **dict.fromkeys(("amend", "edit", "change"), "amend"),
    "withdraw": "withdraw",
    **dict.fromkeys(
        ("withdraw objection", "withdraw my objection", "withdraw the objection"),
        "withdraw objection",
    ),
    "extend": "extend",
    **dict.fromkeys(("close", "end"), "close"),
    **dict.fromkeys(("reopen", "re-open", "re open"), "reopen"),
    "outcome": "outcome",
    "review": "review",
    **dict.fromkeys(("signup", "sign up", "sign-up"), "signup"),
    **dict.fromkeys(("action", "actions", "todo", "to do"), "action"),
    **dict.fromkeys(("done", "did it", "it's done", "its done"), "done"),
    **dict.fromkeys(
        ("i'll do it", "ill do it", "i will do it", "i'll take it", "take", "take on"), "take"
    ),
    **dict.fromkeys(("start", "open"), "start"),
    "status": "status",
    **dict.fromkeys(("decisions", "decision", "decision log", "log"), "decisions"),
    **dict.fromkeys(("show", "view"), "show"),
    "print": "print",
    **dict.fromkeys(("calendar", "ics"), "calendar"),
    "history": "history",
    "export": "export",
    **dict.fromkeys(("help", "?", "commands"), "help"),
    "join": "join",
    "leave": "leave",
    "add": "add",
    "remove": "remove",
    "facilitator": "facilitator",
    "this is": "this is",
    **dict.fromkeys(("language", "lang"), "language"),
    **dict.fromkeys(("quiet", "quiet hours"), "quiet"),
    **dict.fromkeys(("reminders", "reminder"), "reminders"),
    **dict.fromkeys(("timezone", "time zone", "tz"), "timezone"),
    **dict.fromkeys(("settings", "setting", "set"), "settings"),
    "link": "link",
    **dict.fromkeys(("weblink", "web link", "webpage", "web page"), "weblink"),
    "unlink": "unlink",
    "me": "me",
    **dict.fromkeys(("mydata", "my data"), "mydata"),
    **dict.fromkeys(("forgetme", "forget me"), "forgetme"),
    **dict.fromkeys(("for", "on behalf of"), "for"),
}
_LONGEST = max(len(phrase.split()) for phrase in (*COMMANDS, *RESPONSES))
# The first words of the phrases of more than one word ("no advice", "on behalf of").
_LEADS = frozenset(phrase.split()[0] for phrase in (*COMMANDS, *RESPONSES) if " " in phrase)

# A correct command to copy, for each command.
EXAMPLES: dict[str, str] = {
    **PROPOSAL_EXAMPLES,
    **SETTINGS_EXAMPLES,
    **DOING_EXAMPLES,
    "ask": "ask #7 Who will cover Tuesday?",
    "answer": "answer #7 Sam will",
    "amend": "amend #7 Move the morning visit to 10:30",
    "withdraw": "withdraw #7",
    "withdraw objection": "withdraw objection #7",
    "extend": "extend #7 Friday 5pm",
    "close": "close #7",
    "reopen": "reopen #7 Friday 5pm",
    "outcome": "outcome #7 Sam covers Tuesdays from next week",
    "review": "review #7 1 March",
    "start": "start #7",
    "status": "status",
    "decisions": "decisions",
    "show": "show #7",
    "print": "show #7 printable",
    "calendar": "show #7 calendar",
    "history": "history #7",
    "export": "export",
    "help": "help",
    "join": "join",
    "leave": "leave",
    "mydata": "mydata",
    "forgetme": "forgetme",
    "for": PROXY_EXAMPLE,
}


# -- the way in ----------------------------------------------------------------------------


def parse(text: str, *, reply_to: int | None = None) -> Action | NotUnderstood:
    """Read one message into an action, or say kindly what to type instead.

    ``reply_to`` is the number of the proposal whose card the message replies
    to, if any: it stands in for a number the message does not type.
    """
    if len(text) > MAX_MESSAGE:
        return too_long("message", MAX_MESSAGE, EXAMPLES["propose"])
    words = Words(_prepare(text))
    while not words.done and _only_marks(words.peek()):
        words.take()  # "- consent", "... status"
    if words.done:
        return NotUnderstood(Phrase(N_("Please type a command, like status or help.")), "help")
    said = Said(reply_to=reply_to)
    lead = words.number_ahead()
    # "#7 consent", "#7" and "no. 7 consent"; but "no 7 too early" is the response "no".
    if (
        lead is not None
        and lead[2]
        and (words.peek().startswith("#") or _phrase_at(words, lead[1]) is not None)
    ):
        words.take(lead[1])
        said = Said(reply_to=reply_to, number=lead[0])
        if words.done or is_filler(words.rest()):
            return Show(lead[0])
    return _command(words, said)


_ADDRESSED = re.compile(r"^@\S+\s+(?=\S)")  # "@carebot status"
_BOT_SUFFIX = re.compile(r"^([^\s@#/!]+)@\w+")  # "/consent@carebot #7"
_JOINED_NUMBER = re.compile(r"^([^\s#]+)#")  # "consent#7"


def _prepare(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.strip().lstrip("/!").lstrip()
    # Each pattern needs its mark: most messages have no "@", and skip two of them.
    if "@" in text:
        text = _ADDRESSED.sub("", text)
    text = text.lstrip("/!").lstrip()
    if "@" in text:
        text = _BOT_SUFFIX.sub(r"\1", text)
    if "#" in text:
        text = _JOINED_NUMBER.sub(r"\1 #", text)
    return text


def _only_marks(word: str) -> bool:
    return (
        not any(ch.isalnum() for ch in word)
        and word not in COMMANDS
        and (word not in RESPONSES and "#" not in word)
    )


def _phrase_at(words: Words, ahead: int = 0) -> tuple[str, int] | None:
    """The longest command or response phrase ``ahead`` words on, and its length."""
    first = words.peek(ahead)
    if first and first not in _LEADS and len(first.split()) == 1:
        # Most messages: no longer phrase can begin with this word.
        return (first, 1) if first in COMMANDS or first in RESPONSES else None
    for size in range(_LONGEST, 0, -1):
        phrase = words.peek_phrase(size, ahead)
        if len(phrase.split()) == size and (phrase in COMMANDS or phrase in RESPONSES):
            return phrase, size
    return None


def _command(words: Words, said: Said) -> Action | NotUnderstood:
    found = _phrase_at(words)
    if found is None:
        return _unknown(words)
    phrase, size = found
    words.take(size)
    if phrase in COMMANDS:  # a command wins over a response spelt the same (there is none)
        return _HANDLERS[COMMANDS[phrase]](words, said)
    return read_response(words, RESPONSES[phrase], said)


# Words a mistyped word is compared with (one word each, as a typo is one word).
_SUGGESTIBLE = tuple(word for word in (*COMMANDS, *RESPONSES) if word.isalpha())


def _unknown(words: Words) -> NotUnderstood:
    """Suggest the nearest command word, or point to help."""
    typed, word = words.original()[:30], words.peek()
    close = (
        difflib.get_close_matches(word, _SUGGESTIBLE, n=1, cutoff=0.75) if len(word) < 20 else []
    )
    if not close:
        return NotUnderstood(
            Phrase(N_("I didn't understand '{word}'. Type help to see what you can say."),
                   {"word": typed}),
            "help",
        )  # fmt: skip
    if close[0] in COMMANDS:
        suggestion = COMMANDS[close[0]]
        sample = EXAMPLES[suggestion]
    else:
        suggestion = RESPONSES[close[0]]
        sample = example(suggestion)
    return NotUnderstood(
        Phrase(N_("I don't know the word '{word}'. Did you mean '{suggestion}'?"),
               {"word": typed, "suggestion": suggestion}),
        sample,
    )  # fmt: skip


def _missing(problem: str, command: str, number: int | None = None) -> NotUnderstood:
    sample = EXAMPLES[command]
    if number is not None:
        sample = sample.replace("#7", f"#{number}")
    return NotUnderstood(Phrase(problem), sample)


# -- proposals -----------------------------------------------------------------------------


def _proposal(kind: str) -> Handler:
    return lambda words, said: read_proposal(kind, words.rest())


def _ask(words: Words, said: Said) -> Action | NotUnderstood:
    number = proposal_number(words, said)
    question = free_text(words.rest())
    if not question:
        return _missing(N_("Please write your question after the number."), "ask", number)
    return over(question, "question", MAX_TEXT, EXAMPLES["ask"]) or Ask(number, question)


def _answer(words: Words, said: Said) -> Action | NotUnderstood:
    number = proposal_number(words, said)
    question = _question_number(words)
    text = free_text(words.rest())
    if not text:
        return _missing(N_("Please write your answer after the number."), "answer", number)
    refusal = over(text, "answer", MAX_TEXT, EXAMPLES["answer"])
    return refusal or AnswerQuestion(number, text, question=question)


def _question_number(words: Words) -> int | None:
    """ "q2", "q 2", "question #2": which question an answer is for."""
    match = re.fullmatch(r"q#?(\d{1,3})", words.peek())
    if match is not None:
        words.take()
        return int(match[1])
    if words.peek() in ("q", "question"):
        found = words.number_ahead(1)
        if found is not None:
            words.take(1 + found[1])
            return found[0]
    return None


def _amend(words: Words, said: Said) -> Action | NotUnderstood:
    number = proposal_number(words, said)
    text = free_text(words.rest())
    if not text:
        return _missing(N_("Please write the new text after the number."), "amend", number)
    return over(text, "details", MAX_DETAILS, EXAMPLES["amend"]) or Amend(number, text)


def _withdraw(words: Words, said: Said) -> Action | NotUnderstood:
    number = proposal_number(words, said)
    if phrase_key(words.rest()).removeprefix("my ") in ("objection", "object", "block"):
        return WithdrawObjection(number)  # "withdraw #7 objection"
    return Withdraw(number)


def _withdraw_objection(words: Words, said: Said) -> Action | NotUnderstood:
    return WithdrawObjection(proposal_number(words, said))


def _date(words: Words, *leads: str) -> str:
    """A date or length after the number, without "until"/"by" in front."""
    value = tidy(words.rest())
    first = value.split(None, 1)
    if len(first) == 2 and key(first[0]) in leads:
        value = first[1]
    return value


def _extend(words: Words, said: Said) -> Action | NotUnderstood:
    number = proposal_number(words, said)
    deadline = _date(words, "to", "until", "till", "by", "for")
    if not deadline:
        return _missing(N_("Please say until when, after the number."), "extend", number)
    return over(deadline, "date", MAX_SHORT, EXAMPLES["extend"]) or Extend(number, deadline)


def _close(words: Words, said: Said) -> Action | NotUnderstood:
    return Close(proposal_number(words, said))


def _reopen(words: Words, said: Said) -> Action | NotUnderstood:
    number = proposal_number(words, said)
    deadline = _date(words, "to", "until", "till", "by", "for")
    if is_filler(deadline):
        return Reopen(number)
    return over(deadline, "date", MAX_SHORT, EXAMPLES["reopen"]) or Reopen(number, deadline)


def _outcome(words: Words, said: Said) -> Action | NotUnderstood:
    number = proposal_number(words, said)
    text = free_text(words.rest())
    if not text:
        return _missing(N_("Please write what was decided, after the number."), "outcome", number)
    return over(text, "outcome", MAX_TEXT, EXAMPLES["outcome"]) or RecordOutcome(number, text)


def _review(words: Words, said: Said) -> Action | NotUnderstood:
    """ "review #7 1 March" (a date), "review #7 now" (ask everyone now), or an
    answer to a review: "review #7 keep", "review #7 change <why>", "review #7 stop <why>"."""
    number = proposal_number(words, said)
    if words.peek() == "now":
        words.take()
        if is_filler(words.rest()):
            return AskReview(number)
        return _missing(N_("Please say when to review it, after the number."), "review", number)
    answer = words.peek()
    if answer in REVIEW_ANSWERS:
        words.take()
        reason = free_text(words.rest())
        if phrase_key(reason) == "it":
            reason = ""  # "keep it", as the button says: no reason given
        refusal = over(reason, "reason", MAX_TEXT, EXAMPLES["review"]) if reason else None
        return refusal or CheckIn(number, answer, reason)
    date = _date(words, "on", "date")
    if not date:
        return _missing(N_("Please say when to review it, after the number."), "review", number)
    return over(date, "date", MAX_SHORT, EXAMPLES["review"]) or SetReview(number, date)


def _start(words: Words, said: Said) -> Action | NotUnderstood:
    number = proposal_number(words, said)
    # A bare "start" is what Telegram sends when someone first opens the bot.
    return Help() if number is None else Start(number)


# -- reading the record --------------------------------------------------------------------


def _typed_number(words: Words, said: Said) -> int | None:
    """A number typed after the command; the card replied to does not count."""
    return proposal_number(words, Said(number=said.number))


def _status(words: Words, said: Said) -> Action | NotUnderstood:
    number = _typed_number(words, said)
    return Status() if number is None else Show(number)


def _decisions(words: Words, said: Said) -> Action | NotUnderstood:
    number = _typed_number(words, said)
    return Decisions() if number is None else Show(number)


def _show(words: Words, said: Said) -> Action | NotUnderstood:
    number = proposal_number(words, said)
    asked = set(phrase_key(words.rest()).split())
    printable = bool({"printable", "print", "printed", "pdf"} & asked)
    calendar = bool({"calendar", "ics", "ical", "diary"} & asked)
    return Show(number, printable=printable, calendar=calendar and not printable)


def _print(words: Words, said: Said) -> Action | NotUnderstood:
    return Show(proposal_number(words, said), printable=True)


def _calendar(words: Words, said: Said) -> Action | NotUnderstood:
    return Show(proposal_number(words, said), calendar=True)


def _history(words: Words, said: Said) -> Action | NotUnderstood:
    return History(proposal_number(words, said))


def _help(words: Words, said: Said) -> Action | NotUnderstood:
    topic = phrase_key(tidy(words.rest()))
    if topic in ("me", "") or is_filler(topic):
        return Help()
    if topic in COMMANDS:
        return Help(COMMANDS[topic])
    if topic in RESPONSES:  # "help objection": the response it means, "object"
        return Help(response_name(RESPONSES[topic]))
    return Help(topic[:40])


# -- people and settings -------------------------------------------------------------------
def _plain(action: Action) -> Handler:
    """A command that takes nothing more: what follows it is ignored."""
    return lambda words, said: action


_HANDLERS: dict[str, Handler] = {
    "propose": _proposal("propose"),
    "poll": _proposal("poll"),
    "timepoll": _proposal("timepoll"),
    "signup": lambda words, said: read_signup(words.rest()),
    "action": read_action,
    "done": read_done,
    "take": read_take,
    "ask": _ask,
    "answer": _answer,
    "amend": _amend,
    "withdraw": _withdraw,
    "withdraw objection": _withdraw_objection,
    "extend": _extend,
    "close": _close,
    "reopen": _reopen,
    "outcome": _outcome,
    "review": _review,
    "start": _start,
    "status": _status,
    "decisions": _decisions,
    "show": _show,
    "print": _print,
    "calendar": _calendar,
    "history": _history,
    "export": _plain(Export()),
    "help": _help,
    "join": _plain(Join()),
    "leave": _plain(Leave()),
    "mydata": _plain(MyData()),
    "forgetme": _plain(ForgetMe()),
    **SETTINGS_HANDLERS,
    "for": lambda words, said: _for(words, said),
}


def _for(words: Words, said: Said) -> Action | NotUnderstood:
    """ "for Mum consent #7" (``read_proxy``), or "for Mum review #7 keep": an answer
    to a review, given for someone added by name."""
    for size in range(1, 4):
        if words.peek(size) == "review":
            person = tidy(" ".join(words.original(i) for i in range(size)))
            words.take(size + 1)
            action = _review(words, said)
            if isinstance(action, CheckIn) and person:
                return replace(action, proxy_for=person)
            if isinstance(action, NotUnderstood):
                return action
            return NotUnderstood(
                Phrase(N_("Please say who you answer for, then their answer.")),
                "for Mum review #7 keep",
            )
    return read_proxy(words, said)
