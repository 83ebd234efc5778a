"""The `distractor` perturbation's state (registered in `officegym.tasks.variants`): look-alike
items beside the one a task acts on — another conversation with a near-identical subject from
someone else, a chat message like the one to act on from another person, an event with a
near-identical title at another time, a document, spreadsheet or issue with a near-identical name.

Each look-alike is a copy of the task's own item (found by the task's parameter that names it)
with its name *twisted*: the first number in it changed (keeping its length and first digit), or,
for a name without one, a word put before its last word. So the target's name is never part of
the look-alike's, and the oracle, which finds an element whose name contains the target's, never
takes it; an agent that reads carelessly does. The look-alike goes where a list puts it first or
next to the target (newer, or earlier that day). It is new data the task's evaluation never
reads: every evaluation finds its items by their exact names (or the setup's own stamps), and its
guards count what the user changed, never how many items exist.

`DISTRACTED` says which templates take the variant and which look-alike; a template left out
says why in the comment beside its app's list.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from officegym.tasks._task import Apps, Task
from officegym.tasks.apps import FROZEN_NOW, StateStore
from officegym.tasks.apps.people import ME, colleagues

# The episode parameter a distracted episode carries: {"app", "target", "look_alike", "where"}.
DISTRACTOR_PARAM = "distractor"
# Put before a name's last word when it has no number to change ("Delivery question" ->
# "Delivery follow-up question"): a word a person skims over.
FILLER_WORDS = ("follow-up", "team", "revised", "new")
# A look-alike channel is the task's with one of these after a hyphen ("sales" -> "sales-team").
CHANNEL_SUFFIXES = ("team", "old", "2", "archive")
_NUMBER = re.compile(r"\d+")
# Chat's per-message buttons name the message by its first 50 characters (chat_tasks' plans).
CHAT_NAME_CHARS = 50


class Twister:
    """Makes look-alike texts: every distinct number gets one replacement, the same wherever it
    appears (so a subject quoted in a body is twisted as the subject is)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.numbers: dict[str, str] = {}

    def number(self, digits: str) -> str:
        if digits not in self.numbers:
            other = digits
            while other == digits:
                if len(digits) == 1:
                    other = str(self.rng.randrange(10))
                else:
                    tail = "".join(str(self.rng.randrange(10)) for _ in digits[1:])
                    other = digits[0] + tail
            self.numbers[digits] = other
        return self.numbers[digits]

    def name(
        self, name: str, within: int | None = None, avoid: frozenset[str] = frozenset()
    ) -> str:
        """`name` twisted: its first number changed, else a word put before its last word (or
        after its first, when `within` says only the first characters are read); never one of
        `avoid` (the task's other names, such as its own decoy)."""
        shown = name[:within] if within is not None else name
        for _ in range(100):
            twisted = self._twist(name, within)
            if shown not in twisted and twisted not in avoid:
                return twisted
            self.numbers.clear()
        raise ValueError(f"no look-alike of {name!r} apart from {sorted(avoid)}")

    def _twist(self, name: str, within: int | None) -> str:
        found = _NUMBER.search(name)
        if found and (within is None or found.end() <= within):
            return name[: found.start()] + self.number(found.group()) + name[found.end() :]
        words = name.split(" ")
        at = 1 if within is not None or len(words) < 2 else len(words) - 1
        words.insert(at, self.rng.choice(FILLER_WORDS))
        return " ".join(words)

    def text(self, text: str, name: str, twisted_name: str) -> str:
        """A body like `text`, with the look-alike's name for the target's and every number
        twisted."""
        held = "\0"  # the name, kept out of the numbers' twist (it is twisted already)
        twisted = _NUMBER.sub(lambda m: self.number(m.group()), text.replace(name, held))
        return twisted.replace(held, twisted_name)


def _someone_else(store: StateStore, rng: random.Random, *not_them: str) -> dict[str, Any]:
    """A colleague who is none of `not_them` (by e-mail or handle)."""
    people = [
        p
        for p in colleagues(store)
        if p["email"] not in not_them and p.get("handle", "") not in not_them
    ]
    return dict(rng.choice(people))


def _names(params: Mapping[str, Any]) -> frozenset[str]:
    """Every name among the task's parameters (its decoy's too): what a look-alike must not be."""
    names: set[str] = set()
    for value in params.values():
        values = value if isinstance(value, list | tuple) else [value]
        names.update(v for v in values if isinstance(v, str))
    return frozenset(names)


def _only_row(store: StateStore, sql: str, args: tuple[Any, ...]) -> dict[str, Any]:
    rows = store.query(sql, args)
    if not rows:
        raise ValueError(f"no target item for the look-alike: {sql} {args}")
    return dict(rows[0])


# ---- mail -------------------------------------------------------------------------------------
def mail_thread(apps: Apps, params: Mapping[str, Any], rng: random.Random) -> dict[str, Any]:
    """Another conversation with a near-identical subject from someone else, at the target's
    time: the inbox and a search list it just above the target."""
    store, name = apps["mail"], params["subject"]
    thread = _only_row(store, "SELECT * FROM threads WHERE subject = ?", (name,))
    message = _only_row(
        store, "SELECT * FROM messages WHERE thread_id = ? ORDER BY id", (thread["id"],)
    )
    twister = Twister(rng)
    look_alike = twister.name(name, avoid=_names(params))
    sender = _someone_else(store, rng, message["sender"])
    body = twister.text(message["body"], name, look_alike)
    with store.transaction() as db:
        tid = db.execute(
            "INSERT INTO threads(subject, unread, last_date) VALUES (?,1,?)",
            (look_alike, thread["last_date"]),
        ).lastrowid
        db.execute(
            "INSERT INTO messages(thread_id, sender, to_addrs, date, body) VALUES (?,?,?,?,?)",
            (tid, sender["email"], ME.email, message["date"], body),
        )
    return _said("mail", name, look_alike, f"a conversation from {sender['name']}")


# ---- chat -------------------------------------------------------------------------------------
def chat_message(apps: Apps, params: Mapping[str, Any], rng: random.Random) -> dict[str, Any]:
    """A message like the target (`target`) from another person, just before it in its channel."""
    store, name = apps["chat"], params["target"]
    message = _only_row(store, "SELECT * FROM messages WHERE text = ?", (name,))
    twister = Twister(rng)
    look_alike = twister.name(name, within=CHAT_NAME_CHARS, avoid=_names(params))
    author = _someone_else(store, rng, message["author"], ME.handle)
    ts = (datetime.fromisoformat(message["ts"]) - timedelta(minutes=5)).isoformat()
    store.execute(
        "INSERT INTO messages(channel_id, author, text, ts) VALUES (?,?,?,?)",
        (message["channel_id"], author["handle"], look_alike, ts),
    )
    return _said("chat", name, look_alike, f"a message from {author['name']} in the channel")


def chat_fact(apps: Apps, params: Mapping[str, Any], rng: random.Random) -> dict[str, Any]:
    """The fact the task asks about (`value`), said with another value by another person in
    another channel, later: a search lists it first."""
    store = apps["chat"]
    message = _only_row(
        store,
        "SELECT * FROM messages WHERE author = ? AND text LIKE ? ORDER BY id",
        (params["author"], f"%{params['value']}%"),
    )
    twister = Twister(rng)
    value = twister.name(params["value"], avoid=_names(params))
    look_alike = message["text"].replace(params["value"], value)
    author = _someone_else(store, rng, params["author"], params["other"], ME.handle)
    channels = store.query(
        "SELECT id, name FROM channels WHERE joined = 1 AND id != ? ORDER BY id",
        (message["channel_id"],),
    )
    channel = rng.choice(channels)
    ts = (datetime.fromisoformat(message["ts"]) + timedelta(minutes=10)).isoformat()
    store.execute(
        "INSERT INTO messages(channel_id, author, text, ts) VALUES (?,?,?,?)",
        (channel["id"], author["handle"], look_alike, ts),
    )
    where = f"a message from {author['name']} in #{channel['name']}"
    return _said("chat", message["text"], look_alike, where)


def chat_channel(apps: Apps, params: Mapping[str, Any], rng: random.Random) -> dict[str, Any]:
    """A channel the user is in with a name like the task's (`channel`): the sidebar, sorted by
    name, lists it right after."""
    store, name = apps["chat"], params["channel"]
    channel = _only_row(store, "SELECT * FROM channels WHERE name = ?", (name,))
    look_alike = f"{name}-{rng.choice(CHANNEL_SUFFIXES)}"
    store.execute(
        "INSERT INTO channels(name, topic, joined, created_by) VALUES (?,?,1,?)",
        (look_alike, channel["topic"], channel["created_by"]),
    )
    return _said("chat", name, look_alike, "a channel listed after it")


# ---- calendar ---------------------------------------------------------------------------------
def _clear_start(day: str, busy: list[tuple[str, str]]) -> str:
    """A half-hour start on `day` between 9:00 and 16:30 that overlaps no `busy` span, earlier
    ones first (the week view shows it above the target)."""
    starts = [f"{day}T{h:02d}:{m:02d}" for h in range(9, 17) for m in (0, 30)]
    for start in starts:
        end = (datetime.fromisoformat(start) + timedelta(minutes=30)).isoformat(timespec="minutes")
        if all(end <= b or start >= e for b, e in busy):
            return start
    raise ValueError(f"no free half hour on {day}")


def calendar_event(apps: Apps, params: Mapping[str, Any], rng: random.Random) -> dict[str, Any]:
    """An event with a near-identical title (`title`) on the same day at another time: a copy
    of the target (an invitation stays one, from another organizer), or, for a task that
    creates the event, one on the day it goes."""
    store, name = apps["calendar"], params["title"]
    rows = store.query("SELECT * FROM events WHERE title = ? ORDER BY id", (name,))
    day = rows[0]["start"][:10] if rows else params["date"]
    busy = [(e["start"], e["end"]) for e in rows]
    if not rows:  # the span the task's new event will take
        start = datetime.strptime(f"{day} {params['start']}", "%Y-%m-%d %I:%M %p")
        end = start + timedelta(minutes=params["minutes"])
        busy.append((start.isoformat(timespec="minutes"), end.isoformat(timespec="minutes")))
    start_at = _clear_start(day, busy)
    look_alike = Twister(rng).name(name, avoid=_names(params))
    organizer = rows[0]["organizer"] if rows else ME.email
    if organizer != ME.email:
        organizer = _someone_else(store, rng, organizer)["email"]
    end_at = (datetime.fromisoformat(start_at) + timedelta(minutes=30)).isoformat(
        timespec="minutes"
    )
    with store.transaction() as db:
        eid = db.execute(
            "INSERT INTO events(title, start, end, organizer) VALUES (?,?,?,?)",
            (look_alike, start_at, end_at, organizer),
        ).lastrowid
        if organizer != ME.email:
            db.execute("INSERT INTO attendees VALUES (?,?,'needs-action')", (eid, ME.email))
    return _said("calendar", name, look_alike, f"an event at {start_at[11:]} the same day")


# ---- docs -------------------------------------------------------------------------------------
def docs_document(apps: Apps, params: Mapping[str, Any], rng: random.Random) -> dict[str, Any]:
    """A document with a near-identical title (`title`), edited a minute after the target: the
    list (newest first) shows it just above."""
    store, name = apps["docs"], params["title"]
    target = _only_row(store, "SELECT * FROM documents WHERE title = ? ORDER BY id", (name,))
    twister = Twister(rng)
    look_alike = twister.name(name, avoid=_names(params))
    body = twister.text(target["body"], name, look_alike)
    modified = (datetime.fromisoformat(target["modified"]) + timedelta(minutes=1)).isoformat()
    with store.transaction() as db:
        did = db.execute(
            "INSERT INTO documents(title, body, owner, created, modified) VALUES (?,?,?,?,?)",
            (look_alike, body, target["owner"], modified, modified),
        ).lastrowid
        db.execute(
            "INSERT INTO versions(doc_id, title, body, author, created) VALUES (?,?,?,?,?)",
            (did, look_alike, body, target["owner"], modified),
        )
    return _said("docs", name, look_alike, "a document edited a minute later")


# ---- sheets -----------------------------------------------------------------------------------
def sheets_book(apps: Apps, params: Mapping[str, Any], rng: random.Random) -> dict[str, Any]:
    """A spreadsheet with a near-identical title (`book`) and the same sheets and cells, listed
    next to the target."""
    store, name = apps["sheets"], params["book"]
    book = _only_row(store, "SELECT * FROM books WHERE title = ?", (name,))
    look_alike = Twister(rng).name(name, avoid=_names(params))
    with store.transaction() as db:
        bid = db.execute(
            "INSERT INTO books(title, owner) VALUES (?,?)", (look_alike, book["owner"])
        ).lastrowid
        for sheet in db.execute(
            "SELECT * FROM sheets WHERE book_id = ? ORDER BY position", (book["id"],)
        ).fetchall():
            sid = db.execute(
                "INSERT INTO sheets(book_id, name, position) VALUES (?,?,?)",
                (bid, sheet["name"], sheet["position"]),
            ).lastrowid
            db.execute(
                "INSERT INTO cells SELECT ?, row, col, raw FROM cells WHERE sheet_id = ? "
                "ORDER BY row, col",
                (sid, sheet["id"]),
            )
    return _said("sheets", name, look_alike, "a spreadsheet listed next to it")


# ---- code -------------------------------------------------------------------------------------
def code_issue(apps: Apps, params: Mapping[str, Any], rng: random.Random) -> dict[str, Any]:
    """An issue (or pull request) with a near-identical title (`title`) in the same repository,
    by someone else, the newest: the list shows it first. A pull request gets the target's
    changed files too."""
    store, name = apps["code"], params["title"]
    rid = store.scalar("SELECT id FROM repos WHERE name = ?", (params["repo"],))
    rows = store.query("SELECT * FROM issues WHERE repo_id = ? AND title = ?", (rid, name))
    # A task that opens the issue finds one like it already there.
    target = (
        rows[0]
        if rows
        else {"id": 0, "kind": "issue", "body": params.get("body", ""), "author": ME.handle}
    )
    twister = Twister(rng)
    look_alike = twister.name(name, avoid=_names(params))
    author = _someone_else(store, rng, target["author"], ME.handle)
    created = (datetime.fromisoformat(FROZEN_NOW) - timedelta(minutes=1)).isoformat()
    with store.transaction() as db:
        number = db.execute(
            "SELECT coalesce(max(number), 0) + 1 FROM issues WHERE repo_id = ?", (rid,)
        ).fetchone()[0]
        iid = db.execute(
            "INSERT INTO issues(repo_id, number, kind, title, body, author, created) "
            "VALUES (?,?,?,?,?,?,?)",
            (rid, number, target["kind"], look_alike, target["body"], author["handle"], created),
        ).lastrowid
        files = db.execute("SELECT * FROM pull_files WHERE issue_id = ?", (target["id"],))
        db.executemany(
            "INSERT INTO pull_files VALUES (?,?,?,?)",
            [(iid, *tuple(f)[1:]) for f in files.fetchall()],
        )
    return _said("code", name, look_alike, f"#{number} by {author['handle']}")


def _said(app: str, target: str, look_alike: str, where: str) -> dict[str, Any]:
    return {
        DISTRACTOR_PARAM: {"app": app, "target": target, "look_alike": look_alike, "where": where}
    }


LookAlike = Callable[[Apps, Mapping[str, Any], random.Random], dict[str, Any]]

# Which templates take the variant, and the look-alike each gets.
DISTRACTED: dict[str, LookAlike] = {
    # mail: every one-conversation task. Left out: compose-to-two (no conversation to look
    # like: it writes a new one) and clean-up-sender (it acts on every mail of one sender).
    **dict.fromkeys(
        (
            "mail.answer-from-thread",
            "mail.apply-label",
            "mail.forward-with-cc",
            "mail.reply-to-sender",
            "mail.search-and-trash",
            "mail.star-with-shortcut",
        ),
        mail_thread,
    ),
    # chat: a message like the one to act on, the fact asked about elsewhere, or a channel
    # named like the one to post in or leave. Left out: direct-message(-outsider) and
    # create-channel (look-alike people or channels would be autocomplete suggestions, and
    # the plan takes the first), unread-channels (a channel more changes the answer).
    **dict.fromkeys(
        (
            "chat.pin-message",
            "chat.react-with-emoji",
            "chat.reply-in-thread",
            "chat.edit-own-message",
        ),
        chat_message,
    ),
    "chat.answer-from-history": chat_fact,
    **dict.fromkeys(
        ("chat.post-in-channel", "chat.mention-teammate", "chat.leave-channel"), chat_channel
    ),
    # calendar: the user's meeting, an invitation, or the event a task creates. Left out:
    # find-free-slot (an event more changes the free slots asked for) and decline-day (it
    # acts on every invitation of a day).
    **dict.fromkeys(
        (
            "calendar.accept-invitation",
            "calendar.answer-start-time",
            "calendar.book-missing-room",
            "calendar.book-room",
            "calendar.create-event",
            "calendar.delete-one-of-two",
            "calendar.drag-create-event",
            "calendar.drag-to-another-day",
            "calendar.repeat-weekly",
            "calendar.reschedule-event",
            "calendar.schedule-in-their-time-zone",
            "calendar.schedule-with-guests",
            "calendar.time-in-another-zone",
        ),
        calendar_event,
    ),
    # docs: the document a task opens. Left out: trash-drafts (it acts on every draft) and
    # create-document (nothing to look like yet).
    **dict.fromkeys(
        (
            "docs.add-comment",
            "docs.answer-from-document",
            "docs.append-paragraph",
            "docs.bold-amount",
            "docs.find-and-replace",
            "docs.make-heading",
            "docs.rename-document",
            "docs.restore-version",
            "docs.share-document",
            "docs.share-with-outsider",
        ),
        docs_document,
    ),
    # sheets: every template opens its spreadsheet from the list.
    **dict.fromkeys(
        (
            "sheets.add-row",
            "sheets.copy-formula-down",
            "sheets.currency-format",
            "sheets.delete-row",
            "sheets.enter-value",
            "sheets.filter-by-status",
            "sheets.if-formula",
            "sheets.look-up-missing-price",
            "sheets.look-up-price",
            "sheets.rename-sheet",
            "sheets.sort-list",
            "sheets.sum-column",
            "sheets.update-quantity",
            "sheets.vlookup-price",
        ),
        sheets_book,
    ),
    # code: the issue or pull request a task handles, or one like the issue it opens. Left
    # out: close-labelled-issues (it acts on every issue with a label), answer-pinned-version
    # and star-repository (about a repository, which already has a look-alike twin).
    **dict.fromkeys(
        (
            "code.approve-pull-request",
            "code.assign-issue",
            "code.close-with-comment",
            "code.comment-on-line",
            "code.label-issue",
            "code.merge-pull-request",
            "code.open-issue",
            "code.set-milestone",
        ),
        code_issue,
    ),
    # cross-app: the item the task starts from, where its parameter has the app's name for it.
    # Left out: doc-to-sheet (its document is `doc`) and chat-to-issue (the message is made
    # from parts).
    **dict.fromkeys(
        ("cross.mail-link-to-doc", "cross.mail-to-calendar", "cross.mail-to-docs-share"),
        mail_thread,
    ),
    **dict.fromkeys(("cross.calendar-to-chat", "cross.chat-to-calendar"), calendar_event),
    "cross.issue-to-chat": code_issue,
    "cross.sheet-to-mail": sheets_book,
}


def distracted(task: Task) -> bool:
    """Whether the `distractor` variant applies: a template with a look-alike in `DISTRACTED`."""
    return task.id in DISTRACTED


def distractor_state(
    task: Task, apps: Apps, params: Mapping[str, Any], rng: random.Random
) -> dict[str, Any]:
    """The `distractor` variant's addition to a task's state: the template's look-alike, and
    the episode's `DISTRACTOR_PARAM` (what it looks like and where it is)."""
    return DISTRACTED[task.id](apps, params, rng)
