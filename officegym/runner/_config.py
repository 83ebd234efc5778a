"""A run's settings: what to run (`RunConfig`), its limits, and what each worker is built from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from officegym.runner._episode import EpisodeRunner
from officegym.runner._failfast import FAIL_FAST_AFTER
from officegym.tasks.variants import split_suite


@dataclass(frozen=True)
class Limits:
    """How long an agent may think per step, how long an episode may take, and retries."""

    step_timeout: float = 120.0
    episode_timeout: float = 900.0
    retries: int = 2
    # Starting a worker (its browser and apps) and resetting the env is not a step: on a loaded
    # machine a cold start takes far longer than a short step timeout meant for the agent.
    start_timeout: float = 180.0


@dataclass(frozen=True)
class WorkerSpec:
    """What a worker builds its `EpisodeRunner` from (sent to worker processes and Ray actors,
    so it holds names, not objects)."""

    agent: str
    action_mode: str = "computer"
    backend: str = "headless"
    sandbox: str = "local"
    run_id: str = "adhoc"
    # The agent's constructor's keyword arguments (`--agent-option`), as JSON values.
    agent_options: dict[str, Any] = field(default_factory=dict, hash=False)
    variant: str = ""  # the suite's variant (`core@popup` → "popup"); "" for none

    def episode_runner(self) -> EpisodeRunner:
        return EpisodeRunner(
            self.agent,
            self.action_mode,
            self.backend,
            self.sandbox,
            self.run_id,
            agent_options=self.agent_options,
            variant=self.variant,
        )


@dataclass(frozen=True)
class RunConfig:
    """What to run. `seeds` is a count: seeds 0 … seeds-1 of every task in the suite."""

    suite: str
    agent: str
    seeds: int
    out: Path
    workers: int = 1
    action_mode: str = "computer"
    backend: str = "headless"
    resume: bool = False
    retry_errors: bool = False  # with resume: play again the episodes that ended in an error
    limits: Limits = field(default_factory=Limits)
    executor: str = "local"  # local: worker processes here; ray: Ray actors
    ray_address: str | None = None
    sandbox: str = "local"  # local: browsers and apps as processes here; docker: in containers
    # local executor, 2+ workers: each worker on a core of its own. Off by default: measured on
    # 2 cores, pinned workers were not faster idle and slower beside a busy process.
    pin_cores: bool = False
    # The agent's constructor's keyword arguments (`--agent-option KEY=VALUE`), as JSON values.
    agent_options: dict[str, Any] = field(default_factory=dict, hash=False)
    # Stop the run when its first this-many episodes all fail the same way; 0: never.
    fail_fast: int = FAIL_FAST_AFTER
    # Only these tasks of the suite (empty: every one). A set, kept sorted without repeats so a
    # resume that names them in another order is the same run; the plan keeps the suite's order.
    tasks: tuple[str, ...] = ()
    # Only the first `limit` episodes of the plan (None: all). Not a setting of the run: a
    # resume may go further, or finish the plan without it.
    limit: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "tasks", tuple(sorted(set(self.tasks))))

    @property
    def variant(self) -> str:
        """The suite's variant in registry order (`core@popup+narrow` → "narrow+popup"), or "".

        Raises:
            UnknownNameError, VariantError: the suite names an unknown or malformed variant.
        """
        variant = split_suite(self.suite)[1]
        return variant.name if variant is not None else ""
