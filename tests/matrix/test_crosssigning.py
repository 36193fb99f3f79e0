"""Cross-signing (``adapters.matrix.crosssigning``) against the real Synapse.

An account's nio client with encryption stands in for the bot here; the whole
bot's cross-signing is in ``test_encryption``. Every check of what the server
holds goes through :mod:`.signatures`, which verifies the signatures with its
own canonical JSON and vodozemac, so the bot's code never marks its own work.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import stat
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from nacl.signing import SigningKey

from adapters.matrix.crosssigning import SEED_FILE, DeviceSigning, canonical_json, cross_sign

from .people import People, Person, log_in
from .signatures import canonical, cross_signed_device, query_keys, verify
from .synapse_server import SynapseServer

pytestmark = pytest.mark.matrix_e2e


def unpadded(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=")


def seed(store: Path, usage: str) -> SigningKey:
    """One of the saved private keys, read from the seed file as written on disk."""
    text = json.loads((store / SEED_FILE).read_text(encoding="utf-8"))[usage]
    return SigningKey(base64.b64decode(text + "=" * (-len(text) % 4)))


async def account(people: People) -> tuple[Person, Person]:
    """An account with an encrypting device (the bot's stand-in), and someone who looks."""
    return await people.new("bot", encryption=True), await people.new("alice")


def test_canonical_json_is_what_the_spec_signs() -> None:
    value = {"b": [1, {"é": "ü"}], "a": "x", "signatures": {"@a:b": {}}, "unsigned": {"n": 1}}
    assert canonical_json(value) == canonical(value) == '{"a":"x","b":[1,{"é":"ü"}]}'.encode()


async def test_the_first_run_makes_the_keys_and_signs_the_device(
    people: People, synapse: SynapseServer, tmp_path: Path
) -> None:
    bot, alice = await account(people)

    outcome = await cross_sign(bot.client, tmp_path, bot.user.password)

    assert outcome is DeviceSigning.SIGNED
    chain = await cross_signed_device(
        synapse, alice.user.access_token, bot.user_id, bot.client.device_id
    )
    assert chain.master == unpadded(bytes(seed(tmp_path, "master").verify_key))
    assert chain.self_signing == unpadded(bytes(seed(tmp_path, "self_signing").verify_key))
    # The user-signing key is shown to its owner only, signed by the master key too.
    own = await query_keys(synapse, bot.user.access_token, bot.user_id)
    verify(own["user_signing_keys"][bot.user_id], bot.user_id, chain.master)
    assert stat.S_IMODE((tmp_path / SEED_FILE).stat().st_mode) == 0o600


async def test_a_second_run_uploads_nothing_new(
    people: People, synapse: SynapseServer, tmp_path: Path
) -> None:
    bot, alice = await account(people)
    await cross_sign(bot.client, tmp_path, bot.user.password)
    seeds = (tmp_path / SEED_FILE).read_bytes()
    before = await query_keys(synapse, alice.user.access_token, bot.user_id)

    assert await cross_sign(bot.client, tmp_path, bot.user.password) is DeviceSigning.ALREADY

    after = await query_keys(synapse, alice.user.access_token, bot.user_id)
    assert after["master_keys"] == before["master_keys"]
    assert after["self_signing_keys"] == before["self_signing_keys"]
    assert (tmp_path / SEED_FILE).read_bytes() == seeds


async def test_a_device_without_the_signature_is_signed_with_the_same_keys(
    people: People, synapse: SynapseServer, tmp_path: Path
) -> None:
    bot, alice = await account(people)
    await cross_sign(bot.client, tmp_path, bot.user.password)
    first = await cross_signed_device(
        synapse, alice.user.access_token, bot.user_id, bot.client.device_id
    )
    # The same account on a new device (a new device_id, the seed file kept).
    second = await log_in(synapse, bot.user, tmp_path / "nio", encryption=True, password_login=True)
    people.everyone.append(second)
    keys = await query_keys(synapse, alice.user.access_token, bot.user_id)
    assert not any(
        key.startswith("ed25519:") and key != f"ed25519:{second.client.device_id}"
        for key in keys["device_keys"][bot.user_id][second.client.device_id]["signatures"][
            bot.user_id
        ]
    )

    assert await cross_sign(second.client, tmp_path, bot.user.password) is DeviceSigning.SIGNED

    chain = await cross_signed_device(
        synapse, alice.user.access_token, bot.user_id, second.client.device_id
    )
    assert (chain.master, chain.self_signing) == (first.master, first.self_signing)


async def test_a_master_key_the_bot_does_not_hold_is_never_replaced(
    people: People, synapse: SynapseServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    bot, alice = await account(people)
    for folder in ("first", "lost", "other"):
        (tmp_path / folder).mkdir()
    await cross_sign(bot.client, tmp_path / "first", bot.user.password)
    before = await query_keys(synapse, alice.user.access_token, bot.user_id)
    other = {u: unpadded(bytes(SigningKey.generate())) for u in ("master", "self_signing")}
    other["user_signing"] = unpadded(bytes(SigningKey.generate()))
    seeds = json.dumps({"user_id": bot.user_id, **other})
    (tmp_path / "other" / SEED_FILE).write_text(seeds, encoding="utf-8")

    with caplog.at_level(logging.ERROR, logger="deciding_together.matrix"):
        # No seed file (a lost store), then another account's worth of seeds.
        assert await cross_sign(bot.client, tmp_path / "lost", None) is DeviceSigning.REFUSED
        assert await cross_sign(bot.client, tmp_path / "other", "") is DeviceSigning.REFUSED

    assert not (tmp_path / "lost" / SEED_FILE).exists()
    after = await query_keys(synapse, alice.user.access_token, bot.user_id)
    assert after["master_keys"] == before["master_keys"]
    assert after["self_signing_keys"] == before["self_signing_keys"]
    assert [r.message.count("will not replace") for r in caplog.records] == [1, 1]


@contextlib.asynccontextmanager
async def asking_for_the_password(synapse: SynapseServer) -> AsyncIterator[PasswordGate]:
    """A homeserver in front of the test Synapse that, like servers without MSC3967
    (Dendrite, Conduit, older Synapse), wants the password before the first upload
    of cross-signing keys. Everything else, and the upload once authorised, goes
    through to Synapse."""
    gate = PasswordGate()

    async def handle(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        if request.path == "/_matrix/client/v3/keys/device_signing/upload":
            gate.auth.append(json.loads(body).get("auth"))
            if gate.auth[-1] is None:
                flows = [{"stages": ["m.login.password"]}]
                return web.json_response({"session": "S1", "flows": flows}, status=401)
        headers = {k: v for k, v in request.headers.items() if k in FORWARDED}
        async with (
            aiohttp.ClientSession() as session,
            session.request(
                request.method, synapse.base_url + request.path_qs, data=body, headers=headers
            ) as answer,
        ):
            return web.Response(
                status=answer.status, body=await answer.read(), content_type="application/json"
            )

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    gate.url = f"http://{host}:{port}"
    try:
        yield gate
    finally:
        await runner.cleanup()


FORWARDED = ("Authorization", "Content-Type")


@dataclass
class PasswordGate:
    url: str = ""
    auth: list[dict[str, Any] | None] = field(default_factory=list)  # each upload's auth


async def test_the_password_is_given_when_the_server_asks_for_it(
    people: People, synapse: SynapseServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    bot, alice = await account(people)

    async with asking_for_the_password(synapse) as gate:
        bot.client.homeserver = gate.url
        with caplog.at_level(logging.WARNING, logger="deciding_together.matrix"):
            # With an access token only, the bot says what it needs and uploads nothing.
            assert await cross_sign(bot.client, tmp_path, None) is DeviceSigning.NEEDS_PASSWORD
        keys = await query_keys(synapse, alice.user.access_token, bot.user_id)
        assert keys["master_keys"] == {}
        assert any("password once" in record.message for record in caplog.records)

        # Given the password, the next start uploads the keys it made the first time.
        assert await cross_sign(bot.client, tmp_path, bot.user.password) is DeviceSigning.SIGNED

    assert gate.auth[:2] == [None, None] and gate.auth[3:] == []
    assert gate.auth[2] == {
        "type": "m.login.password",
        "identifier": {"type": "m.id.user", "user": bot.user_id},
        "password": bot.user.password,
        "session": "S1",
    }
    assert bot.user.password not in caplog.text
    chain = await cross_signed_device(
        synapse, alice.user.access_token, bot.user_id, bot.client.device_id
    )
    assert chain.master == unpadded(bytes(seed(tmp_path, "master").verify_key))
