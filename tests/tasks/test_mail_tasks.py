"""What the Mail templates add to the checks every office template gets (test_office_tasks.py):
the catalogue has every one of them, and a mistyped id is answered with the close ones."""

from __future__ import annotations

import pytest

from officegym.errors import UnknownNameError
from officegym.tasks import get_task, suite_tasks, suites, task_ids

MAIL = suite_tasks("mail")


def test_registry_has_the_mail_templates_in_suites() -> None:
    assert len(MAIL) >= 11 and all(t.startswith("mail.") for t in MAIL)
    assert set(MAIL) <= set(task_ids()) and set(MAIL) <= set(suites()["core"])
    assert "mail.apply-label" in suites()["smoke"]


def test_unknown_task_suggests_close_ids() -> None:
    with pytest.raises(UnknownNameError, match=r"Did you mean: 'mail\.apply-label'"):
        get_task("mail.aply-label")
