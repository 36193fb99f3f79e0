"""Sending to Matrix, and what a refusal means for the delivery loop.

Every send carries the delivery's stable key as its transaction id: when the
delivery loop sends again after a crash or a timeout, the homeserver answers
with the event it already made instead of posting a second copy.

Answers become the delivery loop's verdicts:

* ``M_LIMIT_EXCEEDED`` (HTTP 429): :class:`DeliveryFailed` with the pause the
  server asked for (``retry_after_ms``, or a ``Retry-After`` header);
* ``M_FORBIDDEN``: :class:`RoomForbidden`, an :class:`Undeliverable` — the bot
  is not in the room (removed, or never let in) or may not post there;
* anything else, and any network trouble: :class:`DeliveryFailed`, tried again.
"""

from __future__ import annotations

import asyncio
import io
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import nio

from adapters.matrix.render import Content, file_message
from bot.app import DeliveryFailed, Undeliverable

log = logging.getLogger("deciding_together.matrix")

# What a call into nio may raise when the network or the client state fails it.
NETWORK_ERRORS = (aiohttp.ClientError, TimeoutError, OSError, nio.exceptions.ProtocolError)
# ... and, in an encrypted room, when keys are not (yet) shared: worth another try.
SEND_ERRORS = (
    *NETWORK_ERRORS,
    nio.exceptions.EncryptionError,
    nio.exceptions.GroupEncryptionError,
    nio.exceptions.OlmTrustError,
)

# At most about one card edit per second per room: a busy tally becomes a few edits.
EDIT_GAP = 1.0


class RoomForbidden(Undeliverable):
    """The homeserver refused the bot in this room (``M_FORBIDDEN``)."""

    def __init__(self, room_id: str, reason: str, *, not_in_room: bool) -> None:
        super().__init__(reason)
        self.room_id = room_id
        self.not_in_room = not_in_room


def refusal(response: nio.ErrorResponse, room_id: str, doing: str) -> Exception:
    """The exception that tells the delivery loop what a Matrix error means."""
    code = response.status_code
    reason = f"{doing} in {room_id}: {code} {response.message}"
    if code in ("M_LIMIT_EXCEEDED", "429"):
        return DeliveryFailed(reason, retry_after=_retry_after(response))
    if code == "M_FORBIDDEN":
        not_in_room = "not in room" in (response.message or "") or "not joined" in (
            response.message or ""
        )
        return RoomForbidden(room_id, reason, not_in_room=not_in_room)
    return DeliveryFailed(reason)


def _retry_after(response: nio.ErrorResponse) -> float | None:
    if response.retry_after_ms:
        return response.retry_after_ms / 1000
    transport = getattr(response, "transport_response", None)
    header = transport.headers.get("Retry-After") if transport is not None else None
    try:
        return float(header) if header else None
    except ValueError:
        return None  # an HTTP date: let the loop's own backoff decide


class Sender:
    """Sends message events, uploads files, and paces card edits per room."""

    def __init__(
        self,
        client: nio.AsyncClient,
        room_known: Callable[[str], Awaitable[bool]] | None = None,
    ) -> None:
        self.client = client
        # With encryption, nio must have synced a room before it can encrypt for it
        # (a direct room made a moment ago): this waits for the sync loop to see it.
        self.room_known = room_known
        self._last_edit: dict[str, float] = {}

    async def send(self, room_id: str, content: Content, txn_id: str) -> str:
        """Send one ``m.room.message``; returns its event id."""
        await self._ready(room_id)
        try:
            response = await self.client.room_send(
                room_id,
                "m.room.message",
                content,
                tx_id=txn_id,
                # Care teams do not verify devices; refusing to send to them would
                # silence the bot in every encrypted room.
                ignore_unverified_devices=True,
            )
        except SEND_ERRORS as problem:
            raise DeliveryFailed(f"sending to {room_id}: {problem!r}") from problem
        if isinstance(response, nio.RoomSendResponse):
            return str(response.event_id)
        raise refusal(response, room_id, "sending")

    async def _ready(self, room_id: str) -> None:
        """With encryption, wait until nio knows the room (and so whether to encrypt)."""
        unknown = self.client.olm is not None and room_id not in self.client.rooms
        if unknown and (self.room_known is None or not await self.room_known(room_id)):
            raise DeliveryFailed(f"{room_id} is not synced yet")

    async def wait_to_edit(self, room_id: str) -> None:
        """Wait until the room's last card edit is at least ``EDIT_GAP`` old."""
        last = self._last_edit.get(room_id)
        if last is not None:
            remaining = last + EDIT_GAP - time.monotonic()
            if remaining > 0:
                await asyncio.sleep(remaining)

    def edited(self, room_id: str) -> None:
        self._last_edit[room_id] = time.monotonic()

    async def upload(self, room_id: str, filename: str, mime: str, data: bytes) -> Content:
        """Upload a file for ``room_id``; returns the ``m.file`` content that shows it.

        In an encrypted room the file is encrypted too, and the content carries its key."""
        await self._ready(room_id)
        room = self.client.rooms.get(room_id)
        encrypt = bool(self.client.olm is not None and room is not None and room.encrypted)
        try:
            response, keys = await self.client.upload(
                io.BytesIO(data),
                content_type=mime,
                filename=filename,
                encrypt=encrypt,
                filesize=len(data),
            )
        except NETWORK_ERRORS as problem:
            raise DeliveryFailed(f"uploading {filename}: {problem!r}") from problem
        if not isinstance(response, nio.UploadResponse):
            raise refusal(response, room_id, f"uploading {filename}")
        file: dict[str, Any] | None = None
        if keys is not None:
            file = {**keys, "url": response.content_uri}
        return file_message(filename, mime, len(data), response.content_uri, file)
