"""Network's schema, its seeded world of people, posts and jobs, and the helpers tasks use to
add to it."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from officegym.tasks.apps import FROZEN_NOW, StateStore
from officegym.tasks.apps.network import _names as N
from officegym.tasks.apps.people import ME, Person

SCHEMA = """
-- degree: 0 the user, 1 a connection, 2 a connection's connection, 3 further out.
-- open_messages: anyone may message them (recruiters), not only their connections.
CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL UNIQUE,
                     title TEXT NOT NULL, company TEXT NOT NULL, location TEXT NOT NULL,
                     degree INTEGER NOT NULL, about TEXT NOT NULL DEFAULT '',
                     recruiter INTEGER NOT NULL DEFAULT 0,
                     open_messages INTEGER NOT NULL DEFAULT 0);
-- end_year NULL: the current position.
CREATE TABLE experience (id INTEGER PRIMARY KEY, person_id INTEGER NOT NULL, title TEXT NOT NULL,
                         company TEXT NOT NULL, start_year INTEGER NOT NULL, end_year INTEGER,
                         description TEXT NOT NULL DEFAULT '');
CREATE TABLE education (id INTEGER PRIMARY KEY, person_id INTEGER NOT NULL, school TEXT NOT NULL,
                        degree TEXT NOT NULL, start_year INTEGER NOT NULL,
                        end_year INTEGER NOT NULL);
-- endorsed: whether the user endorses it; endorsements counts everyone's, the user's included.
CREATE TABLE skills (id INTEGER PRIMARY KEY, person_id INTEGER NOT NULL, name TEXT NOT NULL,
                     endorsements INTEGER NOT NULL DEFAULT 0, endorsed INTEGER NOT NULL DEFAULT 0);
-- direction: received | sent; status: pending | accepted | ignored | withdrawn.
CREATE TABLE invitations (id INTEGER PRIMARY KEY, person_id INTEGER NOT NULL,
                          direction TEXT NOT NULL, note TEXT NOT NULL DEFAULT '',
                          status TEXT NOT NULL DEFAULT 'pending', created TEXT NOT NULL);
CREATE TABLE threads (id INTEGER PRIMARY KEY, person_id INTEGER NOT NULL, updated TEXT NOT NULL,
                      unread INTEGER NOT NULL DEFAULT 0);
CREATE TABLE messages (id INTEGER PRIMARY KEY, thread_id INTEGER NOT NULL,
                       sender_id INTEGER NOT NULL, body TEXT NOT NULL, created TEXT NOT NULL);
-- repost_of: the post this one shares (its body is the user's thoughts, maybe '').
CREATE TABLE posts (id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL, body TEXT NOT NULL,
                    created TEXT NOT NULL, repost_of INTEGER);
CREATE TABLE reactions (post_id INTEGER NOT NULL, person_id INTEGER NOT NULL, kind TEXT NOT NULL,
                        PRIMARY KEY (post_id, person_id));
CREATE TABLE comments (id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL,
                       author_id INTEGER NOT NULL, body TEXT NOT NULL, created TEXT NOT NULL);
CREATE TABLE jobs (id INTEGER PRIMARY KEY, title TEXT NOT NULL, company TEXT NOT NULL,
                   location TEXT NOT NULL, description TEXT NOT NULL, posted TEXT NOT NULL,
                   closed INTEGER NOT NULL DEFAULT 0, recruiter_id INTEGER,
                   saved INTEGER NOT NULL DEFAULT 0);
-- resume_source: network (this app's documents) | drive (the Drive app's files).
CREATE TABLE applications (id INTEGER PRIMARY KEY, job_id INTEGER NOT NULL, email TEXT NOT NULL,
                           phone TEXT NOT NULL, resume_source TEXT NOT NULL,
                           resume_id INTEGER NOT NULL, resume_name TEXT NOT NULL,
                           created TEXT NOT NULL);
-- An application being filled in, one per job: the multi-step form's fields so far.
CREATE TABLE drafts (job_id INTEGER PRIMARY KEY, email TEXT NOT NULL DEFAULT '',
                     phone TEXT NOT NULL DEFAULT '', resume TEXT NOT NULL DEFAULT '');
-- The user's own résumés, offered when the Drive app is not in the world.
CREATE TABLE documents (id INTEGER PRIMARY KEY, name TEXT NOT NULL, mime TEXT NOT NULL,
                        uploaded TEXT NOT NULL);
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- Every change the user makes (kind: person, invitation, thread, post, job, skill, profile,
-- settings; ref: that row's id), for evaluators that must know nothing else was touched.
CREATE TABLE activity (id INTEGER PRIMARY KEY, verb TEXT NOT NULL, kind TEXT NOT NULL,
                       ref INTEGER NOT NULL, detail TEXT NOT NULL DEFAULT '');
"""
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# key -> (label, choices; a check box when None, default)
NOTIFICATION_SETTINGS: dict[str, tuple[str, tuple[str, ...] | None, str]] = {
    "email_messages": ("Email me about new messages", None, "on"),
    "email_invitations": ("Email me about invitations", None, "on"),
    "email_job_alerts": ("Email me about job alerts", None, "off"),
    "email_mentions": ("Email me when someone mentions me", None, "on"),
    "push_profile_views": ("Notify me when someone views my profile", None, "off"),
    "digest": ("Email digest", ("Daily", "Weekly", "Never"), "Weekly"),
    "job_alert_frequency": ("Job alert frequency", ("Instantly", "Daily", "Weekly"), "Daily"),
}
PROFILE_FORMS = {  # what -> (title, fields: (name, label, required))
    "experience": (
        "Add experience",
        (
            ("title", "Title", True),
            ("company", "Company", True),
            ("start_year", "Start year", True),
            ("end_year", "End year (empty if current)", False),
            ("description", "Description", False),
        ),
    ),
    "education": (
        "Add education",
        (
            ("school", "School", True),
            ("degree", "Degree", True),
            ("start_year", "Start year", True),
            ("end_year", "End year", True),
        ),
    ),
    "skills": ("Add skill", (("name", "Skill", True),)),
}
RESUMES = (
    "Alex Morgan - Resume 2026.pdf",
    "Alex Morgan - Resume (Operations).pdf",
    "Alex Morgan - CV (long).docx",
)
PAGE_SIZE = 10
# How far someone is from the user, as the pages say it (the `degree` column).
DEGREE_LABELS = {0: "You", 1: "1st", 2: "2nd", 3: "3rd+"}
ME_ID = 1  # the user is always the first person


def stamp(minutes_ago: int) -> str:
    """The time `minutes_ago` before the frozen now (negative: after it)."""
    return (datetime.fromisoformat(FROZEN_NOW) - timedelta(minutes=minutes_ago)).isoformat()


def email_of(name: str, company: str) -> str:
    """The address a person added without one gets: `first.last@company.test`."""
    domain = "".join(ch for ch in company.lower() if ch.isalnum())
    return f"{name.lower().replace(' ', '.')}@{domain}.test"


def add_person(
    store: StateStore,
    name: str,
    *,
    title: str,
    company: str,
    location: str = "Seattle, WA",
    degree: int = 2,
    recruiter: bool = False,
    open_messages: bool | None = None,
    email: str = "",
    about: str = "",
) -> int:
    """Insert a person (1st-degree: a connection); return their id. Recruiters accept messages
    from anyone unless `open_messages` says otherwise; the address defaults to name@company."""
    opened = recruiter if open_messages is None else open_messages
    return store.execute(
        "INSERT INTO people(name, email, title, company, location, degree, about, recruiter, "
        "open_messages) VALUES (?,?,?,?,?,?,?,?,?)",
        (
            name,
            email or email_of(name, company),
            title,
            company,
            location,
            degree,
            about,
            int(recruiter),
            int(opened),
        ),
    )


def find_person(store: StateStore, name: str) -> int | None:
    """The id of the first person with this name (or e-mail address), or None."""
    pid = store.scalar(
        "SELECT id FROM people WHERE name = ? OR email = ? ORDER BY id", (name, name)
    )
    return None if pid is None else int(pid)


def add_experience(
    store: StateStore,
    person_id: int,
    title: str,
    company: str,
    start_year: int,
    end_year: int | None = None,
    description: str = "",
) -> int:
    """Add a position to someone's profile (`end_year` None: their current one)."""
    return store.execute(
        "INSERT INTO experience(person_id, title, company, start_year, end_year, description) "
        "VALUES (?,?,?,?,?,?)",
        (person_id, title, company, start_year, end_year, description),
    )


def add_skill(store: StateStore, person_id: int, name: str, endorsements: int = 0) -> int:
    """Add a skill to someone's profile, with how many people endorse it."""
    return store.execute(
        "INSERT INTO skills(person_id, name, endorsements) VALUES (?,?,?)",
        (person_id, name, endorsements),
    )


def add_invitation(
    store: StateStore,
    person_id: int,
    *,
    direction: str = "received",
    note: str = "",
    minutes_ago: int = 60,
) -> int:
    """A pending invitation from (`received`) or to (`sent`) someone; return its id."""
    return store.execute(
        "INSERT INTO invitations(person_id, direction, note, created) VALUES (?,?,?,?)",
        (person_id, direction, note, stamp(minutes_ago)),
    )


def add_thread(
    store: StateStore,
    person_id: int,
    messages: Sequence[tuple[bool, str]],
    *,
    minutes_ago: int = 60,
    unread: bool = False,
) -> int:
    """A conversation with someone: `(from_me, text)` pairs, oldest first, a minute apart,
    the last `minutes_ago`; return the thread's id."""
    last = minutes_ago
    tid = store.execute(
        "INSERT INTO threads(person_id, updated, unread) VALUES (?,?,?)",
        (person_id, stamp(last), int(unread)),
    )
    for i, (from_me, text) in enumerate(messages):
        add_message(store, tid, ME_ID if from_me else person_id, text, last + len(messages) - 1 - i)
    return tid


def add_message(
    store: StateStore, thread_id: int, sender_id: int, body: str, minutes_ago: int = 0
) -> int:
    """A message in a thread (the thread moves up the list)."""
    mid = store.execute(
        "INSERT INTO messages(thread_id, sender_id, body, created) VALUES (?,?,?,?)",
        (thread_id, sender_id, body, stamp(minutes_ago)),
    )
    store.execute(
        "UPDATE threads SET updated = max(updated, ?) WHERE id = ?", (stamp(minutes_ago), thread_id)
    )
    return mid


def add_post(store: StateStore, author_id: int, body: str, minutes_ago: int = 60) -> int:
    """A post in the feed by someone; return its id."""
    return store.execute(
        "INSERT INTO posts(author_id, body, created) VALUES (?,?,?)",
        (author_id, body, stamp(minutes_ago)),
    )


def add_job(
    store: StateStore,
    title: str,
    company: str,
    *,
    location: str = "Seattle, WA",
    description: str = "",
    recruiter_id: int | None = None,
    closed: bool = False,
    minutes_ago: int = 600,
) -> int:
    """A job post; return its id. A closed one takes no applications."""
    return store.execute(
        "INSERT INTO jobs(title, company, location, description, posted, closed, recruiter_id) "
        "VALUES (?,?,?,?,?,?,?)",
        (
            title,
            company,
            location,
            description or f"{company} is looking for a {title} to join the team in {location}.",
            stamp(minutes_ago),
            int(closed),
            recruiter_id,
        ),
    )


def add_resume(store: StateStore, name: str, mime: str = PDF, minutes_ago: int = 9000) -> int:
    """A résumé among the user's own documents (offered when Drive is not in the world)."""
    return store.execute(
        "INSERT INTO documents(name, mime, uploaded) VALUES (?,?,?)",
        (name, mime, stamp(minutes_ago)),
    )


def activity(store: StateStore) -> list[dict[str, Any]]:
    """Every change the user made, oldest first."""
    return store.query("SELECT * FROM activity ORDER BY id")


def populate(store: StateStore, rng: random.Random, directory: Sequence[Person]) -> None:
    """About 150 people (the colleagues as connections, plus outside people of every degree),
    their profiles, invitations, conversations, a feed and job posts."""
    store.executescript(SCHEMA)
    add_person(
        store,
        ME.name,
        title=ME.title,
        company="Northwind Traders",
        degree=0,
        email=ME.email,
        about="Operations lead who likes tidy processes and short meetings.",
    )
    for p in directory:
        company = N.DOMAIN_COMPANIES[p.email.split("@")[1]]
        add_person(
            store,
            p.name,
            title=p.title,
            company=company,
            location=rng.choice(N.LOCATIONS[:3]),
            degree=1,
            email=p.email,
            recruiter=p.title == "Recruiter",
        )
    _outside_people(store, rng, {p.name for p in directory})
    _profiles(store, rng)
    _social(store, rng)
    _jobs(store, rng)
    with store.transaction() as db:
        db.executemany(
            "INSERT INTO settings VALUES (?,?)",
            [(k, default) for k, (_, _, default) in NOTIFICATION_SETTINGS.items()],
        )
    for i, name in enumerate(RESUMES):
        add_resume(store, name, DOCX if name.endswith(".docx") else PDF, 9000 + 1000 * i)


def _outside_people(store: StateStore, rng: random.Random, taken: set[str]) -> None:
    """124 people beyond the colleagues: some connections, most 2nd and 3rd degree, recruiters."""
    names = sorted(f"{f} {last}" for f in N.FIRST_NAMES for last in N.LAST_NAMES)
    chosen = [n for n in rng.sample(names, 140) if n not in taken][:124]
    for i, name in enumerate(chosen):
        recruiter = i % 10 == 0
        title = rng.choice(N.RECRUITER_TITLES if recruiter else N.OUTSIDE_TITLES)
        degree = 1 if i % 5 == 1 else (2 if i % 5 in (2, 3) else 3)
        add_person(
            store,
            name,
            title=title,
            company=rng.choice(N.COMPANIES[1:]),
            location=rng.choice(N.LOCATIONS),
            degree=degree,
            recruiter=recruiter,
        )


def _profiles(store: StateStore, rng: random.Random) -> None:
    people = store.query("SELECT id, title, company FROM people ORDER BY id")
    exp: list[tuple[int, str, str, int, int | None]] = []
    edu: list[tuple[int, str, str, int, int]] = []
    skills: list[tuple[int, str, int]] = []
    for p in people:
        start = rng.randint(2016, 2023)
        exp.append((p["id"], p["title"], p["company"], start, None))
        if rng.random() < 0.7:
            exp.append(
                (p["id"], rng.choice(N.OUTSIDE_TITLES), rng.choice(N.COMPANIES), start - 4, start)
            )
        school, degree = rng.choice(N.SCHOOLS)
        first = rng.randint(2004, 2012)
        edu.append((p["id"], school, degree, first, first + rng.choice((2, 4))))
        for skill in rng.sample(N.SKILLS, rng.randint(3, 5)):
            skills.append((p["id"], skill, rng.randint(0, 40)))
    with store.transaction() as db:
        db.executemany(
            "INSERT INTO experience(person_id, title, company, start_year, end_year) "
            "VALUES (?,?,?,?,?)",
            exp,
        )
        db.executemany(
            "INSERT INTO education(person_id, school, degree, start_year, end_year) "
            "VALUES (?,?,?,?,?)",
            edu,
        )
        db.executemany("INSERT INTO skills(person_id, name, endorsements) VALUES (?,?,?)", skills)


def fill(template: str, rng: random.Random, person: dict[str, Any]) -> str:
    """A seeded text from one of the name lists' templates."""
    return template.format(
        month=rng.choice(N.MONTHS),
        city=rng.choice(N.CITIES),
        project=rng.choice(N.PROJECTS),
        title=person["title"],
        company=person["company"],
    )


def _social(store: StateStore, rng: random.Random) -> None:
    """Invitations both ways, a few conversations, and a feed with reactions and comments."""
    by_degree = {
        d: store.query("SELECT * FROM people WHERE degree = ? ORDER BY id", (d,)) for d in (1, 2, 3)
    }
    for i, p in enumerate(rng.sample(by_degree[2] + by_degree[3], 9)):
        note = "I enjoyed your talk, would love to connect." if i % 3 == 0 else ""
        add_invitation(
            store,
            p["id"],
            direction="received" if i < 5 else "sent",
            note=note,
            minutes_ago=300 + 400 * i,
        )
    for i, p in enumerate(rng.sample(by_degree[1], 7)):
        opener = fill(rng.choice(N.MESSAGE_OPENERS), rng, p)
        turns = [(True, opener), (False, rng.choice(N.MESSAGE_REPLIES))]
        add_thread(store, p["id"], turns[: 1 + (i % 2)], minutes_ago=120 + 700 * i, unread=i < 2)
    authors = rng.sample(by_degree[1], 10)
    for i, p in enumerate(authors):
        _, text = rng.choice(N.POST_TOPICS)
        pid = add_post(store, p["id"], fill(text, rng, p), minutes_ago=200 + 500 * i)
        for q in rng.sample(by_degree[1], rng.randint(0, 4)):
            store.execute(
                "INSERT OR IGNORE INTO reactions VALUES (?,?,?)",
                (pid, q["id"], rng.choice(N.REACTIONS)),
            )
        if i % 3 == 0:
            q = rng.choice(by_degree[1])
            store.execute(
                "INSERT INTO comments(post_id, author_id, body, created) VALUES (?,?,?,?)",
                (pid, q["id"], "Congratulations, well deserved!", stamp(150 + 500 * i)),
            )


def _jobs(store: StateStore, rng: random.Random) -> None:
    recruiters = store.query("SELECT id, company FROM people WHERE recruiter = 1 ORDER BY id")
    for i in range(14):
        r = rng.choice(recruiters)
        add_job(
            store,
            rng.choice(N.JOB_TITLES),
            r["company"],
            location=rng.choice(N.LOCATIONS),
            recruiter_id=r["id"],
            closed=i % 7 == 6,
            minutes_ago=1000 + 1500 * i,
        )


def sent_messages(store: StateStore, person_id: int | None = None) -> list[dict[str, Any]]:
    """The messages the user sent in this episode (after the frozen now), to one person or to
    anyone, oldest first, each with the `person_id` of its conversation."""
    sql = (
        "SELECT m.*, t.person_id FROM messages m JOIN threads t ON t.id = m.thread_id "
        "WHERE m.sender_id = ? AND m.created > ?"
    )
    params: list[Any] = [ME_ID, FROZEN_NOW]
    if person_id is not None:
        sql += " AND t.person_id = ?"
        params.append(person_id)
    return store.query(sql + " ORDER BY m.created, m.id", params)
