"""Chrome Recorder recordings replay as @puppeteer/replay plays them: each selector kind, chain,
tab, frame, input type, button and wait, with a case that is valid and one that must not be.

The recordings follow @puppeteer/replay's step schema and replay, on real Chromium, against
tests/replayer/fixtures/semantics/ (served for every host: `site.test` is the page,
`cross.test` a cross-origin frame). A negative case sets a short step `timeout`, as a Recorder
file may, so that it fails fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from officegym.replayer import Replayer, Verdict
from officegym.replayer.importers import import_one

SITE = Path(__file__).parent / "fixtures" / "semantics"
PAGE = "http://site.test/page.html"
POPUP = "http://site.test/popup.html"
SHORT = 600  # ms: a step that must fail gives up after this (its own `timeout`)
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def replayer() -> Any:
    replayer = Replayer(serve=SITE)
    yield replayer
    replayer.close()


def selectors(*names: str | list[str]) -> list[list[str]]:
    """Recorder selectors: a string is a one-part selector, a list a chain."""
    return [name if isinstance(name, list) else [name] for name in names]


def click(*names: str | list[str], **more: Any) -> dict[str, Any]:
    return {"type": "click", "selectors": selectors(*names), **more}


def logged(word: str, **more: Any) -> dict[str, Any]:
    """A wait until the page's log shows that `word`'s element was clicked."""
    expression = f"document.getElementById('log').textContent.split(';').includes({word!r})"
    return {"type": "waitForExpression", "expression": expression, "timeout": SHORT, **more}


def expression(text: str, **more: Any) -> dict[str, Any]:
    return {"type": "waitForExpression", "expression": text, "timeout": SHORT, **more}


def play(tmp_path: Path, replayer: Replayer, *steps: dict[str, Any], name: str = "rec") -> Any:
    opening = [
        {"type": "setViewport", "width": 800, "height": 900, "deviceScaleFactor": 1,
         "isMobile": False, "hasTouch": False, "isLandscape": False},
        {"type": "navigate", "url": PAGE},
    ]  # fmt: skip
    source = tmp_path / f"{name}.json"
    source.write_text(json.dumps({"title": name, "steps": [*opening, *steps]}))
    imported = import_one("chrome-recorder", source, tmp_path / name)
    assert imported.trajectory is not None, imported.reason
    return replayer.replay(imported.trajectory)


def valid(result: Any) -> None:
    assert result.verdict == Verdict.VALID, result.reason


def diverged(result: Any, *words: str) -> None:
    assert result.verdict == Verdict.DIVERGED, result.reason
    for word in words:
        assert word in result.reason, result.reason


# ---- selectors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "clicked"),
    [("#save", "save"),
     ('aria/Send message[role="button"]', "send"),  # the name from aria-label
     ("aria/Save now", "save"),  # the name from content, <b> included; no role: any element
     ("aria/Save  now", "save"),  # Puppeteer collapses runs of spaces in the name
     ("text/world", "who"),  # the innermost element with the text
     ('xpath///button[@id="other"]', "other"),
     ("pierce/#deeper", "deeper"),  # through two shadow roots
     (["#panel", "#deep"], "deep"),  # a chain: #deep inside #panel's shadow root
     (["#panel", "x-inner", "#deeper"], "deeper"),
     (["#panel", "aria/Deeper"], "deeper")],  # aria/ inside a shadow root: the AX subtree
)  # fmt: skip
def test_each_selector_kind_finds_its_element(
    tmp_path: Path, replayer: Replayer, name: str | list[str], clicked: str
) -> None:
    valid(play(tmp_path, replayer, click(name), logged(clicked)))


@pytest.mark.parametrize(
    "name",
    ["#nosuch",
     'aria/Send message[role="heading"]',  # that name, but no heading has it
     "aria/Save",  # names match whole, not in part
     "text/zebra-in-a-script",  # text in a <script> is no element's text
     'xpath///button[@id="nope"]',
     "#deeper",  # plain CSS does not enter shadow roots
     ["#panel", "#deeper"],  # a chain enters one shadow root per part, not nested ones
     ["#nosuch", "#deep"]],
)  # fmt: skip
def test_a_selector_that_names_nothing_diverges_at_its_step(
    tmp_path: Path, replayer: Replayer, name: str | list[str]
) -> None:
    result = play(tmp_path, replayer, click(name, timeout=SHORT), logged("save"))
    diverged(result, "steps[2] (click)", "can be acted on within 0.6 s")


def test_alternatives_are_tried_in_order_and_the_first_that_finds_wins(
    tmp_path: Path, replayer: Replayer
) -> None:
    valid(play(tmp_path, replayer, click("#nosuch", "#save"), logged("save"), name="second"))
    # Both find an element: the first wins, so "save" is never clicked.
    result = play(tmp_path, replayer, click("#other", "#save"), logged("save"), name="first")
    diverged(result, "steps[3] (waitForExpression)")


# ---- where a click lands --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "clicked"),
    [("#dot", "dot"),  # an SVG shape
     ("#inline", "inline"),  # an inline element over several lines, with a child
     ("#big", "big"),  # a button whose own child covers its centre
     ("pierce/#deep", "deep")],  # the press lands in a shadow root
)  # fmt: skip
def test_a_press_that_reaches_the_element_or_its_content_is_not_covered(
    tmp_path: Path, replayer: Replayer, name: str, clicked: str
) -> None:
    valid(play(tmp_path, replayer, click(name), logged(clicked)))


def test_a_press_on_an_element_under_another_diverges_as_covered(
    tmp_path: Path, replayer: Replayer
) -> None:
    result = play(tmp_path, replayer, click("#under"), logged("under"))
    diverged(result, "steps[2] (click)", "covered by div (div#overlay)")


# ---- tabs and frames ------------------------------------------------------------------------


def test_steps_run_in_the_popup_their_target_names(tmp_path: Path, replayer: Replayer) -> None:
    steps = [
        click("#open"),
        click("#pbtn", target=POPUP),
        {"type": "change", "selectors": [["#pinput"]], "value": "typed", "target": POPUP},
        expression("document.getElementById('pbtn').textContent === 'popup clicked'",
                   target=POPUP),
        {"type": "close", "target": POPUP},
        click("#save"),  # back on the main page
        logged("save"),
    ]  # fmt: skip
    valid(play(tmp_path, replayer, *steps))


def test_a_target_no_tab_has_diverges(tmp_path: Path, replayer: Replayer) -> None:
    result = play(tmp_path, replayer, click("#pbtn", target=POPUP, timeout=SHORT))
    diverged(result, "steps[2] (click)", f"no tab or frame at {POPUP}")


def test_a_target_naming_an_iframe_runs_the_step_in_that_frame(
    tmp_path: Path, replayer: Replayer
) -> None:
    """The Recorder names a step in a cross-site iframe by the iframe's URL (a target of its
    own to Chromium): no tab has it, so the step runs in the first frame with that URL, at any
    depth, its `frame` path followed from there."""
    cross, inner = "http://cross.test/frame.html", "http://cross.test/inner.html"
    steps = [
        click("#fbtn", target=cross),
        {"type": "waitForElement", "selectors": [["text/clicked in cross.test"]], "target": cross},
        click("#ibtn", target=cross, frame=[0]),  # the path starts at the target's frame
        expression("document.getElementById('ibtn').textContent === 'inner clicked'",
                   target=inner),  # two levels down
        click("#save"),  # back in the tab's top frame
        logged("save"),
    ]  # fmt: skip
    valid(play(tmp_path, replayer, *steps))
    # The frame's own page, not the tab's top frame: #fbtn is only in the frame.
    result = play(tmp_path, replayer, click("#fbtn", target=PAGE, timeout=SHORT), name="top")
    diverged(result, "steps[2] (click)", "#fbtn")


@pytest.mark.parametrize(
    ("frame", "host"),
    [([0], "site.test"), ([1], "cross.test"), ([2], "cross.test")],  # [2]: scrolled to
)
def test_steps_run_in_the_frame_their_path_names(
    tmp_path: Path, replayer: Replayer, frame: list[int], host: str
) -> None:
    steps = [
        {"type": "hover", "selectors": [["#fbtn"]], "frame": frame},
        expression(f"location.host === {host!r} && document.title === 'Frame'", frame=frame),
        click("aria/Frame button", frame=frame),
        {"type": "change", "selectors": [["#finput"]], "value": "in a frame", "frame": frame},
        {"type": "waitForElement", "selectors": [[f"text/clicked in {host}"]], "frame": frame},
        click("#ibtn", frame=[*frame, 0]),  # the frame inside that frame
        {"type": "waitForElement", "selectors": [["text/inner clicked"]], "frame": [*frame, 0]},
    ]
    valid(play(tmp_path, replayer, *steps))


@pytest.mark.parametrize(
    ("step", "words"),
    [(click("#fbtn", timeout=SHORT), ["steps[2] (click)", "#fbtn"]),  # not in the top frame
     (click("#ibtn", frame=[0], timeout=SHORT), ["in frame [0]"]),  # one level too high
     (click("#fbtn", frame=[5], timeout=SHORT), ["no frame [5]"])],
)  # fmt: skip
def test_a_step_looked_for_in_the_wrong_frame_diverges(
    tmp_path: Path, replayer: Replayer, step: dict[str, Any], words: list[str]
) -> None:
    diverged(play(tmp_path, replayer, step), *words)


# ---- change, on every input type --------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [("#name", "Ada Lovelace"), ("#notes", "two\nlines"), ("#size", "m"),
     ("#agree", "yes"), ("#pick", "on"),  # as Puppeteer: the value is set (a click checks)
     ("#day", "2024-05-06"), ("#at", "13:45"), ("#when", "2024-05-06T13:45"),
     ("#month", "2024-05"), ("#week", "2024-W19"), ("#shade", "#ff8800"), ("#level", "30"),
     ("#count", "42"), ("#editor", "Hello editor"), ("aria/Your name", "by its label")],
)  # fmt: skip
def test_change_sets_every_input_type_and_the_value_is_checked(
    tmp_path: Path, replayer: Replayer, field: str, value: str
) -> None:
    change = {"type": "change", "selectors": [[field]], "value": value}
    valid(play(tmp_path, replayer, change))


@pytest.mark.parametrize(
    ("field", "value", "found"),
    [("#size", "xl", "'s'"),  # no option has that value: the select falls back to its first
     ("#day", "2024-13-45", "''"), ("#at", "25:99", "''"), ("#when", "yesterday", "''"),
     ("#month", "May", "''"), ("#week", "2024-W99", "''"), ("#shade", "nothing", "'#000000'"),
     ("#level", "150", "'100'"), ("#count", "forty", "''")],
)  # fmt: skip
def test_a_value_the_field_refuses_diverges_naming_what_it_holds(
    tmp_path: Path, replayer: Replayer, field: str, value: str, found: str
) -> None:
    change = {"type": "change", "selectors": [[field]], "value": value}
    diverged(play(tmp_path, replayer, change), "steps[2] (change)", f"holds {found}")


def test_change_on_an_element_that_takes_no_value_diverges(
    tmp_path: Path, replayer: Replayer
) -> None:
    change = {"type": "change", "selectors": [["#plain"]], "value": "x"}
    diverged(play(tmp_path, replayer, change), "cannot be filled out")


# ---- hover, double click, buttons --------------------------------------------------------------


def test_hover_opens_a_hover_menu_in_fast_mode(tmp_path: Path, replayer: Replayer) -> None:
    steps = [{"type": "hover", "selectors": [["#menu"]]}, click("#item"), logged("item")]
    valid(play(tmp_path, replayer, *steps))
    without = play(tmp_path, replayer, click("#item", timeout=SHORT), name="no-hover")
    diverged(without, "steps[2] (click)", "hidden")


def test_double_click_is_a_double_click(tmp_path: Path, replayer: Replayer) -> None:
    valid(play(tmp_path, replayer, {"type": "doubleClick", "selectors": [["#dbl"]]},
               logged("double")))  # fmt: skip
    single = play(tmp_path, replayer, click("#dbl"), logged("double"), name="single")
    diverged(single, "steps[3] (waitForExpression)")


def test_secondary_back_and_forward_buttons(tmp_path: Path, replayer: Replayer) -> None:
    second = "http://site.test/second.html"
    went = [{"type": "navigation", "url": second, "title": "Second"}]
    back = [{"type": "navigation", "url": PAGE, "title": "Semantics"}]
    steps = [
        click("#save", button="secondary"), logged("context"),
        click("#next", assertedEvents=went),
        click("#here", button="back", assertedEvents=back),
        click("#save", button="forward", assertedEvents=went),
    ]  # fmt: skip
    valid(play(tmp_path, replayer, *steps))
    # A back press where the recording pressed forward: the tab does not go where it said.
    steps[-1] = click("#save", button="back", assertedEvents=went, timeout=SHORT)
    diverged(play(tmp_path, replayer, *steps, name="wrong"), "steps[6] (click)", second)


def test_keys_go_to_the_step_tab_and_later_navigations_to_its_tab(
    tmp_path: Path, replayer: Replayer
) -> None:
    typed = {"type": "waitForElement", "selectors": [["#pinput"]], "target": POPUP,
             "properties": {"value": "ab"}, "timeout": SHORT}  # fmt: skip
    steps = [
        click("#open"),
        click("#pinput", target=POPUP),
        *({"type": kind, "key": key, "target": POPUP}
          for key in "ab" for kind in ("keyDown", "keyUp")),
        typed,
        {"type": "navigate", "url": "http://site.test/second.html", "target": POPUP,
         "assertedEvents": [{"type": "navigation", "url": "http://site.test/second.html"}]},
        click("#save"),
        logged("save"),
    ]  # fmt: skip
    valid(play(tmp_path, replayer, *steps))
    steps[6] = {**typed, "properties": {"value": "abc"}}  # not what the keys typed
    diverged(play(tmp_path, replayer, *steps, name="wrong"), "steps[8] (waitForElement)")


# ---- waits ------------------------------------------------------------------------------------


def wait(**fields: Any) -> dict[str, Any]:
    return {"type": "waitForElement", "timeout": SHORT, **fields}


ITEMS = [[".item"]]


@pytest.mark.parametrize(
    ("check", "holds"),
    [(wait(selectors=ITEMS, count=3, operator="=="), True),
     (wait(selectors=ITEMS, count=4, operator="=="), False),
     (wait(selectors=ITEMS, count=3, operator=">="), True),
     (wait(selectors=[["button"]], count=2, operator="<="), False),
     (wait(selectors=ITEMS, count=5, operator="<="), True),
     (wait(selectors=[["#spinner"]], visible=False), True),  # gone: the condition is false
     (wait(selectors=[["#add"]], visible=False), False),  # still there
     (wait(selectors=[["#state"]], attributes={"data-state": "open"}), True),
     (wait(selectors=[["#state"]], attributes={"data-state": "half-open"}), False),
     (wait(selectors=[["#state"]], properties={"dataset": {"state": "open"}}), True),
     (wait(selectors=[["#state"]], properties={"id": "other"}), False),
     (wait(selectors=ITEMS, properties={"className": "item"}), True),
     (expression("window.late === true", timeout=3000), True),  # true after 0.8 s
     (expression("document.querySelectorAll('.item').length === 2"), False)],
)  # fmt: skip
def test_waits_hold_as_puppeteer_checks_them(
    tmp_path: Path, replayer: Replayer, check: dict[str, Any], holds: bool
) -> None:
    result = play(tmp_path, replayer, click("#add"), check)
    if holds:
        valid(result)
    else:
        diverged(result, f"steps[3] ({check['type']})")


def test_an_asserted_navigation_must_happen(tmp_path: Path, replayer: Replayer) -> None:
    went = [{"type": "navigation", "url": "http://site.test/second.html"}]
    valid(play(tmp_path, replayer, click("#next", assertedEvents=went)))
    stayed = play(tmp_path, replayer, click("#save", assertedEvents=went), name="stayed")
    diverged(stayed, "steps[2] (click)", "expected the page http://site.test/second.html")


# ---- steps that cannot be replayed ------------------------------------------------------------


def test_custom_and_unknown_steps_are_listed_by_name_and_make_it_incomplete(
    tmp_path: Path, replayer: Replayer
) -> None:
    custom = {"type": "customStep", "name": "login", "parameters": {}}
    result = play(tmp_path, replayer, click("#save"), custom, {"type": "teleport"})
    assert result.verdict == Verdict.INCOMPLETE, result.reason
    assert "steps[3] (customStep)" in result.reason and "'login'" in result.reason
    meta = json.loads((Path(result.trajectory) / "meta.json").read_text())
    assert [(s["step"], s["acts"]) for s in meta["imported"]["skipped"]] == [
        ("customStep", True), ("teleport", True)
    ]  # fmt: skip
    # With nothing else, the rejection names them: never just "nothing to replay".
    source = tmp_path / "only-custom.json"
    source.write_text(json.dumps({"title": "c", "steps": [custom]}))
    rejected = import_one("chrome-recorder", source, tmp_path / "only-custom")
    assert rejected.outcome == "rejected" and "steps[0] (customStep)" in rejected.reason


def test_chains_tabs_frames_and_timeouts_are_imported_onto_each_event(tmp_path: Path) -> None:
    source = tmp_path / "where.json"
    step = {"type": "doubleClick", "selectors": [["#panel", "aria/Deeper"], "#x"],
            "frame": [1, 0], "target": POPUP, "timeout": 8000, "button": "back"}  # fmt: skip
    source.write_text(json.dumps({"title": "w", "steps": [{"type": "navigate", "url": PAGE},
                                                          step]}))  # fmt: skip
    result = import_one("chrome-recorder", source, tmp_path / "o")
    assert result.outcome == "imported", result.skipped
    lines = (Path(result.trajectory or "") / "events.jsonl").read_text().splitlines()
    events = [e for e in map(json.loads, lines) if e["type"] != "done"]
    assert [e["type"] for e in events] == ["mouse.move", *["mouse.down", "mouse.up"] * 2]
    for event in events:
        assert event["target"]["selector"] == "#panel >>>> aria/Deeper"
        assert event["target"]["alternatives"] == ["#x"]
        assert event["action"] == {"step": "steps[1] (doubleClick)", "page": POPUP,
                                   "frame": [1, 0], "timeout_ms": 8000}  # fmt: skip
    assert {e.get("button") for e in events[1:]} == {"back"}


# ---- the rows of docs/data-quality.md without a case above -----------------------------------


def test_a_window_scroll_step_scrolls_by_the_recorded_difference(
    tmp_path: Path, replayer: Replayer
) -> None:
    steps = [{"type": "scroll", "x": 0, "y": 400}, expression("window.scrollY >= 300")]
    valid(play(tmp_path, replayer, *steps))


def test_closing_the_main_tab_ends_the_recording(tmp_path: Path, replayer: Replayer) -> None:
    valid(play(tmp_path, replayer, click("#save"), logged("save"), {"type": "close"}))


def test_a_navigation_to_a_page_that_does_not_load_diverges(
    tmp_path: Path, replayer: Replayer
) -> None:
    """The recorded page loaded; here it answers 404 (not in the served folder)."""
    result = play(tmp_path, replayer, {"type": "navigate", "url": "http://site.test/gone.html"})
    diverged(result, "steps[2] (navigate)", "HTTP 404")
