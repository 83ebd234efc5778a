"""The task model: seeded parameters, initial state, checkpoints, and an oracle plan.

A task never touches the browser. `setup` writes the apps' state, `evaluate` reads the final state
(and the answer), and `solve` describes, step by step, what a competent person would do; the oracle
agent turns those steps into env actions.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Any, ClassVar, Literal

from officegym.errors import TaskSetupError
from officegym.tasks.apps import StateStore, app_url, load_app
from officegym.tasks.apps._people import directory


@dataclass(frozen=True)
class Checkpoint:
    """One thing the evaluator checked.

    A `goal` checkpoint earns its weight when it passes. A `guard` protects what must not change
    (no other mail archived, no extra recipient): if any guard fails the score is 0.
    """

    name: str
    passed: bool
    kind: Literal["goal", "guard"] = "goal"
    weight: float = 1.0
    detail: str = ""


@dataclass(frozen=True)
class Evaluation:
    """The checkpoints of one episode, with the score and success they imply."""

    checkpoints: tuple[Checkpoint, ...]

    @property
    def success(self) -> bool:
        return bool(self.checkpoints) and all(c.passed for c in self.checkpoints)

    @property
    def score(self) -> float:
        if any(c.kind == "guard" and not c.passed for c in self.checkpoints):
            return 0.0
        goals = [c for c in self.checkpoints if c.kind == "goal"]
        total = sum(c.weight for c in goals)
        return sum(c.weight for c in goals if c.passed) / total if total else 0.0

    def as_dicts(self) -> list[dict[str, Any]]:
        return [c.__dict__.copy() for c in self.checkpoints]


# An answer that says the goal cannot be done (what an infeasible task asks for).
_CANNOT = re.compile(
    r"\b(cannot|can't|can not|unable|impossible|not possible|infeasible|does not exist|"
    r"doesn't exist|no such|not found|there is no|isn't any|is no)\b",
    re.IGNORECASE,
)


def norm(text: str | None) -> str:
    """Lower case with runs of white space made one space: how evaluators compare text."""
    return " ".join((text or "").lower().split())


def mentions(text: str | None, value: str) -> bool:
    """Whether `value` appears in `text` as a whole: "April 2" is not in "April 25", nor "5.50"
    in "85.50" (case and spacing do not matter)."""
    pattern = rf"(?<![\w.]){re.escape(norm(value))}(?![\w]|[.,]\d)"
    return bool(re.search(pattern, norm(text)))


def numbers_in(text: str | None) -> list[float]:
    """Every number in `text`, thousands separators and currency signs ignored: "$12,050" and
    "12050" are both 12050.0."""
    return [float(n.replace(",", "")) for n in re.findall(r"\d[\d,]*(?:\.\d+)?", text or "")]


def says_infeasible(answer: str | None) -> bool:
    """Whether an answer reports that the task cannot be done ("There is no room Z9 …")."""
    return bool(answer and _CANNOT.search(answer))


# ---- oracle plan steps: what to do, named the way a person sees the page ------------------------
@dataclass(frozen=True)
class ClickOn:
    """Click the element with this role whose name contains `name` (the `index`-th match);
    with `exact`, whose name is `name`."""

    role: str
    name: str
    index: int = 0
    exact: bool = False


@dataclass(frozen=True)
class FillIn:
    """Replace the text of the field with this role and name (the `index`-th match)."""

    role: str
    name: str
    text: str
    index: int = 0


@dataclass(frozen=True)
class ChooseOption:
    """Pick `option` in the drop-down list (a `<select>`) with this role and name."""

    role: str
    name: str
    option: str


@dataclass(frozen=True)
class PressKey:
    """Press a key (or `Control+a`-style combination) on whatever has focus."""

    key: str


@dataclass(frozen=True)
class OpenUrl:
    url: str


@dataclass(frozen=True)
class DragTo:
    """Drag the element with `role` whose name contains `name` and drop it on the element with
    `to_role` whose name is `to_name`."""

    role: str
    name: str
    to_role: str
    to_name: str


@dataclass(frozen=True)
class SwitchTab:
    """Make tab `index` (in opening order) the active one."""

    index: int


@dataclass(frozen=True)
class Submit:
    """End the episode with this answer."""

    answer: str = ""


PlanStep = ClickOn | FillIn | ChooseOption | PressKey | OpenUrl | DragTo | SwitchTab | Submit


class Apps(Mapping[str, StateStore]):
    """The state stores of a task's apps, by app name."""

    def __init__(self, stores: dict[str, StateStore]) -> None:
        self._stores = stores

    def __getitem__(self, name: str) -> StateStore:
        return self._stores[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._stores)

    def __len__(self) -> int:
        return len(self._stores)


@dataclass(frozen=True)
class InitialState:
    """What a reset restores: per-app snapshots, and the frozen parameters of the episode."""

    snapshots: Mapping[str, bytes]
    params: Mapping[str, Any] = field(default_factory=dict)


class Task:
    """Base class of every task template. Subclasses set the class attributes and methods.

    Attributes:
        id: `<app>.<name>`, e.g. `mail.reply-to-sender`; the env id is `officegym/<id>-v0`.
        apps: the apps the task uses; only these are reachable in its episodes.
        instruction: the goal, a `str.format` template over the sampled parameters.
        start_path: where the first app's page opens.
        max_steps: the episode is truncated after this many steps.
        tags: skills exercised (`shortcuts`, `dropdown`, `autocomplete`, …) and difficulty.
        infeasible: the goal cannot be done; the right behaviour is to answer that it cannot, and
            the evaluator rewards exactly that.
        page_setup: for tasks whose state lives in the page (MiniWoB++): a JavaScript function
            `(seed) => params` run once the start page has loaded; what it returns joins the
            episode's parameters (the goal may name them).
        page_probe: a JavaScript function `() => state` read after every step; `page_done`
            ends the episode on it, and `evaluate_page` scores the last one.
        restart_in_page: the next episode starts by running `page_setup` again in the page the
            last one ended on (when it is still at the start URL, alone), as MiniWoB++ does;
            no new browser context or page load.
    """

    id: ClassVar[str]
    apps: ClassVar[tuple[str, ...]] = ("mail",)
    instruction: ClassVar[str]
    start_path: ClassVar[str] = "/"
    max_steps: ClassVar[int] = 30
    tags: ClassVar[tuple[str, ...]] = ()
    infeasible: ClassVar[bool] = False
    page_setup: ClassVar[str | None] = None
    page_probe: ClassVar[str | None] = None
    restart_in_page: ClassVar[bool] = False

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        """Draw this episode's parameters (may read the generated app data)."""
        return {}

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        """Write what the task needs into the apps' state."""

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        """Check the final state (and answer) and return the checkpoints."""
        raise NotImplementedError(f"{type(self).__name__} must define evaluate()")

    def page_done(self, state: Mapping[str, Any] | None) -> bool:
        """Whether the page's own logic has ended the episode (tasks with a `page_probe`)."""
        return False

    def evaluate_page(
        self, state: Mapping[str, Any] | None, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        """Score the last `page_probe` state (tasks with a `page_probe`)."""
        raise NotImplementedError(f"{type(self).__name__} has a page_probe but no evaluate_page()")

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        """The oracle's plan for these parameters."""
        raise NotImplementedError(f"{type(self).__name__} must define solve()")

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        """Plans that come close but get a detail wrong (another person, the wrong label), by
        what they get wrong. Each must score 0: the tests play them to show the evaluator tells
        a near miss from success."""
        return {}

    @property
    def start_url(self) -> str:
        return app_url(self.apps[0], self.start_path)

    def goal(self, params: Mapping[str, Any]) -> str:
        return self.instruction.format(**params)

    def initial_state(self, seed: int) -> InitialState:
        """Seeded app data plus this task's setup, as snapshots (cached per task and seed).

        Raises:
            TaskSetupError: the task's sampler or setup failed for this seed.
        """
        return _initial_state(self.id, seed)

    def score(
        self,
        apps: Apps,
        params: Mapping[str, Any],
        answer: str | None,
        page_state: Mapping[str, Any] | None = None,
    ) -> Evaluation:
        if self.page_probe is not None:
            return Evaluation(tuple(self.evaluate_page(page_state, params, answer)))
        return Evaluation(tuple(self.evaluate(apps, params, answer)))


@lru_cache(maxsize=256)
def _initial_state(task_id: str, seed: int) -> InitialState:
    from officegym.tasks._registry import get_task

    task = get_task(task_id)
    stores = {}
    for name in task.apps:
        store = StateStore()
        # App data depends on the app and seed only, so tasks with the same seed share a world.
        load_app(name).populate(store, random.Random(f"{name}/{seed}"), directory(seed))
        stores[name] = store
    apps = Apps(stores)
    try:
        params = task.sample_params(random.Random(f"{task.id}/{seed}"), apps)
        task.setup(apps, MappingProxyType(params))
    except Exception as exc:
        raise TaskSetupError(f"task {task.id!r}, seed {seed}: setup failed: {exc}") from exc
    snapshots = {name: store.snapshot() for name, store in stores.items()}
    for store in stores.values():
        store.close()
    return InitialState(MappingProxyType(snapshots), MappingProxyType(params))
