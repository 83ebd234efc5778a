"""What the office apps share: the page layout, the client widgets, forms and redirects.

Each app (chat, calendar, docs, …) is a Starlette app with server-rendered pages and plain HTML
forms (POST, then 303 to the page to show: a reload or a deep link always works); Mail's own
script swaps views in place instead (`Site.view`), and each view's URL still renders a whole page.
The shared layout gives every page the top bar with the app switcher (only the apps of the
episode's world), and `_shared/office.js` gives the widgets: menu buttons, people pickers with
autocomplete, keyboard shortcuts and Enter-to-send text areas.

Everything a page shows of a request or of stored state goes through a template with autoescape
on; only the page's own CSS and script (files of the app) and markup built here from escaped
text (`linkify`, a view inside its layout) are marked safe. The page's script carries the nonce
the server's Content-Security-Policy allows (`_policy`): a script that is not the app's own never
runs, and the apps' templates have no handler attributes (`onclick=`): scripts add listeners.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote

from jinja2 import ChoiceLoader, Environment, FileSystemLoader
from markupsafe import Markup, escape
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from officegym.tasks.apps._policy import NONCE_KEY
from officegym.tasks.apps._store import StateStore
from officegym.tasks.apps.people import ME

SHARED = Path(__file__).parent / "_shared"
APP_TITLES = {
    "mail": "Mail",
    "chat": "Chat",
    "calendar": "Calendar",
    "docs": "Docs",
    "sheets": "Sheets",
    "code": "Code",
    "network": "Network",
    "search": "Search",
    "drive": "Drive",
}


# An office app's address in a message; a sentence's closing punctuation is not part of it.
_APP_URL = re.compile(r"https?://[a-z]+\.office\.test(?:/[^\s<>\"']*)?(?<![.,;:!?)])")


def linkify(text: str) -> Markup:
    """Escape `text` and make the office apps' addresses in it links that open in a new tab, as
    mail and chat clients do."""
    parts, last = [], 0
    for match in _APP_URL.finditer(text):
        parts += [
            escape(text[last : match.start()]),
            Markup('<a href="{0}" target="_blank" rel="noopener">{0}</a>').format(match.group()),
        ]
        last = match.end()
    return Markup("").join([*parts, escape(text[last:])])


class Site:
    """One app's templates and page assets, rendered inside the shared layout.

    `widgets=False` leaves the shared styles and widgets (office.css, office.js) out of the pages:
    for an app whose own script drives its menus, pickers and shortcuts (Mail's mail.js), where
    office.js would handle the same clicks again (a menu button would open and at once close).
    """

    def __init__(self, name: str, folder: Path, widgets: bool = True) -> None:
        self.name, self.title = name, APP_TITLES[name]
        self.templates = Environment(
            loader=ChoiceLoader([FileSystemLoader(folder / "templates"), FileSystemLoader(SHARED)]),
            autoescape=True,  # every template, whatever its name ends with
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.templates.filters["linkify"] = linkify
        # Inlined into every page: a fresh browser context has an empty cache, and one request
        # per page keeps a reset's page load short.
        static = folder / "static"
        self.css = _inline(static / f"{name}.css", widgets)
        self.js = _inline(static / f"{name}.js", widgets)

    def page(
        self, request: Request, template: str, title: str, status: int = 200, **context: Any
    ) -> HTMLResponse:
        apps = request.scope.get("officegym.apps") or [self.name]
        html = self.templates.get_template(template).render(
            site=self,
            title=title,
            apps=[(a, APP_TITLES.get(a, a)) for a in apps if a in APP_TITLES],
            me=ME,
            css=self.css,
            js=self.js,
            nonce=request.scope.get(NONCE_KEY, ""),  # none outside the app server (unit tests)
            path=request.url.path,
            **context,
        )
        return HTMLResponse(html, status, headers=NO_STORE)

    def view(
        self,
        request: Request,
        template: str,
        title: str,
        layout: str,
        frame: Callable[[], Mapping[str, Any]],
        status: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        """A view for an app whose script swaps views in place (one small request per move).

        The script asks with an `X-Partial` header and gets `template` alone; a reload or a deep
        link gets the whole page, `layout` with the view as `view` and what `frame()` adds around
        it (a sidebar's counts: queried only then; its names must differ from the view's). Both
        say the page title in `X-Title`, percent-encoded since headers are Latin-1.
        """
        view = self.templates.get_template(template).render(
            site=self, title=title, me=ME, **context
        )
        headers = {"X-Title": quote(f"{title} - {self.title}")}
        if request.headers.get("x-partial"):
            return HTMLResponse(view, status, headers={**headers, **NO_STORE})
        response = self.page(
            request, layout, title, status, view=Markup(view), **frame(), **context
        )
        response.headers.update(headers)
        return response

    def not_found(self, request: Request, what: str) -> HTMLResponse:
        """A 404 page saying `what` (text: it may quote the request, and is escaped)."""
        return self.page(request, "message.html", "Not found", 404, message=what)


# Pages show live state: going back or reloading must ask the server again.
NO_STORE = {"Cache-Control": "no-store"}


def _inline(own: Path, widgets: bool) -> str:
    """The shared `office.css` or `office.js` (with `widgets`), then the app's own if it has one."""
    shared = (SHARED / f"office{own.suffix}").read_text() if widgets else ""
    return shared + (own.read_text() if own.exists() else "")


# The largest form body an app reads: far above any field's own limit, far below what would
# slow the server down.
MAX_FORM_BYTES = 1_000_000


class IdConvertor(Convertor[int]):
    """`{x:id}` in a route: a row id of 1 to 9 digits. A longer one (too big for SQLite's
    integers) does not match the route, so it is a 404 rather than an OverflowError."""

    regex = "[0-9]{1,9}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("id", IdConvertor())


def store_of(request: Request) -> StateStore:
    store: StateStore = request.scope["officegym.store"]
    return store


async def form_of(request: Request) -> dict[str, list[str]]:
    """The posted form, every field as a list (pickers post one field per chosen person).

    The apps' forms are URL-encoded (no uploads), so the standard library reads them.
    A body over `MAX_FORM_BYTES` is refused (413) before it is read, and one that is not UTF-8
    (no browser form posts that) is a 400, not a server error.
    """
    declared = request.headers.get("content-length", "")
    if declared.isdecimal() and int(declared) > MAX_FORM_BYTES:
        raise HTTPException(413, "The form is too large.")
    raw = await request.body()
    if len(raw) > MAX_FORM_BYTES:
        raise HTTPException(413, "The form is too large.")
    try:
        text = raw.decode()
    except UnicodeDecodeError:
        raise HTTPException(400, "The form is not UTF-8.") from None
    out: dict[str, list[str]] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        out.setdefault(key, []).append(value)
    return out


async def json_of(request: Request) -> dict[str, Any]:
    """The posted JSON object (Mail's script posts its actions so), under the same bound as a
    form: a body that is too large is a 413, one that is not a JSON object a 400."""
    declared = request.headers.get("content-length", "")
    if declared.isdecimal() and int(declared) > MAX_FORM_BYTES:
        raise HTTPException(413, "The request is too large.")
    raw = await request.body()
    if len(raw) > MAX_FORM_BYTES:
        raise HTTPException(413, "The request is too large.")
    try:
        data = json.loads(raw)
    except ValueError:  # not UTF-8, or not JSON
        raise HTTPException(400, "The request is not JSON.") from None
    if not isinstance(data, dict):
        raise HTTPException(400, "The request is not a JSON object.")
    return data


def first(form: dict[str, list[str]], key: str, default: str = "") -> str:
    return (form.get(key) or [default])[0].strip()


def back_to(form: dict[str, list[str]], default: str = "/") -> Response:
    """303 to the form's `back` field: a path on this app only (never `//host/…`)."""
    return see_other(safe_back(first(form, "back", default), default))


def safe_back(back: str, default: str = "/") -> str:
    """`back` when it is a path on this app, else `default`: never another host (`//host/…`,
    `/\\host` which browsers read as `//host`, `https://…`) nor a `javascript:` address."""
    return back if back.startswith("/") and back[1:2] not in ("/", "\\") else default


def see_other(url: str) -> Response:
    """After a POST, show this page (303: the browser GETs it)."""
    return RedirectResponse(url, status_code=303)


async def people_route(request: Request) -> JSONResponse:
    """`GET /api/…?q=da`, every app's people autocomplete: people other than the user whose
    name or address starts a word with `q` (at most 8)."""
    q = request.query_params.get("q", "").strip().lower()
    if not q:
        return JSONResponse([])
    rows = store_of(request).query(
        "SELECT name, email FROM people WHERE email != ? AND (lower(name) LIKE ? OR "
        "lower(name) LIKE ? OR lower(email) LIKE ?) ORDER BY name LIMIT 8",
        (ME.email, f"{q}%", f"% {q}%", f"{q}%"),
    )
    return JSONResponse(rows)
