"""Mail's schema and its seeded generator of realistic mailboxes.

Dates are ISO strings counted back from FROZEN_NOW, so the same seed gives the same bytes.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from officegym.tasks.apps import FROZEN_NOW, StateStore
from officegym.tasks.apps.people import ME, Person

SCHEMA = """
CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL UNIQUE,
                     title TEXT NOT NULL DEFAULT '');
CREATE TABLE threads (id INTEGER PRIMARY KEY, subject TEXT NOT NULL,
                      in_inbox INTEGER NOT NULL DEFAULT 1, trashed INTEGER NOT NULL DEFAULT 0,
                      starred INTEGER NOT NULL DEFAULT 0, unread INTEGER NOT NULL DEFAULT 1,
                      last_date TEXT NOT NULL);
CREATE TABLE messages (id INTEGER PRIMARY KEY,
                       thread_id INTEGER NOT NULL REFERENCES threads(id),
                       sender TEXT NOT NULL, to_addrs TEXT NOT NULL,
                       cc_addrs TEXT NOT NULL DEFAULT '',
                       date TEXT NOT NULL, body TEXT NOT NULL,
                       kind TEXT NOT NULL DEFAULT 'received',
                       subject TEXT NOT NULL DEFAULT '');
CREATE TABLE labels (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, color TEXT NOT NULL);
CREATE TABLE thread_labels (thread_id INTEGER NOT NULL, label_id INTEGER NOT NULL,
                            PRIMARY KEY (thread_id, label_id));
-- What the user did and how (click or shortcut), for evaluators that care about the way.
CREATE TABLE activity (id INTEGER PRIMARY KEY, verb TEXT NOT NULL, thread_id INTEGER,
                       via TEXT NOT NULL DEFAULT 'click',
                       detail TEXT NOT NULL DEFAULT '');
CREATE INDEX messages_thread ON messages(thread_id);
-- Account settings: the signature, and the password as a SHA-256 hex digest (never in clear).
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

LABELS = (
    ("Work", "#4a7dd8"),
    ("Finance", "#2f9e5b"),
    ("Travel", "#d88a1f"),
    ("Clients", "#a04ad8"),
    ("Personal", "#d84a6b"),
    ("Urgent", "#c92a2a"),
)

TOPICS = (
    (
        "Q{q} budget review",
        "Hi {to},\n\nThe Q{q} budget review is on {day}. Please bring the "
        "updated forecast; we are currently at ${amount:,} against plan.\n\nThanks,\n{frm}",
    ),
    (
        "Invoice #{num} from {company}",
        "Hello {to},\n\nPlease find invoice #{num} for ${amount:,}, "
        "due on {day}. Let me know if anything is unclear.\n\nBest regards,\n{frm}",
    ),
    (
        "Offsite planning",
        "Hi {to},\n\nFor the offsite we are looking at {city}. Could you confirm "
        "your dates by {day}? Room block is limited to {count} people.\n\n{frm}",
    ),
    (
        "Design review: {project}",
        "Hey {to},\n\nI've shared the latest mockups for {project}. The "
        "review is on {day} in room {room}.\n\nCheers,\n{frm}",
    ),
    (
        "Candidate interview schedule",
        "Hi {to},\n\nWe have {count} candidates for the {role} role. "
        "First interviews start {day}.\n\nThanks,\n{frm}",
    ),
    (
        "Contract renewal with {company}",
        "Hi {to},\n\nThe {company} contract expires on {day}. "
        "Their proposal is ${amount:,} for another year.\n\nRegards,\n{frm}",
    ),
    (
        "Flight confirmation to {city}",
        "Hi {to},\n\nYour flight to {city} is booked, confirmation "
        "code {code}. Departure {day}.\n\nSafe travels,\n{frm}",
    ),
    (
        "Weekly status: {project}",
        "Team,\n\nStatus for {project}: {count} tickets closed, release "
        "planned for {day}.\n\n{frm}",
    ),
    (
        "Lunch on {day}?",
        "Hi {to},\n\nAre you free for lunch on {day}? There's a new place near "
        "{city} Street.\n\n{frm}",
    ),
    (
        "Expense report reminder",
        "Hi {to},\n\nA reminder that expense reports for {month} are due "
        "{day}. Your open total is ${amount:,}.\n\nThanks,\n{frm}",
    ),
)
PROJECTS = ("Atlas", "Beacon", "Comet", "Delta", "Evergreen", "Falcon", "Harbor", "Juniper")
COMPANIES = ("Contoso", "Fabrikam", "Tailspin", "Litware", "Adatum", "Proseware")
CITIES = ("Lisbon", "Oslo", "Denver", "Kyoto", "Toronto", "Prague", "Austin", "Dublin")
ROLES = ("backend engineer", "product designer", "account manager", "data analyst")
MONTHS = ("January", "February", "March")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


def iso_minus(minutes: int) -> str:
    """FROZEN_NOW minus some minutes, as an ISO timestamp."""
    return (datetime.fromisoformat(FROZEN_NOW) - timedelta(minutes=minutes)).isoformat()


def topic_fields(rng: random.Random) -> dict[str, object]:
    """Random facts to fill a topic template."""
    return {
        "q": rng.randint(1, 4),
        "amount": rng.randrange(1200, 98000, 50),
        "num": rng.randint(10000, 99999),
        "company": rng.choice(COMPANIES),
        "day": rng.choice(DAYS),
        "city": rng.choice(CITIES),
        "count": rng.randint(3, 40),
        "project": rng.choice(PROJECTS),
        "room": f"{rng.choice('ABCD')}{rng.randint(1, 9)}",
        "role": rng.choice(ROLES),
        "code": "".join(rng.choices("ABCDEFGHJKLMNPQRSTUVWXYZ", k=6)),
        "month": rng.choice(MONTHS),
    }


def populate(store: StateStore, rng: random.Random, directory: Sequence[Person]) -> None:
    """Create the schema and a seeded mailbox: the world's contacts, 6 labels, ~30 threads."""
    store.executescript(SCHEMA)
    with store.transaction() as db:
        db.executemany(
            "INSERT INTO people(name, email, title) VALUES (?, ?, ?)",
            [(p.name, p.email, p.title) for p in (ME, *directory)],
        )
        db.executemany("INSERT INTO labels(name, color) VALUES (?, ?)", LABELS)
    people = store.query("SELECT name, email FROM people WHERE id > 1 ORDER BY id")
    minutes = 0
    for _ in range(30):
        minutes += rng.randint(20, 600)
        subject_t, body_t = rng.choice(TOPICS)
        fields = topic_fields(rng)
        sender = rng.choice(people)
        others = rng.sample([p for p in people if p is not sender], k=rng.choice((0, 0, 1, 2)))
        add_thread(
            store,
            subject_t.format(**fields),
            sender["email"],
            body_t.format(to=ME.first, frm=sender["name"].split()[0], **fields),
            minutes_ago=minutes,
            cc=[p["email"] for p in others],
            unread=rng.random() < 0.4,
            starred=rng.random() < 0.1,
            labels=rng.sample([n for n, _ in LABELS], k=rng.choice((0, 0, 1))),
        )


def add_thread(
    store: StateStore,
    subject: str,
    sender: str,
    body: str,
    *,
    minutes_ago: int,
    to: list[str] | None = None,
    cc: list[str] | None = None,
    unread: bool = True,
    starred: bool = False,
    labels: list[str] | None = None,
) -> int:
    """Insert a received thread with one message; return its id."""
    date = iso_minus(minutes_ago)
    with store.transaction() as db:
        tid = db.execute(
            "INSERT INTO threads(subject, unread, starred, last_date) VALUES (?,?,?,?)",
            (subject, int(unread), int(starred), date),
        ).lastrowid
        db.execute(
            "INSERT INTO messages(thread_id, sender, to_addrs, cc_addrs, date, body) "
            "VALUES (?,?,?,?,?,?)",
            (tid, sender, ", ".join(to or [ME.email]), ", ".join(cc or []), date, body),
        )
        for name in labels or []:
            db.execute(
                "INSERT INTO thread_labels SELECT ?, id FROM labels WHERE name = ?", (tid, name)
            )
    return int(tid or 0)


def add_reply(
    store: StateStore,
    thread_id: int,
    sender: str,
    body: str,
    *,
    minutes_ago: int,
    to: list[str] | None = None,
) -> None:
    """Append a received message to a thread and move the thread's date."""
    date = iso_minus(minutes_ago)
    with store.transaction() as db:
        db.execute(
            "INSERT INTO messages(thread_id, sender, to_addrs, date, body) VALUES (?,?,?,?,?)",
            (thread_id, sender, ", ".join(to or [ME.email]), date, body),
        )
        db.execute(
            "UPDATE threads SET last_date = max(last_date, ?) WHERE id = ?", (date, thread_id)
        )
