"""The Mail task templates (registered on import)."""

from officegym.tasks.mail_tasks import conversations, mailbox

__all__ = ["conversations", "mailbox"]
