"""Find elements by the selectors of Chrome Recorder / @puppeteer/replay, as Puppeteer does.

A selector is CSS, or one of Puppeteer's prefixed kinds: `aria/Name[role="r"]` (the browser's
accessibility tree: the accessible name Chromium computes, through CDP's queryAXTree, as
Puppeteer's ARIA handler does), `text/…` (the innermost elements whose text contains it),
`xpath/…` and `pierce/…` (CSS through every shadow root). A *chain* (a Recorder selector given
as a list; in a trajectory, its parts joined by ` >>>> `, the combinator @puppeteer/replay
joins them with) searches each part inside the shadow root of the previous part's match (the
match itself when it has none). A target's alternatives are tried in order; the first that
finds anything wins.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
import uuid
from functools import cache
from pathlib import Path
from typing import Any

from playwright.async_api import BrowserContext, CDPSession, ElementHandle, Frame, JSHandle
from playwright.async_api import Error as PlaywrightError

from officegym.replayer._expect import SHOWN_CHARS
from officegym.replayer._outcomes import POLL_S, Divergence
from officegym.replayer.importers.chrome_recorder import CHAIN

KINDS = ("aria", "text", "xpath", "pierce")
# Puppeteer's aria/ attributes: `[role="button"]`, `[name='Save']`.
_ARIA_ATTRIBUTE = re.compile(
    r"""\[\s*(?P<attribute>\w+)\s*=\s*(?P<quote>"|')(?P<value>\\.|.*?(?=(?P=quote)))(?P=quote)\s*\]"""
)
_NOT_AN_ELEMENT = {"StaticText", "InlineTextBox"}  # accessibility nodes of text, not elements
_BRIDGE = "Symbol.for('officegym.aria')"  # where queryAXTree's elements are handed over
_INVALID = "officegym-invalid-selector"  # the page engine's error for a selector it cannot parse


@cache
def engine_js() -> str:
    """The page side of the engine (read once, when first needed)."""
    return (Path(__file__).parent / "_selectors.js").read_text()


def parts(selector: str) -> list[tuple[str, str]]:
    """A selector's chain as (kind, body) pairs; kind is css, aria, text, xpath or pierce.

    >>> parts('#host >>>> aria/Save[role="button"]')
    [('css', '#host'), ('aria', 'Save[role="button"]')]
    """
    out = []
    for part in selector.split(CHAIN):
        kind = next((k for k in KINDS if part.startswith(k + "/")), "css")
        out.append((kind, part[len(kind) + 1 :] if kind != "css" else part))
    return out


def aria_query(body: str) -> tuple[str | None, str | None]:
    """The accessible name and role an aria/ selector asks for, as Puppeteer parses it.

    >>> aria_query('Save  now[role="button"]'), aria_query('[role="heading"]')
    (('Save now', 'button'), (None, 'heading'))
    """
    found: dict[str, str] = {}

    def take(match: re.Match[str]) -> str:
        if match["attribute"] in ("name", "role"):
            found[match["attribute"]] = _normalized(match["value"])
        return ""

    rest = _ARIA_ATTRIBUTE.sub(take, body)
    if rest and "name" not in found:
        found["name"] = _normalized(rest)
    return found.get("name") or None, found.get("role") or None


def _shown(text: str) -> str:
    """A selector or an error quoted in a reason, cut as reasons cut what they quote."""
    return repr(text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…")


def shown_names(names: list[str]) -> str:
    """A target's selectors for a reason: each cut to SHOWN_CHARS, at most five of them."""
    more = f", +{len(names) - 5} more" if len(names) > 5 else ""
    return "[" + ", ".join(_shown(name) for name in names[:5]) + more + "]"


def _normalized(value: str) -> str:
    return re.sub(" +", " ", value).strip()


class SelectorEngine:
    """Queries frames of one browser context; keeps a CDP session per process of frames."""

    def __init__(self, context: BrowserContext) -> None:
        self.context = context
        self._sessions: dict[Frame, tuple[CDPSession, dict[int, bool]]] = {}
        self._worlds: dict[Frame, int] = {}  # each frame's page world, once found

    async def query(self, frame: Frame, selector: str) -> JSHandle:
        """Every element the selector (or chain) matches in `frame`, as a page-side array."""
        scopes: JSHandle | None = None
        for kind, body in parts(selector):  # a part after one that found nothing finds nothing
            if kind == "aria":
                found = await self._aria(frame, scopes, body)
            else:
                request = {"op": "query", "kind": kind, "body": body, "scopes": scopes}
                try:
                    found = await frame.evaluate_handle(engine_js(), request)
                except PlaywrightError as exc:
                    if _INVALID not in str(exc):
                        raise
                    said = str(exc).split(_INVALID, 1)[1].splitlines()[0].strip()
                    raise Divergence(
                        f"invalid selector {_shown(selector)}: {_shown(said)}"
                    ) from None
            if scopes is not None:
                await scopes.dispose()
            scopes = found
        assert scopes is not None  # a selector has at least one part
        return scopes

    async def first(self, frame: Frame, selectors: list[str]) -> tuple[str, JSHandle, int] | None:
        """The first selector that matches anything, its elements and their count."""
        for selector in selectors:
            found = await self.query(frame, selector)
            count = int(await found.evaluate("a => a.length"))
            if count:
                return selector, found, count
            await found.dispose()
        return None

    async def actionable(
        self, frame: Frame, names: list[str], offset: list[float] | None, timeout_ms: float,
        where: str = "",
    ) -> tuple[ElementHandle | None, dict[str, Any], str]:  # fmt: skip
        """The first element of the first selector whose element can be acted on (attached,
        enabled, displayed; scrolled into view), the point to act at and that selector.

        Like Puppeteer's locators, the selectors are tried in order, again and again, until one
        finds such an element or `timeout_ms` passes. The point's `covered` says what a press
        there would reach instead, if not the element or something inside it (an SVG shape's
        parts, an inline element's children, content in its shadow root).

        Raises:
            Divergence: none did within the timeout (`where` says where it was looked for).
        """
        end, state = time.perf_counter() + timeout_ms / 1000, "matches nothing"
        while True:
            for name in names:
                found = await self.query(frame, name)
                spot = await self.run(frame, {"op": "point", "elements": found, "offset": offset})
                if spot["state"] == "ok":
                    element = (await found.evaluate_handle("a => a[0]")).as_element()
                    await found.dispose()
                    return element, spot, name
                if spot["state"] != "none":
                    state = f"finds an element that is {spot['state']}"
                await found.dispose()
            if time.perf_counter() >= end:
                raise Divergence(
                    f"no element matching {shown_names(names)}{where} can be acted on within "
                    f"{timeout_ms / 1000:g} s (the last try {state})"
                )
            await asyncio.sleep(POLL_S)

    async def run(self, frame: Frame, request: dict[str, Any]) -> Any:
        """Run one of the engine's page-side operations (point, holds, hit) in `frame`."""
        return await frame.evaluate(engine_js(), request)

    async def _aria(self, frame: Frame, scopes: JSHandle | None, body: str) -> JSHandle:
        """Puppeteer's ARIA handler: queryAXTree under each scope, minus ignored and text nodes."""
        name, role = aria_query(body)
        token = uuid.uuid4().hex
        await frame.evaluate(
            f"([s, t]) => {{ window[{_BRIDGE}] = "
            "{token: t, scopes: s || [document], found: []}; }",
            [scopes, token],
        )
        try:
            session, contexts = await self.session(frame)
            bridge = await self._bridge(session, contexts, token, frame)
            if bridge is not None:
                await self._fill(session, bridge, name, role)
        finally:
            found = await frame.evaluate_handle(
                f"() => {{ const b = window[{_BRIDGE}]; delete window[{_BRIDGE}]; "
                "return b ? b.found : []; }"
            )
        return found

    async def _fill(self, session: CDPSession, bridge: tuple[str, int], name: str | None,
                    role: str | None) -> None:  # fmt: skip
        bridge_id, context_id = bridge
        count = await _call(session, bridge_id, "function() { return this.scopes.length; }")
        for i in range(int(count["result"]["value"])):
            scope = await _call(
                session, bridge_id, "function(i) { const s = this.scopes[i]; "
                "return s.nodeType === 1 && s.shadowRoot ? s.shadowRoot : s; }", {"value": i}
            )  # fmt: skip
            query: dict[str, Any] = {"objectId": scope["result"]["objectId"]}
            if name is not None:
                query["accessibleName"] = name
            if role is not None:
                query["role"] = role
            nodes = (await session.send("Accessibility.queryAXTree", query))["nodes"]
            for node in nodes:
                kind = (node.get("role") or {}).get("value")
                if node.get("ignored") or not kind or kind in _NOT_AN_ELEMENT:
                    continue
                if "backendDOMNodeId" not in node:
                    continue
                resolved = await session.send(
                    "DOM.resolveNode",
                    {"backendNodeId": node["backendDOMNodeId"], "executionContextId": context_id,
                     "objectGroup": "officegym"},
                )  # fmt: skip
                await _call(
                    session, bridge_id, "function(n) { if (n && n.nodeType === 1 && "
                    "!this.found.includes(n)) this.found.push(n); }",
                    {"objectId": resolved["object"]["objectId"]},
                )  # fmt: skip
        await session.send("Runtime.releaseObjectGroup", {"objectGroup": "officegym"})

    async def _bridge(
        self, session: CDPSession, contexts: dict[int, bool], token: str, frame: Frame
    ) -> tuple[str, int] | None:
        """The bridge object the frame's page world holds, and that world's CDP context (the
        one it had last time first: a navigation makes a new one)."""
        expression = f"(b => b && b.token === {token!r} ? b : null)(window[{_BRIDGE}])"
        known = self._worlds.get(frame)
        others = [c for c, default in contexts.items() if default and c != known]
        for context_id in ([known] if known in contexts else []) + others:
            try:
                found = await session.send(
                    "Runtime.evaluate",
                    {"expression": expression, "contextId": context_id, "objectGroup": "officegym"},
                )
            except PlaywrightError:
                continue  # a context destroyed meanwhile
            object_id = found.get("result", {}).get("objectId")
            if object_id:
                self._worlds[frame] = context_id
                return object_id, context_id
        return None

    async def session(self, frame: Frame) -> tuple[CDPSession, dict[int, bool]]:
        """The CDP session of the process that renders `frame` (an out-of-process iframe has
        its own), with the page worlds it has: {execution context id: is a page's world}."""
        if frame in self._sessions:
            return self._sessions[frame]
        owner: Frame | None = frame
        while owner is not None:
            if owner in self._sessions:
                self._sessions[frame] = self._sessions[owner]
                return self._sessions[owner]
            try:
                target = owner.page if owner.parent_frame is None else owner
                session = await self.context.new_cdp_session(target)
                break
            except PlaywrightError:  # part of its parent's process
                owner = owner.parent_frame
        else:  # pragma: no cover - the main frame always has a session
            raise RuntimeError("no CDP session for the frame")
        contexts: dict[int, bool] = {}

        def created(event: dict[str, Any]) -> None:
            context = event["context"]
            contexts[context["id"]] = bool(context.get("auxData", {}).get("isDefault"))

        def destroyed(event: dict[str, Any]) -> None:
            contexts.pop(event["executionContextId"], None)

        def cleared(_: Any) -> None:
            contexts.clear()

        session.on("Runtime.executionContextCreated", created)
        session.on("Runtime.executionContextDestroyed", destroyed)
        session.on("Runtime.executionContextsCleared", cleared)
        await session.send("Runtime.enable")
        self._sessions[owner] = self._sessions[frame] = (session, contexts)
        return session, contexts

    async def close(self) -> None:
        for session in {id(s): s for s, _ in self._sessions.values()}.values():
            with contextlib.suppress(PlaywrightError):  # its page is gone already
                await session.detach()
        self._sessions.clear()


async def _call(session: CDPSession, object_id: str, function: str, *args: dict[str, Any]) -> Any:
    return await session.send(
        "Runtime.callFunctionOn",
        {"objectId": object_id, "functionDeclaration": function, "arguments": list(args),
         "objectGroup": "officegym"},
    )  # fmt: skip
