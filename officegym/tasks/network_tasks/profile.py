"""Network templates on profiles and settings: endorse a connection's skill, add a position to
your profile, update your profile with several entries, change notification settings."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from officegym.tasks import (
    Apps,
    Checkpoint,
    ChooseOption,
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
    ME_ID,
    NOTIFICATION_SETTINGS,
    OUTSIDE_TITLES,
    PROFILE_FORMS,
    SCHOOLS,
    activity,
    add_skill,
    find_person,
)
from officegym.tasks.network_tasks.common import changes, only_changes, open_profile

# A skill and a look-alike a careless click endorses instead.
SKILL_PAIRS = (
    ("Project Management", "Program Management"),
    ("Data Analysis", "Data Visualization"),
    ("Public Speaking", "Public Relations"),
    ("Financial Forecasting", "Financial Modeling"),
    ("Vendor Management", "Vendor Negotiation"),
)
MY_PROFILE = ClickOn("link", "My profile")


@register
class EndorseSkill(Task):
    id = "network.endorse-skill"
    apps = ("network",)
    instruction = "Endorse your connection {name} for the skill “{skill}”."
    tags = ("search", "reading", "easy")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        people = apps["network"].query("SELECT name FROM people WHERE degree = 1 ORDER BY id")
        names = [p["name"] for p in people]
        unique = [n for n in names if names.count(n) == 1]
        skill, decoy = rng.choice(SKILL_PAIRS)
        name, other = rng.sample(unique, 2)
        return {"name": name, "skill": skill, "decoy_skill": decoy, "other": other}

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        store = apps["network"]
        for who in (params["name"], params["other"]):
            pid = find_person(store, who)
            assert pid is not None
            # A seeded skill of the same name goes: a profile lists each skill once.
            store.execute(
                "DELETE FROM skills WHERE person_id = ? AND name IN (?, ?)",
                (pid, params["skill"], params["decoy_skill"]),
            )
            add_skill(store, pid, params["decoy_skill"], endorsements=7)
            add_skill(store, pid, params["skill"], endorsements=4)

    def skill_id(self, apps: Apps, name: str, skill: str) -> int:
        """The skill the setup added to the person's profile (the only one of its name)."""
        pid = find_person(apps["network"], name)
        return int(
            apps["network"].scalar(
                "SELECT id FROM skills WHERE person_id = ? AND name = ? ORDER BY id DESC",
                (pid, skill),
            )
        )

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        sid = self.skill_id(apps, params["name"], params["skill"])
        endorsed = apps["network"].scalar("SELECT endorsed FROM skills WHERE id = ?", (sid,))
        return [
            Checkpoint(f"endorsed {params['skill']}", endorsed == 1),
            only_changes(apps["network"], {("endorse", "skill", sid)}),
        ]

    def endorse(self, name: str, skill: str) -> list[PlanStep]:
        return [*open_profile(name), ClickOn("button", f"Endorse {skill}", exact=True), Submit()]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.endorse(params["name"], params["skill"])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "the look-alike skill": self.endorse(params["name"], params["decoy_skill"]),
            "another connection": self.endorse(params["other"], params["skill"]),
        }


def add_entry(what: str, values: Mapping[str, str]) -> list[PlanStep]:
    """From the user's profile: open the form adding `what`, fill it in, save."""
    title, fields = PROFILE_FORMS[what]
    labels = {name: label for name, label, _ in fields}
    fills = [FillIn("textbox", labels[k], v) for k, v in values.items() if v]
    return [ClickOn("link", title, exact=True), *fills, ClickOn("button", "Save", exact=True)]


def added(apps: Apps, table: str) -> list[dict[str, Any]]:
    """The user's rows of a profile table that the episode added."""
    ids = [
        a["ref"]
        for a in apps["network"].query(
            "SELECT ref FROM activity WHERE verb = ? ORDER BY id", (f"add-{table}",)
        )
    ]
    return [
        r
        for r in apps["network"].query(
            f"SELECT * FROM {table} WHERE person_id = ? ORDER BY id", (ME_ID,)
        )
        if r["id"] in ids
    ]


def has_position(apps: Apps, title: str, company: str, start: int, end: int | None) -> bool:
    return any(
        norm(r["title"]) == norm(title)
        and norm(r["company"]) == norm(company)
        and r["start_year"] == start
        and r["end_year"] == end
        for r in added(apps, "experience")
    )


def only_adds(apps: Apps, n: int) -> Checkpoint:
    verbs = {c[0] for c in changes(apps["network"])}
    ok = (
        verbs <= {"add-experience", "add-education", "add-skills"}
        and len(changes(apps["network"])) <= n
    )
    return Checkpoint("nothing else changed", ok, "guard", detail=str(changes(apps["network"])))


@register
class AddExperience(Task):
    id = "network.add-experience"
    apps = ("network",)
    instruction = (
        "Add a past position to your Network profile: {title} at {company}, from {start} to {end}."
    )
    tags = ("forms", "easy")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        start = rng.randint(2012, 2018)
        return {
            "title": rng.choice(OUTSIDE_TITLES),
            "company": rng.choice(COMPANIES[4:]),
            "start": start,
            "end": start + rng.randint(1, 4),
        }

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        p = params
        return [
            Checkpoint(
                "added the position",
                has_position(apps, p["title"], p["company"], p["start"], p["end"]),
            ),
            only_adds(apps, 1),
        ]

    def add(self, params: Mapping[str, Any], end: str) -> list[PlanStep]:
        values = {
            "title": params["title"],
            "company": params["company"],
            "start_year": str(params["start"]),
            "end_year": end,
        }
        return [MY_PROFILE, *add_entry("experience", values), Submit()]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.add(params, str(params["end"]))

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        wrong = dict(params, company="Contoso" if params["company"] != "Contoso" else "Fabrikam")
        return {
            "as the current position": self.add(params, ""),
            "another company": self.add(wrong, str(params["end"])),
        }


@register
class UpdateProfile(Task):
    id = "network.update-profile"
    apps = ("network",)
    instruction = (
        "Bring your Network profile up to date: add the past positions {title1} at {company1} "
        "({start1}–{end1}) and {title2} at {company2} ({start2}–{end2}), your education at "
        "{school} ({degree}, {edu_start}–{edu_end}), and the skills {skill1} and {skill2}."
    )
    tags = ("forms", "long-horizon", "hard")
    max_steps = 90
    NEW_SKILLS = (
        "Process Improvement",
        "Lean Six Sigma",
        "Vendor Management",
        "Change Management",
        "Contract Negotiation",
        "Risk Assessment",
    )

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        (t1, t2), (c1, c2) = rng.sample(OUTSIDE_TITLES, 2), rng.sample(COMPANIES[4:], 2)
        start1 = rng.randint(2008, 2011)
        end1 = start1 + rng.randint(2, 3)
        end2 = end1 + rng.randint(2, 4)
        school, degree = rng.choice(SCHOOLS)
        edu_start = rng.randint(2000, 2003)
        s1, s2 = rng.sample(self.NEW_SKILLS, 2)
        return {
            "title1": t1,
            "company1": c1,
            "start1": start1,
            "end1": end1,
            "title2": t2,
            "company2": c2,
            "start2": end1,
            "end2": end2,
            "school": school,
            "degree": degree,
            "edu_start": edu_start,
            "edu_end": edu_start + 4,
            "skill1": s1,
            "skill2": s2,
        }

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        p = params
        schools = added(apps, "education")
        skills = {norm(s["name"]) for s in added(apps, "skills")}
        return [
            Checkpoint(
                "first position",
                has_position(apps, p["title1"], p["company1"], p["start1"], p["end1"]),
            ),
            Checkpoint(
                "second position",
                has_position(apps, p["title2"], p["company2"], p["start2"], p["end2"]),
            ),
            Checkpoint(
                "education",
                any(
                    norm(e["school"]) == norm(p["school"])
                    and norm(e["degree"]) == norm(p["degree"])
                    and (e["start_year"], e["end_year"]) == (p["edu_start"], p["edu_end"])
                    for e in schools
                ),
            ),
            Checkpoint("both skills", {norm(p["skill1"]), norm(p["skill2"])} <= skills),
            only_adds(apps, 5),
            Checkpoint("every entry added is one asked for", self.as_asked(apps, p), "guard"),
        ]

    def plan(
        self, p: Mapping[str, Any], second_end: int, skills: tuple[str, ...]
    ) -> list[PlanStep]:
        steps: list[PlanStep] = [MY_PROFILE]
        for i, end in ((1, p["end1"]), (2, second_end)):
            steps += add_entry(
                "experience",
                {
                    "title": p[f"title{i}"],
                    "company": p[f"company{i}"],
                    "start_year": str(p[f"start{i}"]),
                    "end_year": str(end),
                },
            )
        steps += add_entry(
            "education",
            {
                "school": p["school"],
                "degree": p["degree"],
                "start_year": str(p["edu_start"]),
                "end_year": str(p["edu_end"]),
            },
        )
        for skill in skills:
            steps += add_entry("skills", {"name": skill})
        return [*steps, Submit()]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.plan(params, params["end2"], (params["skill1"], params["skill2"]))

    def as_asked(self, apps: Apps, p: Mapping[str, Any]) -> bool:
        positions = {
            (norm(p[f"title{i}"]), norm(p[f"company{i}"]), p[f"start{i}"], p[f"end{i}"])
            for i in (1, 2)
        }
        return all(
            (norm(r["title"]), norm(r["company"]), r["start_year"], r["end_year"]) in positions
            for r in added(apps, "experience")
        ) and all(
            norm(s["name"]) in (norm(p["skill1"]), norm(p["skill2"])) for s in added(apps, "skills")
        )

    def other_skill(self, params: Mapping[str, Any]) -> str:
        return next(s for s in self.NEW_SKILLS if s not in (params["skill1"], params["skill2"]))

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "a wrong year": self.plan(
                params, params["end2"] + 1, (params["skill1"], params["skill2"])
            ),
            "another skill": self.plan(
                params, params["end2"], (params["skill1"], self.other_skill(params))
            ),
        }


@register
class ChangeNotificationSettings(Task):
    id = "network.notification-settings"
    apps = ("network",)
    instruction = (
        "In Network's notification settings, turn {state} “{label}” and set “{select_label}” to "
        "{choice}. Leave the other settings as they are."
    )
    tags = ("forms", "dropdown", "settings", "easy")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        boxes = [k for k, (_, choices, _) in NOTIFICATION_SETTINGS.items() if choices is None]
        lists = [k for k, (_, choices, _) in NOTIFICATION_SETTINGS.items() if choices]
        box, other, select = *rng.sample(boxes, 2), rng.choice(lists)
        label, _, default = NOTIFICATION_SETTINGS[box]
        select_label, choices, current = NOTIFICATION_SETTINGS[select]
        assert choices is not None
        return {
            "key": box,
            "label": label,
            "state": "off" if default == "on" else "on",
            "other_label": NOTIFICATION_SETTINGS[other][0],
            "select": select,
            "select_label": select_label,
            "choice": rng.choice([c for c in choices if c != current]),
            "decoy_choice": current,
        }

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        values = {r["key"]: r["value"] for r in apps["network"].query("SELECT * FROM settings")}
        changed = [a["detail"].split("=")[0] for a in activity(apps["network"])]
        p = params
        return [
            Checkpoint(
                f"{p['label']} {p['state']}, {p['select_label']} {p['choice']}",
                values[p["key"]] == p["state"] and values[p["select"]] == p["choice"],
            ),
            only_changes(apps["network"], {("setting", "settings", 0)}),
            Checkpoint(
                "no other setting changed", set(changed) <= {p["key"], p["select"]}, "guard"
            ),
        ]

    def plan(self, label: str, select_label: str, choice: str) -> list[PlanStep]:
        return [
            ClickOn("link", "Notification settings"),
            ClickOn("checkbox", label),
            ChooseOption("combobox", select_label, choice),
            ClickOn("button", "Save settings"),
            Submit(),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.plan(params["label"], params["select_label"], params["choice"])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        p = params
        return {
            "another check box": self.plan(p["other_label"], p["select_label"], p["choice"]),
            "list left as it was": self.plan(p["label"], p["select_label"], p["decoy_choice"]),
        }
