"""Docs task templates: create, rename, share with a role (and with someone who is not in the
directory), find and replace, append a paragraph, comment, answer from a document, trash drafts,
restore a version from the history, make a heading, make an amount bold; write and share a
meeting's notes, edit a document shared with you as a viewer (which cannot be done)."""

from officegym.tasks.docs_tasks import (
    attacks,
    collaboration,
    editing,
    formatting,
    history,
    long_work,
)

__all__ = ["attacks", "collaboration", "editing", "formatting", "history", "long_work"]
