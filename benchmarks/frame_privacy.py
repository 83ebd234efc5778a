"""Frame privacy: does the frame scanner find the sensitive values a screen shows?

Run: `cd benchmarks && ../.venv/bin/python frame_privacy.py [--seeds S] [--frames N] [--json PATH]`

Plants known values (card numbers that pass Luhn, IBANs, API keys of known shapes, e-mail
addresses, phone numbers) into the apps' seeded state after a reset, through the apps' own data
functions and tables: a mail body, chat messages, sheet cells, Mail's settings page (the
signature) and a settings file in a Code repository (no app has a settings page that shows a
key). Opens each page in the env's browser and takes its frame as the env stores one (JPEG,
quality 90, the viewport's size), at 100 % and at 125 % zoom: device scale factor 1.25 on a
1024x576 CSS viewport, so the frame keeps its 1280x720 pixels and everything on it is 1.25 times
larger, as Chromium's own 125 % zoom and a 125 % display setting draw it. `--profile env-png`
takes them as an env made with `screenshot_format="png"` stores them, `--profile recorder` as
`officegym record` does (a quarter of the width and height, JPEG quality 50).

The true boxes come from the DOM (`_frame_truth`). A planted value counts as found when a box of
its kind overlaps it; a found box that overlaps no sensitive value (planted, or one of the apps'
own) is a false box. Prints recall per kind and zoom, false boxes per frame and the time per
frame. Targets (issue 26): recall ≥ 95 % for card numbers, API keys and e-mail addresses at 100 %,
≥ 90 % for phone numbers, ≤ 0.05 false boxes per frame.
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import random
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from _frame_plants import SURFACES, Surface
from _frame_truth import Box, Planted, TrueValue, true_values
from _measure import summary_ms
from PIL import Image, ImageDraw

from officegym.browser import JPEG_QUALITY, BrowserHost, PageWatch, Stage, app_url, prepare_stage
from officegym.browser._host import PAGE_SCRIPT  # the page script every context of the env runs
from officegym.recorder._recorder import FRAME_QUALITY, FRAME_SCALE
from officegym.replayer._pii import KINDS  # the kinds the event audit and the scanner report
from officegym.tasks import get_task
from officegym.tasks.apps import WORLD_HEADER, StateStore
from officegym.trajectory import TrajectoryWriter

# kind -> the recall the issue asks for at 100 % (kinds without one are measured, not judged)
RECALL_TARGETS = {"card_number": 0.95, "api_key": 0.95, "email": 0.95, "phone_number": 0.90}
FALSE_PER_FRAME_TARGET = 0.05
ZOOMS = (1.0, 1.25)
VIEWPORT = (1280, 720)
# Two boxes overlap when what they share is at least this part of the smaller one: a box that
# grazes a value (a pixel row of the line above) does not find it. The smaller one, because an
# OCR box hugs the glyphs and a DOM line box adds the line's leading.
MIN_OVERLAP = 0.25
# profile -> how a frame is taken: (format, scale, JPEG quality), as each stores its frames
PROFILES = {
    "env": ("jpeg", 1.0, JPEG_QUALITY),
    "env-png": ("png", 1.0, JPEG_QUALITY),
    "recorder": ("jpeg", FRAME_SCALE, FRAME_QUALITY),
}


# ---- scoring -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class FoundBox:
    """A box the scanner reported: the kind it claims and where, in frame pixels."""

    kind: str
    box: Box
    evidence: str = ""


def overlaps(a: Box, b: Box) -> bool:
    """Whether two boxes share at least `MIN_OVERLAP` of the smaller one's area.

    >>> overlaps((0, 0, 10, 10), (5, 5, 10, 10)), overlaps((0, 0, 10, 10), (9, 9, 10, 10))
    (True, False)
    """
    width = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    height = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    smaller = min(a[2] * a[3], b[2] * b[3])
    return width > 0 and height > 0 and smaller > 0 and width * height >= MIN_OVERLAP * smaller


@dataclass(frozen=True)
class Outcome:
    """A planted value a frame shows, and what the scanner found on it."""

    value: TrueValue
    found: bool  # a box of its kind overlaps it
    found_as_any_kind: bool  # a box of any kind does (the text was read, the kind was wrong)
    near: tuple[FoundBox, ...] = ()


@dataclass(frozen=True)
class FrameScore:
    outcomes: tuple[Outcome, ...]  # one per planted value the frame shows whole
    false_boxes: tuple[FoundBox, ...]  # found boxes on no sensitive value at all
    seeded_found: int = 0  # values of the apps' own data that a box overlaps
    seeded_shown: int = 0  # values of the apps' own data the frame shows whole


def score_frame(truth: Sequence[TrueValue], found: Sequence[FoundBox]) -> FrameScore:
    """Score what a scanner found in one frame against what the frame shows.

    A planted value that is not shown whole (clipped, scrolled away, covered) is not scored;
    a box on it, or on a sensitive value of the apps' own data, is not false either.
    """

    def on(value: TrueValue) -> tuple[FoundBox, ...]:
        return tuple(f for f in found if any(overlaps(f.box, b) for b in value.boxes))

    outcomes = []
    for value in truth:
        if value.planted and value.shown:
            near = on(value)
            hit = any(f.kind == value.kind for f in near)
            outcomes.append(Outcome(value, hit, bool(near), near))
    false = tuple(f for f in found if not any(overlaps(f.box, b) for v in truth for b in v.boxes))
    seeded = [v for v in truth if not v.planted and v.shown]
    return FrameScore(tuple(outcomes), false, sum(1 for v in seeded if on(v)), len(seeded))


@dataclass
class Tally:
    shown: int = 0
    found: int = 0
    found_as_any_kind: int = 0
    false_boxes: int = 0


@dataclass
class ScoredFrame:
    surface: str
    seed: int
    zoom: float
    seconds: float
    score: FrameScore
    not_located: int = 0  # planted values in no text of the page (a layout split them)
    not_shown: int = 0  # planted values on the page but not drawn whole


def summarize(frames: Sequence[ScoredFrame]) -> dict[str, Any]:
    """Per zoom: frames, per-kind recall and false boxes, false boxes per frame, time per frame."""
    out: dict[str, Any] = {}
    for zoom in sorted({f.zoom for f in frames}):
        these = [f for f in frames if f.zoom == zoom]
        tallies = {kind: Tally() for kind in KINDS}
        for frame in these:
            for o in frame.score.outcomes:
                t = tallies[o.value.kind]
                t.shown, t.found = t.shown + 1, t.found + o.found
                t.found_as_any_kind += o.found_as_any_kind
            for box in frame.score.false_boxes:
                tallies.setdefault(box.kind, Tally()).false_boxes += 1
        seconds = sorted(f.seconds for f in these)
        out[f"{zoom:.0%}"] = {
            "frames": len(these),
            "kinds": {
                kind: {**asdict(t), "recall": t.found / t.shown if t.shown else None}
                for kind, t in tallies.items()
            },
            "false_boxes": sum(len(f.score.false_boxes) for f in these),
            "false_per_frame": sum(len(f.score.false_boxes) for f in these) / len(these),
            "seeded_values_found": sum(f.score.seeded_found for f in these),
            "seeded_values_shown": sum(f.score.seeded_shown for f in these),
            "not_shown": sum(f.not_shown for f in these),
            "not_located": sum(f.not_located for f in these),
            "median_ms": 1000 * seconds[len(seconds) // 2],
        }
    return out


def verdict(zoom: str, kind: str, recall: float | None) -> str:
    target = RECALL_TARGETS.get(kind)
    if zoom != "100%" or target is None or recall is None:
        return ""
    return f"≥ {target:.0%}  {'met' if recall >= target else 'MISSED'}"


def print_table(summary: dict[str, Any]) -> None:
    print(f"{'zoom':>5}  {'kind':<13} {'recall':>20}  {'any kind':>8}  {'false/frame':>11}  target")
    for zoom, z in summary.items():
        for kind, k in z["kinds"].items():
            if not k["shown"] and not k["false_boxes"]:
                continue
            recall = k["recall"]
            shown = f"{recall:6.1%} ({k['found']}/{k['shown']})" if k["shown"] else "-"
            anyk = f"{k['found_as_any_kind'] / k['shown']:6.1%}" if k["shown"] else "-"
            false = k["false_boxes"] / z["frames"]
            print(f"{zoom:>5}  {kind:<13} {shown:>20}  {anyk:>8}  {false:11.3f}  "
                  f"{verdict(zoom, kind, recall)}")  # fmt: skip
        met = "met" if z["false_per_frame"] <= FALSE_PER_FRAME_TARGET else "MISSED"
        target = f"≤ {FALSE_PER_FRAME_TARGET}  {met}" if zoom == "100%" else ""
        print(f"{zoom:>5}  {'all kinds':<13} {z['frames']:>13} frames  {'':>8}  "
              f"{z['false_per_frame']:11.3f}  {target}")  # fmt: skip
        print(f"{'':>5}  values not shown whole (not scored): {z['not_shown']}, found in no "
              f"text: {z['not_located']}; the apps' own values found: "
              f"{z['seeded_values_found']}/{z['seeded_values_shown']}; "
              f"median {z['median_ms']:.0f} ms a frame")  # fmt: skip


# ---- recording -------------------------------------------------------------------------------
@dataclass
class Frame:
    """A frame as stored, and the truth about it."""

    surface: str
    seed: int
    zoom: float
    image: bytes
    truth: list[TrueValue]
    not_located: list[Planted] = field(default_factory=list)


async def zoomed_stage(host: BrowserHost, task_id: str, seed: int, zoom: float) -> Stage:
    """`prepare_stage`'s stage (the task's seeded worlds, the page at its start), in a context
    drawn at `zoom` times the size: the device scale factor of a 125 % display, and what
    Chromium's own 125 % zoom does. (`BrowserHost.new_context` makes every context at scale 1.)"""
    if zoom == 1:
        return await prepare_stage(host, get_task(task_id), seed, VIEWPORT, None)
    if host.browser is None:
        raise RuntimeError("the browser host is closed")
    task = get_task(task_id)
    init = task.initial_state(seed)
    world_id = uuid.uuid4().hex
    world = host.server.world(world_id)
    for app, snapshot in init.snapshots.items():
        world.stores[app] = StateStore()
        world.stores[app].restore(snapshot)
    context = await host.browser.new_context(
        viewport={"width": round(VIEWPORT[0] / zoom), "height": round(VIEWPORT[1] / zoom)},
        device_scale_factor=zoom,
        extra_http_headers={WORLD_HEADER: world_id},
        locale="en-US",
        timezone_id="UTC",
        service_workers="block",
    )
    await context.add_init_script(PAGE_SCRIPT)
    page = await context.new_page()
    stage = Stage(seed, world_id, dict(world.stores), init.params, context, page, PageWatch(page))
    try:
        await page.goto(task.start_url, wait_until="load")
    except BaseException:
        await stage.close(host)
        raise
    return stage


async def record_surface(
    host: BrowserHost, surface: Surface, seed: int, zoom: float, frames: int, profile: str
) -> list[Frame]:
    """Reset the surface's task at `seed`, plant `frames` batches and take a frame of each."""
    stage = await zoomed_stage(host, surface.task, seed, zoom)
    fmt, scale, quality = PROFILES[profile]
    out = []
    try:
        rng = random.Random(f"frame-privacy/{surface.name}/{seed}")
        for batch in range(frames):
            path, planted = surface.plant(stage.stores, rng, batch)
            await stage.page.goto(app_url(surface.app, path), wait_until="load")
            await stage.watch.settle()
            await stage.painted()
            ratio = await stage.page.evaluate("devicePixelRatio")
            if abs(ratio - zoom) > 1e-6:
                raise RuntimeError(f"{path} is drawn at {ratio}, not {zoom}")
            # A capture is in CSS pixels unless asked for more: a 125 % screen has 1.25 times
            # as many pixels (Chromium draws the page again at that scale: no upscaled bitmap).
            image = await stage.screenshot(fmt, scale=scale * zoom, quality=quality)
            size = Image.open(io.BytesIO(image)).size
            truth, missing = await true_values(stage.page, planted, size)
            out.append(Frame(surface.name, seed, zoom, image, truth, missing))
    finally:
        await stage.close(host)
    return out


def record_all(seeds: Sequence[int], frames: int, profile: str) -> list[Frame]:
    host = BrowserHost.acquire("headless")
    out: list[Frame] = []
    for zoom in ZOOMS:
        for seed in seeds:
            for surface in SURFACES:
                out += host.run(record_surface(host, surface, seed, zoom, frames, profile))
    return out


# ---- scanning and reporting ----------------------------------------------------------------------
def scan_all(frames: Sequence[Frame]) -> list[tuple[ScoredFrame, list[FoundBox]]]:
    """Run the scanner on every frame, given as stored (decoding it is part of its time)."""
    from officegym.replayer import scan_frame  # imported late: only a scan needs Tesseract

    scan_frame(frames[0].image)  # the first call may load the engine: not a frame's time
    out = []
    for frame in frames:
        start = time.perf_counter()
        matches = scan_frame(frame.image)
        seconds = time.perf_counter() - start
        found = [FoundBox(m.kind, m.box, m.evidence) for m in matches]
        score = score_frame(frame.truth, found)
        not_shown = sum(1 for v in frame.truth if v.planted and not v.shown)
        out.append((ScoredFrame(frame.surface, frame.seed, frame.zoom, seconds, score,
                                len(frame.not_located), not_shown), found))  # fmt: skip
    return out


def problems(scored: Sequence[ScoredFrame]) -> dict[str, list[dict[str, Any]]]:
    """Every planted value not found and every false box, with what is known about it."""
    misses, false = [], []
    for f in scored:
        where = {"surface": f.surface, "seed": f.seed, "zoom": f"{f.zoom:.0%}"}
        for o in f.score.outcomes:
            if not o.found:
                misses.append({**where, "kind": o.value.kind, "value": o.value.value,
                               "font_px": round(o.value.font_px, 1),
                               "read_as": [(b.kind, b.evidence) for b in o.near]})  # fmt: skip
        for b in f.score.false_boxes:
            false.append({**where, "kind": b.kind, "evidence": b.evidence, "box": b.box})
    return {"misses": misses, "false_boxes": false}


def keep(folder: Path, frame: Frame, found: Sequence[FoundBox], index: int) -> None:
    """The frame with its true boxes (green planted, blue seeded, grey not shown whole) and the
    found ones (red), for looking at what was missed."""
    image = Image.open(io.BytesIO(frame.image)).convert("RGB")
    draw = ImageDraw.Draw(image)
    for value in frame.truth:
        colour = "green" if value.planted else "blue"
        for x, y, w, h in value.boxes:
            draw.rectangle((x, y, x + w, y + h), outline=colour if value.shown else "grey")
    for f in found:
        x, y, w, h = f.box
        draw.rectangle((x - 2, y - 2, x + w + 2, y + h + 2), outline="red")
    name = f"{index:03d}-{frame.surface.replace(' ', '-')}-s{frame.seed}-{frame.zoom:.0%}"
    image.save(folder / f"{name.replace('%', 'pct')}.png")


def write_recordings(folder: Path, frames: Sequence[Frame], profile: str) -> None:
    """Each episode's frames as a trajectory, so `officegym audit --frames` can read them too."""
    ext = "png" if PROFILES[profile][0] == "png" else "jpg"
    episodes: dict[tuple[str, int, float], list[Frame]] = {}
    for frame in frames:
        episodes.setdefault((frame.surface, frame.seed, frame.zoom), []).append(frame)
    for (surface, seed, zoom), shown in episodes.items():
        name = f"{surface.replace(' ', '-')}-s{seed}-{zoom * 100:.0f}pct"
        task = next(s.task for s in SURFACES if s.name == surface)
        width, height = round(VIEWPORT[0] / zoom), round(VIEWPORT[1] / zoom)
        meta = {"id": name, "source": "synthetic", "task": {"id": task, "seed": seed},
                "recorder": {"name": "benchmarks/frame_privacy.py", "version": "1"},
                "viewport": {"width": width, "height": height, "device_scale_factor": zoom},
                "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}  # fmt: skip
        writer = TrajectoryWriter(folder / name, meta, overwrite=True)
        for i, frame in enumerate(shown):
            path, sha256 = writer.add_frame(frame.image, ext)
            writer.write({"t": 1000.0 * i, "type": "screenshot", "frame": path, "sha256": sha256})
        writer.write({"t": 1000.0 * len(shown), "type": "done"})
        writer.close()


def count(most: int) -> Callable[[str], int]:
    """An argparse type: a whole number from 1 to `most`."""

    def parse(text: str) -> int:
        if not text.isdigit() or not 1 <= int(text) <= most:
            raise argparse.ArgumentTypeError(f"{text!r}: give a whole number from 1 to {most}")
        return int(text)

    return parse


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=count(100), default=2, help="worlds per surface and zoom")
    parser.add_argument("--frames", type=count(20), default=2, help="frames per surface and world")
    parser.add_argument(
        "--profile", choices=sorted(PROFILES), default="env",
        help="take frames as an env stores them (JPEG or PNG), or as `officegym record` does",
    )  # fmt: skip
    parser.add_argument("--json", type=Path, help="write the figures and every miss here")
    parser.add_argument(
        "--keep", type=Path,
        help="save here each frame with its boxes drawn (boxes/) and the episodes as "
        "trajectories (recordings/)",
    )  # fmt: skip
    args = parser.parse_args()
    print(f"# frame_privacy  {time.strftime('%Y-%m-%d %H:%M')}  {platform.node()}  "
          f"{platform.machine()}  profile={args.profile}")  # fmt: skip
    start = time.perf_counter()
    frames = record_all(range(args.seeds), args.frames, args.profile)
    recorded = time.perf_counter() - start
    print(f"recorded {len(frames)} frames in {recorded:.0f} s; scanning")
    results = scan_all(frames)
    scored = [s for s, _ in results]
    summary = summarize(scored)
    print_table(summary)
    print("time per frame:", summary_ms([s.seconds for s in scored]))
    if args.keep:
        (args.keep / "boxes").mkdir(parents=True, exist_ok=True)
        for i, (frame, (_, found)) in enumerate(zip(frames, results, strict=True)):
            keep(args.keep / "boxes", frame, found, i)
        write_recordings(args.keep / "recordings", frames, args.profile)
    if args.json:
        report = {"date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "machine": platform.node(),
                  "command": " ".join(sys.argv), "args": {k: str(v) for k, v in vars(args).items()},
                  "summary": summary, **problems(scored)}  # fmt: skip
        args.json.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
