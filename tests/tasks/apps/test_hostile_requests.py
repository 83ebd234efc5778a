"""Every route of every office app, asked with what no page of the app sends: an id too big for
SQLite, a path part that names nothing, a body that is neither UTF-8 nor JSON. Each is refused
(a 4xx), never a server error."""

from __future__ import annotations

import random
import re
from collections.abc import MutableMapping
from typing import Any

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from officegym.tasks.apps import APP_MODULES, StateStore, load_app
from officegym.tasks.apps._policy import NONCE_KEY
from officegym.tasks.apps.people import directory

APPS = [a for a in APP_MODULES if a != "miniwob"]  # MiniWoB++ serves static files only
HUGE_ID = "9" * 25  # past SQLite's 64-bit integers
NOT_UTF8 = b"\xff\xfe=\xff&title=\x80"


@pytest.fixture(scope="module")
def world() -> dict[str, StateStore]:
    """Every app's seeded store, in one world (Drive and Network read the others)."""
    stores = {}
    for app in APPS:
        stores[app] = StateStore()
        load_app(app).populate(stores[app], random.Random(f"{app}/0"), directory(0))
    return stores


def client(app: str, stores: dict[str, StateStore]) -> TestClient:
    """The app with the scope the server gives it (`officegym.tasks.apps.server`)."""
    asgi = load_app(app).asgi

    async def served(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        scope["officegym.store"] = stores[app]
        scope["officegym.stores"] = stores
        scope["officegym.apps"] = sorted(stores)
        scope["officegym.host"] = app
        scope[NONCE_KEY] = "test-nonce"
        await asgi(scope, receive, send)

    return TestClient(served, raise_server_exceptions=False, base_url=f"http://{app}.office.test")


def hostile_paths(app: str) -> list[tuple[str, str]]:
    """(method, path) for each route: numbers made huge, other parts made `x`."""
    out = []
    for route in load_app(app).asgi.routes:
        if not isinstance(route, Route):
            continue  # static files
        path = re.sub(r"\{[^}:]+:(?:id|int)\}", HUGE_ID, route.path)
        path = re.sub(r"\{[^}]+\}", "x", path)
        out += [(m, path) for m in sorted(route.methods or {"GET"}) if m != "HEAD"]
    return out


@pytest.mark.parametrize("app", APPS)
def test_no_route_answers_hostile_input_with_a_server_error(
    app: str, world: dict[str, StateStore]
) -> None:
    web = client(app, world)
    failures = []
    for method, path in hostile_paths(app):
        if method == "GET":
            answer = web.get(path)
        else:
            kind = (
                "application/json"
                if path.startswith("/api/")
                else "application/x-www-form-urlencoded"
            )
            answer = web.request(method, path, content=NOT_UTF8, headers={"content-type": kind})
        if answer.status_code >= 500:
            failures.append(f"{method} {path}: {answer.status_code}")
    assert hostile_paths(app), f"{app} has no routes"
    assert failures == [], failures
