"""The report of a run that holds several variants and injected instructions: its data without a
browser, and its per-variant tables in real Chromium, with hostile variant and task names.

The runs are written by hand through the real result store (no episode has a trajectory, so
these tests need no env).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from officegym.report import write_report
from officegym.results import EpisodeResult, ResultStore

# Markup in a variant's and a task's name: each would run script if put in as HTML.
VARIANT_ATTACK = 'popup<img src=x onerror="window.__pwned = 1">'
TASK_ATTACK = "mail.</script><script>window.__pwned = 2</script>"
TASKS = ("mail.apply-label", "chat.direct-message", TASK_ATTACK)


def write_run(
    path: Path, attacked_in_inject: bool, hostile: str = VARIANT_ATTACK, *, agent: str = "x"
) -> Path:
    """3 tasks × 2 seeds, clean, under `hostile` (every episode fails) and under `inject`
    (every episode succeeds, attacked as asked)."""
    store = ResultStore(path / "results.sqlite")
    store.set_info(agent=agent, suite="robust")
    for task in TASKS:
        for seed in (0, 1):
            for variant, success, attacked in (
                ("", True, None),
                (hostile, False, None),
                ("inject", True, attacked_in_inject),
            ):
                name = f"{task}@{variant}-s{seed}" if variant else f"{task}-s{seed}"
                store.add(
                    EpisodeResult(
                        episode_id=name, task_id=task, seed=seed, agent=agent, success=success,
                        score=float(success), variant=variant, attacked=attacked,
                    )
                )  # fmt: skip
    store.close()
    return path


def page_data(index: Path) -> dict[str, Any]:
    """The viewer's data as the browser reads it: up to the first `</script>`."""
    html = index.read_text()
    start = html.index('<script type="application/json" id="officegym-data">')
    text = html[html.index(">", start) + 1 : html.index("</script>", start)]
    data: dict[str, Any] = json.loads(text)
    return data


def test_the_reports_data_has_figures_per_variant_and_each_episodes_variant(
    tmp_path: Path,
) -> None:
    index = write_report(write_run(tmp_path / "run", attacked_in_inject=True))
    data = page_data(index)
    per_variant = data["summary"]["per_variant"]
    assert list(per_variant) == ["", "inject", VARIANT_ATTACK]  # "": clean
    assert per_variant[VARIANT_ATTACK]["drop"]["mean"] == 1.0
    assert per_variant[VARIANT_ATTACK]["drop"]["pairs"] == 6
    assert per_variant["inject"]["attack_success"]["mean"] == 1.0
    assert data["summary"]["attack_success"]["episodes"] == 6
    shown = {(e["task"], e["variant"], e["seed"]): e["attacked"] for e in data["episodes"]}
    assert len(shown) == 18
    assert shown[TASKS[0], "clean", 0] is None and shown[TASKS[0], "inject", 1] is True
    assert shown[TASK_ATTACK, VARIANT_ATTACK, 1] is None
    # Nothing of the names reaches the page as markup, outside the data (where it is JSON).
    outside = re.sub(r'id="officegym-data">.*?</script>', "", index.read_text(), flags=re.S)
    assert "__pwned" not in outside


def test_the_compare_data_pairs_episodes_by_variant(tmp_path: Path) -> None:
    baseline = write_run(tmp_path / "a", attacked_in_inject=False)
    index = write_report(write_run(tmp_path / "b", attacked_in_inject=True), baseline=baseline)
    compare = page_data(index)["compare"]
    assert len(compare["pairs"]) == 18
    assert {(p["task"], p["variant"], p["seed"]) for p in compare["pairs"]} == {
        (t, v, s) for t in TASKS for v in ("", VARIANT_ATTACK, "inject") for s in (0, 1)
    }
    stats = compare["stats"]
    assert stats["significant_attack_rise"] and not stats["significant_regression"]
    assert (stats["attack_a_only"], stats["attack_b_only"]) == (0, 6)


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


def cells(page: Any, rows: str) -> list[list[str]]:
    return page.locator(rows).evaluate_all(
        "rs => rs.map(r => Array.from(r.cells).map(c => c.textContent))"
    )


@pytest.mark.browser
def test_the_report_shows_the_per_variant_table_and_each_episodes_variant(
    tmp_path: Path, page: Any
) -> None:
    index = write_report(write_run(tmp_path / "run", attacked_in_inject=True))
    page.goto(index.as_uri())
    table = cells(page, "#per-variant tbody tr")
    assert [row[0] for row in table] == ["clean", "inject", VARIANT_ATTACK]
    clean, inject, hostile = table
    assert clean[3:8] == ["100%", "100% – 100%", "–", "", "0"] and clean[8] == "–"
    assert inject[5:9] == ["100%", "100% – 100%", "0", "+0.0 pts"] and inject[10] == "6"
    assert hostile[3] == "0%" and hostile[8:] == ["+100.0 pts", "+100.0 to +100.0", "6"]
    assert "Attack success" in page.inner_text("#summary table.kv")
    assert page.evaluate("window.__pwned") is None
    assert page.locator("main img").count() == 0  # no element came of the names

    page.select_option("#filter-variant", "inject")
    listed = cells(page, "#episodes tbody tr")
    assert len(listed) == 6 and {row[2] for row in listed} == {"inject"}
    assert {row[3] for row in listed} == {"yes"}
    page.select_option("#filter-variant", VARIANT_ATTACK)
    assert {row[3] for row in cells(page, "#episodes tbody tr")} == {""}


@pytest.mark.browser
def test_the_compare_view_says_attacks_rose_and_lists_each_variant(
    tmp_path: Path, page: Any
) -> None:
    baseline = write_run(tmp_path / "a", attacked_in_inject=False)
    index = write_report(write_run(tmp_path / "b", attacked_in_inject=True), baseline=baseline)
    page.goto(index.as_uri() + "#/compare")
    stats = page.inner_text("#compare-stats")
    assert "no significant regression" in stats and "significant attack rise" in stats
    assert "0% → 100% over 6 pairs with an injected instruction" in stats
    rows = cells(page, "#compare-variants tbody tr")
    assert [r[0] for r in rows] == ["clean", "inject", VARIANT_ATTACK]
    assert rows[1][5:] == ["+0.0 to +0.0", "6", "0%", "100%", "0/6", "0.03125", "0/0"]
    names = page.locator("#pairs tbody td:first-child").all_inner_texts()
    assert f"{TASKS[0]}@inject seed 1" in names and f"{TASKS[0]} seed 1" in names
    assert page.evaluate("window.__pwned") is None
    page.click(f"#pairs a:text('{TASKS[0]}@inject seed 1')")
    assert page.evaluate("location.hash") == f"#/pair/{TASKS[0]}/1/inject"
    assert page.inner_text("main h1").startswith(f"{TASKS[0]}@inject seed 1")
    assert page.locator(".pair .side").count() == 2


@pytest.mark.browser
def test_a_clean_run_shows_no_variant_table_column_or_filter(tmp_path: Path, page: Any) -> None:
    store = ResultStore(tmp_path / "run" / "results.sqlite")
    for task in TASKS[:2]:
        store.add(EpisodeResult(f"{task}-s0", task, 0, "x", True, 1.0))
    store.close()
    page.goto(write_report(tmp_path / "run").as_uri())
    assert "Success rate" in page.inner_text("#summary")
    assert page.locator("#per-variant").count() == 0
    assert page.locator("#filter-variant").count() == 0
    headers = page.locator("#episodes thead th").all_inner_texts()
    assert headers[1:3] == ["family", "outcome"] and "attacked" not in headers
    assert "Attack success" not in page.inner_text("#summary")


def write_outcomes(
    path: Path, outcomes: dict[tuple[str, str, int], tuple[bool, bool | None, str]]
) -> Path:
    """A run of (task, variant, seed) → (success, attacked, status)."""
    store = ResultStore(path / "results.sqlite")
    store.set_info(agent="x", suite="robust")
    for (task, variant, seed), (success, attacked, status) in outcomes.items():
        name = f"{task}@{variant}-s{seed}" if variant else f"{task}-s{seed}"
        store.add(
            EpisodeResult(
                episode_id=name, task_id=task, seed=seed, agent="x", success=success,
                score=float(success), variant=variant, attacked=attacked, status=status,
                error="episode timeout" if status == "timeout" else "",
            )
        )  # fmt: skip
    store.close()
    return path


@pytest.mark.browser
def test_the_report_uses_the_runs_alpha_marks_one_template_intervals_and_unknown_attacks(
    tmp_path: Path, page: Any
) -> None:
    # Two tasks clean and under inject (B timed out on one injected episode); `popup` of one
    # task only; and a variant stored literally as "clean", which keeps a row of its own.
    tasks = TASKS[:2]
    a = {(t, v, s): (True, None if v != "inject" else False, "done")
         for t in tasks for v in ("", "inject") for s in (0, 1)}  # fmt: skip
    a[tasks[0], "popup", 0] = (True, None, "done")
    a[tasks[0], "clean", 0] = (False, None, "done")
    b = {**a, (tasks[1], "inject", 1): (False, None, "timeout")}
    baseline = write_outcomes(tmp_path / "a", a)
    index = write_report(write_outcomes(tmp_path / "b", b), baseline=baseline, alpha=0.1)
    page.goto(index.as_uri())
    summary = page.inner_text("#summary")
    assert "90% CI" in summary and "95%" not in summary
    assert page.inner_text("#attack-unknown td:nth-child(2)") == "1"
    head = page.locator("#per-variant thead th").all_inner_texts()
    assert head[4] == head[6] == head[9] == "90% CI" and head[7] == "attack unknown"
    rows = {r[0]: r for r in cells(page, "#per-variant tbody tr")}
    assert list(rows) == ["clean", "clean (variant)", "inject", "popup"]
    assert rows["clean"][1] == "4" and rows["clean (variant)"][1] == "1"
    assert rows["popup"][4] == "n/a" and rows["popup"][9] == "n/a"  # one template
    assert rows["clean (variant)"][9] == "n/a"
    assert rows["inject"][4] != "n/a" and rows["inject"][7] == "1"

    page.goto(index.as_uri() + "#/compare")
    stats = page.inner_text("#compare-stats")
    assert "90% CI by task" in stats and "95%" not in stats and "holds 0" in stats
    assert "1 in B" in page.inner_text("#compare-attack-unknown")
    assert page.locator("#compare-variants thead th").all_inner_texts()[5] == "90% CI"
    compared = {r[0]: r for r in cells(page, "#compare-variants tbody tr")}
    assert list(compared) == ["clean", "clean (variant)", "inject", "popup"]
    assert compared["popup"][5] == "n/a" and compared["inject"][5] != "n/a"
    assert compared["inject"][6] == "3" and compared["inject"][11] == "0/1"
