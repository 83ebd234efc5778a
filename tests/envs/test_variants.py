"""Variants (officegym/tasks/variants.py): the registry, suites and errors without a browser;
then, with one, a seeded sample of templates under every variant (the oracle succeeds, the state
stays byte-identical per seed), a popup that really blocks, and zoom's one coordinate space.
The sweep of every template under every variant on seeds 0-9 is marked `exhaustive`
(`make test-all`)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import gymnasium
import pytest
from conftest import play

from officegym.agents.oracle import OracleAgent
from officegym.envs import actions as A
from officegym.envs import env_id
from officegym.envs._variants import to_page, to_screen
from officegym.errors import UnknownNameError, VariantError
from officegym.results import EpisodeResult, ResultStore
from officegym.runner import RunConfig
from officegym.runner._run import plan_episodes
from officegym.tasks import ClickOn, FillIn, PressKey, get_task, suite_tasks
from officegym.tasks.variants import POPUP_STEPS, parse_variant, split_suite, variants

PERTURBATIONS = ("narrow", "zoom", "dark", "popup")
CORE = suite_tasks("core")
# A seeded sample of templates for the default run; the exhaustive sweep takes every one.
SAMPLE = sorted(random.Random(24).sample(CORE, 6))
BROWSER_OBS = ("goal", "url", "axtree", "last_action_error")


# ---- registry, suites and errors (no browser) -----------------------------------------------
def test_every_perturbation_is_registered_with_a_doc_line() -> None:
    registered = variants()
    assert set(PERTURBATIONS) <= set(registered)
    for name, variant in registered.items():
        assert variant.name == name and variant.doc and "\n" not in variant.doc


def test_a_combination_is_named_in_registry_order() -> None:
    assert parse_variant("popup+narrow").name == parse_variant("narrow+popup").name
    assert parse_variant("popup+narrow").name == "narrow+popup"
    played = parse_variant("popup+narrow+zoom").for_episode("mail.apply-label", 0)
    assert played.window == (1024, 768) and played.scale == 1.25
    assert played.page_viewport((1024, 768)) == (819, 614)


@pytest.mark.parametrize("spec", ["", "popup+", "+popup", "popup+popup", "narrow++zoom"])
def test_a_malformed_variant_is_refused(spec: str) -> None:
    with pytest.raises(VariantError):
        parse_variant(spec)


def test_an_unknown_variant_suggests_close_names() -> None:
    with pytest.raises(UnknownNameError, match="popup") as caught:
        parse_variant("narrow+popop")
    assert caught.value.suggestions == ["popup"]


def test_an_episode_draws_its_variant_from_the_seed() -> None:
    popup = parse_variant("popup")
    one, again = popup.for_episode("mail.apply-label", 3), popup.for_episode("mail.apply-label", 3)
    assert one == again
    drawn = [popup.for_episode("mail.apply-label", seed) for seed in range(30)]
    steps = {step for d in drawn for step in d.after_step}
    assert steps == set(POPUP_STEPS)  # every step it may open after, and no other
    kinds = {d.init_scripts[0].split("\n")[0] for d in drawn}
    assert len(kinds) > 3  # the kind and its text vary with the seed
    # Adding a variant to a combination leaves the others' draws as they were.
    combined = parse_variant("popup+narrow").for_episode("mail.apply-label", 3)
    assert combined.after_step == one.after_step and combined.init_scripts == one.init_scripts


def test_a_suite_with_a_variant_keeps_the_tasks_it_applies_to() -> None:
    assert suite_tasks("core@narrow") == CORE
    assert suite_tasks("smoke@popup+narrow") == suite_tasks("smoke")
    assert split_suite("core@popup+narrow")[1] == parse_variant("narrow+popup")
    assert split_suite("core") == ("core", None)
    with pytest.raises(VariantError, match="applies to no task"):
        suite_tasks("miniwob@popup")  # a page scored by its own script: no variant applies
    with pytest.raises(UnknownNameError, match="suite"):
        suite_tasks("cor@narrow")
    with pytest.raises(UnknownNameError, match="variant"):
        suite_tasks("core@narow")


def test_a_template_can_refuse_a_variant(monkeypatch: pytest.MonkeyPatch) -> None:
    cls = type(get_task("mail.apply-label"))
    monkeypatch.setattr(cls, "unsupported_variants", ("zoom",))
    assert "mail.apply-label" not in suite_tasks("mail@zoom")
    assert "mail.apply-label" in suite_tasks("mail@narrow")
    with pytest.raises(VariantError, match=r"'zoom' does not apply to task 'mail\.apply-label'"):
        gymnasium.make(env_id("mail.apply-label"), variant="zoom")


def test_make_refuses_an_unknown_or_inapplicable_variant_before_any_browser() -> None:
    with pytest.raises(UnknownNameError, match="Did you mean: 'narrow'"):
        gymnasium.make(env_id("mail.apply-label"), variant="narow")
    miniwob = next(t for t in suite_tasks("miniwob"))
    with pytest.raises(VariantError):
        gymnasium.make(env_id(miniwob), variant="popup")


def test_a_run_of_a_variant_suite_plans_its_tasks_and_stores_the_variant(tmp_path: Path) -> None:
    config = RunConfig(suite="smoke@popup+narrow", agent="oracle", seeds=2, out=tmp_path)
    assert config.variant == "narrow+popup"
    assert [j.task_id for j in plan_episodes(config)][::2] == suite_tasks("smoke")
    assert RunConfig(suite="smoke", agent="oracle", seeds=1, out=tmp_path).variant == ""
    store = ResultStore(tmp_path / "results.sqlite")
    store.add(EpisodeResult("e", "mail.apply-label", 0, "oracle", True, 1.0, variant="popup"))
    assert [r.variant for r in store.results()] == ["popup"]
    store.close()


def test_zoom_maps_screen_positions_to_the_page_and_back() -> None:
    click = to_page(A.Click(x=125, y=250), 1.25)
    assert (click.x, click.y) == (100, 200)
    drag = to_page(A.Drag(x1=0, y1=12.5, x2=125, y2=25), 1.25)
    assert (drag.y1, drag.x2, drag.y2) == (10, 100, 20)
    assert to_page(A.Key(key="Enter"), 1.25) == A.Key(key="Enter")
    assert to_screen('[3] button "Send", center=(100,200)', 1.25).endswith("center=(125,250)")


PARAMS = dict(get_task("mail.apply-label").initial_state(0).params)
DIALOG_TREE = """[1] link "Inbox", center=(40,140)
[9] dialog "What's new", modal
  [10] heading "What's new", level=2
  [11] button "Got it", center=(600,400)
  [12] button "Close", center=(700,400)"""


@pytest.mark.parametrize("mode", ["computer", "browser"])
def test_the_oracle_closes_a_modal_dialog_first_then_goes_on(mode: str) -> None:
    agent = OracleAgent()
    agent.reset({"task_id": "mail.apply-label", "params": PARAMS, "action_mode": mode})
    agent.plan.clear()
    agent.plan.append(ClickOn("link", "Inbox"))
    first = agent.act({"axtree": DIALOG_TREE})
    assert first == (A.Click(x=700, y=400) if mode == "computer" else A.ClickElement(element="12"))
    assert list(agent.plan) == [ClickOn("link", "Inbox")]  # the plan waits for the dialog
    after = agent.act({"axtree": DIALOG_TREE.split("\n")[0]})
    assert after == (A.Click(x=40, y=140) if mode == "computer" else A.ClickElement(element="1"))


def test_the_oracle_fills_a_field_in_again_after_a_dialog_took_the_focus() -> None:
    tree = '[5] textbox "Message", center=(300,600)'
    agent = OracleAgent()
    agent.reset({"task_id": "mail.apply-label", "params": PARAMS, "action_mode": "computer"})
    agent.plan.clear()
    agent.plan.extend([FillIn("textbox", "Message", "hi @Yu"), PressKey("Enter")])
    assert agent.act({"axtree": tree}) == A.Click(x=300, y=600)
    assert isinstance(agent.act({"axtree": tree + "\n" + DIALOG_TREE}), A.Click)  # dismissed
    again = [agent.act({"axtree": tree}) for _ in range(4)]
    assert again == [
        A.Click(x=300, y=600),
        A.Hotkey(keys=["Control", "a"]),
        A.Type(text="hi @Yu"),
        A.Key(key="Enter"),
    ]


def test_the_oracle_acts_in_a_modal_dialog_its_plan_names() -> None:
    agent = OracleAgent()
    agent.reset({"task_id": "mail.apply-label", "params": PARAMS, "action_mode": "browser"})
    agent.plan.clear()
    agent.plan.append(ClickOn("button", "Got it"))
    assert agent.act({"axtree": DIALOG_TREE}) == A.ClickElement(element="11")


# ---- with a browser ---------------------------------------------------------------------------
# The final state digests of the sample's clean episodes, by template, seed and action mode.
_CLEAN: dict[tuple[str, int, str], str] = {}


def _final_digest(env: gymnasium.Env[Any, Any], seed: int) -> tuple[dict[str, Any], str]:
    info = play(env, seed)
    return info, env.unwrapped.state_digest()  # type: ignore[attr-defined]


@pytest.mark.browser
@pytest.mark.parametrize("variant", PERTURBATIONS)
@pytest.mark.parametrize("task_id", SAMPLE)
def test_the_oracle_succeeds_under_each_variant(task_id: str, variant: str, make_env: Any) -> None:
    """Seed 0 by element ids, seed 1 by pixels and keys. By element ids the episode ends in the
    state the same seed ends in without the variant (the variant changed how the page looked,
    nothing it holds). Not compared by keys: there even two clean episodes can end apart (the
    docs editor saves typed text as it goes, in timing-dependent pieces: measured)."""
    for seed, mode in ((0, "browser"), (1, "computer")):
        observation = BROWSER_OBS if mode == "browser" else ("goal", "url", "axtree", "screenshot")
        env = make_env(task_id, action_mode=mode, observation=observation, variant=variant)
        info, digest = _final_digest(env, seed)
        assert info["variant"] == variant and info["success"], (seed, mode, info["checkpoints"])
        if mode == "computer":
            continue
        if (task_id, seed, mode) not in _CLEAN:  # once per template, seed and mode
            clean = make_env(task_id, action_mode=mode, observation=observation)
            _CLEAN[task_id, seed, mode] = _final_digest(clean, seed)[1]
        assert _CLEAN[task_id, seed, mode] == digest, (seed, mode)


@pytest.mark.browser
def test_a_variant_starts_every_seed_from_byte_identical_state(make_env: Any) -> None:
    env = make_env("docs.add-comment", observation=BROWSER_OBS, variant="popup+narrow")
    digests = []
    for seed in (2, 2, 3):
        _, info = env.reset(seed=seed)
        assert info["variant"] == "narrow+popup" and info["viewport"] == (1024, 768)
        digests.append(env.unwrapped.state_digest())
    assert digests[0] == digests[1] != digests[2]


def _until_popup(env: gymnasium.Env[Any, Any], obs: dict[str, Any]) -> dict[str, Any]:
    for _ in POPUP_STEPS:
        if "modal" in obs["axtree"]:
            return obs
        obs, *_ = env.step(A.Wait(ms=0))
    assert "modal" in obs["axtree"], obs["axtree"][:400]
    return obs


@pytest.mark.browser
def test_the_popup_blocks_the_page_until_it_is_closed(make_env: Any) -> None:
    from officegym.agents.axtree import blocking_dialog, find_element

    env = make_env("mail.apply-label", action_mode="computer", variant="popup")
    obs, _ = env.reset(seed=5)
    assert "modal" not in obs["axtree"]  # nothing before its step
    obs = _until_popup(env, obs)
    found = blocking_dialog(obs["axtree"])
    assert found is not None and found[0].name in (
        "What's new",
        "Quick survey",
        "We value your privacy",
    )
    starred = find_element(obs["axtree"], "link", "Starred")
    assert starred is not None and starred.center is not None
    url, digest = obs["url"], env.unwrapped.state_digest()
    obs, *_ = env.step(A.Click(x=starred.center[0], y=starred.center[1]))  # under the dialog
    assert obs["url"] == url and "modal" in obs["axtree"]
    obs, *_ = env.step(A.Key(key="s"))  # keys stay in the dialog too
    assert obs["url"] == url and env.unwrapped.state_digest() == digest
    obs, *_ = env.step(A.Key(key="Escape"))
    assert blocking_dialog(obs["axtree"]) is None
    obs, *_ = env.step(A.Click(x=starred.center[0], y=starred.center[1]))
    assert obs["url"] != url and "modal" not in obs["axtree"]  # it never opens twice


@pytest.mark.browser
def test_the_popup_blocks_element_actions_too(make_env: Any) -> None:
    from officegym.agents.axtree import find_element

    env = make_env("mail.apply-label", action_mode="browser", variant="popup")
    obs = _until_popup(env, env.reset(seed=5)[0])
    starred = find_element(obs["axtree"], "link", "Starred")
    search = find_element(obs["axtree"], "searchbox", "Search mail")
    assert starred is not None and search is not None
    url = obs["url"]
    obs, *_ = env.step(A.ClickElement(element=starred.id))
    assert obs["url"] == url and "modal" in obs["axtree"]
    obs, *_ = env.step(A.Fill(element=search.id, text="zzz"))
    assert "zzz" not in obs["axtree"] and "modal" in obs["axtree"]


@pytest.mark.browser
def test_zoom_draws_the_window_and_takes_its_pixels(make_env: Any) -> None:
    from officegym.agents.axtree import find_element

    env = make_env("mail.apply-label", action_mode="computer", variant="zoom")
    obs, info = env.reset(seed=0)
    assert obs["screenshot"].shape == (720, 1280, 3) and info["viewport"] == (1280, 720)
    assert env.unwrapped.evaluate_in_page("() => [innerWidth, devicePixelRatio]") == [1024, 1.25]
    starred = find_element(obs["axtree"], "link", "Starred")
    assert starred is not None and starred.center is not None
    obs, *_ = env.step(A.Click(x=starred.center[0], y=starred.center[1]))  # screen pixels
    assert "starred" in obs["url"].lower(), obs["url"]


@pytest.mark.browser
def test_dark_darkens_the_page(make_env: Any) -> None:
    light = make_env("mail.apply-label", observation=("screenshot",))
    dark = make_env("mail.apply-label", observation=("screenshot",), variant="dark")
    light_obs, _ = light.reset(seed=0)
    dark_obs, _ = dark.reset(seed=0)
    assert dark_obs["screenshot"].mean() < light_obs["screenshot"].mean() / 2
    scheme = "() => matchMedia('(prefers-color-scheme: dark)').matches"
    assert dark.unwrapped.evaluate_in_page(scheme) is True


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.exhaustive
@pytest.mark.parametrize("variant", PERTURBATIONS)
@pytest.mark.parametrize("task_id", CORE)
def test_every_template_under_every_variant_on_seeds_0_to_9(
    task_id: str, variant: str, make_env: Any
) -> None:
    if not parse_variant(variant).applies(get_task(task_id)):
        pytest.skip(f"{variant} does not apply to {task_id}")
    env = make_env(task_id, action_mode="browser", observation=BROWSER_OBS, variant=variant)
    for seed in range(10):
        info = play(env, seed)
        assert info["success"] and info["score"] == 1.0, (seed, info["checkpoints"])
