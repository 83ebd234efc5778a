"""Human-like input as xdotool command chains: curved mouse paths, typing cadence, typos.

Everything is drawn from the `random.Random` passed in, so a synthetic recording is reproducible
from its seed. The chains run as one `xdotool` process each: xdotool sleeps between the commands,
so the timing does not depend on how fast Python starts processes.
"""

from __future__ import annotations

import math
import random

# The X key names are shared with the env's OS-level input.
from officegym.browser import WHEEL_NOTCH, keysym

Point = tuple[float, float]
QWERTY = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]


def _ease(u: float) -> float:
    """Minimum-jerk profile: slow start, fast middle, slow landing, as hands move."""
    return 10 * u**3 - 15 * u**4 + 6 * u**5


def _bezier(p0: Point, p1: Point, p2: Point, p3: Point, u: float) -> Point:
    a, b, c, d = (1 - u) ** 3, 3 * u * (1 - u) ** 2, 3 * u**2 * (1 - u), u**3
    return (
        a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
        a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1],
    )


def _segment(start: Point, end: Point, rng: random.Random, seconds: float) -> list[Point]:
    dx, dy = end[0] - start[0], end[1] - start[1]
    distance = math.hypot(dx, dy)
    # Control points off the straight line: hands move in arcs, not rulers.
    nx, ny = (-dy / distance, dx / distance) if distance else (0.0, 0.0)
    bend = rng.uniform(-0.25, 0.25) * distance
    p1 = (start[0] + dx * 0.3 + nx * bend, start[1] + dy * 0.3 + ny * bend)
    p2 = (start[0] + dx * 0.7 + nx * bend * 0.5, start[1] + dy * 0.7 + ny * bend * 0.5)
    steps = max(4, round(seconds * 60))
    points = []
    for i in range(1, steps + 1):
        x, y = _bezier(start, p1, p2, end, _ease(i / steps))
        if i < steps:  # tremor along the way, none at the landing point
            x, y = x + rng.gauss(0, 0.6), y + rng.gauss(0, 0.6)
        points.append((x, y))
    return points


def mouse_path(start: Point, end: Point, rng: random.Random) -> list[tuple[int, int, float]]:
    """Screen points from `start` to `end`, each with the seconds to wait before it.

    The duration follows Fitts's law; long moves sometimes overshoot and come back.

    >>> path = mouse_path((0, 0), (400, 300), random.Random(1))
    >>> path[-1][:2], len(path) > 10
    ((400, 300), True)
    """
    distance = math.hypot(end[0] - start[0], end[1] - start[1])
    seconds = (0.18 + 0.1 * math.log2(1 + distance / 12)) * rng.uniform(0.85, 1.25)
    if distance > 150 and rng.random() < 0.35:
        ux, uy = (end[0] - start[0]) / distance, (end[1] - start[1]) / distance
        past = rng.uniform(5, 14)
        beyond = (end[0] + ux * past + rng.gauss(0, 2), end[1] + uy * past + rng.gauss(0, 2))
        points = _segment(start, beyond, rng, seconds * 0.85)
        points += _segment(beyond, end, rng, rng.uniform(0.08, 0.16))
    else:
        points = _segment(start, end, rng, seconds)
    dt = seconds / len(points)
    return [(round(x), round(y), dt) for x, y in points]


def move_commands(path: list[tuple[int, int, float]]) -> list[str]:
    out: list[str] = []
    for x, y, dt in path:
        out += ["sleep", f"{dt:.3f}", "mousemove", str(x), str(y)]
    return out


def click_commands(rng: random.Random, button: int = 1) -> list[str]:
    """Press and release with a human hold time, after the hand has come to rest."""
    return [
        "sleep", f"{rng.uniform(0.04, 0.12):.3f}", "mousedown", str(button),
        "sleep", f"{rng.uniform(0.05, 0.11):.3f}", "mouseup", str(button),
    ]  # fmt: skip


def _typo_for(char: str, rng: random.Random) -> str | None:
    for row in QWERTY:
        i = row.find(char.lower())
        if i >= 0:
            neighbours = row[max(0, i - 1) : i] + row[i + 1 : i + 2]
            return rng.choice(neighbours)
    return None


def typing_commands(text: str, rng: random.Random, typo_rate: float = 0.03) -> list[str]:
    """Keystrokes for `text` with a varied cadence and, now and then, a typo fixed with Backspace.

    >>> typing_commands("Hi", random.Random(0), typo_rate=0)[1::4]
    ['H', 'i']
    """
    out: list[str] = []
    for i, char in enumerate(text):
        typo = _typo_for(char, rng) if rng.random() < typo_rate and i > 0 else None
        if typo is not None:
            out += ["key", typo, "sleep", f"{rng.uniform(0.18, 0.4):.3f}"]
            out += ["key", "BackSpace", "sleep", f"{rng.uniform(0.08, 0.2):.3f}"]
        out += ["key", keysym(char)]
        # A lognormal gap around 190 ms (about 55 words a minute, an office typist's pace);
        # longer after a word and after a sentence.
        gap = rng.lognormvariate(math.log(0.19), 0.4)
        if char == " ":
            gap += rng.uniform(0.05, 0.2)
        elif char in ".,!?":
            gap += rng.uniform(0.3, 0.8)
        out += ["sleep", f"{gap:.3f}"]
    return out


def hotkey_commands(keys: list[str], rng: random.Random) -> list[str]:
    """Hold the modifiers, tap the last key, let go in reverse order."""
    *mods, last = [keysym(k) for k in keys]
    out: list[str] = []
    for mod in mods:
        out += ["keydown", mod, "sleep", f"{rng.uniform(0.05, 0.12):.3f}"]
    out += ["key", last, "sleep", f"{rng.uniform(0.04, 0.1):.3f}"]
    for mod in reversed(mods):
        out += ["keyup", mod, "sleep", f"{rng.uniform(0.01, 0.05):.3f}"]
    return out


def wheel_commands(dy: float, rng: random.Random) -> list[str]:
    """Wheel clicks (button 5 down, 4 up) that scroll about `dy` pixels."""
    notches = max(1, round(abs(dy) / WHEEL_NOTCH))
    button = "5" if dy > 0 else "4"
    out: list[str] = []
    for _ in range(notches):
        out += ["click", button, "sleep", f"{rng.uniform(0.06, 0.14):.3f}"]
    return out
