"""The audit on human data: what people do on purpose (step a control ten times, hold a key,
click on a page larger than MiniWoB++'s 160x210, make the same one-click episode twice) is not
flagged, and the defects that look like it (a click that changed nothing, a key stuck at
capture, a click off its target, a real copy) are. Recordings are written as trajectory v1 with
the project's writer; frames are real PNGs of the page state they stand for."""

from __future__ import annotations

import csv
import io
import json
import random
import shutil
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from officegym.cli import main
from officegym.replayer import Finding, audit
from officegym.trajectory import TrajectoryReader, TrajectoryWriter

PLUS = {"selector": "#plus", "role": "button", "name": "+", "tag": "button",
        "bbox": {"x": 100, "y": 40, "width": 24, "height": 24}}  # fmt: skip
PREVIOUS_MONTH = {"selector": ".ui-datepicker-prev", "tag": "a", "text": "Prev",
                  "bbox": {"x": 8, "y": 30, "width": 30, "height": 20}}  # fmt: skip
SEND = {"selector": "#send", "role": "button", "name": "Send", "tag": "button",
        "bbox": {"x": 300, "y": 500, "width": 80, "height": 30}}  # fmt: skip


def page(text: str) -> bytes:
    """A PNG of the page as it shows `text` (the same text, the same bytes)."""
    image = Image.new("RGB", (200, 120), "white")
    ImageDraw.Draw(image).text((10, 50), text, fill="black")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


class Demo:
    """A recording written event by event, its clock advancing as a person's would."""

    def __init__(self, path: Path, **meta: Any) -> None:
        header = {"id": path.name, "source": "human", "recorder": {"name": "t", "version": "1"},
                  "viewport": {"width": 800, "height": 600},
                  "started_at": "2026-01-01T00:00:00Z", **meta}  # fmt: skip
        self.path, self.t = path, 0.0
        self.writer = TrajectoryWriter(path, header)

    def event(self, type_: str, after: float = 0, **fields: Any) -> None:
        self.t += after
        self.writer.write({"t": self.t, "type": type_, **fields})

    def click(self, x: float, y: float, target: dict[str, Any] | None = None) -> None:
        extra = {"target": target} if target else {}
        self.event("mouse.down", 700, x=x, y=y, **extra)
        self.event("mouse.up", 90, x=x, y=y)

    def screen(self, text: str) -> None:
        frame, sha256 = self.writer.add_frame(page(text))
        self.event("screenshot", 400, frame=frame, sha256=sha256)

    def keys(self, key: str, presses: int, gap: float, release: bool = True) -> None:
        for _ in range(presses):
            self.event("key.down", gap, key=key)
        if release:
            self.event("key.up", 60, key=key)

    def done(self) -> Path:
        self.event("done", 100)
        self.writer.close()
        return self.path


def kinds_of(path: Path) -> list[tuple[str, int | None]]:
    with TrajectoryReader(path) as reader:
        findings: list[Finding] = audit(reader).findings
    return [(f.kind, f.event_index) for f in findings]


def test_a_stepping_control_clicked_ten_times_is_not_redundant(tmp_path: Path) -> None:
    counter = Demo(tmp_path / "counter")
    counter.screen("count 0")
    for n in range(1, 11):  # each click shows a new count
        counter.click(112, 52, PLUS)
        counter.screen(f"count {n}")
    assert kinds_of(counter.done()) == []

    # Stepping back through months, and once past the last month there is (the screen stays):
    # a control that steps is never a redundant click.
    months = Demo(tmp_path / "months")
    months.screen("March")
    for month in ("February", "January", "January"):
        months.click(20, 40, PREVIOUS_MONTH)
        months.screen(month)
    assert kinds_of(months.done()) == []


def test_a_click_that_changed_nothing_is_redundant_and_only_that(tmp_path: Path) -> None:
    dead = Demo(tmp_path / "dead")
    dead.screen("draft")
    dead.click(340, 515, SEND)
    dead.screen("draft, sending")
    dead.click(340, 515, SEND)  # event 4
    dead.screen("draft, sending")  # the same screen as before it
    assert kinds_of(dead.done()) == [("redundant_action", 4)]

    live = Demo(tmp_path / "live")  # the second click did something: the screen changed
    live.screen("draft")
    live.click(340, 515, SEND)
    live.screen("draft, sending")
    live.click(340, 515, SEND)
    live.screen("sent")
    assert kinds_of(live.done()) == []

    unseen = Demo(tmp_path / "unseen")  # no frame shows the screen after the clicks
    unseen.click(340, 515, SEND)
    unseen.click(340, 515, SEND)
    assert kinds_of(unseen.done()) == []


def test_a_stuck_key_is_stuck_key_and_not_superhuman_timing(tmp_path: Path) -> None:
    stuck = Demo(tmp_path / "stuck")
    stuck.keys("a", 1, 200)
    stuck.keys("b", 1, 200)
    # 459 presses and no release: repeats queued by a busy page arrive a few ms apart.
    stuck.keys("Backspace", 459, 2, release=False)
    stuck.click(340, 515, SEND)
    assert kinds_of(stuck.done()) == [("stuck_key", 4)]


def test_cmd_v_pasted_twenty_times_without_v_releases_is_not_stuck_key(tmp_path: Path) -> None:
    # Chrome on macOS sends no key.up for a key pressed while Cmd is held: V goes down 20
    # times and never up, but each time Cmd was pressed afresh, so none of it is a repeat.
    pasted = Demo(tmp_path / "pasted")
    for _ in range(20):
        pasted.event("key.down", 300, key="Meta", code="MetaLeft", modifiers=["Meta"])
        pasted.event("key.down", 80, key="v", code="KeyV", modifiers=["Meta"])
        pasted.event("key.up", 90, key="Meta", code="MetaLeft")
    pasted.click(340, 515, SEND)
    assert kinds_of(pasted.done()) == []

    # The same with Cmd held throughout and V never released between the pastes; typing
    # between them breaks each run of V as well.
    typed = Demo(tmp_path / "typed")
    typed.event("key.down", 300, key="Meta", code="MetaLeft", modifiers=["Meta"])
    for _ in range(20):
        typed.event("key.down", 200, key="v", code="KeyV", modifiers=["Meta"])
        typed.event("key.down", 200, key="x", code="KeyX")
        typed.event("key.up", 90, key="x", code="KeyX")
    typed.event("key.up", 90, key="Meta", code="MetaLeft")
    typed.click(340, 515, SEND)
    assert kinds_of(typed.done()) == []

    held = Demo(tmp_path / "held")  # held to delete a word, then released: a person
    held.keys("a", 1, 200)
    held.keys("Backspace", 40, 33)
    assert kinds_of(held.done()) == []

    fast = Demo(tmp_path / "fast")  # twelve different keys 2 ms apart: that is scripted
    for key in "abcdefghijkl":
        fast.keys(key, 1, 2, release=False)
    fast.keys("x", 1, 200)
    assert [kind for kind, _ in kinds_of(fast.done())] == ["superhuman_timing"]


def test_clicks_inside_a_page_larger_than_160x210_are_inside_the_viewport(tmp_path: Path) -> None:
    tall = Demo(tmp_path / "tall", viewport={"width": 160, "height": 420})
    tall.click(150, 400)
    tall.click(20, 250)
    assert kinds_of(tall.done()) == []

    beyond = Demo(tmp_path / "beyond", viewport={"width": 160, "height": 420})
    beyond.click(150, 430)  # its press and its release
    assert kinds_of(beyond.done()) == [("outside_viewport", 0), ("outside_viewport", 1)]


def test_screen_coordinates_are_audited_in_the_viewport(tmp_path: Path) -> None:
    """Recorded at OS level: the page's corner at (200, 100) on the screen."""
    screen = {"coordinate_space": "screen", "screen_offset": {"x": 200, "y": 100}}
    send_on_screen = {**SEND, "bbox": {"x": 500, "y": 600, "width": 80, "height": 30}}
    inside = Demo(tmp_path / "inside", **screen)
    inside.click(540, 615, send_on_screen)  # (340, 515) in the page, on Send
    inside.click(990, 690)  # (790, 590): the page's bottom-right corner
    assert kinds_of(inside.done()) == []

    left_of_page = Demo(tmp_path / "left", **screen)
    left_of_page.click(150, 300)  # (-50, 200): on the screen, left of the page
    assert kinds_of(left_of_page.done()) == [("outside_viewport", 0), ("outside_viewport", 1)]


def test_a_click_off_its_recorded_target_is_target_mismatch(tmp_path: Path) -> None:
    on = Demo(tmp_path / "on")
    on.click(340, 515, SEND)
    on.click(381.5, 530, SEND)  # on the border: within the slack for borders and rounding
    assert kinds_of(on.done()) == []

    off = Demo(tmp_path / "off")
    off.click(340, 515, SEND)
    off.click(120, 200, SEND)  # event 2: nowhere near the box recorded for its target
    assert kinds_of(off.done()) == [("target_mismatch", 2)]


def test_a_clock_jump_is_reported_with_its_size_and_is_no_idle_gap(tmp_path: Path) -> None:
    imported = {"path": "demos/jump.json", "format": "miniwob",
                "clock_jumps": [{"event": 2, "seconds": -3600.0}]}  # fmt: skip
    jumped = Demo(tmp_path / "jumped", source="import:miniwob", imported=imported)
    jumped.click(40, 50)
    jumped.event("mouse.move", 45_000, x=41, y=50)  # the importer's shift left a long gap
    found = kinds_of(jumped.done())
    assert found == [("clock_jump", 2)]
    with TrajectoryReader(jumped.path) as reader:
        assert "-3600 s" in audit(reader).findings[0].evidence


def audit_cli(paths: list[Path], out: Path) -> list[dict[str, Any]]:
    main(["audit", *map(str, paths), "--out", str(out), "--no-fail"])
    return [json.loads(line) for line in out.read_text().splitlines()]


def test_one_click_twins_are_not_duplicates_and_a_real_copy_is(tmp_path: Path) -> None:
    twins = []
    for name in ("first", "second"):  # two people, each one click on Submit at the same pixel
        demo = Demo(tmp_path / name)
        demo.click(340, 515, SEND)
        twins.append(demo.done())
    assert audit_cli(twins, tmp_path / "twins.jsonl") == []

    def work(name: str, start: float, gap: float) -> Path:
        demo = Demo(tmp_path / name)
        demo.t = start  # when the recording's clock began
        demo.click(112, 52, PLUS)
        demo.keys("h", 1, 180)
        demo.keys("i", 1, gap)
        demo.click(340, 515, SEND)
        return demo.done()

    original = work("work", 0, 180)
    copy = tmp_path / "zz-copy"
    shutil.copytree(original, copy)
    found = audit_cli([original, copy], tmp_path / "copies.jsonl")
    assert [(Path(f["trajectory"]).name, f["kind"]) for f in found] == [
        ("zz-copy", "duplicate_recording")
    ]

    # Exported again later: every time shifted, the same acts with the same gaps: a copy.
    shifted = work("zz-shifted", 86_400_000, 180)
    found = audit_cli([original, shifted], tmp_path / "shifted.jsonl")
    assert [(Path(f["trajectory"]).name, f["kind"]) for f in found] == [
        ("zz-shifted", "duplicate_recording")
    ]
    # The same acts, one of them later: a person doing the same thing again, no copy.
    again = work("zz-again", 86_400_000, 400)
    assert audit_cli([original, again], tmp_path / "again.jsonl") == []


# ---------------------------------------------------------------------------------------------
# A labelled corpus: MiniWoB++ demonstrations as record.js writes them, imported with
# `officegym import miniwob`, and recordings with frames (record.js keeps none, so a click that
# changed nothing can only be planted, and told from a stepping control, where frames are).
# ---------------------------------------------------------------------------------------------

PAGE = {  # id -> the element as core.getDOMInfo describes it (a box relative to the viewport)
    "tt": {"tag": "INPUT_text", "left": 5, "top": 65, "width": 110, "height": 20, "value": ""},
    "plus": {"tag": "BUTTON", "text": "+", "left": 122, "top": 65, "width": 20, "height": 20},
    "prev": {"tag": "A", "classes": "ui-datepicker-prev", "text": "Prev",
             "left": 4, "top": 30, "width": 30, "height": 18},
    "day": {"tag": "A", "text": "14", "left": 60, "top": 90, "width": 20, "height": 16},
    "low": {"tag": "BUTTON", "text": "Next", "left": 40, "top": 380, "width": 60, "height": 24},
    "subbtn": {"tag": "BUTTON", "text": "Submit", "left": 10, "top": 110, "width": 60,
               "height": 22},
}  # fmt: skip


class RecordJs:
    """A demonstration as MiniWoB++'s record.js saves it: a state per DOM event, each input
    seen in the capture (timing 1) and bubble (3) phase, each with a snapshot of the page in
    which the event's target is flagged `recordingTarget`; times by the wall clock. A person's
    hand (`seed`) moves the clicks by a few pixels and the times by a few ms."""

    def __init__(self, task: str, seed: int, width: int = 160, height: int = 210) -> None:
        self.task, self.size = task, (width, height)
        self.hand = random.Random(seed)
        self.t, self.clock_offset = 0, 0
        self.states: list[dict[str, Any]] = [{"time": 0, "action": None, "dom": self.dom(None)}]

    def dom(self, target: str | None) -> dict[str, Any]:
        children = []
        for ref, (name, element) in enumerate(PAGE.items(), 2):
            if element["top"] < self.size[1]:  # core.getDOMInfo keeps what is laid out
                node = {**element, "ref": ref, "id": name, "children": []}
                if name == target:
                    node["recordingTarget"] = True
                children.append(node)
        width, height = self.size
        return {"tag": "BODY", "ref": 1, "left": 0, "top": 0, "width": width, "height": height,
                "children": children}  # fmt: skip

    def add(self, after: int, target: str | None, **action: Any) -> None:
        self.t += after + (self.hand.randint(-20, 20) if after > 20 else 0)
        for phase in (1, 3):
            state = {"time": self.t + self.clock_offset, "action": {**action, "timing": phase}}
            self.states.append({**state, "dom": self.dom(target)})

    def click(self, element: str, at: tuple[float, float] | None = None) -> None:
        box, wobble = PAGE[element], self.hand.randint
        x, y = at or (box["left"] + box["width"] // 2 + wobble(-3, 3),
                      box["top"] + box["height"] // 2 + wobble(-3, 3))  # fmt: skip
        self.add(650, element, type="mousedown", x=x, y=y)
        self.add(90, element, type="mouseup", x=x, y=y)
        self.add(1, element, type="click", x=x, y=y)

    def click_outside(self, x: float, y: float) -> None:
        """A click past the page (older record.js kept them): its target, the <html> element,
        is not in a snapshot of the BODY."""
        for kind, after in (("mousedown", 650), ("mouseup", 90), ("click", 1)):
            self.add(after, None, type=kind, x=x, y=y)

    def type(self, text: str) -> None:
        for char in text:
            code = ord(char.upper()) if char.isalpha() else ord(char)
            if char.isupper():
                self.add(120, "tt", type="keydown", keyCode=16, charCode=0)
            self.add(140, "tt", type="keydown", keyCode=code, charCode=0)
            self.add(1, "tt", type="keypress", keyCode=ord(char), charCode=ord(char))
            self.add(70, "tt", type="keyup", keyCode=code, charCode=0)
            if char.isupper():
                self.add(30, "tt", type="keyup", keyCode=16, charCode=0)

    def hold(self, code: int, presses: int, gap: int, release: bool = True) -> None:
        for _ in range(presses):  # the key's auto-repeat: keydown after keydown
            self.add(gap, "tt", type="keydown", keyCode=code, charCode=0)
        if release:
            self.add(60, "tt", type="keyup", keyCode=code, charCode=0)

    def clock_jump(self, seconds: float) -> None:
        """The computer's clock is set (NTP): record.js's times jump with it."""
        self.clock_offset += int(seconds * 1000)

    def save(self, folder: Path, name: str, reward: float = 0.8) -> Path:
        path = folder / f"{name}.json"
        data = {"taskName": self.task, "utterance": f"Do {self.task}.", "states": self.states,
                "reward": reward, "rawReward": 1.0 if reward > 0 else -1.0}  # fmt: skip
        path.write_text(json.dumps(data))
        return path


def miniwob_corpus(folder: Path) -> dict[str, str | None]:
    """Demonstrations by file name, each with the one defect planted in it (None: good)."""
    folder.mkdir()
    labels: dict[str, str | None] = {}
    entered = RecordJs("enter-text", seed=1)
    entered.click("tt")
    entered.type("Ada")
    entered.click("subbtn")
    entered.save(folder, "enter-text")
    labels["enter-text"] = None
    shutil.copy(folder / "enter-text.json", folder / "enter-text-again.json")
    labels["enter-text-again"] = "duplicate_recording"  # the same file sent twice

    stepper = RecordJs("use-spinner", seed=2)
    for _ in range(10):  # "+" ten times: a stepping control
        stepper.click("plus")
    stepper.click("subbtn")
    stepper.save(folder, "use-spinner")
    labels["use-spinner"] = None

    calendar = RecordJs("choose-date", seed=3)
    for _ in range(4):  # back four months
        calendar.click("prev")
    calendar.click("day")
    calendar.click("subbtn")
    calendar.save(folder, "choose-date")
    labels["choose-date"] = None

    tall = RecordJs("scroll-text", seed=4, height=420)  # a page larger than 160x210
    tall.click("low")
    tall.click("tt")
    tall.type("ok")
    tall.click("subbtn")
    tall.save(folder, "scroll-text")
    labels["scroll-text"] = None

    held = RecordJs("enter-text", seed=5)
    held.click("tt")
    held.type("Ada Lovelacr")
    held.hold(8, 3, 33)  # Backspace held for a moment (two repeats) and released
    held.type("ce")
    held.click("subbtn")
    held.save(folder, "enter-text-held")
    labels["enter-text-held"] = None

    for name in ("click-button-1", "click-button-2"):  # two people, one click each, same pixel
        twin = RecordJs("click-button", seed=6)
        twin.click("subbtn", at=(40, 121))
        twin.save(folder, name, reward=0.9)
        labels[name] = None

    stuck = RecordJs("enter-text", seed=7)
    stuck.click("tt")
    stuck.hold(8, 60, 2, release=False)  # Backspace stayed down; repeats bunched by a busy page
    stuck.type("Ada")
    stuck.click("subbtn")
    stuck.save(folder, "enter-text-stuck")
    labels["enter-text-stuck"] = "stuck_key"

    outside = RecordJs("click-button", seed=8)
    outside.click_outside(150, 300)
    outside.click("subbtn")
    outside.save(folder, "click-button-outside", reward=-1.0)
    labels["click-button-outside"] = "outside_viewport"

    off = RecordJs("click-button", seed=9)
    off.click("subbtn", at=(40, 70))  # the Submit button is flagged, but the click is 40 px above
    off.save(folder, "click-button-off-target")
    labels["click-button-off-target"] = "target_mismatch"

    jumped = RecordJs("enter-text", seed=10)
    jumped.click("tt")
    jumped.type("Ad")
    jumped.clock_jump(-1.5)
    jumped.type("a")
    jumped.click("subbtn")
    jumped.save(folder, "enter-text-clock")
    labels["enter-text-clock"] = "clock_jump"
    return labels


def framed_corpus(folder: Path) -> dict[str, str | None]:
    """Recordings with frames: a stepping control and a button that works, and a dead click."""
    counter = Demo(folder / "counter")
    counter.screen("count 0")
    for n in range(1, 11):
        counter.click(112, 52, PLUS)
        counter.screen(f"count {n}")
    counter.done()
    sent = Demo(folder / "sent")
    sent.screen("draft")
    sent.click(340, 515, SEND)
    sent.screen("draft, sending")
    sent.click(340, 515, SEND)
    sent.screen("sent")
    sent.done()
    dead = Demo(folder / "dead-click")
    dead.screen("draft")
    dead.click(340, 515, SEND)
    dead.screen("draft, sending")
    dead.click(340, 515, SEND)
    dead.screen("draft, sending")
    dead.done()
    return {"counter": None, "sent": None, "dead-click": "redundant_action"}


def test_the_audit_flags_every_planted_defect_and_none_of_the_good_demos(tmp_path: Path) -> None:
    labels = miniwob_corpus(tmp_path / "demos") | framed_corpus(tmp_path / "framed")
    imported = tmp_path / "imported"
    assert main(["import", "miniwob", str(tmp_path / "demos"), "--out", str(imported)]) == 0
    out = tmp_path / "audit"
    main(["audit", str(imported), str(tmp_path / "framed"), "--out", str(out / "f.jsonl")])
    kinds: dict[str, set[str]] = {}
    for line in (out / "f.jsonl").read_text().splitlines():
        finding = json.loads(line)
        kinds.setdefault(finding["trajectory"], set()).add(finding["kind"])
    with (out / "manifest.csv").open(newline="") as f:
        by_name = {Path(row["source"]).name.removesuffix(".json"): row for row in csv.DictReader(f)}
    assert sorted(by_name) == sorted(labels)
    found = {}
    for name, row in by_name.items():
        flagged = set()
        for trajectory, seen in kinds.items():
            if Path(trajectory).absolute() == Path(row["trajectory"]):
                flagged = seen
        found[name] = flagged
    assert found == {name: {kind} if kind else set() for name, kind in labels.items()}
