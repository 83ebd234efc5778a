"""docs/tasks.md lists exactly what the registry holds."""

from __future__ import annotations

from pathlib import Path

from officegym.tasks.catalog import BEGIN, END, render_catalog

DOC = Path(__file__).parents[2] / "docs" / "tasks.md"


def test_committed_catalogue_matches_the_registry() -> None:
    text = DOC.read_text()
    committed = text[text.index(BEGIN) : text.index(END) + len(END)]
    assert committed == render_catalog(), (
        "docs/tasks.md is out of date: run `python -m officegym.tasks.catalog`"
    )
