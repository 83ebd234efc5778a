"""Long Mail tasks over many conversations: triage the inbox (label the finance team's mail,
archive the newsletters), and answer four colleagues' questions with facts from other mail."""

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
    numbers_in,
)
from officegym.tasks._registry import register
from officegym.tasks.apps import StateStore
from officegym.tasks.apps.mail import add_thread
from officegym.tasks.mail_tasks.common import (
    activity,
    addrs,
    compose,
    open_thread,
    people,
    search,
    sent,
    unique_subject,
)

FINANCE_SUBJECTS = (
    "Accruals for {p}",
    "Payment run {n}",
    "Budget variance on {p}",
    "Vendor payments for {p}",
    "Quarter close checklist {n}",
)
# Outside mailing lists: (sender address, name on the subject, what an issue is about)
NEWSLETTERS = (
    ("news@industry-weekly.example", "Industry Weekly", "supply chains"),
    ("digest@saas-insider.example", "SaaS Insider", "pricing pages"),
    ("hello@ops-roundup.example", "Ops Roundup", "on-call rotas"),
)
# What the triage may do; the guards say where (moves are checked with the other moves).
TRIAGE_VERBS = ("label_add", "label_remove", "archive", "delete", "inbox")
NEWSLETTER_BODY = (
    "This week in {name}: five stories about {about}.\n\n"
    "You are receiving this newsletter because you subscribed at {domain}. Unsubscribe any time."
)


def finance_team(rng: random.Random, store: StateStore) -> tuple[list[dict[str, Any]], list[str]]:
    """Three colleagues for the finance team, and the subjects of the generated mailbox's mail
    from them. Colleagues with no mail come first, so "every email from X" is mostly what the
    setup writes; when there are too few, people with one mail whose subject is the mailbox's only
    one and that has no Finance label yet (the oracle opens it by subject)."""
    threads = store.query(
        "SELECT m.sender, t.subject, EXISTS (SELECT 1 FROM thread_labels tl JOIN labels l ON "
        "l.id = tl.label_id WHERE tl.thread_id = t.id AND l.name = 'Finance') AS finance "
        "FROM messages m JOIN threads t ON t.id = m.thread_id ORDER BY t.id"
    )
    subjects = [t["subject"] for t in threads]
    by_sender: dict[str, list[dict[str, Any]]] = {}
    for t in threads:
        by_sender.setdefault(t["sender"], []).append(t)
    quiet = [p for p in people(store) if p["email"] not in by_sender]
    one_mail = [
        p
        for p in people(store)
        if len(mine := by_sender.get(p["email"], [])) == 1
        and not mine[0]["finance"]
        and sum(mine[0]["subject"] in s for s in subjects) == 1
    ]
    rng.shuffle(quiet)
    rng.shuffle(one_mail)
    team = (quiet + one_mail)[:3]
    return team, [by_sender[p["email"]][0]["subject"] for p in team if p in one_mail]


def thread_ids(store: StateStore, subjects: list[str]) -> list[int]:
    """The ids of the setup's conversations, by their (unique) subjects, in that order."""
    return [
        int(store.scalar("SELECT id FROM threads WHERE subject = ? ORDER BY id", (subject,)))
        for subject in subjects
    ]


@register
class TriageFinanceAndNewsletters(Task):
    """The setup writes four mails from the three people of the finance team (the first one
    twice), two issues of each of two newsletters, and decoys: an invoice question from someone
    outside the team, and a colleague's draft of the team newsletter."""

    id = "mail.triage-finance-and-newsletters"
    instruction = (
        "Triage the inbox: apply the label “Finance” to every email from the finance team "
        "({f0}, {f1} and {f2}), and archive every newsletter from {n0} and from {n1} "
        "(their addresses end in {n0_domain} and {n1_domain}). Change nothing else."
    )
    tags = ("long-horizon", "bulk", "search", "dropdown", "hard")
    max_steps = 65  # 29 plan steps (34 at most); with pixels and keys a search is 4 actions

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        store = apps["mail"]
        finance, seeded = finance_team(rng, store)
        outsider, colleague = rng.sample([p for p in people(store) if p not in finance], 2)
        senders = [finance[0], finance[0], finance[1], finance[2]]
        lists = rng.sample(NEWSLETTERS, 2)
        params: dict[str, Any] = {f"f{i}": p["name"] for i, p in enumerate(finance)} | {
            f"f{i}_email": p["email"] for i, p in enumerate(finance)
        }
        for i, (address, name, _) in enumerate(lists):
            params |= {f"n{i}": name, f"n{i}_domain": address.split("@")[1]}
        params["finance"] = [
            {
                "sender": p["email"],
                "subject": unique_subject(rng, rng.choice(FINANCE_SUBJECTS)),
                "minutes": rng.randint(30, 5000),
            }
            for p in senders
        ]
        params["seeded_finance"] = seeded
        params["newsletters"] = [
            {
                "sender": address,
                "subject": f"{name} #{issue}: {about}",
                "body": NEWSLETTER_BODY.format(
                    name=name, about=about, domain=address.split("@")[1]
                ),
                "minutes": rng.randint(30, 5000),
            }
            for address, name, about in lists
            # two issues of one newsletter never share a number (nor a subject)
            for issue in rng.sample(range(100, 400), 2)
        ]
        params["decoys"] = [
            {
                "sender": outsider["email"],
                "subject": unique_subject(rng, "Invoice {n} question"),
                "body": "Hi Alex,\n\nFinance asked me to check this invoice. Is it approved?",
                "minutes": rng.randint(30, 5000),
            },
            {
                "sender": colleague["email"],
                "subject": unique_subject(rng, "Draft of the team newsletter"),
                "body": "Hi Alex,\n\nHere is my draft of the team newsletter for next month.",
                "minutes": rng.randint(30, 5000),
            },
        ]
        params["decoy_name"] = outsider["name"]
        return params

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        store = apps["mail"]
        for mail in params["finance"]:
            add_thread(
                store,
                mail["subject"],
                mail["sender"],
                "Hi Alex,\n\nPlease find the figures below and file them with the rest.\n\nThanks",
                minutes_ago=mail["minutes"],
            )
        for mail in (*params["newsletters"], *params["decoys"]):
            add_thread(
                store, mail["subject"], mail["sender"], mail["body"], minutes_ago=mail["minutes"]
            )

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["mail"]
        subjects = self.finance_subjects(params)
        finance = thread_ids(store, subjects)
        letters = thread_ids(store, [m["subject"] for m in params["newsletters"]])
        labelled = {
            r["thread_id"]
            for r in store.query(
                "SELECT tl.thread_id FROM thread_labels tl JOIN labels l ON l.id = tl.label_id "
                "WHERE l.name = 'Finance'"
            )
        }
        where = {
            r["id"]: (r["in_inbox"], r["trashed"])
            for r in store.query("SELECT id, in_inbox, trashed FROM threads")
        }
        done = activity(store)
        stray_labels = [
            a for a in done if a["verb"].startswith("label") and a["thread_id"] not in finance
        ]
        wrong_labels = [
            a for a in done if a["verb"].startswith("label") and a["detail"] != "Finance"
        ]
        moved = [a for a in done if a["verb"] in ("archive", "delete", "inbox")]
        # Starring, marking read or unread... is a change too (opening a conversation is not:
        # the app logs no activity for it).
        other = [a for a in done if a["verb"] not in TRIAGE_VERBS]
        return [
            *(
                Checkpoint(f"“{subject}” labelled Finance", tid in labelled)
                for subject, tid in zip(subjects, finance, strict=True)
            ),
            *(
                Checkpoint(f"“{m['subject']}” archived", where[tid] == (0, 0))
                for m, tid in zip(params["newsletters"], letters, strict=True)
            ),
            Checkpoint("no other conversation labelled", not stray_labels, "guard"),
            Checkpoint("no other label applied or removed", not wrong_labels, "guard"),
            Checkpoint(
                "only the newsletters moved",
                all(a["verb"] == "archive" and a["thread_id"] in letters for a in moved),
                "guard",
                detail=str(moved)[:200],
            ),
            Checkpoint(
                "nothing else done to any conversation",
                not other,
                "guard",
                detail=str(other)[:200],
            ),
            Checkpoint(
                "finance mail stays in the inbox",
                all(where[t] == (1, 0) for t in finance),
                "guard",
            ),
            Checkpoint("no mail sent", not sent(store), "guard"),
        ]

    def finance_subjects(self, params: Mapping[str, Any]) -> list[str]:
        """Every finance mail: the generated mailbox's, then the setup's."""
        return [*params["seeded_finance"], *(m["subject"] for m in params["finance"])]

    def label(self, subject: str, label: str = "Finance") -> list[PlanStep]:
        return [
            *open_thread(subject),
            ClickOn("button", "Labels"),
            ClickOn("menuitemcheckbox", label),
        ]

    def archive_all(self, query: str) -> list[PlanStep]:
        """Search, select every result, archive them."""
        return [
            *search(query),
            ClickOn("checkbox", "Select all"),
            ClickOn("button", "Archive"),
        ]

    def plan(
        self, params: Mapping[str, Any], subjects: list[str], queries: list[str], label: str
    ) -> list[PlanStep]:
        steps = [step for subject in subjects[:-1] for step in self.label(subject)]
        steps += self.label(subjects[-1], label)
        steps += [step for query in queries for step in self.archive_all(query)]
        return [*steps, Submit()]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        subjects = self.finance_subjects(params)
        return self.plan(params, subjects, [params["n0_domain"], params["n1_domain"]], "Finance")

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        subjects = self.finance_subjects(params)
        domains = [params["n0_domain"], params["n1_domain"]]
        return {
            "labelled the outsider's invoice question": self.plan(
                params, [*subjects[:-1], params["decoys"][0]["subject"]], domains, "Finance"
            ),
            "archived everything that says newsletter": self.plan(
                params, subjects, ["newsletter"], "Finance"
            ),
            "another label on one": self.plan(params, subjects, domains, "Clients"),
        }


# kind -> (fact mail subject, fact sentence, question, answer sentence); {city} and {value}
FACT_KINDS = {
    "flight": (
        "Flight confirmation to {city}",
        "The flight to {city} is booked, confirmation code {value}.",
        "What is the confirmation code of the flight to {city}?",
        "The confirmation code is {value}.",
    ),
    "room": (
        "Room booking for the {city} workshop",
        "I booked room {value} for the {city} workshop.",
        "Which room is booked for the {city} workshop?",
        "It is in room {value}.",
    ),
    "invoice": (
        "Invoice total for the {city} event",
        "The total invoice for the {city} event is {value} EUR, payable within 30 days.",
        "What is the invoice total for the {city} event?",
        "The total is {value} EUR.",
    ),
    "hotel": (
        "Hotel reservation in {city}",
        "Your hotel in {city} is reserved, reservation number {value}.",
        "What is the hotel reservation number in {city}?",
        "The reservation number is {value}.",
    ),
}
# Cities the generated mailbox never mentions, so each fact mail is the only one of its city.
FACT_CITIES = ("Reykjavik", "Nairobi", "Lima", "Hanoi", "Seville", "Tallinn", "Bergen", "Quito")


def says_fact(text: str | None, kind: str, value: str) -> bool:
    """Whether `text` gives the fact `value`: an invoice total as a number ("3,540 EUR" and
    "3540 EUR" both give 3540), any other fact as the very code."""
    if kind == "invoice":
        return float(value) in numbers_in(text)
    return mentions(text, value)


def fact_value(rng: random.Random, kind: str) -> str:
    if kind == "flight":
        return "".join(rng.choices("ABCDEFGHJKLMNPQRSTUVWXYZ23456789", k=6))
    if kind == "room":
        return f"{rng.choice('ABCDEFG')}{rng.randint(100, 499)}"
    if kind == "invoice":
        return str(rng.randrange(1200, 9800, 10))
    return f"R{rng.randint(100000, 999999)}"


@register
class ReplyWithFacts(Task):
    """Four colleagues each ask one question by mail; each answer is in a fact mail from the
    travel desk, next to a decoy fact mail of the same kind about another city."""

    id = "mail.reply-with-facts"
    instruction = (
        "{a0}, {a1}, {a2} and {a3} each emailed you a question. Reply to each of their emails "
        "with the answer: the facts are in other emails in your mailbox. Send nothing else."
    )
    tags = ("long-horizon", "reading", "search", "forms", "hard")
    max_steps = 90  # 37 plan steps; with pixels and keys each of 12 fields takes three actions

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        *askers, desk = rng.sample(people(apps["mail"]), 5)
        kinds = rng.sample(sorted(FACT_KINDS), 4)
        cities = rng.sample(FACT_CITIES, 8)
        questions = []
        for i, (asker, kind) in enumerate(zip(askers, kinds, strict=True)):
            value = fact_value(rng, kind)
            decoy_value = value
            while decoy_value == value:
                decoy_value = fact_value(rng, kind)
            subject_t, _, question_t, _ = FACT_KINDS[kind]
            questions.append(
                {
                    "kind": kind,
                    "name": asker["name"],
                    "email": asker["email"],
                    "city": cities[i],
                    "decoy_city": cities[i + 4],
                    "value": value,
                    "decoy_value": decoy_value,
                    "subject": f"{cities[i]}: a quick question",
                    "question": question_t.format(city=cities[i]),
                    "fact_subject": subject_t.format(city=cities[i]),
                    "decoy_subject": subject_t.format(city=cities[i + 4]),
                    "minutes": rng.sample(range(20, 5000), 3),
                }
            )
        return {
            **{f"a{i}": q["name"] for i, q in enumerate(questions)},
            "desk_email": desk["email"],
            "questions": questions,
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        store = apps["mail"]
        for q in params["questions"]:
            _, fact_t, _, _ = FACT_KINDS[q["kind"]]
            ask, fact, decoy = q["minutes"]
            for subject, city, value, minutes in (
                (q["fact_subject"], q["city"], q["value"], fact),
                (q["decoy_subject"], q["decoy_city"], q["decoy_value"], decoy),
            ):
                body = f"Hi Alex,\n\n{fact_t.format(city=city, value=value)}\n\nTravel desk"
                add_thread(store, subject, params["desk_email"], body, minutes_ago=minutes)
            first = q["name"].split()[0]
            body = f"Hi Alex,\n\n{q['question']} Thanks!\n\n{first}"
            add_thread(store, q["subject"], q["email"], body, minutes_ago=ask)

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["mail"]
        questions = params["questions"]
        tids = thread_ids(store, [q["subject"] for q in questions])
        mails = sent(store)
        checks = []
        for q, tid in zip(questions, tids, strict=True):
            replies = [m for m in mails if m["thread_id"] == tid]
            checks.append(
                Checkpoint(
                    f"replied to {q['name']} with {q['value']}",
                    any(
                        addrs(m["to_addrs"]) == {q["email"]}
                        and says_fact(m["body"], q["kind"], q["value"])
                        for m in replies
                    ),
                )
            )
        wrong = [
            q["decoy_value"]
            for q in questions
            if any(says_fact(m["body"], q["kind"], q["decoy_value"]) for m in mails)
        ]
        asker = dict(zip(tids, (q["email"] for q in questions), strict=True))
        stray = [
            m["subject"]
            for m in mails
            if m["thread_id"] not in asker
            or addrs(m["to_addrs"]) | addrs(m["cc_addrs"]) != {asker[m["thread_id"]]}
        ]
        changed = [a["verb"] for a in activity(store) if a["verb"] != "send"]
        return [
            *checks,
            Checkpoint(
                "no answer from the wrong city's mail", not wrong, "guard", detail=str(wrong)
            ),
            Checkpoint(
                "every mail is a reply to one asker", not stray, "guard", detail=str(stray)[:200]
            ),
            Checkpoint("no conversation moved or labelled", not changed, "guard"),
        ]

    def reply(self, q: Mapping[str, Any], value: str) -> list[PlanStep]:
        """Read the fact mail, then reply to the question with `value`."""
        _, _, _, answer_t = FACT_KINDS[q["kind"]]
        text = f"Hi {q['name'].split()[0]},\n\n{answer_t.format(value=value)}\n\nAlex"
        return [
            *open_thread(q["fact_subject"]),
            *open_thread(q["subject"]),
            ClickOn("button", "Reply", exact=True),
            FillIn("textbox", "Message body", text),
            ClickOn("button", "Send", exact=True),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        questions = params["questions"]
        return [*(s for q in questions for s in self.reply(q, q["value"])), Submit()]

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        *rest, last = params["questions"]
        done = [s for q in rest for s in self.reply(q, q["value"])]
        _, _, _, answer_t = FACT_KINDS[last["kind"]]
        return {
            "one answer from the other city": [
                *done,
                *self.reply(last, last["decoy_value"]),
                Submit(),
            ],
            "a new mail instead of a reply": [
                *done,
                *open_thread(last["fact_subject"]),
                *compose([last["name"]], last["subject"], answer_t.format(value=last["value"])),
                Submit(),
            ],
        }
