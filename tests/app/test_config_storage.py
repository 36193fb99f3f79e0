"""``[storage] backend = "postgresql"``: the database's URL, its password kept secret,
and ``check-config`` asking the server before ``run`` would.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from bot import runtime
from bot.cli import EXIT_PROBLEM, main
from bot.config import ConfigError, parse_config_text
from storage.postgres import PostgresStorage
from tests.app.test_check_config import telegram
from tests.app.test_stopping import closed_port
from tests.postgres import Cluster
from tests.storage.examples import commit, rich_group

URL = "postgresql://bot:hunter2-secret@db.example.org:5432/deciding"


@pytest.fixture(autouse=True)
def _logging_as_it_was(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """``main`` sets up logging for the process; put it back for the other tests."""
    monkeypatch.delenv("DT_STORAGE_URL", raising=False)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level


def problems(text: str, env: dict[str, str] | None = None) -> list[tuple[str, str]]:
    with pytest.raises(ConfigError) as caught:
        parse_config_text(text, env or {})
    return [(p.where, p.message) for p in caught.value.problems]


# -- reading the section --------------------------------------------------------------------


def test_sqlite_is_the_default_and_needs_no_url() -> None:
    storage = parse_config_text("", {}).storage
    assert (storage.backend, storage.url) == ("sqlite", None)


def test_postgresql_takes_its_url_from_the_file_or_better_the_environment() -> None:
    written = parse_config_text(f'[storage]\nbackend = "postgresql"\nurl = "{URL}"\n', {})
    assert (written.storage.backend, written.storage.url) == ("postgresql", URL)
    other = URL.replace("hunter2-secret", "from-env")
    given = parse_config_text(
        f'[storage]\nbackend = "postgresql"\nurl = "{URL}"\n', {"DT_STORAGE_URL": other}
    )
    assert given.storage.url == other


def test_postgresql_without_a_url_says_where_to_give_it() -> None:
    [(where, message)] = problems('[storage]\nbackend = "postgresql"\n')
    assert where == "[storage] url"
    assert "DT_STORAGE_URL" in message and "postgresql://" in message


def test_a_url_that_is_not_postgresqls_is_refused_without_being_shown() -> None:
    [(where, message)] = problems(
        '[storage]\nbackend = "postgresql"\n', {"DT_STORAGE_URL": "mysql://bot:pw-xyz@db/dt"}
    )
    assert where == "DT_STORAGE_URL (environment variable)"
    assert "begin with postgresql://" in message and "pw-xyz" not in message


def test_a_url_written_for_sqlite_is_a_mistake_said_plainly() -> None:
    [(where, message)] = problems(f'[storage]\nurl = "{URL}"\n')
    assert where == "[storage] url" and 'backend = "postgresql"' in message
    assert "hunter2" not in message


def test_an_unknown_backend_is_refused_with_the_choices() -> None:
    [(where, message)] = problems('[storage]\nbackend = "mysql"\n')
    assert where == "[storage] backend" and '"sqlite" or "postgresql"' in message


def test_the_password_is_never_shown_and_is_masked_in_logs() -> None:
    config = parse_config_text(f'[storage]\nbackend = "postgresql"\nurl = "{URL}"\n', {})
    assert "hunter2" not in repr(config.storage) and "hunter2" not in repr(config)
    assert URL in config.secrets() and "hunter2-secret" in config.secrets()


# -- check-config asks the server --------------------------------------------------------------


def _config(tmp_path: Path, url: str) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(telegram() + f'[storage]\nbackend = "postgresql"\nurl = "{url}"\n')
    config.chmod(0o600)
    return config


def test_check_config_connects_and_says_where_without_the_password(
    postgres: Cluster, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with postgres.database(template="template0") as url:
        assert main(["check-config", "--config", str(_config(tmp_path, url))]) == 0
        out, err = capsys.readouterr()
        assert "Database: PostgreSQL at postgresql://dt:***@127.0.0.1" in out
        assert "The database answered" in out and "empty: the bot makes its tables" in out
        assert postgres.password not in out + err
        with psycopg.connect(url) as db:  # only asked: no table made
            assert db.execute("SELECT to_regclass('meta')").fetchone() == (None,)


@pytest.mark.parametrize("wrong", ["password", "port"])
def test_check_config_fails_kindly_when_the_server_refuses_or_is_not_there(
    wrong: str, postgres: Cluster, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = postgres.url("postgres")
    if wrong == "password":
        url = url.replace(postgres.password, "wrong-pass-123")
        said = "did not accept the user name or password"
    else:
        url = url.replace(f":{postgres.port}/", f":{closed_port()}/")
        said = "did not answer"
    assert main(["check-config", "--config", str(_config(tmp_path, url))]) == EXIT_PROBLEM
    out, err = capsys.readouterr()
    assert said in err and "Traceback" not in err and out == ""
    assert "wrong-pass-123" not in err and postgres.password not in err


async def test_run_opens_the_backend_the_file_names(postgres: Cluster, tmp_path: Path) -> None:
    with postgres.database() as url:
        config = parse_config_text(telegram() + '[storage]\nbackend = "postgresql"\n', {
            "DT_STORAGE_URL": url
        })  # fmt: skip
        storage = await runtime.open_storage(config)
        try:
            assert isinstance(storage, PostgresStorage)
        finally:
            await storage.close()


async def test_export_reads_a_postgresql_database_beside_the_workers(
    postgres: Cluster, tmp_path: Path
) -> None:
    with postgres.database() as url:
        config = parse_config_text(
            telegram() + '[storage]\nbackend = "postgresql"\n', {"DT_STORAGE_URL": url}
        )
        worker = await runtime.open_storage(config)
        try:
            await commit(worker, None, rich_group())
            written = await runtime.export(config, "g1", tmp_path / "out")
        finally:
            await worker.close()
        assert written and all(path.exists() for path in written)
        assert any("Move the morning visit" in path.read_text() for path in written)
