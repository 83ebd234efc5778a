"""Human-like input plans: shapes and text, checked without a display."""

from __future__ import annotations

import math
import random

import pytest

from officegym.browser import KEYSYMS, keysym
from officegym.recorder import _humanize as H


def replay_keys(commands: list[str]) -> str:
    """What a text field holds after these xdotool commands (keys and BackSpace only)."""
    reverse = {v: k for k, v in KEYSYMS.items()}
    text: list[str] = []
    for i, word in enumerate(commands):
        if word != "key":
            continue
        sym = commands[i + 1]
        if sym == "BackSpace":
            text.pop()
        else:
            text.append(reverse.get(sym, sym))
    return "".join(text)


@pytest.mark.parametrize("seed", range(20))
def test_typing_types_the_text_even_with_typos(seed: int) -> None:
    text = "Thanks, Dana - see you at 10:30 (room #4)!"
    commands = H.typing_commands(text, random.Random(seed), typo_rate=0.3)
    assert replay_keys(commands) == text


def test_typos_happen_and_are_fixed() -> None:
    text = "please review the quarterly report"
    with_typos = H.typing_commands(text, random.Random(3), typo_rate=0.2)
    assert "BackSpace" in with_typos
    assert "BackSpace" not in H.typing_commands(text, random.Random(3), typo_rate=0)


def test_typing_cadence_varies_around_an_office_pace() -> None:
    commands = H.typing_commands("a" * 400, random.Random(1), typo_rate=0)
    gaps = [float(commands[i + 1]) for i, w in enumerate(commands) if w == "sleep"]
    mean = sum(gaps) / len(gaps)
    assert 0.15 < mean < 0.3  # 40-80 words a minute
    assert max(gaps) > 2 * min(gaps)


def test_mouse_path_lands_on_target_along_a_curve() -> None:
    start, end = (100.0, 600.0), (900.0, 120.0)
    curved = 0
    for seed in range(20):
        path = H.mouse_path(start, end, random.Random(seed))
        assert path[-1][:2] == (900, 120)
        seconds = sum(dt for _, _, dt in path)
        assert 0.3 < seconds < 1.5  # Fitts's law range for a 930 px move
        # Distance of the midpoint from the straight line: hands move in arcs.
        mx, my, _ = path[len(path) // 2]
        dx, dy = end[0] - start[0], end[1] - start[1]
        off = abs(dy * (mx - start[0]) - dx * (my - start[1])) / math.hypot(dx, dy)
        curved += off > 10
    assert curved >= 10


def test_long_moves_sometimes_overshoot() -> None:
    start, end = (0.0, 0.0), (800.0, 0.0)
    overshoots = sum(
        max(x for x, _, _ in H.mouse_path(start, end, random.Random(s))) > 803 for s in range(40)
    )
    assert 5 <= overshoots <= 30


def test_hotkey_holds_modifiers_around_the_key() -> None:
    commands = H.hotkey_commands(["Control", "Enter"], random.Random(0))
    words = [w for w in commands if w not in ("sleep",) and not w[0].isdigit()]
    assert words == ["keydown", "ctrl", "key", "Return", "keyup", "ctrl"]


def test_keysyms() -> None:
    assert keysym("ArrowDown") == "Down"
    assert keysym("é") == "U00E9"
    assert H.wheel_commands(-250, random.Random(0)).count("4") == 2
