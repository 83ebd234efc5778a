"""Code host task templates: open, label, assign and close issues, merge a pull request with a
given method, close every issue with a label, read a pinned version, star a repository."""

from officegym.tasks.code_tasks import issues, repositories

__all__ = ["issues", "repositories"]
