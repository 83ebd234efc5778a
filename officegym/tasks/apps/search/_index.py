"""Querying the index: ranked results (FTS5 bm25) with highlighted snippets, filters,
pagination, "did you mean" and the knowledge panel.

Highlighting never marks up data: FTS5 puts private-use marker characters around the matches,
the text is escaped, and only then are the markers turned into `<mark>`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

from officegym.tasks.apps import Row, StateStore
from officegym.tasks.apps.search._data import (
    KINDS,
    MARK_CLOSE,
    MARK_OPEN,
    SITES,
    day,
    page_url,
    words_of,
)

PER_PAGE = 10
# The time filter: key -> (label, days back from the frozen now).
TIMES = {"week": ("Past week", 7), "month": ("Past month", 30), "year": ("Past year", 365)}
SORTS = {"": "Relevance", "date": "Newest"}
# bm25 weights of the FTS columns (title, body): a word in the title counts for more.
_WEIGHTS = "8.0, 1.0"
_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True)
class Filters:
    """What narrows the results: `time` a key of TIMES, `kind` of KINDS, `site` of SITES, and
    `sort` a key of SORTS ('' for each: no filter, by relevance). Unknown values are ignored."""

    time: str = ""
    kind: str = ""
    site: str = ""
    sort: str = ""

    def where(self) -> tuple[str, list[Any]]:
        """The SQL conditions on pages `p` and their arguments."""
        sql, args = [], []
        if self.time in TIMES:
            # "Past week" is the last 7 days: today and the six before it.
            sql.append("p.published > ?")
            args.append(day(TIMES[self.time][1]))
        if self.kind in KINDS:
            sql.append("p.kind = ?")
            args.append(self.kind)
        if self.site in SITES:
            sql.append("p.site = ?")
            args.append(self.site)
        return "".join(f" AND {s}" for s in sql), args


@dataclass
class Results:
    """One page of results for a query."""

    query: str
    total: int = 0
    page: int = 1
    rows: list[Row] = field(default_factory=list)
    any_word: bool = False  # no page has every word: these have some of them
    suggestion: str = ""  # "did you mean" (a corrected query), or ''

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PER_PAGE))


def marked(text: str) -> Markup:
    """Escape text that FTS5 marked, then make its markers `<mark>` (and nothing else markup).

    >>> str(marked("a <b> \ue000match\ue001"))
    'a &lt;b&gt; <mark>match</mark>'
    """
    return Markup(str(escape(text)).replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>"))


def match_expression(query: str, any_word: bool = False) -> str:
    """An FTS5 query for what a person typed: every word quoted (no operator can slip in),
    all of them required, or with `any_word` any of them.

    >>> match_expression('travel "policy" OR x')
    '"travel" "policy" "or" "x"'
    """
    words = [f'"{w}"' for w in _TOKEN.findall(query.lower())]
    return (" OR " if any_word else " ").join(words)


def search(store: StateStore, query: str, filters: Filters = Filters(), page: int = 1) -> Results:
    """The results of `query` on result page `page` (PER_PAGE a page; a page past the last is
    the last), best first (bm25, then the page's id), or newest first with
    `filters.sort == "date"`."""
    out = Results(query=query, page=max(1, page))
    expression = match_expression(query)
    if not expression:
        return out
    where, args = filters.where()
    out.total = _count(store, expression, where, args)
    out.suggestion = suggestion(store, query, filters, out.total)
    if out.total == 0 and len(_TOKEN.findall(query)) > 1:
        expression, out.any_word = match_expression(query, any_word=True), True
        out.total = _count(store, expression, where, args)
    out.page = min(out.page, out.pages)
    order = (
        "p.published DESC, p.id" if filters.sort == "date" else f"bm25(pages_fts, {_WEIGHTS}), p.id"
    )
    rows = store.query(
        "SELECT p.id, p.site, p.path, p.kind, p.published, p.owner, "
        "highlight(pages_fts, 0, ?, ?) AS title_marked, "
        "snippet(pages_fts, 1, ?, ?, '…', 24) AS snippet_marked "
        f"FROM pages_fts JOIN pages p ON p.id = pages_fts.rowid WHERE pages_fts MATCH ?{where} "
        f"ORDER BY {order} LIMIT ? OFFSET ?",
        [
            MARK_OPEN,
            MARK_CLOSE,
            MARK_OPEN,
            MARK_CLOSE,
            expression,
            *args,
            PER_PAGE,
            (out.page - 1) * PER_PAGE,
        ],
    )
    for r in rows:
        r["url"] = page_url(r["site"], r["path"])
        r["title"] = marked(r.pop("title_marked"))
        r["snippet"] = marked(r.pop("snippet_marked"))
        r["kind_label"] = KINDS[r["kind"]]
    out.rows = rows
    return out


def _count(store: StateStore, expression: str, where: str, args: list[Any]) -> int:
    return int(
        store.scalar(
            "SELECT count(*) FROM pages_fts JOIN pages p ON p.id = pages_fts.rowid "
            f"WHERE pages_fts MATCH ?{where}",
            [expression, *args],
        )
        or 0
    )


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance with adjacent transpositions (optimal string alignment): a typo
    that swaps two letters is one edit.

    >>> edit_distance("travle", "travel"), edit_distance("polcy", "policy")
    (1, 1)
    """
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            best = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                best = min(best, prev2[j - 2] + 1)
            cur.append(best)
        prev2, prev = prev, cur
    return prev[-1]


def correction(store: StateStore, word: str) -> str | None:
    """The indexed word closest to `word` (one edit for short words, two for longer; the most
    common then the first in order on a tie), or None when `word` is known or nothing is close.

    Known means in the vocabulary or matched by the index itself: the index stems ("hotels"
    finds "hotel"), so a word the vocabulary lacks may still find pages."""
    if store.scalar("SELECT 1 FROM vocabulary WHERE word = ?", (word,)):
        return None
    if _count(store, match_expression(word), "", []):
        return None
    limit = 1 if len(word) <= 5 else 2
    near = store.query(
        "SELECT word, pages FROM vocabulary WHERE length(word) BETWEEN ? AND ?",
        (len(word) - limit, len(word) + limit),
    )
    scored = [(edit_distance(word, r["word"]), -r["pages"], r["word"]) for r in near]
    best = min((s for s in scored if s[0] <= limit), default=None)
    return best[2] if best else None


# A query that already finds pages gets a suggestion only if the corrected one finds this many
# times as many: a rare right word is not "corrected" into a common one.
MANY_MORE = 10


def suggestion(
    store: StateStore, query: str, filters: Filters = Filters(), total: int | None = None
) -> str:
    """ "Did you mean": the query with each unknown word replaced by its correction, when that
    finds more pages than the query itself (`total`, counted if not given; with results
    already, MANY_MORE times as many), else ''."""
    corrections: dict[str, str | None] = {}  # each distinct word corrected once

    def fix(match: re.Match[str]) -> str:
        word = match.group().lower()
        if word not in corrections:
            corrections[word] = correction(store, word) if words_of(word) == [word] else None
        return corrections[word] or match.group()

    fixed = _TOKEN.sub(fix, query.strip())
    if not any(corrections.values()):
        return ""
    where, args = filters.where()
    if total is None:
        total = _count(store, match_expression(query), where, args)
    better = _count(store, match_expression(fixed), where, args)
    return fixed if better >= max(1, total * MANY_MORE) else ""


def panel(store: StateStore, query: str) -> Row | None:
    """The knowledge panel for a query that names an entity (the longest name it holds), with
    its facts and link, or None."""
    said = " " + " ".join(_TOKEN.findall(query.lower())) + " "
    named = [
        e
        for e in store.query("SELECT * FROM entities ORDER BY id")
        if " " + " ".join(_TOKEN.findall(e["name"].lower())) + " " in said
    ]
    if not named:
        return None
    entity = max(named, key=lambda e: len(e["name"]))
    entity["facts"] = store.query(
        "SELECT label, value FROM entity_facts WHERE entity_id = ? ORDER BY pos", (entity["id"],)
    )
    entity["url"] = page_url(entity["site"], entity["path"]) if entity["site"] else ""
    return entity
