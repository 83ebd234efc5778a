"""Episode metrics: outcome, efficiency against a reference, and step agreement (Mind2Web).

A *reference* for (task, seed) is how a competent hand did the same episode: an oracle run's
episode, or a recording that replayed `valid`. Efficiency compares steps and time with it; step
agreement compares, step by step, which element an agent acted on and what it did there, with the
three measures of Mind2Web (Deng et al., 2023): element accuracy, operation F1, step success rate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from officegym.errors import TrajectoryFormatError
from officegym.evaluators._checks import LabelsOf, labels_from_id
from officegym.results import RESULTS_FILE, EpisodeResult, load_results
from officegym.trajectory import MODIFIERS, TrajectoryReader, find_trajectories, is_typing

# Operations named as Mind2Web names them; the value (typed text, option, key) follows.
_OPERATIONS = {
    "click": "CLICK",
    "fill": "TYPE",
    "select": "SELECT",
    "hover": "HOVER",
    "press": "PRESS",
    "goto": "GOTO",
    "back": "BACK",
    "answer": "ANSWER",
}
_VALUE_FIELDS = ("text", "value", "key", "url")


@dataclass(frozen=True)
class ActionStep:
    """One step of a trajectory: the operation with its value, and the element it acted on."""

    operation: str
    element: tuple[str | None, str | None, str | None] | None  # (selector, role, name)

    @property
    def tokens(self) -> list[str]:
        return self.operation.lower().split()


@dataclass(frozen=True)
class Reference:
    """How the reference did one (task, seed): its steps, time and (browser mode) actions."""

    steps: int
    seconds: float
    actions: tuple[ActionStep, ...] | None
    source: str


@dataclass(frozen=True)
class StepAgreement:
    """Mind2Web's measures, step i of the agent against step i of the reference.

    Each is a share of the reference's steps; steps the agent never took count as misses.
    """

    reference_steps: int
    agent_steps: int
    element_accuracy: float
    operation_f1: float
    step_success_rate: float


@dataclass(frozen=True)
class EpisodeMetrics:
    episode_id: str
    task_id: str
    seed: int
    success: bool
    score: float
    steps: int
    seconds: float
    infeasible_handled: bool | None  # None: the task can be done
    steps_ratio: float | None  # agent steps ÷ reference steps; None without a reference
    time_ratio: float | None
    agreement: StepAgreement | None  # None unless both sides acted in browser action mode

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def trajectory_steps(path: str | Path) -> tuple[int, float, tuple[ActionStep, ...] | None]:
    """Steps, seconds and (browser action mode) the action steps of one trajectory.

    An agent's trajectory is cut into steps at its `observe` events (one follows every step). A
    person's recording has no steps, so its acts are counted as an agent would take them: each
    press of a button, each key that is not typing, each run of typed text, each scroll burst.

    Raises:
        TrajectoryFormatError: the trajectory cannot be read (names the file and line).
    """
    with TrajectoryReader(path) as reader:
        meta = reader.meta
        events = [e for _, e in reader.iter_events()]
    seconds = (events[-1].t - events[0].t) / 1000 if events else 0.0
    if meta.source != "agent":
        return _human_acts(events), seconds, None
    segments: list[list[Any]] = [[]]
    for event in events:
        if event.type == "observe":
            segments.append([])
        else:
            segments[-1].append(event)
    steps = segments[1:-1] + ([segments[-1]] if segments[-1] else [])
    browser = (meta.extra or {}).get("action_mode") == "browser"
    actions = tuple(_action_step(seg) for seg in steps) if browser else None
    return len(steps), seconds, actions


def _action_step(events: list[Any]) -> ActionStep:
    action = next((e.action for e in events if e.action), None)
    if action is None:  # the step did nothing in the page (an unparsable or failed action)
        return ActionStep("NONE", None)
    name = str(action.get("action", ""))
    value = " ".join(str(action[f]) for f in _VALUE_FIELDS if action.get(f) not in (None, ""))
    operation = f"{_OPERATIONS.get(name, name.upper())} {value}".strip()
    target = next((e.target for e in events if e.target is not None), None)
    element = (target.selector, target.role, target.name) if target else None
    return ActionStep(operation, element)


def _human_acts(events: Iterable[Any]) -> int:
    acts, typing, scrolling = 0, False, False
    for event in events:
        kind = event.type
        if kind == "key.down" and event.key in MODIFIERS:
            continue  # a modifier alone is no act: the combination it starts is
        types = kind == "key.down" and is_typing(event.key, event.modifiers)
        if kind == "mouse.down" or (kind == "key.down" and not types):
            acts += 1
        elif kind == "key.down" and not typing:
            acts += 1  # the first key of a run of typed text
        elif kind == "mouse.wheel" and not scrolling:
            acts += 1
        if kind in ("key.down", "mouse.down", "mouse.wheel"):
            typing = types
            scrolling = kind == "mouse.wheel"
    return acts


def operation_f1(predicted: ActionStep, truth: ActionStep) -> float:
    """Token-level F1 of operation and value (Mind2Web's operation F1).

    >>> operation_f1(ActionStep("TYPE hello world", None), ActionStep("TYPE hello", None))
    0.8
    """
    pred, gold = predicted.tokens, truth.tokens
    common = sum(min(pred.count(t), gold.count(t)) for t in set(pred))
    if not common:
        return 0.0
    precision, recall = common / len(pred), common / len(gold)
    return 2 * precision * recall / (precision + recall)


def step_agreement(agent: Iterable[ActionStep], reference: Iterable[ActionStep]) -> StepAgreement:
    """Compare step i with step i; a share of the reference's steps each."""
    ours, theirs = list(agent), list(reference)
    if not theirs:
        raise ValueError("the reference has no steps to agree with")
    elements = f1_sum = successes = 0.0
    for mine, gold in zip(ours, theirs, strict=False):
        same_element = mine.element == gold.element
        f1 = operation_f1(mine, gold)
        elements += same_element
        f1_sum += f1
        successes += same_element and mine.operation == gold.operation
    n = len(theirs)
    return StepAgreement(
        reference_steps=n,
        agent_steps=len(ours),
        element_accuracy=elements / n,
        operation_f1=f1_sum / n,
        step_success_rate=successes / n,
    )


def load_references(paths: Iterable[str | Path]) -> dict[tuple[str, int], Reference]:
    """References by (task, seed) from run directories (successful episodes) and recordings.

    A run directory is one holding `results.sqlite`; anything else is searched for recordings
    (use recordings whose replay verdict was `valid`). The first reference found for a
    (task, seed) is kept. A trajectory that cannot be read is skipped: it cannot be a reference.
    """
    refs: dict[tuple[str, int], Reference] = {}
    for raw in paths:
        path = Path(raw)
        if (path / RESULTS_FILE).exists():
            for result in load_results(path):
                key = (result.task_id, result.seed)
                if result.success and key not in refs:
                    actions = _read_actions(result.trajectory)
                    refs[key] = Reference(result.steps, result.seconds, actions, result.trajectory)
            continue
        for trajectory in find_trajectories([path]):
            try:
                with TrajectoryReader(trajectory) as reader:
                    task = reader.meta.task
                if task is None:  # a recording of no task is no reference for one
                    continue
                key = (task.id, task.seed)
                steps, seconds, actions = trajectory_steps(trajectory)
            except (TrajectoryFormatError, OSError):
                continue
            refs.setdefault(key, Reference(steps, seconds, actions, str(trajectory)))
    return refs


def _read_actions(trajectory: str) -> tuple[ActionStep, ...] | None:
    try:
        return trajectory_steps(trajectory)[2] if trajectory else None
    except (TrajectoryFormatError, OSError):
        return None


def episode_metrics(
    result: EpisodeResult,
    references: Mapping[tuple[str, int], Reference] | None = None,
    labels: LabelsOf = labels_from_id,
) -> EpisodeMetrics:
    """Every per-episode metric of one stored episode (`labels` says whether its task is
    infeasible on purpose: pass `officegym.tasks.task_labels`)."""
    infeasible = labels(result.task_id).infeasible
    ref = (references or {}).get((result.task_id, result.seed))
    agreement = None
    if ref is not None and ref.actions:
        mine = _read_actions(result.trajectory)
        if mine is not None:
            agreement = step_agreement(mine, ref.actions)
    return EpisodeMetrics(
        episode_id=result.episode_id,
        task_id=result.task_id,
        seed=result.seed,
        success=result.success,
        score=result.score,
        steps=result.steps,
        seconds=result.seconds,
        infeasible_handled=result.success if infeasible else None,
        steps_ratio=round(result.steps / ref.steps, 3) if ref and ref.steps else None,
        time_ratio=round(result.seconds / ref.seconds, 3) if ref and ref.seconds else None,
        agreement=agreement,
    )
