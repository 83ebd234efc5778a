"""Findings on a recording itself: not verdicts, but what an auditor of captured data wants to know.

- `idle_gap`: nothing happened for a long time (a person left; the timing is not work time).
- `inhuman_timing`: a run of keystrokes or a pointer jump faster than a hand can do it.
- `unmasked_secret`: keys typed into a password-like field were stored in clear.
- `card_number`: a payment card number (Luhn-valid) was typed or answered.
- `corrections`: many keystrokes were deleted again (typos are human; very many are worth a look).
"""

from __future__ import annotations

import math
import re
from typing import Any

from officegym.trajectory import Answer, Event, KeyDown, MouseMove, TextInput

IDLE_GAP_MS = 30_000
KEY_BURST = 8  # this many keystrokes in a row ...
KEY_MIN_GAP_MS = 8  # ... each closer than this to the last is not typing by hand
POINTER_SPEED = 20_000  # px/s: faster than a flick of the wrist, between two sampled moves
SECRET_FIELD = re.compile(r"pass(word|code|phrase)?|pin\b|secret|token|api.?key", re.I)
CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
CORRECTION_SHARE = 0.3


def luhn_ok(digits: str) -> bool:
    """The Luhn checksum every payment card number satisfies.

    >>> luhn_ok("4111111111111111"), luhn_ok("4111111111111112")
    (True, False)
    """
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def card_numbers(text: str) -> list[str]:
    """Luhn-valid card-like numbers in `text`, with separators removed."""
    found = []
    for match in CARD.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if 13 <= len(digits) <= 19 and luhn_ok(digits):
            found.append(digits)
    return found


class Auditor:
    """Fed every event of a recording in order; `findings` lists what it noticed."""

    def __init__(self) -> None:
        self.findings: list[dict[str, Any]] = []
        self._last_t: float | None = None
        self._key_run: list[tuple[int, float]] = []  # (index, t) of fast consecutive keys
        self._move: tuple[float, float, float] | None = None
        self._typed: list[str] = []  # printable keys, for card numbers in what was typed
        self._keys = 0
        self._deletions = 0
        self._reported: set[str] = set()

    def _add(self, kind: str, index: int, detail: str, once: bool = False) -> None:
        if once and kind in self._reported:
            return
        self._reported.add(kind)
        self.findings.append({"kind": kind, "event_index": index, "detail": detail})

    def see(self, index: int, event: Event) -> None:
        if self._last_t is not None and event.t - self._last_t >= IDLE_GAP_MS:
            gap = (event.t - self._last_t) / 1000
            self._add("idle_gap", index, f"{gap:.0f} s without any event before this one")
        self._last_t = event.t
        if isinstance(event, KeyDown):
            self._key(index, event)
        elif isinstance(event, MouseMove) and event.x is not None and event.y is not None:
            if self._move is not None and event.t > self._move[2]:
                distance = math.hypot(event.x - self._move[0], event.y - self._move[1])
                speed = distance / (event.t - self._move[2]) * 1000
                if speed > POINTER_SPEED and distance > 200:
                    self._add(
                        "inhuman_timing",
                        index,
                        f"the pointer jumped {distance:.0f} px in {event.t - self._move[2]:.0f} ms",
                        once=True,
                    )
            self._move = (event.x, event.y, event.t)
        elif isinstance(event, TextInput) and not event.masked:
            self._typed.append(event.text)
            self._secret(index, event.target.name if event.target else None, event.target)
        elif isinstance(event, Answer):
            for number in card_numbers(event.text):
                self._add(
                    "card_number", index, f"the answer holds a card number ending {number[-4:]}"
                )

    def _key(self, index: int, event: KeyDown) -> None:
        if event.masked:
            return
        self._keys += 1
        if event.key in ("Backspace", "Delete"):
            self._deletions += 1
        elif len(event.key) == 1:
            self._typed.append(event.key)
        elif event.key in ("Enter", "Tab"):
            self._typed.append(" ")
        if event.target is not None:
            self._secret(index, event.target.name, event.target)
        run = self._key_run
        if run and event.t - run[-1][1] < KEY_MIN_GAP_MS:
            run.append((index, event.t))
            if len(run) == KEY_BURST:
                self._add(
                    "inhuman_timing",
                    run[0][0],
                    f"{KEY_BURST} keystrokes less than {KEY_MIN_GAP_MS} ms apart",
                    once=True,
                )
        else:
            self._key_run = [(index, event.t)]

    def _secret(self, index: int, name: str | None, target: Any) -> None:
        label = " ".join(str(v) for v in (name, getattr(target, "selector", None)) if v)
        if label and SECRET_FIELD.search(label):
            self._add(
                "unmasked_secret",
                index,
                f"input to {label!r} is stored in clear: mask it at capture",
                once=True,
            )

    def finish(self, index: int) -> list[dict[str, Any]]:
        """Findings that need the whole recording; returns all findings."""
        for number in card_numbers("".join(self._typed)):
            self._add("card_number", index, f"a card number ending {number[-4:]} was typed")
        if self._keys >= 20 and self._deletions / self._keys > CORRECTION_SHARE:
            self._add(
                "corrections",
                index,
                f"{self._deletions} of {self._keys} keystrokes were Backspace or Delete",
            )
        return self.findings
