"""Chat, a Slack-like app: channels, threads, reactions, pins, direct messages, @mentions."""

from officegym.tasks.apps import AppSpec
from officegym.tasks.apps.chat._app import app
from officegym.tasks.apps.chat._data import (
    EMOJI,
    add_message,
    channel_id,
    mark_read,
    populate,
    unread_counts,
)

__all__ = ["APP", "EMOJI", "add_message", "channel_id", "mark_read", "unread_counts"]

APP = AppSpec(
    name="chat",
    asgi=app,
    populate=populate,
    pages=("/c/general", "/dm/new", "/channels", "/channels/new", "/search?q=the"),
)
