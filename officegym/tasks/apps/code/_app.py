"""Code: a GitHub-like code host. Repositories with files, issues (labels and milestones from
menus, assignees by autocomplete, comments, bulk close, search) and pull requests (files changed
with line comments, reviews, merge, squash, close), a repository's settings (outside
collaborators). Shortcuts: g i, g p, c and /."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from officegym.tasks.apps import FROZEN_NOW, StateStore
from officegym.tasks.apps._web import (
    Site,
    back_to,
    first,
    form_of,
    people_route,
    see_other,
    store_of,
)
from officegym.tasks.apps.code import _pulls
from officegym.tasks.apps.code._data import add_issue
from officegym.tasks.apps.people import ME

SITE = Site("code", Path(__file__).parent)
NOW = datetime.fromisoformat(FROZEN_NOW)
METHODS = {
    "merge": "Create a merge commit",
    "squash": "Squash and merge",
    "rebase": "Rebase and merge",
}
Row = dict[str, Any]


def log(store: StateStore, verb: str, repo: int, number: int = 0, detail: str = "") -> None:
    store.execute(
        "INSERT INTO activity(verb, repo_id, number, detail) VALUES (?,?,?,?)",
        (verb, repo, number, detail),
    )


def now(store: StateStore) -> str:
    n = store.scalar("SELECT count(*) FROM activity")
    return (NOW + timedelta(minutes=1 + int(n or 0))).isoformat()


def when(iso: str) -> str:
    t = datetime.fromisoformat(iso)
    return t.strftime("%-I:%M %p") if t.date() == NOW.date() else t.strftime("%b %-d, %Y")


def repo_of(request: Request) -> Row | None:
    rows = store_of(request).query(
        "SELECT * FROM repos WHERE owner = ? AND name = ?",
        (request.path_params["owner"], request.path_params["repo"]),
    )
    if not rows:
        return None
    repo = rows[0]
    repo["slug"] = f"{repo['owner']}/{repo['name']}"
    store = store_of(request)
    for kind in ("issue", "pull"):
        repo[f"open_{kind}s"] = store.scalar(
            "SELECT count(*) FROM issues WHERE repo_id = ? AND kind = ? AND state = 'open'",
            (repo["id"], kind),
        )
    return repo


def page(
    request: Request, template: str, title: str, repo: Row | None, tab: str = "", **kw: Any
) -> Response:
    return SITE.page(request, template, title, repo=repo, tab=tab, **kw)


async def home(request: Request) -> Response:
    repos = store_of(request).query("SELECT * FROM repos ORDER BY name")
    return page(request, "home.html", "Repositories", None, repos=repos)


async def repo_home(request: Request) -> Response:
    repo = repo_of(request)
    if repo is None:
        return SITE.not_found(request, "No such repository.")
    files = store_of(request).query(
        "SELECT path FROM files WHERE repo_id = ? ORDER BY path", (repo["id"],)
    )
    readme = store_of(request).scalar(
        "SELECT content FROM files WHERE repo_id = ? AND path = 'README.md'", (repo["id"],)
    )
    return page(request, "repo.html", repo["slug"], repo, "code", files=files, readme=readme or "")


async def blob(request: Request) -> Response:
    repo = repo_of(request)
    path = request.path_params["path"]
    content = repo and store_of(request).scalar(
        "SELECT content FROM files WHERE repo_id = ? AND path = ?", (repo["id"], path)
    )
    if repo is None or content is None:
        return SITE.not_found(request, f"No file {path!r} here.")
    return page(
        request,
        "blob.html",
        f"{path} · {repo['slug']}",
        repo,
        "code",
        file_path=path,
        content=content,
    )


async def star(request: Request) -> Response:
    repo = repo_of(request)
    if repo is None:
        return SITE.not_found(request, "No such repository.")
    on = 0 if repo["starred"] else 1
    store_of(request).execute(
        "UPDATE repos SET starred = ?, stars = stars + ? WHERE id = ?",
        (on, 1 if on else -1, repo["id"]),
    )
    log(store_of(request), "star" if on else "unstar", repo["id"])
    return see_other(f"/{repo['slug']}")


async def settings(request: Request) -> Response:
    """The repository's settings: who outside the organisation has access (add one by e-mail
    address or handle)."""
    store, repo = store_of(request), repo_of(request)
    if repo is None:
        return SITE.not_found(request, "No such repository.")
    if request.method == "POST":
        who = first(await form_of(request), "who")
        if who and not store.scalar(
            "SELECT 1 FROM collaborators WHERE repo_id = ? AND who = ?", (repo["id"], who)
        ):
            store.execute("INSERT INTO collaborators VALUES (?,?)", (repo["id"], who))
            log(store, "collaborator", repo["id"], detail=who)
        return see_other(f"/{repo['slug']}/settings")
    people = store.query(
        "SELECT who FROM collaborators WHERE repo_id = ? ORDER BY who", (repo["id"],)
    )
    return page(
        request, "settings.html", f"Settings · {repo['slug']}", repo, "settings", people=people
    )


def matches(row: Row, words: list[str]) -> bool:
    """Search: every word is in the title, or is a qualifier (is:open, label:x, milestone:x) that
    holds."""
    for w in words:
        key, _, value = w.partition(":")
        if key == "label" and value:
            ok = value.lower() in [x.lower() for x in row["labels"]]
        elif key == "is" and value in ("open", "closed", "merged"):
            ok = row["state"] == value
        elif key == "milestone" and value:
            ok = value.lower() in row["milestone"].lower()
        else:
            ok = w.lower() in row["title"].lower()
        if not ok:
            return False
    return True


def items(
    store: StateStore, repo: Row, kind: str, state: str, label: str, q: str = ""
) -> list[Row]:
    rows = store.query(
        "SELECT i.*, (SELECT group_concat(label, ',') FROM issue_labels l WHERE l.issue_id = "
        "i.id) AS label_names FROM issues i WHERE repo_id = ? AND kind = ? AND state IN (?, ?) "
        "ORDER BY number DESC",
        (repo["id"], kind, state, "merged" if state == "closed" else state),
    )
    for r in rows:
        r["labels"] = sorted(r["label_names"].split(",")) if r["label_names"] else []
        r["when"] = when(r["created"])
    words = [w.replace("+", " ") for w in q.split()]  # label:good+first+issue
    return [r for r in rows if (not label or label in r["labels"]) and matches(r, words)]


async def issue_list(request: Request) -> Response:
    repo = repo_of(request)
    if repo is None:
        return SITE.not_found(request, "No such repository.")
    kind = "pull" if request.url.path.endswith("/pulls") else "issue"
    state = request.query_params.get("state", "open")
    label, q = request.query_params.get("label", ""), request.query_params.get("q", "").strip()
    if "is:closed" in q.split() or "is:merged" in q.split():
        state = "closed"  # the list of closed (and merged) items holds what was asked for
    rows = items(
        store_of(request), repo, kind, state if state in ("open", "closed") else "open", label, q
    )
    labels = store_of(request).query(
        "SELECT * FROM labels WHERE repo_id = ? ORDER BY name", (repo["id"],)
    )
    return page(
        request,
        "issues.html",
        f"{'Pull requests' if kind == 'pull' else 'Issues'} · {repo['slug']}",
        repo,
        "pulls" if kind == "pull" else "issues",
        rows=rows,
        kind=kind,
        state=state,
        label=label,
        labels=labels,
        q=q,
        query=urlencode,
    )


def find(store: StateStore, repo: Row, number: int) -> Row | None:
    rows = store.query(
        "SELECT * FROM issues WHERE repo_id = ? AND number = ?", (repo["id"], number)
    )
    return rows[0] if rows else None


async def issue_view(request: Request) -> Response:
    store, repo = store_of(request), repo_of(request)
    issue = repo and find(store, repo, request.path_params["number"])
    if repo is None or issue is None:
        return SITE.not_found(request, "No such issue or pull request.")
    want = "pull" if "/pull/" in request.url.path else "issue"
    if issue["kind"] != want:
        return see_other(
            f"/{repo['slug']}/{'pull' if issue['kind'] == 'pull' else 'issues'}/{issue['number']}"
        )
    names = {p["handle"]: p["name"] for p in store.query("SELECT name, handle FROM people")}
    comments = store.query("SELECT * FROM comments WHERE issue_id = ? ORDER BY id", (issue["id"],))
    for c in comments:
        c["name"], c["when"] = names.get(c["author"], c["author"]), when(c["created"])
    applied = {
        r["label"]
        for r in store.query("SELECT label FROM issue_labels WHERE issue_id = ?", (issue["id"],))
    }
    labels = store.query("SELECT * FROM labels WHERE repo_id = ? ORDER BY name", (repo["id"],))
    for lab in labels:
        lab["applied"] = lab["name"] in applied
    issue["author_name"] = names.get(issue["author"], issue["author"])
    issue["assignee_name"] = names.get(issue["assignee"], "")
    issue["when"] = when(issue["created"])
    milestones = store.query(
        "SELECT * FROM milestones WHERE repo_id = ? ORDER BY due", (repo["id"],)
    )
    pull = want == "pull"
    return page(
        request,
        "issue.html",
        f"{issue['title']} · #{issue['number']}",
        repo,
        "pulls" if want == "pull" else "issues",
        issue=issue,
        comments=comments,
        labels=labels,
        methods=METHODS,
        milestones=milestones,
        files=_pulls.files_changed(store, issue["id"], names) if pull else [],
        reviews=_pulls.reviews(store, issue["id"], names) if pull else [],
        verdicts=_pulls.VERDICTS,
        error=request.query_params.get("error", ""),
    )


async def new_issue(request: Request) -> Response:
    store, repo = store_of(request), repo_of(request)
    if repo is None:
        return SITE.not_found(request, "No such repository.")
    if request.method == "GET":
        return page(request, "new_issue.html", f"New issue · {repo['slug']}", repo, "issues")
    form = await form_of(request)
    title, body = first(form, "title"), (form.get("body") or [""])[0].strip()
    if not title:
        return page(
            request,
            "new_issue.html",
            "New issue",
            repo,
            "issues",
            error="An issue needs a title.",
            body=body,
        )
    number = add_issue(store, repo["id"], title, body, ME.handle, minutes_ago=0)
    store.execute(
        "UPDATE issues SET created = ? WHERE repo_id = ? AND number = ?",
        (now(store), repo["id"], number),
    )
    log(store, "open", repo["id"], number, title)
    return see_other(f"/{repo['slug']}/issues/{number}")


async def issue_action(request: Request) -> Response:
    """Comment, close, reopen, label, milestone, assign, review, line comment, merge: one POST
    per button."""
    store, repo = store_of(request), repo_of(request)
    issue = repo and find(store, repo, request.path_params["number"])
    if repo is None or issue is None:
        return SITE.not_found(request, "No such issue or pull request.")
    form = await form_of(request)
    verb, n = first(form, "verb"), issue["number"]
    path = f"/{repo['slug']}/{'pull' if issue['kind'] == 'pull' else 'issues'}/{n}"
    text = (form.get("body") or [""])[0].strip()
    if text and verb in ("comment", "close"):
        store.execute(
            "INSERT INTO comments(issue_id, author, body, created) VALUES (?,?,?,?)",
            (issue["id"], ME.handle, text, now(store)),
        )
        log(store, "comment", repo["id"], n)
    if verb == "close" and issue["state"] == "open":
        store.execute("UPDATE issues SET state = 'closed' WHERE id = ?", (issue["id"],))
        log(store, "close", repo["id"], n)
    elif verb == "reopen" and issue["state"] == "closed":
        store.execute("UPDATE issues SET state = 'open' WHERE id = ?", (issue["id"],))
        log(store, "reopen", repo["id"], n)
    elif verb == "label":
        name = first(form, "label")
        if store.scalar("SELECT 1 FROM labels WHERE repo_id = ? AND name = ?", (repo["id"], name)):
            with store.transaction() as db:
                gone = db.execute(
                    "DELETE FROM issue_labels WHERE issue_id = ? AND label = ?", (issue["id"], name)
                ).rowcount
                if not gone:
                    db.execute("INSERT INTO issue_labels VALUES (?,?)", (issue["id"], name))
            log(store, "unlabel" if gone else "label", repo["id"], n, name)
    elif verb == "assign":
        email = first(form, "assignee")  # nobody picked: the assignee stays as it is
        handle = store.scalar("SELECT handle FROM people WHERE email = ?", (email,))
        if handle is not None:
            store.execute("UPDATE issues SET assignee = ? WHERE id = ?", (handle, issue["id"]))
            log(store, "assign", repo["id"], n, handle)
    elif verb == "milestone":
        title = first(form, "milestone")
        known = store.scalar(
            "SELECT 1 FROM milestones WHERE repo_id = ? AND title = ?", (repo["id"], title)
        )
        if known or title == "":
            store.execute("UPDATE issues SET milestone = ? WHERE id = ?", (title, issue["id"]))
            log(store, "milestone", repo["id"], n, title)
    elif verb in ("review", "line-comment") and issue["kind"] == "pull":
        if verb == "review":
            verdict = first(form, "verdict")
            refused = _pulls.review(store, issue["id"], verdict, text, now(store))
            detail = verdict
        else:
            where = (first(form, "path"), first(form, "line"))
            refused = _pulls.comment_on_line(store, issue["id"], *where, text, now(store))
            detail = ":".join(where)
        if refused:
            return see_other(f"{path}?error={quote(refused)}")
        log(store, verb, repo["id"], n, detail)
    elif verb in METHODS and issue["kind"] == "pull" and issue["state"] == "open":
        store.execute(
            "UPDATE issues SET state = 'merged', merge_method = ? WHERE id = ?", (verb, issue["id"])
        )
        log(store, "merge", repo["id"], n, verb)
    return see_other(path)


async def bulk(request: Request) -> Response:
    """Close or reopen the issues ticked in the list."""
    store, repo = store_of(request), repo_of(request)
    if repo is None:
        return SITE.not_found(request, "No such repository.")
    form = await form_of(request)
    verb = first(form, "verb")
    for number in [int(x) for x in form.get("number", []) if x.isdigit()]:
        issue = find(store, repo, number)
        if (
            issue
            and verb in ("close", "reopen")
            and issue["state"] == ("open" if verb == "close" else "closed")
        ):
            store.execute(
                "UPDATE issues SET state = ? WHERE id = ?",
                ("closed" if verb == "close" else "open", issue["id"]),
            )
            log(store, verb, repo["id"], number)
    return back_to(form, f"/{repo['slug']}/issues")


app = Starlette(
    routes=[
        Route("/", home),
        Route("/api/people", people_route),
        Route("/{owner}/{repo}", repo_home),
        Route("/{owner}/{repo}/star", star, methods=["POST"]),
        Route("/{owner}/{repo}/blob/{path:path}", blob),
        Route("/{owner}/{repo}/settings", settings, methods=["GET", "POST"]),
        Route("/{owner}/{repo}/issues", issue_list),
        Route("/{owner}/{repo}/issues/bulk", bulk, methods=["POST"]),
        Route("/{owner}/{repo}/issues/new", new_issue, methods=["GET", "POST"]),
        Route("/{owner}/{repo}/issues/{number:id}", issue_view),
        Route("/{owner}/{repo}/issues/{number:id}/act", issue_action, methods=["POST"]),
        Route("/{owner}/{repo}/pulls", issue_list),
        Route("/{owner}/{repo}/pull/{number:id}", issue_view),
        Route("/{owner}/{repo}/pull/{number:id}/act", issue_action, methods=["POST"]),
    ]
)
