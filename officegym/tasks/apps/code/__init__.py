"""Code, a GitHub-like code host: repositories, files, issues, labels, milestones, pull requests
with their diffs and reviews."""

from officegym.tasks.apps import AppSpec
from officegym.tasks.apps.code._app import METHODS, app
from officegym.tasks.apps.code._data import (
    DEPLOY_FILE,
    LABELS,
    MILESTONES,
    ORG,
    REPOS,
    add_comment,
    add_issue,
    add_pull_files,
    deploy_token,
    line_of,
    plan_bump,
    populate,
    repo_id,
)

__all__ = [
    "APP", "DEPLOY_FILE", "LABELS", "METHODS", "MILESTONES", "ORG", "REPOS", "add_comment",
    "add_issue", "add_pull_files", "deploy_token", "line_of", "plan_bump", "repo_id",
]  # fmt: skip

APP = AppSpec(
    name="code",
    asgi=app,
    populate=populate,
    pages=(
        "/",
        "/northwind/atlas-api",
        "/northwind/atlas-api/blob/README.md",
        "/northwind/atlas-api/issues",
        "/northwind/atlas-api/issues/1",
        "/northwind/atlas-api/pulls",
        "/northwind/atlas-api/issues/new",
        "/northwind/atlas-api/settings",
        "/northwind/data-pipeline/pulls",
        "/northwind/data-pipeline/issues?q=is:open+label:bug",
    ),
)
