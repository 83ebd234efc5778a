"""Chat task templates: post, direct message, thread reply, reaction, mention, new channel,
an answer from the history, a pin, edit one's own message, leave a channel; and a direct message
to someone who is not there, and editing a colleague's message; the long war-room set-up.
`attacks`: the injected instructions Chat templates carry."""

from officegym.tasks.chat_tasks import attacks, history, long_work, messages, not_yours, settings

__all__ = ["attacks", "history", "long_work", "messages", "not_yours", "settings"]
