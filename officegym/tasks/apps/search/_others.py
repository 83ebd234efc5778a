"""The public parts of the other apps in the episode's world, when they are in it (the server
hands every store of the world over in `scope["officegym.stores"]`): Code repositories' READMEs
and Network's profiles and open job posts. A query finds them by all of its words (anywhere in
their text, any case); each result links to its page in its own app."""

from __future__ import annotations

import re
from collections.abc import Mapping

from officegym.tasks.apps import Row, StateStore, app_url

# At most this many results from each other app, under the engine's own.
PER_APP = 3
_TOKEN = re.compile(r"\w+")


def _every_word(column: str, words: list[str]) -> str:
    # instr, not LIKE: a word may hold "_", which LIKE reads as a wildcard.
    return " AND ".join(f"instr(lower({column}), ?) > 0" for _ in words)


def _code(store: StateStore, words: list[str]) -> list[Row]:
    text = "r.owner || ' ' || r.name || ' ' || r.description || ' ' || f.content"
    rows = store.query(
        "SELECT r.owner, r.name, r.description FROM repos r JOIN files f ON f.repo_id = r.id "
        f"AND f.path = 'README.md' WHERE {_every_word(text, words)} ORDER BY r.id LIMIT ?",
        [*words, PER_APP],
    )
    return [
        {
            "app": "Code",
            "title": f"{r['owner']}/{r['name']}",
            "url": app_url("code", f"/{r['owner']}/{r['name']}"),
            "text": r["description"],
        }
        for r in rows
    ]


def _network(store: StateStore, words: list[str]) -> list[Row]:
    job_text = "title || ' ' || company || ' ' || location || ' ' || description"
    jobs = store.query(
        f"SELECT id, title, company, location FROM jobs WHERE closed = 0 AND "
        f"{_every_word(job_text, words)} ORDER BY id LIMIT ?",
        [*words, PER_APP],
    )
    person_text = "name || ' ' || title || ' ' || company || ' ' || location || ' ' || about"
    people = store.query(
        f"SELECT id, name, title, company FROM people WHERE {_every_word(person_text, words)} "
        "ORDER BY id LIMIT ?",
        [*words, PER_APP],
    )
    return [
        *(
            {
                "app": "Network jobs",
                "title": f"{j['title']} – {j['company']}",
                "url": app_url("network", f"/jobs/{j['id']}"),
                "text": j["location"],
            }
            for j in jobs
        ),
        *(
            {
                "app": "Network profiles",
                "title": p["name"],
                "url": app_url("network", f"/in/{p['id']}"),
                "text": f"{p['title']} at {p['company']}",
            }
            for p in people
        ),
    ]


def other_results(stores: Mapping[str, StateStore], query: str) -> list[Row]:
    """What Code and Network (those of them in `stores`) show the public for `query`."""
    words = _TOKEN.findall(query.lower())
    if not words:
        return []
    out: list[Row] = []
    if "code" in stores:
        out += _code(stores["code"], words)
    if "network" in stores:
        out += _network(stores["network"], words)
    return out
