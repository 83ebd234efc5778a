"""Search: a web search engine at `search.office.test` over the corpus sites it also serves
(`intranet`, `news`, `help`, `wiki`, `careers` `.office.test`): the server says which host a
request is for in `scope["officegym.host"]`."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from officegym.tasks.apps import Row
from officegym.tasks.apps._web import Site, store_of
from officegym.tasks.apps.search._data import KINDS, SITES, page_url
from officegym.tasks.apps.search._index import PER_PAGE, SORTS, TIMES, Filters, panel, search
from officegym.tasks.apps.search._others import other_results

FOLDER = Path(__file__).parent
SEARCH = Site("search", FOLDER)
LISTED = 25  # pages a site's home or a section lists on one page
# The most digits a `page=` parameter may have: more is no page anyone links to.
PAGE_DIGITS = 6


def titled(title: str) -> Site:
    """Search's site (the same templates and assets) under a corpus site's name in the top bar:
    a shallow copy, so the templates and inlined assets are shared, not loaded again."""
    site = copy.copy(SEARCH)
    site.title = title
    return site


def page_number(value: str) -> int:
    """A `page=` parameter as a page number (1 when missing, malformed or absurdly long)."""
    return int(value) if value.isdecimal() and len(value) <= PAGE_DIGITS else 1


def host_of(request: Request) -> str:
    host: str = request.scope.get("officegym.host") or "search"
    return host


def when(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%b %-d, %Y")


async def home(request: Request) -> Response:
    host = host_of(request)
    if host != "search":
        return site_page(request, host, "/")
    return SEARCH.page(request, "home.html", "Search")


def _link_maker(q: str, filters: Filters) -> Any:
    """`link(page=2)` or `link(kind="news")`: the results URL with one thing changed (a new
    filter starts again at page 1)."""

    def link(**change: Any) -> str:
        params = {
            "q": q,
            "type": filters.kind,
            "time": filters.time,
            "site": filters.site,
            "sort": filters.sort,
            "page": 1,
        }
        params.update(change)
        return "/search?" + urlencode({k: v for k, v in params.items() if v not in ("", 1)})

    return link


async def results(request: Request) -> Response:
    """The results page; every site serves it too (its search box asks the same engine: a form
    may only post to its own origin)."""
    args = request.query_params
    q = args.get("q", "").strip()[:200]
    filters = Filters(
        time=args.get("time", ""),
        kind=args.get("type", ""),
        site=args.get("site", ""),
        sort=args.get("sort", ""),
    )
    store = store_of(request)
    found = search(store, q, filters, page_number(args.get("page", "")))
    for r in found.rows:
        r["when"] = when(r["published"])
        r["host"] = f"{r['site']}.office.test"
    return SEARCH.page(
        request,
        "results.html",
        f"{q} - Search" if q else "Search",
        q=q,
        found=found,
        filters=filters,
        link=_link_maker(q, filters),
        panel=panel(store, q) if q and found.page == 1 else None,
        others=other_results(request.scope.get("officegym.stores") or {}, q)
        if found.page == 1
        else [],
        per_page=PER_PAGE,
        kinds=KINDS,
        times={k: label for k, (label, _) in TIMES.items()},
        sites=SITES,
        sorts=SORTS,
        page_numbers=range(max(1, found.page - 4), min(found.pages, found.page + 5) + 1),
    )


async def any_path(request: Request) -> Response:
    host = host_of(request)
    if host == "search":
        return SEARCH.not_found(request, f"There is no page {request.url.path}.")
    return site_page(request, host, request.url.path)


def site_page(request: Request, host: str, path: str) -> Response:
    """A corpus page at `host` + `path`, or the list of the site's pages under `path` (a site's
    home, a section such as `/policies`), LISTED a page (`?page=2`)."""
    if host not in SITES:
        return SEARCH.not_found(request, f"There is no site {host}.office.test.")
    site = titled(SITES[host])
    store = store_of(request)
    rows = store.query("SELECT * FROM pages WHERE site = ? AND path = ?", (host, path))
    if rows:
        page = rows[0]
        owner = store.query("SELECT name, email FROM people WHERE email = ?", (page["owner"],))
        links = store.query(
            "SELECT label, href FROM links WHERE page_id = ? ORDER BY pos", (page["id"],)
        )
        return site.page(
            request,
            "page.html",
            page["title"],
            page=page,
            paragraphs=page["body"].split("\n\n"),
            when=when(page["published"]),
            kind=KINDS[page["kind"]],
            owner=owner[0] if owner else None,
            owner_url=page_url("intranet", f"/people/{page['owner'].split('@')[0]}"),
            links=links,
        )
    prefix = path.rstrip("/") + "/"
    total = _listed_count(store, host, prefix)
    if not total:
        return site.not_found(request, f"There is no page {path} on {host}.office.test.")
    pages = max(1, -(-total // LISTED))
    number = min(page_number(request.query_params.get("page", "")), pages)
    heading = SITES[host] if path == "/" else f"{SITES[host]}: {path.strip('/')}"
    return site.page(
        request,
        "listing.html",
        heading,
        pages=_listing(store, host, prefix, number),
        heading=heading,
        number=number,
        last=pages,
    )


def _listed_count(store: Any, host: str, prefix: str) -> int:
    return int(
        store.scalar(
            "SELECT count(*) FROM pages WHERE site = ? AND substr(path, 1, ?) = ?",
            (host, len(prefix), prefix),
        )
        or 0
    )


def _listing(store: Any, host: str, prefix: str, number: int) -> list[Row]:
    rows: list[Row] = store.query(
        "SELECT site, path, title, kind, published FROM pages WHERE site = ? AND "
        "substr(path, 1, ?) = ? ORDER BY published DESC, id LIMIT ? OFFSET ?",
        (host, len(prefix), prefix, LISTED, (number - 1) * LISTED),
    )
    for r in rows:
        r["url"], r["when"] = page_url(r["site"], r["path"]), when(r["published"])
    return rows


app = Starlette(
    routes=[
        Route("/", home),
        Route("/search", results),
        Route("/{path:path}", any_path),
    ]
)
