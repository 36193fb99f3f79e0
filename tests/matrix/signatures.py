"""An independent check of a Matrix account's cross-signing, as another person's app sees it.

Written from the client-server spec, not from the bot's code: its own canonical
JSON, and vodozemac (not the PyNaCl the bot signs with) to verify Ed25519
signatures. :func:`cross_signed_device` asks the homeserver, with another
person's token, for an account's public keys and checks the chain Element
checks: the master key signed the self-signing key, and the self-signing key
signed the device.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import vodozemac

from .synapse_server import SynapseServer


def canonical(value: dict[str, Any]) -> bytes:
    """Matrix canonical JSON of a signed object: no signatures, no unsigned."""
    bare = {key: item for key, item in value.items() if key not in ("signatures", "unsigned")}
    return json.dumps(bare, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def only_key(key_object: dict[str, Any]) -> str:
    """The one public key of a cross-signing key object (unpadded base64)."""
    (public,) = key_object["keys"].values()
    return str(public)


def verify(signed: dict[str, Any], user_id: str, public_key: str, key_id: str = "") -> None:
    """Raise unless ``signed`` carries a valid signature by ``public_key``.

    A cross-signing key is named by its public key; a device's own key by its
    device id (``key_id``)."""
    signature = signed["signatures"][user_id][f"ed25519:{key_id or public_key}"]
    vodozemac.Ed25519PublicKey.from_base64(public_key).verify_signature(
        canonical(signed), vodozemac.Ed25519Signature.from_base64(signature)
    )


@dataclass(frozen=True)
class CrossSigning:
    master: str
    self_signing: str
    device: dict[str, Any]


async def query_keys(synapse: SynapseServer, access_token: str, user_id: str) -> dict[str, Any]:
    """``POST /keys/query`` for ``user_id``, asked with ``access_token``."""
    return await asyncio.to_thread(
        synapse.request,
        "POST",
        "/_matrix/client/v3/keys/query",
        {"device_keys": {user_id: []}},
        access_token=access_token,
    )


async def cross_signed_device(
    synapse: SynapseServer, access_token: str, user_id: str, device_id: str
) -> CrossSigning:
    """Check, as anyone in the room could, that ``device_id`` is cross-signed by its owner."""
    answer = await query_keys(synapse, access_token, user_id)
    master_key = answer["master_keys"][user_id]
    self_signing_key = answer["self_signing_keys"][user_id]
    assert master_key["usage"] == ["master"] and master_key["user_id"] == user_id
    assert self_signing_key["usage"] == ["self_signing"] and self_signing_key["user_id"] == user_id
    master, self_signing = only_key(master_key), only_key(self_signing_key)
    verify(self_signing_key, user_id, master)
    device = answer["device_keys"][user_id][device_id]
    verify(device, user_id, self_signing)
    verify(device, user_id, device["keys"][f"ed25519:{device_id}"], device_id)  # its own
    return CrossSigning(master, self_signing, device)
