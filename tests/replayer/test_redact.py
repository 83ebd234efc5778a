"""Audit and redaction end to end: a secret in a recording is found (evidence masked), the
redacted copy has it replaced and blacked out, and it still replays `valid` like the original."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from officegym.cli import main
from officegym.replayer import Replayer, Verdict
from officegym.replayer.importers import import_one
from officegym.trajectory import TrajectoryReader

EXAMPLE = Path(__file__).parents[2] / "examples/trajectories/mail.apply-label/s0.zip"
FIXTURES = Path(__file__).parent / "fixtures"
CARD = "4111 1111 1111 1111"
pytestmark = pytest.mark.browser


def findings(path: Path, out: Path) -> list[dict[str, Any]]:
    main(["audit", str(path), "--out", str(out), "--no-fail"])
    return [json.loads(line) for line in out.read_text().splitlines()]


def with_secret_on_screen(tmp_path: Path) -> tuple[Path, int]:
    """The example with a card number in the captured text of its first clicked target (as if
    the clicked row showed it); returns the folder and that event's index."""
    folder = tmp_path / "secret"
    with zipfile.ZipFile(EXAMPLE) as z:
        z.extractall(folder)
    lines = (folder / "events.jsonl").read_text().splitlines()
    events = [json.loads(line) for line in lines]
    index = next(
        i for i, e in enumerate(events)
        if e["type"] == "mouse.down" and (e.get("target") or {}).get("bbox")
    )  # fmt: skip
    events[index]["target"]["text"] = f"Card on file {CARD}"
    (folder / "events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))
    return folder, index


def test_a_secret_on_screen_is_found_redacted_and_the_copy_still_replays(tmp_path: Path) -> None:
    original, index = with_secret_on_screen(tmp_path)
    found = [f for f in findings(original, tmp_path / "f1.jsonl") if f["severity"] == "error"]
    assert [(f["kind"], f["event_index"]) for f in found] == [("card_number", index)]
    assert CARD not in json.dumps(found) and "ending 1111" in found[0]["evidence"]

    redacted = tmp_path / "redacted.zip"
    assert main(["redact", str(original), "--out", str(redacted)]) == 0
    assert main(["audit", str(redacted), "--out", str(tmp_path / "f2.jsonl")]) == 0
    with TrajectoryReader(redacted) as reader:
        events = reader.events()
        boxes = [r for r in reader.meta.privacy.redactions if "frame" in r]
        assert boxes, "the frames showing the target were not blacked out"
        frame = boxes[0]["frame"]
        x, y, w, h = boxes[0]["box"]
        pixels = np.asarray(Image.open(io.BytesIO(reader.read_frame(frame))).convert("RGB"))
    assert events[index].target is not None and CARD not in (events[index].target.text or "")
    assert pixels[y + 3 : y + h - 3, x + 3 : x + w - 3].max() < 40  # painted black

    replayer = Replayer()
    try:
        kinds = {}
        for path in (original, redacted):
            result = replayer.replay(path)
            assert result.verdict == Verdict.VALID, f"{path}: {result.reason}"
            kinds[path] = [(f.kind, f.event_index) for f in result.findings]
    finally:
        replayer.close()
    # the replay audits as it goes: the same finding as `officegym audit`, gone once redacted
    assert ("card_number", index) in kinds[original]
    assert not any(kind == "card_number" for kind, _ in kinds[redacted]), kinds[redacted]


def test_typed_card_number_is_replaced_keystroke_by_keystroke(tmp_path: Path) -> None:
    steps: list[dict[str, Any]] = [
        {"type": "setViewport", "width": 800, "height": 600},
        {"type": "navigate", "url": "http://shop.example.test/form.html"},
        {"type": "click", "selectors": [["#name"]], "offsetX": 20, "offsetY": 8},
    ]
    for ch in CARD.replace(" ", ""):
        steps += [{"type": "keyDown", "key": ch}, {"type": "keyUp", "key": ch}]
    steps.append({"type": "waitForExpression",
                  "expression": "document.querySelector('#name').value.length === 16"})  # fmt: skip
    source = tmp_path / "typed.json"
    source.write_text(json.dumps({"title": "typed", "steps": steps}))
    path = Path(import_one("chrome-recorder", source, tmp_path / "typed").trajectory or "")
    found = findings(path, tmp_path / "f1.jsonl")
    assert [(f["kind"], f["event_index"]) for f in found] == [("card_number", 3)]  # first key
    redacted = tmp_path / "typed-redacted"
    assert main(["redact", str(path), "--out", str(redacted)]) == 0
    with TrajectoryReader(redacted) as reader:
        typed = "".join(e.key for e in reader.events() if e.type == "key.down")  # type: ignore[union-attr]
        released = "".join(e.key for e in reader.events() if e.type == "key.up")  # type: ignore[union-attr]
    assert typed == "1" * 16
    assert released == "1" * 16  # a key's release would name the character too
    assert findings(redacted, tmp_path / "f2.jsonl") == []
    replayer = Replayer(serve=FIXTURES / "site")
    try:
        assert replayer.replay(redacted).verdict == Verdict.VALID
    finally:
        replayer.close()


def test_audit_reports_missing_frames_negative_intervals_and_duplicates(tmp_path: Path) -> None:
    base, _ = with_secret_on_screen(tmp_path)
    copy = tmp_path / "copy"
    shutil.copytree(base, copy)
    broken = tmp_path / "broken"
    shutil.copytree(base, broken)
    (broken / "frames/000002.jpg").unlink()
    lines = (broken / "events.jsonl").read_text().splitlines()
    late = json.loads(lines[5])
    late["t"] = 0.0  # before the events around it
    lines[5] = json.dumps(late)
    (broken / "events.jsonl").write_text("\n".join(lines[:-1]) + "\n")  # and no `done`
    out = tmp_path / "all.jsonl"
    assert main(["audit", str(base), str(copy), str(broken), "--out", str(out)]) == 1
    got = [json.loads(line) for line in out.read_text().splitlines()]
    by_file = {(Path(f["trajectory"]).name, f["kind"]) for f in got}
    assert ("copy", "duplicate_recording") in by_file
    assert {("broken", k) for k in ("missing_frame", "impossible_timing", "truncated")} <= by_file
    assert all(f["fix"] and f["severity"] in ("error", "warning", "info") for f in got)


def test_a_typed_password_is_replaced_and_personal_data_only_with_pii(tmp_path: Path) -> None:
    """A password typed into a field that was not masked at capture, then an e-mail address:
    redaction replaces the password's keys (and their releases) always, the address only with
    `pii=True`; the audit of each copy agrees. (No page here: redaction and audit read files.)"""
    meta = {
        "format": "officegym.trajectory/1", "id": "typed", "source": "human",
        "recorder": {"name": "test", "version": "1"}, "viewport": {"width": 800, "height": 600},
        "started_at": "2026-01-01T00:00:00Z",
    }  # fmt: skip
    secret = {"selector": "#password-input", "name": "New password", "tag": "input"}
    mail = {"selector": "#email", "name": "Email", "tag": "input"}
    events: list[dict[str, Any]] = []
    for target, text in ((secret, "hunter22"), (mail, "ada@example.com")):
        for ch in text:
            t = 200.0 * len(events)
            events += [{"t": t, "type": "key.down", "key": ch, "target": target},
                       {"t": t + 90, "type": "key.up", "key": ch}]  # fmt: skip
    events.append({"t": 200.0 * len(events), "type": "done"})
    original = tmp_path / "original"
    original.mkdir()
    (original / "meta.json").write_text(json.dumps(meta))
    (original / "events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))
    found = {f["kind"] for f in findings(original, tmp_path / "f0.jsonl")}
    assert {"unmasked_password", "email"} <= found, found

    def typed(path: Path, selector: str) -> str:
        with TrajectoryReader(path) as reader:
            downs = [e for e in reader.events() if e.type == "key.down"]
            return "".join(e.key for e in downs if e.target and e.target.selector == selector)  # type: ignore[attr-defined]

    for pii, out in ((False, tmp_path / "secrets"), (True, tmp_path / "pii")):
        assert main(["redact", str(original), "--out", str(out), *(["--pii"] if pii else [])]) == 0
        with TrajectoryReader(out) as reader:
            released = "".join(e.key for e in reader.events() if e.type == "key.up")  # type: ignore[attr-defined]
        assert "hunter" not in typed(out, "#password-input") and "hunter" not in released
        assert len(typed(out, "#password-input")) == len("hunter22")  # same keystrokes
        left = {f["kind"] for f in findings(out, tmp_path / f"f-{pii}.jsonl")}
        assert "unmasked_password" not in left, left
        assert (typed(out, "#email") == "ada@example.com") is not pii  # only with --pii
        assert ("email" in left) is not pii, left
