"""How the local pool deals jobs to workers (contiguous lanes, stealing the back half), the retry
policy every executor shares, the executors by name, and summary.json's keys."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from officegym.results import Attempt, EpisodeResult
from officegym.runner import (
    EXECUTORS,
    Job,
    Pending,
    RayPool,
    RetryPolicy,
    RunConfig,
    WorkerPool,
    WorkerSpec,
    make_executor,
    summarize,
)
from officegym.runner._pool import _Lanes


def jobs(n: int) -> list[Job]:
    return [Job("mail.apply-label", s, f"mail.apply-label-s{s}", "") for s in range(n)]


def test_each_worker_gets_a_contiguous_lane_and_steals_contiguous_halves() -> None:
    lanes = _Lanes(jobs(10), 2)
    seeds: dict[int, list[int]] = {0: [], 1: []}
    turn = 0
    while lanes:
        lane = 0 if turn % 3 else 1  # worker 0 is twice as fast as worker 1
        item = lanes.take(lane)
        if item is not None:
            seeds[lane].append(item.job.seed)
        turn += 1
    assert sorted(seeds[0] + seeds[1]) == list(range(10))  # every job once
    assert seeds[0][:5] == [0, 1, 2, 3, 4] and seeds[1][0] == 5
    # What worker 0 stole from worker 1's lane comes in ascending runs (prepared seeds hit).
    stolen = seeds[0][5:]
    assert stolen and all(b == a + 1 for a, b in itertools.pairwise(stolen))


def test_a_retry_goes_back_to_the_front_of_its_lane() -> None:
    lanes = _Lanes(jobs(4), 2)
    first = lanes.take(0)
    assert first is not None
    lanes.again(0, Pending(first[0], 2))
    assert lanes.take(0) == (first[0], 2)
    assert _Lanes([], 3).take(1) is None


def test_an_infrastructure_failure_is_retried_until_the_retries_run_out() -> None:
    recorded: list[EpisodeResult] = []
    attempts: list[Attempt] = []
    policy = RetryPolicy("oracle", 1, recorded.append, attempts.append)
    job = jobs(1)[0]
    assert policy.settle(Pending(job, 1), "crashed", "browser died", None) == Pending(job, 2)
    assert recorded == []
    assert policy.settle(Pending(job, 2), "crashed", "browser died again", None) is None
    assert [(a.attempt, a.status, a.error) for a in attempts] == [
        (1, "crashed", "browser died"),
        (2, "crashed", "browser died again"),
    ]
    (result,) = recorded
    assert (result.episode_id, result.status, result.attempts) == (job.episode_id, "crashed", 2)
    assert (result.success, result.error, result.agent) == (False, "browser died again", "oracle")


@pytest.mark.parametrize("status", ["timeout", "agent_error", "done"])
def test_what_the_agent_did_is_final_at_once(status: str) -> None:
    recorded: list[EpisodeResult] = []
    job = jobs(1)[0]
    given = EpisodeResult(job.episode_id, job.task_id, job.seed, "oracle", True, 1.0)
    result = given if status == "done" else None
    policy = RetryPolicy("oracle", 2, recorded.append)
    assert policy.settle(Pending(job, 2), status, "", result) is None
    assert len(recorded) == 1 and recorded[0].status == status and recorded[0].attempts == 2
    assert recorded[0] is given or status != "done"


def test_each_executor_name_gives_its_executor() -> None:
    config = RunConfig("smoke", "oracle", 1, Path("out"), workers=2)
    spec = WorkerSpec("oracle")
    assert EXECUTORS == ("local", "ray")
    assert isinstance(make_executor(config, spec), WorkerPool)
    ray_config = RunConfig("smoke", "oracle", 1, Path("out"), executor="ray")
    assert isinstance(make_executor(ray_config, spec), RayPool)
    with pytest.raises(ValueError, match="unknown executor 'k8s'"):
        make_executor(RunConfig("smoke", "oracle", 1, Path("out"), executor="k8s"), spec)


def test_the_summary_keeps_summary_json_keys_in_their_order() -> None:
    job = jobs(1)[0]
    results = [EpisodeResult(job.episode_id, job.task_id, job.seed, "oracle", True, 1.0, steps=3)]
    summary = json.loads(summarize(results, RunConfig("smoke", "oracle", 1, Path("out"))).to_json())
    assert list(summary) == [
        "suite", "agent", "action_mode", "backend", "episodes", "success_rate", "mean_score",
        "errors", "statuses", "retried", "per_task", "aggregate",
    ]  # fmt: skip
    assert list(summary["per_task"][job.task_id].items()) == [
        ("episodes", 1), ("successes", 1), ("errors", 0), ("retried", 0),
        ("success_rate", 1.0), ("mean_score", 1.0), ("mean_steps", 3.0),
    ]  # fmt: skip
