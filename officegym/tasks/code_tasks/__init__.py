"""Code host task templates: open, label, assign and close issues, merge a pull request with a
given method, close every issue with a label, read a pinned version, star a repository, set a
milestone, comment on a line of a diff, approve the pull request that makes a given change;
longer work (triage six issues, flag every debug print of a pull request) and an assignment
to someone outside the organisation."""

from officegym.tasks.code_tasks import (
    attacks,
    issues,
    line_review,
    long_work,
    repositories,
    reviews,
)

__all__ = ["attacks", "issues", "line_review", "long_work", "repositories", "reviews"]
