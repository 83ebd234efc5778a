"""Where sensitive text is on a page, in frame pixels: the ground truth of `frame_privacy.py`.

The page is asked twice. First for the text it shows: every rendered text node, and the value of
every text field (a textarea or a text input draws its value without a text node). Python then
finds the values in those texts: the planted ones by exact search, and whatever else the event
audit's detectors call sensitive (the apps' seeded data has e-mail addresses of its own, which a
frame scanner rightly reports). Then the page says where each span is drawn: one box per line
(`Range.getClientRects`; for a field, the same range in an invisible copy of the field laid out
like it), how much of each box is inside the viewport and every scrolling or clipping ancestor,
and whether something else is drawn over it (`elementFromPoint`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from playwright.async_api import Page

# The event audit's own detectors: what counts as sensitive has one definition.
from officegym.replayer._pii import find_sensitive

Box = tuple[float, float, float, float]  # x, y, width, height in frame pixels
SHOWN_ENOUGH = 0.9  # a value drawn less than this much (clipped, scrolled away) is not scored

TEXTS_JS = """() => {
  const skip = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "TEXTAREA", "OPTION", "TITLE"]);
  const shown = (el) => el.checkVisibility({visibilityProperty: true, opacityProperty: true});
  const font = (el) => parseFloat(getComputedStyle(el).fontSize);
  const nodes = [], texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const p = n.parentElement;
    if (!p || !n.data.trim() || skip.has(p.tagName) || !shown(p)) continue;
    nodes.push(n); texts.push({text: n.data, font: font(p)});
  }
  const typed = new Set(["text", "search", "email", "tel", "url"]);
  for (const el of document.querySelectorAll("textarea, input")) {
    if (el.tagName === "INPUT" && !typed.has(el.type)) continue;  // password fields show dots
    if (!el.value.trim() || !shown(el)) continue;
    nodes.push(el); texts.push({text: el.value, font: font(el)});
  }
  window.__frameTruth = nodes;
  return {texts, width: innerWidth, height: innerHeight, dpr: devicePixelRatio};
}"""

BOXES_JS = """(spans) => {
  const nodes = window.__frameTruth;
  const clipOf = (el) => {  // the viewport, narrowed by every ancestor that clips its content
    let [l, t, r, b] = [0, 0, innerWidth, innerHeight];
    for (let a = el; a && a !== document.documentElement; a = a.parentElement) {
      const cs = getComputedStyle(a);
      if (cs.overflowX === "visible" && cs.overflowY === "visible") continue;
      const box = a.getBoundingClientRect();
      const left = box.left + a.clientLeft, top = box.top + a.clientTop;
      [l, t] = [Math.max(l, left), Math.max(t, top)];
      [r, b] = [Math.min(r, left + a.clientWidth), Math.min(b, top + a.clientHeight)];
    }
    return [l, t, r, b];
  };
  const fieldRects = (el, start, end) => {  // a field's text, laid out in a copy of the field
    const cs = getComputedStyle(el), box = el.getBoundingClientRect();
    const copy = document.createElement("div");
    const laidOut = new RegExp("^(font|letter-spacing|word-spacing|text-|tab-size|padding|" +
      "border-.*-width|box-sizing|line-height|word-break|overflow-wrap)");
    for (const p of cs) if (laidOut.test(p)) copy.style.setProperty(p, cs.getPropertyValue(p));
    const area = el.tagName === "TEXTAREA";
    Object.assign(copy.style, {position: "fixed", left: box.left + "px", top: box.top + "px",
      width: box.width + "px", height: box.height + "px", visibility: "hidden",
      borderStyle: "solid", whiteSpace: area ? "pre-wrap" : "pre",
      overflowY: area && el.scrollHeight > el.clientHeight ? "scroll" : "hidden"});
    const inner = el.clientHeight - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom);
    if (!area) copy.style.lineHeight = inner + "px";  // an input centres its one line
    copy.textContent = el.value;
    document.body.appendChild(copy);
    const range = document.createRange();
    range.setStart(copy.firstChild, start); range.setEnd(copy.firstChild, end);
    const rects = [...range.getClientRects()].map(
      r => new DOMRect(r.x - el.scrollLeft, r.y - el.scrollTop, r.width, r.height));
    copy.remove();
    return rects;
  };
  const covered = (host, l, t, r, b) => [l + 1, (l + r) / 2, r - 1]
    .some((x) => { const hit = document.elementFromPoint(x, (t + b) / 2);
      return !hit || !(hit === host || host.contains(hit) || hit.contains(host)); });
  return spans.map(([i, start, end]) => {
    const n = nodes[i];
    let rects, host;
    if (n.nodeType === Node.TEXT_NODE) {
      const range = document.createRange();
      range.setStart(n, start); range.setEnd(n, end);
      rects = [...range.getClientRects()]; host = n.parentElement;
    } else { rects = fieldRects(n, start, end); host = n; }
    const [cl, ct, cr, cb] = clipOf(host);
    return rects.filter(r => r.width > 0.5 && r.height > 0.5).map(r => {
      const l = Math.max(r.left, cl), t = Math.max(r.top, ct);
      const rr = Math.min(r.right, cr), b = Math.min(r.bottom, cb);
      const inside = rr > l && b > t ? (rr - l) * (b - t) / (r.width * r.height) : 0;
      return {box: [r.left, r.top, r.width, r.height], shown: inside,
              covered: inside > 0 && covered(host, l, t, rr, b)};
    });
  });
}"""


@dataclass(frozen=True)
class Planted:
    """A value put into an app's data, and what kind of value it is."""

    kind: str
    value: str


@dataclass(frozen=True)
class TrueValue:
    """A sensitive value as a frame shows it.

    Attributes:
        boxes: one box per line it is drawn on, in frame pixels.
        planted: put there by the benchmark (scored for recall); otherwise a value of the apps'
            seeded data (a found box on it is neither a hit nor a false box).
        shown: drawn whole enough to be read (`SHOWN_ENOUGH` of every box, nothing over it);
            a value that is not is not scored, but a box found on it is not false either.
        font_px: its font size in frame pixels.
    """

    kind: str
    value: str
    boxes: tuple[Box, ...]
    planted: bool
    shown: bool
    font_px: float


async def true_values(
    page: Page, planted: Sequence[Planted], frame_size: tuple[int, int]
) -> tuple[list[TrueValue], list[Planted]]:
    """The sensitive values the page shows, in the pixels of a frame of `frame_size`.

    Returns:
        The values found, and the planted values found in no text of the page at all.
    """
    page_texts: dict[str, Any] = await page.evaluate(TEXTS_JS)
    scale_x = frame_size[0] / page_texts["width"]
    scale_y = frame_size[1] / page_texts["height"]
    spans: list[tuple[int, int, int]] = []
    meta: list[tuple[str, str, bool, float]] = []
    located: set[Planted] = set()
    for index, item in enumerate(page_texts["texts"]):
        text: str = item["text"]
        taken: list[tuple[int, int]] = []
        for value in planted:
            start = text.find(value.value)
            while start >= 0:
                end = start + len(value.value)
                spans.append((index, start, end))
                meta.append((value.kind, value.value, True, item["font"]))
                taken.append((start, end))
                located.add(value)
                start = text.find(value.value, end)
        for match in find_sensitive(text):
            if not any(match.start < e and s < match.end for s, e in taken):
                spans.append((index, match.start, match.end))
                meta.append((match.kind, match.value, False, item["font"]))
    drawn: list[list[dict[str, Any]]] = await page.evaluate(BOXES_JS, spans) if spans else []
    values = []
    for (kind, text_value, is_planted, font), lines in zip(meta, drawn, strict=True):
        if not lines:
            continue
        boxes = tuple(
            (x * scale_x, y * scale_y, w * scale_x, h * scale_y)
            for x, y, w, h in (line["box"] for line in lines)
        )
        shown = all(line["shown"] >= SHOWN_ENOUGH and not line["covered"] for line in lines)
        values.append(TrueValue(kind, text_value, boxes, is_planted, shown, font * scale_y))
    return values, [p for p in planted if p not in located]
