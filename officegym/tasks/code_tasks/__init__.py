"""Code host task templates: open, label, assign and close issues, merge a pull request with a
given method, close every issue with a label, read a pinned version, star a repository, set a
milestone, comment on a line of a diff, approve the pull request that makes a given change."""

from officegym.tasks.code_tasks import attacks, issues, repositories, reviews

__all__ = ["attacks", "issues", "repositories", "reviews"]
