"""MiniWoB++ task pages, served as they ship in the `miniwob` package.

`http://miniwob.office.test/miniwob/<task>.html` is the package's `html/miniwob/<task>.html`, with
its `core/` and `common/` scripts beside it. The pages keep their own state; the app has none.
"""

from __future__ import annotations

import importlib.util
import random
from functools import cache
from pathlib import Path
from typing import Any

from officegym.errors import OfficegymError
from officegym.tasks.apps import AppSpec, StateStore


class MiniWoBUnavailableError(OfficegymError, RuntimeError):
    """The `miniwob` package is not installed."""


@cache
def html_dir() -> Path | None:
    """The `html/` folder of the installed `miniwob` package, found without importing it
    (importing it would register its own Selenium envs)."""
    spec = importlib.util.find_spec("miniwob")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "html"
    return folder if (folder / "miniwob").is_dir() else None


def task_pages() -> list[str]:
    """Names of the MiniWoB++ tasks the package ships (`click-test`, `enter-text`, …)."""
    folder = html_dir()
    return sorted(p.stem for p in (folder / "miniwob").glob("*.html")) if folder else []


def _populate(store: StateStore, rng: random.Random, people: object) -> None:
    """The pages hold their own state; the store only says which pages these are."""
    store.executescript(
        "CREATE TABLE app (name TEXT NOT NULL); INSERT INTO app VALUES ('miniwob');"
    )


class _Pages:
    """Serve the package's pages; made on first request so a missing package fails there."""

    def __init__(self) -> None:
        self._files: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self._files is None:
            from starlette.applications import Starlette
            from starlette.routing import Mount
            from starlette.staticfiles import StaticFiles

            folder = html_dir()
            if folder is None:
                raise MiniWoBUnavailableError(
                    "MiniWoB++ tasks need the miniwob package: pip install 'officegym[miniwob]'"
                )
            # Inside an app, a missing file (the favicon) is a plain 404, not a server error.
            self._files = Starlette(routes=[Mount("/", StaticFiles(directory=folder))])
        await self._files(scope, receive, send)


# The pages' own inline scripts and onclick= handlers are the task, and the files are served as
# shipped (no nonce can be added, nothing of a request is echoed): their policy allows inline
# script from this origin only; see officegym/tasks/apps/_policy.py.
APP = AppSpec(name="miniwob", asgi=_Pages(), populate=_populate, inline_script=True)
