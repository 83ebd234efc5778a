"""Chat's schema and its seeded workspace: channels, history, threads, reactions, DMs."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from officegym.tasks.apps import FROZEN_NOW, StateStore
from officegym.tasks.apps.people import ME, Person

SCHEMA = """
CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL UNIQUE,
                     handle TEXT NOT NULL UNIQUE, title TEXT NOT NULL DEFAULT '');
CREATE TABLE channels (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
                       topic TEXT NOT NULL DEFAULT '', private INTEGER NOT NULL DEFAULT 0,
                       joined INTEGER NOT NULL DEFAULT 0, created_by TEXT NOT NULL DEFAULT '');
-- A message is in a channel (channel_id) or in the direct conversation with `dm` (a handle);
-- a thread reply names its parent.
CREATE TABLE messages (id INTEGER PRIMARY KEY, channel_id INTEGER, dm TEXT, author TEXT NOT NULL,
                       text TEXT NOT NULL, ts TEXT NOT NULL, parent_id INTEGER,
                       pinned INTEGER NOT NULL DEFAULT 0, edited INTEGER NOT NULL DEFAULT 0);
CREATE TABLE reactions (message_id INTEGER NOT NULL, handle TEXT NOT NULL, emoji TEXT NOT NULL,
                        PRIMARY KEY (message_id, handle, emoji));
-- A picture shared with a message: its file name (the image's alt text) and a data: URL.
CREATE TABLE attachments (message_id INTEGER PRIMARY KEY, name TEXT NOT NULL, url TEXT NOT NULL);
CREATE INDEX messages_channel ON messages(channel_id, parent_id);
-- What the user has read: each conversation ("c:NAME" or "dm:HANDLE") up to a message time.
CREATE TABLE reads (conversation TEXT PRIMARY KEY, last_read TEXT NOT NULL);
-- Every change the user makes, in order (opening a conversation is no change: see reads).
-- `verb` is one of ACTIVITY_VERBS; `conversation` is "c:NAME" or "dm:HANDLE"; `detail` is the
-- posted or new text, the emoji or the topic.
CREATE TABLE activity (id INTEGER PRIMARY KEY, verb TEXT NOT NULL, conversation TEXT NOT NULL,
                       message_id INTEGER, detail TEXT NOT NULL DEFAULT '');
"""
ACTIVITY_VERBS = (
    "post",
    "reply",
    "edit",
    "delete",
    "pin",
    "unpin",
    "react",
    "unreact",
    "join",
    "leave",
    "create_channel",
    "topic",
)
# How many of a conversation's newest messages from others start unread, by its place among
# the conversations: some are caught up, some not (no draw from the seed's generator, so the
# rest of the workspace is the same as without unread state).
UNREAD_PATTERN = (0, 2, 0, 1, 3, 0, 1)
# (name, topic, the user is a member)
CHANNELS = (
    ("general", "Company-wide announcements and questions", True),
    ("engineering", "Builds, releases and incidents", True),
    ("sales", "Deals, pipeline and customer news", True),
    ("design", "Mockups, reviews and the design system", True),
    ("random", "Anything that is not work", True),
    ("marketing", "Campaigns and launches", False),
    ("ops", "Facilities, IT and travel", False),
    ("support", "Customer tickets and escalations", False),
)
# emoji code -> (glyph, name); glyphs the system font draws
EMOJI = {
    "check": ("✓", "Check mark"),
    "heart": ("♥", "Heart"),
    "star": ("★", "Star"),
    "smile": ("☺", "Smiley"),
    "sun": ("☀", "Sunshine"),
    "flag": ("⚑", "Flag"),
}
LINES = {
    "general": (
        "Reminder: the all-hands is on {day} at {hour}.",
        "The office will be closed on {day} for maintenance.",
        "Welcome to the team, {name}!",
        "Lunch is on the company this {day}, sign up by noon.",
    ),
    "engineering": (
        "Release {version} is out, changelog in the wiki.",
        "CI is red on main, looking into it.",
        "The {project} migration is done, {count} services moved.",
        "Code freeze for {version} starts {day}.",
    ),
    "sales": (
        "Closed the {company} renewal, {amount} for two years.",
        "{company} wants a demo on {day}, who can take it?",
        "Pipeline review moved to {day} at {hour}.",
    ),
    "design": (
        "New mockups for {project} are up for review.",
        "The icon set has {count} new icons.",
        "Design critique on {day} at {hour}, bring one screen each.",
    ),
    "random": (
        "Anyone up for a coffee run?",
        "The kitchen has fresh {fruit} today.",
        "Photos from the {city} offsite are in the shared drive.",
    ),
    "marketing": ("The {project} launch post goes live {day}.",),
    "ops": ("New laptops arrive {day}; tickets for setup please.",),
    "support": ("Ticket #{count}42 escalated by {company}.",),
}
DMS = (
    "Do you have a minute to talk about {project}?",
    "Thanks for the notes from {day}!",
    "Can you send me the {company} contract?",
    "I moved our 1:1 to {day}.",
)
FIELDS = {
    "day": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"),
    "hour": ("9:30", "11:00", "14:00", "16:30"),
    "version": ("4.2", "4.3", "5.0", "5.1"),
    "project": ("Atlas", "Beacon", "Comet", "Delta", "Harbor", "Juniper"),
    "company": ("Contoso", "Fabrikam", "Tailspin", "Litware", "Adatum"),
    "amount": ("$48,000", "$120,000", "$9,500", "$67,250"),
    "fruit": ("apples", "pears", "oranges"),
    "city": ("Lisbon", "Oslo", "Kyoto", "Prague"),
    "count": ("3", "7", "12", "25"),
}


def ts_minus(minutes: int) -> str:
    return (datetime.fromisoformat(FROZEN_NOW) - timedelta(minutes=minutes)).isoformat()


def fill(rng: random.Random, template: str, people: Sequence[Person]) -> str:
    values = {k: rng.choice(v) for k, v in FIELDS.items()}
    return template.format(name=rng.choice(people).first, **values)


def channel_id(store: StateStore, name: str) -> int:
    cid = store.scalar("SELECT id FROM channels WHERE name = ?", (name,))
    if cid is None:
        raise KeyError(f"no channel #{name}")
    return int(cid)


def add_message(
    store: StateStore,
    author: str,
    text: str,
    *,
    minutes_ago: int,
    channel: str | None = None,
    dm: str | None = None,
    parent_id: int | None = None,
    attachment: tuple[str, str] | None = None,
) -> int:
    """Insert a message (in `channel`, or in the DM with handle `dm`), with a picture when
    `attachment` is (file name, data: URL); return its id."""
    cid = channel_id(store, channel) if channel else None
    mid = store.execute(
        "INSERT INTO messages(channel_id, dm, author, text, ts, parent_id) VALUES (?,?,?,?,?,?)",
        (cid, dm, author, text, ts_minus(minutes_ago), parent_id),
    )
    if attachment:
        store.execute("INSERT INTO attachments VALUES (?,?,?)", (mid, *attachment))
    return mid


def log_activity(
    db: sqlite3.Connection,
    verb: str,
    conversation: str,
    message_id: int | None = None,
    detail: str = "",
) -> None:
    """Record one change of the user's, inside the transaction that makes it."""
    if verb not in ACTIVITY_VERBS:
        raise ValueError(f"unknown chat activity {verb!r}")
    db.execute(
        "INSERT INTO activity(verb, conversation, message_id, detail) VALUES (?,?,?,?)",
        (verb, conversation, message_id, detail),
    )


def conversation_of(db: sqlite3.Connection, message_id: int | str) -> str | None:
    """The conversation a message is in ("c:NAME" or "dm:HANDLE"), or None when there is no
    such message."""
    row = db.execute(
        "SELECT c.name, m.dm FROM messages m LEFT JOIN channels c ON c.id = m.channel_id "
        "WHERE m.id = ?",
        (message_id,),
    ).fetchone()
    if row is None:
        return None
    return f"c:{row[0]}" if row[0] is not None else f"dm:{row[1]}"


def populate(store: StateStore, rng: random.Random, directory: Sequence[Person]) -> None:
    """The workspace: everyone in the directory, 8 channels with history, threads, reactions and
    a few direct conversations."""
    store.executescript(SCHEMA)
    people = list(directory)
    with store.transaction() as db:
        db.executemany(
            "INSERT INTO people(name, email, handle, title) VALUES (?,?,?,?)",
            [(p.name, p.email, p.handle, p.title) for p in (ME, *people)],
        )
        db.executemany(
            "INSERT INTO channels(name, topic, joined, created_by) VALUES (?,?,?,?)",
            [(n, t, int(j), people[0].handle) for n, t, j in CHANNELS],
        )
    for name, _, _ in CHANNELS:
        minutes = rng.randint(30, 300)
        for _ in range(rng.randint(5, 9) if name != "marketing" else 3):
            minutes += rng.randint(15, 500)
            author = rng.choice(people)
            mid = add_message(
                store,
                author.handle,
                fill(rng, rng.choice(LINES[name]), people),
                minutes_ago=minutes,
                channel=name,
            )
            if rng.random() < 0.25:  # a short thread under it
                for k in range(rng.randint(1, 3)):
                    add_message(
                        store,
                        rng.choice(people).handle,
                        rng.choice(("Thanks!", "On it.", "+1", "Sounds good.", "Will do.")),
                        minutes_ago=minutes - 5 * (k + 1),
                        channel=name,
                        parent_id=mid,
                    )
            for code in rng.sample(sorted(EMOJI), k=rng.choice((0, 0, 1, 2))):
                for who in rng.sample(people, k=rng.randint(1, 3)):
                    store.execute(
                        "INSERT OR IGNORE INTO reactions VALUES (?,?,?)", (mid, who.handle, code)
                    )
    for person in rng.sample(people, 4):
        minutes = rng.randint(60, 3000)
        for k in range(rng.randint(1, 3)):
            sender = person.handle if k % 2 == 0 else ME.handle
            text = fill(rng, rng.choice(DMS), people) if k % 2 == 0 else "Sure, will do."
            add_message(store, sender, text, minutes_ago=minutes - 7 * k, dm=person.handle)
    mark_initial_reads(store)


def conversation_messages(store: StateStore, conversation: str) -> list[dict[str, Any]]:
    """The top-level messages of a conversation ("c:NAME" or "dm:HANDLE"), oldest first."""
    kind, key = conversation.split(":", 1)
    if kind == "c":
        return store.query(
            "SELECT m.id, m.author, m.ts FROM messages m JOIN channels c ON c.id = m.channel_id "
            "WHERE c.name = ? AND m.parent_id IS NULL ORDER BY m.ts, m.id",
            (key,),
        )
    return store.query("SELECT id, author, ts FROM messages WHERE dm = ? ORDER BY ts, id", (key,))


def mark_initial_reads(store: StateStore) -> None:
    conversations = [f"c:{r['name']}" for r in store.query("SELECT name FROM channels ORDER BY id")]
    conversations += [
        f"dm:{r['dm']}"
        for r in store.query("SELECT DISTINCT dm FROM messages WHERE dm IS NOT NULL ORDER BY dm")
    ]
    for i, conversation in enumerate(conversations):
        theirs = [m for m in conversation_messages(store, conversation) if m["author"] != ME.handle]
        unread = UNREAD_PATTERN[i % len(UNREAD_PATTERN)]
        read_up_to = theirs[-unread - 1]["ts"] if len(theirs) > unread else ""
        store.execute("INSERT INTO reads VALUES (?, ?)", (conversation, read_up_to))


def unread_counts(store: StateStore) -> dict[str, int]:
    """Unread messages from others, by conversation (only those with any)."""
    rows = store.query(
        "SELECT 'c:' || c.name AS conversation, count(*) AS n FROM messages m "
        "JOIN channels c ON c.id = m.channel_id "
        "LEFT JOIN reads r ON r.conversation = 'c:' || c.name "
        "WHERE m.parent_id IS NULL AND m.author != ? AND m.ts > coalesce(r.last_read, '') "
        "GROUP BY c.name "
        "UNION ALL "
        "SELECT 'dm:' || m.dm, count(*) FROM messages m "
        "LEFT JOIN reads r ON r.conversation = 'dm:' || m.dm "
        "WHERE m.dm IS NOT NULL AND m.author != ? AND m.ts > coalesce(r.last_read, '') "
        "GROUP BY m.dm",
        (ME.handle, ME.handle),
    )
    return {r["conversation"]: r["n"] for r in rows}


def mark_read(store: StateStore, conversation: str) -> str:
    """The user opened the conversation: all of it is read. Returns the time read up to before,
    so the page can show where the new messages start."""
    before = store.scalar("SELECT last_read FROM reads WHERE conversation = ?", (conversation,))
    latest = store.scalar(
        "SELECT max(ts) FROM messages m LEFT JOIN channels c ON c.id = m.channel_id "
        "WHERE (? = 'c:' || c.name OR ? = 'dm:' || m.dm)",
        (conversation, conversation),
    )
    if latest and latest != before:
        store.execute(
            "INSERT INTO reads VALUES (?, ?) ON CONFLICT(conversation) DO UPDATE SET "
            "last_read = excluded.last_read",
            (conversation, latest),
        )
    return str(before or "")
