"""Tasks: seeded office tasks with evaluators and oracle plans, and the suites that group them.

A task author's toolkit is here in one place: the `Task` base class, the plan steps of
`officegym.tasks.plan`, and the checkpoints and text matchers of `officegym.evaluators`.
"""

from officegym.evaluators import (
    Checkpoint,
    Evaluation,
    mentions,
    norm,
    numbers_in,
    says_infeasible,
)
from officegym.tasks._registry import (
    SuiteMember,
    empty_suite_reason,
    get_task,
    register,
    suite_members,
    suite_tasks,
    suites,
    task_ids,
    task_labels,
)
from officegym.tasks._task import Apps, InitialState, Task
from officegym.tasks.plan import (
    ChooseOption,
    ClickOn,
    DragTo,
    FillIn,
    OpenUrl,
    PlanStep,
    PressKey,
    Submit,
    SwitchTab,
)

__all__ = [
    "Apps",
    "Checkpoint",
    "ChooseOption",
    "ClickOn",
    "DragTo",
    "Evaluation",
    "FillIn",
    "InitialState",
    "OpenUrl",
    "PlanStep",
    "PressKey",
    "Submit",
    "SuiteMember",
    "SwitchTab",
    "Task",
    "empty_suite_reason",
    "get_task",
    "mentions",
    "norm",
    "numbers_in",
    "register",
    "says_infeasible",
    "suite_members",
    "suite_tasks",
    "suites",
    "task_ids",
    "task_labels",
]
