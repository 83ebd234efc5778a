"""Run one episode of an agent on a task, in whatever process holds the env."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO, cast

import gymnasium

from officegym.agents import Agent, load_agent
from officegym.agents.remote import EndpointError
from officegym.envs import OfficeEnvLike, parse_action
from officegym.errors import ActionError, AgentError
from officegym.results import EpisodeResult
from officegym.runner._steps import (
    ACTION_TEXT_LIMIT,
    agent_turn,
    annotate_trajectory,
    cut,
    failed_step_line,
    step_line,
)
from officegym.sandbox import SandboxWorker, get_sandbox
from officegym.trajectory import AgentTurn


class EpisodeRunner:
    """Keeps one env (of one task and variant, replaced as they change) and one agent for a
    worker's episodes.

    Args:
        sandbox: the `--sandbox` name of where the envs run; its worker part starts with the
            first env and lasts until `close()`.
        run_id: labels what the sandbox makes, for cleanup by run.
        agent_options: keyword arguments of the agent's constructor (`--agent-option`).
        variant: the variant of episodes `run` is not given one for ("" for none).

    Raises:
        ValueError: unknown sandbox.
        AgentError: the agent cannot be loaded, or does not take its options.
    """

    def __init__(
        self,
        agent_spec: str,
        action_mode: str = "computer",
        backend: str = "headless",
        sandbox: str = "local",
        run_id: str = "adhoc",
        agent_options: Mapping[str, Any] | None = None,
        variant: str = "",
    ) -> None:
        self.agent_spec, self.action_mode, self.backend = agent_spec, action_mode, backend
        self.variant = variant
        self.sandbox, self.run_id = sandbox, run_id
        self._sandbox = get_sandbox(sandbox)
        self.agent: Agent = make_agent(agent_spec, agent_options or {})
        self._env: gymnasium.Env[Any, Any] | None = None
        self._played: tuple[str, str] | None = None  # the env's task and variant
        self._worker: SandboxWorker | None = None  # kept across tasks (a container, say)
        # Trajectories whose agent accounts wait for the env to hand over their events (a
        # sandbox's env copies them out when the episode is over or the env is reset).
        self._unannotated: list[tuple[Path, dict[int, AgentTurn]]] = []

    def env_for(self, task_id: str, variant: str | None = None) -> gymnasium.Env[Any, Any]:
        """The env of `task_id` under `variant` (None: the runner's): the current one, or a new
        one in place of another task's or variant's.

        Raises:
            SandboxError: the sandbox could not start or make the env.
        """
        played = (task_id, self.variant if variant is None else variant)
        if self._played != played:
            self._close_env()
            if self._worker is None:
                self._worker = self._sandbox.start_worker(self.run_id)
            self._env = self._worker.make_env(
                task_id, self.action_mode, self.backend, played[1] or None
            )
            self._played = played
        if self._env is None:
            raise RuntimeError("no env")
        return self._env

    def run(
        self,
        task_id: str,
        seed: int,
        episode_id: str,
        trajectory_dir: Path | str,
        on_step: Callable[[str, int], None] | None = None,
        variant: str | None = None,
        prepare_next: bool = True,
    ) -> EpisodeResult:
        """Play one episode to its end, under `variant` ("" for none; None: the runner's).
        `prepare_next=False` when the runner's next episode is not this one's next seed: the
        env then prepares none ahead (one it would make, and wait for as it closes, for nothing).

        An agent that raises ends the episode as a failure with the reason (status
        `agent_error`); an action that cannot be parsed, however malformed, is the step's
        `last_action_error`, as in the env. `on_step(phase, n)` is called as the
        agent starts thinking about step n (`"act"`) and as the env starts carrying it out
        (`"step"`), so a supervisor can tell which of the two hangs.

        Raises:
            Exception: whatever the env raised: its browser, page or apps failed, not the agent.
        """
        trajectory_dir = Path(trajectory_dir)
        variant = self.variant if variant is None else variant
        env = self.env_for(task_id, variant)
        start = time.perf_counter()
        options: dict[str, Any] = {"trajectory_dir": trajectory_dir, "agent": self.agent_spec}
        if not prepare_next:
            options["prepare_next"] = False
        obs, info = env.reset(seed=seed, options=options)
        self._annotate_trajectories()  # the reset handed over the last episode's, if it held it
        # The step log beside the trajectory: what the agent asked for and what went wrong, one
        # line per step as it happens (the report's timeline reads it).
        trajectory_dir.parent.mkdir(parents=True, exist_ok=True)
        turns: dict[int, AgentTurn] = {}
        with (trajectory_dir.parent / "steps.jsonl").open("w") as log:
            steps, failure, info = self._play(env, obs, info, _StepLog(log, turns), on_step)
        error, error_kind = failure or ("", None)
        if failure is not None:
            end_trajectory(env)
        self._unannotated.append((trajectory_dir, turns))
        self._annotate_trajectories()
        evaluation = cast(OfficeEnvLike, env.unwrapped).evaluation
        return EpisodeResult(
            episode_id=episode_id,
            task_id=task_id,
            seed=seed,
            agent=self.agent_spec,
            success=bool(evaluation and evaluation.success and not error),
            score=float(evaluation.score) if evaluation and not error else 0.0,
            checkpoints=evaluation.as_dicts() if evaluation else [],
            steps=steps,
            seconds=round(time.perf_counter() - start, 3),
            error=error,
            answer=info.get("answer"),
            trajectory=str(trajectory_dir),
            finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
            usage=agent_usage(self.agent),
            status="agent_error" if error else "done",
            error_kind=error_kind,
            variant=variant,
            attacked=evaluation.attacked if evaluation else None,
        )

    def _play(
        self,
        env: gymnasium.Env[Any, Any],
        obs: dict[str, Any],
        info: dict[str, Any],
        log: _StepLog,
        on_step: Callable[[str, int], None] | None,
    ) -> tuple[int, tuple[str, str] | None, dict[str, Any]]:
        """The agent's turns to the episode's end: (steps taken, the agent's failure as (error,
        kind) or None, the last info)."""
        steps, who = 0, f"agent {self.agent_spec!r}"
        try:
            self.agent.reset(info)
        except Exception as exc:
            kind = exception_kind(exc)
            return steps, (f"{who} failed to reset ({kind}): {said(exc)}", kind), info
        while True:
            if on_step:
                on_step("act", steps)
            t0 = time.perf_counter()
            seen = obs.get("axtree")  # the tree the agent decides on, kept with its step
            try:
                action = self.agent.act(obs)
            except Exception as exc:
                kind = exception_kind(exc)
                failure = f"{who} failed at step {steps + 1} ({kind}): {said(exc)}"
                turn = agent_turn(self.agent, failure)
                if turn is not None:
                    log.write(failed_step_line(steps + 1, obs, t0, turn))
                return steps, (failure, kind), info
            turn = agent_turn(self.agent)
            # Read here, in the agent's time: however malformed, it becomes the step's error.
            readable = agent_action(action, self.action_mode)
            t1 = time.perf_counter()
            if on_step:
                on_step("step", steps)
            try:
                obs, _, terminated, truncated, info = env.step(readable)
            except ActionError as exc:  # an env that raises about the action blames the agent
                failure = f"{who}'s action at step {steps + 1} failed: {exc}"
                return steps, (failure, exception_kind(exc)), info
            steps += 1
            log.write(step_line(steps, action, obs, t0, t1, turn, seen), turn)
            if terminated or truncated:
                return steps, None, info

    def _annotate_trajectories(self) -> None:
        """Put the agent's accounts into the trajectories whose events are all here by now."""
        waiting = []
        for folder, turns in self._unannotated:
            if turns and not annotate_trajectory(folder, turns):
                waiting.append((folder, turns))
        self._unannotated = waiting

    def _close_env(self) -> None:
        if self._env is not None:
            self._env.close()
            self._env = None
            self._played = None

    def close(self) -> None:
        """Close the env and tear down the sandbox's worker part (idempotent)."""
        try:
            self._close_env()
            self._annotate_trajectories()
        finally:
            self._unannotated = []  # an env that never handed its trajectory over is gone
            if self._worker is not None:
                self._worker.close()
                self._worker = None


def end_trajectory(env: gymnasium.Env[Any, Any]) -> None:
    """Have the env close the episode's trajectory now, if it writes one here.

    An agent's failure ends the episode before the env knows it has ended, so its writer still
    holds events.jsonl open: annotating rewrites that file, and a writer left open would write
    into the file the rewrite replaced. `OfficeEnv.end_trajectory` is not part of
    `OfficeEnvLike`: a sandbox's env writes its trajectory elsewhere and hands it over once the
    episode is over (the annotation waits for it).
    """
    end = getattr(env.unwrapped, "end_trajectory", None)
    if callable(end):
        end()


def agent_action(action: Any, mode: str) -> Any:
    """What to give the env for the agent's `action`: parsed, or as given when it is not a valid
    action (the env makes that the step's `last_action_error`, as it documents; the parser turns
    every failure, however malformed the action, into an `ActionError`)."""
    try:
        return parse_action(action, cast(Any, mode))
    except ActionError:
        return action


class _StepLog:
    """steps.jsonl as the episode goes, a line flushed per step; the agent's accounts are kept
    by step for the trajectory too."""

    def __init__(self, file: TextIO, turns: dict[int, AgentTurn]) -> None:
        self.file, self.turns = file, turns

    def write(self, line: dict[str, Any], turn: AgentTurn | None = None) -> None:
        self.file.write(json.dumps(line) + "\n")
        self.file.flush()
        if turn is not None:
            self.turns[line["step"]] = turn


def make_agent(spec: str, options: Mapping[str, Any]) -> Agent:
    """The agent of `spec`, made with its options.

    Raises:
        UnknownNameError: no agent by that name.
        AgentError: it cannot be loaded, or does not take one of its options.
    """
    try:
        return load_agent(spec, seed=0, **options)
    except TypeError as exc:
        if not options:
            raise
        # An option its constructor does not take (or one of the wrong kind it did not check).
        given = ", ".join(sorted(options))
        raise AgentError(f"agent {spec!r} cannot be made with options {given}: {exc}") from None


def said(exc: BaseException) -> str:
    """What an agent's exception says, bounded (an agent's own exception may say anything, or
    fail to say it)."""
    try:
        text = str(exc)
    except Exception:
        text = "(its message cannot be read)"
    return cut(text, ACTION_TEXT_LIMIT)


def exception_kind(exc: BaseException) -> str:
    """The kind of an agent's exception, in words that are the same each time it fails so (its
    result's `error_kind`): the request's failure (`HTTP 401`, `connection refused`, …) or the
    exception's class."""
    return exc.kind if isinstance(exc, EndpointError) else type(exc).__name__


def agent_usage(agent: Agent) -> dict[str, Any]:
    """What the agent spent this episode, if it keeps count (`usage` dict attribute)."""
    usage = getattr(agent, "usage", None)
    return dict(usage) if isinstance(usage, dict) else {}
