"""Chat task templates: post, direct message, thread reply, reaction, mention, new channel,
an answer from the history, a pin; and a direct message to someone who is not there."""

from officegym.tasks.chat_tasks import history, messages

__all__ = ["history", "messages"]
