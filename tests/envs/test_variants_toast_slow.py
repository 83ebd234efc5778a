"""The `toast` and `slow` variants (officegym/tasks/variants.py, _perturbations.py): their seeded
draws without a browser; with one, a toast that takes a click meant for what is under it, the
oracle that dismisses toasts, responses held their drawn delay, and a seeded sample of templates
the oracle still solves under each (state byte-identical per seed). The sweep of every core
template on seeds 0-9 is marked `exhaustive` (`make test-all`)."""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter
from typing import Any

import gymnasium
import pytest
from conftest import play

from officegym.agents.axtree import notice_dismiss_button
from officegym.agents.oracle import OracleAgent
from officegym.envs import actions as A
from officegym.tasks import ClickOn, FillIn, PressKey, get_task, suite_tasks
from officegym.tasks._perturbations import (
    LATENCY_MS,
    TOAST_CORNERS,
    TOAST_FIRST_STEPS,
    TOAST_TEXTS,
    RequestLatency,
)
from officegym.tasks.variants import Variant, VariantSet, parse_variant, variants

CORE = suite_tasks("core")
# A seeded sample of templates for the default run (another than test_variants.py's).
SAMPLE = sorted(random.Random(2424).sample(CORE, 3))
BROWSER_OBS = ("goal", "url", "axtree", "last_action_error")
COMPUTER_OBS = ("goal", "url", "axtree", "screenshot")
TASK = "mail.apply-label"
TOAST_SEED = 2  # its one toast ("New message from …") shows bottom-left after step 1, and stays


def _toasts(task_id: str, seed: int) -> list[dict[str, str]]:
    """The toasts an episode's page script is configured with."""
    script = parse_variant("toast").for_episode(task_id, seed).init_scripts[0]
    first_line = script.split("\n", 1)[0]
    return json.loads(first_line.removeprefix("window.__ogToastConfig = ").rstrip(";"))["toasts"]


# ---- draws (no browser) ------------------------------------------------------------------------
def test_toast_and_slow_are_registered_after_popup() -> None:
    names = list(variants())
    assert names[names.index("popup") + 1 : names.index("popup") + 3] == ["toast", "slow"]


def test_a_toast_is_drawn_from_the_seed() -> None:
    toast = parse_variant("toast")
    assert toast.for_episode(TASK, 3) == toast.for_episode(TASK, 3)
    drawn = [toast.for_episode(TASK, seed) for seed in range(40)]
    assert len({tuple(sorted(d.after_step)) for d in drawn}) > 5  # the steps vary with the seed
    assert {min(d.after_step) for d in drawn} == set(TOAST_FIRST_STEPS)
    configs = [_toasts(TASK, seed) for seed in range(40)]
    assert {t["corner"] for c in configs for t in c} == set(TOAST_CORNERS)
    assert {t["kind"] for c in configs for t in c} == set(TOAST_TEXTS)
    for played, config in zip(drawn, configs, strict=True):
        for i in range(len(config)):  # each toast shows once, and hides (if it does) later
            shows = [k for k, s in played.after_step.items() if f"show({i})" in "".join(s)]
            hides = [k for k, s in played.after_step.items() if f"hide({i})" in "".join(s)]
            assert len(shows) == 1 and len(hides) <= 1 and all(h > shows[0] for h in hides)


def test_a_request_latency_is_drawn_from_the_seed_and_the_request() -> None:
    slow = parse_variant("slow")
    latency = slow.for_episode(TASK, 3).latency
    assert latency is not None and latency == slow.for_episode(TASK, 3).latency
    assert len({slow.for_episode(TASK, seed).latency for seed in range(10)}) == 10
    delays = [latency("GET mail.office.test/api/threads", repeat) for repeat in range(50)]
    assert delays == [latency("GET mail.office.test/api/threads", r) for r in range(50)]
    assert all(LATENCY_MS[0] / 1000 <= d <= LATENCY_MS[1] / 1000 for d in delays)
    assert len(set(delays)) > 25
    assert len({latency(f"GET mail.office.test/{i}", 0) for i in range(50)}) > 25


def test_toast_hooks_draw_one_plan_whichever_runs_first() -> None:
    toast = variants()["toast"]
    assert toast.init_script is not None and toast.after_step is not None
    for seed in range(10):
        played = parse_variant("toast").for_episode(TASK, seed)
        key = f"toast/{TASK}/{seed}"  # each hook's generator, as `for_episode` seeds it
        steps = toast.after_step(random.Random(key))  # the steps first this time
        script = toast.init_script(random.Random(key))
        assert (script,) == played.init_scripts
        assert {k: (s,) for k, s in steps.items()} == dict(played.after_step)
        shown = [k for k, s in steps.items() if "show(" in s]
        assert len(shown) == len(_toasts(TASK, seed))  # the script's toasts are the steps'


def test_each_hook_of_a_variant_gets_a_generator_in_the_same_state() -> None:
    """What the toast's agreement rests on: no hook's draws move another's generator."""
    seen: list[tuple[str, Any]] = []

    def hook(name: str, result: Any) -> Any:
        def draw(rng: random.Random) -> Any:
            seen.append((name, rng.getstate()))
            rng.random()  # a draw of its own, which the next hook must not see
            return result

        return draw

    latency = RequestLatency("k")
    probe = Variant(
        "probe",
        "records its hooks' generators",
        init_script=hook("init_script", ""),
        after_step=hook("after_step", {1: ""}),
        latency=hook("latency", latency),
    )
    played = VariantSet((probe,)).for_episode(TASK, 5)
    assert played.latency == latency
    assert [name for name, _ in seen] == ["init_script", "after_step", "latency"]
    assert all(state == random.Random(f"probe/{TASK}/5").getstate() for _, state in seen)


def test_toast_combines_with_narrow_and_slow_without_changing_its_draws() -> None:
    combined = parse_variant("toast+narrow")
    assert combined.name == "narrow+toast"
    played, alone = combined.for_episode(TASK, 4), parse_variant("toast").for_episode(TASK, 4)
    assert played.window == (1024, 768) and played.latency is None
    assert played.after_step == alone.after_step and played.init_scripts == alone.init_scripts
    three = parse_variant("slow+toast+narrow").for_episode(TASK, 4)
    assert three.name == "narrow+toast+slow" and three.after_step == alone.after_step
    assert three.latency == parse_variant("slow").for_episode(TASK, 4).latency


NOTICE_TREE = """[1] link "Inbox", center=(40,140)
[7] status
  StaticText "Saved"
  [8] button "Dismiss notification", center=(330,680)"""
PARAMS = dict(get_task(TASK).initial_state(0).params)


@pytest.mark.parametrize("mode", ["computer", "browser"])
def test_the_oracle_dismisses_a_notification_before_it_points(mode: str) -> None:
    assert notice_dismiss_button(NOTICE_TREE.replace("status", "region")) is None
    agent = OracleAgent()
    agent.reset({"task_id": TASK, "params": PARAMS, "action_mode": mode})
    agent.plan.clear()
    agent.plan.extend([ClickOn("link", "Inbox"), PressKey("Enter")])
    first = agent.act({"axtree": NOTICE_TREE})
    assert first == (A.Click(x=330, y=680) if mode == "computer" else A.ClickElement(element="8"))
    after = agent.act({"axtree": NOTICE_TREE.split("\n")[0]})
    assert after == (A.Click(x=40, y=140) if mode == "computer" else A.ClickElement(element="1"))
    # Keys go on under a notification: it is left open.
    key = agent.act({"axtree": NOTICE_TREE})
    assert key == (A.Key(key="Enter") if mode == "computer" else A.Press(key="Enter"))


def test_the_oracle_types_on_when_a_notification_shows_mid_step() -> None:
    tree = '[5] textbox "Message", center=(300,600)'
    agent = OracleAgent()
    agent.reset({"task_id": TASK, "params": PARAMS, "action_mode": "computer"})
    agent.plan.clear()
    agent.plan.append(FillIn("textbox", "Message", "hi"))
    assert agent.act({"axtree": tree}) == A.Click(x=300, y=600)
    rest = [agent.act({"axtree": tree + "\n" + NOTICE_TREE}) for _ in range(2)]
    assert rest == [A.Hotkey(keys=["Control", "a"]), A.Type(text="hi")]


# ---- with a browser ---------------------------------------------------------------------------
# In the page: a point of the toast (not its button) over a link or button of the app, that
# link or button counting its clicks in `__underClicks`, and listeners of the page capturing on
# the window and the document counting what they see in `__captured`; null when the toast
# covers none.
UNDER_TOAST_JS = """() => {
  const toast = document.querySelector('[data-og-variant=toast] > [role]');
  const r = toast.getBoundingClientRect();
  for (const fy of [0.5, 0.25, 0.75]) for (const fx of [0.1, 0.3, 0.5, 0.7]) {
    const x = r.x + r.width * fx, y = r.y + r.height * fy;
    const stack = document.elementsFromPoint(x, y);
    if (!toast.contains(stack[0]) || stack[0].closest('button')) continue;
    const under = stack.find((e) => !toast.contains(e) && !e.dataset.ogVariant);
    const target = under && under.closest('a[href], button');
    if (!target) continue;
    window.__underClicks = 0;
    target.addEventListener('click', () => { window.__underClicks++; });
    window.__captured = 0;
    window.addEventListener('mousedown', () => { window.__captured++; }, true);
    document.addEventListener('click', () => { window.__captured++; }, true);
    return {x: Math.round(x), y: Math.round(y), id: target.dataset.ogId};
  }
  return null;
}"""


def _until_toast(env: gymnasium.Env[Any, Any], obs: dict[str, Any]) -> dict[str, Any]:
    for _ in TOAST_FIRST_STEPS:
        if notice_dismiss_button(obs["axtree"]) is not None:
            return obs
        obs, *_ = env.step(A.Wait(ms=0))
    assert notice_dismiss_button(obs["axtree"]) is not None, obs["axtree"][-400:]
    return obs


@pytest.mark.browser
def test_a_toast_shows_after_its_step_and_takes_the_click_meant_for_what_is_under_it(
    make_env: Any,
) -> None:
    env = make_env(TASK, action_mode="computer", observation=COMPUTER_OBS, variant="toast")
    obs, _ = env.reset(seed=TOAST_SEED)
    assert notice_dismiss_button(obs["axtree"]) is None  # nothing before its step
    obs, *_ = env.step(A.Wait(ms=0))  # step 1
    assert _toasts(TASK, TOAST_SEED)[0]["title"] in obs["axtree"]
    under = env.unwrapped.evaluate_in_page(UNDER_TOAST_JS)
    assert under is not None, "the toast covers no link or button"
    url, digest = obs["url"], env.unwrapped.state_digest()
    obs, *_ = env.step(A.Click(x=under["x"], y=under["y"]))
    assert env.unwrapped.evaluate_in_page("() => window.__underClicks") == 0
    assert obs["url"] == url and env.unwrapped.state_digest() == digest
    button = notice_dismiss_button(obs["axtree"])  # the click left it open
    assert button is not None and button.center is not None
    obs, *_ = env.step(A.Click(x=button.center[0], y=button.center[1]))
    assert notice_dismiss_button(obs["axtree"]) is None
    # Neither click on the toast (nor its ×) reached the page's capturing listeners either.
    assert env.unwrapped.evaluate_in_page("() => window.__captured") == 0
    # Now the click reaches it: under seed 2's toast is a message's star button.
    env.step(A.Click(x=under["x"], y=under["y"]))
    assert env.unwrapped.evaluate_in_page("() => window.__underClicks") == 1
    assert env.unwrapped.evaluate_in_page("() => window.__captured") == 2  # they do listen
    assert env.unwrapped.state_digest() != digest  # the message is starred


@pytest.mark.browser
def test_a_toast_takes_an_element_click_too(make_env: Any) -> None:
    """In browser mode a click on an element id is a click at its centre: a toast over the
    centre takes it, and the action reports no error (as a person's click, it landed)."""
    env = make_env(TASK, action_mode="browser", observation=BROWSER_OBS, variant="toast")
    env.reset(seed=TOAST_SEED)
    obs, *_ = env.step(A.Wait(ms=0))
    covered = env.unwrapped.evaluate_in_page(
        """() => [...document.querySelectorAll('a[href][data-og-id], button[data-og-id]')]
          .find((e) => { const r = e.getBoundingClientRect();
            const top = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
            return top && top.closest('[data-og-variant=toast]') && !top.closest('button'); })
          ?.dataset.ogId ?? null"""
    )
    assert covered is not None, "the toast covers no link or button's centre"
    env.unwrapped.evaluate_in_page(
        f"() => document.querySelector('[data-og-id=\"{covered}\"]')"
        ".addEventListener('click', () => { window.__coveredClicks = 1; })"
    )
    url, digest = obs["url"], env.unwrapped.state_digest()
    obs, *_ = env.step(A.ClickElement(element=covered))
    assert not obs["last_action_error"] and obs["url"] == url
    assert env.unwrapped.evaluate_in_page("() => window.__coveredClicks ?? 0") == 0
    assert env.unwrapped.state_digest() == digest
    button = notice_dismiss_button(obs["axtree"])
    assert button is not None
    env.step(A.ClickElement(element=button.id))
    obs, *_ = env.step(A.ClickElement(element=covered))  # uncovered now: it reaches the element
    assert env.unwrapped.evaluate_in_page("() => window.__coveredClicks ?? 0") == 1


@pytest.mark.browser
@pytest.mark.parametrize("variant", ["toast", "slow"])
@pytest.mark.parametrize("task_id", SAMPLE)
def test_the_oracle_succeeds_by_pixels(task_id: str, variant: str, make_env: Any) -> None:
    env = make_env(task_id, action_mode="computer", observation=COMPUTER_OBS, variant=variant)
    info = play(env, 0)
    assert info["variant"] == variant and info["success"], info["checkpoints"]


@pytest.mark.browser
@pytest.mark.parametrize("variant", ["toast", "slow"])
def test_the_oracle_succeeds_by_element_ids_and_ends_in_the_clean_state(
    variant: str, make_env: Any
) -> None:
    task_id = SAMPLE[0]
    env = make_env(task_id, action_mode="browser", observation=BROWSER_OBS, variant=variant)
    info = play(env, 0)
    assert info["variant"] == variant and info["success"], info["checkpoints"]
    clean = make_env(task_id, action_mode="browser", observation=BROWSER_OBS)
    assert play(clean, 0)["success"]
    assert env.unwrapped.state_digest() == clean.unwrapped.state_digest()


@pytest.mark.browser
@pytest.mark.parametrize("variant", ["toast", "slow"])
def test_toast_and_slow_start_each_seed_from_the_clean_state(variant: str, make_env: Any) -> None:
    """The state once the start page has loaded (its requests held, under `slow`; the toasts'
    script run, under `toast`) is the clean episode's of the same seed, byte for byte."""
    task_id = "docs.add-comment"
    env = make_env(task_id, observation=BROWSER_OBS, variant=variant)
    clean = make_env(task_id, observation=BROWSER_OBS)
    for seed in (2, 2, 3):
        clean.reset(seed=seed)
        _, info = env.reset(seed=seed)
        assert info["variant"] == variant
        assert env.unwrapped.state_digest() == clean.unwrapped.state_digest(), seed
    seed_3 = clean.unwrapped.state_digest()
    clean.reset(seed=2)
    assert clean.unwrapped.state_digest() != seed_3  # the seeds' states differ: a real comparison


# Fetches paths nobody else asks for (each is asked once: its first repeat), and gives how long
# each response took to start once asked, by the page's own resource timing.
PROBES = [f"/og-latency-probe/{i}" for i in range(5)]
FETCH_PROBES_JS = """async (paths) => {
  await Promise.all(paths.map((p) => fetch(p).then((r) => r.text())));
  return paths.map((p) => {
    const [entry] = performance.getEntriesByName(new URL(p, location.href).href);
    return entry.responseStart - entry.requestStart;
  });
}"""


@pytest.mark.browser
def test_slow_holds_each_response_its_drawn_delay(make_env: Any) -> None:
    env = make_env(TASK, action_mode="browser", observation=BROWSER_OBS, variant="slow")
    env.reset(seed=0)
    latency = parse_variant("slow").for_episode(TASK, 0).latency
    assert latency is not None
    drawn = [latency(f"GET mail.office.test{p}", 0) * 1000 for p in PROBES]
    assert len(set(drawn)) == len(PROBES)  # each request its own delay
    waited = env.unwrapped.evaluate_in_page(FETCH_PROBES_JS, PROBES)
    # Timing entries are whole-ish milliseconds (Chromium coarsens them): allow one.
    assert all(w >= d - 1 for w, d in zip(waited, drawn, strict=True)), (waited, drawn)
    # The start document came through the same hold.
    start = env.unwrapped.evaluate_in_page(
        "() => { const [n] = performance.getEntriesByType('navigation');"
        " return [new URL(n.name).pathname, n.responseStart - n.requestStart]; }"
    )
    assert start[1] >= latency(f"GET mail.office.test{start[0]}", 0) * 1000 - 1


@pytest.mark.browser
def test_slow_holds_only_its_own_worlds_responses(make_env: Any) -> None:
    """A clean env beside a slow one, on the same browser and app server: the server draws no
    delay for the clean world's requests, and none of them is counted as the slow world's."""
    slow = make_env(TASK, action_mode="browser", observation=BROWSER_OBS, variant="slow")
    clean = make_env(TASK, action_mode="browser", observation=BROWSER_OBS)
    slow.reset(seed=0)
    clean.reset(seed=0)
    host = slow.unwrapped.host
    assert clean.unwrapped.host is host
    slow_world = host.server.worlds[slow.unwrapped.stage.world_id]
    clean_world = host.server.worlds[clean.unwrapped.stage.world_id]
    assert slow_world.latency == parse_variant("slow").for_episode(TASK, 0).latency
    assert clean_world.latency is None
    assert slow_world.asked and not clean_world.asked  # the start pages: only one was held
    before = Counter(slow_world.asked)

    async def both_fetch() -> list[Any]:
        pages = (slow.unwrapped.stage.page, clean.unwrapped.stage.page)
        return await asyncio.gather(*(p.evaluate(FETCH_PROBES_JS, PROBES) for p in pages))

    slow_waited, _ = host.run(both_fetch())  # at once: the clean page's while the slow is held
    assert not clean_world.asked
    assert slow_world.asked - before == Counter(f"GET mail.office.test{p}" for p in PROBES)
    latency = slow_world.latency
    drawn = [latency(f"GET mail.office.test{p}", 0) * 1000 for p in PROBES]
    assert all(w >= d - 1 for w, d in zip(slow_waited, drawn, strict=True)), (slow_waited, drawn)


@pytest.mark.browser
@pytest.mark.parametrize("variant", [None, "slow"])
def test_the_observation_after_an_edit_shows_its_formatted_view(
    variant: str | None, make_env: Any
) -> None:
    """The docs editor asks the server for the formatted view as the text changes: the step's
    settle waits for that answer (held, under `slow`), so the observation shows the new text's
    rendering, never the one before it."""
    env = make_env(
        "docs.append-paragraph", action_mode="browser", observation=BROWSER_OBS, variant=variant
    )
    env.reset(seed=0)
    first = "() => document.querySelector('a[href^=\"/d/\"][data-og-id]').dataset.ogId"
    env.step(A.ClickElement(element=env.unwrapped.evaluate_in_page(first)))
    body = env.unwrapped.evaluate_in_page(
        "() => document.querySelector('textarea.doc-body').dataset.ogId"
    )
    for heading in ("A heading of the test", "Another heading"):
        obs, *_ = env.step(A.Fill(element=body, text=f"# {heading}\n\nSome text"))
        view = obs["axtree"].split('article "Formatted view"', 1)[1]
        assert view.split("\n")[1].strip().endswith(f'heading "{heading}", level=1'), view[:300]


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.exhaustive
@pytest.mark.parametrize("variant", ["toast", "slow"])
@pytest.mark.parametrize("task_id", CORE)
def test_every_template_under_toast_and_slow_on_seeds_0_to_9(
    task_id: str, variant: str, make_env: Any
) -> None:
    """Even seeds by element ids, odd seeds by pixels and keys."""
    if not parse_variant(variant).applies(get_task(task_id)):
        pytest.skip(f"{variant} does not apply to {task_id}")
    by_ids = make_env(task_id, action_mode="browser", observation=BROWSER_OBS, variant=variant)
    by_pixels = make_env(task_id, action_mode="computer", observation=COMPUTER_OBS, variant=variant)
    for seed in range(10):
        info = play(by_pixels if seed % 2 else by_ids, seed)
        assert info["success"] and info["score"] == 1.0, (seed, info["checkpoints"])
