"""A recording or a page that works against the replay cannot make it say more than it saw.

- `--expect` evaluates and serialises with page.js's built-ins: a page that replaces
  JSON.stringify or eval cannot fake a value, and a value nested deeper than an expected value
  may be fails its expectation instead of crashing the batch when the verdict is written.
- A selector the browser cannot parse fails its step (as Puppeteer's query throws), so a
  `waitForElement` for no matches does not pass on a typo.
- An rrweb recording whose node ids make a cycle is rejected naming the event, and no walk up
  the tree can loop.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from officegym.cli import main
from officegym.errors import TrajectoryFormatError
from officegym.replayer import Replayer, Verdict, load_expectations
from officegym.replayer._expect import MAX_EXPECTATIONS, MAX_PER_KEY
from officegym.replayer.importers import import_one
from officegym.replayer.importers._common import ImportFormatError
from officegym.replayer.importers._rrweb_dom import Tree
from officegym.replayer.importers.chrome_recorder import MAX_SELECTOR_CHARS

PAGES = {
    # Every built-in a page could use to fake a value, replaced before the check runs.
    "hostile.html": """<!doctype html><title>H</title>
<button id="go" onclick="document.getElementById('out').textContent='clicked'">Go</button>
<div id="out">not</div><ul id="items"><li>a</li></ul>
<script>
const real = JSON.stringify;
JSON.stringify = () => real("clicked");
window.eval = () => "clicked";
</script>""",
    "proto.html": """<!doctype html><title>P</title><div id="out">not</div>
<script>Object.prototype.toJSON = function () { return "clicked"; };</script>""",
    "plain.html": """<!doctype html><title>Plain</title><ul id="items"><li>a</li></ul>""",
}
EXPECT = {
    "hostile": [
        {"expression": "document.getElementById('out').textContent", "expected": "clicked"},
        {"expression": "[1 + 1]", "expected": [2]},  # eval and stringify still work
        {"expression": "const n = 2; n * 2", "expected": 4},  # statements, not an expression
        {"expression": "Promise.resolve('x'.repeat(70000))", "expected": "x"},  # cut in the page
    ],
    "proto": [{"expression": "({a: 'not'})", "expected": "clicked"}],
    "deep": [{"expression": "(() => { let a = []; for (let i = 0; i < 700; i++) a = [a];"
              " return a; })()", "expected": 1}],
}  # fmt: skip


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("site")
    for name, text in PAGES.items():
        (folder / name).write_text(text)
    (folder / "expect.json").write_text(json.dumps(EXPECT))
    return folder


@pytest.fixture(scope="module")
def replayer(site: Path) -> Any:
    replayer = Replayer(serve=site, expect=load_expectations(site / "expect.json"))
    yield replayer
    replayer.close()


def play(tmp_path: Path, replayer: Replayer, name: str, page: str, *steps: Any) -> Any:
    opening = [
        {"type": "setViewport", "width": 800, "height": 600, "deviceScaleFactor": 1,
         "isMobile": False, "hasTouch": False, "isLandscape": False},
        {"type": "navigate", "url": f"http://h.test/{page}"},
    ]  # fmt: skip
    source = tmp_path / f"{name}.json"
    source.write_text(json.dumps({"title": name, "steps": [*opening, *steps]}))
    imported = import_one("chrome-recorder", source, tmp_path / name)
    assert imported.trajectory is not None, imported.reason
    return replayer.replay(imported.trajectory)


@pytest.mark.browser
def test_a_page_that_replaces_stringify_and_eval_cannot_fake_an_expectation(
    tmp_path: Path, replayer: Replayer
) -> None:
    result = play(tmp_path, replayer, "hostile", "hostile.html")  # no click: "not" stays
    assert result.verdict == Verdict.TASK_FAILED, result.reason
    first, second, statements, long = result.expectations
    assert first.get("found") == "not" and not first["passed"], first.get("error")
    assert second["passed"] and statements["passed"], (second, statements)
    assert "longer than 65536 characters" in long["error"]


@pytest.mark.browser
def test_a_page_defined_object_to_json_fails_the_expectation_naming_it(
    tmp_path: Path, replayer: Replayer
) -> None:
    result = play(tmp_path, replayer, "proto", "proto.html")
    assert result.verdict == Verdict.TASK_FAILED, result.reason
    assert "Object.prototype.toJSON" in result.expectations[0]["error"]


@pytest.mark.browser
def test_a_value_nested_too_deeply_fails_its_expectation_and_the_verdict_is_written(
    tmp_path: Path, replayer: Replayer
) -> None:
    result = play(tmp_path, replayer, "deep", "plain.html")
    assert result.verdict == Verdict.TASK_FAILED, result.reason
    assert "nested too deeply" in result.reason
    json.dumps(result.to_json())  # a 700-deep value would raise RecursionError here


@pytest.mark.browser
@pytest.mark.parametrize(
    ("selector", "more", "said"),
    [
        ("#items li[", {"count": 0, "operator": "=="}, "not a valid selector"),
        ("xpath///li[[", {"count": 0, "operator": "<="}, "not a valid XPath expression"),
        ("li:bogus(", {"visible": False}, "not a valid selector"),  # inverted: still fails
    ],
)
def test_an_invalid_selector_fails_its_wait_instead_of_matching_nothing(
    tmp_path: Path, replayer: Replayer, selector: str, more: dict[str, Any], said: str
) -> None:
    wait = {"type": "waitForElement", "selectors": [[selector]], "timeout": 600, **more}
    result = play(tmp_path, replayer, "badsel", "plain.html", wait)
    assert result.verdict == Verdict.DIVERGED, result.reason
    assert result.reason.startswith("steps[2] (waitForElement): invalid selector ")
    assert said in result.reason and repr(selector) in result.reason


def _rrweb(tmp_path: Path, *events: dict[str, Any]) -> Any:
    meta = {"type": 4, "data": {"href": "http://h.test/plain.html", "width": 800,
                                "height": 600}, "timestamp": 1}  # fmt: skip
    source = tmp_path / "rec.json"
    source.write_text(json.dumps([meta, *events]))
    return import_one("rrweb", source, tmp_path / "rec")


def _snapshot(node: dict[str, Any]) -> dict[str, Any]:
    return {"type": 2, "data": {"node": node, "initialOffset": {"left": 0, "top": 0}},
            "timestamp": 2}  # fmt: skip


def _element(node_id: int, tag: str, *kids: dict[str, Any]) -> dict[str, Any]:
    return {"type": 2, "id": node_id, "tagName": tag, "attributes": {}, "childNodes": list(kids)}


PAGE_TREE = {"type": 0, "id": 1, "childNodes": [
    _element(2, "html", _element(3, "body", _element(4, "button")))]}  # fmt: skip


def test_an_rrweb_node_added_inside_itself_is_rejected_naming_the_event(tmp_path: Path) -> None:
    moved = {"type": 3, "timestamp": 3, "data": {"source": 0, "adds": [
        {"parentId": 4, "nextId": None, "node": _element(2, "html")}],
        "removes": [], "texts": [], "attributes": []}}  # fmt: skip
    click = {"type": 3, "timestamp": 4, "data": {"source": 2, "type": 2, "id": 4, "x": 5, "y": 5}}
    result = _rrweb(tmp_path, _snapshot(PAGE_TREE), moved, click)
    assert result.trajectory is None
    assert "events[2].data.adds" in result.reason and "node-id cycle" in result.reason


def test_an_rrweb_snapshot_reusing_an_ancestors_id_is_rejected(tmp_path: Path) -> None:
    looped = {"type": 0, "id": 1, "childNodes": [_element(2, "html", _element(1, "body"))]}
    result = _rrweb(tmp_path, _snapshot(looped))
    assert result.trajectory is None
    assert "events[1].data.node" in result.reason and "node 1" in result.reason


def test_walks_up_the_rrweb_tree_end_even_on_a_cycle() -> None:
    tree = Tree()
    tree.load(PAGE_TREE, None)
    tree.nodes[2].parent = 4  # a cycle, as no import can make one now: 2 → 4 → 3 → 2
    assert len(tree.ancestry(4)) <= len(tree.nodes) + 1
    assert tree.frames(4) == [] and tree.selector(4) is not None
    with pytest.raises(ImportFormatError, match="node-id cycle"):
        tree.load(_element(3, "body"), 4, "rec.json", "events[9]")


def test_an_expect_file_refuses_empty_and_oversized_lists(tmp_path: Path) -> None:
    path = tmp_path / "expect.json"
    one, keys = {"expression": "1", "expected": 1}, MAX_EXPECTATIONS // MAX_PER_KEY + 1
    cases = {
        "an empty list checks nothing": {"a": []},
        f"more than {MAX_PER_KEY} expectations": {"a": [one] * (MAX_PER_KEY + 1)},
        "in all": {f"k{i}": [one] * MAX_PER_KEY for i in range(keys)},
    }
    for said, document in cases.items():
        path.write_text(json.dumps(document))
        with pytest.raises(TrajectoryFormatError, match=said):
            load_expectations(path)


@pytest.mark.browser
def test_an_expect_key_that_matches_no_recording_is_a_warning(
    tmp_path: Path, site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "plain.json"
    steps = [{"type": "navigate", "url": "http://h.test/plain.html"}]
    source.write_text(json.dumps({"title": "plain", "steps": steps}))
    assert import_one("chrome-recorder", source, tmp_path / "recs" / "plain").trajectory
    expect = tmp_path / "expect.json"
    expect.write_text(json.dumps({"plain": [{"expression": "1", "expected": 1}],
                                  "plian": [{"expression": "1", "expected": 1}]}))  # fmt: skip
    assert load_expectations(expect).unmatched([str(tmp_path / "recs" / "plain")]) == ["plian"]
    code = main(["replay", str(tmp_path / "recs"), "--out", str(tmp_path / "v.jsonl"),
                 "--serve", str(site), "--expect", str(expect), "--quiet"])  # fmt: skip
    assert code == 0
    captured = capsys.readouterr()
    assert "--expect key 'plian' matches no recording" in captured.err
    assert "1 --expect keys matched no recording" in captured.out


def test_an_overlong_selector_skips_its_step_as_acting_saying_why(tmp_path: Path) -> None:
    long = "#go" + " " * 10 + "x" * MAX_SELECTOR_CHARS
    steps = [{"type": "navigate", "url": "http://h.test/plain.html"},
             {"type": "click", "selectors": [[long]]}]  # fmt: skip
    source = tmp_path / "long.json"
    source.write_text(json.dumps({"title": "long", "steps": steps}))
    result = import_one("chrome-recorder", source, tmp_path / "long")
    (skip,) = result.skipped
    assert skip.position == "steps[1]" and skip.acts
    assert f"more than {MAX_SELECTOR_CHARS}" in skip.reason and len(skip.reason) < 200
