"""Webhooks: ``setWebhook``, ``deleteWebhook``, ``getWebhookInfo``, and the task that POSTs the
queue to the receiver one update at a time, with the secret header, until it answers 2xx.
"""

from __future__ import annotations

import asyncio
import contextlib
import json

import aiohttp

from .objects import JSONDict, Params, bad_request
from .records import WebhookAttempt, WebhookConfig
from .state import TelegramState


class Webhooks(TelegramState):
    """The webhook methods and their delivery."""

    def _api_set_webhook(self, p: Params) -> bool:
        url = p.string("url", "") or ""
        if not url:
            self._remove_webhook(drop_pending=p.boolean("drop_pending_updates"))
            return True
        if not url.startswith(("http://", "https://")):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if p.has("allowed_updates"):
            self._set_allowed_updates(p.obj("allowed_updates"))
        if p.boolean("drop_pending_updates"):
            self._pending.clear()
        self._remove_webhook(drop_pending=False)
        self._webhook = WebhookConfig(
            url=url,
            secret_token=p.string("secret_token"),
            max_connections=p.integer("max_connections", 40) or 40,
        )
        # A newer webhook (like a newer poll) ends any pending getUpdates.
        self._poll_generation += 1
        task = asyncio.create_task(self._deliver(self._webhook))
        self._webhook_tasks.add(task)
        task.add_done_callback(self._webhook_tasks.discard)
        self._pulse()
        return True

    def _api_delete_webhook(self, p: Params) -> bool:
        self._remove_webhook(drop_pending=p.boolean("drop_pending_updates"))
        return True

    def _remove_webhook(self, drop_pending: bool) -> None:
        self._webhook = None  # its delivery task notices and stops
        if drop_pending:
            self._pending.clear()
        self._pulse()

    def _api_get_webhook_info(self, p: Params) -> JSONDict:
        config = self._webhook
        info: JSONDict = {
            "url": config.url if config else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if config is not None:
            info["max_connections"] = config.max_connections
            if config.last_error_date is not None:
                info["last_error_date"] = config.last_error_date
                info["last_error_message"] = config.last_error_message
        if self._allowed_updates is not None:
            info["allowed_updates"] = list(self._allowed_updates)
        return info

    async def _deliver(self, config: WebhookConfig) -> None:
        """POST queued updates to the webhook in order until it is replaced or removed."""
        assert self._session is not None
        delay = self.webhook_retry_delay
        headers = {"Content-Type": "application/json"}
        if config.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = config.secret_token
        while self._webhook is config and not self._closing.is_set():
            if not self._pending:
                await self._wait_change(None)
                continue
            update = self._pending[0]
            attempt = WebhookAttempt(update["update_id"], config.url, self._now())
            try:
                async with self._session.post(
                    config.url,
                    data=json.dumps(update),
                    headers=headers,
                    timeout=aiohttp.ClientTimeout(total=self.webhook_timeout),
                ) as response:
                    attempt.status = response.status
                    reason = response.reason
                    await response.read()
            except (aiohttp.ClientError, TimeoutError) as error:
                attempt.error = f"{type(error).__name__}: {error}"
            self.webhook_attempts.append(attempt)
            if attempt.accepted:
                if update in self._pending:
                    self._pending.remove(update)
                delay = self.webhook_retry_delay
                self._pulse()
                continue
            config.last_error_date = int(attempt.at)
            config.last_error_message = (
                f"Wrong response from the webhook: {attempt.status} {reason}"
                if attempt.status is not None
                else "Connection refused"
            )
            self._pulse()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), delay)
            delay = min(delay * 2, 1.0)
