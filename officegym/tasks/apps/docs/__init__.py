"""Docs, a Google-Docs-like app: documents that save as you type, sharing, comments, find and
replace, version history."""

from officegym.tasks.apps import AppSpec
from officegym.tasks.apps.docs._app import app, moment
from officegym.tasks.apps.docs._data import ROLES, add_document, add_version, populate, stamp
from officegym.tasks.apps.docs._markup import blocks, plain

__all__ = [
    "APP",
    "ROLES",
    "add_document",
    "add_version",
    "blocks",
    "moment",
    "plain",
    "stamp",
]

APP = AppSpec(
    name="docs",
    asgi=app,
    populate=populate,
    pages=("/", "/view/shared", "/view/trash", "/d/1", "/d/1/history", "/?q=budget"),
)
