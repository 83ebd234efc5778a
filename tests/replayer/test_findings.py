"""Findings on recordings: each kind is raised by the pattern it names, and not by clean input;
evidence never shows the sensitive value."""

from __future__ import annotations

import json
import pickle
from typing import Any

from officegym.replayer import Finding, ReplayResult, Verdict
from officegym.replayer._findings import Auditor
from officegym.replayer._pii import find_sensitive
from officegym.trajectory import TrajectoryMeta, parse_event


def audit(events: list[dict[str, Any]]) -> list[Finding]:
    auditor = Auditor()
    for i, raw in enumerate(events):
        auditor.see(i, parse_event(raw))
    return auditor.finish(len(events) - 1)


def keys(text: str, start: float, gap: float, target: dict[str, Any] | None = None) -> list[Any]:
    out = []
    for i, ch in enumerate(text):
        event: dict[str, Any] = {"t": start + i * gap, "type": "key.down", "key": ch}
        if target:
            event["target"] = target
        out.append(event)
    return out


def kinds(findings: list[Finding]) -> list[str]:
    return [f.kind for f in findings]


def test_clean_typing_has_no_findings() -> None:
    assert audit(keys("hello there, how are you", 0, 180)) == []


def test_idle_gap_names_the_event_after_it() -> None:
    found = audit([{"t": 0, "type": "mouse.move", "x": 1, "y": 1}, {"t": 45_000, "type": "done"}])
    assert kinds(found) == ["idle_gap"]
    assert found[0].event_index == 1


def test_inhuman_typing_and_pointer_jumps() -> None:
    assert kinds(audit(keys("abcdefghijkl", 0, 2))) == ["superhuman_timing"]
    jump = [
        {"t": 0, "type": "mouse.move", "x": 0, "y": 0},
        {"t": 5, "type": "mouse.move", "x": 900, "y": 600},
    ]
    assert kinds(audit(jump)) == ["superhuman_timing"]


def test_unmasked_password_is_reported_once() -> None:
    target = {"selector": "#password-input", "name": "New password", "tag": "input"}
    found = audit(keys("hunter22", 0, 150, target))
    assert kinds(found) == ["unmasked_password"]
    assert found[0].event_index == 0 and found[0].severity == "error"
    assert "hunter" not in found[0].evidence


def test_card_numbers_typed_or_answered() -> None:
    assert [m.value for m in find_sensitive("pay with 4111 1111 1111 1111 please")] == [
        "4111 1111 1111 1111"
    ]
    assert find_sensitive("order 4111 1111 1111 1112") == []  # fails the Luhn check
    typed = audit(keys("4111111111111111", 0, 150))
    assert kinds(typed) == ["card_number"]
    assert typed[0].evidence.startswith("card ending 1111") and "4111" not in typed[0].evidence
    answered = audit([{"t": 0, "type": "answer", "text": "card 5500-0000-0000-0004"}])
    assert kinds(answered) == ["card_number"]


def test_many_corrections() -> None:
    events = keys("abcdefghijklmnop", 0, 200)
    events += [{"t": 4000 + i * 150, "type": "key.down", "key": "Backspace"} for i in range(12)]
    assert kinds(audit(events)) == ["undone_action"]


def test_secrets_and_personal_data_by_pattern_and_entropy() -> None:
    text = (
        "ann.lee@example.com +44 20 7946 0958 DE89 3704 0044 0532 0130 00 "
        "AKIAIOSFODNN7EXAMPLE q8Zr2Lw9Tx4Kp0Vn7Ms3Yb6Hd1Fg5Jc "
        "order 2024-05-01 id 123e4567-e89b-12d3-a456-426614174000 readme_for_everyone_here"
    )
    found = [(m.kind, m.value) for m in find_sensitive(text)]
    assert found == [
        ("email", "ann.lee@example.com"),
        ("phone_number", "+44 20 7946 0958"),
        ("iban", "DE89 3704 0044 0532 0130 00"),
        ("api_key", "AKIAIOSFODNN7EXAMPLE"),
        ("token", "q8Zr2Lw9Tx4Kp0Vn7Ms3Yb6Hd1Fg5Jc"),
    ]


def test_a_grouped_iban_whose_digit_tail_passes_luhn_is_an_iban_not_a_card() -> None:
    # "2322 8380 3791 80", the tail of this IBAN, passes Luhn: IBANs are looked for first.
    iban = "DE16 1845 2322 8380 3791 80"
    assert [(m.kind, m.value) for m in find_sensitive(f"pay to {iban} today")] == [("iban", iban)]


def test_typed_text_is_reassembled_per_field_with_the_first_key_indexed() -> None:
    mail = {"selector": "#to", "tag": "input"}
    body = {"selector": "#body", "tag": "textarea"}
    events = keys("bob@", 0, 150, mail) + keys("hi", 1000, 150, body)
    events += keys("example.org", 2000, 150, mail)
    found = audit(events)
    assert kinds(found) == ["email"]
    assert found[0].event_index == 0 and found[0].severity == "warning"
    assert found[0].evidence == "b•••@example.org in what was typed into '#to'"


def test_answers_and_target_text_are_scanned() -> None:
    found = audit(
        [
            {"t": 0, "type": "mouse.down", "x": 5, "y": 5,
             "target": {"selector": "#row", "text": "IBAN GB82 WEST 1234 5698 7654 32"}},
            {"t": 100, "type": "answer", "text": "token ghp_abcdefghijklmnopqrstuvwxyz0123456789"},
        ]
    )  # fmt: skip
    assert [(f.kind, f.event_index) for f in found] == [("iban", 0), ("api_key", 1)]


def test_pointer_outside_the_viewport_redundant_clicks_and_undo() -> None:
    meta = TrajectoryMeta.model_validate(
        {"id": "x", "source": "human", "recorder": {"name": "t", "version": "1"},
         "viewport": {"width": 800, "height": 600}, "started_at": "2026-01-01T00:00:00Z"}
    )  # fmt: skip
    button = {"selector": "#send", "role": "button", "name": "Send"}
    # The screen after the second click is the screen before it: the click changed nothing.
    screen = {"type": "screenshot", "frame": "frames/000001.png", "sha256": "ab" * 32}
    raw = [
        {"t": 0, "type": "mouse.down", "x": 900, "y": 10},
        {"t": 1000, "type": "mouse.down", "x": 50, "y": 50, "target": button},
        {**screen, "t": 1500},
        {"t": 3000, "type": "mouse.down", "x": 52, "y": 50, "target": button},
        {**screen, "t": 3500},
        *keys("draft", 4000, 150, {"selector": "#subject"}),
        *[{"t": 5000 + i * 100, "type": "key.down", "key": "Backspace",
           "target": {"selector": "#subject"}} for i in range(5)],
        {"t": 7000, "type": "key.down", "key": "z", "modifiers": ["Control"]},
    ]  # fmt: skip
    auditor = Auditor(meta)
    for i, event in enumerate(raw):
        auditor.see(i, parse_event(event))
    found = auditor.finish(len(raw) - 1)
    assert [(f.kind, f.event_index) for f in found] == [
        ("outside_viewport", 0),
        ("redundant_action", 3),
        ("undone_action", 14),
        ("undone_action", 15),
        ("truncated", 15),  # no `done` at the end
    ]


def test_every_finding_kind_is_documented() -> None:
    from pathlib import Path

    from officegym.replayer._findings import FINDINGS

    doc = (Path(__file__).parents[2] / "docs" / "data-quality.md").read_text()
    for kind, (severity, _) in FINDINGS.items():
        assert f"| `{kind}` | {severity} |" in doc, f"docs/data-quality.md does not explain {kind}"


def test_a_finding_is_stored_as_the_same_json_object() -> None:
    found = Finding.of("email", 3, "a•••@example.org in the answer")
    stored = {
        "kind": "email",
        "severity": "warning",
        "event_index": 3,
        "evidence": "a•••@example.org in the answer",
        "fix": "expected when the task is about mail; otherwise run `officegym redact --pii`",
    }
    assert json.dumps(found.to_json()) == json.dumps(stored)  # the same keys in the same order
    assert Finding.of("email", None, "x", severity="error").severity == "error"
    result = ReplayResult("t.zip", Verdict.VALID, findings=[found])
    assert result.to_json()["findings"] == [stored]  # verdicts.jsonl
    assert pickle.loads(pickle.dumps(result)).findings == [found]  # from a replay worker
