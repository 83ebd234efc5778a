"""`audit --policy`: does a recording keep a capture policy? Findings where it does not.

The audit has the recording alone, no page, so it judges by what the recording says:

- each tab shows the last URL recorded for it (`start_url` for tab 0, a `tab.open` URL for
  the others, then the `observe` and `nav.goto` URLs written while it was the active one); a
  frame, key or text input while the active tab shows a page the policy excludes is
  `policy_excluded_page`. After `nav.back` or `nav.forward` the tab's URL is unknown (the
  recording does not say where the step went) until the next URL: nothing is judged by it;
- a key or text input stored in clear into a field the policy masks (by the recorded target's
  `autocomplete`, or a selector rule that is the recorded selector or its last step) is
  `policy_unmasked_field`;
- a frame, key or text input inside a gap the recording itself declares (`meta.capture.gaps`)
  is `policy_gap_capture`: a recorder that ignored its own pause;
- anything captured (not input, not a tab, the answer or `done`) more than `max_idle_seconds`
  after the last input, or after the last gap's end, is `policy_idle_capture`.

One finding per kind and rule, at the first event that broke it, with how many did.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass, field

from officegym.errors import TrajectoryFormatError
from officegym.replayer._findings import Finding
from officegym.trajectory import (
    ACTIVITY_EVENT_TYPES,
    CAPTURED_EVENT_TYPES,
    UNGATED_EVENT_TYPES,
    CaptureGap,
    CapturePolicy,
    Event,
    KeyDown,
    NavBack,
    NavForward,
    NavGoto,
    Observe,
    TabClose,
    TabOpen,
    TabSwitch,
    TextInput,
    TrajectoryReader,
)

IDLE_SLACK_MS = 1.0  # times are stored to 0.1 ms: rounding is no breach


class _Tabs:
    """The URL each tab shows, as far as the recording says (None: not known), and which tab
    is active; numbered as docs/trajectory.md numbers them (a closed tab keeps its number)."""

    def __init__(self, start_url: str | None) -> None:
        self.urls: list[str | None] = [start_url]
        self.open: list[bool] = [True]
        self.active = 0

    @property
    def url(self) -> str | None:
        return self.urls[self.active] if self.active < len(self.urls) else None

    def see(self, event: Event) -> None:
        if isinstance(event, TabOpen):
            self.urls.append(event.url)
            self.open.append(True)
            self.active = len(self.urls) - 1
        elif isinstance(event, TabSwitch):
            self.active = event.index
        elif isinstance(event, TabClose):
            self._close(self.active if event.index is None else event.index)
        elif self.active < len(self.urls):
            if isinstance(event, Observe | NavGoto):
                self.urls[self.active] = event.url
            elif isinstance(event, NavBack | NavForward):
                self.urls[self.active] = None  # where the step went is not recorded

    def _close(self, index: int) -> None:
        if index >= len(self.open):
            return
        self.open[index] = False
        if index == self.active:  # the nearest open tab before it, else after it
            before = [i for i in range(index) if self.open[i]]
            after = [i for i in range(index + 1, len(self.open)) if self.open[i]]
            self.active = (before[-1:] or after[:1] or [index])[0]


@dataclass
class _Breach:
    """Every event that broke one rule: the first, and how many of each type."""

    first: int
    detail: str
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1

    def what(self) -> str:
        names = {"screenshot": "frame", "key.down": "key", "text.input": "text input"}
        parts = [f"{n} {names.get(k, k)}{'s' if n > 1 else ''}" for k, n in self.counts.items()]
        return " and ".join(parts)


class PolicyCheck:
    """Fed a recording's events in order; `findings()` says where it broke the policy.

    Args:
        policy: the capture policy to check against.
        gaps: the gaps the recording declares (`meta.capture.gaps`).
        start_url: the page shown before any event says otherwise.
    """

    def __init__(
        self, policy: CapturePolicy, gaps: list[CaptureGap], start_url: str | None
    ) -> None:
        self.policy, self.tabs = policy, _Tabs(start_url)
        self.gaps = sorted(gaps, key=lambda g: g.start)
        self._starts = [g.start for g in self.gaps]
        # For the gaps that start before t, the one that ends last: t is in a gap if in it.
        self._last_ending = list(itertools.accumulate(range(len(self.gaps)), self._later_end))
        self._ends = sorted(g.end for g in gaps)
        self._ended = 0  # gaps in _ends already passed
        self._last_activity = 0.0
        self._breaches: dict[tuple[str, str], _Breach] = {}

    def see(self, index: int, event: Event) -> None:
        """Take the next event (`index` counts from 0)."""
        t, kind = event.t, event.type
        while self._ended < len(self._ends) and self._ends[self._ended] <= t:
            # capture went on again there
            self._last_activity = max(self._last_activity, self._ends[self._ended])
            self._ended += 1
        self.tabs.see(event)
        if kind in ACTIVITY_EVENT_TYPES:
            self._last_activity = max(self._last_activity, t)
        elif kind not in UNGATED_EVENT_TYPES:
            self._idle(index, event)
        if kind in CAPTURED_EVENT_TYPES:
            rule = self.policy.excluded_by(self.tabs.url)
            if rule is not None:
                self._breach("policy_excluded_page", rule, index, kind, f"page matching {rule!r}")
            gap = self._gap_at(t)
            if gap is not None:
                span = f"{gap.reason} gap {gap.start / 1000:.1f}-{gap.end / 1000:.1f} s"
                self._breach("policy_gap_capture", span, index, kind, span)
        if isinstance(event, KeyDown | TextInput) and not event.masked:
            masked_by = self.policy.masks(event.target)
            if masked_by is not None and event.target is not None:
                name = event.target.selector or event.target.name or "a field"
                detail = f"{name!r}, masked by {masked_by!r}"
                self._breach("policy_unmasked_field", masked_by, index, kind, detail)

    def _later_end(self, best: int, i: int) -> int:
        return i if self.gaps[i].end > self.gaps[best].end else best

    def _gap_at(self, t: float) -> CaptureGap | None:
        """A gap with start < t < end, found by bisection (a recording holds up to MAX_GAPS)."""
        before = bisect.bisect_left(self._starts, t)  # gaps [0, before) start before t
        if before == 0:
            return None
        gap = self.gaps[self._last_ending[before - 1]]
        return gap if gap.end > t else None

    def _idle(self, index: int, event: Event) -> None:
        limit = self.policy.max_idle_seconds
        if limit is None:
            return
        idle = event.t - self._last_activity
        if idle > limit * 1000 + IDLE_SLACK_MS:
            detail = f"input idle over the policy's {limit:g} s"
            self._breach("policy_idle_capture", "idle", index, event.type, detail)

    def _breach(self, finding: str, rule: str, index: int, kind: str, detail: str) -> None:
        breach = self._breaches.setdefault((finding, rule), _Breach(index, detail))
        breach.count(kind)

    def findings(self) -> list[Finding]:
        """One finding per kind and rule broken, at the first event that broke it."""
        out = []
        for (kind, _), breach in self._breaches.items():
            where = {
                "policy_excluded_page": "captured while a {} was shown",
                "policy_unmasked_field": "stored in clear for {}",
                "policy_gap_capture": "captured inside the recording's own {}",
                "policy_idle_capture": "captured with {}",
            }[kind].format(breach.detail)
            evidence = f"{breach.what()} {where} (first: event {breach.first})"
            out.append(Finding.of(kind, breach.first, evidence))
        return sorted(out, key=lambda f: f.event_index or 0)


def check_policy(reader: TrajectoryReader, policy: CapturePolicy) -> list[Finding]:
    """Findings where a recording breaks a capture policy (docs/data-quality.md).

    Args:
        reader: the recording.
        policy: the policy it should have kept.

    Returns:
        The findings (none when it kept the policy). Up to a line that cannot be read
        (the audit reports the recording `malformed`).
    """
    try:
        meta = reader.meta
    except TrajectoryFormatError:
        return []
    check = PolicyCheck(policy, meta.capture.gaps if meta.capture else [], meta.start_url)
    try:
        for index, (_, event) in enumerate(reader.iter_events(ordered=False)):
            check.see(index, event)
    except TrajectoryFormatError:
        pass  # what came before the bad line is still checked
    return check.findings()
