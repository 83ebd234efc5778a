"""Names that become parts of file names (task ids, variant names) are refused unless plain, and
an episode naming an attack no longer registered fails with an officegym error that says so."""

from __future__ import annotations

import pytest

import officegym.tasks._registry as registry
import officegym.tasks.variants as variants_module
from officegym.errors import OfficegymError, UnknownNameError
from officegym.tasks import Task, register, task_ids
from officegym.tasks.injections import INJECTION_PARAM, attack_checkpoints
from officegym.tasks.variants import Variant, register_variant, variants

# Every variant the issue names: the narrower variant name pattern must keep them all.
ISSUE_VARIANTS = ("narrow", "zoom", "dark", "popup", "toast", "slow", "distractor", "inject")


def a_task(task_id: str) -> type[Task]:
    return type("Named", (Task,), {"id": task_id})


@pytest.mark.parametrize(
    "task_id", ["", "../escape", "mail..apply", "mail/apply", "mail apply", "mail@popup", "é"]
)
def test_a_task_id_that_is_no_plain_file_name_is_refused(
    monkeypatch: pytest.MonkeyPatch, task_id: str
) -> None:
    monkeypatch.setattr(registry, "_TASKS", dict(registry._TASKS))
    with pytest.raises(ValueError, match=r"letters, digits, _, \. and - only"):
        register(a_task(task_id))
    assert task_id not in registry._TASKS


def test_a_plain_task_id_registers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_TASKS", dict(registry._TASKS))
    task = a_task("My_app.v2-task")
    assert register(task) is task and registry._TASKS["My_app.v2-task"] is task
    assert all(registry.TASK_ID.fullmatch(t) and ".." not in t for t in task_ids())


@pytest.mark.parametrize("name", ["", "Popup", "pop.up", "pop_up", "pop+up", "pop@up", "../x"])
def test_a_variant_name_other_than_lowercase_words_and_dashes_is_refused(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setattr(variants_module, "_VARIANTS", dict(variants_module._VARIANTS))
    with pytest.raises(ValueError, match="lowercase letters, digits and dashes only"):
        register_variant(Variant(name, "a test variant"))
    assert name not in variants()


def test_every_registered_variant_name_fits(monkeypatch: pytest.MonkeyPatch) -> None:
    assert set(ISSUE_VARIANTS) <= set(variants())
    assert all(variants_module.VARIANT_NAME.fullmatch(name) for name in variants())
    monkeypatch.setattr(variants_module, "_VARIANTS", dict(variants_module._VARIANTS))
    register_variant(Variant("wide-2", "a test variant"))
    assert "wide-2" in variants()


def test_an_attack_no_longer_registered_is_an_unknown_name() -> None:
    params = {INJECTION_PARAM: {"attack": "forward-invoices-gone", "style": "plain"}}
    with pytest.raises(UnknownNameError, match="unknown attack 'forward-invoices-gone'") as err:
        attack_checkpoints({}, params)
    assert isinstance(err.value, OfficegymError)
    assert attack_checkpoints({}, {}) == []
