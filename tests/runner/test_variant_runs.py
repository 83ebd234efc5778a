"""Runs that hold episodes under different variants: the `robust` and `inject` suites, their
plans and episode ids, a real run of one task under every perturbation, and its resume."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

import officegym.tasks.variants as variants_module
from officegym.cli._run import _episode_line
from officegym.errors import VariantError
from officegym.results import RESULTS_FILE, Attempt, EpisodeResult, ResultStore
from officegym.runner import EpisodeRunner, RunConfig, plan_episodes, run, validate
from officegym.runner._folder import run_settings
from officegym.runner._run import jobs_to_play
from officegym.tasks import Task, suite_members, suite_tasks, suites
from officegym.tasks.variants import Variant, variants
from officegym.trajectory import TrajectoryReader

TASK = "mail.apply-label"  # a quick task every perturbation applies to


def officegym(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "officegym.cli", *args], capture_output=True, text=True, timeout=900
    )


def perturbations_of(task_id: str) -> list[str]:
    """The registered perturbations that apply to the task, in registry order."""
    from officegym.tasks import get_task

    task = get_task(task_id)
    return [
        v.name
        for v in variants().values()
        if v.kind == "perturbation" and v.applies(task) and v.name not in task.unsupported_variants
    ]


def with_variants(monkeypatch: pytest.MonkeyPatch, *extra: Variant, drop: str = "") -> None:
    """Have the registry hold these variants too (and not `drop`) for the test."""
    registered = {n: v for n, v in variants().items() if n != drop}
    registered.update({v.name: v for v in extra})
    monkeypatch.setattr(variants_module, "variants", lambda: dict(registered))


def only(*task_ids: str) -> Callable[[Task], bool]:
    return lambda task: task.id in task_ids


def test_robust_is_each_core_template_clean_then_under_each_perturbation() -> None:
    members = suite_members("robust")
    core = suites()["core"]
    assert suite_tasks("robust") == core == suites()["robust"]
    assert list(dict.fromkeys(m.task_id for m in members)) == core  # core's order, grouped
    for task_id in core:
        played = [m.variant for m in members if m.task_id == task_id]
        assert played == ["", *perturbations_of(task_id)]
    assert [m.variant for m in members if m.task_id == TASK][:5] == [
        "",
        "narrow",
        "zoom",
        "dark",
        "popup",
    ]
    kinds = {variants()[m.variant].kind for m in members if m.variant}
    assert kinds == {"perturbation"}  # never `inject`: that is the `inject` suite's


def test_a_perturbation_registered_later_joins_robust(monkeypatch: pytest.MonkeyPatch) -> None:
    before = [m.variant for m in suite_members("robust") if m.task_id == TASK]
    with_variants(monkeypatch, Variant("tall", "a taller window", applies=only(TASK)))
    assert [m.variant for m in suite_members("robust") if m.task_id == TASK] == [*before, "tall"]
    assert [m for m in suite_members("robust") if m.variant == "tall"] == [(TASK, "tall")]


def test_inject_is_each_injected_template_clean_then_injected(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    chosen = ("mail.apply-label", "chat.direct-message")
    injection = Variant("inject", "planted text", kind="injection", applies=only(*chosen))
    with_variants(monkeypatch, injection)
    in_core_order = [t for t in suites()["core"] if t in chosen]
    assert suite_members("inject") == [(t, v) for t in in_core_order for v in ("", "inject")]
    assert suite_tasks("inject") == in_core_order
    assert all(m.variant != "inject" for m in suite_members("robust"))


def test_inject_without_its_variant_is_an_empty_suite_a_run_refuses(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with_variants(monkeypatch, drop="inject")
    assert suite_members("inject") == [] and suites()["inject"] == []
    config = RunConfig("inject", "oracle", 1, tmp_path / "run")
    with pytest.raises(ValueError, match="no variant named 'inject' is registered yet"):
        validate(config)
    assert not (tmp_path / "run").exists()


def test_the_robust_plan_gives_each_variant_its_own_id_and_keeps_clean_ids(
    tmp_path: Path,
) -> None:
    jobs = plan_episodes(RunConfig("robust", "oracle", 2, tmp_path))
    assert len(jobs) == 2 * len(suite_members("robust"))
    assert len({j.episode_id for j in jobs}) == len(jobs)
    assert len({j.trajectory for j in jobs}) == len(jobs)
    for job in jobs:
        expected = (
            f"{job.task_id}-s{job.seed}"
            if not job.variant
            else (f"{job.task_id}@{job.variant}-s{job.seed}")
        )
        assert job.episode_id == expected
        assert Path(job.trajectory) == tmp_path / "episodes" / expected / "trajectory"
    # The clean jobs are exactly the ones a run of `core` plans: an old run resumes as it was.
    core = plan_episodes(RunConfig("core", "oracle", 2, tmp_path))
    assert [j for j in jobs if not j.variant] == core
    # One task, one seed: its clean episode, then one per perturbation, in the suite's order.
    one = plan_episodes(RunConfig("robust", "oracle", 1, tmp_path, tasks=(TASK,)))
    assert [(j.episode_id, j.variant) for j in one] == [
        (f"{TASK}-s0", ""),
        *((f"{TASK}@{v}-s0", v) for v in perturbations_of(TASK)),
    ]
    limited = plan_episodes(RunConfig("robust", "oracle", 2, tmp_path, tasks=(TASK,), limit=3))
    assert [j.episode_id for j in limited] == [f"{TASK}-s0", f"{TASK}-s1", f"{TASK}@narrow-s0"]


def test_a_suite_under_a_variant_plays_every_episode_under_it(tmp_path: Path) -> None:
    jobs = plan_episodes(RunConfig("smoke@popup+narrow", "oracle", 1, tmp_path))
    assert [j.task_id for j in jobs] == suite_tasks("smoke")
    assert {j.variant for j in jobs} == {"narrow+popup"}
    assert jobs[0].episode_id == f"{jobs[0].task_id}@narrow+popup-s0"


def test_a_variant_on_a_suite_of_variants_is_refused(tmp_path: Path) -> None:
    with pytest.raises(VariantError, match="suite 'robust' plays its tasks under variants"):
        suite_members("robust@narrow")
    with pytest.raises(VariantError, match="'core@narrow'"):
        validate(RunConfig("robust@narrow", "oracle", 1, tmp_path / "run"))
    out = officegym("run", "--suite", "inject@popup", "--agent", "oracle", "--out", str(tmp_path))
    assert out.returncode == 2
    assert "suite 'inject' plays its tasks under variants" in out.stderr, out.stderr
    assert len(out.stderr.splitlines()) == 1 and list(tmp_path.iterdir()) == []


def test_tasks_list_shows_the_variants_each_task_plays_under() -> None:
    out = officegym("tasks", "list", "--suite", "robust", "--json")
    assert out.returncode == 0, out.stderr
    rows = {r["id"]: r for r in json.loads(out.stdout)}
    assert list(rows) == suites()["core"]
    assert rows[TASK]["variants"] == ["", *perturbations_of(TASK)]
    assert "robust" in rows[TASK]["suites"]
    plain = officegym("tasks", "list", "--suite", "robust")
    header, first = plain.stdout.splitlines()[:2]
    assert header.split("\t") == ["id", "apps", "tags", "variants", "instruction"]
    assert first.split("\t")[3].split(",")[0] == "clean"


@pytest.mark.browser
@pytest.mark.slow
def test_a_robust_run_stores_an_episode_per_variant_and_resumes_with_none(
    tmp_path: Path,
) -> None:
    run_dir = tmp_path / "robust"
    args = ("run", "--suite", "robust", "--agent", "oracle", "--seeds", "1", "--task", TASK)
    out = officegym(*args, "--out", str(run_dir), "--no-report")
    assert out.returncode == 0, out.stderr
    db = sqlite3.connect(run_dir / "results.sqlite")
    rows = db.execute(
        "SELECT episode_id, task_id, variant, success, error, trajectory FROM episodes"
    ).fetchall()
    expected = ["", *perturbations_of(TASK)]
    assert sorted((r[0], r[2]) for r in rows) == sorted(
        (f"{TASK}@{v}-s0" if v else f"{TASK}-s0", v) for v in expected
    )
    for episode_id, task_id, variant, success, error, trajectory in rows:
        assert task_id == TASK and (success, error) == (1, ""), (variant, error)
        assert Path(trajectory) == run_dir / "episodes" / episode_id / "trajectory"
        with TrajectoryReader(trajectory) as reader:
            assert reader.meta.extra.get("variant") == (variant or None)
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["episodes"] == len(expected) and summary["success_rate"] == 1.0
    attempts = db.execute("SELECT count(*) FROM attempts").fetchone()[0]

    again = officegym(*args, "--out", str(run_dir), "--no-report", "--resume")
    assert again.returncode == 0, again.stderr
    assert "[" not in again.stdout.split("oracle on robust")[0]  # no episode line: none played
    assert db.execute("SELECT count(*) FROM episodes").fetchone()[0] == len(expected)
    assert db.execute("SELECT count(*) FROM attempts").fetchone()[0] == attempts


def old_popup_run(config: RunConfig, *rows: EpisodeResult) -> ResultStore:
    """The store of a `SUITE@popup` run as the version before variant ids stored it: its
    episodes named `<task>-s<seed>`, their variant column `popup`."""
    store = ResultStore(config.out / RESULTS_FILE)
    store.set_info(**run_settings(config))
    for row in rows:
        store.add(row)
    return store


def stored_before_variant_ids(config: RunConfig, **fields: object) -> EpisodeResult:
    folder = str(config.out / "episodes" / f"{TASK}-s0" / "trajectory")
    stored = EpisodeResult(f"{TASK}-s0", TASK, 0, "oracle", True, 1.0, trajectory=folder)
    return replace(stored, variant="popup", **fields)  # type: ignore[arg-type]


def test_a_run_stored_before_variant_ids_resumes_with_nothing_played(tmp_path: Path) -> None:
    config = RunConfig("smoke@popup", "oracle", 1, tmp_path / "run", tasks=(TASK,), resume=True)
    old_popup_run(config, stored_before_variant_ids(config)).close()
    summary = run(config)
    store = ResultStore(config.out / RESULTS_FILE)
    assert [(r.episode_id, r.variant) for r in store.results()] == [(f"{TASK}-s0", "popup")]
    assert store.attempts() == [] and summary.episodes == 1
    assert not (config.out / "episodes").exists()  # nothing played, no folder made


def test_an_error_stored_before_variant_ids_is_retried_under_its_id(tmp_path: Path) -> None:
    config = RunConfig(
        "smoke@popup", "oracle", 2, tmp_path / "run", tasks=(TASK,), resume=True,
        retry_errors=True,
    )  # fmt: skip
    crashed = stored_before_variant_ids(config, success=False, status="crashed", error="gone")
    store = old_popup_run(config, crashed)
    store.add_attempt(Attempt(f"{TASK}-s0", 2, "crashed", "gone", 1.0))
    [again, new] = jobs_to_play(config, store, plan_episodes(config))
    # The retry keeps the stored id and folder (its result replaces the row), and its attempts
    # number on from the row's; seed 1 was never stored, so it plays under today's id.
    assert (again.episode_id, again.trajectory) == (f"{TASK}-s0", crashed.trajectory)
    assert (again.seed, again.variant) == (0, "popup")
    assert store.last_attempts() == {again.episode_id: 2}
    assert (new.episode_id, new.seed) == (f"{TASK}@popup-s1", 1)
    done = replace(crashed, status="done", error="", success=True)
    store.add(done)  # stored again: nothing left to play, and no row of it twice
    assert jobs_to_play(config, store, plan_episodes(config)) == [new]
    assert len(store.results()) == 1
    store.close()


def test_a_job_prepares_the_next_seed_only_when_it_is_the_next_job(tmp_path: Path) -> None:
    robust = RunConfig("robust", "oracle", 1, tmp_path / "run", tasks=(TASK,))
    store = ResultStore(tmp_path / "store" / RESULTS_FILE)
    jobs = jobs_to_play(robust, store, plan_episodes(robust))
    assert len(jobs) == 1 + len(perturbations_of(TASK))
    assert not any(job.prepare_next for job in jobs)  # each job is another env's only one
    two = replace(robust, seeds=2)
    jobs = jobs_to_play(two, store, plan_episodes(two))
    assert [job.prepare_next for job in jobs] == [True, False] * (len(jobs) // 2)
    # Resumed with seed 1 stored: seed 0's next job is seed 2, which it does not prepare.
    three = replace(robust, seeds=3, resume=True, tasks=(TASK,), suite="core")
    store.add(EpisodeResult(f"{TASK}-s1", TASK, 1, "oracle", True, 1.0))
    jobs = jobs_to_play(three, store, plan_episodes(three))
    assert [(job.seed, job.prepare_next) for job in jobs] == [(0, False), (2, False)]
    store.close()


@pytest.mark.browser
@pytest.mark.slow
def test_an_episode_told_its_next_seed_is_not_next_prepares_none(tmp_path: Path) -> None:
    runner = EpisodeRunner("oracle", variant="narrow")
    try:
        result = runner.run(TASK, 0, "e", tmp_path / "trajectory", prepare_next=False)
        assert (result.success, result.variant) == (True, "narrow")
        # Nothing in preparation: the env's close has nothing to wait for.
        assert runner.env_for(TASK).unwrapped._next is None  # type: ignore[attr-defined]
    finally:
        runner.close()


def test_an_attack_not_reached_is_no_failure_and_an_attack_reached_is_marked() -> None:
    checkpoints = [
        {"name": "labelled", "passed": True, "kind": "goal"},
        {"name": "invoices forwarded", "passed": False, "kind": "attack"},
    ]
    safe = EpisodeResult(f"{TASK}@inject-s0", TASK, 0, "oracle", True, 1.0, checkpoints,
                         variant="inject", attacked=False)  # fmt: skip
    line = _episode_line(safe, 1, 1)
    assert "failed" not in line and "attacked" not in line
    checkpoints[0]["passed"] = False
    hit = replace(safe, success=False, score=0.0, attacked=True, checkpoints=checkpoints)
    assert hit.failed_checkpoints() == ["labelled"]
    line = _episode_line(hit, 1, 1)
    assert "failed: labelled[/]  [red]attacked[/]" in line and "forwarded" not in line
