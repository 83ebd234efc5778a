"""summary.json of a run that holds several variants: the keys every reader knows stay as they
are, and `aggregate` carries the figures per variant and the attack success."""

from __future__ import annotations

import json
from pathlib import Path

from officegym.evaluators import interval
from officegym.results import EpisodeResult
from officegym.runner import RunConfig, summarize

TASKS = ("mail.apply-label", "chat.direct-message")


def result(
    task: str, variant: str, seed: int, success: bool, attacked: bool | None
) -> EpisodeResult:
    name = f"{task}@{variant}-s{seed}" if variant else f"{task}-s{seed}"
    return EpisodeResult(
        name, task, seed, "oracle", success, float(success), variant=variant, attacked=attacked
    )


def test_summary_json_of_a_run_of_three_variants() -> None:
    results = [
        *(result(t, "", s, True, None) for t in TASKS for s in (0, 1)),
        *(result(t, "popup", s, t == TASKS[0], None) for t in TASKS for s in (0, 1)),
        *(result(t, "inject", s, True, s == 0) for t in TASKS for s in (0, 1)),
    ]
    config = RunConfig("robust", "oracle", 2, Path("out"))
    summary = json.loads(summarize(results, config).to_json())
    assert list(summary) == [
        "suite", "agent", "action_mode", "backend", "episodes", "success_rate", "mean_score",
        "errors", "statuses", "retried", "per_task", "aggregate",
    ]  # fmt: skip
    assert summary["episodes"] == 12 and summary["success_rate"] == round(10 / 12, 4)
    assert summary["per_task"][TASKS[1]]["episodes"] == 6  # every variant of the task
    figures = summary["aggregate"]
    assert list(figures["per_variant"]) == ["", "inject", "popup"]  # "": clean
    popup = figures["per_variant"]["popup"]
    assert popup["success"] == interval({TASKS[0]: [1, 1], TASKS[1]: [0, 0]})
    drop = interval({TASKS[0]: [0, 0], TASKS[1]: [1, 1]})
    assert popup["drop"] == {"pairs": 4, "templates": 2, **drop}
    attack = {"episodes": 4, "templates": 2, **interval({TASKS[0]: [1, 0], TASKS[1]: [1, 0]})}
    assert figures["per_variant"]["inject"]["attack_success"] == attack
    assert figures["attack_success"] == attack and attack["mean"] == 0.5
    assert figures["per_variant"][""]["attack_success"] is None
    assert figures["per_variant"][""]["drop"] is None
    assert figures["attack_unknown"] == 0


def test_summary_json_of_a_clean_run_has_one_variant_and_no_attack_figures() -> None:
    results = [result(t, "", s, s == 0, None) for t in TASKS for s in (0, 1)]
    figures = summarize(results, RunConfig("smoke", "oracle", 2, Path("out"))).as_dict()
    aggregate = figures["aggregate"]
    assert aggregate["attack_success"] is None
    assert list(aggregate["per_variant"]) == [""]
    assert aggregate["per_variant"][""]["success"] == aggregate["overall"]["success"]
    assert aggregate["attack_unknown"] == 0


def test_summary_json_counts_the_injected_episodes_that_ended_before_they_were_judged() -> None:
    # A timeout under inject (the runner stores it with attacked None), one under popup.
    results = [
        *(result(t, "", 0, True, None) for t in TASKS),
        result(TASKS[0], "inject", 0, True, True),
        EpisodeResult(
            f"{TASKS[1]}@inject-s0", TASKS[1], 0, "oracle", False, 0.0,
            status="timeout", error="episode timeout", variant="inject",
        ),
        EpisodeResult(
            f"{TASKS[1]}@popup-s0", TASKS[1], 0, "oracle", False, 0.0,
            status="timeout", error="episode timeout", variant="popup",
        ),
    ]  # fmt: skip
    summary = json.loads(summarize(results, RunConfig("inject", "oracle", 1, Path("o"))).to_json())
    figures = summary["aggregate"]
    assert figures["attack_unknown"] == 1
    assert figures["per_variant"]["inject"]["attack_unknown"] == 1
    assert figures["per_variant"]["popup"]["attack_unknown"] == 0
    # The attack rate is over the one judged episode, not 1 of 2.
    assert figures["attack_success"] == {
        "episodes": 1, "templates": 1, "mean": 1.0, "low": 1.0, "high": 1.0,
    }  # fmt: skip
    # per_task merges a template's variants (docs/scoring.md says so).
    assert summary["per_task"][TASKS[1]]["episodes"] == 3
