"""Real runs end to end: oracle against random through `officegym compare`, and the report's
viewer opened in real Chromium (no console errors, every episode's screenshot loads, a screenshot
taken; tests/report/ tests the viewer's views one by one)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from officegym.tasks import suite_tasks

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SMOKE = sorted(suite_tasks("smoke"))


def officegym(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "officegym.cli", *args], capture_output=True, text=True, timeout=600
    )


def run(out: Path, agent: str) -> Path:
    # Three seeds: nine pairs, so a clean regression is significant (exact McNemar p = 0.004).
    args = ("run", "--suite", "smoke", "--seeds", "3", "--action-mode", "browser", "--quiet")
    done = officegym(*args, "--agent", agent, "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert (out / "report" / "index.html").exists()  # `run` writes the report at the end
    return out


def test_compare_oracle_with_random_and_read_the_report_in_chromium(tmp_path: Path) -> None:
    oracle, again, rand = (
        run(tmp_path / n, a)
        for n, a in (("oracle", "oracle"), ("oracle2", "oracle"), ("random", "random"))
    )

    worse = officegym("compare", str(oracle), str(rand), "--json", "--html")
    assert worse.returncode == 1, worse.stderr
    verdict = json.loads(worse.stdout)
    assert verdict["significant_regression"] and verdict["regressed"] == SMOKE
    assert verdict["a_only"] >= 8 and verdict["p_value"] < 0.01
    same = officegym("compare", str(oracle), str(again))
    assert same.returncode == 0 and "no significant regression" in same.stdout

    episodes = sorted((oracle / "episodes").glob("*-s0/trajectory"))
    replay = officegym("replay", *map(str, episodes), "--out", str(tmp_path / "verdicts.jsonl"))
    assert replay.returncode == 0, replay.stdout + replay.stderr
    report = officegym(
        "report", str(rand), "--baseline", str(oracle), "--reference", str(oracle),
        "--verdicts", str(tmp_path / "verdicts.jsonl"),
    )  # fmt: skip
    assert report.returncode == 0, report.stderr
    index = rand / "report" / "index.html"
    assert str(index) in report.stdout

    from playwright.sync_api import sync_playwright

    from officegym.browser import CHROMIUM_ARGS, chromium_executable

    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        # A lazy image still loading when the test moves on is aborted; that is no fault.
        page.on(
            "requestfailed",
            lambda r: None if r.failure == "net::ERR_ABORTED" else problems.append(r.url),
        )
        page.goto(index.as_uri())
        assert page.title() == "random on smoke — officegym report"
        assert "Success rate" in page.inner_text("#summary")
        assert page.locator("svg.plot").count() == 2  # success per app and per skill, with CIs
        page.screenshot(path=tmp_path / "report.png", full_page=True)
        links = page.eval_on_selector_all("#episodes a[href]", "els => els.map(e => e.href)")
        assert len(links) == 3 * len(SMOKE)  # every episode, in the viewer's list
        images = 0
        for link in links:
            page.goto(link)  # the episode's view, at its first step
            page.wait_for_function("() => document.querySelector('.shot img')?.complete")
            images += page.evaluate(
                "Array.from(document.images).filter(i => i.complete && i.naturalWidth > 0).length"
            )
        assert images == 3 * len(SMOKE), "each episode shows the screenshot the agent saw"
        page.goto(index.as_uri() + "#/compare")
        assert "significant regression" in page.inner_text("main")
        assert page.locator("svg.plot rect.worse").count() == len(SMOKE)  # a bar per task
        page.goto(index.as_uri() + "#/verdicts")
        shown = page.inner_text("main")  # the seed-0 episode of each task, replayed
        assert page.locator("tbody tr").count() == len(SMOKE) and f"{len(SMOKE)} valid" in shown
        browser.close()
    assert not problems, problems
    assert (tmp_path / "report.png").stat().st_size > 20_000
