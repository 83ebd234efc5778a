"""The Mail task templates."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from typing import Any

from officegym.tasks._registry import register
from officegym.tasks._task import (
    Apps,
    Checkpoint,
    ClickOn,
    FillIn,
    PlanStep,
    PressKey,
    Submit,
    Task,
)
from officegym.tasks.apps import StateStore
from officegym.tasks.apps.mail import ME_EMAIL, add_thread

REPLIES = (
    "Thursday at 3 pm works for me.",
    "Thanks, I will review it by Friday.",
    "Please send the final numbers before noon.",
    "Count me in for the offsite.",
    "Let's move this to next week.",
    "Approved, go ahead with the order.",
)
NEW_SUBJECTS = (
    "Kickoff for Project {p}",
    "Agenda for the {p} sync",
    "{p} launch checklist",
    "Draft plan for {p}",
)
NEW_BODIES = (
    "Could we meet on {d} to go through the plan?",
    "Please review the checklist by {d}.",
    "I have booked room {r} for {d}.",
)


def norm(text: str | None) -> str:
    return " ".join((text or "").lower().split())


def people(store: StateStore) -> list[dict[str, Any]]:
    return store.query("SELECT name, email FROM people WHERE email != ? ORDER BY id", (ME_EMAIL,))


def sent(store: StateStore, thread_id: int | None = None) -> list[dict[str, Any]]:
    """Messages the user sent (in one thread, or all)."""
    if thread_id is None:
        return store.query("SELECT * FROM messages WHERE kind = 'sent' ORDER BY id")
    return store.query(
        "SELECT * FROM messages WHERE kind = 'sent' AND thread_id = ? ORDER BY id", (thread_id,)
    )


def addrs(text: str) -> set[str]:
    return {a.strip().lower() for a in text.split(",") if a.strip()}


def unique_subject(rng: random.Random, template: str) -> str:
    return (
        template.format(
            p=rng.choice(("Orion", "Maple", "Cobalt", "Aurora", "Summit", "Nova")),
            n=rng.randint(100, 999),
        )
        + f" #{rng.randint(1000, 9999)}"
    )


def open_thread(subject: str) -> list[PlanStep]:
    """Find a conversation by its subject through search, then open it."""
    return [
        FillIn("searchbox", "Search mail", subject),
        PressKey("Enter"),
        ClickOn("link", subject),
    ]


@register
class ReplyToSender(Task):
    id = "mail.reply-to-sender"
    instruction = "Reply to {sender_name}'s email “{subject}” with the message: {reply}"
    tags = ("reply", "forms", "easy")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        sender = rng.choice(people(apps["mail"]))
        return {
            "sender_name": sender["name"],
            "sender_email": sender["email"],
            "subject": unique_subject(rng, "Question about {p}"),
            "reply": rng.choice(REPLIES),
            "minutes_ago": rng.randint(5, 4000),
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        add_thread(
            apps["mail"],
            params["subject"],
            params["sender_email"],
            f"Hi Alex,\n\nQuick question about {params['subject']}. What do you think?\n\n"
            f"{params['sender_name'].split()[0]}",
            minutes_ago=params["minutes_ago"],
        )

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["mail"]
        tid = store.scalar("SELECT id FROM threads WHERE subject = ?", (params["subject"],))
        replies = sent(store, tid)
        last = replies[-1] if replies else None
        return [
            Checkpoint("replied in the thread", last is not None),
            Checkpoint(
                "addressed to the sender",
                last is not None and addrs(last["to_addrs"]) == {params["sender_email"]},
                detail=last["to_addrs"] if last else "",
            ),
            Checkpoint(
                "message has the requested text",
                last is not None and norm(params["reply"]) in norm(last["body"]),
            ),
            Checkpoint("no other mail sent", len(sent(store)) == len(replies), kind="guard"),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return [
            *open_thread(params["subject"]),
            ClickOn("button", "Reply"),
            FillIn("textbox", "Message body", params["reply"]),
            ClickOn("button", "Send"),
            Submit(),
        ]


@register
class ForwardWithCc(Task):
    id = "mail.forward-with-cc"
    instruction = "Forward the email “{subject}” to {to_name} and CC {cc_name}."
    tags = ("forward", "autocomplete", "forms", "medium")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        sender, to, cc = rng.sample(people(apps["mail"]), 3)
        return {
            "subject": unique_subject(rng, "{p} vendor quote"),
            "sender_email": sender["email"],
            "to_name": to["name"],
            "to_email": to["email"],
            "cc_name": cc["name"],
            "cc_email": cc["email"],
            "minutes_ago": rng.randint(5, 4000),
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        add_thread(
            apps["mail"],
            params["subject"],
            params["sender_email"],
            "Hi Alex,\n\nAttached is the vendor quote we discussed. Please share it with "
            "whoever needs it.\n\nThanks",
            minutes_ago=params["minutes_ago"],
        )

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["mail"]
        tid = store.scalar("SELECT id FROM threads WHERE subject = ?", (params["subject"],))
        fwd = [m for m in sent(store, tid) if m["subject"].lower().startswith("fwd")]
        last = fwd[-1] if fwd else None
        reached = {a for m in fwd for a in addrs(m["to_addrs"]) | addrs(m["cc_addrs"])}
        return [
            Checkpoint("forwarded the email", last is not None),
            Checkpoint(
                "sent to the right person",
                last is not None and addrs(last["to_addrs"]) == {params["to_email"]},
            ),
            Checkpoint(
                "CC'd the right person",
                last is not None and addrs(last["cc_addrs"]) == {params["cc_email"]},
            ),
            Checkpoint(
                "nobody else received it",
                reached <= {params["to_email"], params["cc_email"]},
                kind="guard",
                detail=", ".join(sorted(reached)),
            ),
            Checkpoint("no other mail sent", len(sent(store)) == len(fwd), kind="guard"),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return [
            *open_thread(params["subject"]),
            ClickOn("button", "Forward"),
            FillIn("combobox", "To", params["to_name"]),
            PressKey("Enter"),
            FillIn("combobox", "Cc", params["cc_name"]),
            PressKey("Enter"),
            ClickOn("button", "Send"),
            Submit(),
        ]


@register
class ApplyLabel(Task):
    id = "mail.apply-label"
    instruction = "Apply the label “{label}” to the email “{subject}”."
    tags = ("dropdown", "easy")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        labels = [r["name"] for r in apps["mail"].query("SELECT name FROM labels ORDER BY id")]
        return {
            "label": rng.choice(labels),
            "subject": unique_subject(rng, "Receipt for {p}"),
            "sender_email": rng.choice(people(apps["mail"]))["email"],
            "minutes_ago": rng.randint(5, 4000),
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        add_thread(
            apps["mail"],
            params["subject"],
            params["sender_email"],
            "Hello,\n\nYour receipt is below. Keep it for your records.",
            minutes_ago=params["minutes_ago"],
        )

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["mail"]
        labelled = store.query(
            "SELECT t.subject, l.name FROM thread_labels tl JOIN threads t ON t.id = tl.thread_id "
            "JOIN labels l ON l.id = tl.label_id WHERE t.subject = ?",
            (params["subject"],),
        )
        names = {r["name"] for r in labelled}
        others = store.scalar(
            "SELECT count(*) FROM activity WHERE verb LIKE 'label%' AND "
            "thread_id != (SELECT id FROM threads WHERE subject = ?)",
            (params["subject"],),
        )
        return [
            Checkpoint("label applied", params["label"] in names, detail=", ".join(sorted(names))),
            Checkpoint("no other label on it", names <= {params["label"]}, kind="guard"),
            Checkpoint("no other conversation relabelled", others == 0, kind="guard"),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return [
            *open_thread(params["subject"]),
            ClickOn("button", "Labels"),
            ClickOn("menuitemcheckbox", params["label"]),
            Submit(),
        ]


@register
class CleanUpSender(Task):
    id = "mail.clean-up-sender"
    instruction = "{verb_title} every email from {sender_name} in the inbox, and nothing else."
    tags = ("bulk", "search", "medium")
    max_steps = 40

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        sender = rng.choice(people(apps["mail"]))
        verb = rng.choice(("archive", "delete"))
        return {
            "sender_name": sender["name"],
            "sender_email": sender["email"],
            "verb": verb,
            "verb_title": verb.capitalize(),
            "extra": rng.randint(2, 3),
            "minutes": [rng.randint(5, 4000) for _ in range(3)],
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        for i in range(params["extra"]):
            add_thread(
                apps["mail"],
                f"Update {i + 1} from {params['sender_name'].split()[0]}",
                params["sender_email"],
                "Hi Alex,\n\nA short update for your records.",
                minutes_ago=params["minutes"][i],
                unread=bool(i % 2),
            )

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["mail"]
        theirs = store.query(
            "SELECT t.* FROM threads t WHERE EXISTS (SELECT 1 FROM messages m WHERE m.thread_id = "
            "t.id AND m.sender = ? AND m.kind = 'received')",
            (params["sender_email"],),
        )
        done = [
            t
            for t in theirs
            if (
                t["trashed"]
                if params["verb"] == "delete"
                else not t["in_inbox"] and not t["trashed"]
            )
        ]
        touched = store.scalar(
            "SELECT count(*) FROM activity a WHERE a.verb IN ('archive', 'delete') AND NOT EXISTS "
            "(SELECT 1 FROM messages m WHERE m.thread_id = a.thread_id AND m.sender = ?)",
            (params["sender_email"],),
        )
        return [Checkpoint(f"{params['verb']}d {t['subject']!r}", t in done) for t in theirs] + [
            Checkpoint("no other conversation archived or deleted", touched == 0, kind="guard")
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return [
            FillIn("searchbox", "Search mail", f"from:{params['sender_email']}"),
            PressKey("Enter"),
            ClickOn("checkbox", "Select all"),
            ClickOn("button", params["verb_title"]),
            Submit(),
        ]


FACTS = (  # subject template, body template, question, answer key
    (
        "Flight confirmation to {city}",
        "Your flight to {city} is booked, confirmation code {code}. Please arrive two hours early.",
        "What is the confirmation code of the flight to {city}? Answer with the code only.",
        "code",
    ),
    (
        "Room booking for the {city} workshop",
        "I booked room {room} for the {city} workshop on {day}.",
        "Which room is booked for the {city} workshop? Answer with the room only.",
        "room",
    ),
    (
        "Invoice total for {city} event",
        "The total invoice for the {city} event is {amount} EUR, payable within 30 days.",
        "What is the invoice total (in EUR) for the {city} event? Answer with the number only.",
        "amount",
    ),
)


@register
class AnswerFromThread(Task):
    id = "mail.answer-from-thread"
    instruction = "Answer from the mailbox: {question}"
    tags = ("reading", "answer", "search", "easy")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        subject_t, body_t, question_t, key = rng.choice(FACTS)
        # Cities the generated mailbox never mentions, so the question has one answer.
        facts = {
            "city": rng.choice(("Reykjavik", "Nairobi", "Lima", "Hanoi", "Seville", "Tallinn")),
            "code": "".join(rng.choices("ABCDEFGHJKLMNPQRSTUVWXYZ23456789", k=6)),
            "room": f"{rng.choice('ABCDEFG')}{rng.randint(100, 499)}",
            "day": rng.choice(("Monday", "Tuesday", "Thursday")),
            "amount": str(rng.randrange(1200, 9800, 10)),
        }
        return {
            "subject": subject_t.format(**facts),
            "body": body_t.format(**facts),
            "question": question_t.format(**facts),
            "expected": facts[key],
            "sender_email": rng.choice(people(apps["mail"]))["email"],
            "minutes_ago": rng.randint(60, 6000),
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        add_thread(
            apps["mail"],
            params["subject"],
            params["sender_email"],
            f"Hi Alex,\n\n{params['body']}\n\nBest",
            minutes_ago=params["minutes_ago"],
        )

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        words = re.findall(r"[\w.]+", (answer or "").upper())
        return [
            Checkpoint(
                "answer is correct",
                params["expected"].upper() in words,
                detail=f"expected {params['expected']!r}, got {answer!r}",
            )
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return [*open_thread(params["subject"]), Submit(params["expected"])]


@register
class StarWithShortcut(Task):
    id = "mail.star-with-shortcut"
    instruction = (
        "Star the email “{subject}” using the keyboard shortcut “s” (do not click the star)."
    )
    tags = ("shortcuts", "easy")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        return {
            "subject": unique_subject(rng, "{p} timesheet"),
            "sender_email": rng.choice(people(apps["mail"]))["email"],
            "minutes_ago": rng.randint(5, 4000),
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        add_thread(
            apps["mail"],
            params["subject"],
            params["sender_email"],
            "Hi Alex,\n\nPlease approve my timesheet for last week.",
            minutes_ago=params["minutes_ago"],
        )

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["mail"]
        thread = store.query("SELECT * FROM threads WHERE subject = ?", (params["subject"],))[0]
        stars = store.query("SELECT thread_id, via FROM activity WHERE verb = 'star'")
        return [
            Checkpoint("email is starred", bool(thread["starred"])),
            Checkpoint(
                "starred with the shortcut",
                any(s["thread_id"] == thread["id"] and s["via"] == "shortcut" for s in stars),
            ),
            Checkpoint(
                "star was never clicked", all(s["via"] == "shortcut" for s in stars), kind="guard"
            ),
            Checkpoint(
                "no other email starred",
                all(s["thread_id"] == thread["id"] for s in stars),
                kind="guard",
            ),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return [*open_thread(params["subject"]), PressKey("s"), Submit()]


@register
class SearchAndTrash(Task):
    id = "mail.search-and-trash"
    instruction = "Find the email that mentions order number {order} and move it to the Trash."
    tags = ("search", "easy")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        return {
            "order": str(rng.randint(100000, 999999)),
            "subject": rng.choice(("Delivery question", "Shipping update", "Your order")),
            "sender_email": rng.choice(people(apps["mail"]))["email"],
            "minutes_ago": rng.randint(5, 6000),
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        add_thread(
            apps["mail"],
            params["subject"],
            params["sender_email"],
            f"Hello,\n\nOrder number {params['order']} has shipped and should arrive soon."
            "\n\nRegards",
            minutes_ago=params["minutes_ago"],
        )

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["mail"]
        target = store.scalar(
            "SELECT thread_id FROM messages WHERE body LIKE ?", (f"%{params['order']}%",)
        )
        trashed = {r["id"] for r in store.query("SELECT id FROM threads WHERE trashed = 1")}
        return [
            Checkpoint("the email is in Trash", target in trashed),
            Checkpoint("nothing else moved to Trash", trashed <= {target}, kind="guard"),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return [
            FillIn("searchbox", "Search mail", params["order"]),
            PressKey("Enter"),
            ClickOn("link", params["subject"]),
            ClickOn("button", "Delete"),
            Submit(),
        ]


@register
class ComposeToTwo(Task):
    id = "mail.compose-to-two"
    instruction = (
        "Write a new email to {a_name} and {b_name} with the subject “{subject}” and "
        "the message: {body}"
    )
    tags = ("compose", "autocomplete", "forms", "medium")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        a, b = rng.sample(people(apps["mail"]), 2)
        project = rng.choice(("Orion", "Maple", "Cobalt", "Aurora", "Summit", "Nova"))
        fields = {
            "p": project,
            "d": rng.choice(("Monday", "Wednesday", "Friday")),
            "r": f"{rng.choice('ABCD')}{rng.randint(1, 9)}",
        }
        return {
            "a_name": a["name"],
            "a_email": a["email"],
            "b_name": b["name"],
            "b_email": b["email"],
            "subject": rng.choice(NEW_SUBJECTS).format(**fields),
            "body": rng.choice(NEW_BODIES).format(**fields),
        }

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        mails = [m for m in sent(apps["mail"]) if norm(m["subject"]) == norm(params["subject"])]
        last = mails[-1] if mails else None
        want = {params["a_email"], params["b_email"]}
        return [
            Checkpoint("sent with the subject", last is not None),
            # Mail to the wrong set of people is a mistake, not partial credit.
            Checkpoint(
                "sent to exactly the two people",
                last is not None and addrs(last["to_addrs"]) | addrs(last["cc_addrs"]) == want,
                kind="guard",
            ),
            Checkpoint(
                "message has the requested text",
                last is not None and norm(params["body"]) in norm(last["body"]),
            ),
            Checkpoint("no other mail sent", len(sent(apps["mail"])) == len(mails), kind="guard"),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return [
            ClickOn("button", "Compose"),
            FillIn("combobox", "To", params["a_name"]),
            PressKey("Enter"),
            FillIn("combobox", "To", params["b_name"]),
            PressKey("Enter"),
            FillIn("textbox", "Subject", params["subject"]),
            FillIn("textbox", "Message body", params["body"]),
            ClickOn("button", "Send"),
            Submit(),
        ]
