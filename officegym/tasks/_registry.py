"""Task and suite registry. Catalog modules register their tasks when first asked for."""

from __future__ import annotations

import importlib

from officegym.errors import UnknownNameError, VariantError
from officegym.evaluators import TaskLabels, labels_from_id
from officegym.tasks._task import Task

CATALOG_MODULES = (
    "officegym.tasks.mail_tasks",
    "officegym.tasks.chat_tasks",
    "officegym.tasks.calendar_tasks",
    "officegym.tasks.docs_tasks",
    "officegym.tasks.sheets_tasks",
    "officegym.tasks.code_tasks",
    "officegym.tasks.cross_tasks",
    "officegym.tasks.miniwob_tasks",
)
# Apps whose tasks are not office work: outside `core`, each in a suite of its own.
NOT_CORE = ("miniwob",)
# One quick task per app, each with a different skill: the suite to try a change on.
SMOKE = (
    "mail.apply-label",
    "chat.direct-message",
    "calendar.accept-invitation",
    "code.label-issue",
    "docs.add-comment",
    "sheets.enter-value",
)
_TASKS: dict[str, type[Task]] = {}
_loaded = False


def register(cls: type[Task]) -> type[Task]:
    """Class decorator: add a task template to the registry."""
    if cls.id in _TASKS and _TASKS[cls.id] is not cls:
        raise ValueError(f"task id {cls.id!r} is registered twice")
    _TASKS[cls.id] = cls
    return cls


def _catalog() -> dict[str, type[Task]]:
    global _loaded
    if not _loaded:
        for module in CATALOG_MODULES:
            importlib.import_module(module)
        _loaded = True
    return _TASKS


def task_ids() -> list[str]:
    return sorted(_catalog())


def get_task(task_id: str) -> Task:
    """An instance of the task template with this id.

    Raises:
        UnknownNameError: no such task (the message suggests close ids).
    """
    tasks = _catalog()
    if task_id not in tasks:
        raise UnknownNameError("task", task_id, tasks)
    return tasks[task_id]()


def task_labels(task_id: str) -> TaskLabels:
    """The apps, tags and feasibility of a task, for the statistics (`officegym.evaluators`); a
    task no longer registered counts under its id's app prefix, as feasible."""
    cls = _catalog().get(task_id)
    if cls is None:
        return labels_from_id(task_id)
    return TaskLabels(apps=tuple(cls.apps), tags=tuple(cls.tags), infeasible=cls.infeasible)


def suites() -> dict[str, list[str]]:
    """Every suite by name: `core` (every office task), `smoke`, one per app, `miniwob` (every
    MiniWoB++ page) and `miniwob-oracle` (the MiniWoB++ pages that have an oracle)."""
    ids = task_ids()
    office = [t for t in ids if t.split(".")[0] not in NOT_CORE]
    out = {"core": office, "smoke": [t for t in SMOKE if t in ids]}
    for tid in ids:
        out.setdefault(tid.split(".")[0], []).append(tid)
    if "miniwob" in out:
        out["miniwob-oracle"] = [t for t in out["miniwob"] if "oracle" in _TASKS[t].tags]
    return out


def suite_tasks(name: str) -> list[str]:
    """Task ids of a suite; of `suite@variant` (`core@popup+narrow`), those the variant applies to.

    Raises:
        UnknownNameError: no such suite or variant.
        VariantError: a malformed variant, or one that applies to none of the suite's tasks.
    """
    from officegym.tasks.variants import split_suite  # it imports the task model

    base, variant = split_suite(name)
    all_suites = suites()
    if base not in all_suites:
        raise UnknownNameError("suite", base, all_suites)
    if variant is None:
        return all_suites[base]
    members = [t for t in all_suites[base] if variant.applies(get_task(t))]
    if not members:
        raise VariantError(f"variant {variant.name!r} applies to no task of suite {base!r}")
    return members
