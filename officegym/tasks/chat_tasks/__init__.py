"""Chat task templates: post, direct message, thread reply, reaction, mention, new channel,
an answer from the history, a pin, edit one's own message, leave a channel; and a direct message
to someone who is not there. `attacks`: the injected instructions Chat templates carry."""

from officegym.tasks.chat_tasks import attacks, history, messages, settings

__all__ = ["attacks", "history", "messages", "settings"]
