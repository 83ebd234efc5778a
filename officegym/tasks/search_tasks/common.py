"""What the Search templates share: made-up names the corpus never has, the plan of a search
that opens a result, and the checks of an answer."""

from __future__ import annotations

import random
import re
from typing import Any

from officegym.tasks import Checkpoint, ClickOn, FillIn, PlanStep, PressKey, norm, numbers_in
from officegym.tasks.apps import StateStore

# Project code names no generated page holds: a planted page about one is the only match.
CODENAMES = (
    "Quillfeather",
    "Marrowind",
    "Brackenfold",
    "Sundermere",
    "Tollcross",
    "Ashgrove",
    "Fennimore",
    "Ravelston",
    "Glimmerdale",
    "Hollowmere",
    "Corriebeck",
    "Wrenfield",
    "Duskwater",
    "Pembrook",
    "Thistlebay",
    "Carrowmore",
)


def codename(rng: random.Random) -> str:
    return rng.choice(CODENAMES)


def searched(query: str, *filters: str) -> list[PlanStep]:
    """Search for `query` and click the named filters (links: "Policies", "Past week", …)."""
    return [
        FillIn("searchbox", "Search", query),
        PressKey("Enter"),
        *(ClickOn("link", f, exact=True) for f in filters),
    ]


def find_and_open(query: str, title: str, *filters: str) -> list[PlanStep]:
    """Search for `query`, click the named filters, then open the result titled `title`."""
    return [*searched(query, *filters), ClickOn("link", title, exact=True)]


def nothing_changed(store: StateStore) -> Checkpoint:
    """Guard: the episode changed nothing (reading tasks)."""
    rows = store.query("SELECT * FROM activity ORDER BY id")
    return Checkpoint("nothing changed", not rows, "guard", detail=str(rows)[:200])


# A number as an answer writes it, with an optional "k" for thousands ("$85k").
_AMOUNT = re.compile(r"(?<![\d.])(\d[\d,]*(?:\.\d+)?)(\s?[kK]\b)?")


def amounts_in(text: str | None) -> list[float]:
    """Every number in `text` as `numbers_in` reads it, "85k" being 85000.

    >>> amounts_in("$85k–$110K, or 1,250")
    [85000.0, 110000.0, 1250.0]
    """
    return [float(n.replace(",", "")) * (1000 if k else 1) for n, k in _AMOUNT.findall(text or "")]


def says_number(answer: str | None, n: float) -> bool:
    """Whether the answer gives the number `n` ("$1,250", "1250 dollars", "$1.25k")."""
    return n in amounts_in(answer)


def only_numbers(
    answer: str | None, allowed: list[float], question: str, name: str = "no other number"
) -> Checkpoint:
    """Guard: every number of the answer that the question does not hold is one of `allowed`
    (a hedge, "$450 (or possibly $455)", gives two answers)."""
    asked = set(numbers_in(question)) | set(amounts_in(question))
    stray = [n for n in amounts_in(answer) if n not in allowed and n not in asked]
    return Checkpoint(name, not stray, "guard", detail=str(stray))


def avoids_numbers(answer: str | None, wrong: list[float], name: str) -> Checkpoint:
    """Guard: the answer gives none of the look-alike pages' numbers."""
    said = [n for n in wrong if says_number(answer, n)]
    return Checkpoint(name, not said, "guard", detail=str(said))


def distinct(rng: random.Random, draw: Any, count: int) -> list[Any]:
    """`count` different values of `draw(rng)`."""
    out: list[Any] = []
    while len(out) < count:
        value = draw(rng)
        if value not in out:
            out.append(value)
    return out


def gives_reason(answer: str | None, reasons: list[str]) -> bool:
    """Whether the answer (normalized: lower case, single spaces) matches one of the regular
    expressions `reasons`: why the thing asked for is not there, not just "there is no …"."""
    said = norm(answer).replace("\u2019", "'")
    return any(re.search(r, said) for r in reasons)


# Words a right answer about a missing thing may share with the look-alike's text.
_PLAIN_WORDS = frozenset(
    [
        "mobile",
        "release",
        "notes",
        "version",
        "latest",
        "there",
        "this",
        "that",
        "with",
        "from",
        "have",
        "does",
        "exist",
        "found",
        "your",
        "find",
        "only",
        "what",
        "which",
        "changes",
        "changed",
        "policy",
        "page",
        "intranet",
        "help",
        "center",
    ]
)


def repeats_decoy(answer: str | None, sentences: list[str], names: list[str]) -> list[str]:
    """The look-alike's sentences the answer repeats: two or more of a sentence's words of four
    letters or more (besides `names` and plain words) in the answer."""
    said = set(re.findall(r"[a-z]{4,}", norm(answer)))
    plain = _PLAIN_WORDS | {w for n in names for w in re.findall(r"[a-z]{4,}", n.lower())}
    return [
        s for s in sentences if len((set(re.findall(r"[a-z]{4,}", s.lower())) - plain) & said) >= 2
    ]
