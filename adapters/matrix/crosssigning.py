"""Cross-signing: the bot vouches for its own device, as Element does for a person's.

Element trusts, and more and more only shares room keys with, devices their
owner has cross-signed. matrix-nio cannot cross-sign, so the bot does it itself:

* on its first start it makes three Ed25519 keys (master, self-signing,
  user-signing), keeps their seeds in ``cross-signing.json`` in the store folder,
  readable by the bot's system user only, and uploads their public halves;
* on every start it asks the server for its own keys, and signs its device with
  the self-signing key when that signature is missing or no longer valid.

The master key is the account's identity in everyone's eyes, so it is never
replaced silently: when the server holds a master key the seeds do not match,
the bot logs an error and uploads nothing.
"""

from __future__ import annotations

import base64
import json
import logging
import os
from enum import StrEnum
from pathlib import Path
from typing import Any

import nio
from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey

log = logging.getLogger("deciding_together.matrix")

SEED_FILE = "cross-signing.json"
USAGES = ("master", "self_signing", "user_signing")
KEYS = "/_matrix/client/v3/keys"
Json = dict[str, Any]


class DeviceSigning(StrEnum):
    """What became of signing the bot's device at start."""

    SIGNED = "signed"  # the device was signed now (after uploading the keys, if new)
    ALREADY = "already signed"
    NEEDS_PASSWORD = "needs the password"
    REFUSED = "refused"  # the server's master key is not the bot's: changed nothing
    FAILED = "failed"


def unpadded(data: bytes) -> str:
    """Base64 without padding, as Matrix writes keys and signatures."""
    return base64.b64encode(data).decode("ascii").rstrip("=")


def decoded(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


def canonical_json(value: Json) -> bytes:
    """What is signed: sorted keys, no spaces, UTF-8, without signatures and unsigned."""
    bare = {k: v for k, v in value.items() if k not in ("signatures", "unsigned")}
    return json.dumps(bare, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def public(key: SigningKey) -> str:
    return unpadded(bytes(key.verify_key))


def sign(value: Json, user_id: str, key: SigningKey) -> Json:
    """``value`` with the signature of ``key`` added."""
    signature = unpadded(key.sign(canonical_json(value)).signature)
    signatures = {**value.get("signatures", {})}
    signatures[user_id] = {**signatures.get(user_id, {}), f"ed25519:{public(key)}": signature}
    return {**value, "signatures": signatures}


def signed_by(value: Json, user_id: str, key: SigningKey) -> bool:
    """Whether ``value`` carries a valid signature of ``key``."""
    signature = value.get("signatures", {}).get(user_id, {}).get(f"ed25519:{public(key)}")
    if not isinstance(signature, str):
        return False
    try:
        key.verify_key.verify(canonical_json(value), decoded(signature))
    except (BadSignatureError, ValueError):
        return False
    return True


def key_of(user_id: str, usage: str, key: SigningKey) -> Json:
    return {"user_id": user_id, "usage": [usage], "keys": {f"ed25519:{public(key)}": public(key)}}


def read_seeds(path: Path, user_id: str) -> dict[str, SigningKey] | None:
    """The saved keys, or None when there is no seed file yet.

    A damaged file, or another account's, raises ValueError: it is never overwritten."""
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
        owner = saved["user_id"]
        keys = {usage: SigningKey(decoded(saved[usage])) for usage in USAGES}
    except FileNotFoundError:
        return None
    except (KeyError, TypeError, ValueError) as problem:
        raise ValueError(f"{path} is damaged ({problem!r}); it was left as it is") from problem
    if owner != user_id:
        raise ValueError(f"{path} holds the keys of {owner}, not of {user_id}")
    return keys


def write_seeds(path: Path, user_id: str, keys: dict[str, SigningKey]) -> None:
    """Save the seeds, made readable by the bot's user only from the start."""
    seeds = {usage: unpadded(bytes(key)) for usage, key in keys.items()}
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump({"user_id": user_id, **seeds}, file)
        file.flush()
        os.fsync(file.fileno())  # on disk before the server knows the public keys


async def request(client: nio.AsyncClient, path: str, body: Json) -> tuple[int, Json]:
    """POST ``body`` to ``path``: (HTTP status, answer)."""
    headers = {"Authorization": f"Bearer {client.access_token}"}
    answer = await client.send("POST", path, json.dumps(body), headers=headers)
    try:
        return answer.status, await answer.json(content_type=None)
    finally:
        answer.release()


async def cross_sign(
    client: nio.AsyncClient, store: Path | str, password: str | None
) -> DeviceSigning:
    """Make sure the bot's device is cross-signed (see the module's docstring)."""
    me = str(client.user_id)
    status, found = await request(client, f"{KEYS}/query", {"device_keys": {me: []}})
    if status != 200:
        log.warning("cross-signing: the key query failed (HTTP %s)", status)
        return DeviceSigning.FAILED
    on_server = {u: found.get(f"{u}_keys", {}).get(me, {}).get("keys", {}) for u in USAGES}
    path = Path(store) / SEED_FILE
    keys = read_seeds(path, me)
    if keys is None and not on_server["master"]:
        keys = {usage: SigningKey.generate() for usage in USAGES}
        write_seeds(path, me, keys)
    if keys is not None and not on_server["master"]:
        uploaded = await _upload_keys(client, keys, password)
        if uploaded is not None:
            return uploaded
    elif keys is None or on_server != {u: key_of(me, u, keys[u])["keys"] for u in USAGES}:
        # (Nor are keys the server once had put back: their ids stay taken there.)
        log.error(
            "cross-signing: %s already has cross-signing keys, and %s in the store folder %s. "
            "The bot will not replace the account's identity silently: put back the %s it "
            "used before (from a backup of the store folder). Until then it works on, but "
            "Element shows its session as not verified by its owner.",
            me,
            SEED_FILE,
            "does not exist" if keys is None else "holds other ones",
            SEED_FILE,
        )
        return DeviceSigning.REFUSED
    device_keys = found.get("device_keys", {}).get(me, {}).get(str(client.device_id))
    if device_keys is None:
        log.warning("cross-signing: the server has no keys for device %s yet", client.device_id)
        return DeviceSigning.FAILED
    if signed_by(device_keys, me, keys["self_signing"]):
        return DeviceSigning.ALREADY
    return await _sign_device(client, device_keys, keys["self_signing"])


async def _upload_keys(
    client: nio.AsyncClient, keys: dict[str, SigningKey], password: str | None
) -> DeviceSigning | None:
    """Upload the three public keys; None when done, else what stopped it."""
    me, path = str(client.user_id), f"{KEYS}/device_signing/upload"
    body: Json = {"master_key": key_of(me, "master", keys["master"])}
    for usage in ("self_signing", "user_signing"):  # vouched for by the master key
        body[f"{usage}_key"] = sign(key_of(me, usage, keys[usage]), me, keys["master"])
    status, answer = await request(client, path, body)
    if status == 401 and "session" in answer:  # user-interactive auth: the password, once
        if not password:
            log.warning(
                "cross-signing: the server wants the bot's password to upload its keys. Give "
                "the bot its password once (DT_MATRIX_PASSWORD), then start it again."
            )
            return DeviceSigning.NEEDS_PASSWORD
        who = {"type": "m.id.user", "user": me}
        body["auth"] = {"type": "m.login.password", "identifier": who, "password": password}
        body["auth"]["session"] = answer["session"]
        status, answer = await request(client, path, body)
    if status != 200:
        log.error("cross-signing: uploading the keys failed: %s %s", status, answer)
        return DeviceSigning.FAILED
    log.info("cross-signing: uploaded the keys of %s", me)
    return None


async def _sign_device(
    client: nio.AsyncClient, device_keys: Json, key: SigningKey
) -> DeviceSigning:
    me, device = str(client.user_id), str(client.device_id)
    signed = sign(device_keys, me, key)
    signed.pop("unsigned", None)  # the server's notes (the display name), not the device's
    status, answer = await request(client, f"{KEYS}/signatures/upload", {me: {device: signed}})
    if status != 200 or answer.get("failures"):
        log.error("cross-signing: signing device %s failed: %s", device, answer)
        return DeviceSigning.FAILED
    log.info("cross-signing: signed device %s", device)
    return DeviceSigning.SIGNED
