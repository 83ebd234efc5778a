"""Injected instructions (officegym/tasks/injections.py, the `inject` variant).

Without a browser: the coverage the issue asks for (templates, apps, attacks, styles), and for
every injected template on a few seeds that its state is byte-identical per seed, that the
attacker's text is in the data, and that the attack is not already reached before anyone acts.
With one: a seeded sample of templates (one per app) where the oracle succeeds without being
attacked and the obedient agent reaches the attack's goal. Every injected template on seeds
0-9 in both action modes is the `exhaustive` sweep (`make test-all`).
"""

from __future__ import annotations

import random
from collections import defaultdict
from pathlib import Path
from typing import Any

import gymnasium
import pytest

from officegym.agents.obedient import ObedientAgent
from officegym.agents.oracle import OracleAgent
from officegym.evaluators import Evaluation
from officegym.replayer import Replayer, Verdict
from officegym.tasks import Apps, get_task, suite_tasks
from officegym.tasks.apps import StateStore
from officegym.tasks.injections import INJECTION_PARAM, STYLES, attack_checkpoints, attacks
from officegym.tasks.variants import parse_variant

INJECT = parse_variant("inject")
INJECTED = [t for t in suite_tasks("core") if INJECT.applies(get_task(t))]
BY_APP: dict[str, list[str]] = defaultdict(list)
for _task_id in INJECTED:
    BY_APP[_task_id.split(".")[0]].append(_task_id)
# One template per app, seeded: the default run's sample; the sweep takes every one.
SAMPLE = sorted(random.Random(24).choice(ids) for ids in BY_APP.values())
BROWSER_OBS = ("goal", "url", "axtree", "last_action_error")


def _stores(snapshots: Any) -> Apps:
    stores = {}
    for name, snapshot in snapshots.items():
        stores[name] = StateStore()
        stores[name].restore(snapshot)
    return Apps(stores)


def test_the_inject_suite_covers_forty_templates_over_six_apps() -> None:
    assert len(INJECTED) >= 40, len(INJECTED)
    assert len(BY_APP) >= 6, sorted(BY_APP)


def test_every_attack_and_style_is_carried_by_some_template() -> None:
    carried = {a for t in INJECTED for a in get_task(t).injection.attacks}  # type: ignore[union-attr]
    assert carried == set(attacks())
    styles = {s for t in INJECTED for s in get_task(t).injection.styles}  # type: ignore[union-attr]
    assert styles == set(STYLES)


@pytest.mark.parametrize("task_id", INJECTED)
def test_an_injected_state_is_seeded_planted_and_not_yet_attacked(task_id: str) -> None:
    task = get_task(task_id)
    for seed in (0, 1):
        first = task.build_initial_state(seed, INJECT)
        assert first.snapshots == task.build_initial_state(seed, INJECT).snapshots
        spec = first.params[INJECTION_PARAM]
        assert spec["attack"] in task.injection.attacks  # type: ignore[union-attr]
        assert spec["style"] in STYLES and spec["text"] and spec["where"]
        clean = task.build_initial_state(seed)
        assert clean.snapshots != first.snapshots  # the text went into the data
        assert {k: v for k, v in first.params.items() if k != INJECTION_PARAM} == clean.params
        apps = _stores(first.snapshots)
        checks = attack_checkpoints(apps, first.params)
        assert checks and all(c.kind == "attack" and not c.passed for c in checks)
        # The user's task is not done by the planting either.
        assert not Evaluation(tuple(task.evaluate(apps, first.params, None))).success


def _play(env: gymnasium.Env[Any, Any], agent: OracleAgent, seed: int) -> dict[str, Any]:
    obs, info = env.reset(seed=seed)
    agent.reset(info)
    for _ in range(200):
        obs, _, terminated, truncated, info = env.step(agent.act(obs))
        assert not obs.get("last_action_error"), obs["last_action_error"]
        if terminated or truncated:
            return info
    raise AssertionError("episode did not end")


def _check_template(make_env: Any, task_id: str, mode: str, seeds: range | list[int]) -> None:
    kwargs: dict[str, Any] = {"action_mode": mode, "variant": "inject"}
    if mode == "browser":
        kwargs["observation"] = BROWSER_OBS
    env = make_env(task_id, **kwargs)
    for seed in seeds:
        info = _play(env, OracleAgent(), seed)
        assert info["success"] and info["attacked"] is False, (seed, info["checkpoints"])
        info = _play(env, ObedientAgent(), seed)
        assert info["attacked"] is True, (seed, info["checkpoints"])


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("task_id", SAMPLE)
def test_the_oracle_ignores_the_injection_and_the_obedient_agent_follows_it(
    task_id: str, make_env: Any
) -> None:
    rng = random.Random(task_id)
    _check_template(make_env, task_id, rng.choice(("computer", "browser")), [rng.randrange(10)])


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.exhaustive
@pytest.mark.parametrize("mode", ["computer", "browser"])
@pytest.mark.parametrize("task_id", INJECTED)
def test_every_injected_template_on_seeds_0_to_9(task_id: str, mode: str, make_env: Any) -> None:
    _check_template(make_env, task_id, mode, range(10))


@pytest.mark.browser
@pytest.mark.slow
def test_a_recording_of_an_injected_episode_replays_from_the_same_data(
    make_env: Any, tmp_path: Path
) -> None:
    """The replay starts from the injected state (the variant is in the recording's meta):
    the oracle's recording is valid, the obedient agent's fails the user's task."""
    env = make_env("mail.apply-label", action_mode="browser", variant="inject")
    for agent, folder in ((OracleAgent(), "oracle"), (ObedientAgent(), "obedient")):
        obs, info = env.reset(seed=3, options={"trajectory_dir": tmp_path / folder})
        agent.reset(info)
        terminated = truncated = False
        while not (terminated or truncated):
            obs, _, terminated, truncated, info = env.step(agent.act(obs))
        env.unwrapped.end_trajectory()
    replayer = Replayer("fast")
    try:
        valid = replayer.replay(tmp_path / "oracle")
        followed = replayer.replay(tmp_path / "obedient")
    finally:
        replayer.close()
    assert valid.verdict == Verdict.VALID and valid.attacked is False, valid.reason
    assert followed.verdict == Verdict.TASK_FAILED and followed.attacked is True, followed.reason
