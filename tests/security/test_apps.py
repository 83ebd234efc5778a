"""Markup in any part of a request never runs as script in an office app, and every app response
carries the Content-Security-Policy (issue 27, item 2).

For each app, a seeded episode: its routes come from the app's Starlette `routes`, a concrete URL
for each from the links and forms of its main pages (ids of the seeded state), and the query, form
and JSON fields a route reads from its source and its forms. Then each path segment, query
parameter and field in turn carries a payload: a GET loads in the episode's page, a form POST is
submitted from the page (the browser shows the answer, or where it redirects), a JSON POST is
fetched; then the pages that show stored state load again. After each load: no script ran
(`window.__pwned`); no payload became an element, a handler attribute or a `javascript:` URL (the
escaping holds by itself, not only the policy behind it); every response carried the policy. Over
the sweep Chromium reports no violation of the policy (nothing injected had to be blocked) and no
page error.
"""

from __future__ import annotations

import asyncio
import inspect
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import pytest
from playwright.async_api import Error as PlaywrightError
from starlette.routing import Mount, Route

from officegym.tasks import suite_tasks
from officegym.tasks.apps import APP_MODULES, app_url, load_app
from officegym.tasks.apps.server import AppServer

APPS = [a for a in APP_MODULES if a != "miniwob"]

# One payload for every context at once: a URL attribute (`javascript:`), a single- or double-
# quoted attribute, text (the <img> comes early: some pages show only a text's first 60
# characters), a <textarea>, a <title>, script data; each part sets window.__pwned.
POLYGLOT = (
    "javascript:'\"><img src=x onerror=window.__pwned=1></textarea></title></script>"
    "<svg onload=window.__pwned=1><script>window.__pwned=1</script>"
)
# A path segment carries no "/" (it would split the segment, and the route would not match).
SEGMENT = "javascript:'\"><img src=x onerror=window.__pwned=1><svg onload=window.__pwned=1>"
PAYLOADS = [  # the exhaustive sweep: each context alone (a check may stop a longer payload)
    "'\"><img src=x onerror=window.__pwned=1>",
    "<script>window.__pwned=1</script>",
    "</textarea></title></script><svg onload=window.__pwned=1>",
    "javascript:window.__pwned=1",
]
# Mail's JSON API: the ids and recipients a request needs to get as far as storing text.
JSON_BASE: dict[str, dict[str, Any]] = {
    "/api/threads": {"verb": "label_add", "ids": [1], "label": "Work"},
    "/api/send": {"to": ["someone@example.com"], "kind": "new", "subject": "s", "body": "b"},
    "/api/settings": {"signature": "s"},
}
DESTRUCTIVE = re.compile(r"delete|trash|leave|remove")  # swept last: later routes need the ids

# What a page shows that escaping should have kept as text: found in the page after each load.
CHECK_JS = """() => {
  const found = [];
  if (window.__pwned !== undefined) found.push("a script ran: window.__pwned=" + window.__pwned);
  const urlAttrs = ["href", "src", "action", "formaction", "data", "xlink:href", "poster"];
  for (const el of document.querySelectorAll("*")) {
    for (const a of el.attributes) {
      if (/^on/i.test(a.name)) found.push(`handler attribute <${el.localName} ${a.name}>`);
      if (urlAttrs.includes(a.name) && /^\\s*javascript:/i.test(a.value))
        found.push(`javascript: URL <${el.localName} ${a.name}>`);
    }
    const runs = el.localName === "script" && (!el.type || /javascript|module/.test(el.type));
    if (runs && el.textContent.includes("__pwned")) found.push("an injected <script>");
  }
  return found;
}"""
# Links and forms of a page: the concrete URLs and fields the sweep starts from.
CRAWL_JS = """() => {
  const urls = new Set();
  for (const el of document.querySelectorAll("*"))
    for (const a of el.attributes) if (/^\\/(?!\\/)/.test(a.value)) urls.add(a.value);
  const forms = [...document.forms]
    .filter((f) => f.dataset.autosave || f.method === "post")
    .map((f) => ({action: f.dataset.autosave || new URL(f.action).pathname,
                  fields: [...new FormData(f)].filter(([, v]) => typeof v === "string")}));
  return {urls: [...urls], forms};
}"""
SUBMIT_JS = """([action, fields]) => {
  const form = Object.assign(document.createElement("form"), {method: "post", action});
  for (const [name, value] of fields)
    form.append(Object.assign(document.createElement("input"), {type: "hidden", name, value}));
  document.body.append(form);
  form.submit();
}"""
FETCH_JS = """async ([url, body]) => {
  const res = await fetch(url, {method: "POST", headers: {"Content-Type": "application/json"},
                                body: JSON.stringify(body)});
  return res.status;
}"""


@dataclass
class AppRoute:
    """One route of an app: its path template, methods, and what its handler reads."""

    template: str
    methods: set[str]
    regex: re.Pattern[str]
    source: str  # the handler's source, where the names it reads are found
    examples: list[str] = field(default_factory=list)  # concrete paths, seeded ids
    forms: list[list[tuple[str, str]]] = field(default_factory=list)  # fields of its forms

    @property
    def is_json(self) -> bool:
        return "request.json()" in self.source

    def names(self, kind: str) -> list[str]:
        return sorted(set(re.findall(NAME_PATTERNS[kind], self.source)))


NAME_PATTERNS = {
    "query": r'query(?:_params)?\.get\(\s*"(\w+)"',
    "form": r'(?:first\([^"\n]*?|(?:form|form_of\(request\)\))\.get\(\s*)"(\w+)"',
    "json": r'data\.get\(\s*"(\w+)"',
}


def app_routes(app: str) -> list[AppRoute]:
    """The app's routes in routing order (a static mount as a route of any file under it)."""
    out, asgi = [], load_app(app).asgi
    for r in getattr(asgi, "routes", []):
        if isinstance(r, Mount):
            template = r.path + "/{path:path}"
            regex, methods, source = re.compile("^" + re.escape(r.path) + "/.+$"), {"GET"}, ""
        else:
            assert isinstance(r, Route)
            template, regex, methods = r.path, r.path_regex, set(r.methods or {"GET"})
            source = inspect.getsource(r.endpoint)
        out.append(AppRoute(template, methods, regex, source))
    return out


def route_of(routes: list[AppRoute], path: str, method: str) -> AppRoute | None:
    return next((r for r in routes if method in r.methods and r.regex.match(path)), None)


def with_segment(route: AppRoute, path: str, name: str | int, payload: str) -> str:
    """`path` (a concrete URL of `route`) with one parameter, or the segment at an index, set to
    the payload."""
    if isinstance(name, int):
        parts = path.split("/")
        parts[name] = quote(payload, safe="")
        return "/".join(parts)
    match = route.regex.match(path)
    values = dict(match.groupdict()) if match else {}
    values[name] = quote(payload, safe="")
    return re.sub(r"{(\w+)(?::\w+)?}", lambda m: str(values.get(m[1], "1")), route.template)


def fallback_path(route: AppRoute) -> str:
    """A concrete path when no page links to the route: 1 for a number, x for text."""
    return re.sub(r"{\w+(:\w+)?}", lambda m: "1" if m[1] == ":int" else "x", route.template)


def params_of(route: AppRoute, exhaustive: bool) -> list[str | int]:
    """Which parts of the path to fuzz: the text parameters (an :int one cannot carry markup:
    the route does not match); every segment in the exhaustive sweep."""
    if exhaustive:
        return list(range(1, route.template.count("/") + 1))
    return [m[1] for m in re.finditer(r"{(\w+)(:\w+)?}", route.template) if m[2] != ":int"]


class Sweep:
    """Loads, submits and fetches in one episode's page, and keeps what went wrong."""

    def __init__(self, env: Any, app: str) -> None:
        self.app = app
        self.host, self.page = env.unwrapped.host, env.unwrapped.stage.page
        self.findings: list[str] = []
        self.responses: list[Any] = []
        self.run(self._listen())  # on the browser's loop: subscribing talks to Playwright

    async def _listen(self) -> None:
        self.page.on("response", lambda r: self.responses.append(r))
        self.page.on("pageerror", lambda e: self.findings.append(f"page error: {e}"))
        self.page.on("console", self._console)

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.findings.append(f"policy violation at {self.page.url}: {message.text[:200]}")

    def run(self, coro: Any) -> Any:
        return self.host.run(coro)

    def load(self, path: str) -> None:
        try:
            self.run(self._checked(self.page.goto(app_url(self.app, path)), path))
        except PlaywrightError as exc:
            # A file the browser saves instead of showing (a PDF of Drive's in the headless
            # shell, which has no PDF viewer): no page of it is loaded, so no script can run.
            if "Download is starting" not in str(exc):
                raise

    def submit(self, action: str, fields: list[tuple[str, str]]) -> None:
        async def go() -> None:
            if urlsplit(self.page.url).hostname != urlsplit(app_url(self.app)).hostname:
                await self.page.goto(app_url(self.app))
            async with self.page.expect_navigation():
                await self.page.evaluate(SUBMIT_JS, [action, fields])

        self.run(self._checked(go(), f"POST {action} {[n for n, _ in fields]}"))

    def post_json(self, path: str, body: dict[str, Any]) -> None:
        self.run(self._checked(self.page.evaluate(FETCH_JS, [path, body]), f"POST {path} {body}"))

    async def _checked(self, action: Any, what: str) -> None:
        await action
        self.findings += [f"{what}: {f}" for f in await self.page.evaluate(CHECK_JS)]
        responses, self.responses[:] = list(self.responses), []
        for response in responses:
            csp = await response.header_value("content-security-policy") or ""
            if "script-src 'nonce-" not in csp:
                self.findings.append(f"{what}: no policy on {response.status} {response.url}")

    def crawl(self, path: str) -> dict[str, Any]:
        self.load(path)
        found: dict[str, Any] = self.run(self.page.evaluate(CRAWL_JS))
        return found


def seed_routes(sweep: Sweep, routes: list[AppRoute], pages: tuple[str, ...]) -> set[str]:
    """Give each route the concrete URLs and forms that the app's main pages show, and the pages
    they link to (one per route: a conversation's, a document's forms); return every path seen."""
    seen: set[str] = set()
    collect(sweep, routes, pages, seen)
    linked = [r.examples[0] for r in routes if "GET" in r.methods and r.examples]
    collect(sweep, routes, [p for p in linked if p not in pages], seen)
    return seen


def collect(sweep: Sweep, routes: list[AppRoute], pages: Iterable[str], seen: set[str]) -> None:
    for page in pages:
        found = sweep.crawl(page)
        for url in found["urls"]:
            path = urlsplit(url).path
            route = route_of(routes, path, "GET") or route_of(routes, path, "POST")
            if route and path not in route.examples:
                route.examples.append(path)
            seen.add(path)
        for form in found["forms"]:
            route = route_of(routes, form["action"], "POST")
            if route:
                route.forms.append([(k, v) for k, v in form["fields"]])
                if form["action"] not in route.examples:
                    route.examples.insert(0, form["action"])  # the path its form posts to


def get_requests(route: AppRoute, exhaustive: bool) -> Iterator[str]:
    """The URLs for a GET route: each path part, then each query parameter, with a payload."""
    path = route.examples[0] if route.examples else fallback_path(route)
    names = route.names("query")
    for payload in PAYLOADS if exhaustive else [POLYGLOT]:
        segment = payload.replace("/", "") if exhaustive else SEGMENT
        for name in params_of(route, exhaustive):
            yield with_segment(route, path, name, segment)
        for name in names:
            yield f"{path}?{urlencode({name: payload})}"
        if len(names) > 1:  # all at once too: one may be read only when another is valid
            yield f"{path}?{urlencode(dict.fromkeys(names, payload))}"


def post_requests(route: AppRoute, exhaustive: bool) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """(action, fields) for a form POST route: each path parameter, then each field it reads or
    its form has, with a payload (the other fields as the page's form fills them)."""
    path = route.examples[0] if route.examples else fallback_path(route)
    # Each different form posting here (an issue's comment, label and merge forms all post to
    # its /act), the names its handler reads with the first.
    forms = list({tuple(n for n, _ in f): f for f in route.forms}.values()) or [[]]
    for payload in PAYLOADS if exhaustive else [POLYGLOT]:
        segment = payload.replace("/", "") if exhaustive else SEGMENT
        for name in params_of(route, exhaustive):
            yield with_segment(route, path, name, segment), forms[0]
        for i, base in enumerate(forms):
            names = {n for n, _ in base} | (set(route.names("form")) if i == 0 else set())
            for name in sorted(names):
                yield path, [(n, v) for n, v in base if n != name] + [(name, payload)]


def json_requests(route: AppRoute, exhaustive: bool) -> Iterator[dict[str, Any]]:
    """Bodies for a JSON POST route: each field it reads set to a payload (a list field to a
    list of one)."""
    base = JSON_BASE.get(route.template, {})
    for payload in PAYLOADS if exhaustive else [POLYGLOT]:
        for name in route.names("json"):
            value = [payload] if isinstance(base.get(name), list) else payload
            yield {**base, name: value}


def sweep_app(env: Any, app: str, exhaustive: bool) -> list[str]:
    """Every request of the sweep, in the episode's page; what went wrong."""
    sweep = Sweep(env, app)
    spec, routes = load_app(app), app_routes(app)
    seen = seed_routes(sweep, routes, spec.pages)
    gets = [r for r in routes if "GET" in r.methods]
    posts = [r for r in routes if "POST" in r.methods]
    posts.sort(key=lambda r: bool(DESTRUCTIVE.search(r.template)))  # stable: routing order
    for route in gets:
        for url in get_requests(route, exhaustive):
            sweep.load(url)
    for route in posts:
        if route.is_json:
            for body in json_requests(route, exhaustive):
                sweep.post_json(route.template, body)
            continue
        for action, fields in post_requests(route, exhaustive):
            sweep.submit(action, fields)
    # Stored state: the main pages (loaded and checked as they are crawled), each route's page,
    # and the new links to what the sweep made.
    again = [r.examples[0] for r in gets if r.examples]
    for page in spec.pages:
        new = [p for p in sweep.crawl(page)["urls"] if urlsplit(p).path not in seen]
        again += [p for p in new if route_of(routes, urlsplit(p).path, "GET")]
    for path in dict.fromkeys(p for p in again if p not in spec.pages):
        sweep.load(path)
    sweep.run(sweep.page.evaluate("0"))  # every console event of the loads has arrived
    return sweep.findings


def episode(make_env: Callable[..., Any], app: str) -> Any:
    env = make_env(suite_tasks(app)[0], action_mode="browser")
    env.unwrapped.prepare_next = False  # no second episode prepared beside the sweep
    env.reset(seed=3)
    return env


@pytest.mark.browser
def test_a_folder_name_of_markup_does_not_run_in_mail(make_env: Callable[..., Any]) -> None:
    """The issue's case, as an agent does it: goto() a Mail URL whose folder is markup."""
    env = episode(make_env, "mail")
    markup = "<img src=x onerror=window.__pwned=1><svg onload=window.__pwned=1>"
    obs, *_ = env.step(f"goto({app_url('mail', '/' + markup)!r})")
    assert obs["last_action_error"] == ""
    assert env.unwrapped.evaluate_in_page(CHECK_JS) == []
    assert "There is no folder" in obs["axtree"]  # the name is shown, as text


@pytest.mark.browser
@pytest.mark.parametrize("app", APPS)
def test_markup_anywhere_in_a_request_never_runs(make_env: Callable[..., Any], app: str) -> None:
    findings = sweep_app(episode(make_env, app), app, exhaustive=False)
    assert findings == [], "\n".join(findings)


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("app", APPS)
def test_every_payload_in_every_part_of_every_request(
    make_env: Callable[..., Any], app: str
) -> None:
    findings = sweep_app(episode(make_env, app), app, exhaustive=True)
    assert findings == [], "\n".join(findings)


@pytest.mark.browser
def test_the_page_script_runs_with_a_nonce_of_its_own_response(
    make_env: Callable[..., Any],
) -> None:
    env = episode(make_env, "chat")
    host, page = env.unwrapped.host, env.unwrapped.stage.page

    async def nonces() -> tuple[str, str]:
        response = await page.goto(app_url("chat", "/channels"))
        assert response is not None
        header = await response.header_value("content-security-policy") or ""
        given = re.search(r"'nonce-([^']+)'", header)
        script = await page.evaluate("() => document.querySelector('script:not([type])').nonce")
        return (given[1] if given else ""), script

    first, second = host.run(nonces()), host.run(nonces())
    assert first[0] and first[0] == first[1] and second[0] == second[1] != first[0]


def test_the_servers_own_refusals_carry_a_policy_too() -> None:
    sent: list[dict[str, Any]] = []

    async def send(message: Any) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    scope = {"type": "http", "method": "GET", "path": "/", "headers": [(b"host", b"x.example")]}
    asyncio.run(AppServer()(scope, receive, send))
    headers = dict(sent[0]["headers"])
    assert sent[0]["status"] == 404
    assert b"default-src 'none'" in headers[b"content-security-policy"]
    assert headers[b"x-content-type-options"] == b"nosniff"


@pytest.mark.browser
def test_miniwob_pages_run_their_inline_script_under_a_policy_of_their_own(
    make_env: Callable[..., Any],
) -> None:
    """The package's pages keep their inline script and handlers; plugins, <base> and framing
    stay closed (see officegym/tasks/apps/_policy.py)."""
    env = make_env("miniwob.click-test", action_mode="browser")
    env.unwrapped.prepare_next = False
    env.reset(seed=3)
    page = env.unwrapped.stage.page

    async def load() -> tuple[str, bool]:
        response = await page.goto(app_url("miniwob", "/miniwob/click-test.html"))
        assert response is not None
        csp = await response.header_value("content-security-policy") or ""
        return csp, await page.evaluate("() => typeof core === 'object'")

    csp, ran = env.unwrapped.host.run(load())
    assert ran and "'unsafe-inline'" in csp
    assert all(d in csp for d in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"))
