"""Reading the commands about people and settings.

    add Mum · remove @sam · facilitator @sam
    language cy · quiet 21:00-08:00 · reminders off · timezone Europe/London
    settings · settings quorum 60% · link · link K7Q2MX · unlink · weblink · weblink off
    me · me K7Q2MX (one's own accounts on two platforms)

Personal settings become ``MySetting`` and the group's become
``GroupSetting``. Keys are checked here, values are kept as typed (only "on"
and "off" are read): ``decide`` checks values, because it knows what each one
means and answers in the person's language.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.core.commands import (
    Action,
    AddPerson,
    ConfirmPerson,
    GroupSetting,
    LinkChat,
    LinkStart,
    MakeFacilitator,
    MyCode,
    MySetting,
    RemovePerson,
    ShowSettings,
    ThisIsMe,
    Unlink,
    WebLinkOff,
    WebLinkStart,
)
from bot.core.i18n import N_, Phrase
from bot.core.language_words import (
    MAX_SHORT,
    Handler,
    NotUnderstood,
    Said,
    Words,
    is_filler,
    key,
    over,
    tidy,
)

EXAMPLES: dict[str, str] = {
    "add": "add Mum",
    "remove": "remove Mum",
    "facilitator": "facilitator @sam",
    "this is": "this is Mum @mary",
    "language": "language cy",
    "quiet": "quiet 21:00-08:00",
    "reminders": "reminders off",
    "timezone": "timezone Europe/London",
    "settings": "settings quorum 50%",
    "link": "link",
    "weblink": "weblink",
    "unlink": "unlink",
    "me": "me",
}

# The group's settings (``settings <key> <value>``), by the key folded and run
# together ("min deadline", "min-deadline" → "mindeadline").
GROUP_SETTINGS: dict[str, str] = {
    **dict.fromkeys(("timezone", "tz", "zone"), "timezone"),
    **dict.fromkeys(("language", "lang"), "language"),
    **dict.fromkeys(("process", "method"), "process"),
    "quorum": "quorum",
    **dict.fromkeys(("duration", "length", "round", "rounds"), "duration"),
    **dict.fromkeys(("questions", "question", "questionsround", "questionround"), "questions"),
    **dict.fromkeys(("nudge", "nudges", "nudgebefore", "reminder", "reminders"), "nudge"),
    **dict.fromkeys(("digest", "weeklydigest"), "digest"),
    **dict.fromkeys(("mindeadline", "minimumdeadline", "mindeadlines"), "mindeadline"),
    **dict.fromkeys(("resolve", "resolving", "resolveround"), "resolve"),
}
_SETTING_EXAMPLES = {
    "timezone": "settings timezone Europe/London",
    "language": "settings language cy",
    "process": "settings process consent",
    "quorum": "settings quorum 50%",
    "duration": "settings duration 3 days",
    "questions": "settings questions 1 day",
    "nudge": "settings nudge 24 hours",
    "digest": "settings digest on",
    "mindeadline": "settings mindeadline 1 hour",
    "resolve": "settings resolve 2 days",
}
_ON = frozenset({"on", "yes", "true", "1", "start", "enable", "enabled"})
_OFF = frozenset({"off", "no", "false", "0", "stop", "disable", "disabled", "none", "never"})


def _name(words: Words, command: str) -> str | NotUnderstood:
    name = tidy(words.rest().split("\n")[0])
    if not name:
        problem = N_("Please write the person's name after the word {command}.")
        return NotUnderstood(Phrase(problem, {"command": command}), EXAMPLES[command])
    return over(name, "name", MAX_SHORT, EXAMPLES[command]) or name


def _person(command: str, action: Callable[[str], Action]) -> Handler:
    def read(words: Words, said: Said) -> Action | NotUnderstood:
        name = _name(words, command)
        return name if isinstance(name, NotUnderstood) else action(name)

    return read


def _confirm_person(words: Words, said: Said) -> Action | NotUnderstood:
    """``this is Mum @mary``: the person added by name, then the account after "@"."""
    text = tidy(words.rest().split("\n")[0])
    name, at, account = text.partition("@")
    name, account = tidy(name).rstrip(":=,").strip(), tidy(account)
    if not at or not name or not account:
        problem = N_(
            "Please write the name of the person added by name, then their chat account after @."
        )
        return NotUnderstood(Phrase(problem), EXAMPLES["this is"])
    too_long = over(name, "name", MAX_SHORT, EXAMPLES["this is"]) or over(
        account, "name", MAX_SHORT, EXAMPLES["this is"]
    )
    # The "@" stays: a Matrix account is named by its whole id ("@mary:example.org").
    return too_long or ConfirmPerson(name=name, account="@" + account.lstrip("@"))


def _value(words: Words) -> str:
    value = tidy(words.rest().split("\n")[0].lstrip(":=").strip())
    first = value.split(None, 1)
    return first[1] if len(first) == 2 and key(first[0]) in ("to", "is") else value


def _my_setting(setting: str) -> Handler:
    def read(words: Words, said: Said) -> Action | NotUnderstood:
        value = _value(words)
        if setting == "reminders":
            return _reminders(value)
        elif setting == "quiet" and key(value) in _OFF:
            value = "off"
        if not value:
            problem = N_("Please write the new {setting} after the word {setting}.")
            return NotUnderstood(Phrase(problem, {"setting": setting}), EXAMPLES[setting])
        return over(value, "value", MAX_SHORT, EXAMPLES[setting]) or MySetting(setting, value)

    return read


# The apps private reminders may go to ("reminders on telegram"), by what people call them.
PLATFORM_WORDS: dict[str, str] = {"telegram": "telegram", "matrix": "matrix", "element": "matrix"}
_ON_WORDS = frozenset({"on", "to", "via", "in", "by", "through"})


def _reminders(value: str) -> Action | NotUnderstood:
    """``reminders on``, ``reminders off``, or ``reminders on telegram``: the app
    private reminders go to, for someone whose accounts on several are linked."""
    words = [key(word) for word in value.split()]
    platforms = [PLATFORM_WORDS[w] for w in words if w in PLATFORM_WORDS]
    rest = [w for w in words if w not in PLATFORM_WORDS]
    if len(platforms) == 1 and all(w in _ON_WORDS or w in _ON for w in rest):
        return MySetting("reminders", f"on {platforms[0]}")
    switch = key(value)
    if platforms or switch not in _ON | _OFF:
        problem = N_("Please say reminders on or reminders off.")
        return NotUnderstood(Phrase(problem), EXAMPLES["reminders"])
    return MySetting("reminders", "on" if switch in _ON else "off")


def _settings(words: Words, said: Said) -> Action | NotUnderstood:
    if is_filler(words.rest()):
        return ShowSettings()
    for size in (2, 1):
        name = re.sub(r"[\W_]+", "", "".join(words.peek(i) for i in range(size)))
        if name in GROUP_SETTINGS:
            setting = GROUP_SETTINGS[name]
            words.take(size)
            break
    else:
        typed = words.original()[:30]
        names = ", ".join(dict.fromkeys(GROUP_SETTINGS.values()))
        problem = N_("I don't know the setting '{setting}'. You can change: {names}.")
        return NotUnderstood(
            Phrase(problem, {"setting": typed, "names": names}), EXAMPLES["settings"]
        )
    value = _value(words)
    sample = _SETTING_EXAMPLES[setting]
    if not value:
        problem = N_("Please write the new value after the setting's name.")
        return NotUnderstood(Phrase(problem), sample)
    return over(value, "value", MAX_SHORT, sample) or GroupSetting(setting, value)


def _link(words: Words, said: Said) -> Action | NotUnderstood:
    code = tidy(words.original())
    if words.done or is_filler(code):
        return LinkStart(code="")  # the application makes the code
    confirmed = key(words.original(1)) in _CONFIRM
    return over(code, "value", MAX_SHORT, "link") or LinkChat(
        code=code, chat="", confirmed=confirmed
    )


# "link CODE confirm": a link that needed a warning first goes ahead.
_CONFIRM = frozenset({"confirm", "confirmed", "yes", "ok"})


def _me(words: Words, said: Said) -> Action | NotUnderstood:
    code = tidy(words.original())
    if words.done or is_filler(code):
        return MyCode(code="")  # the application makes the code
    return over(code, "value", MAX_SHORT, "me") or ThisIsMe(code=code)


def _weblink(words: Words, said: Said) -> Action | NotUnderstood:
    rest = tidy(words.original())
    if words.done or is_filler(rest):
        return WebLinkStart(digest="")  # the application makes the link
    if key(rest) in ("off", "stop", "no"):
        return WebLinkOff()
    problem = N_("Say weblink to get a link to the web page, or weblink off to stop every link.")
    return NotUnderstood(Phrase(problem), "weblink off")


HANDLERS: dict[str, Handler] = {
    "add": _person("add", AddPerson),
    "remove": _person("remove", RemovePerson),
    "facilitator": _person("facilitator", MakeFacilitator),
    "this is": _confirm_person,
    "language": _my_setting("language"),
    "quiet": _my_setting("quiet"),
    "reminders": _my_setting("reminders"),
    "timezone": _my_setting("timezone"),
    "settings": _settings,
    "link": _link,
    "weblink": _weblink,
    "unlink": lambda words, said: Unlink(),
    "me": _me,
}
