"""Findings on recordings: each kind is raised by the pattern it names, and not by clean input."""

from __future__ import annotations

from typing import Any

from officegym.replayer._findings import Auditor, card_numbers
from officegym.trajectory import parse_event


def audit(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
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


def kinds(findings: list[dict[str, Any]]) -> list[str]:
    return [f["kind"] for f in findings]


def test_clean_typing_has_no_findings() -> None:
    assert audit(keys("hello there, how are you", 0, 180)) == []


def test_idle_gap_names_the_event_after_it() -> None:
    found = audit([{"t": 0, "type": "mouse.move", "x": 1, "y": 1}, {"t": 45_000, "type": "done"}])
    assert kinds(found) == ["idle_gap"]
    assert found[0]["event_index"] == 1


def test_inhuman_typing_and_pointer_jumps() -> None:
    assert kinds(audit(keys("abcdefghijkl", 0, 2))) == ["inhuman_timing"]
    jump = [
        {"t": 0, "type": "mouse.move", "x": 0, "y": 0},
        {"t": 5, "type": "mouse.move", "x": 900, "y": 600},
    ]
    assert kinds(audit(jump)) == ["inhuman_timing"]


def test_unmasked_password_is_reported_once() -> None:
    target = {"selector": "#password-input", "name": "New password", "tag": "input"}
    found = audit(keys("hunter22", 0, 150, target))
    assert kinds(found) == ["unmasked_secret"]
    assert found[0]["event_index"] == 0


def test_card_numbers_typed_or_answered() -> None:
    assert card_numbers("pay with 4111 1111 1111 1111 please") == ["4111111111111111"]
    assert card_numbers("order 4111 1111 1111 1112") == []  # fails the Luhn check
    typed = audit(keys("4111111111111111", 0, 150))
    assert kinds(typed) == ["card_number"]
    answered = audit([{"t": 0, "type": "answer", "text": "card 5500-0000-0000-0004"}])
    assert kinds(answered) == ["card_number"]


def test_many_corrections() -> None:
    events = keys("abcdefghijklmnop", 0, 200)
    events += [{"t": 4000 + i * 150, "type": "key.down", "key": "Backspace"} for i in range(12)]
    assert kinds(audit(events)) == ["corrections"]
