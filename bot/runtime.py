"""Running for real: storage, the application, its loops, the configured adapters, and the
daily deletion of closed proposals past ``[storage] retention_months``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Awaitable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dateutil.relativedelta import relativedelta

from bot.app import (
    Adapter,
    Application,
    Clock,
    DeliveryLoop,
    EveryRole,
    Roles,
    Storage,
    StorageError,
    SystemClock,
)
from bot.app.roles import HOUSEKEEPING, matrix_device, sending
from bot.core import record
from bot.core.deadlines import valid_timezone
from bot.core.i18n import real_language
from bot.core.model import GroupSettings
from bot.private_files import private_folder, write_private
from bot.pruning import keep_pruned
from bot.supervising import keep_alive, now_and_every
from bot.translations import install_translations
from bot.worker import Worker
from storage.sqlite import SqliteStorage

if TYPE_CHECKING:
    from bot.config import Config
    from bot.web.server import WebServer

log = logging.getLogger("deciding_together")

# How often closed proposals past the retention period are looked for.
RETENTION_EVERY = timedelta(days=1)
# Seconds the sends under way get to finish when the bot is asked to stop. One cut
# short is not marked sent, so it goes out at the next start (at least once).
STOP_GRACE = 1.0
# The exit code when a second Ctrl-C or SIGTERM ends a stop that takes too long.
EXIT_ASKED_TWICE = 130


class GroupNotFound(Exception):
    pass


def check_language(settings: GroupSettings, code: str) -> GroupSettings:
    language = real_language(code)
    if language is None:
        raise ValueError(f'"{code}" is not a language code I know. Try one like en, cy or pl.')
    return replace(settings, language=language)


def check_timezone(settings: GroupSettings, name: str) -> GroupSettings:
    zone = valid_timezone(name)
    if zone is None:
        raise ValueError(f'"{name}" is not a time zone I know. Try one like Europe/London.')
    return replace(settings, timezone=zone)


def _adapters(config: Config) -> list[Adapter]:
    adapters: list[Adapter] = []
    if config.telegram is not None:
        from adapters.telegram import TelegramAdapter

        adapters.append(TelegramAdapter(config.telegram))
    if config.matrix is not None:
        from adapters.matrix import MatrixAdapter

        adapters.append(MatrixAdapter(config.matrix))
    return adapters


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` calendar months earlier; the last day of the
    month when that month is shorter (31 March, one month back, is 28 or 29 February)."""
    return moment - relativedelta(months=months)


async def purge_expired(app: Application, months: int) -> int:
    """Delete the closed proposals that ended more than ``months`` months ago."""
    before = months_before(app.clock.now(), months)
    purged = await app.purge_closed(before)
    if purged:
        log.info(
            "deleted %d closed proposal(s) that ended before %s (retention_months = %d)",
            purged,
            before.date().isoformat(),
            months,
        )
    return purged


async def keep_retention(
    app: Application, months: int, stop: asyncio.Event, every: timedelta = RETENTION_EVERY
) -> None:
    """Purge at start, then once every ``every``, until ``stop`` is set."""
    await now_and_every(
        "delete old closed proposals", lambda: purge_expired(app, months), stop, every
    )


async def run(
    config: Config,
    *,
    stop: asyncio.Event | None = None,
    clock: Clock | None = None,
    adapters: Sequence[Adapter] | None = None,
) -> None:
    """Run until ``stop`` is set or the process is asked to stop (Ctrl-C, SIGTERM).

    Stopping is quick in every state (see ``stop_all``): a start still waiting for
    its platform is cut short, sends under way get ``STOP_GRACE`` seconds, the
    updates in hand are finished, and the database is closed. A platform that
    refuses the bot's token or password ends the run with ``AccessRefused``.

    ``clock`` and ``adapters`` stand in for the system clock and the adapters the
    configuration names: tests run a clock that is ahead, or an adapter without pacing."""
    stop = stop or asyncio.Event()
    signals = listen_for_signals(stop)
    try:
        install_translations()
        storage = await open_storage(config)
        try:
            roles = await open_roles(config)
            await serve(config, storage, roles, stop, clock, adapters)
        finally:
            await storage.close()
    finally:
        signals.close()


async def open_storage(config: Config, *, only_reading: bool = False) -> Storage:
    """The storage ``[storage]`` names: the SQLite file at ``path``, or the PostgreSQL
    database at ``url``. ``only_reading`` (an export) may open it beside a running bot."""
    settings = config.storage
    if settings.backend == "postgresql" and settings.url:
        # Imported only here: a host on SQLite never loads the PostgreSQL driver.
        from storage.postgres import PostgresStorage

        return await PostgresStorage.open(settings.url, only_reading=only_reading)
    return await SqliteStorage.open(
        settings.path, synchronous=settings.synchronous, only_reading=only_reading
    )


async def open_roles(config: Config) -> Roles:
    """Every role this process's own on SQLite (it is alone on its database); on
    PostgreSQL, shared with the other workers by advisory locks."""
    settings = config.storage
    if settings.backend == "postgresql" and settings.url:
        from storage.postgres_roles import PostgresRoles

        roles = PostgresRoles(settings.url)
        await roles.start()
        return roles
    return EveryRole()


async def check_storage(config: Config) -> str:
    """Where the database is, as ``check-config`` says it; a PostgreSQL server is asked
    (changing nothing), and ``StorageError`` says what is wrong with it."""
    settings = config.storage
    if settings.backend == "postgresql" and settings.url:
        from storage import postgres

        return f"PostgreSQL database {await postgres.check(settings.url)}"
    return str(settings.path)


async def serve(
    config: Config,
    storage: Storage,
    roles: Roles,
    stop: asyncio.Event,
    clock: Clock | None = None,
    adapters: Sequence[Adapter] | None = None,
) -> None:
    """Be one worker on ``storage`` until ``stop`` is set: decide what the adapters
    receive, and do the jobs of the roles this worker holds (``bot.worker``). The
    roles are closed on the way out; the caller closes the storage."""
    app = Application(
        storage=storage, clock=clock or SystemClock(), defaults=config.group_settings()
    )
    worker = Worker(app, roles, stop_grace=STOP_GRACE)
    page = _web_page(config, app)
    adapters = list(adapters) if adapters is not None else _adapters(config)
    for adapter in adapters:
        app.adapters[adapter.platform] = adapter
    delivering: asyncio.Task[None] | None = None
    looking: asyncio.Task[None] | None = None
    housekeeping = Housekeeping(app, config.storage.retention_months or 0, stop)
    try:
        await roles.hold(HOUSEKEEPING, housekeeping.start, housekeeping.stop)
        if not await until_stopped(stop, worker.fire_timers()):
            return
        if page is not None:
            # One worker serves the page at a time (they would share its port); it
            # stops with the roles, before the database closes.
            await roles.hold(WEB_PAGE, page.start, page.stop)
        for adapter in adapters:
            whole = whole_role(config, adapter.platform)
            if whole is not None:
                if not await until_stopped(stop, worker.run_as_role(adapter, whole)):
                    return
            elif not await until_stopped(stop, adapter.start(app)):
                return
            sender = sending_role(config, adapter.platform)
            if sender is not None and sender != whole:  # a whole adapter's role covers it
                await worker.send_for(adapter.platform, sender)
            if whole is None or roles.holds(whole):
                log.info("%s is running", adapter.platform)
            else:
                log.info(
                    "%s is running on another worker; this one takes over if that one stops",
                    adapter.platform,
                )
        # Only now can anything be sent: what was waiting (or what overdue deadlines
        # announced at start) goes out at once, not after a failed try and a pause.
        delivering = asyncio.create_task(
            keep_alive("delivering messages", worker.delivery.run_forever, stop), name="delivery"
        )
        if not roles.alone:
            looking = asyncio.create_task(worker.look_every(stop), name="safety net")
        await stop.wait()
    finally:
        stop.set()
        log.info("stopping")
        await stop_all(worker.delivery, delivering, adapters, roles, looking)


def whole_role(config: Config, platform: str) -> str | None:
    """The role a whole adapter runs under: Matrix's sync and sending share one device."""
    if platform == "matrix" and config.matrix is not None:
        return matrix_device(config.matrix.user_id, config.matrix.device_id)
    return None


def sending_role(config: Config, platform: str) -> str | None:
    """The role of sending to ``platform``: one sender per bot keeps its pacing whole."""
    if platform == "telegram" and config.telegram is not None:
        # The token's public part, before the colon, is the bot's id.
        return sending("telegram", config.telegram.token.partition(":")[0])
    return whole_role(config, platform)


class Housekeeping:
    """The daily deletions, done by one worker at a time: sent messages done with, and
    closed proposals past ``retention_months`` (0: kept for ever)."""

    def __init__(self, app: Application, retention_months: int, stop: asyncio.Event) -> None:
        self.app = app
        self.retention_months = retention_months
        self.stop_event = stop
        self.tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self.tasks.append(
            asyncio.create_task(keep_pruned(self.app, self.stop_event), name="pruning")
        )
        if self.retention_months:
            self.tasks.append(
                asyncio.create_task(
                    keep_retention(self.app, self.retention_months, self.stop_event),
                    name="retention",
                )
            )

    async def stop(self) -> None:
        tasks, self.tasks = self.tasks, []
        for task in tasks:
            await _finish(task, 0)  # a purge or a prune in progress is rolled back whole


# The role of serving the web page (``bot.web``): its port is one for every worker.
WEB_PAGE = "web page"


def _web_page(config: Config, app: Application) -> WebServer | None:
    """The web page's server when ``[web]`` is configured (see ``bot.web``); ``app``
    then makes links that start at its public address."""
    if config.web is None:
        return None
    from bot.web.server import WebServer

    app.web_url, app.web_link_days = config.web.public_url, config.web.link_days
    return WebServer(app, config.web.listen_host, config.web.listen_port)


async def until_stopped(stop: asyncio.Event, work: Awaitable[None]) -> bool:
    """Await ``work``; False, with ``work`` cancelled, if ``stop`` is set first."""
    task = asyncio.ensure_future(work)
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
    if task.done():
        task.result()  # a refusal or a failure of the start goes to the caller
        return True
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
    return False


async def stop_all(
    delivery: DeliveryLoop,
    delivering: asyncio.Task[None] | None,
    adapters: Sequence[Adapter],
    roles: Roles,
    looking: asyncio.Task[None] | None = None,
) -> None:
    """Stop in the order that loses nothing: sends first (one cut short is sent again
    at the next start), then the adapters (they finish the updates in hand), then
    the roles (a firing of timers in hand finishes, a purge in progress is rolled
    back whole); the caller then closes the database."""
    delivery.stop()
    await _finish(delivering, STOP_GRACE)
    await _finish(looking, 0)
    for adapter in reversed(adapters):
        try:
            await adapter.stop()
        except Exception:
            log.exception("stopping %s failed", adapter.platform)
    await roles.close()


async def _finish(task: asyncio.Task[None] | None, grace: float) -> None:
    """Let ``task`` end within ``grace`` seconds, then cancel it."""
    if task is None:
        return
    await asyncio.wait([task], timeout=grace)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task


class _Signals:
    """Ctrl-C and SIGTERM set ``stop``; asked a second time, the process ends at once.

    ``close`` puts back what handled them before (the signal module's handlers,
    which ``main`` set for the start)."""

    def __init__(self, stop: asyncio.Event) -> None:
        self.stop = stop
        self.asked = 0
        self.loop = asyncio.get_running_loop()
        self.before: dict[signal.Signals, Any] = {}
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                before = signal.getsignal(sig)
                self.loop.add_signal_handler(sig, self._asked)
                self.before[sig] = before

    def _asked(self) -> None:
        self.asked += 1
        if self.asked > 1:
            log.warning("Asked again to stop: stopping at once.")
            os._exit(EXIT_ASKED_TWICE)
        self.stop.set()

    def close(self) -> None:
        for sig, before in self.before.items():
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError, TypeError):
                self.loop.remove_signal_handler(sig)
                signal.signal(sig, before)


def listen_for_signals(stop: asyncio.Event) -> _Signals:
    """Stop when the process is asked to (Ctrl-C, or SIGTERM from a service manager)."""
    return _Signals(stop)


async def check_db(config: Config) -> None:
    """Read the whole database file; ``StorageError`` says what is damaged. Only
    reading, so it may run beside the bot (the bot itself checks the file at
    start only after an unclean stop: ``storage.integrity``)."""
    path = Path(config.storage.path).expanduser()
    if str(path) != ":memory:" and not path.exists():
        raise StorageError(f"There is no database at {path} yet: nothing to check.")
    storage = await SqliteStorage.open(path, only_reading=True, check=True)
    await storage.close()


async def export(config: Config, group_id: str, out: Path) -> list[Path]:
    """Write a group's record to ``out``; returns the files written."""
    install_translations()
    # Only reading: allowed beside a running bot (see ``storage.one_process``).
    storage = await open_storage(config, only_reading=True)
    try:
        group = await storage.load_group(group_id)
        if group is None:
            known = await storage.group_ids()
            hint = (
                ("Groups in this database: " + ", ".join(known))
                if known
                else "This database has no groups yet."
            )
            raise GroupNotFound(f'There is no group "{group_id}". {hint}')
        private_folder(out)
        written = []
        for filename, _mime, content in record.export_files(group, SystemClock().now()):
            path = out / filename
            write_private(path, content)  # owner-only: the record holds the team's words
            written.append(path)
        return written
    finally:
        await storage.close()
