"""Cross-app templates with Network, Drive and Search: save and apply to the job a colleague
mailed about with the résumé a Drive folder holds, and file a Code issue for the broken link of
a wiki page found through Search."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from officegym.tasks import (
    Apps,
    Checkpoint,
    ClickOn,
    FillIn,
    PlanStep,
    Submit,
    Task,
    mentions,
    norm,
)
from officegym.tasks._registry import register
from officegym.tasks.apps.code import ORG
from officegym.tasks.apps.drive import add_file, add_folder
from officegym.tasks.apps.mail import add_thread
from officegym.tasks.apps.network import add_job
from officegym.tasks.apps.people import ME
from officegym.tasks.apps.search import add_page, page_url, slug
from officegym.tasks.code_tasks.common import TWINS, open_repo
from officegym.tasks.cross_tasks.common import colleague, switch_to
from officegym.tasks.cross_tasks.untouched import untouched
from officegym.tasks.drive_tasks.common import item_by_stamp
from officegym.tasks.mail_tasks.common import open_thread
from officegym.tasks.network_tasks.common import only_changes, open_job
from officegym.tasks.network_tasks.jobs import (
    application,
    job_id,
    phone_number,
    same_phone,
    two_jobs,
)
from officegym.tasks.search_tasks.common import CODENAMES, find_and_open

# The résumés the setup puts in Drive (each a PDF): the one in the named folder, and another.
RESUME_FOCUS = ("operations", "logistics", "supply chain", "vendor management")
RESUME_AT, OTHER_RESUME_AT = 49, 47  # their creation stamps, in minutes before now
JOB_FOLDERS = ("Job search", "Applications 2026", "Career")


@register
class MailedJobApply(Task):
    id = "cross.mailed-job-apply"
    apps = ("mail", "network", "drive")
    instruction = (
        "{sender_name} mailed you about a job on Network (“{subject}”). Save that job on Network "
        "and apply to it with the phone number {phone} and the résumé in your Drive folder "
        "“{folder}”."
    )
    tags = ("cross-app", "reading", "search", "forms", "hard")
    max_steps = 40

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        who = colleague(rng, apps["mail"])
        focus, other = rng.sample(RESUME_FOCUS, 2)
        return {
            **two_jobs(rng),
            "sender_name": who["name"],
            "sender": who["email"],
            "subject": f"A job for you? ({rng.randint(10, 99)})",
            "phone": phone_number(rng),
            "folder": rng.choice(JOB_FOLDERS),
            "resume": f"{ME.name} resume ({focus}).pdf",
            "other_resume": f"{ME.name} resume ({other}).pdf",
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        title, first = params["title"], params["sender_name"].split()[0]
        body = (
            f"Hi Alex,\n\nThis post on Network made me think of you: {title} at "
            f"{params['company']}. Worth a look!\n\n{first}"
        )
        add_thread(apps["mail"], params["subject"], params["sender"], body, minutes_ago=70)
        add_job(apps["network"], title, params["company"], minutes_ago=300)
        add_job(apps["network"], title, params["decoy_company"], minutes_ago=200)
        drive = apps["drive"]
        folder = add_folder(drive, params["folder"], minutes_ago=50)
        lines = [ME.name, ME.email, "Experience: operations lead at Northwind Traders."]
        add_file(drive, params["resume"], lines, parent=folder, minutes_ago=RESUME_AT)
        archive = add_folder(drive, "Old versions", minutes_ago=48)
        add_file(drive, params["other_resume"], lines, parent=archive, minutes_ago=OTHER_RESUME_AT)

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["network"]
        jid = job_id(apps, params["title"], params["company"])
        resume = item_by_stamp(apps["drive"], RESUME_AT)
        sent = application(apps, jid)
        saved = store.scalar("SELECT saved FROM jobs WHERE id = ?", (jid,)) == 1
        return [
            # Saving is half of what the instruction asks: one goal with the application (a
            # near miss doing only one of them scores nothing).
            Checkpoint(
                "saved the job and applied with the folder's résumé and the phone number",
                saved
                and sent is not None
                and resume is not None
                and (sent["resume_source"], sent["resume_id"]) == ("drive", resume["id"])
                and same_phone(sent["phone"], params["phone"]),
                detail=str(sent),
            ),
            only_changes(store, {("save", "job", jid), ("apply", "job", jid)}),
            *untouched(apps, "drive", "mail"),
        ]

    def plan(
        self, params: Mapping[str, Any], company: str, resume: str, save: bool = True
    ) -> list[PlanStep]:
        return [
            *open_thread(params["subject"]),
            *switch_to("Drive"),
            ClickOn("link", params["folder"], exact=True),
            *switch_to("Network"),
            *open_job(params["title"], company),
            *([ClickOn("button", "Save job", exact=True)] if save else []),
            ClickOn("link", "Apply now"),
            FillIn("textbox", "Phone number", params["phone"]),
            ClickOn("button", "Next", exact=True),
            ClickOn("radio", resume),
            ClickOn("button", "Next", exact=True),
            ClickOn("button", "Submit application"),
            Submit(),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.plan(params, params["company"], params["resume"])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        p = params
        return {
            "the look-alike job": self.plan(p, p["decoy_company"], p["resume"]),
            "the other résumé": self.plan(p, p["company"], p["other_resume"]),
            "applied without saving": self.plan(p, p["company"], p["resume"], save=False),
        }


# What the "See also" links of a runbook point to: (label, site, path); `{c}` is the codename.
RUNBOOK_LINKS = (
    ("{c} setup guide", "help", "/articles/{s}-setup"),
    ("{c} project page", "wiki", "/projects/{s}"),
    ("{c} on-call rota", "wiki", "/oncall/{s}"),
    ("{c} status dashboard", "help", "/articles/{s}-status"),
)


@register
class BrokenLinkIssue(Task):
    """A wiki runbook links to four pages; the setup plants three of them, so one link leads to
    a "not found" page."""

    id = "cross.broken-link-issue"
    apps = ("search", "code")
    instruction = (
        "One of the “See also” links on the wiki's {codename} runbook is broken (find the runbook "
        "through Search). Open an issue in {org}/{repo} titled “Broken link in the {codename} "
        "runbook” whose description names the broken link as the runbook labels it."
    )
    tags = ("cross-app", "search", "reading", "forms", "medium")
    max_steps = 40

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        codename = rng.choice(CODENAMES)
        links = [
            {"label": label.format(c=codename), "site": site, "path": path.format(s=slug(codename))}
            for label, site, path in RUNBOOK_LINKS
        ]
        return {
            "codename": codename,
            "links": links,
            "broken": rng.randrange(len(links)),
            "org": ORG,
            "repo": rng.choice(list(TWINS)),
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        store, codename = apps["search"], params["codename"]
        for k, link in enumerate(params["links"]):
            if k != params["broken"]:
                kind = "docs" if link["site"] == "help" else "wiki"
                body = f"{link['label']}: how the {codename} team works, step by step."
                add_page(store, link["site"], link["path"], link["label"], body, kind=kind,
                         days_ago=60 + k)  # fmt: skip
        body = (
            f"The runbook of the {codename} service: what to check first when it is slow, how "
            "to restart it and whom to call."
        )
        links = [(link["label"], page_url(link["site"], link["path"])) for link in params["links"]]
        add_page(store, "wiki", f"/runbooks/{slug(codename)}", f"{codename} runbook", body,
                 kind="wiki", days_ago=20, links=links)  # fmt: skip

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        mine = apps["code"].query(
            "SELECT i.*, r.name AS repo FROM issues i JOIN repos r ON r.id = i.repo_id "
            "WHERE i.author = ?",
            (ME.handle,),
        )
        title = f"Broken link in the {params['codename']} runbook"
        right = [i for i in mine if i["repo"] == params["repo"] and norm(i["title"]) == norm(title)]
        labels = [link["label"] for link in params["links"]]
        broken = labels[params["broken"]]
        named = [label for label in labels if right and mentions(right[0]["body"], label)]
        other = [
            a
            for a in apps["code"].query("SELECT * FROM activity ORDER BY id")
            if a["verb"] != "open" or not right or a["number"] != right[0]["number"]
        ]
        return [
            Checkpoint(
                f"issue “{title}” in {params['repo']} naming the broken link",
                bool(right) and named == [broken],
                detail=str(named),
            ),
            Checkpoint("no other issue opened", len(mine) == len(right[:1]), "guard"),
            Checkpoint("nothing else changed in Code", not other, "guard", detail=str(other)[:200]),
            *untouched(apps, "search"),
        ]

    def plan(self, params: Mapping[str, Any], repo: str, link: int) -> list[PlanStep]:
        codename = params["codename"]
        label = params["links"][link]["label"]
        return [
            *find_and_open(f"{codename} runbook", f"{codename} runbook"),
            ClickOn("link", label, exact=True),
            *switch_to("Code"),
            *open_repo(repo),
            ClickOn("link", "Issues"),
            ClickOn("link", "New issue"),
            FillIn("textbox", "Title", f"Broken link in the {codename} runbook"),
            FillIn("textbox", "Description", f"The link “{label}” leads to a page not found."),
            ClickOn("button", "Submit new issue"),
            Submit(),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.plan(params, params["repo"], params["broken"])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        working = (params["broken"] + 1) % len(params["links"])
        return {
            "a working link": self.plan(params, params["repo"], working),
            "the look-alike repository": self.plan(params, TWINS[params["repo"]], params["broken"]),
        }


__all__ = ["BrokenLinkIssue", "MailedJobApply"]
