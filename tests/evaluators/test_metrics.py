"""Episode metrics and run aggregates against hand-computed values."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from officegym.evaluators import (
    ActionStep,
    Reference,
    aggregate,
    episode_metrics,
    operation_f1,
    pass_k_table,
    step_agreement,
    trajectory_steps,
)
from officegym.results import EpisodeResult
from officegym.tasks import task_labels
from officegym.trajectory import TrajectoryWriter

EXAMPLES = Path(__file__).parents[2] / "examples" / "trajectories"


def test_step_agreement_follows_mind2web_on_a_hand_checked_episode() -> None:
    send = ("#send", "button", "Send")
    body = ("#body", "textbox", "Body")
    reference = [
        ActionStep("CLICK", send),
        ActionStep("TYPE hello world", body),
        ActionStep("PRESS Enter", body),
    ]
    agent = [ActionStep("CLICK", send), ActionStep("TYPE hello", body)]
    got = step_agreement(agent, reference)
    assert got.reference_steps == 3 and got.agent_steps == 2
    assert got.element_accuracy == pytest.approx(2 / 3)
    # F1 per step: 1; precision 1, recall 2/3 -> 0.8; a step never taken -> 0
    assert got.operation_f1 == pytest.approx((1 + 0.8 + 0) / 3)
    assert got.step_success_rate == pytest.approx(1 / 3)  # the typing differs, the press is missing
    wrong_element = [ActionStep("CLICK", body)]
    assert step_agreement(wrong_element, reference[:1]).step_success_rate == 0
    assert operation_f1(ActionStep("CLICK", None), ActionStep("SELECT Work", None)) == 0
    with pytest.raises(ValueError, match="no steps"):
        step_agreement(agent, [])


def write_agent_trajectory(folder: Path, steps: list[list[dict[str, Any]]]) -> Path:
    meta = {
        "id": "ep",
        "source": "agent",
        "recorder": {"name": "test", "version": "0"},
        "task": {"id": "mail.apply-label", "seed": 0, "params": {}},
        "start_url": "http://mail.office.test/",
        "viewport": {"width": 1280, "height": 720, "device_scale_factor": 1.0},
        "started_at": "2026-01-01T00:00:00+00:00",
        "extra": {"action_mode": "browser"},
    }
    t = 0.0
    with TrajectoryWriter(folder, meta) as writer:
        writer.write({"t": t, "type": "observe", "url": "http://mail.office.test/"})
        for i, events in enumerate(steps):
            for event in events:
                t += 1
                writer.write({"t": t, **event})
            if i < len(steps) - 1:
                t += 1
                writer.write({"t": t, "type": "observe", "url": "http://mail.office.test/"})
    return folder


def test_agent_trajectories_are_cut_into_steps_at_observations(tmp_path: Path) -> None:
    box = {"selector": "#search", "role": "searchbox", "name": "Search mail"}
    fill = {"action": "fill", "element": "4", "text": "Nova receipt"}
    path = write_agent_trajectory(
        tmp_path / "t",
        [
            [
                {"type": "mouse.down", "x": 5, "y": 5, "target": box, "action": fill},
                {"type": "mouse.up", "x": 5, "y": 5, "action": fill},
                {"type": "text.input", "text": "Nova receipt", "replace": True, "action": fill},
            ],
            [],  # an action that never reached the page (it failed to parse)
            [{"type": "answer", "text": "", "action": {"action": "answer", "text": ""}}],
        ],
    )
    steps, seconds, actions = trajectory_steps(path)
    assert steps == 3 and seconds == pytest.approx(0.006)
    assert actions == (
        ActionStep("TYPE Nova receipt", ("#search", "searchbox", "Search mail")),
        ActionStep("NONE", None),
        ActionStep("ANSWER", None),
    )


def test_a_human_recording_counts_acts_as_an_agent_would_take_them() -> None:
    steps, seconds, actions = trajectory_steps(EXAMPLES / "mail.apply-label" / "s0.zip")
    assert actions is None and seconds > 5
    # click the search box, Ctrl+A, type the subject (one act), Enter; open; Labels; the label
    assert steps == 7


def result(task: str, seed: int, success: bool, **kw: Any) -> EpisodeResult:
    return EpisodeResult(f"{task}-s{seed}", task, seed, "x", success, float(success), **kw)


def test_efficiency_against_a_reference_and_infeasible_is_none_for_feasible_tasks() -> None:
    ref = {("mail.apply-label", 0): Reference(steps=4, seconds=2.0, actions=None, source="r")}
    m = episode_metrics(result("mail.apply-label", 0, True, steps=6, seconds=5.0), ref, task_labels)
    assert (m.steps_ratio, m.time_ratio, m.infeasible_handled) == (1.5, 2.5, None)
    alone = episode_metrics(result("mail.apply-label", 1, True, steps=6), labels=task_labels)
    assert alone.steps_ratio is None and alone.agreement is None


def test_pass_k_table_and_aggregate_breakdowns() -> None:
    results = [result("mail.apply-label", s, s < 2) for s in range(3)]  # 2 of 3
    results += [result("mail.star-with-shortcut", s, True) for s in range(3)]  # 3 of 3
    results += [result("mail.reply-to-sender", s, False) for s in range(3)]  # 0 of 3
    table = pass_k_table(results)
    assert table["pass_at_k"][1] == pytest.approx((2 / 3 + 1 + 0) / 3, abs=1e-4)
    assert table["pass_hat_k"][2] == pytest.approx((1 / 3 + 1 + 0) / 3, abs=1e-4)
    assert table["pass_hat_k"][3] == pytest.approx((0 + 1 + 0) / 3, abs=1e-4)
    summary = aggregate(results, labels=task_labels)
    overall = summary["overall"]
    assert overall["episodes"] == 9 and overall["templates"] == 3
    assert overall["success"]["mean"] == pytest.approx(5 / 9, abs=1e-4)
    assert overall["success"]["low"] <= 5 / 9 <= overall["success"]["high"]
    assert list(summary["per_app"]) == ["mail"]
    assert summary["per_tag"]["shortcuts"]["success"]["mean"] == 1.0
    assert summary["per_tag"]["dropdown"]["episodes"] == 3
    with pytest.raises(ValueError, match="no episodes"):
        aggregate([])
