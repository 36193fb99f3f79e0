"""The ``deciding-together`` command.

    deciding-together demo [--script FILE] [--db FILE] [--files DIR]
    deciding-together run --config config.toml
    deciding-together check-config --config config.toml
    deciding-together export --config config.toml --group ID [--out DIR]
    deciding-together check-db --config config.toml

Every problem a person can fix is said in words, with a non-zero exit, never
as a stack trace. The exit codes (``EXIT_CODES``) are in ``--help`` and in
docs/running.md, so that a service manager can tell a stop from a failure.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from pathlib import Path
from types import FrameType

from bot.logs import LEVELS, setup_logging

EXIT_STOPPED = 0  # stopped when asked (Ctrl-C, SIGTERM), or done
EXIT_FAILED = 1  # something went wrong that the bot could not mend: start it again
EXIT_PROBLEM = 2  # a mistake in the configuration, or a database that cannot be used
EXIT_REFUSED = 3  # Telegram or Matrix refused the bot's token or password
# Another copy of the bot is running on the same database (EX_TEMPFAIL: try again
# once it has stopped).
EXIT_IN_USE = 75
EXIT_CODES = {
    EXIT_STOPPED: "stopped when asked (Ctrl-C or SIGTERM), or done",
    EXIT_FAILED: "something went wrong that the bot could not mend; start it again",
    EXIT_PROBLEM: "a mistake in the configuration file, or a database that cannot be used",
    EXIT_REFUSED: "Telegram or Matrix refused the bot's token or password",
    EXIT_IN_USE: "another copy of the bot is using the same database; stop it first",
}

log = logging.getLogger("deciding_together")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="deciding-together",
        description="Make decisions together, by consent, in the group chats you already use.",
        epilog="exit codes:\n"
        + "\n".join(f"  {code}  {meaning}" for code, meaning in EXIT_CODES.items()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--log-level",
        default=None,
        type=str.upper,
        choices=LEVELS,
        help="how much to log: DEBUG, INFO, WARNING or ERROR",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="try it in the terminal, no account needed")
    demo.add_argument("--script", type=Path, help="play a scripted conversation and print it")
    demo.add_argument("--db", type=Path, help="keep the chat in this SQLite file")
    demo.add_argument(
        "--files",
        type=Path,
        help="write the files the bot sends here (default: demo-files beside the --db file)",
    )
    demo.add_argument("--as", dest="speaker", default="Sam", help="who you are at the start")
    demo.add_argument("--language", default=None, help="the group's language, e.g. en")
    demo.add_argument("--timezone", default=None, help="the group's time zone")

    for name, text in (
        ("run", "connect to Telegram and/or Matrix and run"),
        ("check-config", "check a configuration file and explain mistakes"),
        ("export", "write a group's record as Markdown, CSV and JSON"),
        ("check-db", "read the whole database file and say whether it is damaged"),
    ):
        command = sub.add_parser(name, help=text)
        command.add_argument("--config", type=Path, required=True, help="the TOML file")
        if name == "export":
            command.add_argument("--group", required=True, help="the group's id")
            command.add_argument(
                "--out", type=Path, default=Path("."), help="the folder to write the files in"
            )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Until ``run`` listens for it itself, SIGTERM is Ctrl-C: a stop asked for while
    # starting (nothing is open yet) ends the process with EXIT_STOPPED all the same.
    before = signal.signal(signal.SIGTERM, _interrupt) if args.command == "run" else None
    try:
        if args.command == "demo":
            return _demo(args)
        return _with_config(args)
    except KeyboardInterrupt:
        return EXIT_STOPPED if args.command in ("run", "demo") else 130
    except BrokenPipeError:
        # Whoever read our output went away (``demo … | head``): nothing more to say,
        # and Python's own last flush must not fail with a traceback either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_STOPPED
    finally:
        if before is not None:
            signal.signal(signal.SIGTERM, before)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _demo(args: argparse.Namespace) -> int:
    from bot.app import DatabaseInUse, StorageError
    from bot.core.model import GroupSettings
    from bot.demo import interactive, play_script
    from bot.runtime import check_language, check_timezone

    setup_logging(args.log_level or "WARNING")
    settings = GroupSettings()
    try:
        if args.language:
            settings = check_language(settings, args.language)
        if args.timezone:
            settings = check_timezone(settings, args.timezone)
    except ValueError as problem:
        print(problem, file=sys.stderr)
        return EXIT_PROBLEM
    try:
        if args.script is not None:
            try:
                lines = args.script.read_text(encoding="utf-8").splitlines()
            except OSError as problem:
                print(
                    f"I couldn't read the script {args.script}: {problem.strerror}.",
                    file=sys.stderr,
                )
                return EXIT_PROBLEM
            from adapters.console.session import ScriptError

            try:
                asyncio.run(
                    play_script(
                        lines, db=args.db, settings=settings, files=args.files, keep_files=True
                    )
                )
            except ScriptError as problem:
                print(f"The script {args.script} has a problem on {problem}", file=sys.stderr)
                return EXIT_PROBLEM
            return 0
        interactive(db=args.db, settings=settings, speaker=args.speaker, files=args.files)
        return EXIT_STOPPED
    except StorageError as problem:
        print(problem, file=sys.stderr)
        return EXIT_IN_USE if isinstance(problem, DatabaseInUse) else EXIT_PROBLEM


def _with_config(args: argparse.Namespace) -> int:
    from bot.app import DatabaseInUse, StorageError
    from bot.config import (
        ConfigError,
        check_config_text,
        check_ready,
        explain,
        file_warnings,
        load_config,
    )

    try:
        config = load_config(args.config)
        if args.command in ("run", "check-config"):
            check_ready(config)  # one check for both: check-config fails when run would
    except ConfigError as error:
        print(explain(error), file=sys.stderr)
        return EXIT_PROBLEM
    level = args.log_level or config.logging.level
    setup_logging(level, secrets=config.secrets())
    for warning in file_warnings(config):
        print(f"Warning: {warning}", file=sys.stderr)
    from bot import runtime

    if args.command == "check-config":
        try:
            # A PostgreSQL server is asked whether the bot could use it (nothing changes).
            where = asyncio.run(runtime.check_storage(config))
        except StorageError as problem:
            print(problem, file=sys.stderr)
            return EXIT_PROBLEM
        print(check_config_text(config))
        if config.storage.backend == "postgresql":
            print(f"The database answered: {where}.")
        return EXIT_STOPPED
    from bot.reaching import AccessRefused
    from bot.web.server import ListenFailed

    try:
        if args.command == "export":
            written = asyncio.run(runtime.export(config, args.group, args.out))
            for path in written:
                print(path)
            return EXIT_STOPPED
        if args.command == "check-db":
            asyncio.run(runtime.check_db(config))
            print(f"{config.storage.path} is sound: no damage found.")
            return EXIT_STOPPED
        asyncio.run(runtime.run(config))
        return EXIT_STOPPED
    except StorageError as problem:
        print(problem, file=sys.stderr)
        return EXIT_IN_USE if isinstance(problem, DatabaseInUse) else EXIT_PROBLEM
    except runtime.GroupNotFound as problem:
        print(problem, file=sys.stderr)
        return EXIT_PROBLEM
    except AccessRefused as refusal:
        print(refusal, file=sys.stderr)
        return EXIT_REFUSED
    except ListenFailed as problem:
        print(problem, file=sys.stderr)
        return EXIT_PROBLEM
    except Exception as failure:  # a bug: said in the log in full, and in one line here
        log.error("the bot stopped because of an unexpected error", exc_info=failure)
        print(
            f"The bot stopped because of an unexpected error ({type(failure).__name__}). "
            "The log above says more. Start it again; if this happens again, please "
            "report it with the log.",
            file=sys.stderr,
        )
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
