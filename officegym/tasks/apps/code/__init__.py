"""Code, a GitHub-like code host: repositories, files, issues, labels, pull requests."""

from officegym.tasks.apps import AppSpec
from officegym.tasks.apps.code._app import METHODS, app
from officegym.tasks.apps.code._data import LABELS, ORG, REPOS, add_issue, populate, repo_id

__all__ = ["APP", "LABELS", "METHODS", "ORG", "REPOS", "add_issue", "repo_id"]

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
    ),
)
