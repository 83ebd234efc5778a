"""Pages for recordings that name a start page but no task (imported from other tools).

The browser reaches nothing but the office apps, so an outside page is replayed against a local
copy: with `serve`, every http(s) request is answered from that folder by its path (a folder's
`index.html` for a path ending in `/`), whatever the host; a file that is not there is a 404.
"""

from __future__ import annotations

import mimetypes
import uuid
from pathlib import Path
from urllib.parse import unquote, urlsplit

from playwright.async_api import Route

from officegym.browser import BrowserHost, PageWatch, Stage
from officegym.replayer._driver import Unreplayable


def served_file(folder: Path, url: str) -> Path | None:
    """The file of `folder` that answers `url`, or None (outside the folder, or not there).

    >>> import tempfile; d = Path(tempfile.mkdtemp()); _ = (d / "index.html").write_text("hi")
    >>> served_file(d, "https://shop.example/").name, served_file(d, "http://x/../etc/passwd")
    ('index.html', None)
    """
    path = unquote(urlsplit(url).path) or "/"
    if path.endswith("/"):
        path += "index.html"
    root = folder.resolve()
    found = (root / path.lstrip("/")).resolve()
    if not found.is_relative_to(root) or not found.is_file():
        return None
    return found


async def open_start_page(
    host: BrowserHost, start_url: str, viewport: tuple[int, int], serve: Path | None
) -> Stage:
    """A stage with no app state: a fresh context on `start_url`, served from `serve` if given.

    Raises:
        playwright.async_api.Error: the start page could not be loaded.
        Unreplayable: it answered with an HTTP error.
    """
    world_id = uuid.uuid4().hex  # names no world: the app server has nothing for it
    context = await host.new_context(world_id, *viewport)
    if serve is not None:
        folder = serve

        async def answer(route: Route) -> None:
            if not route.request.url.startswith(("http://", "https://")):
                await route.continue_()
                return
            found = served_file(folder, route.request.url)
            if found is None:
                await route.fulfill(status=404, body=f"not in {folder}")
                return
            kind = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
            await route.fulfill(status=200, body=found.read_bytes(), content_type=kind)

        await context.route("**/*", answer)
    page = context.pages[0]
    stage = Stage(0, world_id, {}, {}, context, page, PageWatch(page))
    context.on("page", stage.use_page)
    try:
        response = await page.goto(start_url, wait_until="load")
        if response is not None and response.status >= 400:
            where = f" (not in {serve})" if serve is not None else ""
            raise Unreplayable(f"it answered HTTP {response.status}{where}")
        await stage.watch.settle()
    except BaseException:
        await stage.close(host)
        raise
    return stage
