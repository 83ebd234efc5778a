"""Run one episode of an agent on a task, in whatever process holds the env."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO, cast

import gymnasium

from officegym.agents import Agent, load_agent
from officegym.envs import OfficeEnvLike, parse_action
from officegym.errors import ActionError
from officegym.results import EpisodeResult
from officegym.sandbox import SandboxWorker, get_sandbox


class EpisodeRunner:
    """Keeps one env (per task, as tasks change) and one agent for a worker's episodes.

    Args:
        sandbox: the `--sandbox` name of where the envs run; its worker part starts with the
            first env and lasts until `close()`.
        run_id: labels what the sandbox makes, for cleanup by run.

    Raises:
        ValueError: unknown sandbox.
        AgentError: the agent cannot be loaded.
    """

    def __init__(
        self,
        agent_spec: str,
        action_mode: str = "computer",
        backend: str = "headless",
        sandbox: str = "local",
        run_id: str = "adhoc",
    ) -> None:
        self.agent_spec, self.action_mode, self.backend = agent_spec, action_mode, backend
        self.sandbox, self.run_id = sandbox, run_id
        self._sandbox = get_sandbox(sandbox)
        self.agent: Agent = load_agent(agent_spec, seed=0)
        self._env: gymnasium.Env[Any, Any] | None = None
        self._task_id: str | None = None
        self._worker: SandboxWorker | None = None  # kept across tasks (a container, say)

    def env_for(self, task_id: str) -> gymnasium.Env[Any, Any]:
        """The env of `task_id`: the current one, or a new one in place of another task's.

        Raises:
            SandboxError: the sandbox could not start or make the env.
        """
        if self._task_id != task_id:
            self._close_env()
            if self._worker is None:
                self._worker = self._sandbox.start_worker(self.run_id)
            self._env = self._worker.make_env(task_id, self.action_mode, self.backend)
            self._task_id = task_id
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
    ) -> EpisodeResult:
        """Play one episode to its end.

        An agent that raises ends the episode as a failure with the reason (status
        `agent_error`); an action that cannot be parsed, however malformed, is the step's
        `last_action_error`, as in the env. `on_step(phase, n)` is called as the
        agent starts thinking about step n (`"act"`) and as the env starts carrying it out
        (`"step"`), so a supervisor can tell which of the two hangs.

        Raises:
            Exception: whatever the env raised: its browser, page or apps failed, not the agent.
        """
        trajectory_dir = Path(trajectory_dir)
        env = self.env_for(task_id)
        start = time.perf_counter()
        obs, info = env.reset(
            seed=seed, options={"trajectory_dir": trajectory_dir, "agent": self.agent_spec}
        )
        # The step log beside the trajectory: what the agent asked for and what went wrong, one
        # line per step as it happens (the report's timeline reads it).
        trajectory_dir.parent.mkdir(parents=True, exist_ok=True)
        with (trajectory_dir.parent / "steps.jsonl").open("w") as log:
            steps, error, info = self._play(env, obs, info, log, on_step)
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
        )

    def _play(
        self,
        env: gymnasium.Env[Any, Any],
        obs: dict[str, Any],
        info: dict[str, Any],
        log: TextIO,
        on_step: Callable[[str, int], None] | None,
    ) -> tuple[int, str, dict[str, Any]]:
        """The agent's turns to the episode's end: (steps taken, the agent's error or "", the
        last info)."""
        steps, who = 0, f"agent {self.agent_spec!r}"
        try:
            self.agent.reset(info)
        except Exception as exc:
            return steps, f"{who} failed to reset: {type(exc).__name__}: {exc}", info
        while True:
            if on_step:
                on_step("act", steps)
            t0 = time.perf_counter()
            try:
                action = self.agent.act(obs)
            except Exception as exc:
                return steps, f"{who} failed at step {steps + 1}: {type(exc).__name__}: {exc}", info
            # Read here, in the agent's time: however malformed, it becomes the step's error.
            readable = agent_action(action, self.action_mode)
            t1 = time.perf_counter()
            if on_step:
                on_step("step", steps)
            try:
                obs, _, terminated, truncated, info = env.step(readable)
            except ActionError as exc:  # an env that raises about the action blames the agent
                return steps, f"{who}'s action at step {steps + 1} failed: {exc}", info
            steps += 1
            log.write(json.dumps(step_line(steps, action, obs, t0, t1)) + "\n")
            log.flush()
            if terminated or truncated:
                return steps, "", info

    def _close_env(self) -> None:
        if self._env is not None:
            self._env.close()
            self._env = None
            self._task_id = None

    def close(self) -> None:
        """Close the env and tear down the sandbox's worker part (idempotent)."""
        try:
            self._close_env()
        finally:
            if self._worker is not None:
                self._worker.close()
                self._worker = None


def agent_action(action: Any, mode: str) -> Any:
    """What to give the env for the agent's `action`: parsed, or as given when it is not a valid
    action (the env makes that the step's `last_action_error`, as it documents; the parser turns
    every failure, however malformed the action, into an `ActionError`)."""
    try:
        return parse_action(action, cast(Any, mode))
    except ActionError:
        return action


def step_line(step: int, action: Any, obs: dict[str, Any], t0: float, t1: float) -> dict[str, Any]:
    """One line of steps.jsonl: the action as the agent gave it, its error, and where time went."""
    return {
        "step": step,
        "action": action_text(action),
        "error": obs.get("last_action_error") or "",
        "think_ms": round((t1 - t0) * 1000, 1),
        "env_ms": round((time.perf_counter() - t1) * 1000, 1),
        "url": obs.get("url", ""),
    }


# What steps.jsonl keeps of an action: enough to read it; an agent's 10 MB string is not kept whole.
ACTION_TEXT_LIMIT = 2000


def action_text(action: Any) -> str:
    """The action as steps.jsonl shows it. Whatever the agent returned (a nested or looped
    structure, a huge string) gives a line: the env has already refused what it cannot parse."""
    try:
        call = action.to_call() if hasattr(action, "to_call") else action
        if not isinstance(call, str):
            call = json.dumps(call, default=str)
    except (ValueError, TypeError, RecursionError):
        call = f"<{type(action).__name__} the parser refused>"
    if len(call) > ACTION_TEXT_LIMIT:
        call = f"{call[:ACTION_TEXT_LIMIT]}… ({len(call)} characters)"
    return call


def agent_usage(agent: Agent) -> dict[str, Any]:
    """What the agent spent this episode, if it keeps count (`usage` dict attribute)."""
    usage = getattr(agent, "usage", None)
    return dict(usage) if isinstance(usage, dict) else {}
