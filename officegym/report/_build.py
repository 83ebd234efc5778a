"""`officegym report RUN_DIR`: a static HTML report of a run, readable offline from file://.

Pages: `index.html` (summary with CIs, per-app and per-skill tables and plots, every episode),
`episodes/<id>.html` (step timeline, screenshots with click and typing markers, checkpoints),
`verdicts.html` (a replay's verdicts) and `compare.html` (against a baseline run). Screenshots
are linked where the run stored them, not copied.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from officegym.errors import TrajectoryFormatError
from officegym.evaluators import (
    EpisodeMetrics,
    aggregate,
    compare_runs,
    episode_metrics,
    load_references,
)
from officegym.report._svg import ci_bars, difference_bars
from officegym.results import EpisodeResult, ResultStore, load_results
from officegym.tasks import task_labels
from officegym.trajectory import TrajectoryReader

TEMPLATES = Path(__file__).parent / "templates"


@dataclass
class Marker:
    """Something to draw on a screenshot, in the page's CSS pixels."""

    kind: str  # click | type | key | scroll
    x: float
    y: float
    label: str = ""
    width: float = 0.0
    height: float = 0.0


@dataclass
class Step:
    number: int
    action: str
    error: str = ""
    think_ms: float | None = None
    env_ms: float | None = None
    url: str = ""
    frame: str | None = None  # what the agent saw before acting, relative to the page
    markers: list[Marker] = field(default_factory=list)


def _jinja() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(), trim_blocks=True
    )
    env.filters["pct"] = lambda v: "–" if v is None else f"{v:.0%}"
    env.filters["num"] = lambda v, digits=2: "–" if v is None else f"{v:.{digits}f}"
    return env


def page_name(episode_id: str) -> str:
    return re.sub(r"[^\w.-]", "_", episode_id) + ".html"


def write_report(
    run_dir: str | Path,
    *,
    verdicts: str | Path | None = None,
    baseline: str | Path | None = None,
    references: list[str | Path] | None = None,
    alpha: float = 0.05,
) -> Path:
    """Write `RUN_DIR/report/` and return the path of its `index.html`.

    Args:
        verdicts: a `verdicts.jsonl` of `officegym replay`, shown on its own page.
        baseline: another run; `compare.html` then shows this run against it, paired.
        references: oracle runs or valid recordings, for efficiency and step agreement.

    Raises:
        FileNotFoundError: the run (or baseline, or verdicts file) does not exist.
    """
    run = Path(run_dir)
    results = load_results(run)
    info = _run_info(run)
    out = run / "report"
    (out / "episodes").mkdir(parents=True, exist_ok=True)
    refs = load_references(references or [])
    metrics = {r.episode_id: episode_metrics(r, refs, task_labels) for r in results}
    (out / "style.css").write_text((TEMPLATES / "style.css").read_text())
    site = _Site(out, _jinja(), _navigation(out, verdicts, baseline))
    if verdicts is not None:
        _write_verdicts(site, verdicts)
    if baseline is not None:
        _write_comparison(site, run, baseline, alpha)
    for result in results:
        _write_episode(site, result, metrics[result.episode_id])
    _write_index(site, run, info, results, metrics, alpha)
    return out / "index.html"


@dataclass
class _Site:
    """The report's directory, its templates, and the pages every page's navigation lists."""

    out: Path
    jinja: Environment
    pages: dict[str, str]

    def write(self, name: str, template: str, **context: Any) -> None:
        context.setdefault("up", "")
        page = self.jinja.get_template(template).render(pages=self.pages, **context)
        (self.out / name).write_text(page)


def _run_info(run: Path) -> dict[str, Any]:
    store = ResultStore(run / "results.sqlite")
    try:
        return store.info()
    finally:
        store.close()


def _navigation(
    out: Path, verdicts: str | Path | None, baseline: str | Path | None
) -> dict[str, str]:
    pages = {"index.html": "Summary"}
    if verdicts is not None:
        pages["verdicts.html"] = "Replay verdicts"
    if baseline is not None:
        pages["compare.html"] = "Against the baseline"
    for stale in ("verdicts.html", "compare.html"):  # from an earlier report of this run
        if stale not in pages:
            (out / stale).unlink(missing_ok=True)
    return pages


def _write_verdicts(site: _Site, verdicts: str | Path) -> None:
    rows = _read_verdicts(Path(verdicts))
    site.write(
        "verdicts.html",
        "verdicts.html",
        rows=rows,
        source=str(verdicts),
        counts=Counter(r.get("verdict", "?") for r in rows),
    )


def _write_comparison(site: _Site, run: Path, baseline: str | Path, alpha: float) -> None:
    comparison = compare_runs(Path(baseline), run, alpha)
    plot = difference_bars(
        [(t, row["difference"]) for t, row in comparison.per_task.items()],
        "Success difference per task, this run minus the baseline",
    )
    site.write(
        "compare.html",
        "compare.html",
        c=comparison,
        plot=plot,
        baseline=str(baseline),
        run=str(run),
    )


def _write_episode(site: _Site, result: EpisodeResult, metrics: EpisodeMetrics) -> None:
    steps, viewport = episode_steps(result, site.out / "episodes")
    site.write(
        f"episodes/{page_name(result.episode_id)}",
        "episode.html",
        r=result,
        m=metrics,
        steps=steps,
        viewport=viewport,
        up="../",
    )


def _write_index(
    site: _Site,
    run: Path,
    info: dict[str, Any],
    results: list[EpisodeResult],
    metrics: dict[str, EpisodeMetrics],
    alpha: float,
) -> None:
    summary = (
        aggregate(results, list(metrics.values()), alpha, labels=task_labels) if results else None
    )
    site.write(
        "index.html",
        "index.html",
        info=info,
        results=results,
        metrics=metrics,
        summary=summary,
        plots=_summary_plots(summary),
        page_name=page_name,
        written=datetime.now(UTC).isoformat(timespec="seconds"),
        run=str(run),
    )


def _summary_plots(summary: dict[str, Any] | None) -> dict[str, str]:
    plots = {}
    if summary:
        for key, title in (("per_app", "Success per app"), ("per_tag", "Success per skill")):
            bars = [
                (name, g["success"]["mean"], g["success"]["low"], g["success"]["high"])
                for name, g in summary[key].items()
            ]
            plots[key] = ci_bars(bars, f"{title}, with 95% confidence intervals") if bars else ""
    return plots


def _read_verdicts(path: Path) -> list[dict[str, Any]]:
    rows = []
    with path.open() as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: not a verdict line: {exc.msg}") from None
    return rows


def episode_steps(result: EpisodeResult, page_dir: Path) -> tuple[list[Step], tuple[int, int]]:
    """The episode's steps from its step log and trajectory, with the frame each acted on.

    An agent's trajectory has one `observe` (and its screenshot) after reset and after every
    step, so step i's events lie between observations i-1 and i, and observation i-1 is what
    the agent saw when it chose step i.
    """
    log = (
        _read_step_log(Path(result.trajectory).parent / "steps.jsonl") if result.trajectory else []
    )
    segments: list[list[Any]] = [[]]
    frames: list[str | None] = []
    viewport = (1280, 720)
    trajectory = Path(result.trajectory) if result.trajectory else None
    if trajectory is not None and (trajectory / "meta.json").exists():
        try:
            with TrajectoryReader(trajectory) as reader:
                viewport = (reader.meta.viewport.width, reader.meta.viewport.height)
                for _, event in reader.iter_events():
                    if event.type == "observe":
                        segments.append([])
                        frames.append(None)
                    elif event.type == "screenshot" and frames and frames[-1] is None:
                        frames[-1] = os.path.relpath(trajectory / event.frame, page_dir)
                    else:
                        segments[-1].append(event)
        except (TrajectoryFormatError, OSError):
            segments, frames = [[]], []  # the timeline falls back to the step log alone
    if len(segments) > 1 and not segments[-1]:
        segments.pop()  # the episode ended on an observation (truncated), not inside a step
    steps = []
    count = max(len(log), len(segments) - 1)
    for i in range(1, count + 1):
        events = segments[i] if i < len(segments) else []
        line = log[i - 1] if i - 1 < len(log) else {}
        action = line.get("action") or _action_text(events)
        steps.append(
            Step(
                number=i,
                action=str(action),
                error=line.get("error", ""),
                think_ms=line.get("think_ms"),
                env_ms=line.get("env_ms"),
                url=line.get("url", ""),
                frame=frames[i - 1] if i - 1 < len(frames) else None,
                markers=_markers(events),
            )
        )
    if frames and len(frames) > count:  # the last observation: the page as the episode ended
        steps.append(Step(number=count + 1, action="(final page)", frame=frames[-1]))
    return steps, viewport


def _read_step_log(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    lines = []
    for line in path.read_text().splitlines():
        try:
            lines.append(json.loads(line))
        except json.JSONDecodeError:
            break  # a step cut off by a crash: what came before it stands
    return lines


def _action_text(events: list[Any]) -> str:
    action = next((e.action for e in events if e.action), None)
    return json.dumps(action) if action else "(no action reached the page)"


def _markers(events: list[Any]) -> list[Marker]:
    marks: list[Marker] = []
    for event in events:
        if event.type == "mouse.down":
            label = "double-click" if event.click_count == 2 else event.button + " click"
            marks.append(Marker("click", event.x, event.y, label))
        elif event.type == "mouse.wheel":
            marks.append(Marker("scroll", event.x, event.y, f"scroll {event.dy:+.0f}"))
        elif event.type == "text.input":
            text = "•••" if event.masked else event.text
            box = event.target.bbox if event.target and event.target.bbox else None
            x, y = (box.x, box.y) if box else (8.0, 8.0)
            marks.append(
                Marker(
                    "type",
                    x,
                    y,
                    f"typed “{text[:40]}”",
                    box.width if box else 0.0,
                    box.height if box else 0.0,
                )
            )
        elif event.type == "key.down" and (len(event.key) > 1 or event.modifiers):
            keys = "+".join([*event.modifiers, event.key])
            marks.append(Marker("key", 8.0, 8.0 + 22 * sum(m.kind == "key" for m in marks), keys))
    return marks
