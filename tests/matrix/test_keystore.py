"""The bot's encryption keys are its own: an owner-only folder, locked with a random
passphrase kept beside them, never matrix-nio's public default; a store made the
old way is moved to the bot's passphrase on start, keeping its keys.

No homeserver is needed: nio makes the device's keys as soon as a login is restored.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import nio
import pytest
from nio.store import DefaultStore

from adapters.matrix import keystore
from adapters.matrix.login import make_client
from bot.config import MatrixConfig

USER, DEVICE, ROOM = "@bot:example.org", "DTBOT", "!team:example.org"


def settings(store: Path) -> MatrixConfig:
    return MatrixConfig(
        homeserver="http://127.0.0.1:9", user_id=USER, allowed_inviters=(), password="pw",
        device_id=DEVICE, store_path=store,
    )  # fmt: skip


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@contextmanager
def umask(value: int) -> Iterator[None]:
    before = os.umask(value)
    try:
        yield
    finally:
        os.umask(before)


def keys_of(client: nio.AsyncClient) -> tuple[dict[str, str], list[str]]:
    """The device's identity keys and the room keys it holds."""
    assert client.olm is not None
    rooms = sorted(s.id for s in client.olm.inbound_group_store)
    return dict(client.olm.account.identity_keys), rooms


async def made_the_old_way(store: Path) -> tuple[dict[str, str], list[str]]:
    """A store as nio makes it by default (and this bot did before): its default key."""
    store.mkdir(mode=0o755)
    old = nio.AsyncClient(
        "http://127.0.0.1:9", USER, device_id=DEVICE, store_path=str(store),
        config=nio.AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False),
    )  # fmt: skip
    assert old.config.pickle_key == keystore.NIO_DEFAULT_KEY  # nio's default, as said
    old.restore_login(USER, DEVICE, "token")
    assert old.olm is not None
    old.olm.create_outbound_group_session(ROOM)  # a room key, kept in the store
    kept = keys_of(old)
    await old.close()
    return kept


def opens_with(store: Path, key: str) -> bool:
    found = DefaultStore(USER, DEVICE, str(store), pickle_key=key)
    try:
        return found.load_account() is not None
    except Exception:
        return False
    finally:
        found.database.close()


async def test_a_store_made_with_nios_default_key_moves_to_the_bots_own_and_keeps_its_keys(
    tmp_path: Path,
) -> None:
    store = tmp_path / "matrix-store"
    kept = await made_the_old_way(store)
    assert opens_with(store, keystore.NIO_DEFAULT_KEY)

    client = make_client(settings(store))
    try:
        client.restore_login(USER, DEVICE, "token")
        assert keys_of(client) == kept  # the same device, with the same room keys
    finally:
        await client.close()
    key = (store / keystore.KEY_FILE).read_text()
    assert len(key) >= 40 and key != keystore.NIO_DEFAULT_KEY
    assert opens_with(store, key)
    assert not opens_with(store, keystore.NIO_DEFAULT_KEY)
    # Started again: the same key, nothing moved twice, the keys still there.
    client = make_client(settings(store))
    try:
        client.restore_login(USER, DEVICE, "token")
        assert keys_of(client) == kept
    finally:
        await client.close()
    assert (store / keystore.KEY_FILE).read_text() == key


@pytest.mark.parametrize("mask", [0o022, 0o000])
async def test_the_store_is_owner_only_whatever_the_umask(tmp_path: Path, mask: int) -> None:
    store = tmp_path / "matrix-store"
    with umask(mask):
        client = make_client(settings(store))
        try:
            client.restore_login(USER, DEVICE, "token")  # nio makes the store's files now
        finally:
            await client.close()
    assert mode(store) == 0o700
    files = {path.name: mode(path) for path in store.iterdir()}
    assert f"{USER}_{DEVICE}.db" in files and keystore.KEY_FILE in files
    assert files == {name: 0o600 for name in files}


async def test_an_old_store_readable_by_others_is_tightened(tmp_path: Path) -> None:
    store = tmp_path / "matrix-store"
    await made_the_old_way(store)
    database = store / f"{USER}_{DEVICE}.db"
    database.chmod(0o644)
    await make_client(settings(store)).close()
    assert mode(store) == 0o700 and mode(database) == 0o600
