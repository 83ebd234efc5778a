"""The recorder's capture gate: whether it may capture now, by its policy, and the gaps it left.

Capture goes off while a page the policy excludes is shown, while the person has paused it with
the hotkey, and once nobody has given input for the policy's idle limit. While it is off,
nothing showing a page or what was typed is written (no frames, no keys, no pointer, no
navigation, no observation); the tab structure, the answer and `done` still are, so that the
rest of the recording stays consistent. Every stretch it was off becomes a `CaptureGap` in
`meta.capture.gaps`, naming the policy rule but never the excluded page's URL.

Fields the policy masks are painted over in every frame before it is written: their keys are
masked by the page script, and their text must not come back through the screen.
"""

from __future__ import annotations

import asyncio
import io
import json
import math
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Final

from PIL import Image, ImageDraw
from playwright.async_api import Page

from officegym.trajectory import (
    ACTIVITY_EVENT_TYPES,
    MAX_GAPS,
    UNGATED_EVENT_TYPES,
    CaptureGap,
    CapturePolicy,
    CapturePolicyError,
    TrajectoryWriter,
)

RECORDER_SCRIPT = (Path(__file__).parent / "recorder.js").read_text()


MAX_MASKED_BOXES: Final = 500  # a page with more masked fields has them all painted up to this
# The boxes, in CSS pixels of the viewport, of what the policy masks: a field that matches an
# autocomplete token or a selector; for a selector matching an element around fields (a form),
# the fields in it; for one matching an element with no field in it (a span showing a key),
# that element. recorder.js masks the keys of the same fields (an element around them too).
MASKED_BOXES_JS = """([selectors, tokens, limit]) => {
  const FIELDS = "input, textarea, select, [contenteditable]:not([contenteditable='false'])";
  const found = new Set();
  const add = (e) => {
    const inner = e.matches(FIELDS) ? [] : [...e.querySelectorAll(FIELDS)];
    for (const f of inner.length ? inner : [e]) found.add(f);
  };
  for (const s of selectors) {
    try { for (const e of document.querySelectorAll(s)) add(e); } catch {}
  }
  if (tokens.length) for (const e of document.querySelectorAll("[autocomplete]")) {
    const own = (e.getAttribute("autocomplete") || "").trim().toLowerCase().split(/\\s+/);
    if (own.some((t) => tokens.includes(t))) add(e);
  }
  const boxes = [];
  for (const e of found) {
    const r = e.getBoundingClientRect();
    if (r.width > 0 && r.height > 0 && boxes.length < limit)
      boxes.push([r.x, r.y, r.width, r.height]);
  }
  return {width: innerWidth, boxes};
}"""
Box = tuple[float, float, float, float]  # x, y, width, height


def page_script(policy: CapturePolicy | None) -> str:
    """recorder.js, given the policy's rules for the page (masks, hotkey)."""
    rules = (policy or CapturePolicy()).page_rules()
    return RECORDER_SCRIPT.replace("__OG_CAPTURE_RULES__", json.dumps(rules))


class CaptureGate:
    """Follows the recording's clock and active page, and says what may be written.

    Args:
        policy: the capture policy; None lets everything through and records no gaps.
    """

    def __init__(self, policy: CapturePolicy | None) -> None:
        self.policy = policy
        self.gaps: list[CaptureGap] = []
        self._open: dict[str, tuple[float, str | None]] = {}  # reason -> (start, rule)
        self._last_activity = 0.0  # ms of the last input (or of capture going on again)
        self.gap_keys: set[str] = set()  # keys that went down in a gap: their release too

    @property
    def off(self) -> bool:
        """Whether capture is off now (a gap is open)."""
        return bool(self._open)

    @property
    def paused(self) -> bool:
        """Whether the person paused capture with the hotkey."""
        return "paused" in self._open

    @property
    def reasons(self) -> set[str]:
        """Why capture is off now: `excluded`, `paused`, `idle` (empty when it is on)."""
        return set(self._open)

    def see(self, t: float, active_url: str | None, activity: bool) -> bool:
        """Bring the gate up to time `t` (ms): the active tab shows `active_url`; `activity`
        when the event at `t` is input. Returns True when capture has just gone off."""
        policy = self.policy
        if policy is None:
            return False
        was_off = self.off
        if activity:
            self._close("idle", t)
            self._last_activity = max(self._last_activity, t)
        elif policy.max_idle_seconds is not None and "idle" not in self._open:
            idle_from = round(self._last_activity + policy.max_idle_seconds * 1000, 1)
            if t >= idle_from:
                self._start("idle", idle_from)
        rule = policy.excluded_by(active_url)
        shown = self._open.get("excluded")
        if shown is not None and shown[1] != rule:
            self._close("excluded", t)
        if rule is not None and "excluded" not in self._open:
            self._start("excluded", t, rule)
        return self.off and not was_off

    def toggle_pause(self, t: float) -> bool:
        """The hotkey: pause capture, or resume it. Returns True when it is now paused."""
        if self.policy is None:
            return False
        if self.paused:
            self._close("paused", t)
            return False
        self._start("paused", t)
        return True

    def allows(self, kind: str, url: str | None) -> bool:
        """Whether an event of type `kind` from a page at `url` may be written now."""
        if self.policy is None or kind in UNGATED_EVENT_TYPES:
            return True
        return not self.off and self.policy.excluded_by(url) is None

    def excludes(self, url: str | None) -> bool:
        """Whether the policy never captures the page at `url`."""
        return self.policy is not None and self.policy.excluded_by(url) is not None

    def finish(self, t: float) -> dict[str, Any] | None:
        """Close the open gaps at `t`; `meta.capture` (None without a policy)."""
        if self.policy is None:
            return None
        for reason in list(self._open):
            self._close(reason, t, last=True)
        return self.capture()

    def capture(self) -> dict[str, Any] | None:
        """`meta.capture` as it stands (the gaps closed so far)."""
        if self.policy is None:
            return None
        gaps = [g.model_dump(exclude_none=True) for g in self.gaps]
        return {"policy_sha256": self.policy.digest, "gaps": gaps}

    def _start(self, reason: str, t: float, rule: str | None = None) -> None:
        self._open.setdefault(reason, (t, rule))

    def _close(self, reason: str, t: float, last: bool = False) -> None:
        if reason not in self._open:
            return
        if not last and len(self.gaps) + len(self._open) >= MAX_GAPS:
            return  # no room for more gaps: capture stays off until the end
        start, rule = self._open.pop(reason)
        gap = {"start": start, "end": max(t, start), "reason": reason, "rule": rule}
        self.gaps.append(CaptureGap.model_validate(gap))
        # Capture went on again: idle time counts from here, not from the input before.
        self._last_activity = max(self._last_activity, t)


async def check_mask_selectors(page: Page, policy: CapturePolicy | None) -> None:
    """Refuse a policy whose mask selectors the browser cannot parse: a field they were meant
    to mask would be recorded in clear.

    Raises:
        CapturePolicyError: naming the first selector that does not parse.
    """
    if policy is None or not policy.mask.selectors:
        return
    bad = await page.evaluate(
        """(selectors) => selectors.find((s) => {
            try { document.createDocumentFragment().querySelector(s); return false; }
            catch { return true; }
        }) || null""",
        list(policy.mask.selectors),
    )
    if bad is not None:
        raise CapturePolicyError(f"mask.selectors: {bad!r} is not a CSS selector the browser reads")


async def masked_boxes(page: Page, policy: CapturePolicy | None) -> tuple[float, list[Box]]:
    """The viewport's CSS width, and the boxes (CSS pixels) of what `policy` masks on `page`.

    Raises:
        playwright.async_api.Error: the page is gone or navigating.
    """
    if policy is None or not (policy.mask.selectors or policy.mask.autocomplete):
        return 0.0, []
    rules = [list(policy.mask.selectors), list(policy.mask.autocomplete), MAX_MASKED_BOXES]
    found = await page.evaluate(MASKED_BOXES_JS, rules)
    return float(found["width"]), [(b[0], b[1], b[2], b[3]) for b in found["boxes"]]


def paint_boxes(image: bytes, css_width: float, boxes: list[Box], quality: int) -> bytes:
    """The JPEG `image` of a viewport `css_width` CSS pixels wide, with `boxes` painted black
    (widened to whole frame pixels, and one more, so no edge of a glyph is left)."""
    if not boxes or css_width <= 0:
        return image
    with Image.open(io.BytesIO(image)) as opened:
        frame = opened.convert("RGB")
    scale = frame.width / css_width
    draw = ImageDraw.Draw(frame)
    for x, y, width, height in boxes:
        left, top = math.floor(x * scale) - 1, math.floor(y * scale) - 1
        right, bottom = math.ceil((x + width) * scale) + 1, math.ceil((y + height) * scale) + 1
        draw.rectangle((left, top, right, bottom), fill=(0, 0, 0))
    out = io.BytesIO()
    frame.save(out, "JPEG", quality=quality)
    return out.getvalue()


class GatedCapture:
    """The recorder's side of the capture gate: bring it up to time, pause on the hotkey, say
    whether a frame may be taken now. `Recorder` is one; it provides the clock, the active
    tab's URL and the release of held keys."""

    gate: CaptureGate
    writer: TrajectoryWriter | None
    counts: Counter[str]
    _gaps_saved: int
    _last_t: float

    def _clock(self, epoch_ms: float | None = None) -> float:
        raise NotImplementedError

    def _active_url(self) -> str | None:
        raise NotImplementedError

    def _release_keys(self, epoch_ms: float | None, at: float | None = None) -> None:
        raise NotImplementedError

    def _follow_gate(self, t: float, activity: bool) -> None:
        """Bring the capture gate to `t`. When capture goes off, the keys still held are let go
        first (their releases would fall in the gap), and the gaps so far are saved."""
        reasons = self.gate.reasons
        if self.gate.see(t, self._active_url(), activity):
            self._release_keys(None, at=t)
        if self.gate.reasons != reasons:
            # An event the page sent before this, arriving later, must not land inside it.
            self._last_t = max(self._last_t, t)
        if len(self.gate.gaps) != self._gaps_saved and self.writer is not None:
            self.writer.update_meta(capture=self.gate.capture())  # kept, should the run crash
            self._gaps_saved = len(self.gate.gaps)

    def toggle_pause(self, epoch_ms: float | None = None) -> bool:
        """What the pause hotkey does: pause capture, or resume it. True when now paused."""
        t = self._clock(epoch_ms)
        if not self.gate.paused:
            self._release_keys(None, at=t)
        paused = self.gate.toggle_pause(t)
        self._last_t = max(self._last_t, t)
        self._follow_gate(t, activity=True)
        return paused

    def _gate_lets_through(self, event: dict[str, Any], t: float, page_url: str | None) -> bool:
        """Whether `event` at `t` may be written (from a page at `page_url`, None: not sent by
        a page); a tab opened on a page not to capture loses its URL."""
        kind = event["type"]
        self._follow_gate(t, kind in ACTIVITY_EVENT_TYPES)
        url = page_url or event.get("url")
        if not self.gate.allows(kind, url or self._active_url()):
            self.counts["withheld"] += 1
            return False
        if event.get("url") and self.gate.policy and (self.gate.off or self.gate.excludes(url)):
            event["url"] = None  # which page it was is withheld too
        return True

    async def _masked_frame(
        self, page: Page, screenshot: Callable[[], Awaitable[bytes]], quality: int
    ) -> bytes:
        """A `screenshot()` of `page` (bounded: a hidden window may never give one), with the
        fields the policy masks painted, where they were before it and after it (a field that
        moved meanwhile). A painted frame is re-encoded at JPEG `quality`.

        Raises:
            playwright.async_api.Error, TimeoutError: the page is gone, navigating or hidden.
        """
        width, boxes = await masked_boxes(page, self.gate.policy)
        image = await asyncio.wait_for(screenshot(), 3)
        boxes += (await masked_boxes(page, self.gate.policy))[1]
        return paint_boxes(image, width, boxes, quality)

    def _may_capture(self, url: str) -> bool:
        self._follow_gate(self._clock(), activity=False)
        return self.gate.allows("screenshot", url)
