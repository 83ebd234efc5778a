"""Capture policies: the file, and the recorder following one for real (headed Chromium on Xvfb,
OS-level input from xdotool): an excluded page leaves no frame and no key, a field masked by
its autocomplete type stores '•', the hotkey pauses and resumes, and idle time pauses."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from PIL import Image, ImageStat

from officegym.cli import main
from officegym.recorder import Recorder, synthesize
from officegym.replayer import check_policy
from officegym.trajectory import (
    MASK,
    MAX_POLICY_BYTES,
    UNGATED_EVENT_TYPES,
    CapturePolicy,
    CapturePolicyError,
    TrajectoryReader,
    load_policy,
)

NEEDS_XVFB = pytest.mark.skipif(
    not (shutil.which("Xvfb") and shutil.which("xdotool")), reason="needs Xvfb and xdotool"
)
CARD = "4111111111111111"
EXCLUDED = "http://mail.office.test/settings*"
POLICY = f"""
# pages never captured, fields always masked, the pause hotkey
exclude:
  urls: ["{EXCLUDED}"]
mask:
  autocomplete: [cc-number]
pause_hotkey: ctrl+shift+F9
"""


def xdo(display: str | None, *args: object) -> None:
    assert display is not None
    subprocess.run(["xdotool", *map(str, args)], env={**os.environ, "DISPLAY": display}, check=True)


def until(check: Callable[[], bool], timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def events_of(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (path / "events.jsonl").read_text().splitlines()]


def inside(event: dict[str, Any], gap: dict[str, Any]) -> bool:
    return bool(gap["start"] < event["t"] < gap["end"])


def start(recorder: Recorder) -> None:
    recorder.start()
    xdo(recorder.display, "mousemove", 600, 400)  # tells the page where it is on the screen
    assert until(lambda: recorder.screen_offset is not None, 5)


def typed(recorder: Recorder, text: str) -> None:
    """Type through X and wait until the page saw every key go down."""
    before = recorder.counts["key.down"]
    xdo(recorder.display, "type", "--delay", "30", text)
    assert until(lambda: recorder.counts["key.down"] >= before + len(text)), recorder.counts


def go(recorder: Recorder, address: str) -> None:
    """Open an address in the recorded tab and wait until the new page's script is recording.

    The browser opens it (a navigation of type "navigate", as a typed URL is), not keys typed
    into the address bar: X gives the keyboard back to the page from the address bar only when
    Chromium gets to it, which a loaded machine delays past any wait, and the keys typed next
    would go to the address bar instead of the page."""
    assert recorder.host is not None and recorder.stage is not None
    loads = recorder.counts["load"]
    recorder.host.run(recorder.stage.page.goto(f"http://{address}"))
    assert until(lambda: recorder.counts["load"] > loads), f"{address}: no page script ran"
    assert recorder.observe()["url"].startswith(f"http://{address}"), address


# ---- the file ----------------------------------------------------------------------------------


def test_a_policy_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY)
    policy = load_policy(path)
    assert policy.excluded_by("http://mail.office.test/settings/password") == EXCLUDED
    assert policy.excluded_by("http://mail.office.test/inbox") is None
    assert policy.pause_hotkey == "Control+Shift+F9"
    assert policy.hotkey is not None and policy.hotkey.code == "F9"
    apps = CapturePolicy.model_validate({"exclude": {"apps": ["chat"]}})
    assert apps.excluded_by("http://chat.office.test/c/1") == "app:chat"
    assert apps.excluded_by("http://chatter.example/") is None


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("exclude: [\n", ":2: not valid YAML"),
        ("mask:\n  selecters: ['#card']\n", ":2: mask.selecters: unknown key; known keys: sel"),
        ("max_idle_seconds: '60'\n", ":1: max_idle_seconds: Input should be a valid number"),
        ("max_idle_seconds: 0\n", "max_idle_seconds: Input should be greater than or equal to 1"),
        ("max_idle_seconds: 0.0001\n", "max_idle_seconds: Input should be greater than or equal"),
        ("pause_hotkey: p\n", "pause_hotkey: 'p' alone is typed or used by the browser"),
        ("pause_hotkey: F5\n", "pause_hotkey: 'F5' alone is typed or used by the browser"),
        ("pause_hotkey: Control+Shift\n", "'Shift' is a modifier: end the hotkey with a key"),
        ("pause_hotkey: Control+Foo\n", "'Foo' is not a key a hotkey can use"),
        ("pause_hotkey: Control+Tab\n", "'Tab' is not a key a hotkey can use"),
        ("pause_hotkey: ctrl+W\n", "Control+w never reaches the page"),
        ("pause_hotkey: Alt+F4\n", "Alt+F4 never reaches the page"),
        ("pause_hotkey: ctrl+alt+f2\n", "Control+Alt+F2 never reaches the page"),
        ("pause_hotkey: Control+pageup\n", "Control+PageUp never reaches the page"),
        ("mask:\n  selectors: ['  ']\n", ":2: mask.selectors[0]: String should have at least 1"),
        ("exclude:\n  urls: ['']\n", ":2: exclude.urls[0]: String should have at least 1"),
        # A key given twice would drop the first one's rules without a word.
        (
            "exclude:\n  apps: [chat]\nmask:\n  autocomplete: [cc-number]\n"
            "exclude:\n  urls: ['http://x/*']\n",
            ":5: 'exclude' is given twice",
        ),
        ("exclude:\n  apps: [chat]\n  apps: [mail]\n", ":3: 'apps' is given twice"),
        ("exclude:\n  <<: {apps: [chat]}\n", ":2: merge keys (<<) are not allowed"),
        # Deep nesting under the size limit: composing it would recurse past Python's limit.
        ("exclude: " + "[" * 3000 + "]" * 3000 + "\n", ":1: nested deeper than 8 levels"),
        ("a: " + "{b: " * 3000 + "1" + "}" * 3000 + "\n", ":1: nested deeper than 8 levels"),
        ("max_idle_seconds: 1" + "0" * 5000 + "\n", "not a usable YAML value: Exceeds the limit"),
        ("a: &x [1]\nb: *x\n", ":2: YAML aliases (*name) are not allowed"),
        ("- exclude\n", "expected a mapping (exclude:, mask:, …), got a list"),
        ("", "got an empty file"),
        ("exclude:\n  urls: [" + ", ".join(["'x'"] * 101) + "]\n", "exclude.urls: List should"),
    ],
)
def test_a_bad_policy_file_says_where_and_what(tmp_path: Path, text: str, said: str) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    with pytest.raises(CapturePolicyError) as caught:
        load_policy(path)
    assert str(caught.value).startswith(str(path)) and said in str(caught.value)


@pytest.mark.parametrize(
    ("written", "canonical", "code"),
    [
        ("ctrl+shift+f9", "Control+Shift+F9", "F9"),
        ("Alt+Shift+P", "Alt+Shift+p", "KeyP"),
        ("meta+7", "Meta+7", "Digit7"),
        ("control+alt+pageup", "Control+Alt+PageUp", "PageUp"),
        ("Pause", "Pause", "Pause"),
        ("F13", "F13", "F13"),
    ],
)
def test_a_hotkey_is_one_the_page_script_matches(written: str, canonical: str, code: str) -> None:
    policy = CapturePolicy.model_validate({"pause_hotkey": written})
    assert policy.pause_hotkey == canonical
    assert policy.hotkey is not None and policy.hotkey.code == code


def test_a_huge_policy_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("# " + "x" * MAX_POLICY_BYTES)
    with pytest.raises(CapturePolicyError, match="at most 64 KiB"):
        load_policy(path)


def test_record_refuses_a_bad_policy_before_any_browser(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "policy.yaml"
    bad.write_text("exclude:\n  app: [chat]\n")
    out = tmp_path / "rec"
    for verb in (["record", "--task", "mail.apply-label"], ["synth", "--task", "mail.apply-label"]):
        code = main([*verb, "--out", str(out), "--policy", str(bad)])
        assert code == 2
        assert "exclude.app: unknown key; known keys: apps, urls" in capsys.readouterr().err
    assert not out.exists()


# ---- the recorder --------------------------------------------------------------------------------


class Policed(NamedTuple):
    out: Path
    recorder: Recorder
    card_box: tuple[float, float, float, float]  # the card field, CSS pixels: x, y, w, h
    card_typed_at: float  # recording time (ms) of the last card key stored


@pytest.fixture(scope="module")
def policed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Policed]:
    """A card number typed into a cc-number field (and a frame of it), keys typed while paused,
    and a visit to an excluded page (with keys typed there), then back."""
    folder = tmp_path_factory.mktemp("policy")
    (folder / "policy.yaml").write_text(POLICY)
    out = folder / "session"
    recorder = Recorder(
        "mail.apply-label", 0, out, backend="xvfb", policy=load_policy(folder / "policy.yaml")
    )
    try:
        start(recorder)
        assert recorder.host is not None and recorder.stage is not None
        x, y, width, height = recorder.host.run(
            recorder.stage.page.evaluate(
                """() => {
                const card = document.createElement("input");
                card.id = "card";
                card.setAttribute("autocomplete", "cc-number");
                card.setAttribute("aria-label", "Card number");
                card.style.cssText = "position:fixed;top:8px;left:8px;z-index:99999;"
                    + "width:240px;height:40px;font-size:28px;background:#fff;color:#000";
                document.body.prepend(card);
                const box = card.getBoundingClientRect();
                return [box.x + box.width / 2, box.y + box.height / 2, box.width, box.height];
            }"""
            )
        )
        assert recorder.screen_offset is not None
        presses = recorder.counts["mouse.down"]
        screen = (round(x) + recorder.screen_offset[0], round(y) + recorder.screen_offset[1])
        xdo(recorder.display, "mousemove", *screen, "click", 1)
        assert until(lambda: recorder.counts["mouse.down"] > presses)
        typed(recorder, CARD)
        card_typed_at = recorder._last_t
        shots = recorder.counts["screenshot"]
        # The end of the typing is worth a frame: the field shows the number, unless painted.
        assert until(lambda: recorder.counts["screenshot"] > shots), "no frame of the card"
        card_box = (x - width / 2, y - height / 2, width, height)

        xdo(recorder.display, "key", "ctrl+shift+F9")
        assert until(lambda: recorder.gate.paused), "the hotkey did not pause capture"
        typed(recorder, "zvzv")
        xdo(recorder.display, "key", "ctrl+shift+F9")
        assert until(lambda: not recorder.gate.paused), "the hotkey did not resume capture"

        go(recorder, "mail.office.test/settings")
        assert until(lambda: "excluded" in recorder.gate.reasons)
        typed(recorder, "qjqj")
        withheld = recorder.counts["frame.withheld"]
        # The shooter wanted a frame of the excluded page (one is due every 2 s) and held it back.
        assert until(lambda: recorder.counts["frame.withheld"] > withheld)
        go(recorder, "mail.office.test/")
        assert until(lambda: not recorder.gate.off)
        shots = recorder.counts["screenshot"]
        assert until(lambda: recorder.counts["screenshot"] > shots), "no frame after the gap"
        recorder.finish(None)
        yield Policed(out, recorder, card_box, card_typed_at)
    finally:
        recorder.close()


def _gaps(out: Path) -> list[dict[str, Any]]:
    meta = json.loads((out / "meta.json").read_text())
    gaps: list[dict[str, Any]] = meta["capture"]["gaps"]
    return gaps


@pytest.mark.browser
@pytest.mark.xvfb
@NEEDS_XVFB
def test_an_excluded_page_leaves_no_frame_and_no_key(policed: Policed) -> None:
    out, recorder, *_ = policed
    events = events_of(out)
    excluded = [g for g in _gaps(out) if g["reason"] == "excluded"]
    assert [g["rule"] for g in excluded] == [EXCLUDED]
    gap = excluded[0]
    assert gap["end"] > gap["start"]
    in_gap = [e for e in events if inside(e, gap)]
    assert all(e["type"] in UNGATED_EVENT_TYPES or e["type"] == "key.up" for e in in_gap), in_gap
    keys = {e["key"] for e in events if e["type"] in ("key.down", "key.up")}
    assert not keys & {"q", "j"}, "keys typed on the excluded page were recorded"
    assert not any("/settings" in json.dumps(e) for e in events), "the excluded URL was recorded"
    # Every frame stored is one an event names: none was written and left unnamed.
    named = {e["frame"] for e in events if e["type"] == "screenshot"}
    assert named == {f"frames/{p.name}" for p in (out / "frames").iterdir()}
    assert recorder.counts["frame.withheld"] >= 1


@pytest.mark.browser
@pytest.mark.xvfb
@NEEDS_XVFB
def test_a_field_masked_by_its_autocomplete_type_stores_no_key(
    policed: Policed,
) -> None:
    out, *_ = policed
    card = [e for e in events_of(out) if e["type"] == "key.down" and "target" in e]
    card = [e for e in card if e["target"].get("autocomplete") == "cc-number"]
    assert len(card) >= len(CARD)  # (and the modifiers of the hotkey, pressed in the field)
    assert all(e["masked"] and e["key"] == MASK and "code" not in e for e in card)
    everything = b"".join(p.read_bytes() for p in out.rglob("*") if p.is_file())
    assert CARD.encode() not in everything
    meta = json.loads((out / "meta.json").read_text())
    assert meta["privacy"]["masked_fields"] == ["#card"]


@pytest.mark.browser
@pytest.mark.xvfb
@NEEDS_XVFB
def test_a_masked_field_is_painted_in_the_frames(policed: Policed) -> None:
    """Its keys are masked; its text must not come back through the screen either."""
    out, _, (x, y, width, height), typed_at = policed
    meta = json.loads((out / "meta.json").read_text())
    scale = meta["extra"]["frame_scale"]
    left_page = next(g["start"] for g in _gaps(out) if g["reason"] == "excluded")
    shown = [
        e["frame"]
        for e in events_of(out)
        if e["type"] == "screenshot" and typed_at <= e["t"] < left_page  # the field is there
    ]
    assert shown, "no frame after the card was typed"
    # The field's inside, in frame pixels, a pixel in from its edges (JPEG blurs edges).
    inside_box = (
        math.ceil(x * scale) + 1,
        math.ceil(y * scale) + 1,
        math.floor((x + width) * scale) - 1,
        math.floor((y + height) * scale) - 1,
    )
    for name in shown:
        with Image.open(out / name) as image:
            frame = image.convert("L")
        field = frame.crop(inside_box)
        assert field.width * field.height >= 20
        brightest = field.getextrema()[1]
        assert brightest < 40, f"{name}: the card field is not painted ({brightest})"
        # Outside the policy's fields, the frame is the page (the mail app is mostly light).
        assert ImageStat.Stat(frame).mean[0] > 100


@pytest.mark.browser
@pytest.mark.xvfb
@NEEDS_XVFB
def test_the_hotkey_pauses_and_resumes(policed: Policed) -> None:
    out, *_ = policed
    events = events_of(out)
    paused = [g for g in _gaps(out) if g["reason"] == "paused"]
    assert len(paused) == 1 and paused[0]["end"] > paused[0]["start"]
    keys = [e["key"] for e in events if e["type"] in ("key.down", "key.up")]
    assert not {"z", "v", "F9"} & set(keys), "keys typed while paused, or the hotkey, recorded"
    # Every key that went down in the recording comes up again: the pause left none held.
    downs = [e["key"] for e in events if e["type"] == "key.down" and not e.get("masked")]
    ups = [e["key"] for e in events if e["type"] == "key.up" and not e.get("masked")]
    assert sorted(downs) == sorted(ups)
    assert any(e["type"] == "screenshot" and e["t"] > paused[0]["end"] for e in events)


@pytest.mark.browser
@pytest.mark.xvfb
@NEEDS_XVFB
def test_a_recording_that_kept_its_policy_has_no_policy_findings(
    policed: Policed,
) -> None:
    out, recorder, *_ = policed
    assert recorder.gate.policy is not None
    meta = json.loads((out / "meta.json").read_text())
    assert meta["capture"]["policy_sha256"] == recorder.gate.policy.digest
    with TrajectoryReader(out) as reader:
        assert check_policy(reader, recorder.gate.policy) == []
        # The same recording against a policy that excludes the whole app breaks it.
        stricter = CapturePolicy.model_validate({"exclude": {"apps": ["mail"]}})
        kinds = {f.kind for f in check_policy(reader, stricter)}
    assert kinds == {"policy_excluded_page"}


class _Tab:
    """Stands in for a Playwright page: what the recorder reads of the page an event came from."""

    def __init__(self, url: str) -> None:
        self.url, self.main_frame = url, object()

    def is_closed(self) -> bool:
        return False


def test_the_browser_says_where_a_page_is_not_the_page(tmp_path: Path) -> None:
    """A background tab on an excluded page that names another address is still excluded."""
    policy = CapturePolicy.model_validate({"exclude": {"urls": [EXCLUDED]}})
    recorder = Recorder("mail.apply-label", 0, tmp_path / "rec", backend="xvfb", policy=policy)
    written: list[dict[str, Any]] = []

    class Writer:  # collects what would be written; the format is tested elsewhere
        closed = False

        def write(self, event: dict[str, Any]) -> None:
            written.append(event)

    recorder.writer = Writer()  # type: ignore[assignment]
    recorder._t0 = time.time() * 1000 - 1000
    shown, behind = _Tab("http://mail.office.test/"), _Tab("http://mail.office.test/settings")
    recorder._pages = [shown, behind]  # type: ignore[list-item]
    for tab in (shown, behind):
        move = {"type": "mouse.move", "ts": time.time() * 1000, "x": 1, "y": 1}
        source = {"page": tab, "frame": tab.main_frame}
        recorder._on_page_event(source, {**move, "page_url": "http://mail.office.test/"})
    assert [e["type"] for e in written] == ["mouse.move"] and recorder.counts["withheld"] == 1


@pytest.mark.browser
@pytest.mark.xvfb
@NEEDS_XVFB
def test_a_frame_inside_the_page_cannot_pause_capture(tmp_path: Path) -> None:
    """Every frame can call the recorder's binding; only the top one runs its script."""
    policy = CapturePolicy.model_validate({"pause_hotkey": "Control+Shift+F9"})
    recorder = Recorder("mail.apply-label", 0, tmp_path / "rec", backend="xvfb", policy=policy)
    try:
        start(recorder)
        assert recorder.host is not None and recorder.stage is not None
        page = recorder.stage.page

        async def call_from_a_frame() -> str:
            await page.set_content("<iframe srcdoc='<p>an ad</p>'></iframe>")
            inner = page.main_frame.child_frames[0]
            await inner.wait_for_load_state()
            # What a script of that frame can do: the binding is there, in every frame.
            return str(await inner.evaluate("typeof __ogRecord"))

        assert recorder.host.run(call_from_a_frame()) == "function"
        recorder.host.run(
            page.main_frame.child_frames[0].evaluate("__ogRecord({type: 'pause', ts: Date.now()})")
        )
        assert until(lambda: recorder.counts["dropped"] >= 1), recorder.counts
        assert not recorder.gate.paused and recorder.counts["pause"] == 0
        recorder.finish(None)
    finally:
        recorder.close()


@pytest.mark.browser
@pytest.mark.xvfb
@NEEDS_XVFB
def test_capture_pauses_when_idle_and_resumes_on_input(tmp_path: Path) -> None:
    policy = CapturePolicy.model_validate({"max_idle_seconds": 1})
    out = tmp_path / "idle"
    recorder = Recorder("mail.apply-label", 0, out, backend="xvfb", policy=policy)
    try:
        start(recorder)
        assert until(lambda: "idle" in recorder.gate.reasons), "capture never paused"
        xdo(recorder.display, "mousemove", 700, 420, "mousemove", 710, 430)
        assert until(lambda: "idle" not in recorder.gate.reasons), "input did not resume it"
        shots = recorder.counts["screenshot"]
        xdo(recorder.display, "key", "shift")  # the end of a burst of input is worth a frame
        assert until(lambda: recorder.counts["screenshot"] > shots)
        recorder.finish(None)
    finally:
        recorder.close()
    events = events_of(out)
    idle = [g for g in _gaps(out) if g["reason"] == "idle"]
    assert idle, _gaps(out)
    gap = idle[0]
    before = [e for e in events if e["t"] <= gap["start"] and e["type"].startswith("mouse.")]
    # It starts exactly the idle limit after the last input, and the next input ends it.
    assert gap["start"] == pytest.approx(before[-1]["t"] + 1000, abs=0.2)
    after = next(e for e in events if e["t"] >= gap["end"] and e["type"] == "mouse.move")
    assert after["t"] == gap["end"]
    assert not [e for e in events if inside(e, gap) and e["type"] not in UNGATED_EVENT_TYPES]
    with TrajectoryReader(out) as reader:
        assert check_policy(reader, policy) == []


@pytest.mark.browser
@pytest.mark.xvfb
@NEEDS_XVFB
@pytest.mark.slow
def test_the_synthetic_recorder_follows_the_policy(tmp_path: Path) -> None:
    policy = CapturePolicy.model_validate({"exclude": {"apps": ["mail"]}})
    result = synthesize("mail.star-with-shortcut", 1, tmp_path / "synth", policy=policy)
    assert result.success  # the oracle sees the page; only the recording leaves it out
    events = events_of(tmp_path / "synth")
    assert [e["type"] for e in events if e["type"] not in UNGATED_EVENT_TYPES] == []
    gaps = _gaps(tmp_path / "synth")
    assert [(g["reason"], g["rule"]) for g in gaps] == [("excluded", "app:mail")]
    assert not (tmp_path / "synth" / "frames").exists() or not any(
        (tmp_path / "synth" / "frames").iterdir()
    )
