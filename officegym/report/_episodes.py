"""Episodes as the viewer's data: a run's stored results, and people's recordings.

Each episode becomes one JSON object (see docs/viewer.md, "Data"): who and what, the outcome and
its kind of error, the goal, what the agent spent, the checkpoints, and the steps with their
screenshots and marks. The viewer's filters, sorts and totals read these fields and nothing
else, so an episode of a run and a person's recording look alike to it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from officegym.errors import TrajectoryFormatError
from officegym.evaluators import EpisodeMetrics, variant_label
from officegym.report._marks import clip
from officegym.report._timeline import (
    TEXT_CHARS,
    Frames,
    Timeline,
    agent_timeline,
    finite,
    read_step_log,
    recording_timeline,
)
from officegym.results import ERROR_STATUSES, EpisodeResult
from officegym.trajectory import TrajectoryMeta, TrajectoryReader

# The usage counters a model adapter reports (officegym.agents.remote), summed over a run.
TOKEN_FIELDS = {"prompt": "prompt_tokens", "completion": "completion_tokens"}
USAGE_SUMS = ("requests", "retries", "cost")
# `error_kind` of an episode whose agent and env raised nothing, but whose steps did.
ACTION_ERROR = "action_error"


def run_episode(
    run: Path,
    result: EpisodeResult,
    metrics: EpisodeMetrics | None,
    frames: Frames,
    slot: str,
) -> dict[str, Any]:
    """One stored episode of the run in `run`, with its steps."""
    trajectory = locate_trajectory(run, result)
    log = read_step_log(trajectory.parent / "steps.jsonl") if trajectory else []
    timeline = agent_timeline(trajectory, log, frames, slot)
    if result.status in ERROR_STATUSES or result.error:
        outcome = "error"
        kind = result.status if result.status in ERROR_STATUSES else "error"
    else:
        outcome = "success" if result.success else "failure"
        kind = ACTION_ERROR if any(s.error for s in timeline.steps) else "none"
    episode = _common(timeline)
    episode.update(
        id=result.episode_id,
        task=result.task_id,
        seed=result.seed,
        family=family(result.task_id),
        variant=variant_label(result.variant),
        attacked=result.attacked,
        outcome=outcome,
        status=result.status,
        error_kind=kind,
        error=clip(result.error, TEXT_CHARS),
        score=finite(result.score),
        seconds=finite(result.seconds),
        step_count=result.steps,
        answer=clip(result.answer, TEXT_CHARS) if result.answer else "",
        attempts=result.attempts,
        checkpoints=[_checkpoint(c) for c in result.checkpoints if isinstance(c, dict)],
        usage=usage_of(result.usage, timeline),
    )
    if metrics is not None:
        episode["metrics"] = {
            "steps_ratio": metrics.steps_ratio,
            "time_ratio": metrics.time_ratio,
            "agreement": vars(metrics.agreement) if metrics.agreement else None,
        }
    return episode


def recording_episode(path: Path, frames: Frames, slot: str) -> dict[str, Any]:
    """One recording (a trajectory folder or zip; an agent's too), with its steps; one that
    cannot be opened is an episode of error kind `unreadable` with the reason, so the others
    still show."""
    try:
        with TrajectoryReader(path) as reader:
            by_agent = reader.meta.source == "agent"
            timeline = None if by_agent else recording_timeline(reader, frames, slot)
        if timeline is None:  # an agent's: a step per observation, as in a run's report
            timeline = agent_timeline(path, [], frames, slot)
    except (TrajectoryFormatError, OSError) as exc:
        timeline = Timeline(problem=clip(str(exc), TEXT_CHARS))
    meta = timeline.meta
    task = meta.task.id if meta and meta.task else ""
    episode = _common(timeline)
    episode.update(
        id=clip(meta.id if meta else path.name, 200),
        path=str(path),
        task=task,
        seed=meta.task.seed if meta and meta.task else None,
        family=family(task) if task else "",
        source=meta.source if meta else "",
        outcome=_claimed(meta),
        status="",
        error_kind="unreadable" if timeline.problem else "none",
        error=timeline.problem,
        score=None,
        seconds=round(timeline.last_ms / 1000, 3),
        step_count=sum(1 for s in timeline.steps if s.marks),
        answer=clip(meta.outcome.answer or "", TEXT_CHARS) if meta else "",
        checkpoints=[],
        usage={},
    )
    return episode


def _claimed(meta: TrajectoryMeta | None) -> str:
    """A recording's outcome: what it claims (`success`, `failure`, or `unknown` when it says
    nothing), or `error` when it could not be read."""
    if meta is None:
        return "error"
    claimed = meta.outcome.claimed_success
    return "unknown" if claimed is None else "success" if claimed else "failure"


def _common(timeline: Timeline) -> dict[str, Any]:
    return {
        "goal": timeline.goal,
        "viewport": list(timeline.viewport),
        "problem": timeline.problem,
        "note": timeline.note,
        "steps": [s.as_dict() for s in timeline.steps],
    }


def locate_trajectory(run: Path, result: EpisodeResult) -> Path | None:
    """The episode's trajectory: in the run folder where the runner puts it (so a run folder
    that moved still finds its own), else where the result says it was written."""
    here = run / "episodes" / result.episode_id / "trajectory"
    try:
        inside = here.resolve().is_relative_to(run.resolve())
    except (OSError, RuntimeError, ValueError):
        inside = False
    if inside and here.exists():
        return here
    stored = Path(result.trajectory) if result.trajectory else None
    return stored if stored is not None and stored.exists() else None


def family(task_id: str) -> str:
    """The family of a task: its app, the part of its id before the first dot."""
    return task_id.split(".", 1)[0]


def usage_of(usage: dict[str, Any], timeline: Timeline) -> dict[str, Any]:
    """What the episode's agent spent: tokens from the stored usage, else summed from the
    steps' `agent.tokens`; requests, retries and cost from the stored usage. Counters
    nobody reported are absent, not zero."""
    out: dict[str, Any] = {}
    for short, stored in TOKEN_FIELDS.items():
        value = finite(usage.get(stored))
        if value is None:
            counts = [
                (s.agent or {}).get("tokens", {}).get(short) for s in timeline.steps if s.agent
            ]
            known = [c for c in counts if c is not None]
            value = float(sum(known)) if known else None
        if value is not None:
            out[short] = value
    for name in USAGE_SUMS:
        value = finite(usage.get(name))
        if value is not None:
            out[name] = value
    return out


def totals(episodes: list[dict[str, Any]]) -> dict[str, Any]:
    """A run's (or a set of recordings') totals: episodes by outcome, steps, seconds, and the
    usage counters summed over the episodes that reported them (absent when none did)."""
    out: dict[str, Any] = {"episodes": len(episodes)}
    for outcome in ("success", "failure", "error", "unknown"):
        out[outcome] = sum(e["outcome"] == outcome for e in episodes)
    out["steps"] = sum(e["step_count"] or 0 for e in episodes)
    out["seconds"] = round(sum(e["seconds"] or 0 for e in episodes), 3)
    for name in (*TOKEN_FIELDS, *USAGE_SUMS):
        values = [e["usage"][name] for e in episodes if name in e["usage"]]
        if values:
            out[name] = round(sum(values), 6)
    return out


def _checkpoint(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": clip(str(raw.get("name", "")), 200),
        "kind": clip(str(raw.get("kind", "")), 80),
        "weight": finite(raw.get("weight")),
        "passed": bool(raw.get("passed")),
        "detail": clip(str(raw.get("detail") or ""), TEXT_CHARS),
    }
