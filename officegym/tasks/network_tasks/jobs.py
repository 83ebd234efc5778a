"""Network templates on jobs: save a job, apply through the three-step form with a chosen
résumé, apply to three jobs, and (infeasible) apply to a job that has closed."""

from __future__ import annotations

import random
import re
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
    norm,
    says_infeasible,
)
from officegym.tasks._registry import register
from officegym.tasks.apps import StateStore
from officegym.tasks.apps.network import COMPANIES, LOCATIONS, RESUMES, add_job
from officegym.tasks.network_tasks.common import only_changes, open_job

# Titles no seeded job has, so the job a task adds is the only one of its title at its company.
TASK_JOB_TITLES = (
    "Fulfillment Operations Manager",
    "Vendor Operations Analyst",
    "Operations Excellence Lead",
    "Inventory Planning Manager",
    "Procurement Operations Specialist",
    "Field Operations Manager",
    "Service Delivery Manager",
    "Distribution Center Lead",
)


def job_id(apps: Apps, title: str, company: str) -> int:
    return int(
        apps["network"].scalar(
            "SELECT id FROM jobs WHERE title = ? AND company = ? ORDER BY id", (title, company)
        )
    )


def phone_number(rng: random.Random) -> str:
    return f"+1 206 555 {rng.randint(1000, 9999)}"


def digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def same_phone(given: str, asked: str) -> bool:
    """Whether two phone numbers are one: the last ten digits agree, so a number written
    without its country code ("(206) 555 6006" for "+1 206 555 6006") is the same."""
    return len(digits(given)) >= 10 and digits(given)[-10:] == digits(asked)[-10:]


# Why a job takes no application: it is closed, expired, not (or no longer) accepting them.
CLOSED_REASON = re.compile(
    r"\bclosed\b|\bexpir\w*|(?:\bnot|n't|\bno longer)\s+(?:\w+\s+)?accept\w*"
    r"|\bno longer (?:open|available|listed)\b"
)


def started(store: StateStore) -> list[int]:
    """The jobs with an application or a draft of one (the form's steps are not logged)."""
    rows = store.query("SELECT job_id FROM applications UNION SELECT job_id FROM drafts")
    return sorted(r["job_id"] for r in rows)


def add_two_jobs(apps: Apps, params: Mapping[str, Any]) -> None:
    """The task's job, and the same title at the look-alike company posted later."""
    add_job(apps["network"], params["title"], params["company"], minutes_ago=300)
    add_job(apps["network"], params["title"], params["decoy_company"], minutes_ago=200)


def two_jobs(rng: random.Random) -> dict[str, Any]:
    """A job's title and company, and the same title at another company (the look-alike)."""
    company, decoy_company = rng.sample(COMPANIES[4:], 2)
    return {
        "title": rng.choice(TASK_JOB_TITLES),
        "company": company,
        "decoy_company": decoy_company,
        "location": rng.choice(LOCATIONS),
    }


def application(apps: Apps, jid: int) -> dict[str, Any] | None:
    rows = apps["network"].query("SELECT * FROM applications WHERE job_id = ? ORDER BY id", (jid,))
    return rows[-1] if rows else None


def apply_steps(title: str, company: str, phone: str, resume: str) -> list[PlanStep]:
    """Find a job and go through its three-step application."""
    return [
        *open_job(title, company),
        ClickOn("link", "Apply now"),
        FillIn("textbox", "Phone number", phone),
        ClickOn("button", "Next", exact=True),
        ClickOn("radio", resume),
        ClickOn("button", "Next", exact=True),
        ClickOn("button", "Submit application"),
    ]


@register
class SaveJob(Task):
    id = "network.save-job"
    apps = ("network",)
    instruction = "Save the {title} job at {company} on Network for later."
    tags = ("search", "easy")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        return two_jobs(rng)

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        add_two_jobs(apps, params)

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        jid = job_id(apps, params["title"], params["company"])
        saved = apps["network"].scalar("SELECT saved FROM jobs WHERE id = ?", (jid,))
        return [
            Checkpoint("saved the job", saved == 1),
            only_changes(apps["network"], {("save", "job", jid)}),
        ]

    def save(self, title: str, company: str) -> list[PlanStep]:
        return [*open_job(title, company), ClickOn("button", "Save job", exact=True), Submit()]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.save(params["title"], params["company"])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        both = self.save(params["title"], params["decoy_company"])[:-1]
        return {
            "the look-alike": self.save(params["title"], params["decoy_company"]),
            "both": [*both, *self.save(params["title"], params["company"])],
        }


@register
class ApplyToJob(Task):
    id = "network.apply-to-job"
    apps = ("network",)
    instruction = (
        "Apply to the {title} job at {company} on Network with your phone number {phone} and the "
        "résumé “{resume}”."
    )
    tags = ("search", "forms", "multi-step", "medium")
    max_steps = 30

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        resume, other = rng.sample(RESUMES, 2)
        return {
            **two_jobs(rng),
            "phone": phone_number(rng),
            "resume": resume,
            "other_resume": other,
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        add_two_jobs(apps, params)

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        jid = job_id(apps, params["title"], params["company"])
        sent = application(apps, jid)
        return [
            Checkpoint(
                "applied with the phone number and the résumé",
                sent is not None
                and same_phone(sent["phone"], params["phone"])
                and sent["resume_name"] == params["resume"],
            ),
            only_changes(apps["network"], {("apply", "job", jid)}),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        p = params
        return [*apply_steps(p["title"], p["company"], p["phone"], p["resume"]), Submit()]

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        p = params
        return {
            "another résumé": [
                *apply_steps(p["title"], p["company"], p["phone"], p["other_resume"]),
                Submit(),
            ],
            "the look-alike job": [
                *apply_steps(p["title"], p["decoy_company"], p["phone"], p["resume"]),
                Submit(),
            ],
        }


@register
class ApplyToClosedJob(Task):
    """The job has closed: it takes no more applications."""

    id = "network.apply-closed-job"
    apps = ("network",)
    instruction = "Apply to the {title} job at {company} on Network with your phone number {phone}."
    tags = ("search", "reading", "infeasible", "medium")
    infeasible = True

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        return {**two_jobs(rng), "phone": phone_number(rng), "resume": rng.choice(RESUMES)}

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        add_job(apps["network"], params["title"], params["company"], minutes_ago=3000, closed=True)
        add_job(apps["network"], params["title"], params["decoy_company"], minutes_ago=200)

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        why = bool(CLOSED_REASON.search(norm(answer).replace("\u2019", "'")))
        return [
            Checkpoint(
                "answered that it cannot be done: the job has closed",
                says_infeasible(answer) and why,
            ),
            only_changes(apps["network"], ()),
            Checkpoint("no application started", not started(apps["network"]), "guard"),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return [
            *open_job(params["title"], params["company"]),
            Submit(
                f"I cannot apply: the {params['title']} job at {params['company']} is closed and "
                "no longer accepting applications."
            ),
        ]

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        p = params
        return {
            "applies to the look-alike": [
                *apply_steps(p["title"], p["decoy_company"], p["phone"], p["resume"]),
                Submit(
                    f"The job at {p['company']} is closed, so I cannot apply; applied to the "
                    "other one."
                ),
            ],
            "no reason": [*open_job(p["title"], p["company"]), Submit("I cannot do that.")],
        }


@register
class ApplyToThreeJobs(Task):
    id = "network.apply-three-jobs"
    apps = ("network",)
    instruction = (
        "Apply on Network to these three jobs, each with your phone number {phone} and the résumé "
        "“{resume}”: {title1} at {company1}, {title2} at {company2}, and {title3} at {company3}."
    )
    tags = ("search", "forms", "multi-step", "long-horizon", "hard")
    max_steps = 80

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        titles = rng.sample(TASK_JOB_TITLES, 3)
        companies = rng.sample(COMPANIES[4:], 4)
        resume, other = rng.sample(RESUMES, 2)
        params: dict[str, Any] = {
            "phone": phone_number(rng),
            "resume": resume,
            "other_resume": other,
            "decoy_company": companies[3],
        }
        for i, (title, company) in enumerate(zip(titles, companies, strict=False), 1):
            params[f"title{i}"], params[f"company{i}"] = title, company
        return params

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        for i in (1, 2, 3):
            add_job(
                apps["network"], params[f"title{i}"], params[f"company{i}"], minutes_ago=300 + i
            )
            # The same title elsewhere, posted later (listed above it).
            add_job(
                apps["network"], params[f"title{i}"], params["decoy_company"], minutes_ago=100 + i
            )

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        checks, allowed = [], set()
        for i in (1, 2, 3):
            jid = job_id(apps, params[f"title{i}"], params[f"company{i}"])
            sent = application(apps, jid)
            good = (
                sent is not None
                and same_phone(sent["phone"], params["phone"])
                and (sent["resume_name"] == params["resume"])
            )
            checks.append(Checkpoint(f"applied to {params[f'title{i}']}", good))
            allowed.add(("apply", "job", jid))
        every = apps["network"].query("SELECT phone, resume_name FROM applications")
        as_asked = all(
            same_phone(a["phone"], params["phone"]) and a["resume_name"] == params["resume"]
            for a in every
        )
        return [
            *checks,
            only_changes(apps["network"], allowed),
            Checkpoint("every application with that phone and résumé", as_asked, "guard"),
        ]

    def plan(
        self, params: Mapping[str, Any], companies: list[str], last_resume: str = ""
    ) -> list[PlanStep]:
        steps: list[PlanStep] = []
        for i, company in enumerate(companies, 1):
            resume = last_resume if i == 3 and last_resume else params["resume"]
            steps += apply_steps(params[f"title{i}"], company, params["phone"], resume)
        return [*steps, Submit()]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.plan(params, [params[f"company{i}"] for i in (1, 2, 3)])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        p = params
        return {
            "one look-alike job": self.plan(p, [p["company1"], p["decoy_company"], p["company3"]]),
            "another résumé for the last": self.plan(
                p, [p[f"company{i}"] for i in (1, 2, 3)], p["other_resume"]
            ),
        }
