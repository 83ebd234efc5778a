"""Network templates around connections: accept an invitation (beside one from someone of the
same name), withdraw one, invite with a note, connect with someone on the second page of a
filtered search, endorse a skill, work through every pending invitation."""

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
    norm,
)
from officegym.tasks._registry import register
from officegym.tasks.apps.network import (
    COMPANIES,
    OUTSIDE_TITLES,
    add_invitation,
    add_person,
    find_person,
)
from officegym.tasks.network_tasks.common import (
    MY_NETWORK,
    new_name,
    only_changes,
    open_profile,
)


def status(apps: Apps, iid: int) -> str:
    return str(apps["network"].scalar("SELECT status FROM invitations WHERE id = ?", (iid,)))


@register
class AcceptInvitation(Task):
    id = "network.accept-invitation"
    apps = ("network",)
    instruction = (
        "Accept the invitation to connect from {name}, the {title} at {company}. Leave your other "
        "invitations as they are."
    )
    tags = ("reading", "easy")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        company, decoy_company = rng.sample(COMPANIES[1:], 2)
        title, decoy_title = rng.sample(OUTSIDE_TITLES, 2)
        return {
            "name": new_name(rng, apps["network"]),
            "title": title,
            "company": company,
            "decoy_title": decoy_title,
            "decoy_company": decoy_company,
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        store = apps["network"]
        # The look-alike invited more recently: it is listed first.
        for key, minutes in (("", 40), ("decoy_", 20)):
            pid = add_person(
                store,
                params["name"],
                title=params[f"{key}title"],
                company=params[f"{key}company"],
                degree=2,
            )
            add_invitation(store, pid, minutes_ago=minutes)

    def ids(self, apps: Apps) -> tuple[int, int]:
        rows = apps["network"].query(
            "SELECT id FROM invitations WHERE direction = 'received' ORDER BY created DESC, id"
        )
        return int(rows[1]["id"]), int(rows[0]["id"])  # target (40 min ago), look-alike

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        target, decoy = self.ids(apps)
        return [
            Checkpoint("accepted the invitation", status(apps, target) == "accepted"),
            Checkpoint(
                "the look-alike's invitation is still pending",
                status(apps, decoy) == "pending",
                "guard",
            ),
            only_changes(apps["network"], {("accept", "invitation", target)}),
        ]

    def accept(self, name: str, title: str, company: str, verb: str = "Accept") -> list[PlanStep]:
        return [
            MY_NETWORK,
            ClickOn("button", f"{verb} invitation from {name}, {title} at {company}", exact=True),
            Submit(),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.accept(params["name"], params["title"], params["company"])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        p = params
        return {
            "the look-alike": self.accept(p["name"], p["decoy_title"], p["decoy_company"]),
            "ignores it": self.accept(p["name"], p["title"], p["company"], "Ignore"),
        }


@register
class WithdrawInvitation(Task):
    id = "network.withdraw-invitation"
    apps = ("network",)
    instruction = "Withdraw the invitation to connect that you sent to {name}."
    tags = ("reading", "easy")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        store = apps["network"]
        name = new_name(rng, store)
        first = name.split()[0]
        decoy = new_name(rng, store, [first])  # same first name, another family name
        while decoy == name:
            decoy = new_name(rng, store, [first])
        t1, t2 = rng.sample(OUTSIDE_TITLES, 2)
        c1, c2 = rng.sample(COMPANIES[1:], 2)
        return {
            "name": name,
            "title": t1,
            "company": c1,
            "decoy": decoy,
            "decoy_title": t2,
            "decoy_company": c2,
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        p = params
        for name, title, company, minutes in (
            (p["name"], p["title"], p["company"], 200),
            (p["decoy"], p["decoy_title"], p["decoy_company"], 100),
        ):
            pid = add_person(apps["network"], name, title=title, company=company, degree=2)
            add_invitation(apps["network"], pid, direction="sent", minutes_ago=minutes)

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["network"]
        pid, did = find_person(store, params["name"]), find_person(store, params["decoy"])
        target = int(store.scalar("SELECT id FROM invitations WHERE person_id = ?", (pid,)))
        decoy = int(store.scalar("SELECT id FROM invitations WHERE person_id = ?", (did,)))
        return [
            Checkpoint("withdrew the invitation", status(apps, target) == "withdrawn"),
            Checkpoint(
                "the other invitation is still pending", status(apps, decoy) == "pending", "guard"
            ),
            only_changes(store, {("withdraw", "invitation", target)}),
        ]

    def withdraw(self, name: str) -> list[PlanStep]:
        return [
            MY_NETWORK,
            ClickOn("link", "Sent", exact=True),
            ClickOn("button", f"Withdraw invitation to {name}, "),
            Submit(),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.withdraw(params["name"])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        both = self.withdraw(params["name"])[:-1] + self.withdraw(params["decoy"])[2:]
        return {"the other person": self.withdraw(params["decoy"]), "both": both}


@register
class InviteWithNote(Task):
    id = "network.invite-with-note"
    apps = ("network",)
    instruction = (
        "Send {name}, the {title} at {company}, an invitation to connect with the note “{note}”."
    )
    tags = ("search", "forms", "medium")
    NOTES = (
        "Hi {first}, we met at the {topic} meetup. Would love to stay in touch!",
        "Hello {first}, I am working on {topic} too and would like to compare notes.",
        "Hi {first}, a colleague recommended I reach out about {topic}.",
    )
    TOPICS = ("supply chain", "data quality", "vendor onboarding", "forecasting", "hiring")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        store = apps["network"]
        name = new_name(rng, store)
        t1, t2 = rng.sample(OUTSIDE_TITLES, 2)
        c1, c2 = rng.sample(COMPANIES[1:], 2)
        note = rng.choice(self.NOTES).format(first=name.split()[0], topic=rng.choice(self.TOPICS))
        return {
            "name": name,
            "title": t1,
            "company": c1,
            "decoy_title": t2,
            "decoy_company": c2,
            "note": note,
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        # Two people of that name; the search lists the target first (added first).
        add_person(
            apps["network"],
            params["name"],
            title=params["title"],
            company=params["company"],
            degree=2,
        )
        add_person(
            apps["network"],
            params["name"],
            title=params["decoy_title"],
            company=params["decoy_company"],
            degree=3,
        )

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["network"]
        sent = store.query(
            "SELECT i.*, p.company FROM invitations i JOIN people p ON p.id = i.person_id "
            "WHERE p.name = ? AND i.direction = 'sent'",
            (params["name"],),
        )
        right = [s for s in sent if s["company"] == params["company"]]
        ids = {("invite", "invitation", s["id"]) for s in right}
        return [
            Checkpoint(
                f"invited {params['name']} of {params['company']} with the note",
                bool(right) and norm(right[0]["note"]) == norm(params["note"]),
            ),
            only_changes(store, ids),
        ]

    def invite(self, params: Mapping[str, Any], note: str, index: int = 0) -> list[PlanStep]:
        steps: list[PlanStep] = [*open_profile(params["name"], index)]
        steps.append(ClickOn("link", f"Connect with {params['name']}"))
        if note:
            steps.append(FillIn("textbox", "Add a note", note))
        return [*steps, ClickOn("button", "Send invitation"), Submit()]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.invite(params, params["note"])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "no note": self.invite(params, ""),
            "the namesake": self.invite(params, params["note"], index=1),
        }
