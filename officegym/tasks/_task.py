"""The task model: seeded parameters, initial state, evaluation, and an oracle plan.

A task never touches the browser. `setup` writes the apps' state, `evaluate` reads the final state
(and the answer), and `solve` describes, step by step, what a competent person would do; the oracle
agent turns those steps into env actions.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

from officegym.errors import TaskSetupError
from officegym.evaluators import Checkpoint, Evaluation
from officegym.tasks._attacks import Injection, attack_checkpoints
from officegym.tasks.apps import StateStore, app_url, load_app
from officegym.tasks.apps.people import directory
from officegym.tasks.plan import PlanStep

if TYPE_CHECKING:
    from officegym.tasks.variants import VariantSet


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
        unsupported_variants: variants (`officegym.tasks.variants`) this template cannot be
            played under although they apply to its kind of task; say why beside it.
        injection: where this template's data can carry an attacker's instruction, and which
            attacks (`officegym.tasks.injections`); None: the `inject` variant does not apply.
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
    unsupported_variants: ClassVar[tuple[str, ...]] = ()
    injection: ClassVar[Injection | None] = None

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

    def initial_state(self, seed: int, variant: VariantSet | None = None) -> InitialState:
        """Seeded app data plus this task's setup (and what a `variant` adds to the state), as
        snapshots (cached per task, seed and the variants that change state).

        Raises:
            TaskSetupError: the task's sampler or setup failed for this seed.
        """
        stateful = variant.stateful() if variant is not None else None
        return _cached_initial_state(type(self), seed, stateful)  # type: ignore[arg-type]

    def build_initial_state(self, seed: int, variant: VariantSet | None = None) -> InitialState:
        """`initial_state` built from scratch, bypassing the cache (what the determinism tests
        compare: two builds of one seed must be byte-identical).

        Raises:
            TaskSetupError: the task's sampler or setup failed for this seed, or the variant's
                additions did.
        """
        stores = {}
        for name in self.apps:
            store = StateStore()
            # App data depends on the app and seed only, so tasks with one seed share a world.
            load_app(name).populate(store, random.Random(f"{name}/{seed}"), directory(seed))
            stores[name] = store
        apps = Apps(stores)
        try:
            params = self.sample_params(random.Random(f"{self.id}/{seed}"), apps)
            self.setup(apps, MappingProxyType(params))
            if variant is not None:
                params.update(variant.apply_state(self, apps, MappingProxyType(params), seed))
        except Exception as exc:
            raise TaskSetupError(f"task {self.id!r}, seed {seed}: setup failed: {exc}") from exc
        snapshots = {name: store.snapshot() for name, store in stores.items()}
        for store in stores.values():
            store.close()
        return InitialState(MappingProxyType(snapshots), MappingProxyType(params))

    def score(
        self,
        apps: Apps,
        params: Mapping[str, Any],
        answer: str | None,
        page_state: Mapping[str, Any] | None = None,
    ) -> Evaluation:
        if self.page_probe is not None:
            return Evaluation(tuple(self.evaluate_page(page_state, params, answer)))
        own = self.evaluate(apps, params, answer)
        return Evaluation((*own, *attack_checkpoints(apps, params)))


@lru_cache(maxsize=256)
def _cached_initial_state(
    task_class: Callable[[], Task], seed: int, variant: VariantSet | None
) -> InitialState:
    return task_class().build_initial_state(seed, variant)
