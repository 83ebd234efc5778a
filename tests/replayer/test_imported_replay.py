"""Imported recordings replay against the local page they name (served with --serve), and
their assertions decide: a recording whose assertions do not hold is not valid."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from officegym.cli import main
from officegym.replayer import Replayer, Verdict
from officegym.replayer.importers import import_one

FIXTURES = Path(__file__).parent / "fixtures"
SITE = FIXTURES / "site"
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def replayer() -> Any:
    replayer = Replayer(serve=SITE)
    yield replayer
    replayer.close()


def imported(tmp_path: Path, fmt: str, data: Any, name: str = "rec") -> str:
    source = tmp_path / f"{name}.json"
    source.write_text(json.dumps(data))
    result = import_one(fmt, source, tmp_path / name)
    assert result.trajectory is not None, result.reason
    return result.trajectory


def test_chrome_recorder_fixture_replays_valid_and_its_checks_bite(
    tmp_path: Path, replayer: Replayer
) -> None:
    recording = json.loads((FIXTURES / "chrome-recorder-order.json").read_text())
    ok = replayer.replay(imported(tmp_path, "chrome-recorder", recording, "ok"))
    assert ok.verdict == Verdict.VALID, ok.reason
    # The same steps with the other size picked: the final assertion no longer holds.
    recording["steps"][11]["value"] = "l"
    wrong = replayer.replay(imported(tmp_path, "chrome-recorder", recording, "wrong"))
    assert wrong.verdict == Verdict.DIVERGED
    assert wrong.reason.startswith("steps[19] (waitForExpression): check expression")
    assert wrong.event_index is not None
    # A selector that matches nothing in the page: diverged at that click, not later.
    recording["steps"][14]["selectors"] = [["#c-purple"]]
    gone = replayer.replay(imported(tmp_path, "chrome-recorder", recording, "gone"))
    assert gone.verdict == Verdict.DIVERGED and "#c-purple" in gone.reason


def test_rrweb_fixture_replays_valid_and_a_misplaced_click_diverges(
    tmp_path: Path, replayer: Replayer
) -> None:
    data = json.loads((FIXTURES / "rrweb-order.json").read_text())
    ok = replayer.replay(imported(tmp_path, "rrweb", data, "ok"))
    assert ok.verdict == Verdict.VALID, ok.reason
    for event in data["events"]:  # the click on "Green" recorded 80 px lower, over the list
        if event["type"] == 3 and event["data"].get("id") == 34:
            event["data"]["y"] += 80
    moved = replayer.replay(imported(tmp_path, "rrweb", data, "moved"))
    assert moved.verdict == Verdict.DIVERGED
    assert "#c-green" in moved.reason, moved.reason


def test_without_the_site_the_recording_is_unreplayable_with_the_way_out(tmp_path: Path) -> None:
    path = imported(tmp_path, "rrweb", json.loads((FIXTURES / "rrweb-order.json").read_text()))
    out = tmp_path / "verdicts.jsonl"
    assert main(["replay", path, "--out", str(out)]) == 1
    verdict = json.loads(out.read_text())
    assert verdict["verdict"] == "unreplayable"
    assert "shop.example.test/form.html" in verdict["reason"] and "--serve" in verdict["reason"]
    assert main(["replay", path, "--out", str(out), "--serve", str(SITE)]) == 0


def test_miniwob_demonstrations_are_kept_for_audit_not_replayed(
    tmp_path: Path, replayer: Replayer
) -> None:
    data = json.loads((FIXTURES / "miniwob-enter-text.json").read_text())
    result = replayer.replay(imported(tmp_path, "miniwob", data))
    assert result.verdict == Verdict.UNREPLAYABLE and "random instance" in result.reason
