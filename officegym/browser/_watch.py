"""PageWatch: follows a page's navigations and what it tried to reach, so a step can wait for the
page to settle and report what was blocked."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from officegym.tasks.apps import DOMAIN


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
            same round trip once the page is quiet: a check costs no extra call.
        """
        script = (
            "async ([t, s, a]) => { if (window.__og) await window.__og.settle(t, s); "
            f"return {probe}; }}"
        )
        result = None
        for _ in range(3):  # a navigation replaces the document the wait was running in
            try:
                result = await self.page.evaluate(script, [timeout_ms, scrolled, arg])
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
