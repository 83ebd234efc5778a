"""The Mail task templates (registered on import)."""

from officegym.tasks.mail_tasks import attacks, conversations, long_work, mailbox, missing

__all__ = ["attacks", "conversations", "long_work", "mailbox", "missing"]
