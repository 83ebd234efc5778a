"""PageWatch: follows a page's navigations and what it tried to reach, so a step can wait for the
page to settle and report what was blocked; `read_page` reads the page past its own script."""

from __future__ import annotations

import asyncio
import json
import re
import weakref
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import CDPSession, Page
from playwright.async_api import Error as PlaywrightError

from officegym.tasks.apps import DOMAIN

# Playwright's evaluate runs a helper script of its own in the page's world, and the page's
# script can break it for every caller (replace Object.entries and every result comes back
# undefined). What the env reads each step (the settle, the accessibility tree, the input
# counters) goes through CDP's Runtime.evaluate instead, whose value V8 returns by itself, and
# into page.js's `__og`, which the page cannot change.
_sessions: weakref.WeakKeyDictionary[Page, asyncio.Future[CDPSession]]
_sessions = weakref.WeakKeyDictionary()
NO_CONTEXT = "Cannot find default execution context"  # between two documents
UNSERIALIZABLE = {
    "NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf"), "-0": -0.0,
}  # fmt: skip


async def page_session(page: Page) -> CDPSession:
    """The page's CDP session for reading and capturing it, made on first use."""
    made = _sessions.get(page)
    if made is None:
        made = _sessions[page] = asyncio.ensure_future(page.context.new_cdp_session(page))
    # Shielded: a caller cancelled while it is being made leaves it made for the next one.
    return await asyncio.shield(made)


async def read_page(page: Page, expression: str) -> Any:
    """The value of the JS `expression` in the page's main world, awaited if it is a promise.

    Raises:
        playwright.async_api.Error: the expression threw, or the page is gone or navigating.
    """
    session = await page_session(page)
    try:
        reply = await session.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
    except PlaywrightError as exc:
        if NO_CONTEXT not in str(exc):
            raise
        return await page.evaluate(expression)  # it waits for the next document to be ready
    if "exceptionDetails" in reply:
        details = reply["exceptionDetails"]
        thrown = details.get("exception", {}).get("description") or details.get("text")
        raise PlaywrightError(str(thrown or "the expression threw"))
    result = reply.get("result", {})
    if "unserializableValue" in result:
        text = result["unserializableValue"]
        return UNSERIALIZABLE[text] if text in UNSERIALIZABLE else int(text.rstrip("n"))  # 12n
    return result.get("value")


# How Chromium reports a request the page's Content-Security-Policy refused before it was made:
# `Connecting to 'ws://example.com/' violates the following Content Security Policy directive`
# (older builds: `Refused to connect to '…' because it violates …`).
CSP_REFUSAL = re.compile(r"^[^']*'([^']+)' (?:because it )?violates the following Content Security")


def _is_app_url(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host.endswith("." + DOMAIN) or url.startswith(("data:", "blob:", "about:"))


class PageWatch:
    """Follows a page's main-frame navigations so a step can wait for a new document."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.loaded = asyncio.Event()
        self.loaded.set()
        # What the page tried to reach outside the task's apps, or to save: the env reports it.
        self.blocked: list[str] = []
        page.on("request", self._on_request)
        page.on("requestfailed", self._on_failed)
        page.on("load", lambda _: self.loaded.set())
        page.on("websocket", self._on_websocket)
        page.on("download", self._on_download)
        page.on("console", self._on_console)

    def _on_request(self, request: Any) -> None:
        if request.is_navigation_request() and request.frame == self.page.main_frame:
            self.loaded.clear()

    def _on_failed(self, request: Any) -> None:
        if request.is_navigation_request() and request.frame == self.page.main_frame:
            self.blocked.append(f"navigation to {request.url} ({request.failure})")
            self.loaded.set()
        elif not _is_app_url(request.url):  # the page's own fetch, image, script … outside
            self.blocked.append(f"{request.resource_type} request to {request.url}")

    def _on_websocket(self, socket: Any) -> None:
        if not _is_app_url(socket.url):  # it cannot connect (the proxy is closed); say so
            self.blocked.append(f"WebSocket to {socket.url}")

    def _on_console(self, message: Any) -> None:
        # The apps' policy stops a fetch or WebSocket to the outside before any request exists,
        # so no `requestfailed` tells of it: Chromium's console does.
        found = CSP_REFUSAL.match(message.text) if message.type == "error" else None
        if found and not _is_app_url(url := found.group(1)):
            kind = "WebSocket" if url.startswith(("ws:", "wss:")) else "request"
            self.blocked.append(f"{kind} to {url} (refused by the page's Content-Security-Policy)")

    def _on_download(self, download: Any) -> None:
        # Contexts refuse downloads (accept_downloads=False): nothing is written anywhere.
        self.blocked.append(f"download of {download.url} ({download.suggested_filename})")

    async def settle(
        self,
        timeout_ms: float = 5000,
        scrolled: bool = False,
        probe: str = "null",
        arg: Any = None,
    ) -> Any:
        """Wait until the page has handled the input: requests answered and read, loads done,
        and (after a wheel, `scrolled`) scrolling come to rest.

        Returns:
            The value of the JS expression `probe` (over `a`, which is `arg`), evaluated in the
            same round trip once the page is quiet: a check costs no extra call. A promise is
            awaited if it is one of `__og`'s (`__og.resolve(…)`); `arg` must be JSON.
        """
        args = ", ".join(json.dumps(v) for v in (timeout_ms, scrolled, arg))
        script = (
            f"((t, s, a) => window.__og ? __og.settled(t, s, () => ({probe})) "
            f": {{value: ({probe})}})({args})"
        )
        result = None
        for _ in range(3):  # a navigation replaces the document the wait was running in
            try:
                answer = await read_page(self.page, script)
                result = answer.get("value") if isinstance(answer, dict) else None
                replaced = False
            except PlaywrightError as exc:
                if "context was destroyed" not in str(exc) and "navigat" not in str(exc):
                    raise
                replaced = True
            if self.loaded.is_set() and not replaced:
                return result
            try:  # wait for the new document, then settle (and probe) in it
                await asyncio.wait_for(self.loaded.wait(), timeout_ms / 1000)
            except TimeoutError:
                return result
        return result
