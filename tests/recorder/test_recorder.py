"""The recorder, for real: a headed Chromium on Xvfb, OS-level input from xdotool, and the
trajectory the recorder writes from what the page saw (one tab, then two)."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError

from officegym.recorder import Recorder
from officegym.replayer import Replayer, Verdict
from officegym.trajectory import MASK, TrajectoryReader

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xvfb,
    pytest.mark.skipif(
        not (shutil.which("Xvfb") and shutil.which("xdotool")), reason="needs Xvfb and xdotool"
    ),
]
SECRET = "Tulip-4471"


def xdo(display: str, *args: object) -> None:
    subprocess.run(["xdotool", *map(str, args)], env={**os.environ, "DISPLAY": display}, check=True)


def events_of(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (path / "events.jsonl").read_text().splitlines()]


def centre(recorder: Recorder, role: str, name: str) -> tuple[int, int]:
    """Where an element is on the screen (viewport centre plus the window's offset)."""
    from officegym.agents.axtree import find_element

    element = find_element(recorder.observe()["axtree"], role, name)
    assert element is not None and element.center is not None, f"no {role} {name!r}"
    assert recorder.screen_offset is not None
    return (
        element.center[0] + recorder.screen_offset[0],
        element.center[1] + recorder.screen_offset[1],
    )


def until(check: Any, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def click(recorder: Recorder, role: str, name: str) -> None:
    """Click an element through X and wait until the page saw the press.

    On a loaded machine Xvfb now and then drops a synthetic press; a person whose click did
    nothing clicks again, and so does this (as `officegym synth` does).
    """
    display = recorder.display
    before = recorder.counts["mouse.down"]
    for _ in range(3):
        xdo(display, "mousemove", *centre(recorder, role, name), "click", 1)
        if until(lambda: recorder.counts["mouse.down"] > before, 5):
            return
    raise AssertionError(f"the page never saw a press on {role} {name!r}: {recorder.counts}")


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Recorder]]:
    """One session of input: a search, a typed URL, and a password typed into Settings."""
    out = tmp_path_factory.mktemp("rec") / "session"
    recorder = Recorder("mail.apply-label", 0, out, backend="xvfb")
    recorder.start()
    display = recorder.display
    assert display is not None
    try:
        xdo(display, "mousemove", 600, 400)
        deadline = time.monotonic() + 5
        while recorder.screen_offset is None and time.monotonic() < deadline:
            time.sleep(0.02)
        click(recorder, "searchbox", "Search mail")
        time.sleep(0.2)
        xdo(display, "key", "i", "sleep", "0.05", "key", "n", "sleep", "0.05", "key", "Return")
        assert until(lambda: "/search" in recorder.observe()["url"]), "the search never ran"
        xdo(display, "key", "ctrl+l")
        time.sleep(0.3)
        xdo(display, "type", "--delay", "20", "mail.office.test/settings\n")
        assert until(lambda: "/settings" in recorder.observe()["url"]), "settings never opened"
        click(recorder, "textbox", "New password")
        time.sleep(0.2)
        xdo(display, "type", "--delay", "30", SECRET)
        assert until(lambda: recorder.counts["key.down"] >= 3 + len(SECRET))
        # A periodic frame comes 2 s after the last one once input stops; on a loaded machine
        # the frame after the burst itself can take a second, so wait for it, not for a time.
        frames = recorder.counts["screenshot"]
        assert until(lambda: recorder.counts["screenshot"] >= max(4, frames + 1), 20), (
            recorder.counts
        )
        recorder.finish("no answer needed")
        yield out, recorder
    finally:
        recorder.close()


def test_records_pointer_keys_targets_and_navigation(recording: tuple[Path, Recorder]) -> None:
    out, recorder = recording
    events = events_of(out)
    types = [e["type"] for e in events]
    assert types[0] == "observe" and types[-2:] == ["answer", "done"]
    assert [e["t"] for e in events] == sorted(e["t"] for e in events)
    moves = [e for e in events if e["type"] == "mouse.move"]
    assert moves and all({"x", "y"} <= e.keys() for e in moves)
    down = next(e for e in events if e["type"] == "mouse.down")
    assert down["target"]["role"] == "searchbox" and down["target"]["name"] == "Search mail", [
        e for e in events if e["type"] != "mouse.move"
    ][:12]
    assert down["target"]["selector"] == "#search" and down["target"]["bbox"]["width"] > 0
    typed = [e for e in events if e["type"] == "key.down" and e.get("target", {}).get("selector")]
    assert [e["key"] for e in typed[:3]] == ["i", "n", "Enter"]
    assert all(e["target"]["selector"] == "#search" for e in typed[:3])
    observed = [e["url"] for e in events if e["type"] == "observe"]
    assert "http://mail.office.test/search?q=in" in observed
    # The URL typed into the address bar is a navigation the page did not ask for.
    assert {"type": "nav.goto", "url": "http://mail.office.test/settings"}.items() <= next(
        e for e in events if e["type"] == "nav.goto"
    ).items()
    # Ctrl went down in the page and up in the address bar: the recording lets it go.
    ctrl = [e for e in events if e.get("key") == "Control"]
    assert [e["type"] for e in ctrl] == ["key.down", "key.up"]
    assert recorder.screen_offset is not None and recorder.screen_offset[1] > 0


def test_password_is_masked_at_capture(recording: tuple[Path, Recorder]) -> None:
    out, _ = recording
    masked = [e for e in events_of(out) if e.get("masked")]
    downs = [e for e in masked if e["type"] == "key.down"]
    assert len(downs) >= len(SECRET)
    assert all(e["key"] == MASK and "code" not in e for e in masked)
    everything = b"".join(p.read_bytes() for p in out.rglob("*") if p.is_file())
    assert SECRET.encode() not in everything
    meta = json.loads((out / "meta.json").read_text())
    assert meta["privacy"]["masked_fields"] == ["#password-input"]
    assert meta["source"] == "human" and meta["task"] == {
        "id": "mail.apply-label",
        "seed": 0,
        "params": meta["task"]["params"],
    }


def test_frames_are_stored_and_match_their_hashes(recording: tuple[Path, Recorder]) -> None:
    out, _ = recording
    reader = TrajectoryReader(out)
    shots = [e for _, e in reader.iter_events(check_frames=True) if e.type == "screenshot"]
    assert len(shots) >= 4  # the first screen, after each burst, and a periodic one
    times = [s.t for s in shots]
    assert max(b - a for a, b in itertools.pairwise(times)) < 4000


def test_replaying_a_masked_recording_says_why_it_cannot(recording: tuple[Path, Recorder]) -> None:
    out, _ = recording
    replayer = Replayer("fast")
    try:
        result = replayer.replay(out)
    finally:
        replayer.close()
    assert result.verdict == Verdict.UNREPLAYABLE
    assert "masked" in result.reason
    index = next(i for i, e in enumerate(events_of(out)) if e.get("masked"))
    assert result.event_index == index


@pytest.mark.slow
def test_record_command_ends_on_the_answer_typed_in_the_terminal(tmp_path: Path) -> None:
    out = tmp_path / "cli"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "officegym.cli",
            "record",
            "--task",
            "mail.star-with-shortcut",
            "--seed",
            "1",
            "--out",
            str(out),
            "--backend",
            "xvfb",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    display = None
    for line in proc.stdout:
        if "virtual display" in line:
            display = line.split("virtual display ")[1].split(";")[0]
        if "Do the task" in line:
            break
    assert display, "the command did not say which display the browser is on"
    xdo(display, "mousemove", 700, 400, "sleep", "0.2", "key", "j")
    time.sleep(0.5)
    stdout, _ = proc.communicate("all done\n", timeout=60)
    assert proc.returncode == 0, stdout
    assert "the task is not done" in stdout
    events = events_of(out)
    assert any(e["type"] == "key.down" and e["key"] == "j" for e in events)
    assert events[-2] == {"t": events[-2]["t"], "type": "answer", "text": "all done"}


@pytest.mark.parametrize("back", ["ctrl+w", "ctrl+1"])
def test_a_session_over_two_tabs_records_and_replays(tmp_path: Path, back: str) -> None:
    """A link opens a document in a new tab; the person reads it, goes back to the mail by
    closing the tab (Ctrl+W) or by switching tabs (Ctrl+1, which the page never sees: the switch
    is known from the input that then comes from the first tab), and replies there. The
    recording holds the tabs, and it replays valid."""
    out = tmp_path / "session"
    recorder = Recorder("cross.mail-link-to-doc", 1, out, backend="xvfb")
    recorder.start()
    display = recorder.display
    assert display is not None
    try:
        params = recorder.stage.params  # type: ignore[union-attr]
        xdo(display, "mousemove", 600, 400)
        assert until(lambda: recorder.screen_offset is not None, 5)
        click(recorder, "searchbox", "Search mail")
        xdo(display, "type", "--delay", "20", params["subject"] + "\n")
        assert until(lambda: "/search" in recorder.observe()["url"])
        click(recorder, "link", params["subject"])
        assert until(lambda: "/thread/" in recorder.observe()["url"])
        click(recorder, "link", "http://docs.office.test/d/")
        assert until(lambda: recorder.observe()["url"].startswith("http://docs.office.test/d/"))
        time.sleep(0.5)
        xdo(display, "key", back)  # read: back to the mail

        def on_thread() -> bool:
            try:
                return "/thread/" in recorder.observe()["url"]
            except PlaywrightError:  # asked while the closing tab was still the active one
                return False

        for _ in range(10):  # a key the app ignores, pressed until it comes from the mail tab
            if until(on_thread, 1):
                break
            xdo(display, "key", "shift")
        assert on_thread()
        click(recorder, "button", "Reply")
        time.sleep(0.3)
        click(recorder, "textbox", "Message body")
        xdo(display, "type", "--delay", "20", f"{params['amount']:,}")
        click(recorder, "button", "Send")
        mail = recorder.stage.stores["mail"]  # type: ignore[union-attr]
        assert until(lambda: mail.scalar("SELECT count(*) FROM messages WHERE kind = 'sent'"))
        time.sleep(0.5)
        evaluation = recorder.finish()
    finally:
        recorder.close()
    assert evaluation.success, evaluation.as_dicts()

    events = [e for _, e in TrajectoryReader(out).iter_events()]
    types = [e.type for e in events]
    assert "tab.open" in types
    if back == "ctrl+w":
        assert "tab.close" in types
    else:
        switches = [e for e in events if e.type == "tab.switch"]
        assert [s.index for s in switches] == [0], switches  # type: ignore[attr-defined]
        assert "tab.close" not in types
    replayer = Replayer("fast")
    try:
        result = replayer.replay(out)
    finally:
        replayer.close()
    assert result.verdict == Verdict.VALID, (result.event_index, result.reason)


class _Tab:
    """Stands in for a Playwright page: the tab bookkeeping reads only these."""

    url = "http://docs.office.test/d/1"

    def is_closed(self) -> bool:
        return False

    def on(self, event: str, handler: Any) -> None:
        pass


def test_input_the_opener_sent_before_a_new_tab_opened_is_no_switch_back(tmp_path: Path) -> None:
    # The click that opens a tab can reach the recorder after the tab's "page" event (a loaded
    # machine): its mouse.up belongs before the open, and the person never went back.
    recorder = Recorder("mail.apply-label", 0, tmp_path / "rec", backend="xvfb")
    written: list[dict[str, Any]] = []

    class Writer:  # collects what would be written; the format is tested elsewhere
        closed = False

        def write(self, event: dict[str, Any]) -> None:
            written.append(event)

    recorder.writer = Writer()  # type: ignore[assignment]
    recorder._t0 = time.time() * 1000 - 1000
    opener, opened = _Tab(), _Tab()
    recorder._pages = [opener]  # type: ignore[list-item]
    clicked = time.time() * 1000 - 20
    recorder._on_new_tab(opened)  # type: ignore[arg-type]
    up = {"type": "mouse.up", "ts": clicked, "x": 5, "y": 5, "button": "left"}
    recorder._on_page_event({"page": opener}, up)
    later = {"type": "key.down", "ts": time.time() * 1000 + 20, "key": "a", "code": "KeyA"}
    recorder._on_page_event({"page": opener}, later)  # Ctrl+1, then typing in the opener
    assert [e["type"] for e in written] == ["tab.open", "mouse.up", "tab.switch", "key.down"]
    assert written[2]["index"] == 0
