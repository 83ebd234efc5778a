"""The `distractor` variant (officegym/tasks/_distractors.py): look-alike items beside the one a
task acts on. Without a browser: which templates take it, its state byte-identical per seed with
the look-alike in it, and the task's plans and evaluation as they were. With one: a seeded
sample of templates (the oracle succeeds, the look-alike shows next to the target), a near miss
still scoring 0, and, marked `exhaustive`, every template on seeds 0-9 in both action modes."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping
from typing import Any

import gymnasium
import pytest
from conftest import play

from officegym.agents.oracle import OracleAgent
from officegym.tasks import Apps, ClickOn, DragTo, InitialState, get_task, suite_tasks
from officegym.tasks._distractors import CHAT_NAME_CHARS, DISTRACTED, DISTRACTOR_PARAM
from officegym.tasks.apps import StateStore
from officegym.tasks.variants import parse_variant, variants

DISTRACTOR = parse_variant("distractor")
CORE = suite_tasks("core")
APPLICABLE = [t for t in CORE if DISTRACTOR.applies(get_task(t))]
APPS = ("mail", "chat", "calendar", "docs", "sheets", "code")
BROWSER_OBS = ("goal", "url", "axtree", "last_action_error")


def _sample() -> list[str]:
    """Four templates of four apps, seeded: the default run's browser sample."""
    rng = random.Random(24)
    apps = rng.sample(APPS, 4)
    return [rng.choice([t for t in APPLICABLE if t.startswith(f"{app}.")]) for app in apps]


SAMPLE = _sample()


def _stores(state: InitialState) -> Apps:
    stores = {}
    for name, data in state.snapshots.items():
        stores[name] = StateStore()
        stores[name].restore(data)
    return Apps(stores)


def _texts(store: StateStore) -> list[str]:
    """Every text value of every table of an app's state."""
    tables = [r["name"] for r in store.query("SELECT name FROM sqlite_master WHERE type='table'")]
    return [
        value
        for table in tables
        for row in store.query(f"SELECT * FROM {table}")  # table names from the schema
        for value in row.values()
        if isinstance(value, str)
    ]


def _clean_params(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if k != DISTRACTOR_PARAM}


# ---- registry and coverage (no browser) -------------------------------------------------------
def test_distractor_is_a_perturbation_that_changes_state() -> None:
    names = list(variants())
    variant = variants()["distractor"]
    assert variant.kind == "perturbation" and variant.state is not None
    assert names.index("distractor") == names.index("inject") - 1  # right before the attack
    assert DISTRACTOR.stateful() == DISTRACTOR  # its own cache of initial states


def test_it_takes_at_least_half_of_each_apps_core_templates() -> None:
    total = Counter(t.split(".")[0] for t in CORE)
    taken = Counter(t.split(".")[0] for t in APPLICABLE)
    for app in APPS:
        assert taken[app] * 2 >= total[app], (app, taken[app], total[app])
    assert set(APPLICABLE) <= set(DISTRACTED)
    assert not DISTRACTOR.applies(get_task("mail.compose-to-two"))  # nothing to look like
    assert not DISTRACTOR.applies(get_task("calendar.find-free-slot"))  # would change the answer


@pytest.mark.parametrize("task_id", APPLICABLE)
def test_the_state_is_byte_identical_per_seed_and_holds_the_look_alike(task_id: str) -> None:
    task = get_task(task_id)
    states = {}
    for seed in (0, 1):
        one = task.build_initial_state(seed, DISTRACTOR)
        again = task.build_initial_state(seed, DISTRACTOR)
        assert one == again, seed
        clean = task.build_initial_state(seed)
        assert one.snapshots != clean.snapshots
        assert _clean_params(one.params) == dict(clean.params)  # the task's own, as they were
        said = one.params[DISTRACTOR_PARAM]
        target, look_alike = said["target"], said["look_alike"]
        assert look_alike != target
        clean_texts = _texts(_stores(clean)[said["app"]])
        texts = _texts(_stores(one)[said["app"]])
        assert look_alike in texts and look_alike not in clean_texts, said
        # Beside the target, when there is one before the agent acts (not in a task that makes
        # the item: there the look-alike is one like what it will make).
        assert target in texts or not any(target in t for t in clean_texts), said
        states[seed] = one.snapshots
    assert states[0] != states[1]


def _picks(step: Any) -> list[str]:
    """The names a step picks an item by among others (a click or a drag: how a list's item
    is reached; a field to fill is the open page's own)."""
    if isinstance(step, ClickOn) and not step.exact:
        return [step.name]
    return [step.name] if isinstance(step, DragTo) else []


@pytest.mark.parametrize("task_id", APPLICABLE)
def test_the_plans_and_the_start_score_are_as_without_it(task_id: str) -> None:
    """The oracle's plan and near misses are the same plans, no step of them names the
    look-alike's element (a step finds the first element whose name contains its own), and the
    untouched state scores as the clean one does."""
    task = get_task(task_id)
    state = task.build_initial_state(0, DISTRACTOR)
    clean = task.build_initial_state(0)
    params = dict(state.params)
    said = params[DISTRACTOR_PARAM]
    target, look_alike = said["target"], said["look_alike"]
    assert task.solve(params) == task.solve(clean.params)
    assert task.near_misses(params) == task.near_misses(clean.params)
    plans = [task.solve(params), *task.near_misses(params).values()]
    for step in (s for plan in plans for s in plan):
        for name in _picks(step):
            # The name the look-alike's element has where the target's has this one.
            shown = target[:CHAT_NAME_CHARS]
            twin = name.replace(target, look_alike).replace(shown, look_alike[:CHAT_NAME_CHARS])
            assert twin == name or name not in twin, (step, look_alike)
    scored = task.score(_stores(state), params, None)
    clean_score = task.score(_stores(clean), clean.params, None)
    # Checkpoint by checkpoint (their details may list the look-alike among the items).
    outcome = [(c.name, c.kind, c.passed) for c in scored.checkpoints]
    assert outcome == [(c.name, c.kind, c.passed) for c in clean_score.checkpoints]
    assert not scored.success


# ---- with a browser ---------------------------------------------------------------------------
def _near(tree: str, target: str, look_alike: str) -> bool:
    """Whether the tree shows the look-alike within a few lines of the target."""
    lines = tree.splitlines()
    twins = [i for i, line in enumerate(lines) if look_alike in line]
    # (A channel's look-alike holds its name: `sales-team`.)
    at = [i for i, line in enumerate(lines) if target in line and look_alike not in line]
    return any(abs(i - j) <= 12 for i in at for j in twins)


def _play_watching(env: gymnasium.Env[Any, Any], seed: int) -> tuple[dict[str, Any], bool]:
    """The oracle's episode, and whether some observation showed the look-alike next to the
    target."""
    agent = OracleAgent()
    obs, info = env.reset(seed=seed)
    agent.reset(info)
    said = info["params"][DISTRACTOR_PARAM]
    # Chat shows a long message whole; compare the part its buttons name.
    target, look_alike = said["target"][:CHAT_NAME_CHARS], said["look_alike"][:CHAT_NAME_CHARS]
    seen = _near(obs["axtree"], target, look_alike)
    for _ in range(200):
        obs, _, terminated, truncated, info = env.step(agent.act(obs))
        assert not obs.get("last_action_error"), obs["last_action_error"]
        seen = seen or _near(obs["axtree"], target, look_alike)
        if terminated or truncated:
            return info, seen
    raise AssertionError("episode did not end")


@pytest.mark.browser
@pytest.mark.parametrize("task_id", SAMPLE)
def test_the_oracle_succeeds_beside_a_visible_look_alike(task_id: str, make_env: Any) -> None:
    mode = "computer" if SAMPLE.index(task_id) < 2 else "browser"
    observation = BROWSER_OBS if mode == "browser" else ("goal", "url", "axtree", "screenshot")
    env = make_env(task_id, action_mode=mode, observation=observation, variant="distractor")
    info, seen = _play_watching(env, 0)
    assert info["variant"] == "distractor"
    assert info["success"] and info["score"] == 1.0, info["checkpoints"]
    assert seen, info["params"][DISTRACTOR_PARAM]


@pytest.mark.browser
def test_a_near_miss_still_scores_zero_under_it(make_env: Any) -> None:
    task = get_task("mail.apply-label")
    env = make_env(task.id, action_mode="browser", observation=BROWSER_OBS, variant="distractor")
    for name in task.near_misses(dict(task.initial_state(0, DISTRACTOR).params)):
        info = play(env, 0, plan=lambda p, n=name: task.near_misses(p)[n])
        assert info["score"] == 0 and not info["success"], (name, info["checkpoints"])


@pytest.mark.browser
def test_acting_on_the_look_alike_scores_zero(make_env: Any) -> None:
    """The careless agent's mistake: the oracle's own plan, aimed at the look-alike."""
    task = get_task("mail.apply-label")
    env = make_env(task.id, action_mode="browser", observation=BROWSER_OBS, variant="distractor")

    def at_look_alike(params: Mapping[str, Any]) -> list[Any]:
        look_alike = params[DISTRACTOR_PARAM]["look_alike"]
        steps = task.solve({**params, "subject": look_alike})
        assert ClickOn("link", look_alike) in steps
        return steps

    info = play(env, 0, plan=at_look_alike)
    assert info["score"] == 0 and not info["success"], info["checkpoints"]


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.exhaustive
@pytest.mark.parametrize("mode", ["browser", "computer"])
@pytest.mark.parametrize("task_id", APPLICABLE)
def test_every_template_under_it_on_seeds_0_to_9(task_id: str, mode: str, make_env: Any) -> None:
    observation = BROWSER_OBS if mode == "browser" else ("goal", "url", "axtree", "screenshot")
    env = make_env(task_id, action_mode=mode, observation=observation, variant="distractor")
    for seed in range(10):
        info = play(env, seed)
        assert info["success"] and info["score"] == 1.0, (seed, info["checkpoints"])
