"""Headless Chromium from the system's packages, driven over its DevTools protocol.

A small driver, enough to open a page as a relative would on a phone: load an
address, record every request the page makes, read back the document the
browser built, and take a screenshot. It speaks the protocol over aiohttp's
websocket client (the bot's own dependency), so the tests need no browser
package, and nothing ever downloads a browser: the browser is Debian's
``chromium``, installed with apt-get when it is missing (:func:`chromium_path`).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import os
import re
import shutil
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

CHROMIUM = "/usr/bin/chromium"
# The switches the project runs Chromium with: no sandbox (tests run as root in
# containers), nothing of its own on the network, and a fresh profile each time.
SWITCHES = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",  # screenshots show the page as a phone does
    "--remote-debugging-port=0",
)
STARTED = re.compile(r"DevTools listening on (ws://\S+)")
TIMEOUT = 30.0


class BrowserMissing(Exception):
    """Chromium is not installed and cannot be installed here."""


def chromium_path() -> str:
    """Where Chromium is; installed from Debian's packages first when missing (as
    root, with no prompt), as the test command promises on a fresh machine."""
    found = CHROMIUM if os.access(CHROMIUM, os.X_OK) else shutil.which("chromium")
    if found:
        return found
    if os.geteuid() != 0:
        raise BrowserMissing(
            "The browser tests need Chromium: install it with 'apt-get install chromium' "
            "(as root), then run them again."
        )
    quiet = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]
    if subprocess.run(install, env=quiet, check=False).returncode != 0:
        subprocess.run(["apt-get", "update"], env=quiet, check=True)
        subprocess.run(install, env=quiet, check=True)
    if not os.access(CHROMIUM, os.X_OK):
        raise BrowserMissing("apt-get installed chromium, but /usr/bin/chromium is not there.")
    return CHROMIUM


@dataclass
class Loaded:
    """What came of opening an address."""

    status: int
    headers: dict[str, str]
    requests: list[str]  # every address the page asked for, the page itself first


@dataclass
class Tab:
    """One page in the browser (a target, attached with its own session)."""

    browser: Browser
    session: str
    requests: list[str] = field(default_factory=list)

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        return await self.browser.call(method, session=self.session, **params)

    async def open(self, url: str) -> Loaded:
        """Load ``url`` and wait for it; every request the page made is recorded."""
        self.requests = []
        document: dict[str, Any] = {}
        loaded = asyncio.get_running_loop().create_future()

        def listen(method: str, params: dict[str, Any]) -> None:
            if method == "Network.requestWillBeSent":
                self.requests.append(params["request"]["url"])
            elif method == "Network.responseReceived" and params.get("type") == "Document":
                document.update(params["response"])
            elif method == "Page.loadEventFired" and not loaded.done():
                loaded.set_result(None)

        self.browser.listeners[self.session] = listen
        try:
            await self.call("Page.navigate", url=url)
            await asyncio.wait_for(loaded, TIMEOUT)
        finally:
            self.browser.listeners.pop(self.session, None)
        headers = {k.lower(): v for k, v in document.get("headers", {}).items()}
        return Loaded(int(document.get("status", 0)), headers, list(self.requests))

    async def html(self) -> str:
        """The document as the browser built it (read through the protocol, so the
        page's own policy, which allows no script, stays in force)."""
        root = await self.call("DOM.getDocument", depth=-1)
        found = await self.call("DOM.getOuterHTML", nodeId=root["root"]["nodeId"])
        return str(found["outerHTML"])

    async def count(self, selector: str) -> int:
        """How many elements match ``selector`` in the document."""
        root = await self.call("DOM.getDocument", depth=-1)
        found = await self.call(
            "DOM.querySelectorAll", nodeId=root["root"]["nodeId"], selector=selector
        )
        return len(found["nodeIds"])

    async def screenshot(self, path: Path, *, whole: bool = True) -> Path:
        """The page as a PNG file, at the width the tab was opened with: all of it, or
        (``whole=False``) the first screen, as a phone shows it on opening."""
        if whole:
            size = (await self.call("Page.getLayoutMetrics"))["cssContentSize"]
            clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
            shot = await self.call(
                "Page.captureScreenshot", format="png", captureBeyondViewport=True, clip=clip
            )
        else:
            shot = await self.call("Page.captureScreenshot", format="png")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))
        return path


@dataclass
class Browser:
    """A running Chromium and the websocket that drives it."""

    process: asyncio.subprocess.Process
    http: aiohttp.ClientSession
    socket: aiohttp.ClientWebSocketResponse
    pending: dict[int, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)
    listeners: dict[str, Any] = field(default_factory=dict)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    reader: asyncio.Task[None] | None = None

    async def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        number = next(self.ids)
        message: dict[str, Any] = {"id": number, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        answer = asyncio.get_running_loop().create_future()
        self.pending[number] = answer
        await self.socket.send_json(message)
        return await asyncio.wait_for(answer, TIMEOUT)

    async def read(self) -> None:
        async for message in self.socket:
            if message.type is not aiohttp.WSMsgType.TEXT:
                continue
            data = message.json()
            if "id" in data:
                answer = self.pending.pop(data["id"], None)
                if answer is not None and not answer.done():
                    if "error" in data:
                        answer.set_exception(RuntimeError(f"{data['error']}"))
                    else:
                        answer.set_result(data.get("result", {}))
            else:
                listen = self.listeners.get(data.get("sessionId", ""))
                if listen is not None:
                    listen(data["method"], data.get("params", {}))

    async def tab(self, *, width: int, height: int, phone: bool = False) -> Tab:
        """A new page of ``width`` × ``height`` CSS pixels (a phone's, with ``phone``)."""
        target = await self.call("Target.createTarget", url="about:blank")
        attached = await self.call(
            "Target.attachToTarget", targetId=target["targetId"], flatten=True
        )
        tab = Tab(self, attached["sessionId"])
        await tab.call("Page.enable")
        await tab.call("Network.enable")
        await tab.call("DOM.enable")
        await tab.call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=2 if phone else 1,
            mobile=phone,
        )
        return tab


@contextlib.asynccontextmanager
async def chromium(profile: Path) -> AsyncIterator[Browser]:
    """Chromium, headless, with a fresh profile in ``profile``; stopped afterwards."""
    process = await asyncio.create_subprocess_exec(
        chromium_path(),
        *SWITCHES,
        f"--user-data-dir={profile}",
        "about:blank",
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    said: list[str] = []
    try:
        address = await asyncio.wait_for(_devtools_address(process.stderr, said), TIMEOUT)
    except (TimeoutError, EOFError):
        process.kill()
        await process.wait()
        raise RuntimeError("Chromium did not start:\n" + "".join(said[-20:])) from None
    # Its later words are read and dropped, so that a full pipe never stops it.
    draining = asyncio.create_task(_drain(process.stderr))
    http = aiohttp.ClientSession()
    try:
        socket = await http.ws_connect(address, max_msg_size=0)
        browser = Browser(process, http, socket)
        browser.reader = asyncio.create_task(browser.read())
        yield browser
    finally:
        with contextlib.suppress(Exception):
            await http.close()
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()
        draining.cancel()


async def _devtools_address(stream: asyncio.StreamReader, said: list[str]) -> str:
    while True:
        line = await stream.readline()
        if not line:
            raise EOFError
        text = line.decode(errors="replace")
        said.append(text)
        found = STARTED.search(text)
        if found:
            return found[1]


async def _drain(stream: asyncio.StreamReader) -> None:
    with contextlib.suppress(Exception):
        while await stream.read(65536):
            pass
