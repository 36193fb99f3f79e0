"""The ``deciding-together`` command.

    deciding-together demo [--script FILE] [--db FILE]
    deciding-together run --config config.toml
    deciding-together check-config --config config.toml
    deciding-together export --config config.toml --group ID [--out DIR]

Every problem a person can fix is said in words, with a non-zero exit, never
as a stack trace.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.logs import LEVELS, setup_logging

EXIT_PROBLEM = 2
# Another copy of the bot is running on the same database (EX_TEMPFAIL: try again
# once it has stopped).
EXIT_IN_USE = 75


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="deciding-together",
        description="Make decisions together, by consent, in the group chats you already use.",
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
    demo.add_argument("--as", dest="speaker", default="Sam", help="who you are at the start")
    demo.add_argument("--language", default=None, help="the group's language, e.g. en")
    demo.add_argument("--timezone", default=None, help="the group's time zone")

    for name, text in (
        ("run", "connect to Telegram and/or Matrix and run"),
        ("check-config", "check a configuration file and explain mistakes"),
        ("export", "write a group's record as Markdown, CSV and JSON"),
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
    try:
        if args.command == "demo":
            return _demo(args)
        return _with_config(args)
    except KeyboardInterrupt:
        return 130


def _demo(args: argparse.Namespace) -> int:
    from bot.core.model import GroupSettings
    from bot.demo import interactive, play_script
    from bot.runtime import check_language, check_timezone
    from storage.interface import DatabaseInUse, StorageError

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
                asyncio.run(play_script(lines, db=args.db, settings=settings))
            except ScriptError as problem:
                print(f"The script {args.script} has a problem on {problem}", file=sys.stderr)
                return EXIT_PROBLEM
            return 0
        asyncio.run(interactive(db=args.db, settings=settings, speaker=args.speaker))
        return 0
    except StorageError as problem:
        print(problem, file=sys.stderr)
        return EXIT_IN_USE if isinstance(problem, DatabaseInUse) else EXIT_PROBLEM


def _with_config(args: argparse.Namespace) -> int:
    from bot.config import ConfigError, check_config_text, explain, load_config
    from storage.interface import DatabaseInUse, StorageError

    try:
        config = load_config(args.config)
    except ConfigError as error:
        print(explain(error), file=sys.stderr)
        return EXIT_PROBLEM
    level = args.log_level or config.logging.level
    setup_logging(level, secrets=config.secrets())
    if args.command == "check-config":
        print(check_config_text(config))
        return 0
    from bot import runtime

    try:
        if args.command == "export":
            written = asyncio.run(runtime.export(config, args.group, args.out))
            for path in written:
                print(path)
            return 0
        try:
            config.require_platform()
        except ConfigError as error:
            print(explain(error), file=sys.stderr)
            return EXIT_PROBLEM
        asyncio.run(runtime.run(config))
        return 0
    except StorageError as problem:
        print(problem, file=sys.stderr)
        return EXIT_IN_USE if isinstance(problem, DatabaseInUse) else EXIT_PROBLEM
    except runtime.GroupNotFound as problem:
        print(problem, file=sys.stderr)
        return EXIT_PROBLEM


if __name__ == "__main__":
    sys.exit(main())
