"""Every Mail template: the oracle succeeds, and no-op or near-miss episodes score 0."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from conftest import play

from officegym.errors import UnknownNameError
from officegym.tasks import (
    ClickOn,
    FillIn,
    PlanStep,
    PressKey,
    Submit,
    get_task,
    suite_tasks,
    suites,
    task_ids,
)
from officegym.tasks.mail_tasks.common import open_thread

MAIL = suite_tasks("mail")
Plan = Callable[[dict[str, Any]], list[PlanStep]]
OTHER_PERSON = "Grace Liu"  # present in every generated address book


def open_other_thread() -> list[PlanStep]:
    """Open a conversation that is not the task's: only the generated mail talks of reviews."""
    return [
        FillIn("searchbox", "Search mail", "review"),
        PressKey("Enter"),
        ClickOn("link", "review"),
    ]


def other(name: str) -> str:
    return OTHER_PERSON if name != OTHER_PERSON else "Priya Shah"


NEAR_MISSES: dict[str, list[tuple[str, Plan]]] = {
    "mail.reply-to-sender": [
        (
            "reply in another conversation",
            lambda p: [
                *open_other_thread(),
                ClickOn("button", "Reply"),
                FillIn("textbox", "Message body", p["reply"]),
                ClickOn("button", "Send"),
                Submit(),
            ],
        ),
        (
            "new mail instead of a reply",
            lambda p: [
                ClickOn("button", "Compose"),
                FillIn("combobox", "To", p["sender_name"]),
                PressKey("Enter"),
                FillIn("textbox", "Subject", p["subject"]),
                FillIn("textbox", "Message body", p["reply"]),
                ClickOn("button", "Send"),
                Submit(),
            ],
        ),
    ],
    "mail.forward-with-cc": [
        (
            "forwarded to the wrong person",
            lambda p: [
                *open_thread(p["subject"]),
                ClickOn("button", "Forward"),
                FillIn(
                    "combobox",
                    "To",
                    other(p["to_name"]) if other(p["to_name"]) != p["cc_name"] else "Priya Shah",
                ),
                PressKey("Enter"),
                FillIn("combobox", "Cc", p["cc_name"]),
                PressKey("Enter"),
                ClickOn("button", "Send"),
                Submit(),
            ],
        ),
        (
            "replied instead of forwarding",
            lambda p: [
                *open_thread(p["subject"]),
                ClickOn("button", "Reply"),
                FillIn("combobox", "Cc", p["cc_name"]),
                PressKey("Enter"),
                ClickOn("button", "Send"),
                Submit(),
            ],
        ),
    ],
    "mail.apply-label": [
        (
            "wrong label",
            lambda p: [
                *open_thread(p["subject"]),
                ClickOn("button", "Labels"),
                ClickOn("menuitemcheckbox", "Urgent" if p["label"] != "Urgent" else "Work"),
                Submit(),
            ],
        ),
        (
            "right label, wrong email",
            lambda p: [
                *open_other_thread(),
                ClickOn("button", "Labels"),
                ClickOn("menuitemcheckbox", p["label"]),
                Submit(),
            ],
        ),
    ],
    "mail.clean-up-sender": [
        (
            "someone else's mail",
            lambda p: [
                FillIn("searchbox", "Search mail", f"from:{other(p['sender_name']).split()[0]}"),
                PressKey("Enter"),
                ClickOn("checkbox", "Select all"),
                ClickOn("button", p["verb_title"]),
                Submit(),
            ],
        ),
        (
            "the other action",
            lambda p: [
                FillIn("searchbox", "Search mail", f"from:{p['sender_email']}"),
                PressKey("Enter"),
                ClickOn("checkbox", "Select all"),
                ClickOn("button", "Delete" if p["verb"] == "archive" else "Archive"),
                Submit(),
            ],
        ),
    ],
    "mail.answer-from-thread": [
        ("wrong answer", lambda p: [*open_thread(p["subject"]), Submit(p["expected"][:-1] + "X")]),
        ("answers with the subject", lambda p: [*open_thread(p["subject"]), Submit(p["subject"])]),
    ],
    "mail.star-with-shortcut": [
        (
            "clicked the star",
            lambda p: [
                FillIn("searchbox", "Search mail", p["subject"]),
                PressKey("Enter"),
                ClickOn("button", f"Star: {p['subject']}"),
                Submit(),
            ],
        ),
        ("starred another email", lambda p: [*open_other_thread(), PressKey("s"), Submit()]),
    ],
    "mail.search-and-trash": [
        (
            "trashed another email",
            lambda p: [*open_other_thread(), ClickOn("button", "Delete"), Submit()],
        ),
        (
            "archived instead",
            lambda p: [
                FillIn("searchbox", "Search mail", p["order"]),
                PressKey("Enter"),
                ClickOn("link", p["subject"]),
                ClickOn("button", "Archive"),
                Submit(),
            ],
        ),
    ],
    "mail.compose-to-two": [
        (
            "only one recipient",
            lambda p: [
                ClickOn("button", "Compose"),
                FillIn("combobox", "To", p["a_name"]),
                PressKey("Enter"),
                FillIn("textbox", "Subject", p["subject"]),
                FillIn("textbox", "Message body", p["body"]),
                ClickOn("button", "Send"),
                Submit(),
            ],
        ),
        (
            "wrong subject",
            lambda p: [
                ClickOn("button", "Compose"),
                FillIn("combobox", "To", p["a_name"]),
                PressKey("Enter"),
                FillIn("combobox", "To", p["b_name"]),
                PressKey("Enter"),
                FillIn("textbox", "Subject", "Hello"),
                FillIn("textbox", "Message body", p["body"]),
                ClickOn("button", "Send"),
                Submit(),
            ],
        ),
    ],
}


def test_registry_has_eight_mail_templates_in_suites() -> None:
    assert len(MAIL) == 8
    assert set(MAIL) <= set(task_ids())
    assert "mail.apply-label" in suites()["smoke"]
    assert set(NEAR_MISSES) == set(MAIL)
    for task_id in MAIL:
        task = get_task(task_id)
        assert task.tags and task.max_steps > 0 and "{" in task.instruction


def test_unknown_task_suggests_close_ids() -> None:
    with pytest.raises(UnknownNameError, match=r"Did you mean: 'mail\.apply-label'"):
        get_task("mail.aply-label")


@pytest.mark.parametrize("task_id", MAIL)
def test_same_seed_gives_byte_identical_state(task_id: str) -> None:
    task = get_task(task_id)  # built twice from scratch, not from the cache
    a, b = task.build_initial_state(4), task.build_initial_state(4)
    c = task.build_initial_state(5)
    assert a.snapshots == b.snapshots and dict(a.params) == dict(b.params)
    assert a.snapshots != c.snapshots


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("task_id", MAIL)
def test_oracle_succeeds_on_seeds_0_to_9(task_id: str, make_env: Any) -> None:
    env = make_env(
        task_id, action_mode="browser", observation=("goal", "url", "axtree", "last_action_error")
    )
    for seed in range(10):
        info = play(env, seed)
        assert info["success"] and info["score"] == 1.0, (seed, info["checkpoints"])


@pytest.mark.browser
@pytest.mark.parametrize("task_id", MAIL)
def test_oracle_succeeds_with_pixels_and_keys(task_id: str, make_env: Any) -> None:
    env = make_env(task_id, action_mode="computer")
    info = play(env, 11)
    assert info["success"], info["checkpoints"]


@pytest.mark.browser
@pytest.mark.parametrize("task_id", MAIL)
def test_noop_and_near_misses_score_zero(task_id: str, make_env: Any) -> None:
    env = make_env(
        task_id, action_mode="browser", observation=("goal", "url", "axtree", "last_action_error")
    )
    info = play(env, 3, plan=lambda p: [Submit()])
    assert info["score"] == 0 and not info["success"], info["checkpoints"]
    for name, plan in NEAR_MISSES[task_id]:
        info = play(env, 3, plan=plan)
        assert info["score"] == 0 and not info["success"], (name, info["checkpoints"])
