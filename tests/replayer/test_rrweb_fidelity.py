"""rrweb at full fidelity: events inside iframes keep their frame and replay there, every event
kind the import leaves out is listed once with its count and whether it acts, a Meta without
an address is a rejection naming it, and `--expect` judges the final page.

The recordings are the conformance corpus's (real rrweb output, conformance/rrweb)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from officegym.cli import main
from officegym.errors import TrajectoryFormatError
from officegym.replayer import Replayer, Verdict, load_expectations
from officegym.replayer.importers import import_one
from officegym.trajectory import TrajectoryReader

CORPUS = Path(__file__).parent / "conformance" / "rrweb"
SITE = CORPUS / "site"


def recording(name: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = json.loads((CORPUS / "recordings" / f"{name}.json").read_text())
    return events


def imported(tmp_path: Path, events: Any, name: str = "rec") -> str:
    source = tmp_path / f"{name}.json"
    source.write_text(json.dumps(events))
    result = import_one("rrweb", source, tmp_path / name)
    assert result.trajectory is not None, result.reason
    return result.trajectory


def events_of(path: str) -> list[dict[str, Any]]:
    with TrajectoryReader(path) as reader:
        return [e.model_dump(exclude_none=True) for _, e in reader.iter_events()]


def test_events_inside_iframes_keep_their_frame_and_rrwebs_point(tmp_path: Path) -> None:
    """rrweb records a press in an iframe at its point in the iframe's viewport, on a node of
    the iframe's document: the event keeps both and names the frame by its index path."""
    single = events_of(imported(tmp_path, recording("iframe-form"), "single"))
    go = next(e for e in single if e["type"] == "mouse.down" and e["target"]["selector"] == "#go")
    assert go["action"] == {"frame": [0]}
    raw = next(
        e["data"] for e in recording("iframe-form")
        if e["type"] == 3 and e["data"]["source"] == 2 and e["data"]["type"] == 1
        and e["data"]["id"] == go_id(recording("iframe-form"), 0)
    )  # fmt: skip
    assert (go["x"], go["y"]) == (raw["x"], raw["y"])
    typed = [e for e in single if e["type"] == "text.input"]
    assert [e["text"] for e in typed] == ["X", "X4", "X42"]
    assert all(e["action"] == {"frame": [0]} and e["target"]["selector"] == "#code" for e in typed)
    nested = events_of(imported(tmp_path, recording("iframe-nested"), "nested"))
    assert {json.dumps(e.get("action")) for e in nested if e["type"] == "mouse.down"} == {
        json.dumps({"frame": [1, 0]})
    }


def go_id(events: list[dict[str, Any]], nth: int) -> int:
    """The rrweb id of the nth element with id="go" the recording met."""
    found: list[int] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("attributes", {}).get("id") == "go":
                found.append(node["id"])
            for kid in node.get("childNodes", []):
                walk(kid)

    for e in events:
        if e["type"] == 3 and e["data"]["source"] == 0:
            for add in e["data"]["adds"]:
                walk(add["node"])
        elif e["type"] == 2:
            walk(e["data"]["node"])
    return found[nth]


def _with(events: list[dict[str, Any]], *extra: dict[str, Any]) -> list[dict[str, Any]]:
    """The recording with `extra` events stamped after its last one."""
    last = events[-1]["timestamp"]
    return [*events, *({"timestamp": last + 10 * (i + 1), **e} for i, e in enumerate(extra))]


def test_every_dropped_kind_is_listed_once_with_its_count_and_whether_it_acts(
    tmp_path: Path,
) -> None:
    def inc(source: int, **data: Any) -> dict[str, Any]:
        return {"type": 3, "data": {"source": source, **data}}

    events = _with(
        recording("text-name"),
        {"type": 5, "data": {"tag": "note", "payload": {}}},
        {"type": 5, "data": {"tag": "note", "payload": {}}},
        {"type": 6, "data": {"plugin": "rrweb/console@1", "payload": {}}},
        inc(8, id=5, adds=[{"rule": "p {}"}]),
        inc(9, id=5, type=0, commands=[]),
        inc(10, family="x", fontSource="", buffer=False),
        inc(14, ranges=[]),
        inc(7, type=0, id=5),
        inc(7, type=1, id=5),
        inc(42),
        {"type": 9, "data": {}},
        {"type": 7, "data": {"url": "http://h.test/a.png", "payload": {}}},
        inc(11, level="log", payload=["hi"], trace=[]),
        inc(13, id=5, set={"property": "color", "value": "red"}),
        inc(15, id=5, styleIds=[1]),
        inc(16, define={"name": "x-y"}),
        inc(6, positions=[{"x": 11, "y": 12, "id": 1, "timeOffset": 0}]),  # TouchMove: a move
        inc(12, positions=[{"x": 13, "y": 14, "id": 1, "timeOffset": 0}]),  # Drag: a move
    )
    events.append({"type": 3, "data": {"source": 5, "id": 9, "text": "late"}})  # no timestamp
    events.append("packed-by-rrweb")  # a packed event among unpacked ones
    # A mutation without a timestamp is still applied (the tree needs it), not listed.
    events.append({"type": 3, "data": {"source": 0, "adds": [], "removes": [], "texts": [],
                                       "attributes": []}})  # fmt: skip
    source = tmp_path / "many.json"
    source.write_text(json.dumps(events))
    result = import_one("rrweb", source, tmp_path / "many")
    listed = {s.step: (s.acts, s.reason) for s in result.skipped}
    harmless = [
        "Custom",
        "Plugin",
        "StyleSheetRule",
        "CanvasMutation",
        "Font",
        "Selection",
        "Asset",
        "Log",
        "StyleDeclaration",
        "AdoptedStyleSheet",
        "CustomElement",
    ]
    acting = ["MediaInteraction play", "MediaInteraction pause", "source 42", "type 9",
              "Input without timestamp", "packed"]  # fmt: skip
    assert sorted(listed) == sorted(harmless + acting)
    assert [listed[k][0] for k in harmless] == [False] * len(harmless)
    assert [listed[k][0] for k in acting] == [True] * len(acting)
    assert "(2 events: " in listed["Custom"][1]  # listed once, with its count
    assert "(1 event: " in listed["Selection"][1]
    with TrajectoryReader(result.trajectory or "") as reader:
        assert reader.meta.imported is not None
        kept = {s.step: s.acts for s in reader.meta.imported.skipped}
    assert kept == {k: v[0] for k, v in listed.items()}
    moves = [
        (e["x"], e["y"]) for e in events_of(result.trajectory or "") if e["type"] == "mouse.move"
    ]
    assert (11, 12) in moves and (13, 14) in moves  # TouchMove and Drag move the pointer


def test_a_checkbox_set_with_no_press_before_it_is_an_acting_skip(tmp_path: Path) -> None:
    """rrweb records no keys: a box toggled with the space bar shows only as its Input."""
    events = recording("checkboxes")
    tea = next(
        e["data"]["id"] for e in events
        if e["type"] == 3 and e["data"]["source"] == 5 and e["data"].get("isChecked")
    )  # fmt: skip
    toggled = {"source": 5, "id": tea, "text": "on", "isChecked": False, "userTriggered": True}
    late = _with(events, {"type": 3, "data": toggled})
    late[-1]["timestamp"] += 5000
    source = tmp_path / "space.json"
    source.write_text(json.dumps(late))
    result = import_one("rrweb", source, tmp_path / "space")
    assert [(s.step, s.acts) for s in result.skipped] == [("Input", True)]
    assert "no press before it" in result.skipped[0].reason


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("", "the page's address is empty"),
        ("  ", "is empty"),
        (None, "not a URL (NoneType)"),
        ("about:blank", "'about:blank' is not an http(s) URL"),
        ("form.html", "is not an http(s) URL"),
        ("http://a.test/\n", "is not an http(s) URL"),
    ],
)
def test_a_meta_without_an_address_is_rejected_naming_it(
    tmp_path: Path, href: Any, expected: str
) -> None:
    events = copy.deepcopy(recording("text-name"))
    meta_at = next(i for i, e in enumerate(events) if e["type"] == 4)
    events[meta_at]["data"]["href"] = href
    source = tmp_path / "nohref.json"
    source.write_text(json.dumps(events))
    result = import_one("rrweb", source, tmp_path / "nohref")
    assert result.outcome == "rejected" and expected in result.reason, result.reason
    assert result.position == f"events[{meta_at}].data.href"


def test_a_recording_without_input_is_rejected_saying_what_it_holds(tmp_path: Path) -> None:
    events = [e for e in recording("text-name") if e["type"] != 3 or e["data"]["source"] == 0]
    source = tmp_path / "still.json"
    source.write_text(json.dumps(events))
    result = import_one("rrweb", source, tmp_path / "still")
    assert result.outcome == "rejected"
    assert "nothing to replay" in result.reason and "FullSnapshot" in result.reason


def test_the_expect_file_is_checked_whole(tmp_path: Path) -> None:
    cases = {
        '{"a": [{"expression": "1"}]}': "a[0].expected",
        '{"a": [{"expression": "1", "expected": 1, "frmae": [0]}]}': "unknown field 'frmae'",
        '{"a": [{"expression": "1", "expected": 1, "frame": [-1]}]}': "a[0].frame",
        '{"a": [{"expression": "1", "expected": 1, "timeout_ms": 99999}]}': "at most",
        '{"a": {"expression": "1"}}': "expected a list",
        "[1]": "top level",
        "{": "not JSON",
    }
    for text, expected in cases.items():
        path = tmp_path / "expect.json"
        path.write_text(text)
        with pytest.raises(TrajectoryFormatError, match=expected.replace("[", r"\[")):
            load_expectations(path)
    path.write_text('{"$comment": "x", "text-*": [{"expression": "1", "expected": 1}],'
                    ' "broken/text-name": [{"expression": "2", "expected": 2}]}')  # fmt: skip
    expect = load_expectations(path)
    assert len(expect.for_path("/x/valid/text-name")) == 1
    assert len(expect.for_path("/x/broken/text-name.zip")) == 2
    assert expect.for_path("/x/valid/menu") == []
    out = tmp_path / "v.jsonl"
    path.write_text('{"a": []')
    assert main(["replay", str(CORPUS), "--out", str(out), "--expect", str(path)]) == 2


@pytest.mark.browser
def test_expectations_judge_the_final_page_and_only_their_recordings(tmp_path: Path) -> None:
    good, other = (
        imported(tmp_path, recording("menu"), "menu"),
        imported(tmp_path, recording("double-click"), "double-click"),
    )
    expect = tmp_path / "expect.json"
    big = "'x'.repeat(100000)"
    expect.write_text(json.dumps({"menu": [
        {"expression": "document.getElementById('picked').textContent", "expected": "Gamma"},
        {"expression": "document.title", "expected": "Clicks"},
        {"expression": "({a: [1, 2], b: null})", "expected": {"b": None, "a": [1.0, 2]}},
        {"expression": big, "expected": "x"},
        {"expression": "'<b>\\n'", "expected": "y"},
        {"expression": "document.getElementById('picked').textContent", "expected": "Beta",
         "frame": [3]},
    ]}))  # fmt: skip
    out = tmp_path / "verdicts.jsonl"
    code = main(["replay", good, other, "--out", str(out), "--serve", str(SITE),
                 "--expect", str(expect)])  # fmt: skip
    assert code == 1
    rows = {Path(r["trajectory"]).name: r for r in map(json.loads, out.read_text().splitlines())}
    assert rows["double-click"]["verdict"] == "valid" and "expectations" not in rows["double-click"]
    menu = rows["menu"]
    assert menu["verdict"] == "task_failed"
    assert [e["passed"] for e in menu["expectations"]] == [False, True, True, False, False, False]
    reason = menu["reason"]
    assert reason.startswith("the final page is not as expected: ")
    assert 'expected "Gamma", found "Beta"' in reason
    assert "longer than 65536 characters" in menu["expectations"][3]["error"]
    assert reason.endswith("(+1 more)")  # four failed: three shown, the rest counted
    assert menu["expectations"][4]["found"] == "<b>\n"  # kept as the page gave it
    assert "no frame [3]" in menu["expectations"][5]["error"]


@pytest.mark.browser
def test_a_press_recorded_elsewhere_in_an_iframe_diverges_naming_the_frame(
    tmp_path: Path,
) -> None:
    events = recording("iframe-form")
    go = go_id(events, 0)
    for e in events:
        data = e["data"]
        if e["type"] == 3 and data["source"] == 2 and data.get("id") == go and data.get("y"):
            data["y"] += 40  # below the button, inside the frame
    replayer = Replayer(serve=SITE)
    try:
        result = replayer.replay(imported(tmp_path, events))
    finally:
        replayer.close()
    assert result.verdict == Verdict.DIVERGED, result.reason
    assert "in frame [0]" in result.reason and "'#go'" in result.reason


def test_a_yaml_expect_file_reads_as_json_would_without_aliases(tmp_path: Path) -> None:
    path = tmp_path / "expect.yaml"
    path.write_text("menu:\n  - expression: document.title\n    expected: {a: [1, null]}\n")
    (item,) = load_expectations(path).for_path("menu")
    assert item.expected == {"a": [1, None]}
    path.write_text("a: &x [1]\nb: [{expression: '1', expected: *x}]\n")
    with pytest.raises(TrajectoryFormatError, match="aliases"):
        load_expectations(path)
    path.write_text("a: [{expression: '1', expected: 2024-01-02}]\n")  # a date, not JSON
    with pytest.raises(TrajectoryFormatError, match=r"a\[0\].expected: not a JSON value"):
        load_expectations(path)


def test_later_pages_touches_and_shadow_roots(tmp_path: Path) -> None:
    """A later Meta is a check of the new page (skipped when its address is empty), a touch
    interaction is an acting skip, and an element in a shadow root gets a `pierce/` path."""
    events = copy.deepcopy(recording("nested-clicks"))
    snapshot = next(e for e in events if e["type"] == 2)["data"]["node"]
    body = snapshot["childNodes"][1]["childNodes"][-1]
    host = {"type": 2, "id": 9001, "tagName": "my-card", "attributes": {}, "isShadowHost": True,
            "childNodes": [{"type": 2, "id": 9002, "tagName": "button", "isShadow": True,
                            "attributes": {}, "childNodes": []}]}  # fmt: skip
    body["childNodes"].append(host)
    page = "http://rrweb.conformance.test/clicks.html?page=2"
    events = _with(
        events,
        {"type": 3, "data": {"source": 2, "type": 1, "id": 9002, "x": 5, "y": 5}},
        {"type": 3, "data": {"source": 2, "type": 7, "id": 9002, "x": 5, "y": 5}},
        {"type": 4, "data": {"href": page, "width": 800, "height": 600}},
        {"type": 4, "data": {"href": "", "width": 800, "height": 600}},
    )
    source = tmp_path / "more.json"
    source.write_text(json.dumps(events))
    result = import_one("rrweb", source, tmp_path / "more")
    assert [(s.step, s.acts) for s in result.skipped] == [("MouseInteraction", True),
                                                          ("Meta", False)]  # fmt: skip
    out = events_of(result.trajectory or "")
    assert out[-3]["target"]["selector"] == "pierce/button"
    assert out[-2] == {"t": out[-2]["t"], "type": "observe", "url": page}


def test_typing_into_a_contenteditable_is_an_acting_skip(tmp_path: Path) -> None:
    """rrweb records no keys and no Input for a contenteditable: the typed text shows only as
    the page's mutations, which a replay cannot make: the recording is never `valid`."""
    events = copy.deepcopy(recording("text-name"))
    snapshot = next(e for e in events if e["type"] == 2)["data"]["node"]
    body = snapshot["childNodes"][1]["childNodes"][-1]
    body["childNodes"].append({"type": 2, "id": 9100, "tagName": "div",
                               "attributes": {"contenteditable": ""}, "childNodes": [
                                   {"type": 3, "id": 9101, "textContent": "draft"}]})  # fmt: skip
    typed = {"source": 0, "texts": [{"id": 9101, "value": "draft two"}], "attributes": [],
             "removes": [], "adds": []}  # fmt: skip
    source = tmp_path / "editable.json"
    source.write_text(json.dumps(_with(events, {"type": 3, "data": typed})))
    result = import_one("rrweb", source, tmp_path / "editable")
    assert [(s.step, s.acts) for s in result.skipped] == [("contenteditable text", True)]


def test_a_snapshot_and_meta_without_timestamps_are_still_used(tmp_path: Path) -> None:
    events = recording("text-name")
    plain = events_of(imported(tmp_path, events, "stamped"))
    assert any(e.get("target", {}).get("selector") for e in plain)  # from the snapshot
    for event in events:
        if event["type"] in (2, 4):  # FullSnapshot, Meta
            del event["timestamp"]
    assert events_of(imported(tmp_path, events, "unstamped")) == plain
