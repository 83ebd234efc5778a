"""Task and suite registry. Catalog modules register their tasks when first asked for."""

from __future__ import annotations

import importlib

from officegym.errors import UnknownNameError
from officegym.tasks._task import Task

CATALOG_MODULES = ("officegym.tasks.mail_tasks",)
SMOKE = ("mail.reply-to-sender", "mail.apply-label", "mail.star-with-shortcut")
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


def suites() -> dict[str, list[str]]:
    """Every suite by name: `core` (all), `smoke`, and one per app."""
    ids = task_ids()
    out = {"core": ids, "smoke": [t for t in SMOKE if t in ids]}
    for tid in ids:
        out.setdefault(tid.split(".")[0], []).append(tid)
    return out


def suite_tasks(name: str) -> list[str]:
    """Task ids of a suite.

    Raises:
        UnknownNameError: no such suite.
    """
    all_suites = suites()
    if name not in all_suites:
        raise UnknownNameError("suite", name, all_suites)
    return all_suites[name]
