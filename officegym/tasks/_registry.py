"""Task and suite registry. Catalog modules register their tasks when first asked for."""

from __future__ import annotations

import importlib
import re
from typing import NamedTuple

from officegym.errors import UnknownNameError, VariantError
from officegym.evaluators import TaskLabels, labels_from_id
from officegym.tasks._attacks import INJECT_VARIANT
from officegym.tasks._task import Task

CATALOG_MODULES = (
    "officegym.tasks.mail_tasks",
    "officegym.tasks.chat_tasks",
    "officegym.tasks.calendar_tasks",
    "officegym.tasks.docs_tasks",
    "officegym.tasks.sheets_tasks",
    "officegym.tasks.code_tasks",
    "officegym.tasks.network_tasks",
    "officegym.tasks.search_tasks",
    "officegym.tasks.drive_tasks",
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
    "network.accept-invitation",
    "search.policy-value",
    "drive.star-file",
)
# Suites whose members carry variants of their own (`officegym.tasks.variants`), built from
# `core` and the variants registered: each core template clean, then under each perturbation
# that applies to it (ROBUST); clean and under the injection variant (INJECT).
ROBUST, INJECT = "robust", "inject"
# A task id: letters, digits, `_`, `.` and `-`, no `..`: it names the episode's folder in a
# run (`<id>-s0`), so it must be a plain file name.
TASK_ID = re.compile(r"[A-Za-z0-9_.-]+")
_TASKS: dict[str, type[Task]] = {}
_loaded = False


class SuiteMember(NamedTuple):
    """One episode template of a suite: a task and the variant it plays under ("": clean)."""

    task_id: str
    variant: str = ""


def register(cls: type[Task]) -> type[Task]:
    """Class decorator: add a task template to the registry (its id must match `TASK_ID`)."""
    if not TASK_ID.fullmatch(cls.id) or ".." in cls.id:
        raise ValueError(f"task id {cls.id!r}: letters, digits, _, . and - only, without ..")
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
    """Every suite by name, as its task ids: `core` (every office task), `smoke`, one per app,
    `miniwob` (every MiniWoB++ page), `miniwob-oracle` (the MiniWoB++ pages that have an
    oracle), and `robust` and `inject`, whose members carry variants (`suite_members`)."""
    out = _plain_suites()
    for name, members in _variant_suites(out["core"]).items():
        out[name] = _task_ids(members)
    return out


def _plain_suites() -> dict[str, list[str]]:
    """The suites of clean tasks."""
    ids = task_ids()
    office = [t for t in ids if t.split(".")[0] not in NOT_CORE]
    out = {"core": office, "smoke": [t for t in SMOKE if t in ids]}
    for tid in ids:
        out.setdefault(tid.split(".")[0], []).append(tid)
    if "miniwob" in out:
        out["miniwob-oracle"] = [t for t in out["miniwob"] if "oracle" in _TASKS[t].tags]
    return out


def _variant_suites(core: list[str]) -> dict[str, list[SuiteMember]]:
    """`robust` and `inject`, from the core templates and the variants registered now (so a
    variant registered later joins them)."""
    from officegym.tasks.variants import VariantSet, variants  # it imports the task model

    registered = variants()
    perturbations = [VariantSet((v,)) for v in registered.values() if v.kind == "perturbation"]
    injection = registered.get(INJECT_VARIANT)
    injected = VariantSet((injection,)) if injection is not None else None
    robust: list[SuiteMember] = []
    inject: list[SuiteMember] = []
    for tid in core:
        task = get_task(tid)
        robust.append(SuiteMember(tid))
        robust += [SuiteMember(tid, v.name) for v in perturbations if v.applies(task)]
        if injected is not None and injected.applies(task):
            inject += [SuiteMember(tid), SuiteMember(tid, injected.name)]
    return {ROBUST: robust, INJECT: inject}


def _task_ids(members: list[SuiteMember]) -> list[str]:
    """The members' task ids, each once, in the members' order."""
    return list(dict.fromkeys(m.task_id for m in members))


def suite_members(name: str) -> list[SuiteMember]:
    """The (task, variant) pairs a suite plays, in its order, variant "" for clean.

    A plain suite's members are its tasks, clean; `suite@variant` (`core@popup+narrow`) gives
    each task the variant applies to, under it. `robust` and `inject` carry their own variants:
    each core template clean, then under each perturbation that applies to it, one at a time
    (`robust`); clean and under `inject` for each template it applies to (`inject`, empty until
    the `inject` variant is registered: `empty_suite_reason` says so).

    Raises:
        UnknownNameError: no such suite or variant.
        VariantError: a malformed variant, one that applies to none of the suite's tasks, or
            a variant given to a suite whose members carry their own (`robust@narrow`).
    """
    from officegym.tasks.variants import split_suite  # it imports the task model

    base, variant = split_suite(name)
    plain = _plain_suites()
    if base not in plain:
        mixed = _variant_suites(plain["core"])
        if base not in mixed:
            raise UnknownNameError("suite", base, {**plain, **mixed})
        if variant is not None:
            raise VariantError(
                f"suite {base!r} plays its tasks under variants of its own, so it takes none: "
                f"run {base!r} as it is, or a suite of clean tasks under the variant "
                f"('core@{variant.name}')"
            )
        return mixed[base]
    if variant is None:
        return [SuiteMember(t) for t in plain[base]]
    members = [SuiteMember(t, variant.name) for t in plain[base] if variant.applies(get_task(t))]
    if not members:
        raise VariantError(f"variant {variant.name!r} applies to no task of suite {base!r}")
    return members


def suite_tasks(name: str) -> list[str]:
    """Task ids of a suite, each once, in its order; of `suite@variant` (`core@popup+narrow`),
    those the variant applies to (`suite_members` gives the variants too).

    Raises:
        UnknownNameError, VariantError: as `suite_members`.
    """
    return _task_ids(suite_members(name))


def empty_suite_reason(name: str) -> str:
    """Why suite `name` has no members, for a caller that found it empty: the `inject` suite
    waits for its variant; any other suite is empty only when its tasks are."""
    from officegym.tasks.variants import variants  # it imports the task model

    if name == INJECT and INJECT_VARIANT not in variants():
        return (
            f"suite {INJECT!r} is empty: no variant named {INJECT_VARIANT!r} is registered yet "
            "(the injected instructions of officegym.tasks.injections)"
        )
    return f"suite {name!r} has no tasks"
