"""A console chat: one person plays every member, and moves the clock.

Lines people type:

    propose Move the morning visit to 10:00     said by the current person, in the group
    as Alex                                      from now on, you are Alex
    Alex: consent #1                             one line as Alex
    dm status                                    a private message to the bot
    wait 2d                                      move the clock on (timers fire, nudges arrive)
    # a comment                                  ignored

In a script, a line that starts with spaces continues the message above it
(details and options of a proposal). After every line the application runs
exactly as it does for Telegram or Matrix: the words are decided and stored,
due timers fire, and the outbox is delivered — here, to the terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta

from adapters.console.adapter import GROUP_CHAT, ConsoleAdapter, identity_of
from bot.app import Application, DeliveryLoop, ManualClock
from bot.core.commands import Actor
from bot.core.deadlines import parse_duration

WELCOME = """\
Welcome to Deciding Together. This is a practice group chat in your terminal.
You are {name}. Type what a person would say in the group, for example:
    propose Move the morning visit to 10:00
Other things you can type:
    as Alex        speak as someone else (they join the group)
    wait 1d        move the clock on by a day (deadlines and reminders happen)
    dm status      send the bot a private message
    help           what the bot understands
    quit           leave
For details and options of a proposal, end the line with \\ and go on below."""


class ScriptError(Exception):
    """A script line that makes no sense; the message says which and why."""


class ConsoleSession:
    def __init__(
        self,
        app: Application,
        adapter: ConsoleAdapter,
        clock: ManualClock,
        write: Callable[[str], None],
        speaker: str = "Sam",
    ) -> None:
        self.app = app
        self.adapter = adapter
        self.clock = clock
        self.write = write
        self.speaker = speaker
        self.delivery = DeliveryLoop(app)

    # -- what people do -----------------------------------------------------------------

    async def say(self, name: str, text: str, *, private: bool = False) -> None:
        identity = identity_of(name)
        pending = self.adapter.awaiting_reason.get(identity)
        if pending is not None and pending[2] == private:  # answered where it was asked
            del self.adapter.awaiting_reason[identity]
            word, number, _privately = pending
            if text.strip().lower() in ("cancel", "stop"):
                await self._settle()
                return
            text = f"{word} #{number} {text}"
        chat = f"dm:{identity}" if private else GROUP_CHAT
        submitted = await self.app.submit(
            chat=chat,
            actor=Actor(identity=identity, name=name),
            text=text,
            private=private,
            present=not private,
            chat_title="Console group",
        )
        for document in submitted.direct:
            from adapters.console.render import render

            lines = render(document)
            self.write(f"bot → {name} (private): {lines[0]}")
            for line in lines[1:]:
                self.write("    " + line)
        await self._settle()

    async def wait(self, duration: timedelta) -> None:
        """Move the clock on in steps, so each timer fires at its own time, in order."""
        end = self.clock.now() + duration
        while True:
            due = await self.app.next_timer_due()
            if due is None or due > end:
                break
            if due > self.clock.now():
                self.clock.advance(due - self.clock.now())
            await self._settle()
        if end > self.clock.now():
            self.clock.advance(end - self.clock.now())
        await self._settle()

    async def _settle(self) -> None:
        """Fire what is due and deliver everything that can be delivered now."""
        for _ in range(100):
            fired = await self.app.run_due_timers()
            sent = await self.delivery.run_once()
            if not fired and not sent:
                return

    # -- lines --------------------------------------------------------------------------

    async def line(self, text: str) -> bool:
        """Act on one line; returns False when the person wants to stop."""
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            return True
        lowered = stripped.lower()
        if lowered in ("quit", "exit", "bye"):
            return False
        if lowered.startswith("as "):
            self.speaker = stripped[3:].strip().title() or self.speaker
            self.write(f"(you are now {self.speaker})")
            return True
        if lowered.startswith("wait"):
            duration = parse_duration(stripped[4:].strip()) if stripped[4:].strip() else None
            if duration is None or duration <= timedelta(0):
                raise ScriptError(
                    f'"{stripped}": say how long to wait, like "wait 2d" or "wait 3 hours".'
                )
            self.write(f"(time passes: {stripped[4:].strip()})")
            await self.wait(duration)
            return True
        if lowered.startswith("dm "):
            await self.say(self.speaker, stripped[3:], private=True)
            return True
        name, sep, rest = stripped.partition(":")
        if sep and name and " " not in name.strip() and len(name) <= 30 and rest.strip():
            await self.say(name.strip().title(), rest.strip())
            return True
        await self.say(self.speaker, text.strip())
        return True

    async def play(self, lines: Iterable[str]) -> None:
        """Play a script, echoing each message as a transcript line."""
        for number, message in _messages(lines):
            try:
                first = message.splitlines()[0].strip()
                if (
                    first
                    and not first.startswith("#")
                    and not first.lower().startswith(("wait", "as "))
                ):
                    self._echo(message)
                if not await self.line(message):
                    return
            except ScriptError as problem:
                raise ScriptError(f"line {number}: {problem}") from None

    def _echo(self, message: str) -> None:
        lines = message.splitlines()
        name, sep, rest = lines[0].partition(":")
        if sep and " " not in name.strip() and rest.strip():
            head = f"{name.strip().title()}: {rest.strip()}"
        else:
            head = f"{self.speaker}: {lines[0].strip()}"
        self.write(head)
        for line in lines[1:]:
            self.write("    " + line.strip())


def _messages(lines: Iterable[str]) -> Iterable[tuple[int, str]]:
    """Join continuation lines (starting with spaces) onto the message above."""
    current: list[str] = []
    start = 0
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\n")
        if line[:1] in (" ", "\t") and current and line.strip():
            current.append(line.strip())
            continue
        if current:
            yield start, "\n".join(current)
        current, start = [line], number
    if current:
        yield start, "\n".join(current)
