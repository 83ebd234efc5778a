"""The office web apps: small real ASGI apps with SQLite state, served on `*.office.test`."""

from __future__ import annotations

import importlib
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from officegym.errors import UnknownNameError
from officegym.tasks.apps._store import Row, StateStore
from officegym.tasks.apps.people import Person

__all__ = [
    "APP_MODULES",
    "DOMAIN",
    "FROZEN_NOW",
    "SITE_HOSTS",
    "WORLD_HEADER",
    "AppSpec",
    "Row",
    "StateStore",
    "app_url",
    "host_app",
    "hosts_of",
    "load_app",
]

# Every app is served at `<name>.office.test`; Chromium maps the domain to the app server.
DOMAIN = "office.test"
# The header a browser context sends to say which world (one env's private state) it is in.
WORLD_HEADER = "x-officegym-world"

# Every app reads "now" from here, so seeded data and rendered dates never depend on the wall clock.
FROZEN_NOW = "2026-03-16T10:00:00"

APP_MODULES = {
    name: f"officegym.tasks.apps.{name}"
    for name in (
        "mail", "chat", "calendar", "docs", "sheets", "code", "network", "search", "drive",
        "miniwob",
    )
}  # fmt: skip
# Hosts that are not apps but sites an app serves: the Search app's corpus lives at its own
# hosts (`intranet.office.test/policies/travel`), as the web a search engine indexes does. A
# world that has the app reaches its sites too; the app reads which one from `scope["officegym.
# host"]`.
SITE_HOSTS = {
    "intranet": "search",
    "news": "search",
    "help": "search",
    "wiki": "search",
    "careers": "search",
}


def host_app(prefix: str) -> str | None:
    """The app that answers `<prefix>.office.test` (itself, or the app serving that site)."""
    if prefix in APP_MODULES:
        return prefix
    return SITE_HOSTS.get(prefix)


def hosts_of(app: str) -> tuple[str, ...]:
    """The host prefixes an app answers: its own name and its sites'."""
    return (app, *sorted(h for h, owner in SITE_HOSTS.items() if owner == app))


@dataclass(frozen=True)
class AppSpec:
    """What the server and the tasks need of an app.

    Attributes:
        name: short name, also the host prefix (`mail` → `mail.office.test`).
        asgi: the ASGI app; it finds its state in `scope["officegym.store"]`.
        populate: fills an empty store with seeded, realistic data, given the world's people
            (`officegym.tasks.apps.people.directory(seed)`, shared by every app).
        pages: the paths of its main views (a test opens each in Chromium).
        inline_script: its pages run inline script and handler attributes of their own and
            cannot carry the server's nonce (pages served as a package ships them): the server's
            Content-Security-Policy then allows inline script (see `_policy`).
    """

    name: str
    asgi: Callable[..., Any]
    populate: Callable[[StateStore, random.Random, Sequence[Person]], None]
    pages: tuple[str, ...] = ("/",)
    inline_script: bool = False


@cache
def load_app(name: str) -> AppSpec:
    """Import an app by name (lazily: importing officegym starts nothing).

    Raises:
        UnknownNameError: no app has that name.
    """
    if name not in APP_MODULES:
        raise UnknownNameError("app", name, APP_MODULES)
    spec: AppSpec = importlib.import_module(APP_MODULES[name]).APP
    return spec


def app_url(name: str, path: str = "/") -> str:
    """The URL a browser uses for an app: `app_url("mail", "/thread/3")`."""
    return f"http://{name}.{DOMAIN}{path}"
