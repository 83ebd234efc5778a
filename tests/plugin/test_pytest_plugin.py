"""The pytest plugin, run for real in pytest subprocesses (pytester): pass, fail, baseline, xdist,
and the run folders a user finds afterwards.

Each run starts its own Chromium and plays real episodes; the plugin is loaded with `-p officegym`
(its `pytest11` entry point), the command the docs give.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from officegym.pytest_plugin import KEPT_RUNS
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

# A folder's own tests, which a run of the suite must leave alone: each fails if it runs.
OWN_TESTS = '''
def test_own():
    raise AssertionError("the folder's own test ran")


def doubled(n):
    """
    >>> doubled(2)
    5
    """
    return 2 * n
'''


def officegym_pytest(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess(
        "-p", "officegym", "--officegym-suite=smoke", "-v", *args, timeout=600
    )


def cache_runs(pytester: pytest.Pytester) -> list[Path]:
    """The folders of the default place, oldest first."""
    return sorted((pytester.path / ".pytest_cache" / "d" / "officegym").iterdir())


def test_oracle_items_pass_with_task_and_seed_ids_and_are_stored(
    pytester: pytest.Pytester,
) -> None:
    result = officegym_pytest(pytester, "--officegym-agent=oracle", "--officegym-out=run")
    result.assert_outcomes(passed=len(SMOKE))
    result.stdout.fnmatch_lines(["chat.direct-message[[]seed=0[]] PASSED*"])
    stored = load_results(pytester.path / "run")
    assert {(r.task_id, r.seed, r.success) for r in stored} == {(t, 0, True) for t in SMOKE}
    assert all((Path(r.trajectory) / "meta.json").exists() for r in stored)


def test_only_the_task_items_run_in_a_folder_of_tests_and_each_run_has_its_own_folder(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(test_own=OWN_TESTS)
    pytester.makeini("[pytest]\naddopts = --doctest-modules\n")
    temp = pytester.mkdir("temp")  # the runs' temporary folder, to see what they leave there
    monkeypatch.setenv("TMPDIR", str(temp))
    # A test file named on the command line is collected (pytest's rule) but deselected.
    named = officegym_pytest(pytester, "--collect-only", "test_own.py")
    named.stdout.fnmatch_lines([f"*collected {len(SMOKE) + 2} items / 2 deselected*"])
    assert "test_own" not in named.stdout.str().split("deselected", 1)[1]
    # Earlier runs, as many as are kept, and a folder that is not a run: the oldest run goes.
    cache = pytester.path / ".pytest_cache" / "d" / "officegym"
    earlier = [cache / f"20000101-0000{n:02}" for n in range(KEPT_RUNS)]
    for folder in [*earlier, cache / "mine"]:
        folder.mkdir(parents=True)
    new_runs: list[Path] = []
    for run in (1, 2):
        result = officegym_pytest(pytester, "-k", "mail.apply-label")
        result.assert_outcomes(passed=1, deselected=len(SMOKE) - 1)
        assert "test_own" not in result.stdout.str()
        *kept, mine = cache_runs(pytester)  # `mine` sorts after the dated names
        new = kept[-1]
        new_runs.append(new)
        assert mine == cache / "mine"
        assert kept == [*earlier[run:], *new_runs]  # a new folder per run, the oldest pruned
        stored = load_results(new)
        assert [(r.episode_id, r.success) for r in stored] == [("mail.apply-label-s0", True)]
        assert (Path(stored[0].trajectory) / "meta.json").exists()
        assert Path(stored[0].trajectory).is_relative_to(new)
        report = new / "report" / "index.html"
        result.stdout.fnmatch_lines(
            [f"officegym: 1 episode, 1 solved, stored in {new}", f"officegym: report {report}"]
        )
        assert report.exists()
    assert list(temp.iterdir()) == []


def test_a_failed_item_names_its_trajectory_and_the_report(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(quitter=QUITTER)
    result = officegym_pytest(
        pytester,
        "--officegym-agent=quitter:Quitter",
        "--officegym-out=runs/today",
        "-k",
        "mail.apply-label",
    )
    result.assert_outcomes(failed=1, deselected=len(SMOKE) - 1)
    result.stdout.fnmatch_lines(
        ["*mail.apply-label seed 0: score 0.00; checkpoints failed: label*"]
    )
    output = result.stdout.str()
    trajectory = re.search(r"trajectory: (\S+)", output)
    report = re.search(r"report: (\S+)", output)
    assert trajectory and report, output
    run = pytester.path / "runs" / "today"
    assert Path(trajectory[1]) == run / "episodes" / "mail.apply-label-s0" / "trajectory"
    assert (Path(trajectory[1]) / "meta.json").exists()
    assert Path(report[1]) == run / "report" / "index.html"
    assert Path(report[1]).exists()


def test_with_a_baseline_only_items_that_passed_there_fail(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(quitter=QUITTER)
    store = ResultStore(pytester.path / "baseline" / "results.sqlite")
    for task, success in (("mail.apply-label", True), ("chat.direct-message", False)):
        store.add(EpisodeResult(f"{task}-s0", task, 0, "x", success, float(success)))
    store.close()  # sheets.enter-value is not in the baseline at all
    three = "mail.apply-label or chat.direct-message or sheets.enter-value"
    result = officegym_pytest(
        pytester, "--officegym-agent=quitter:Quitter", "--officegym-baseline=baseline", "-k", three
    )
    result.assert_outcomes(failed=1, xfailed=2, deselected=len(SMOKE) - 3)
    result.stdout.fnmatch_lines(["*regressed (passed in the baseline): mail.apply-label seed 0*"])
    result.stdout.fnmatch_lines(["*chat.direct-message*seed=0*XFAIL*failed in the baseline too*"])
    result.stdout.fnmatch_lines(["*sheets.enter-value*seed=0*XFAIL*not in the baseline*"])


def test_items_run_in_parallel_with_xdist_into_one_run_folder(pytester: pytest.Pytester) -> None:
    two = "mail.apply-label or chat.direct-message"
    result = officegym_pytest(
        pytester, "--officegym-agent=oracle", "--officegym-seeds=2", "-n", "2", "-k", two
    )
    result.assert_outcomes(passed=4)  # the workers deselect: the controller counts none
    result.stdout.fnmatch_lines(["*[[]gw1[]]*PASSED*seed=*"])
    [run] = cache_runs(pytester)  # both workers wrote into the one folder the controller made
    assert len(load_results(run)) == 4


def test_an_out_folder_that_holds_something_is_refused(pytester: pytest.Pytester) -> None:
    pytester.mkdir("runs").joinpath("notes.txt").write_text("mine")
    result = officegym_pytest(pytester, "--officegym-out=runs")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [f"*--officegym-out {pytester.path / 'runs'} is not empty (notes.txt)*"]
    )
    assert (pytester.path / "runs" / "notes.txt").read_text() == "mine"
    # Without pytest's cache there is no default folder: the run must be given one.
    result = officegym_pytest(pytester, "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*pass --officegym-out*"])


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
