"""The app server: every office app of every world behind one loopback port.

Chromium maps `*.office.test` to this port (see `officegym.browser.BrowserHost`), so a page asks for
`http://mail.office.test/` and the server picks the app from the Host header and the world (one
env's private state) from the `x-officegym-world` header that the env's browser context sends.
"""

from __future__ import annotations

import asyncio
import html
import socket
from collections import Counter
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import uvicorn

from officegym.tasks.apps import DOMAIN, WORLD_HEADER, AppSpec, host_app, load_app
from officegym.tasks.apps._policy import NONCE_KEY, REFUSAL, new_nonce, policy, security_headers
from officegym.tasks.apps._store import StateStore

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


@dataclass
class World:
    """The state of one env's apps: one store per app, and only those apps are reachable."""

    id: str
    stores: dict[str, StateStore] = field(default_factory=dict)
    # A variant's latency (`slow`): seconds to hold the response to a request ("GET
    # mail.office.test/inbox") the given time (from 0) it is asked for. None: answer at once.
    latency: Callable[[str, int], float] | None = None
    asked: Counter[str] = field(default_factory=Counter)  # times each request came, for `latency`


class AppServer:
    """An ASGI app that dispatches on Host and world header, served by uvicorn on 127.0.0.1."""

    def __init__(self) -> None:
        self.worlds: dict[str, World] = {}
        self.port: int | None = None
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    def world(self, world_id: str) -> World:
        """Return the world with this id, creating it empty."""
        return self.worlds.setdefault(world_id, World(world_id))

    def drop_world(self, world_id: str) -> None:
        world = self.worlds.pop(world_id, None)
        if world:
            for store in world.stores.values():
                store.close()

    async def start(self) -> int:
        """Start serving on a free loopback port in the running event loop; return the port."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self, log_level="warning", lifespan="off", access_log=False, timeout_keep_alive=30
        )
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            if self._task.done():
                self._task.result()  # surfaces the start-up error
            await asyncio.sleep(0.005)
        return self.port

    async def stop(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await asyncio.wait_for(self._task, timeout=5)
            self._server = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await _refuse(scope, send, 404, "Only HTTP is served here.")
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "").split(":")[0].lower()
        prefix = host.removesuffix("." + DOMAIN) if host.endswith("." + DOMAIN) else None
        app_name = host_app(prefix) if prefix is not None else None
        world = self.worlds.get(headers.get(WORLD_HEADER, "default"))
        if app_name is None:
            return await _refuse(scope, send, 404, f"{host!r} is not an office app host.")
        if world is None:
            return await _refuse(scope, send, 404, "No world: reset the env before browsing.")
        store = world.stores.get(app_name)
        if store is None:
            return await _refuse(
                scope, send, 403, f"{host} is not part of this task (apps: {sorted(world.stores)})."
            )
        spec: AppSpec = load_app(app_name)
        scope = dict(scope)
        scope["officegym.store"] = store
        scope["officegym.host"] = prefix  # the app's own name, or the site of its it serves
        # Every store of the world, read-only by convention, for an app that shows another's
        # data (Drive lists the world's Docs documents and shares them through Docs' table).
        scope["officegym.stores"] = MappingProxyType(world.stores)
        scope["officegym.apps"] = sorted(world.stores)  # the app switcher shows only these
        scope[NONCE_KEY] = nonce = new_nonce()  # `Site` gives the page's own script this nonce
        send = _secured(send, policy(nonce, spec.inline_script))
        if world.latency is not None:
            send = _delayed(send, _latency_of(world, world.latency, scope, host))
        await spec.asgi(scope, receive, send)


def _latency_of(
    world: World, latency: Callable[[str, int], float], scope: Scope, host: str
) -> float:
    request = f"{scope['method']} {host}{scope['path']}"  # no query: a cache-buster's varies
    repeat = world.asked[request]
    world.asked[request] += 1
    return latency(request, repeat)


def _delayed(send: Send, seconds: float) -> Send:
    """`send` that holds the response's start for `seconds`. The request itself is handled at
    once, in the order it came, so the app's state changes as without the delay; only the
    answer is late, as over a slow network."""

    async def delayed(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            await asyncio.sleep(seconds)  # the latency the variant asks for, not a wait
        await send(message)

    return delayed


def _secured(send: Send, csp: str) -> Send:
    """`send` with the policy's headers added to the response, whichever route (or Starlette's
    own 404, redirect or error) made it: set here once, no route can forget it."""
    extra = security_headers(csp)

    async def secured(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)

    return secured


async def _refuse(scope: Scope, send: Send, status: int, message: str) -> None:
    if scope["type"] != "http":
        return
    body = f"<!doctype html><title>{status}</title><p>{html.escape(message)}</p>".encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/html; charset=utf-8"), *security_headers(REFUSAL)],
        }
    )
    await send({"type": "http.response.body", "body": body})
