"""Docs task templates: create, rename, share with a role (and with someone who is not in the
directory), find and replace, append a paragraph, comment, answer from a document, trash drafts."""

from officegym.tasks.docs_tasks import collaboration, editing

__all__ = ["collaboration", "editing"]
