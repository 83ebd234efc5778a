"""The viewer in real Chromium, from file://: two real runs on two smoke tasks (the oracle, and
the random agent as the run under test), the report of the second against the first, and
people's recordings through `officegym view`.

Each view is photographed into a temporary folder and the picture checked: a PNG of a page
that drew something (docs/img/viewer-*.png were taken from these).
"""

from __future__ import annotations

import json
import string
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from officegym.report import write_report
from officegym.results import ResultStore, load_results
from officegym.runner import RunConfig, run
from officegym.tasks import get_task

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TASKS = ("chat.direct-message", "mail.apply-label")
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "trajectories"
# Markup in what a run or a recording says: each would run script if put in as HTML.
GOAL_ATTACK = '<img src=x onerror="window.__pwned = 1">'
REPLY_ATTACK = '</script><script>window.__pwned = 2</script><img src=x onerror="window.__pwned=3">'
TREE = '[12] textbox "Message"\n[13] button "Send"'


def doctor(run_dir: Path) -> str:
    """Make the chat episode of `run_dir` say what a model adapter's would (a reply, tokens,
    the tree it saw per step; usage in its result), with markup in its goal and first reply.
    Returns the episode's id."""
    episode = run_dir / "episodes" / "chat.direct-message-s0"
    meta_path = episode / "trajectory" / "meta.json"
    meta = json.loads(meta_path.read_text())
    fields = [
        f
        for _, f, _, _ in string.Formatter().parse(get_task("chat.direct-message").instruction)
        if f
    ]
    meta["task"]["params"][fields[0]] = GOAL_ATTACK  # the goal is made from the params
    meta_path.write_text(json.dumps(meta))
    lines = [json.loads(line) for line in (episode / "steps.jsonl").read_text().splitlines()]
    for line in lines:
        reply = f"I will {line['action']}" + (REPLY_ATTACK if line["step"] == 1 else "")
        line["agent"] = {"reply": reply, "action": line["action"], "request_s": 0.25,
                         "tokens": {"prompt": 1000, "completion": 40}, "error": None}  # fmt: skip
        line["axtree"] = TREE
    (episode / "steps.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    store = ResultStore(run_dir / "results.sqlite")
    try:
        [result] = [r for r in store.results() if r.task_id == "chat.direct-message"]
        usage = {"requests": len(lines), "prompt_tokens": 1000 * len(lines),
                 "completion_tokens": 40 * len(lines), "cost": 0.0123}  # fmt: skip
        store.add(replace(result, usage=usage))
    finally:
        store.close()
    return result.episode_id


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("runs")
    for agent in ("oracle", "random"):
        config = RunConfig(suite="smoke", agent=agent, seeds=1, out=root / agent, tasks=TASKS)
        run(config)
    doctor(root / "random")
    return root / "oracle", root / "random"


@pytest.fixture(scope="module")
def report(runs: tuple[Path, Path]) -> Path:
    oracle, candidate = runs
    return write_report(candidate, baseline=oracle)


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("viewer-shots")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    from officegym.browser import CHROMIUM_ARGS, chromium_executable

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    """A page that records every console error, failed script and failed request."""
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("requestfailed", lambda r: problems.append(f"{r.url}: {r.failure}"))
    yield page
    page.close()
    assert not problems, problems


def shoot(page: Any, folder: Path, name: str) -> Path:
    """A screenshot of the page, checked to be a PNG of something drawn, not a blank page."""
    path = folder / f"viewer-{name}.png"
    page.screenshot(path=path)
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size == (1400, 1000)
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20) or []
        assert len(colours) > 200, f"{name}: {len(colours)} colours, a blank page"
        most = max(count for count, _ in colours)
        assert most < 0.95 * image.size[0] * image.size[1], f"{name}: one colour all over"
    return path


def rows(page: Any) -> list[str]:
    return page.locator("#episodes tbody tr").evaluate_all("rs => rs.map(r => r.dataset.id)")


def wait_for_frame(page: Any, scope: str = "") -> str:
    """The `src` of the screenshot shown, once it has loaded."""
    image = f"{scope} .shot img".strip()
    page.wait_for_function(
        "s => { const i = document.querySelector(s); return i && i.complete && i.naturalWidth }",
        arg=image,
    )
    return str(page.locator(image).get_attribute("src"))


def test_the_list_filters_sorts_and_searches(report: Path, page: Any, shots: Path) -> None:
    page.goto(report.as_uri())
    assert page.title() == "random on smoke — officegym report"
    assert sorted(rows(page)) == ["chat.direct-message-s0", "mail.apply-label-s0"]
    assert "Success rate" in page.inner_text("#summary")
    shoot(page, shots, "list")

    page.select_option("#filter-family", "chat")
    assert rows(page) == ["chat.direct-message-s0"]
    assert page.inner_text("#count") == "1 of 2 episodes"
    page.select_option("#filter-family", "")
    page.select_option("#filter-outcome", "success")  # the random agent solved neither
    assert rows(page) == [] and "No episode matches" in page.inner_text("#listing")
    page.select_option("#filter-outcome", "")

    page.fill("#search", "Personal")  # a word of the mail task's goal only
    assert rows(page) == ["mail.apply-label-s0"]
    page.fill("#search", "")

    page.click("button.sort[data-key=id]")  # sorted by id already: the second click reverses
    assert rows(page) == ["mail.apply-label-s0", "chat.direct-message-s0"]
    page.click("button.sort[data-key=tokens]")  # only the chat episode reported tokens
    assert rows(page)[0] == "chat.direct-message-s0"
    assert "31,200" in page.inner_text("#totals")  # 30 steps of 1,000 + 40 tokens


def test_an_episode_shows_its_goal_and_steps_by_slider_and_keys(
    report: Path, page: Any, shots: Path
) -> None:
    page.goto(report.as_uri())
    page.click("a:text('mail.apply-label-s0')")
    goal = get_task("mail.apply-label").goal(
        json.loads(
            (report.parents[1] / "episodes/mail.apply-label-s0/trajectory/meta.json").read_text()
        )["task"]["params"]
    )
    assert page.inner_text(".goal-text") == goal
    assert page.inner_text(".where").startswith("Step 1 of ")
    first = wait_for_frame(page)
    shoot(page, shots, "episode")

    page.keyboard.press("ArrowRight")
    assert page.inner_text(".where").startswith("Step 2 of ")
    second = wait_for_frame(page)
    assert second != first  # the screenshot the agent saw before step 2
    assert page.evaluate("location.hash") == "#/episode/mail.apply-label-s0/2"
    page.keyboard.press("k")
    assert page.inner_text(".where").startswith("Step 1 of ") and wait_for_frame(page) == first
    page.keyboard.press("j")
    page.locator(".step-slider").fill("4")  # dragging the slider
    assert page.inner_text(".where").startswith("Step 4 of ")
    page.locator(".step-slider").focus()  # the slider keeps its own arrow keys: one step each
    page.keyboard.press("ArrowLeft")
    assert page.inner_text(".where").startswith("Step 3 of ")
    assert page.locator("table.checkpoints tbody tr").count() >= 1


def test_the_agents_messages_tree_and_tokens_show_and_markup_stays_text(
    report: Path, page: Any, shots: Path
) -> None:
    page.goto(report.as_uri() + "#/episode/chat.direct-message-s0/1")
    assert GOAL_ATTACK in page.inner_text(".goal-text")
    assert REPLY_ATTACK in page.inner_text("pre.reply")
    assert page.locator("main img:not(.shot img)").count() == 0  # no element came of the text
    assert page.locator("script:not([src]):not([type='application/json'])").count() == 0
    assert page.evaluate("window.__pwned") is None
    page.click("details.axtree summary")
    assert page.inner_text("details.axtree pre") == TREE
    facts = page.inner_text("table.facts")
    assert "31,200 tokens (30,000 prompt, 1,200 completion)" in facts and "$0.0123" in facts
    assert "1,000 prompt + 40 completion tokens" in page.inner_text("section.agent")
    wait_for_frame(page)
    shoot(page, shots, "messages")


def test_the_compare_view_lists_what_flipped_and_pairs_episodes(
    runs: tuple[Path, Path], report: Path, page: Any, shots: Path
) -> None:
    oracle, candidate = runs
    before = {r.task_id: r.success for r in load_results(oracle)}
    after = {r.task_id: r.success for r in load_results(candidate)}
    flipped = sorted(t for t in TASKS if before[t] and not after[t])
    assert flipped, "the random agent solved what the oracle did"
    page.goto(report.as_uri())
    page.click("nav a:text('Compare')")
    assert page.locator("#flips li[data-flip='pass->fail']").count() == len(flipped)
    assert page.locator("#pairs tbody tr").count() == len(TASKS)
    shoot(page, shots, "compare")

    page.click(f"#flips a:text('{flipped[0]} seed 0')")
    sides = page.locator(".pair .side")
    assert sides.count() == 2
    assert "success" in sides.nth(0).inner_text() and "failure" in sides.nth(1).inner_text()
    before_a = wait_for_frame(page, ".pair .side:nth-child(1)")
    page.keyboard.press("ArrowRight")  # both sides step together
    assert [sides.nth(i).locator(".where").inner_text()[:7] for i in (0, 1)] == ["Step 2 "] * 2
    assert wait_for_frame(page, ".pair .side:nth-child(1)") != before_a
    shoot(page, shots, "pair")


def test_the_oracles_shortcut_is_named_once_and_its_typing_is_drawn(
    runs: tuple[Path, Path], report: Path, page: Any
) -> None:
    oracle, _ = runs
    steps = [
        json.loads(line)
        for line in (oracle / "episodes/mail.apply-label-s0/steps.jsonl").read_text().splitlines()
    ]
    hotkey = next(s["step"] for s in steps if s["action"].startswith("hotkey"))
    typed = next(s for s in steps if s["action"].startswith("type("))
    page.goto(report.as_uri() + f"#/baseline/mail.apply-label-s0/{hotkey}")
    assert page.locator("ul.marks li").all_inner_texts() == ["Control+A"]
    assert page.locator(".overlay text").all_text_contents() == ["⌨ Control+A"]
    page.goto(report.as_uri() + f"#/baseline/mail.apply-label-s0/{typed['step']}")
    text = typed["action"].removeprefix("type('").removesuffix("')")
    assert page.locator("ul.marks li").all_inner_texts() == [f"typed “{text}”"]
    assert page.locator(".overlay rect.m-type").count() == 1  # the field it went into
    wait_for_frame(page)


def test_view_opens_recordings_in_the_same_viewer(tmp_path: Path, page: Any, shots: Path) -> None:
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    recordings = [
        EXAMPLES / "mail.apply-label" / "s0.zip",
        EXAMPLES / "mail.star-with-shortcut" / "s0.zip",
        broken,
    ]
    out = tmp_path / "viewer"
    done = subprocess.run(
        [sys.executable, "-m", "officegym.cli", "view", *map(str, recordings), "--out", str(out)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    index = out / "index.html"
    assert done.stdout.strip() == f"viewer: {index}"
    page.goto(index.as_uri())
    assert page.inner_text("#count") == "3 of 3 episodes"
    page.select_option("#filter-error-kind", "unreadable")
    assert rows(page) == ["broken.zip"]
    assert "not a directory or a zip file" in page.inner_text("#listing tbody")
    page.select_option("#filter-error-kind", "")
    shoot(page, shots, "recordings")
    page.click("a:text('mail.apply-label-s0')")
    assert page.inner_text(".goal-text").startswith("Apply the label “Personal”")
    assert "synthetic" in page.inner_text("table.facts")
    page.keyboard.press("ArrowRight")
    assert page.locator("ul.marks li").all_inner_texts() == ["Control+A"]
    wait_for_frame(page)
    shoot(page, shots, "recording")


def test_view_refuses_a_folder_of_other_files_and_a_missing_recording(tmp_path: Path) -> None:
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "notes.txt").write_text("mine")
    recording = str(EXAMPLES / "mail.apply-label" / "s0.zip")
    cases = (
        ([recording, "--out", str(taken)], f"{taken} holds files that are no viewer's"),
        ([str(tmp_path / "missing.zip")], f"{tmp_path / 'missing.zip'}: no such file or folder"),
    )
    for args, said in cases:
        done = subprocess.run(
            [sys.executable, "-m", "officegym.cli", "view", *args],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 2 and said in done.stderr, done.stderr
        assert len(done.stderr.splitlines()) == 1  # one line, no traceback
    assert [p.name for p in taken.iterdir()] == ["notes.txt"]
