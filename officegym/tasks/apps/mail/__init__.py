"""Mail, a Gmail-like app: inbox, threads, compose with autocomplete, labels, shortcuts."""

from officegym.tasks.apps import AppSpec
from officegym.tasks.apps.mail._app import app
from officegym.tasks.apps.mail._data import add_reply, add_thread, populate

__all__ = ["APP", "add_reply", "add_thread"]

APP = AppSpec(
    name="mail",
    asgi=app,
    populate=populate,
    pages=("/", "/starred", "/sent", "/trash", "/label/Work", "/search?q=review", "/settings"),
)
