"""Docs, a Google-Docs-like app: documents that save as you type, sharing, comments, find and
replace."""

from officegym.tasks.apps import AppSpec
from officegym.tasks.apps.docs._app import app
from officegym.tasks.apps.docs._data import ROLES, add_document, populate, stamp

__all__ = ["APP", "ROLES", "add_document", "stamp"]

APP = AppSpec(
    name="docs",
    asgi=app,
    populate=populate,
    pages=("/", "/view/shared", "/view/trash", "/d/1", "/?q=budget"),
)
