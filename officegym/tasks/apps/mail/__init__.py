"""Mail, a Gmail-like app: inbox, threads, compose with autocomplete, labels, shortcuts."""

from officegym.tasks.apps import AppSpec
from officegym.tasks.apps.mail._app import app
from officegym.tasks.apps.mail._data import ME_EMAIL, ME_NAME, add_reply, add_thread, populate

__all__ = ["APP", "ME_EMAIL", "ME_NAME", "add_reply", "add_thread"]

APP = AppSpec(name="mail", asgi=app, populate=populate)
