"""What the `toast` and `slow` variants draw from an episode's seed (registered in
`officegym.tasks.variants`): the notifications that appear and when, and the latency of each
request to the apps."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

_TOAST_JS = (Path(__file__).parent / "variant_toast.js").read_text()
# The notifications a person meets while working, by kind; the seed picks the kind and its text.
TOAST_TEXTS: dict[str, tuple[tuple[str, str], ...]] = {
    "saved": (
        ("Saved", ""),
        ("Draft saved", "Your changes are stored."),
        ("All changes saved", ""),
    ),
    "message": (
        ("New message from Priya Raman", "Are we still on for Thursday?"),
        ("New message from Tom Becker", "Sent you the slides."),
        ("New message from Ana Lima", "Quick question about the budget"),
    ),
    "sync": (
        ("Sync complete", ""),
        ("Sync complete", "3 items updated."),
        ("Sync complete", "Your calendar is up to date."),
    ),
}
# Where a toast shows: corners over the apps' content (the top-left holds each app's own menu).
TOAST_CORNERS = ("bottom-left", "top-right", "bottom-right")
TOAST_FIRST_STEPS = (1, 2, 3)  # the first toast shows after one of these steps
TOAST_LIFETIMES = (2, 3, None)  # steps a toast stays when not dismissed (None: until dismissed)
SECOND_TOAST_GAP = (2, 3, 4)  # a second toast, if any, shows this many steps after the first
# Latency of each response under `slow`, in milliseconds.
LATENCY_MS = (50, 400)


@dataclass(frozen=True)
class ToastPlan:
    """The toasts of one episode: the page's script and the steps after which it acts."""

    script: str
    after_step: dict[int, str]


def draw_toasts(rng: random.Random) -> ToastPlan:
    """One or two toasts, each with its kind, text, corner, step and lifetime, from `rng`."""
    first = rng.choice(TOAST_FIRST_STEPS)
    steps = [first] + ([first + rng.choice(SECOND_TOAST_GAP)] if rng.random() < 0.5 else [])
    toasts: list[dict[str, str]] = []
    scripts: dict[int, list[str]] = {}
    for i, step in enumerate(steps):
        kind = rng.choice(sorted(TOAST_TEXTS))
        title, detail = rng.choice(TOAST_TEXTS[kind])
        toasts.append(
            {"kind": kind, "title": title, "detail": detail, "corner": rng.choice(TOAST_CORNERS)}
        )
        scripts.setdefault(step, []).append(f"window.__ogToast && window.__ogToast.show({i})")
        lifetime = rng.choice(TOAST_LIFETIMES)
        if lifetime is not None:
            hiding = f"window.__ogToast && window.__ogToast.hide({i})"
            scripts.setdefault(step + lifetime, []).append(hiding)
    script = f"window.__ogToastConfig = {json.dumps({'toasts': toasts})};\n{_TOAST_JS}"
    # A variant gives one script per step: what happens then is joined, in order, into one.
    return ToastPlan(script, {step: ";\n".join(s) for step, s in sorted(scripts.items())})


def toast_script(rng: random.Random) -> str:
    """The toasts' page script. `draw_toasts` depends on nothing but the generator's state, and
    the variant's hooks are each given a generator of their own in the same state
    (`VariantSet.for_episode`): this and `toast_steps` draw one plan, in either order."""
    return draw_toasts(rng).script


def toast_steps(rng: random.Random) -> dict[int, str]:
    """After which steps the toasts show and hide (see `toast_script`)."""
    return draw_toasts(rng).after_step


@dataclass(frozen=True)
class RequestLatency:
    """How long the app server holds each response of one episode (the `slow` variant).

    The delay of a request is drawn from the episode's key, the request (method, host, path)
    and how many times the same request came before: the same episode makes the same requests
    and gets the same delays, whatever order concurrent requests reach the server in.
    """

    key: str
    low_ms: int = LATENCY_MS[0]
    high_ms: int = LATENCY_MS[1]

    def __call__(self, request: str, repeat: int) -> float:
        """The delay in seconds of the `repeat`-th (from 0) `request` ("GET mail.office.test/")."""
        draw = random.Random(f"{self.key}/{request}/{repeat}")
        return draw.randint(self.low_ms, self.high_ms) / 1000


def draw_latency(rng: random.Random) -> RequestLatency:
    """The episode's request latency, keyed by a draw from `rng`."""
    return RequestLatency(f"{rng.getrandbits(64):016x}")
