"""MiniWoB++ demonstrations import without loss: every key, every event across a clock jump, the
page's own size; output folders mirror the sources; `officegym import` is quiet and its exit
code means something.

The demonstrations are written here as MiniWoB++'s record.js writes them (its source is the
reference): a listener on `document` in the capture and the bubble phase, so every input is
two states (`timing` 1, then 3) at the same time; a keydown's `charCode` is 0 and its keypress
has the character in both `keyCode` and `charCode`; keys the browser types no character for
have no keypress; each state holds `core.getDOMInfo()`: the BODY and its elements with their
`getBoundingClientRect()` boxes (the viewport's, so a scrolled page shows the BODY at -scroll),
the event's target flagged `recordingTarget`, a text field's `value` as it is at that moment.
Mouse actions carry `pageX`/`pageY`. `time` is `Date.now()` minus the episode's start.
"""

from __future__ import annotations

import copy
import gzip
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from officegym.cli import main
from officegym.replayer import audit
from officegym.replayer.importers import REPORT_NAME, _source, find_sources, import_all, import_one
from officegym.trajectory import TrajectoryReader, is_typing

CAPTURE, BUBBLE = 1, 3


class RecordJs:
    """A demonstration built input by input, as record.js records it."""

    def __init__(
        self, size: tuple[int, int] = (160, 210), scroll: int = 0, margin: int = 0
    ) -> None:
        width, height = size
        self.scroll = scroll  # the page's vertical scroll while the inputs happen
        self.time = 0
        self.fields: dict[str, str] | None = None  # a structured utterance's
        m = margin  # the BODY's CSS margin (8 px unless the page sets it): everything moves
        self.body: dict[str, Any] = self.node(1, "BODY", (m, m, width, height))
        self.body["children"] = [
            self.node(2, "INPUT_text", (m + 5, m + 60, 110, 20), id="field", value=""),
            self.node(3, "BUTTON", (m + 5, m + 120, 95, 30), id="subbtn", text="Submit"),
            self.node(4, "BUTTON", (m + 100, m + 150, 50, 30), id="book", text="Book"),
        ]
        self.states: list[dict[str, Any]] = [{"time": 0, "action": None, "dom": self.dom(None)}]

    @staticmethod
    def node(ref: int, tag: str, box: tuple[float, ...], **extra: Any) -> dict[str, Any]:
        left, top, width, height = box  # page coordinates; `dom` makes them the viewport's
        return {"tag": tag, "left": left, "top": top, "width": width, "height": height,
                "children": [], "id": "", "classes": "", "ref": ref, **extra}  # fmt: skip

    def element(self, ref: int) -> dict[str, Any]:
        return next(n for n in self.body["children"] if n["ref"] == ref)

    def dom(self, target: int | None) -> dict[str, Any]:
        """getDOMInfo now: boxes relative to the viewport, the target flagged."""
        body = copy.deepcopy(self.body)
        for node in (body, *body["children"]):
            node["top"] -= self.scroll
            if node["ref"] == target:
                node["recordingTarget"] = True
        return body

    def record(self, action: dict[str, Any], target: int, after: int = 60) -> None:
        """One DOM event: record.js's capture-phase state, then its bubble-phase state."""
        self.time += after
        for phase in (CAPTURE, BUBBLE):
            state = {"time": self.time, "action": {**action, "timing": phase}}
            self.states.append({**state, "dom": self.dom(target)})

    def click(self, ref: int, *, double: bool = False) -> None:
        """A click; `double`: a second one, after which the browser fires `dblclick`."""
        node = self.element(ref)
        x, y = node["left"] + node["width"] / 2, node["top"] + node["height"] / 2  # pageX/Y
        for kind in ("mousedown", "mouseup", "click", *(("dblclick",) if double else ())):
            self.record({"type": kind, "x": x, "y": y}, ref)

    def keydown(self, code: int) -> None:
        """A key pressed and held (a modifier), no keypress: its keyup comes later, or never."""
        self.record({"type": "keydown", "keyCode": code, "charCode": 0}, 2)

    def keyup(self, code: int) -> None:
        self.record({"type": "keyup", "keyCode": code, "charCode": 0}, 2)

    def key(self, code: int, char: str | None = None, *, up_code: int | None = None,
            typed: str | None = None) -> None:  # fmt: skip
        """A key press: keydown, the keypress if the browser types `char`, keyup. The field
        gets `typed` (default `char`) between the keypress and the keyup, as an input does."""
        self.record({"type": "keydown", "keyCode": code, "charCode": 0}, 2)
        if char is not None:
            self.record({"type": "keypress", "keyCode": ord(char), "charCode": ord(char)}, 2, 5)
        if typed or char:
            self.element(2)["value"] += typed or char or ""
        self.record({"type": "keyup", "keyCode": up_code or code, "charCode": 0}, 2)

    def write(self, path: Path, reward: float = 0.75, raw_reward: float = 1) -> Path:
        demo = {"taskName": "enter-text", "utterance": "Type it", "states": self.states,
                "reward": reward, "rawReward": raw_reward}  # fmt: skip
        if self.fields is not None:
            demo["fields"] = self.fields
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(demo))
        return path


def imported(path: Path, tmp_path: Path) -> tuple[Any, list[Any]]:
    result = import_one("miniwob", path, tmp_path / "out" / path.stem)
    assert result.outcome == "imported", result
    with TrajectoryReader(result.trajectory or "") as reader:
        return reader.meta, [event for _, event in reader.iter_events()]


def typed_text(events: list[Any]) -> str:
    return "".join(
        e.key for e in events if e.type == "key.down" and is_typing(e.key, e.modifiers)
        and len(e.key) == 1
    )  # fmt: skip


def keys_down(events: list[Any]) -> list[str]:
    return [e.key for e in events if e.type == "key.down"]


# --- keys -------------------------------------------------------------------------------------


def test_digits_typed_on_the_keypad_are_kept(tmp_path: Path) -> None:
    """ "1042p" with 1 and 4 on the keypad (codes 97 and 100) once came out as "0 2 p"."""
    demo = RecordJs()
    demo.click(2)
    for code, char in ((97, "1"), (48, "0"), (100, "4"), (50, "2"), (80, "p")):
        demo.key(code, char)
    meta, events = imported(demo.write(tmp_path / "numpad.json"), tmp_path)
    assert typed_text(events) == "1042p"
    downs = [(e.key, e.code) for e in events if e.type == "key.down"]
    assert downs == [("1", "Numpad1"), ("0", None), ("4", "Numpad4"), ("2", None), ("p", None)]
    ups = [(e.key, e.code) for e in events if e.type == "key.up"]
    assert ups == downs
    assert meta.imported.unknown_keys == []


def test_keypad_operators_function_and_media_keys_have_names(tmp_path: Path) -> None:
    demo = RecordJs()
    demo.click(2)
    demo.key(107, "+")  # keypad +
    demo.key(111, "/")  # keypad /
    demo.key(116)  # F5: no keypress
    demo.key(179)  # play/pause
    demo.key(173)  # mute (Chrome)
    demo.key(144)  # NumLock
    _, events = imported(demo.write(tmp_path / "keys.json"), tmp_path)
    downs = [(e.key, e.code) for e in events if e.type == "key.down"]
    assert downs == [("+", "NumpadAdd"), ("/", "NumpadDivide"), ("F5", None),
                     ("MediaPlayPause", None), ("AudioVolumeMute", None),
                     ("NumLock", None)]  # fmt: skip


def test_input_method_keys_take_the_character_they_typed(tmp_path: Path) -> None:
    """Code 229: an input method has the key. With a keypress (some do send one) the character
    is its; without, the character the field gained. The release may carry the key's own code
    (desktop Chrome) or 229 again (Android)."""
    demo = RecordJs()
    demo.click(2)
    demo.key(72, "h")
    demo.key(229, "i")  # keypress after 229
    demo.key(229, typed="!", up_code=49)  # no keypress; the release has the key's code
    demo.key(229, typed="?")  # no keypress; the release is 229 too
    meta, events = imported(demo.write(tmp_path / "ime.json"), tmp_path)
    assert typed_text(events) == "hi!?"
    assert [e.key for e in events if e.type == "key.up"] == ["h", "i", "!", "?"]
    assert meta.imported.unknown_keys == []


def test_an_input_method_composition_is_the_fields_new_value(tmp_path: Path) -> None:
    """A composition that rewrites the field (`にh` becoming `にほ`) is not one key's character:
    the key is `Process` and the field's new value follows as a replacing text.input."""
    demo = RecordJs()
    demo.click(2)
    demo.element(2)["value"] = "にh"
    demo.record({"type": "keydown", "keyCode": 229, "charCode": 0}, 2)
    demo.element(2)["value"] = "にほ"
    demo.record({"type": "keyup", "keyCode": 79, "charCode": 0}, 2)
    _, events = imported(demo.write(tmp_path / "compose.json"), tmp_path)
    tail = [(e.type, getattr(e, "key", None) or getattr(e, "text", None)) for e in events[2:]]
    assert tail == [("key.down", "Process"), ("text.input", "にほ"), ("key.up", "Process"),
                    ("done", None)]  # fmt: skip
    field = events[3]
    assert field.replace is True and field.target.selector == "#field"


def test_caps_lock_is_a_key_and_sets_the_case(tmp_path: Path) -> None:
    """The keypress has the case Caps Lock gave; a letter with no keypress (Control held) is
    cased by Caps Lock and Shift."""
    demo = RecordJs()
    demo.click(2)
    demo.key(20)  # Caps Lock on
    demo.key(72, "H")
    demo.key(73, "I")
    demo.record({"type": "keydown", "keyCode": 17, "charCode": 0}, 2)
    demo.key(65)  # Control+A: no keypress
    demo.record({"type": "keyup", "keyCode": 17, "charCode": 0}, 2)
    demo.key(20)  # Caps Lock off
    demo.key(88, "x")
    _, events = imported(demo.write(tmp_path / "caps.json"), tmp_path)
    assert keys_down(events) == ["CapsLock", "H", "I", "Control", "A", "CapsLock", "x"]
    assert typed_text(events) == "HIx"
    select_all = next(e for e in events if e.type == "key.down" and e.key == "A")
    assert select_all.modifiers == ["Control"]


def test_an_unknown_key_code_is_kept_and_listed(tmp_path: Path) -> None:
    demo = RecordJs()
    demo.click(2)
    demo.key(255)  # no keyboard is known to send it
    demo.key(65, "a")
    meta, events = imported(demo.write(tmp_path / "unknown.json"), tmp_path)
    assert keys_down(events) == ["Unidentified", "a"]
    unknown = [i for i, e in enumerate(events) if getattr(e, "key", None) == "Unidentified"]
    assert [(k.event, k.code) for k in meta.imported.unknown_keys] == [(i, 255) for i in unknown]
    assert [events[i].type for i in unknown] == ["key.down", "key.up"]


# --- time ---------------------------------------------------------------------------------------


def test_a_clock_jump_keeps_every_event_and_is_listed(tmp_path: Path) -> None:
    """record.js reads the wall clock: here it is set back an hour after typing "ab", and
    forward two hours before the Submit click. Every event is kept (the Submit click was
    lost), time runs forward, and both jumps are listed with their sizes."""
    demo = RecordJs()
    demo.click(2)
    demo.key(65, "a")
    demo.time -= 3_600_000  # the clock set back by an hour, between two keys
    demo.key(66, "b")
    demo.time += 7_200_000
    demo.click(3)
    meta, events = imported(demo.write(tmp_path / "jump.json"), tmp_path)
    kinds = [e.type for e in events]
    assert kinds == ["mouse.down", "mouse.up", "key.down", "key.up", "key.down", "key.up",
                     "mouse.down", "mouse.up", "done"]  # fmt: skip
    assert events[6].target.selector == "#subbtn"  # the Submit click is there
    times = [e.t for e in events]
    assert times == sorted(times)
    # Each jump is taken out whole: the first event after it is at the time of the one before.
    assert times == [60, 120, 240, 305, 305, 370, 370, 430, 430]
    jumps = [(j.event, j.seconds) for j in meta.imported.clock_jumps]
    assert jumps == [(4, -3599.94), (6, 7200.06)]


def test_altgr_types_its_character(tmp_path: Path) -> None:
    """AltGr on Windows is a keydown of Control (17), then of Alt (18): "@" on a German layout
    (AltGr+Q) has its keypress, so it is typed, not a Control+Alt shortcut."""
    demo = RecordJs()
    demo.click(2)
    demo.keydown(17)
    demo.keydown(18)
    demo.key(81, "@")
    demo.keyup(18)
    demo.keyup(17)
    demo.key(66, "b")
    _, events = imported(demo.write(tmp_path / "altgr.json"), tmp_path)
    at = next(e for e in events if e.type == "key.down" and e.key == "@")
    assert at.modifiers == []
    assert typed_text(events) == "@b"


def test_a_lost_alt_release_does_not_swallow_the_typing_after_it(tmp_path: Path) -> None:
    """Alt+Tab away from the page: the Alt keydown is recorded, its keyup goes to the other
    window. The keys typed after it (each with its keypress) are still typing."""
    demo = RecordJs()
    demo.click(2)
    demo.keydown(18)
    for code, char in ((72, "h"), (73, "i")):
        demo.key(code, char)
    demo.key(8)  # Backspace: no keypress, and no Alt held any more either
    _, events = imported(demo.write(tmp_path / "alt-tab.json"), tmp_path)
    assert typed_text(events) == "hi"
    backspace = next(e for e in events if e.type == "key.down" and e.key == "Backspace")
    assert backspace.modifiers == []


# --- the mouse ------------------------------------------------------------------------------


def test_only_a_recorded_dblclick_makes_a_double_click(tmp_path: Path) -> None:
    """Two buttons clicked 120 ms apart are two clicks; a press is a double click's second
    when record.js recorded the browser's `dblclick` after it."""
    demo = RecordJs()
    demo.click(3)
    demo.click(4)  # its press is 120 ms after the release on Submit
    demo.click(4)
    demo.click(4, double=True)
    _, events = imported(demo.write(tmp_path / "clicks.json"), tmp_path)
    mouse = [(e.type, e.target.selector, e.click_count) for e in events if e.type[:6] == "mouse."]
    assert mouse == [
        ("mouse.down", "#subbtn", 1), ("mouse.up", "#subbtn", 1),
        ("mouse.down", "#book", 1), ("mouse.up", "#book", 1),
        ("mouse.down", "#book", 1), ("mouse.up", "#book", 1),
        ("mouse.down", "#book", 2), ("mouse.up", "#book", 2),
    ]  # fmt: skip


# --- the page -------------------------------------------------------------------------------


def test_a_scrolled_page_with_a_body_margin_keeps_targets_under_the_clicks(
    tmp_path: Path,
) -> None:
    """With the BODY's default 8 px margin, the first snapshot shows the BODY at top 8: the
    scroll is how far it moved up since (30 px), not minus its top (22 px)."""
    demo = RecordJs(size=(375, 667), margin=8)
    demo.scroll = 30
    demo.click(4)
    _, events = imported(demo.write(tmp_path / "margin.json"), tmp_path)
    down, box = events[0], events[0].target.bbox
    assert (down.x, down.y) == (133, 173)
    assert (box.x, box.y) == (108, 158)
    with TrajectoryReader(tmp_path / "out" / "margin") as reader:
        assert [f.kind for f in audit(reader).findings] == []


def test_the_viewport_covers_elements_placed_outside_the_body(tmp_path: Path) -> None:
    """A task whose elements are absolutely placed leaves the BODY 160×40: its clicks, all in
    the task area, are in the viewport, and so is an element reaching past it."""
    demo = RecordJs(size=(160, 40))
    demo.body["children"].append(RecordJs.node(5, "DIV", (0, 300, 400, 20), text="footer"))
    demo.states = [{"time": 0, "action": None, "dom": demo.dom(None)}]
    demo.click(4)
    meta, _ = imported(demo.write(tmp_path / "absolute.json"), tmp_path)
    assert (meta.viewport.width, meta.viewport.height) == (400, 320)
    with TrajectoryReader(tmp_path / "out" / "absolute") as reader:
        assert [f.kind for f in audit(reader).findings] == []
    demo.body["children"].pop()
    demo.states = [{"time": 0, "action": None, "dom": demo.dom(None)}]
    demo.click(4)
    meta, _ = imported(demo.write(tmp_path / "small.json"), tmp_path)
    assert (meta.viewport.width, meta.viewport.height) == (160, 210)  # the task area at least


def test_a_page_larger_than_the_task_area_is_the_viewport(tmp_path: Path) -> None:
    """A flight task's page is 375×667, not the 160×210 task area. Scrolled 50 px down, a
    click at page (125, 165) is in its target's box once the box (the viewport's, in the
    snapshot) is moved to the page."""
    demo = RecordJs(size=(375, 667))
    demo.scroll = 50
    demo.click(4)
    meta, events = imported(demo.write(tmp_path / "flight.json"), tmp_path)
    assert (meta.viewport.width, meta.viewport.height) == (375, 667)
    down = events[0]
    assert (down.x, down.y, down.target.selector) == (125, 165, "#book")
    box = down.target.bbox
    assert (box.x, box.y, box.width, box.height) == (100, 150, 50, 30)
    assert box.x <= down.x <= box.x + box.width and box.y <= down.y <= box.y + box.height


def test_the_source_path_and_its_label_are_in_meta(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The path is stored absolute, as given relative it would name nothing later. Success is
    rawReward's: reward has the time penalty (0 when the task was done at its time limit). A
    structured utterance's fields are kept."""
    demo = RecordJs()
    demo.click(3)
    demo.write(tmp_path / "tasks" / "label.json", reward=-0.25, raw_reward=-1)
    monkeypatch.chdir(tmp_path)
    meta, _ = imported(Path("tasks/label.json"), tmp_path)
    assert meta.imported.path == str(tmp_path / "tasks" / "label.json")
    assert meta.imported.format == "miniwob"
    label = meta.imported.label
    assert (label.reward, label.raw_reward) == (-0.25, -1.0)
    assert meta.outcome.claimed_success is False
    demo.fields = {"target": "Book", "by": "click"}
    meta, _ = imported(demo.write(tmp_path / "late.json", reward=0, raw_reward=1), tmp_path)
    assert meta.outcome.claimed_success is True
    assert meta.extra["fields"] == {"target": "Book", "by": "click"}


@pytest.mark.parametrize("packed", [False, True], ids=["plain", "gzip"])
def test_read_in_small_pieces_or_large_the_trajectory_is_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, packed: bool
) -> None:
    """The file is read a megabyte at a time and decoded a state at a time; read 64 bytes at a
    time, every state, string and number crosses a read, which must not change a thing."""
    demo = RecordJs(size=(375, 667))
    demo.click(2)
    for code, char in ((97, "1"), (229, None), (80, "p")):
        demo.key(code, char, typed=None if char else "x")
    demo.time -= 5000
    demo.click(3)
    source = demo.write(tmp_path / "demo.json")
    if packed:
        source = tmp_path / "demo.json.gz"
        source.write_bytes(gzip.compress((tmp_path / "demo.json").read_bytes()))
    large = import_one("miniwob", source, tmp_path / "large")
    monkeypatch.setattr(_source, "CHUNK", 64)
    small = import_one("miniwob", source, tmp_path / "small")
    assert small.outcome == large.outcome == "imported"
    for name in ("meta.json", "events.jsonl"):
        assert (tmp_path / "small" / name).read_text() == (tmp_path / "large" / name).read_text()


@pytest.mark.slow
def test_a_long_demonstration_is_read_a_state_at_a_time(tmp_path: Path) -> None:
    """A 40 MB demonstration (each state a large page) imports with far less memory than its
    size: the states are read one by one, not decoded whole (which took 7x the file)."""
    demo = RecordJs()
    demo.body["children"] += [
        RecordJs.node(10 + i, "DIV", (0, i, 160, 1), text=f"row {i} " * 8) for i in range(400)
    ]
    source = tmp_path / "long.json"
    clicks = 0
    with source.open("w") as f:  # written a state at a time: the test holds no 40 MB either
        f.write('{"taskName": "long", "states": [')
        f.write(json.dumps(demo.states[0]))
        while f.tell() < 40_000_000:
            demo.states = []
            demo.click(3)
            clicks += 1
            f.write("".join(", " + json.dumps(s) for s in demo.states))
        f.write('], "reward": 1, "rawReward": 1}')
    size = source.stat().st_size
    measure = textwrap.dedent(
        """
        import resource, sys
        from pathlib import Path
        import officegym.replayer.importers as importers
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        result = importers.import_one("miniwob", Path(sys.argv[1]), Path(sys.argv[2]))
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        print(result.outcome, result.events, after - before)
        """
    )
    done = subprocess.run([sys.executable, "-c", measure, str(source), str(tmp_path / "o")],
                          capture_output=True, text=True, check=True)  # fmt: skip
    outcome, events, growth = done.stdout.split()
    assert (outcome, int(events)) == ("imported", 2 * clicks + 1)  # down and up, then done
    assert int(growth) < size // 4, f"peak memory grew by {int(growth):,} bytes for {size:,}"


# --- output folders and files -------------------------------------------------------------


def small_demo(path: Path) -> Path:
    demo = RecordJs()
    demo.click(3)
    return demo.write(path)


def test_output_folders_mirror_the_sources(tmp_path: Path) -> None:
    """Two `demo.json` in different folders were `demo` and `demo-2`; now each keeps its path.
    A file whose name is also a folder's (`a.json` beside `a/`) is the one renamed."""
    src = tmp_path / "src"
    for rel in ("a/demo.json", "b/demo.json", "a.json"):
        small_demo(src / rel)
    (src / "b" / "deep").mkdir()
    (src / "b" / "deep" / "demo.json.gz").write_bytes(gzip.compress((src / "a.json").read_bytes()))
    out = tmp_path / "out"
    results = list(import_all("miniwob", find_sources([src]), out, workers=1, folders=[src]))
    made = sorted(str(Path(r.trajectory or "").relative_to(out)) for r in results)
    assert made == ["a-2", "a/demo", "b/deep/demo", "b/demo"]
    assert all(r.outcome == "imported" for r in results)


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600)])
def test_files_are_written_with_the_mode_the_umask_gives(
    tmp_path: Path, umask: int, mode: int
) -> None:
    """meta.json was 0600 whatever the umask (a temporary file renamed into place)."""
    source = small_demo(tmp_path / "demo.json")
    old = os.umask(umask)
    try:
        result = import_one("miniwob", source, tmp_path / "out" / "demo")
    finally:
        os.umask(old)
    folder = Path(result.trajectory or "")
    assert sorted(p.name for p in folder.iterdir()) == ["events.jsonl", "meta.json"]
    for file in folder.iterdir():
        assert file.stat().st_mode & 0o777 == mode, file
    assert folder.stat().st_mode & 0o777 == 0o777 & ~umask


def test_an_out_folder_inside_the_sources_is_not_imported_again(tmp_path: Path) -> None:
    src = tmp_path / "src"
    small_demo(src / "one.json")
    small_demo(src / "sub" / "two.json")
    out = src / "imported"
    for _ in range(2):  # the second run finds the first one's trajectories and report
        assert main(["import", "miniwob", str(src), "--out", str(out), "--quiet"]) == 0
        report = [json.loads(line) for line in (out / REPORT_NAME).read_text().splitlines()]
        assert sorted(line["source"] for line in report) == [
            str(src / "one.json"), str(src / "sub" / "two.json")]  # fmt: skip
    assert sorted(p.name for p in out.iterdir()) == [REPORT_NAME, "one", "sub"]


# --- the command: exit codes and output -----------------------------------------------------


def corpus(folder: Path, good: int, bad: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(good):
        demo = RecordJs()
        demo.click(3)
        demo.record({"type": "scroll"}, 1)  # a skipped step: each good file is `partial`
        demo.write(folder / f"good{i:02d}.json")
    for i in range(bad):
        (folder / f"bad{i:02d}.json").write_text("{broken")
    return folder


@pytest.mark.parametrize(
    ("good", "bad", "flags", "code"),
    [(2, 1, [], 0), (0, 2, [], 1), (2, 1, ["--fail-on-reject"], 1),
     (2, 0, ["--fail-on-reject"], 0)],
)  # fmt: skip
def test_exit_code_is_1_only_when_nothing_is_imported_or_asked(
    tmp_path: Path, good: int, bad: int, flags: list[str], code: int
) -> None:
    src = corpus(tmp_path / "src", good, bad)
    assert main(["import", "miniwob", str(src), "--out", str(tmp_path / "out"), *flags]) == code


def test_quiet_by_default_one_summary_line_and_the_rest_in_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """13,700 lines were printed for a corpus: every skip and reject. Now stdout has one line;
    the progress goes to stderr (off a terminal, a line per tenth); --verbose prints each file
    and its skipped steps; --quiet shows no progress."""
    src = corpus(tmp_path / "src", 20, 5)
    out = tmp_path / "out"
    assert main(["import", "miniwob", str(src), "--out", str(out), "--workers", "1"]) == 0
    printed = capsys.readouterr()
    [summary] = printed.out.splitlines()
    assert summary.startswith("25 files: 0 imported, 20 partial, 5 rejected in ")
    assert summary.endswith(f"; report: {out / REPORT_NAME}")
    assert "broken" not in printed.err and "scroll" not in printed.err
    report = [json.loads(line) for line in (out / REPORT_NAME).read_text().splitlines()]
    assert len(report) == 25 and sum(line["outcome"] == "rejected" for line in report) == 5

    assert main(["import", "miniwob", str(src), "--out", str(out), "--verbose"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len([line for line in lines if line.startswith("partial ")]) == 20
    assert len([line for line in lines if line.startswith("rejected ")]) == 5
    assert len([line for line in lines if "skipped states[" in line]) == 20

    assert main(["import", "miniwob", str(src), "--out", str(out), "--quiet"]) == 0
    quiet = capsys.readouterr()
    assert len(quiet.out.splitlines()) == 1 and quiet.err == ""
