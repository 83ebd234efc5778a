"""`audit --policy`: a recording that broke its capture policy is flagged, rule by rule, and one
that kept it is not. The recordings are written here event by event, as a recorder would."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from officegym.cli import main
from officegym.errors import TrajectoryFormatError
from officegym.replayer import check_policy
from officegym.trajectory import (
    MASK,
    MAX_GAPS,
    CapturePolicy,
    TrajectoryReader,
    TrajectoryWriter,
)

POLICY = """
exclude:
  urls: ["http://mail.office.test/settings*"]
mask:
  autocomplete: [cc-number]
  selectors: ["#iban"]
max_idle_seconds: 60
"""
MAIL, SETTINGS = "http://mail.office.test/", "http://mail.office.test/settings"
CARD = {"selector": "#card", "tag": "input", "autocomplete": "cc-number"}
IBAN = {"selector": "form > #iban", "tag": "input"}


def policy() -> CapturePolicy:
    import yaml

    return CapturePolicy.model_validate(yaml.safe_load(POLICY))


def frame(writer: TrajectoryWriter, t: float, shade: int) -> dict[str, Any]:
    image = io.BytesIO()
    Image.new("RGB", (32, 18), (shade, shade, shade)).save(image, "PNG")
    name, digest = writer.add_frame(image.getvalue(), "png")
    return {"t": t, "type": "screenshot", "frame": name, "sha256": digest}


def key(t: float, char: str, target: dict[str, Any], masked: bool = False) -> dict[str, Any]:
    if masked:
        return {"t": t, "type": "key.down", "key": MASK, "masked": True, "target": target}
    return {"t": t, "type": "key.down", "key": char, "code": f"Key{char}", "target": target}


def record(path: Path, gaps: list[dict[str, Any]], body: list[Any]) -> Path:
    """A recording on mail: `body` holds events, or callables making frame events."""
    meta = {
        "id": path.name,
        "source": "human",
        "recorder": {"name": "test", "version": "0"},
        "start_url": MAIL,
        "viewport": {"width": 1280, "height": 720},
        "started_at": "2026-03-16T10:00:00+00:00",
        "capture": {"policy_sha256": policy().digest, "gaps": gaps},
    }
    with TrajectoryWriter(path, meta) as writer:
        for item in body:
            writer.write(item(writer) if callable(item) else item)
    return path


def kept(path: Path) -> Path:
    """What a recorder following the policy writes: card keys masked, nothing while the
    settings page was shown (1-5 s), the idle pause (65-70 s) empty."""
    return record(
        path,
        [
            {"start": 1000, "end": 5000, "reason": "excluded", "rule": SETTINGS + "*"},
            {"start": 65000, "end": 70000, "reason": "idle"},
        ],
        [
            {"t": 0, "type": "observe", "url": MAIL},
            {"t": 100, "type": "mouse.move", "x": 10, "y": 10},
            lambda w: frame(w, 500, 10),
            key(600, "4", CARD, masked=True),
            key(700, "D", IBAN, masked=True),
            {"t": 5000, "type": "observe", "url": MAIL},
            {"t": 5000, "type": "mouse.move", "x": 20, "y": 20},
            lambda w: frame(w, 5100, 20),
            {"t": 70000, "type": "mouse.move", "x": 30, "y": 30},
            lambda w: frame(w, 70100, 30),
            {"t": 70200, "type": "done"},
        ],
    )


def broken(path: Path) -> Path:
    """The same session from a recorder that ignored the policy, and then its own pause."""
    return record(
        path,
        [{"start": 8000, "end": 9000, "reason": "paused"}],
        [
            {"t": 0, "type": "observe", "url": MAIL},
            {"t": 100, "type": "mouse.move", "x": 10, "y": 10},
            key(600, "4", CARD),  # 1: a card digit in clear
            key(700, "D", IBAN),  # 2: into a field masked by selector
            {"t": 1000, "type": "observe", "url": SETTINGS},
            lambda w: frame(w, 1200, 40),  # 4: the excluded page on screen
            key(1300, "q", {"selector": "#password-input"}, masked=True),
            {"t": 5000, "type": "observe", "url": MAIL},
            {"t": 5000, "type": "mouse.move", "x": 20, "y": 20},
            lambda w: frame(w, 8500, 20),  # 8: inside the recording's own pause
            lambda w: frame(w, 100000, 50),  # 9: 95 s after the last input
            {"t": 100100, "type": "done"},
        ],
    )


def test_a_recording_that_kept_the_policy_has_no_findings(tmp_path: Path) -> None:
    with TrajectoryReader(kept(tmp_path / "kept")) as reader:
        assert check_policy(reader, policy()) == []


def test_each_broken_rule_is_one_finding_at_its_first_event(tmp_path: Path) -> None:
    with TrajectoryReader(broken(tmp_path / "broken")) as reader:
        found = check_policy(reader, policy())
    assert [(f.kind, f.event_index, f.severity) for f in found] == [
        ("policy_unmasked_field", 2, "error"),  # autocomplete=cc-number
        ("policy_unmasked_field", 3, "error"),  # #iban
        ("policy_excluded_page", 5, "error"),
        ("policy_gap_capture", 9, "error"),
        ("policy_idle_capture", 10, "error"),
    ]
    evidence = {f.kind: f.evidence for f in found}
    assert evidence["policy_excluded_page"] == (
        "1 frame and 1 key captured while a page matching "
        "'http://mail.office.test/settings*' was shown (first: event 5)"
    )
    assert "'#card', masked by 'autocomplete=cc-number'" in found[0].evidence
    assert "paused gap 8.0-9.0 s" in evidence["policy_gap_capture"]
    assert "idle over the policy's 60 s" in evidence["policy_idle_capture"]


def test_a_lenient_policy_flags_only_what_the_recording_says_of_itself(tmp_path: Path) -> None:
    lenient = CapturePolicy.model_validate({"mask": {"autocomplete": ["cc-csc"]}})
    with TrajectoryReader(broken(tmp_path / "broken")) as reader:
        found = check_policy(reader, lenient)
    # A frame inside the recording's own declared pause breaks any policy.
    assert [f.kind for f in found] == ["policy_gap_capture"]


@pytest.mark.parametrize("with_policy", [True, False])
def test_audit_policy_writes_the_findings_and_the_manifest_counts_them(
    tmp_path: Path, with_policy: bool
) -> None:
    (tmp_path / "policy.yaml").write_text(POLICY)
    kept(tmp_path / "in" / "kept")
    broken(tmp_path / "in" / "broken")
    out = tmp_path / "out" / "findings.jsonl"
    extra = ["--policy", str(tmp_path / "policy.yaml")] if with_policy else []
    code = main(["audit", str(tmp_path / "in"), "--out", str(out), "--quiet", *extra])
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    policy_kinds = {
        (Path(f["trajectory"]).name, f["kind"]) for f in lines if f["kind"].startswith("policy_")
    }
    manifest = (tmp_path / "out" / "manifest.csv").read_text().splitlines()
    header = manifest[0].split(",")
    rows = {Path(r.split(",")[1]).name: r.split(",") for r in manifest[1:]}
    excluded = header.index("policy_excluded_page")
    if not with_policy:
        assert policy_kinds == set() and code == 0
        return
    assert code == 1  # a policy finding is an error
    assert policy_kinds == {
        ("broken", "policy_unmasked_field"),
        ("broken", "policy_excluded_page"),
        ("broken", "policy_gap_capture"),
        ("broken", "policy_idle_capture"),
    }
    assert rows["broken"][excluded] == "1" and rows["kept"][excluded] == "0"


def test_audit_refuses_a_bad_policy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "policy.yaml").write_text("exclude:\n  urls: 3\n")
    kept(tmp_path / "kept")
    out, policy_file = tmp_path / "f.jsonl", tmp_path / "policy.yaml"
    code = main(["audit", str(tmp_path / "kept"), "--out", str(out), "--policy", str(policy_file)])
    assert code == 2
    assert "policy.yaml:2: exclude.urls: Input should be a valid list" in capsys.readouterr().err
    assert not out.exists()


# ---- tabs, history steps, and the recording's own gaps ---------------------------------------

CHAT = "http://chat.office.test/c/1"
APPS = CapturePolicy.model_validate({"exclude": {"apps": ["chat"]}})


def kinds_in(path: Path, body: list[Any], gaps: list[dict[str, Any]] | None = None) -> list[str]:
    with TrajectoryReader(record(path, gaps or [], body)) as reader:
        return [f.kind for f in check_policy(reader, APPS)]


def test_a_switch_back_to_an_excluded_tab_is_judged_by_that_tab(tmp_path: Path) -> None:
    body = [
        {"t": 1, "type": "nav.goto", "url": CHAT},  # tab 0 shows chat
        {"t": 2, "type": "tab.open", "url": MAIL},
        {"t": 3, "type": "tab.switch", "index": 0},  # back on chat
        lambda w: frame(w, 4, 10),
        key(5, "x", {"selector": "#message"}),
    ]
    assert kinds_in(tmp_path / "switch", body) == ["policy_excluded_page"]


def test_a_switch_away_from_an_excluded_tab_is_no_breach(tmp_path: Path) -> None:
    body = [
        {"t": 2, "type": "tab.open", "url": CHAT},
        {"t": 3, "type": "tab.switch", "index": 0},  # back on mail
        lambda w: frame(w, 4, 10),
    ]
    assert kinds_in(tmp_path / "away", body) == []


def test_closing_the_excluded_tab_shows_the_one_before_it(tmp_path: Path) -> None:
    body = [
        {"t": 2, "type": "tab.open", "url": MAIL},
        {"t": 3, "type": "tab.open", "url": CHAT},
        {"t": 4, "type": "tab.close"},  # tab 2 (chat) closes: tab 1 (mail) shows
        lambda w: frame(w, 5, 10),
        {"t": 6, "type": "tab.switch", "index": 0},
        {"t": 7, "type": "nav.goto", "url": CHAT},
        {"t": 8, "type": "tab.close", "index": 1},  # not the active one: chat still shows
        lambda w: frame(w, 9, 20),
    ]
    with TrajectoryReader(record(tmp_path / "close", [], body)) as reader:
        found = check_policy(reader, APPS)
    assert [(f.kind, f.event_index) for f in found] == [("policy_excluded_page", 7)]


def test_after_a_history_step_the_page_is_not_known_and_not_judged(tmp_path: Path) -> None:
    body = [
        {"t": 1, "type": "nav.goto", "url": CHAT},
        {"t": 2, "type": "nav.back"},  # back to mail, probably: the recording does not say
        lambda w: frame(w, 3, 10),
        {"t": 4, "type": "nav.forward"},
        {"t": 5, "type": "observe", "url": CHAT},  # now it says
        lambda w: frame(w, 6, 20),
    ]
    with TrajectoryReader(record(tmp_path / "back", [], body)) as reader:
        found = check_policy(reader, APPS)
    assert [(f.kind, f.event_index) for f in found] == [("policy_excluded_page", 5)]


def test_a_frame_inside_any_of_overlapping_gaps_is_found(tmp_path: Path) -> None:
    gaps = [
        {"start": 100, "end": 900, "reason": "idle"},
        {"start": 200, "end": 300, "reason": "paused"},  # inside the first
        {"start": 1000, "end": 1100, "reason": "paused"},
    ]
    body = [lambda w: frame(w, 500, 10), lambda w: frame(w, 950, 20)]
    assert kinds_in(tmp_path / "overlap", body, gaps) == ["policy_gap_capture"]
    # 950 lies after every gap that started before it ended: none.
    body = [lambda w: frame(w, 950, 20), lambda w: frame(w, 1050, 30)]
    with TrajectoryReader(record(tmp_path / "later", gaps, body)) as reader:
        found = check_policy(reader, APPS)
    assert [(f.kind, f.event_index) for f in found] == [("policy_gap_capture", 1)]
    assert "paused gap 1.0-1.1 s" in found[0].evidence


@pytest.mark.parametrize(
    ("gaps", "said"),
    [
        ([{"start": 1.0, "end": 2.0, "reason": "paused"}] * (MAX_GAPS + 1), "at most 1000 items"),
        ([{"start": 5.0, "end": 2.0, "reason": "paused"}], "a gap ends (2.0) before it starts"),
    ],
)
def test_gaps_are_bounded_and_in_order(
    tmp_path: Path, gaps: list[dict[str, Any]], said: str
) -> None:
    with pytest.raises(TrajectoryFormatError, match=re.escape(said)):
        record(tmp_path / "gaps", gaps, [])
