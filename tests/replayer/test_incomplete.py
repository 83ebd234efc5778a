"""A replay says `valid` only when it did what the recording did: a step the import left out
that acts makes the recording `incomplete`, and a Recorder `change` or an asserted navigation
whose effect is not on the page makes it `diverged` at that step. The recordings follow
@puppeteer/replay's step schema and replay against tests/replayer/fixtures/site/effects.html."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from officegym.cli import main
from officegym.replayer import Replayer, Verdict
from officegym.replayer.importers import import_one

SITE = Path(__file__).parent / "fixtures" / "site"
PAGE = "http://effects.example.test/effects.html"
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def replayer() -> Any:
    replayer = Replayer(serve=SITE)
    yield replayer
    replayer.close()


def recording(*steps: dict[str, Any]) -> dict[str, Any]:
    """A Recorder file: the viewport, the page, then `steps`."""
    opening = [
        {"type": "setViewport", "width": 640, "height": 480, "deviceScaleFactor": 1,
         "isMobile": False, "hasTouch": False, "isLandscape": False},
        {"type": "navigate", "url": PAGE,
         "assertedEvents": [{"type": "navigation", "url": PAGE, "title": "Effects"}]},
    ]  # fmt: skip
    return {"title": "effects", "steps": [*opening, *steps]}


def change(selector: str, value: str) -> dict[str, Any]:
    return {"type": "change", "target": "main", "selectors": [[selector]], "value": value}


def click(selector: str, **more: Any) -> dict[str, Any]:
    return {"type": "click", "target": "main", "selectors": [[selector]],
            "offsetX": 5, "offsetY": 5, **more}  # fmt: skip


NAVIGATED = [{"type": "navigation", "url": PAGE + "?step=2", "title": "Effects"}]
CUSTOM = {"type": "customStep", "name": "login", "parameters": {}}


def imported(tmp_path: Path, data: dict[str, Any], name: str) -> str:
    source = tmp_path / f"{name}.json"
    source.write_text(json.dumps(data))
    result = import_one("chrome-recorder", source, tmp_path / name)
    assert result.trajectory is not None, result.reason
    return result.trajectory


def test_good_changes_and_navigation_stay_valid(tmp_path: Path, replayer: Replayer) -> None:
    data = recording(change("#who", "Ada"), click("#next", assertedEvents=NAVIGATED))
    result = replayer.replay(imported(tmp_path, data, "good"))
    assert result.verdict == Verdict.VALID, result.reason


def test_a_colour_left_at_its_old_value_diverges_naming_the_value(
    tmp_path: Path, replayer: Replayer
) -> None:
    """A value the colour input refuses (a word that names no colour) is not there after the
    change: the field holds its old value, and the replay says so (Puppeteer sets a colour's
    value, so a recorded "#ff0000" is taken: test_chrome_recorder_semantics.py)."""
    data = recording(change("#who", "Ada"), change("#shade", "nothing"))
    result = replayer.replay(imported(tmp_path, data, "colour"))
    assert result.verdict == Verdict.DIVERGED, result.reason
    assert "'#shade'" in result.reason and "'#000000'" in result.reason
    assert "'nothing'" in result.reason
    assert result.event_index == 2  # events: the navigation check, "Ada", the colour


def test_an_asserted_navigation_that_did_not_happen_diverges(
    tmp_path: Path, replayer: Replayer
) -> None:
    data = recording(click("#stay", assertedEvents=NAVIGATED))
    data["timeout"] = 1000  # how long the navigation may take (Recorder's own field)
    result = replayer.replay(imported(tmp_path, data, "stayed"))
    assert result.verdict == Verdict.DIVERGED, result.reason
    assert result.reason.startswith("steps[2] (click): check navigation")  # names the step
    assert f"expected the page {PAGE}?step=2, found {PAGE}" in result.reason


def test_a_skipped_acting_step_makes_the_recording_incomplete(
    tmp_path: Path, replayer: Replayer
) -> None:
    data = recording(change("#who", "Ada"), CUSTOM, click("#next", assertedEvents=NAVIGATED))
    path = imported(tmp_path, data, "custom")
    result = replayer.replay(path)
    assert result.verdict == Verdict.INCOMPLETE
    assert result.reason.startswith("the import left out steps[3] (customStep), a step that acts")
    assert "'login'" in result.reason and result.event_index is None
    # What the replay of the rest found is kept after the step that explains it.
    data["steps"].append(change("#shade", "nothing"))
    both = replayer.replay(imported(tmp_path, data, "custom-then-colour"))
    assert both.verdict == Verdict.INCOMPLETE and both.event_index is not None
    assert "steps[3]" in both.reason and "the replay of the rest was diverged" in both.reason
    # Counted and failing in the command's summary; --no-fail keeps exit 0.
    out = tmp_path / "verdicts.jsonl"
    assert main(["replay", path, "--out", str(out), "--serve", str(SITE), "--quiet"]) == 1
    assert json.loads(out.read_text())["verdict"] == "incomplete"
    assert main(["replay", path, "--out", str(out), "--serve", str(SITE), "--no-fail"]) == 0


def test_only_harmless_skips_stay_valid(tmp_path: Path, replayer: Replayer) -> None:
    """A viewport change mid-recording and a scroll inside a frame are left out (listed, not
    acting): the replay does all that acts and is valid."""
    resize = {"type": "setViewport", "width": 600, "height": 480, "deviceScaleFactor": 1,
              "isMobile": False, "hasTouch": False, "isLandscape": False}  # fmt: skip
    scroll = {"type": "scroll", "target": "main", "frame": [0], "x": 0, "y": 200}
    data = recording(
        change("#who", "Ada"), resize, scroll, click("#next", assertedEvents=NAVIGATED)
    )
    path = imported(tmp_path, data, "harmless")
    result = replayer.replay(path)
    assert result.verdict == Verdict.VALID, result.reason
    meta = json.loads((Path(path) / "meta.json").read_text())
    assert [(s["position"], s["acts"]) for s in meta["imported"]["skipped"]] == [
        ("steps[3]", False),
        ("steps[4]", False),
    ]


def test_an_older_import_without_acts_counts_its_skips_as_acting(
    tmp_path: Path, replayer: Replayer
) -> None:
    path = imported(tmp_path, recording(change("#who", "Ada")), "older")
    meta_file = Path(path) / "meta.json"
    meta = json.loads(meta_file.read_text())
    meta["imported"]["skipped"] = [{"position": "steps[9]", "step": "click", "reason": "?"}]
    meta_file.write_text(json.dumps(meta))
    result = replayer.replay(path)
    assert result.verdict == Verdict.INCOMPLETE and "steps[9] (click)" in result.reason
