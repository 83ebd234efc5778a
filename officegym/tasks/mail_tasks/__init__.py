"""The Mail task templates (registered on import)."""

from officegym.tasks.mail_tasks import attacks, conversations, mailbox

__all__ = ["attacks", "conversations", "mailbox"]
