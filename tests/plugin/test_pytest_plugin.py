"""The pytest plugin, run for real in pytest subprocesses (pytester): pass, fail, baseline, xdist.

Each run starts its own Chromium and plays real episodes; the plugin is loaded through its
`pytest11` entry point exactly as a user's pytest loads it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from officegym.results import EpisodeResult, ResultStore, load_results
from officegym.tasks import suite_tasks

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SMOKE = suite_tasks("smoke")

# An agent that gives up at once: every task scores 0 with it.
QUITTER = """
class Quitter:
    name = "quitter"

    def __init__(self, seed=None):
        pass

    def reset(self, info):
        pass

    def act(self, observation):
        return "answer('')"
"""


def officegym_pytest(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--officegym-suite=smoke", "-v", *args, timeout=600
    )


def test_oracle_items_pass_with_task_and_seed_ids_and_are_stored(
    pytester: pytest.Pytester,
) -> None:
    result = officegym_pytest(pytester, "--officegym-agent=oracle", "--officegym-out=run")
    result.assert_outcomes(passed=len(SMOKE))
    result.stdout.fnmatch_lines(["chat.direct-message[[]seed=0[]] PASSED*"])
    stored = load_results(pytester.path / "run")
    assert {(r.task_id, r.seed, r.success) for r in stored} == {(t, 0, True) for t in SMOKE}
    assert all((Path(r.trajectory) / "meta.json").exists() for r in stored)


def test_a_failing_agent_fails_items_naming_the_failed_checkpoints(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(quitter=QUITTER)
    result = officegym_pytest(pytester, "--officegym-agent=quitter:Quitter")
    result.assert_outcomes(failed=len(SMOKE))
    result.stdout.fnmatch_lines(
        ["*mail.apply-label seed 0: score 0.00; checkpoints failed: label*"]
    )


def test_with_a_baseline_only_items_that_passed_there_fail(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(quitter=QUITTER)
    store = ResultStore(pytester.path / "baseline" / "results.sqlite")
    for task, success in (("mail.apply-label", True), ("chat.direct-message", False)):
        store.add(EpisodeResult(f"{task}-s0", task, 0, "x", success, float(success)))
    store.close()  # the other smoke tasks are not in the baseline at all
    result = officegym_pytest(
        pytester, "--officegym-agent=quitter:Quitter", "--officegym-baseline=baseline"
    )
    result.assert_outcomes(failed=1, xfailed=len(SMOKE) - 1)
    result.stdout.fnmatch_lines(["*regressed (passed in the baseline): mail.apply-label seed 0*"])
    result.stdout.fnmatch_lines(["*chat.direct-message*seed=0*XFAIL*failed in the baseline too*"])
    result.stdout.fnmatch_lines(["*sheets.enter-value*seed=0*XFAIL*not in the baseline*"])


def test_items_run_in_parallel_with_xdist(pytester: pytest.Pytester) -> None:
    result = officegym_pytest(
        pytester, "--officegym-agent=oracle", "--officegym-seeds=2", "-n", "2", "--officegym-out=r"
    )
    result.assert_outcomes(passed=2 * len(SMOKE))
    result.stdout.fnmatch_lines(["*[[]gw1[]]*PASSED*seed=*"])
    assert len(load_results(pytester.path / "r")) == 2 * len(SMOKE)


def test_bad_options_are_usage_errors(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--officegym-suite=smok")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown suite 'smok'. Did you mean: 'smoke'?*"])
    result = pytester.runpytest_subprocess("--officegym-suite=smoke", "--officegym-baseline=none")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--officegym-baseline none holds no results.sqlite*"])


def test_fixtures_make_envs_and_find_tasks(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_mine="""
        def test_reset(office_env, office_task):
            env = office_env("mail.star-with-shortcut")
            obs, info = env.reset(seed=1)
            assert obs["url"].startswith("http://mail.office.test")
            assert office_task("mail.star-with-shortcut").goal(info["params"]) == obs["goal"]
        """
    )
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)
