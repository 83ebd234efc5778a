"""The audit's keyboard findings on timing: keystrokes too fast for a hand, keys that stuck, and
the share of keystrokes that delete.

A key held down repeats: the system sends another key.down about 30 times a second, with no
key.up between, until the key is released. Those repeats say how long the key was held, not
how fast someone typed, so they are no keystrokes of their own. A key that repeats on and on
and is never released before the recording ends stayed down at capture (its release was lost,
in a remote session or a recorder that lost focus): `stuck_key`.

Only the key pressed last repeats, so a repeat is a press of the key that went down last,
with no other key pressed between. A lost release alone is no repeat: Chrome on macOS sends no
key.up for a key pressed while Cmd is held, so Cmd+V, Cmd+V, ... is V down again and again
without a release, but with Cmd released and pressed between. A modifier's own repeats (a held
Shift repeats too) break no run; a modifier pressed afresh does.

Whether a second key.down is a repeat can only be told where the recording records releases:
without any key.up, every press looks held. That is known at the end, so the counts are kept
both ways (every key.down a keystroke; repeats not) and `finish` uses the one that applies.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from officegym.replayer._pointer import Report
from officegym.trajectory import KeyDown, KeyUp
from officegym.trajectory.keys import MODIFIERS

KEY_BURST = 8  # this many keystrokes in a row ...
KEY_MIN_GAP_MS = 8  # ... each closer than this to the last is not typing by hand
# A key pressed this often with no release recorded before the end stayed down at capture: the
# presses after the first are the system's auto-repeat, not a person.
STUCK_REPEATS = 20


def _name(key: str) -> str:
    """A key's name as its press and its release both give it: "Q" goes down and, with Shift
    let go first, "q" comes up."""
    return key.lower() if len(key) == 1 else key


@dataclass
class _Reading:
    """Keystrokes counted one way: the current run of fast ones, the first burst, the totals."""

    run: list[tuple[int, float]] = field(default_factory=list)  # (index, t)
    burst: int | None = None  # index of the first keystroke of the first burst
    keys: int = 0
    deletions: int = 0

    def stroke(self, index: int, t: float, timed: bool, deletes: bool) -> None:
        self.keys += 1
        self.deletions += deletes
        if not timed:
            return
        if self.run and t - self.run[-1][1] < KEY_MIN_GAP_MS:
            self.run.append((index, t))
            if len(self.run) == KEY_BURST and self.burst is None:
                self.burst = self.run[0][0]
        else:
            self.run = [(index, t)]


class KeyChecks:
    """Fed the key events of a recording in order, except masked ones (all named "•", they
    cannot be told apart).

    Args:
        timed: whether the recording's times are real (not spaced out by an importer).
        report: called for each finding.
    """

    def __init__(self, timed: bool, report: Report) -> None:
        self.timed, self.report = timed, report
        self._every = _Reading()  # every key.down a keystroke
        self._pressed = _Reading()  # a held key's repeats not
        self._held: set[str] = set()  # keys down and not released
        self._by_code: dict[str, str] = {}  # physical key -> the name it went down with
        self._releases = 0
        # the key that would repeat (pressed last), the index of that press, its presses since
        self._repeating: tuple[str, int, int] | None = None
        # each held key's longest run of presses in a row: (index of its first, presses)
        self._longest: dict[str, tuple[int, int]] = {}

    def press(self, index: int, event: KeyDown, deletes: bool) -> None:
        """A key.down (`deletes`: Backspace or Delete in a text)."""
        name = _name(event.key)
        if event.code:
            self._by_code[event.code] = name
        held = name in self._held
        self._held.add(name)
        self._every.stroke(index, event.t, self.timed, deletes)
        run = self._repeating
        if run is not None and run[0] == name and held:
            run = (name, run[1], run[2] + 1)  # the key pressed last, repeating
        elif held and event.key in MODIFIERS:
            return  # a held modifier's repeat: no keystroke, and no other key's run broken
        else:
            self._pressed.stroke(index, event.t, self.timed, deletes)
            run = (name, index, 1)
        self._repeating = run
        if run[2] > self._longest.get(name, (0, 0))[1]:
            self._longest[name] = run[1:]

    def release(self, event: KeyUp) -> None:
        """A key.up: the key is no longer held."""
        self._releases += 1
        name = self._by_code.pop(event.code, None) if event.code else None
        name = name or _name(event.key)
        self._held.discard(name)
        self._longest.pop(name, None)  # released after all: it did not stay down

    def finish(self) -> tuple[int, int]:
        """The recording ended: report bursts and stuck keys.

        Returns:
            How many keystrokes there were, and how many of them deleted.
        """
        reading = self._pressed if self._releases else self._every
        if reading.burst is not None:
            self.report(
                "superhuman_timing",
                reading.burst,
                f"{KEY_BURST} keystrokes less than {KEY_MIN_GAP_MS} ms apart",
                "keys",
            )
        for name, (first, presses) in self._longest.items():
            if self._releases and presses >= STUCK_REPEATS:
                self.report(
                    "stuck_key",
                    first,
                    f"{name!r} went down {presses} times in a row and was never released: "
                    "auto-repeat of a key that stayed down",
                    name,
                )
        return reading.keys, reading.deletions
