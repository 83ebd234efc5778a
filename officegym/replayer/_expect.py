"""`officegym replay --expect FILE`: the state each recording's page must end in.

FILE (JSON, or YAML for a .yaml/.yml file) maps recording names, or globs of them, to
expectations: a JavaScript expression and the JSON value it must give on the page the replay
ended on. A recording that replays cleanly but leaves its page in another state is
`task_failed`, naming the expression and the value found. The format is in docs/cli.md; a
file that breaks it is refused whole, naming where: a check that silently did not run would
let a wrong final state pass as `valid`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

from playwright.async_api import CDPSession, Frame, Page
from playwright.async_api import Error as PlaywrightError

from officegym.errors import TrajectoryFormatError
from officegym.replayer._outcomes import POLL_S

MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_KEYS = 10_000
MAX_EXPRESSION_CHARS = 10_000
MAX_PER_KEY = 1_000  # expectations under one key
MAX_EXPECTATIONS = 20_000  # in the whole file
MAX_TIMEOUT_MS = 30_000
EVALUATE_S = 5.0  # one evaluation of an expression, beyond its own timeout_ms
MAX_VALUE_CHARS = 64 * 1024  # of the page's value as JSON; a longer one is cut (and fails)
SHOWN_CHARS = 200  # of an expression or a value quoted in a verdict's reason
SHOWN_FAILURES = 3
_FIELDS = {"expression", "expected", "frame", "timeout_ms"}

# The expression runs in the page's own world, as Puppeteer's waitForExpression runs its own,
# but through CDP (Runtime.evaluate), never through Playwright's page-side evaluate: that calls
# the page's `eval` and array iterator, which a page can replace to change what runs and what
# comes back. Its value is written as JSON in the page (a megabyte-long value never crosses
# whole) by page.js's `__og.toJSON`, with the built-ins page.js kept before the page's scripts
# ran. `__og` is a non-writable, non-configurable property that every document of an officegym
# context gets first (browser/_host.py adds page.js as an init script).
_TO_JSON = """function (limit, listed) {
  "use strict";  // `this` as given, never boxed
  const og = window.__og;
  return og ? og.toJSON(listed ? this[0] : this, limit) : "N";
}"""
MAX_DEPTH = 64  # of an expected value, and of a value found: deeper is refused, never compared


@dataclass(frozen=True)
class Expectation:
    """One expression and the JSON value it must give on the final page."""

    expression: str
    expected: Any
    frame: tuple[int, ...] = ()  # index path through child frames; () is the top document
    timeout_ms: int = 0  # poll until it holds, at most this long; 0: one evaluation


@dataclass
class Expectations:
    """An --expect file: (name or glob, expectations) in file order."""

    source: str
    entries: list[tuple[str, list[Expectation]]] = field(default_factory=list)

    def for_path(self, trajectory: str | Path) -> list[Expectation]:
        """The expectations of one trajectory: those of every key its path matches (from the
        right, as `PurePath.match`; a zip's name without `.zip`), in file order."""
        path = PurePath(trajectory)
        if path.suffix == ".zip":
            path = path.with_suffix("")
        return [e for key, items in self.entries if path.match(key) for e in items]

    def unmatched(self, trajectories: list[str] | list[Path]) -> list[str]:
        """The keys that match none of the trajectories: a misspelt name would otherwise
        check nothing, and its recordings would pass as if they had no expectations."""
        paths = [PurePath(t).with_suffix("") if PurePath(t).suffix == ".zip" else PurePath(t)
                 for t in trajectories]  # fmt: skip
        return [key for key, _ in self.entries if not any(p.match(key) for p in paths)]


def load_expectations(path: str | Path) -> Expectations:
    """Read and check an --expect file.

    Raises:
        TrajectoryFormatError: the file is missing, too large, not JSON (or YAML), or breaks
            the format (naming the key and field).
    """
    where = str(path)
    try:
        with Path(path).open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise TrajectoryFormatError(where, None, None, f"cannot read it: {exc.strerror}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise TrajectoryFormatError(where, None, None, f"larger than {MAX_FILE_BYTES} bytes")
    data = _parse(raw, where, yaml_file=Path(path).suffix.lower() in (".yaml", ".yml"))
    if not isinstance(data, dict):
        problem = "expected an object of recording names (or globs) to lists of expectations"
        raise TrajectoryFormatError(where, None, "top level", problem)
    if len(data) > MAX_KEYS:
        raise TrajectoryFormatError(where, None, "top level", f"more than {MAX_KEYS} keys")
    out, total = Expectations(where), 0
    for key, items in data.items():
        if not isinstance(key, str):
            raise TrajectoryFormatError(where, None, "top level", f"a key {key!r} is not a name")
        if key.startswith("$"):
            continue  # "$comment" and the like
        if not key:
            raise TrajectoryFormatError(where, None, "top level", "an empty recording name")
        if not isinstance(items, list):
            raise TrajectoryFormatError(where, None, key, "expected a list of expectations")
        if not items:
            raise TrajectoryFormatError(where, None, key, "an empty list checks nothing")
        if len(items) > MAX_PER_KEY:
            raise TrajectoryFormatError(where, None, key, f"more than {MAX_PER_KEY} expectations")
        total += len(items)
        if total > MAX_EXPECTATIONS:
            problem = f"more than {MAX_EXPECTATIONS} expectations in all"
            raise TrajectoryFormatError(where, None, key, problem)
        out.entries.append(
            (key, [_expectation(item, where, f"{key}[{i}]") for i, item in enumerate(items)])
        )
    return out


def _parse(raw: bytes, where: str, yaml_file: bool) -> Any:
    """The file's document: JSON, or YAML for a .yaml/.yml file (safe_load, no aliases)."""
    if not yaml_file:
        try:
            return json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
            raise TrajectoryFormatError(where, None, None, f"not JSON: {exc}") from None
    import yaml  # only for YAML files

    try:
        text = raw.decode("utf-8")
        # An alias repeats a node without copying it: a few nested ones make a value whose
        # comparison never ends. Expectations have no use for them.
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                raise TrajectoryFormatError(where, None, None, "YAML aliases (*name) are refused")
        return yaml.safe_load(text)
    except UnicodeDecodeError:
        raise TrajectoryFormatError(where, None, None, "not UTF-8 text") from None
    except (yaml.YAMLError, RecursionError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise TrajectoryFormatError(where, None, None, f"not YAML: {first}") from None


def _json_value(value: Any, depth: int = 0) -> bool:
    """A value JSON can hold (YAML can also give dates, sets, non-string keys), nested at most
    MAX_DEPTH deep."""
    if depth > MAX_DEPTH:
        return False
    if value is None or isinstance(value, str | bool | int):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(_json_value(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_value(v, depth + 1) for k, v in value.items())
    return False


def _expectation(item: Any, where: str, at: str) -> Expectation:
    if not isinstance(item, dict):
        raise TrajectoryFormatError(where, None, at, "expected {expression, expected}")
    unknown = sorted(set(item) - _FIELDS)
    if unknown:
        problem = f"unknown field {unknown[0]!r} (fields: {', '.join(sorted(_FIELDS))})"
        raise TrajectoryFormatError(where, None, at, problem)
    expression = item.get("expression")
    if not isinstance(expression, str) or not expression.strip():
        raise TrajectoryFormatError(where, None, f"{at}.expression", "expected a JS expression")
    if len(expression) > MAX_EXPRESSION_CHARS:
        problem = f"longer than {MAX_EXPRESSION_CHARS} characters"
        raise TrajectoryFormatError(where, None, f"{at}.expression", problem)
    if "expected" not in item:
        problem = "missing: the JSON value the expression must give"
        raise TrajectoryFormatError(where, None, f"{at}.expected", problem)
    if not _json_value(item["expected"]):
        problem = "not a JSON value (strings, numbers, true/false, null, lists, objects)"
        raise TrajectoryFormatError(where, None, f"{at}.expected", problem)
    frame = item.get("frame", [])
    if not isinstance(frame, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) and 0 <= i < 1000 for i in frame
    ):
        problem = "expected a list of child frame indexes (0 and up), [] for the top document"
        raise TrajectoryFormatError(where, None, f"{at}.frame", problem)
    timeout = item.get("timeout_ms", 0)
    if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 0:
        raise TrajectoryFormatError(where, None, f"{at}.timeout_ms", "expected an integer >= 0")
    if timeout > MAX_TIMEOUT_MS:
        problem = f"at most {MAX_TIMEOUT_MS} ms"
        raise TrajectoryFormatError(where, None, f"{at}.timeout_ms", problem)
    return Expectation(expression, item["expected"], tuple(frame), timeout)


def same_json(a: Any, b: Any) -> bool:
    """JSON equality: types strict (`1`, `true` and `"1"` differ; `1` and `1.0` do not), key
    order ignored.

    >>> same_json({"a": [1, True]}, {"a": [1.0, True]}), same_json(1, True), same_json(0, False)
    (True, False, False)
    """
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) or isinstance(b, int | float):
        return isinstance(a, int | float) and isinstance(b, int | float) and a == b
    if isinstance(a, list) or isinstance(b, list):
        return (
            isinstance(a, list)
            and isinstance(b, list)
            and len(a) == len(b)
            and all(same_json(x, y) for x, y in zip(a, b, strict=True))
        )
    if isinstance(a, dict) or isinstance(b, dict):
        return (
            isinstance(a, dict)
            and isinstance(b, dict)
            and a.keys() == b.keys()
            and all(same_json(a[k], b[k]) for k in a)
        )
    return type(a) is type(b) and a == b


def _frame(page: Page, path: tuple[int, ...]) -> Frame | str:
    """The frame at `path`, or what is missing."""
    frame = page.main_frame
    for depth, index in enumerate(path):
        children = frame.child_frames
        if index >= len(children):
            at = list(path[:depth]) or "the top document"
            return f"no frame {list(path)}: {at} has {len(children)} child frames"
        frame = children[index]
    return frame


class _PageWorlds:
    """CDP sessions to evaluate in frames' page worlds: one per process of frames (an
    out-of-process iframe has its own), with the page worlds each has seen."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self._sessions: dict[Frame, tuple[CDPSession, list[dict[str, Any]]]] = {}

    async def _session(self, frame: Frame) -> tuple[CDPSession, list[dict[str, Any]], Frame]:
        owner = frame
        while owner not in self._sessions:
            try:
                target = owner.page if owner.parent_frame is None else owner
                session = await self.page.context.new_cdp_session(target)
            except PlaywrightError:  # part of its parent's process
                if owner.parent_frame is None:
                    raise
                owner = owner.parent_frame
                continue
            contexts: list[dict[str, Any]] = []
            session.on("Runtime.executionContextCreated", functools.partial(_keep, contexts))
            await session.send("Runtime.enable")  # reports the worlds that exist already
            self._sessions[owner] = (session, contexts)
        return (*self._sessions[owner], owner)

    async def context(self, frame: Frame) -> tuple[CDPSession, int | None]:
        """The session and the page world of `frame` (None: the session's own document).

        Raises:
            LookupError: the frame is not (or no longer) in its process's frame tree.
        """
        session, contexts, owner = await self._session(frame)
        if frame is owner:
            return session, None
        chain = []
        while frame is not owner:
            chain.append(frame)
            frame = frame.parent_frame  # type: ignore[assignment]  # owner is an ancestor
        tree = (await session.send("Page.getFrameTree"))["frameTree"]
        for child in reversed(chain):  # the k-th child with its URL, as Playwright lists them
            assert child.parent_frame is not None
            rank = [c for c in child.parent_frame.child_frames if c.url == child.url].index(child)
            same = [
                t for t in tree.get("childFrames", [])
                if t["frame"]["url"] + t["frame"].get("urlFragment", "") == child.url
            ]  # fmt: skip
            if rank >= len(same):
                raise LookupError(child.url)
            tree = same[rank]
        frame_id = tree["frame"]["id"]
        worlds = [
            c["id"] for c in contexts
            if c.get("auxData", {}).get("frameId") == frame_id and c["auxData"].get("isDefault")
        ]  # fmt: skip
        if not worlds:
            raise LookupError(frame_id)
        return session, worlds[-1]

    async def close(self) -> None:
        for session, _ in self._sessions.values():
            with contextlib.suppress(PlaywrightError):  # its page is gone already
                await session.detach()
        self._sessions.clear()


def _keep(contexts: list[dict[str, Any]], event: dict[str, Any]) -> None:
    contexts.append(event["context"])


async def _value_json(session: CDPSession, context: int | None, expression: str) -> str:
    """The expression's value as page.js's toJSON answers (a promise awaited).

    An expression is evaluated inside a list, so that its value stays in the page and only its
    JSON, cut, crosses (CDP would send a string value whole, however long); statements, which
    cannot stand in a list, are evaluated as they are.
    """
    where = {"contextId": context} if context is not None else {}
    wrapped = f"(async () => [await (\n{expression}\n)])()"
    compiled = await session.send(
        "Runtime.compileScript",
        {"expression": wrapped, "sourceURL": "", "persistScript": False,
         **({"executionContextId": context} if context is not None else {})},
    )  # fmt: skip
    listed = "exceptionDetails" not in compiled
    ask: dict[str, Any] = {"expression": wrapped if listed else expression, "awaitPromise": True,
                           "objectGroup": "og", **where}  # fmt: skip
    try:
        answer = await session.send("Runtime.evaluate", ask)
        if "exceptionDetails" in answer:
            details = answer["exceptionDetails"]
            thrown = details.get("exception") or {}
            said = thrown.get("description") or thrown.get("value") or details.get("text")
            return "E" + str(said or "an error").splitlines()[0]
        result = answer.get("result", {})
        if result.get("type") != "object" or "objectId" not in result:
            return _primitive_json(result)
        written = await session.send(
            "Runtime.callFunctionOn",
            {"objectId": result["objectId"], "functionDeclaration": _TO_JSON,
             "arguments": [{"value": MAX_VALUE_CHARS}, {"value": listed}], "returnByValue": True},
        )  # fmt: skip
        value = written.get("result", {}).get("value")
        return value if isinstance(value, str) else ""
    finally:
        with contextlib.suppress(PlaywrightError):
            await session.send("Runtime.releaseObjectGroup", {"objectGroup": "og"})


def _primitive_json(result: dict[str, Any]) -> str:
    """A primitive CDP gave by value, as JSON.stringify writes it."""
    kind = result.get("type")
    if kind in ("undefined", "symbol", "function"):
        return "U"
    if kind == "bigint":
        return "ETypeError: Do not know how to serialize a BigInt"
    if "unserializableValue" in result:  # NaN, Infinity, -0
        return "J0" if result["unserializableValue"] == "-0" else "Jnull"
    text = json.dumps(result.get("value"), ensure_ascii=False)
    return "C" + text[:MAX_VALUE_CHARS] if len(text) > MAX_VALUE_CHARS else "J" + text


async def _evaluate_once(
    worlds: _PageWorlds, page: Page, expectation: Expectation
) -> tuple[bool, Any, str | None]:
    """(whether the value is the expected one, the value found, what went wrong if anything)."""
    frame = _frame(page, expectation.frame)
    if isinstance(frame, str):
        return False, None, frame
    try:
        session, context = await worlds.context(frame)
        got = await asyncio.wait_for(
            _value_json(session, context, expectation.expression), EVALUATE_S
        )
    except TimeoutError:
        return False, None, f"no value within {EVALUATE_S:g} s"
    except LookupError:
        return False, None, f"frame {list(expectation.frame)} has no page world to evaluate in"
    except PlaywrightError as exc:
        return False, None, str(exc).splitlines()[0] if str(exc) else "the evaluation failed"
    if not got:
        return False, None, "the evaluation gave nothing"
    kind, text = got[0], got[1:]
    if kind == "N":
        return False, None, "the page has no officegym page script (window.__og)"
    if kind == "E":
        return False, None, f"it threw {text[:SHOWN_CHARS]}"
    if kind == "U":
        return False, None, "it gave undefined (or a function: no JSON value)"
    if kind == "C":
        return False, None, f"its value is longer than {MAX_VALUE_CHARS} characters as JSON"
    if kind != "J":
        return False, None, "the evaluation gave nothing"
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return False, None, "its value is nested too deeply to read"
    if not _json_value(value):  # a verdict holding it could not be written (RecursionError)
        return False, None, f"its value is nested too deeply (more than {MAX_DEPTH} levels)"
    return same_json(value, expectation.expected), value, None


async def check_expectations(page: Page, expectations: list[Expectation]) -> list[dict[str, Any]]:
    """Evaluate each expectation on `page` (its frame), polling up to its `timeout_ms`.

    Returns:
        One result per expectation: `expression`, `frame`, `expected`, `passed`, and `found`
        (the value the page gave) or `error` (why there was none).
    """
    results = []
    worlds = _PageWorlds(page)
    try:
        for expectation in expectations:
            results.append(await _check_one(worlds, page, expectation))
    finally:
        await worlds.close()
    return results


async def _check_one(worlds: _PageWorlds, page: Page, expectation: Expectation) -> dict[str, Any]:
    end = time.perf_counter() + expectation.timeout_ms / 1000
    while True:
        passed, value, error = await _evaluate_once(worlds, page, expectation)
        if passed or time.perf_counter() >= end:
            break
        await asyncio.sleep(POLL_S)  # the page's own timers may still be changing it
    result = {
        "expression": expectation.expression,
        "frame": list(expectation.frame),
        "expected": expectation.expected,
        "passed": passed,
    }
    result.update({"error": error} if error is not None else {"found": value})
    return result


def time_budget(expectations: list[Expectation]) -> float:
    """Seconds `check_expectations` may take at most (each evaluation is bounded)."""
    return sum(EVALUATE_S + e.timeout_ms / 1000 + 1 for e in expectations) + 10


def _cut(text: str) -> str:
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"


def describe_failures(results: list[dict[str, Any]]) -> str:
    """The failed expectations, for a verdict's reason: each expression and the value found,
    quoted as JSON (escaped: a page's value may hold newlines or markup) and cut."""
    failed = [r for r in results if not r["passed"]]
    shown = []
    for r in failed[:SHOWN_FAILURES]:
        frame = f" in frame {r['frame']}" if r["frame"] else ""
        expected = json.dumps(r["expected"], ensure_ascii=False)
        found = (
            f"found {_cut(json.dumps(r['found'], ensure_ascii=False))}"
            if "error" not in r
            else f"but {_cut(json.dumps(r['error'], ensure_ascii=False)[1:-1])}"
        )
        shown.append(
            f"{_cut(json.dumps(r['expression'], ensure_ascii=False))}{frame} expected "
            f"{_cut(expected)}, {found}"
        )
    more = f" (+{len(failed) - SHOWN_FAILURES} more)" if len(failed) > SHOWN_FAILURES else ""
    return "; ".join(shown) + more
