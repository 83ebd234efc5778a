"""Tasks: seeded office tasks with evaluators and oracle plans, and the suites that group them."""

from officegym.tasks._registry import get_task, register, suite_tasks, suites, task_ids
from officegym.tasks._task import (
    Apps,
    Checkpoint,
    ChooseOption,
    ClickOn,
    Evaluation,
    FillIn,
    InitialState,
    OpenUrl,
    PlanStep,
    PressKey,
    Submit,
    Task,
)

__all__ = [
    "Apps",
    "Checkpoint",
    "ChooseOption",
    "ClickOn",
    "Evaluation",
    "FillIn",
    "InitialState",
    "OpenUrl",
    "PlanStep",
    "PressKey",
    "Submit",
    "Task",
    "get_task",
    "register",
    "suite_tasks",
    "suites",
    "task_ids",
]
