"""Make the rrweb conformance corpus: real rrweb recordings of scripted sessions on site/.

Each scenario opens a page of site/ in Chromium with rrweb's recorder running (its `record`,
as a page would load it), does what a person would with real input (Playwright's mouse and
keyboard, which Chromium treats as trusted), and keeps the events rrweb emitted as
recordings/NAME.json. The page's final state is then checked against the scenario's
expectations (written by hand below, stored in expect.json): an expectation that does not hold
on the recorded session is a mistake here, not a replay failure. broken/NAME.json is a copy
changed the way a faulty recording is (a wrong value, a click on another element, a missing
step): it must not replay `valid`.

Run (from the repository root, with the rrweb recorder bundle at hand; the recordings are
committed, so only to change the corpus):

    .venv/bin/python tests/replayer/conformance/rrweb/make_recordings.py RRWEB_RECORD_JS

RRWEB_RECORD_JS: rrweb's browser bundle that defines `rrwebRecord` (the corpus was made with
rrweb-record 1.1.3, as shipped in the django-rrweb package on PyPI).
"""

from __future__ import annotations

import json
import mimetypes
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
SITE = HERE / "site"
ORIGIN = "http://rrweb.conformance.test"
VIEWPORT = {"width": 800, "height": 600}
Events = list[dict[str, Any]]


def _value(field: str, frame: list[int] | None = None) -> dict[str, Any]:
    return {"expression": f"document.getElementById({field!r}).value", **_frame(frame)}


def _text(element: str, frame: list[int] | None = None) -> dict[str, Any]:
    return {"expression": f"document.getElementById({element!r}).textContent", **_frame(frame)}


def _checked(box: str) -> dict[str, Any]:
    return {"expression": f"document.getElementById({box!r}).checked"}


def _frame(frame: list[int] | None) -> dict[str, Any]:
    return {"frame": frame} if frame else {}


def expect(spec: dict[str, Any], value: Any) -> dict[str, Any]:
    return {**spec, "expected": value}


# ---- the sessions ------------------------------------------------------------------------------


def text_name(page: Any) -> None:
    page.click("#name")
    page.keyboard.type("Ada Lovelace", delay=30)
    page.click("#send")


def text_replace(page: Any) -> None:
    page.click("#city")
    page.keyboard.press("Control+a")
    page.keyboard.type("Oslo", delay=30)
    page.click("#send")


def textarea(page: Any) -> None:
    page.click("#note")
    page.keyboard.type("line one", delay=20)
    page.keyboard.press("Enter")
    page.keyboard.type("line two", delay=20)


def text_cleared(page: Any) -> None:
    page.click("#name")
    page.keyboard.type("Bob", delay=30)
    for _ in range(3):
        page.keyboard.press("Backspace")
    page.click("#send")


def checkboxes(page: Any) -> None:
    page.click("#tea")
    page.click("#milk")
    page.click("#send")


def checkbox_labels(page: Any) -> None:
    page.click("label[for=jam]")
    page.click("text=Tea")
    page.click("#send")


def radio(page: Any) -> None:
    page.click("#size-m")
    page.click("text=Large")
    page.click("#send")


def select_keys(page: Any) -> None:
    page.focus("#colour")  # rrweb sees the select's new value, not the keys that chose it
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.click("#send")


def nested_clicks(page: Any) -> None:
    page.click("#like b")
    page.click("#dot")
    page.click("#share .label")


def menu(page: Any) -> None:
    page.click("#open")
    page.click("#menu .item:nth-child(2)")


def double_click(page: Any) -> None:
    page.dblclick("#word")


def context_menu(page: Any) -> None:
    page.click("#area", button="right")
    page.click("#ctx-paste")


def scroll_box(page: Any) -> None:
    page.mouse.move(120, 120)
    page.hover("#box")
    page.mouse.wheel(0, 240)
    page.wait_for_function("document.getElementById('box').scrollTop >= 200")
    page.wait_for_timeout(300)  # rrweb's scroll sampling (100 ms) emits the last position
    page.click("#item-8")


def scroll_page(page: Any) -> None:
    page.mouse.move(400, 300)
    page.mouse.wheel(0, 1200)  # to the end, where the button shows: clicking it scrolls no more
    page.wait_for_function("scrollY + innerHeight >= document.documentElement.scrollHeight - 1")
    page.wait_for_timeout(300)
    page.click("#bottom")


def iframe_form(page: Any) -> None:
    inner = page.frame_locator("#inner")
    inner.locator("#code").click()
    page.keyboard.type("X42", delay=30)
    inner.locator("#agree").click()
    inner.locator("#go").click()


def iframe_nested(page: Any) -> None:
    nested = page.frame_locator("#outer").frame_locator("#nested")
    nested.locator("#code").click()
    page.keyboard.type("N7", delay=30)
    nested.locator("#go").click()


FORM_DEFAULT = "|Paris|false|true|false|s|red"
SCENARIOS: dict[str, tuple[str, Callable[[Any], None], list[dict[str, Any]]]] = {
    "text-name": ("form.html", text_name, [
        expect(_value("name"), "Ada Lovelace"),
        expect(_text("out"), "Ada Lovelace" + FORM_DEFAULT)]),
    "text-replace": ("form.html", text_replace, [
        expect(_value("city"), "Oslo"), expect(_text("out"), "|Oslo|false|true|false|s|red")]),
    "textarea": ("form.html", textarea, [expect(_value("note"), "line one\nline two")]),
    "text-cleared": ("form.html", text_cleared, [
        expect(_value("name"), ""), expect(_text("out"), FORM_DEFAULT)]),
    "checkboxes": ("form.html", checkboxes, [
        expect(_checked("tea"), True), expect(_checked("milk"), False),
        expect(_text("out"), "|Paris|true|false|false|s|red")]),
    "checkbox-labels": ("form.html", checkbox_labels, [
        expect(_checked("jam"), True), expect(_checked("tea"), True),
        expect(_text("out"), "|Paris|true|true|true|s|red")]),
    "radio": ("form.html", radio, [
        expect({"expression": "document.querySelector('input[name=size]:checked').id"},
               "size-l"),
        expect(_text("out"), "|Paris|false|true|false|l|red")]),
    "select-keys": ("form.html", select_keys, [
        expect(_value("colour"), "blue"), expect(_text("out"), "|Paris|false|true|false|s|blue")]),
    "nested-clicks": ("clicks.html", nested_clicks, [
        expect(_text("likes"), "2"), expect(_text("shares"), "1")]),
    "menu": ("clicks.html", menu, [expect(_text("picked"), "Beta")]),
    "double-click": ("clicks.html", double_click, [expect(_text("zoom"), "big")]),
    "context-menu": ("clicks.html", context_menu, [expect(_text("ctx-out"), "ctx-paste")]),
    "scroll-box": ("scroll.html", scroll_box, [
        expect(_text("chosen"), "Item 8"),
        expect({"expression": "document.getElementById('box').scrollTop >= 200"}, True)]),
    "scroll-page": ("scroll.html", scroll_page, [expect(_text("reached"), "yes")]),
    "iframe-form": ("frames.html", iframe_form, [
        expect(_value("code", [0]), "X42"), expect(_text("said", [0]), "X42|true"),
        expect(_text("said", [1, 0]), "-")]),
    "iframe-nested": ("frames.html", iframe_nested, [
        expect(_text("said", [1, 0]), "N7|false"), expect(_text("said", [0]), "-")]),
}  # fmt: skip


# ---- the broken copies ---------------------------------------------------------------------------


def node_ids(events: Events, element_id: str) -> list[int]:
    """rrweb ids of the elements with this id attribute, in the order the recording met them."""
    found: list[int] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("attributes", {}).get("id") == element_id and node["id"] not in found:
                found.append(node["id"])
            for kid in node.get("childNodes", []):
                walk(kid)

    for e in events:
        if e["type"] == 2:
            walk(e["data"]["node"])
        elif e["type"] == 3 and e["data"]["source"] == 0:
            for add in e["data"]["adds"]:
                walk(add["node"])
    return found


def _interactions(events: Events, ids: list[int]) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] == 3 and e["data"]["source"] == 2
            and e["data"].get("id") in ids]  # fmt: skip


def _inputs(events: Events, ids: list[int]) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] == 3 and e["data"]["source"] == 5
            and e["data"].get("id") in ids]  # fmt: skip


def wrong_value(element_id: str, text: str) -> Callable[[Events], Events]:
    def change(events: Events) -> Events:
        _inputs(events, node_ids(events, element_id))[-1]["data"]["text"] = text
        return events

    return change


def without_inputs(element_id: str) -> Callable[[Events], Events]:
    def change(events: Events) -> Events:
        gone = {id(e) for e in _inputs(events, node_ids(events, element_id))}
        return [e for e in events if id(e) not in gone]

    return change


def without_clicks_on(element_ids: list[int] | str, nth: int = 0) -> Callable[[Events], Events]:
    """Without the nth press/release/click on the element (by id attribute, or rrweb ids)."""

    def change(events: Events) -> Events:
        ids = node_ids(events, element_ids) if isinstance(element_ids, str) else element_ids
        hits = _interactions(events, ids)
        downs = [i for i, e in enumerate(hits) if e["data"]["type"] == 1]
        start = downs[nth]
        end = downs[nth + 1] if nth + 1 < len(downs) else len(hits)
        gone = {id(e) for e in hits[start:end]}
        return [e for e in events if id(e) not in gone]

    return change


def clicks_moved(element_id: str, dx: float, dy: float) -> Callable[[Events], Events]:
    """The press on the element recorded elsewhere (the point no longer over it)."""

    def change(events: Events) -> Events:
        for e in _interactions(events, node_ids(events, element_id)):
            if e["data"].get("x") is not None:
                e["data"]["x"] += dx
                e["data"]["y"] += dy
        return events

    return change


def clicks_on_other(element_id: str, other: str, dy: float) -> Callable[[Events], Events]:
    """A coherent recording of a click on another element: its id and point (`dy` below)."""

    def change(events: Events) -> Events:
        target = node_ids(events, other)[0]
        for e in _interactions(events, node_ids(events, element_id)):
            e["data"]["id"] = target
            if e["data"].get("y") is not None:
                e["data"]["y"] += dy
        return events

    return change


def without_context_menu(events: Events) -> Events:
    return [e for e in events if not (e["type"] == 3 and e["data"]["source"] == 2
                                      and e["data"]["type"] == 3)]  # fmt: skip


def without_scrolls(events: Events) -> Events:
    return [e for e in events if not (e["type"] == 3 and e["data"]["source"] == 3)]


def menu_item(name: str) -> Callable[[Events], list[int]]:
    """The rrweb ids of the elements a mutation added holding the text `name` (rrweb adds an
    element and its text node as separate items, or the text inside the element's node)."""

    def ids(events: Events) -> list[int]:
        found = []
        for e in events:
            if e["type"] == 3 and e["data"]["source"] == 0:
                for add in e["data"]["adds"]:
                    node = add["node"]
                    if node.get("type") == 3 and node.get("textContent") == name:
                        found.append(add["parentId"])
                    elif any(k.get("textContent") == name for k in node.get("childNodes", [])):
                        found.append(node["id"])
        return found

    return ids


def menu_wrong_item(events: Events) -> Events:
    beta, gamma = menu_item("Beta")(events)[0], menu_item("Gamma")(events)[0]
    for e in _interactions(events, [beta]):
        e["data"]["id"] = gamma
        if e["data"].get("y") is not None:
            e["data"]["y"] += 29  # the next item: 6 px padding twice, a 17 px line
    return events


BREAKS: dict[str, Callable[[Events], Events]] = {
    "text-name": wrong_value("name", "Ada Lovelac"),
    "text-replace": without_inputs("city"),
    "textarea": wrong_value("note", "line one\nline 2"),
    "text-cleared": wrong_value("name", "B"),
    "checkboxes": without_clicks_on("milk"),
    "checkbox-labels": clicks_moved("jam-label", 0, -60),
    "radio": clicks_on_other("size-l", "size-m", -26),
    "select-keys": wrong_value("colour", "green"),
    "nested-clicks": lambda ev: without_clicks_on(
        [i for i in range(10_000) if i in _span_ids(ev, "share")])(ev),
    "menu": menu_wrong_item,
    "double-click": without_clicks_on("word", nth=1),
    "context-menu": without_context_menu,
    "scroll-box": without_scrolls,
    "scroll-page": without_scrolls,
    "iframe-form": wrong_value("code", "X41"),
    "iframe-nested": lambda ev: without_clicks_on([node_ids(ev, "go")[-1]])(ev),
}  # fmt: skip


def _span_ids(events: Events, button: str) -> set[int]:
    """The button's rrweb id and those of everything inside it."""
    out: set[int] = set()

    def walk(node: Any, inside: bool) -> None:
        if isinstance(node, dict):
            inside = inside or node.get("attributes", {}).get("id") == button
            if inside:
                out.add(node["id"])
            for kid in node.get("childNodes", []):
                walk(kid, inside)

    for e in events:
        if e["type"] == 2:
            walk(e["data"]["node"], False)
    return out


# ---- recording -----------------------------------------------------------------------------------


def record(browser: Any, recorder_js: str, page_name: str, act: Callable[[Any], None]) -> Any:
    context = browser.new_context(viewport=VIEWPORT)

    def answer(route: Any) -> None:
        path = route.request.url.removeprefix(ORIGIN).split("?")[0].lstrip("/")
        found = SITE / path
        if not found.is_file():
            route.fulfill(status=404, body="not here")
            return
        kind = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
        route.fulfill(status=200, body=found.read_bytes(), content_type=kind)

    context.route("**/*", answer)
    context.add_init_script(
        recorder_js + "\nif (window === window.top) { window.__rr = [];"
        " rrwebRecord({emit: (e) => window.__rr.push(e)}); }"
    )
    page = context.new_page()
    page.goto(f"{ORIGIN}/{page_name}", wait_until="load")
    page.wait_for_timeout(400)  # every frame loaded and snapshotted
    page.mouse.move(5, 5)
    act(page)
    page.wait_for_timeout(800)  # rrweb emits move batches every 500 ms
    return context, page


def check(page: Any, expectations: list[dict[str, Any]], name: str) -> None:
    for item in expectations:
        frame = page.main_frame
        for index in item.get("frame", []):
            frame = frame.child_frames[index]
        value = frame.evaluate(item["expression"])
        if value != item["expected"]:
            raise SystemExit(f"{name}: {item['expression']} is {value!r}, not {item['expected']!r}")


def main(recorder: str) -> None:
    from playwright.sync_api import sync_playwright

    from officegym.browser import chromium_executable

    recorder_js = Path(recorder).read_text()
    (HERE / "recordings").mkdir(exist_ok=True)
    (HERE / "broken").mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_executable(headless=True), args=["--no-sandbox"]
        )
        for name, (page_name, act, expectations) in SCENARIOS.items():
            context, page = record(browser, recorder_js, page_name, act)
            check(page, expectations, name)
            events = page.evaluate("window.__rr")
            context.close()
            text = json.dumps(events, indent=None, separators=(",", ":"))
            (HERE / "recordings" / f"{name}.json").write_text(text + "\n")
            broken = BREAKS[name](json.loads(text))
            (HERE / "broken" / f"{name}.json").write_text(json.dumps(broken) + "\n")
            print(f"{name}: {len(events)} events")
        browser.close()
    expect_file = {"$comment": "made by make_recordings.py: the state each recording ends in"}
    expect_file |= {name: spec[2] for name, spec in SCENARIOS.items()}
    (HERE / "expect.json").write_text(json.dumps(expect_file, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
