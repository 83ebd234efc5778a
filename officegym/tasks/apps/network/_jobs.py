"""Network's jobs (saved jobs, the three-step application with a résumé from Drive or the
user's own documents), notification settings and the user's profile edits."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from officegym.tasks.apps import StateStore
from officegym.tasks.apps._web import back_to, first, form_of, see_other, store_of
from officegym.tasks.apps.drive import World, all_items
from officegym.tasks.apps.network._common import (
    ESCAPE,
    SITE,
    capped,
    contains,
    log,
    next_stamp,
    page,
    when,
)
from officegym.tasks.apps.people import ME

STEPS = ("contact", "resume", "review")
ALREADY_APPLIED = "You already applied to this job."
JOB_VIEWS = {"all": "All jobs", "saved": "Saved jobs", "applied": "My applications"}


async def jobs(request: Request) -> Response:
    store = store_of(request)
    view = request.query_params.get("view", "all")
    view = view if view in JOB_VIEWS else "all"
    q = request.query_params.get("q", "").strip()
    where, params = ["1"], []
    if q:
        where.append(
            f"(j.title LIKE ? {ESCAPE} OR j.company LIKE ? {ESCAPE} OR j.location LIKE ? {ESCAPE})"
        )
        params += [contains(q)] * 3
    if view == "saved":
        where.append("j.saved = 1")
    if view == "applied":
        where.append("EXISTS (SELECT 1 FROM applications a WHERE a.job_id = j.id)")
    rows = store.query(
        f"SELECT j.*, EXISTS (SELECT 1 FROM applications a WHERE a.job_id = j.id) AS applied "
        f"FROM jobs j WHERE {' AND '.join(where)} ORDER BY j.closed, j.posted DESC, j.id DESC",
        params,
    )
    for r in rows:
        r["when"] = when(r["posted"])
    return page(
        request, "jobs.html", JOB_VIEWS[view], "jobs", jobs=rows, view=view, views=JOB_VIEWS, jq=q
    )


def find_job(store: StateStore, jid: int) -> dict[str, Any] | None:
    rows = store.query(
        "SELECT j.*, p.name AS recruiter, p.title AS recruiter_title FROM jobs j "
        "LEFT JOIN people p ON p.id = j.recruiter_id WHERE j.id = ?",
        (jid,),
    )
    if not rows:
        return None
    job = rows[0]
    job["when"] = when(job["posted"])
    applied = store.query("SELECT * FROM applications WHERE job_id = ? ORDER BY id", (jid,))
    job["application"] = applied[-1] if applied else None
    return job


async def job(request: Request) -> Response:
    found = find_job(store_of(request), request.path_params["jid"])
    if found is None:
        return SITE.not_found(request, "That job does not exist.")
    notice = "Your application was sent." if request.query_params.get("applied") else ""
    return page(request, "job.html", found["title"], "jobs", job=found, notice=notice)


async def save_job(request: Request) -> Response:
    store, form = store_of(request), await form_of(request)
    found = find_job(store, request.path_params["jid"])
    verb = request.path_params["verb"]
    if found is not None and verb in ("save", "unsave") and found["saved"] != (verb == "save"):
        store.execute("UPDATE jobs SET saved = ? WHERE id = ?", (int(verb == "save"), found["id"]))
        log(store, verb, "job", found["id"])
    return back_to(form, f"/jobs/{request.path_params['jid']}")


def resumes(request: Request) -> tuple[str, list[dict[str, Any]]]:
    """Where the résumés come from and which: the user's own PDFs in Drive when Drive is in the
    world, else the user's own documents here."""
    stores = request.scope.get("officegym.stores") or {}
    drive = stores.get("drive")
    if drive is not None:
        return "drive", drive_resumes(World.of(drive, stores))
    own = store_of(request).query("SELECT id, name FROM documents ORDER BY name, id")
    return "network", [{**f, "label": f["name"], "key": f"network:{f['id']}"} for f in own]


def drive_resumes(world: World) -> list[dict[str, Any]]:
    """The PDFs the user owns in Drive, neither trashed nor in a trashed folder, each labelled
    with its folder (two files of one name in two folders are told apart)."""
    items = all_items(world)
    folders = {i["id"]: i["name"] for i in items if i["kind"] == "folder"}
    pdfs = [
        i
        for i in items
        if i["kind"] == "pdf" and i["owner"] == ME.email and not i["trashed"] and not i["buried"]
    ]
    return [
        {
            "id": i["id"],
            "name": i["name"],
            "label": f"{i['name']} (in {folders.get(i['parent'], 'My Drive')})",
            "key": f"drive:{i['id']}",
        }
        for i in sorted(pdfs, key=lambda i: (i["name"], i["id"]))
    ]


def draft_of(store: StateStore, jid: int) -> dict[str, Any]:
    rows = store.query("SELECT * FROM drafts WHERE job_id = ?", (jid,))
    return rows[0] if rows else {"job_id": jid, "email": ME.email, "phone": "", "resume": ""}


async def apply(request: Request) -> Response:
    """The application form, one step a page: contact info, résumé, review (`?step=`)."""
    store = store_of(request)
    found = find_job(store, request.path_params["jid"])
    if found is None:
        return SITE.not_found(request, "That job does not exist.")
    if found["closed"]:
        return page(
            request,
            "job.html",
            found["title"],
            "jobs",
            job=found,
            error="This job is no longer accepting applications.",
        )
    if found["application"]:
        return already_applied(request, found)
    step = request.query_params.get("step", "contact")
    return apply_page(request, found, step if step in STEPS else "contact")


def already_applied(request: Request, found: dict[str, Any]) -> Response:
    """The job's page saying the user applied already (one application a job)."""
    return page(
        request, "job.html", found["title"], "jobs", job=found, error=ALREADY_APPLIED, status=409
    )


def apply_page(
    request: Request, found: dict[str, Any], step: str, error: str = "", status: int = 200
) -> Response:
    store = store_of(request)
    draft = draft_of(store, found["id"])
    source, files = resumes(request)
    chosen = next((f for f in files if f["key"] == draft["resume"]), None)
    return page(
        request,
        "apply.html",
        f"Apply to {found['title']}",
        "jobs",
        status=status,
        job=found,
        step=step,
        number=STEPS.index(step) + 1,
        draft=draft,
        source=source,
        files=files,
        chosen=chosen,
        error=error,
    )


async def apply_step(request: Request) -> Response:
    """Keep a step's fields and go on (or back); the review step's submit sends the
    application."""
    store = store_of(request)
    found = find_job(store, request.path_params["jid"])
    if found is None or found["closed"]:
        return SITE.not_found(request, "This job is not accepting applications.")
    if found["application"]:
        return already_applied(request, found)
    form = await form_of(request)
    step, draft = first(form, "step"), draft_of(store, found["id"])
    if step not in STEPS:  # a hand-made post: start the form over
        return apply_page(request, found, "contact", "Start from the first step.", 400)
    if step == "contact":
        draft["email"], draft["phone"] = capped(form, "email"), capped(form, "phone")
        if not draft["email"] or sum(c.isdigit() for c in draft["phone"]) < 7:
            return apply_page(request, found, "contact", "Enter your email and a phone number.")
    elif step == "resume":
        draft["resume"] = first(form, "resume")
        if not any(f["key"] == draft["resume"] for f in resumes(request)[1]):
            return apply_page(request, found, "resume", "Choose a résumé.")
    store.execute(
        "INSERT OR REPLACE INTO drafts(job_id, email, phone, resume) VALUES (?,?,?,?)",
        (found["id"], draft["email"], draft["phone"], draft["resume"]),
    )
    if first(form, "go") == "back":
        return see_other(f"/jobs/{found['id']}/apply?step={STEPS[max(0, STEPS.index(step) - 1)]}")
    if step != "review":
        return see_other(f"/jobs/{found['id']}/apply?step={STEPS[STEPS.index(step) + 1]}")
    return submit_application(request, store, found, draft)


def submit_application(
    request: Request, store: StateStore, found: dict[str, Any], draft: dict[str, Any]
) -> Response:
    source, files = resumes(request)
    chosen = next((f for f in files if f["key"] == draft["resume"]), None)
    if chosen is None or not draft["phone"]:
        return apply_page(request, found, "contact", "Fill in every step first.")
    aid = store.execute(
        "INSERT INTO applications(job_id, email, phone, resume_source, resume_id, resume_name, "
        "created) VALUES (?,?,?,?,?,?,?)",
        (
            found["id"],
            draft["email"],
            draft["phone"],
            source,
            chosen["id"],
            chosen["name"],
            next_stamp(store),
        ),
    )
    store.execute("DELETE FROM drafts WHERE job_id = ?", (found["id"],))
    log(store, "apply", "job", found["id"], f"{aid} {chosen['name']}")
    return see_other(f"/jobs/{found['id']}?applied=1")
