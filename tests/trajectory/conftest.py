"""Fixtures shared by the trajectory tests: a valid header and one event of every type."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest

from officegym.trajectory import TrajectoryMeta

# Smallest valid PNG (1x1 transparent); its content only matters for the hash checks.
PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63fcffff3f0005fe02fea7d6a4e80000000049454e44ae426082"
)
JPEG_STUB = b"\xff\xd8\xff\xe0" + b"\x00" * 16 + b"\xff\xd9"


def meta_dict(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format": "officegym.trajectory/1",
        "id": "rec-1",
        "source": "human",
        "recorder": {"name": "officegym-recorder", "version": "0.1.0"},
        "task": {"id": "mail.reply", "seed": 7, "params": {"to": "ana@example.org"}},
        "start_url": "http://localhost:8000/mail",
        "viewport": {"width": 1280, "height": 720, "device_scale_factor": 2.0},
        "coordinate_space": "viewport",
        "user_agent": "Mozilla/5.0",
        "locale": "en-US",
        "timezone": "Europe/Berlin",
        "started_at": "2024-05-01T12:00:00+00:00",
        "outcome": {"claimed_success": None, "answer": None},
        "privacy": {"masked_fields": ["#password"], "redactions": [{"selector": "#ssn"}]},
        "agent": None,
        "extra": {"note": "fixture", "nothing": None},
    }
    data.update(overrides)
    return data


def all_event_dicts() -> list[dict[str, Any]]:
    """One event of every type (plus variants), in time order."""
    sha = hashlib.sha256(PNG_1X1).hexdigest()
    target = {
        "selector": "#send",
        "role": "button",
        "name": "Send",
        "tag": "button",
        "text": "Send",
        "bbox": {"x": 10.0, "y": 20.0, "width": 80.0, "height": 24.5},
        "offset": {"x": 40.0, "y": 12.0},
    }
    events: list[dict[str, Any]] = [
        {"t": 0, "type": "observe", "url": "http://localhost:8000/mail", "title": "Inbox"},
        {"t": 0, "type": "screenshot", "frame": "frames/000000.png", "sha256": sha},
        {"t": 5, "type": "mouse.move", "x": 50.0, "y": 32.0, "tab": 0},
        {"t": 6, "type": "mouse.move", "target": {"selector": "#send", "offset": {"x": 1, "y": 2}}},
        {"t": 10, "type": "mouse.down", "x": 50.0, "y": 32.0, "target": target},
        {"t": 11, "type": "mouse.up", "x": 50.0, "y": 32.0, "button": "right", "click_count": 2},
        {"t": 12, "type": "mouse.wheel", "x": 1, "y": 2, "dx": 0, "dy": 120.5},
        {"t": 20, "type": "key.down", "key": "a", "code": "KeyA", "modifiers": ["Control"]},
        {"t": 21, "type": "key.up", "key": "a", "code": "KeyA", "modifiers": ["Control"]},
        {"t": 22, "type": "key.down", "key": "•", "masked": True},
        {"t": 23, "type": "key.up", "key": "•", "masked": True},
        {"t": 24, "type": "text.input", "text": "hello"},
        {"t": 25, "type": "text.input", "text": "new value", "replace": True},
        {"t": 26, "type": "text.input", "text": "••••", "masked": True},
        {"t": 30, "type": "nav.goto", "url": "http://localhost:8000/mail/2"},
        {"t": 31, "type": "nav.back"},
        {"t": 32, "type": "nav.forward"},
        {"t": 33, "type": "nav.reload"},
        {"t": 40, "type": "tab.open", "url": "http://localhost:8000/cal"},
        {"t": 41, "type": "tab.open"},
        {"t": 42, "type": "tab.switch", "index": 1},
        {"t": 43, "type": "tab.close", "index": 1},
        {"t": 44, "type": "tab.close"},
        {"t": 45, "type": "check", "kind": "element", "target": {"selector": "aria/Send"}},
        {"t": 46, "type": "check", "kind": "expression", "expression": "document.title"},
        {"t": 47, "type": "check", "kind": "navigation", "title": "Inbox", "operator": "=="},
        {"t": 50, "type": "answer", "text": "42", "action": {"name": "answer", "args": [None]}},
        {"t": 51, "type": "done"},
    ]
    return events


@pytest.fixture
def meta() -> TrajectoryMeta:
    return TrajectoryMeta.model_validate(meta_dict())


@pytest.fixture
def make_meta() -> Callable[..., dict[str, Any]]:
    """Factory: a valid meta.json dict with some fields replaced."""
    return meta_dict


@pytest.fixture
def event_dicts() -> list[dict[str, Any]]:
    return all_event_dicts()


@pytest.fixture
def png() -> bytes:
    return PNG_1X1


@pytest.fixture
def jpeg() -> bytes:
    return JPEG_STUB
