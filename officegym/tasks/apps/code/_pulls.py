"""A pull request's review: its files' diffs, comments on their lines, and reviews that approve,
request changes or comment."""

from __future__ import annotations

import difflib
from typing import Any

from officegym.tasks.apps import StateStore
from officegym.tasks.apps.people import ME

VERDICTS = {
    "approve": "Approve",
    "request_changes": "Request changes",
    "comment": "Comment",
}
SAID = {
    "approve": "approved these changes",
    "request_changes": "requested changes",
    "comment": "reviewed",
}
Row = dict[str, Any]


def diff_rows(before: str, after: str) -> list[Row]:
    """The unified diff of one file as rows: kind (add, del, ctx, hunk), the line's numbers in the
    old and new version, and its text. Every row of the new version can take a comment.

    >>> [(r["kind"], r["new"], r["text"]) for r in diff_rows("a\\nb\\n", "a\\nc\\n")][1:]
    [('ctx', 1, 'a'), ('del', None, 'b'), ('add', 2, 'c')]
    """
    rows: list[Row] = []
    old_lines, new_lines = before.splitlines(), after.splitlines()
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for group in matcher.get_grouped_opcodes(3):
        first, last = group[0], group[-1]
        rows.append(
            {
                "kind": "hunk",
                "old": None,
                "new": None,
                "text": f"@@ -{first[1] + 1},{last[2] - first[1]} "
                f"+{first[3] + 1},{last[4] - first[3]} @@",
            }
        )
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows += [
                    {"kind": "ctx", "old": i1 + k + 1, "new": j1 + k + 1, "text": old_lines[i1 + k]}
                    for k in range(i2 - i1)
                ]
                continue
            rows += [
                {"kind": "del", "old": i + 1, "new": None, "text": old_lines[i]}
                for i in range(i1, i2)
            ]
            rows += [
                {"kind": "add", "old": None, "new": j + 1, "text": new_lines[j]}
                for j in range(j1, j2)
            ]
    return rows


def files_changed(store: StateStore, issue_id: int, names: dict[str, str]) -> list[Row]:
    """Each changed file with its diff rows and, under each row, the comments on that line."""
    comments: dict[tuple[str, int], list[Row]] = {}
    for c in store.query("SELECT * FROM line_comments WHERE issue_id = ? ORDER BY id", (issue_id,)):
        c["name"] = names.get(c["author"], c["author"])
        comments.setdefault((c["path"], c["line"]), []).append(c)
    out = []
    for f in store.query("SELECT * FROM pull_files WHERE issue_id = ? ORDER BY path", (issue_id,)):
        rows = diff_rows(f["before"], f["after"])
        for r in rows:
            r["comments"] = comments.get((f["path"], r["new"]), []) if r["new"] else []
        added = sum(r["kind"] == "add" for r in rows)
        removed = sum(r["kind"] == "del" for r in rows)
        out.append({"path": f["path"], "rows": rows, "added": added, "removed": removed})
    return out


def reviews(store: StateStore, issue_id: int, names: dict[str, str]) -> list[Row]:
    rows = store.query("SELECT * FROM reviews WHERE issue_id = ? ORDER BY id", (issue_id,))
    for r in rows:
        r["name"], r["said"] = names.get(r["author"], r["author"]), SAID[r["verdict"]]
    return rows


def review(store: StateStore, issue_id: int, verdict: str, body: str, at: str) -> str | None:
    """Record the user's review; the reason it was refused, or None."""
    if verdict not in VERDICTS:
        return "Choose Approve, Request changes or Comment."
    if verdict != "approve" and not body:
        return "Say what should change: a review that is not an approval needs a comment."
    store.execute(
        "INSERT INTO reviews(issue_id, author, verdict, body, created) VALUES (?,?,?,?,?)",
        (issue_id, ME.handle, verdict, body, at),
    )
    return None


def comment_on_line(
    store: StateStore, issue_id: int, path: str, line: str, body: str, at: str
) -> str | None:
    """Record a comment on line `line` of `path` in the new version; the reason it was refused,
    or None."""
    after = store.scalar(
        "SELECT after FROM pull_files WHERE issue_id = ? AND path = ?", (issue_id, path)
    )
    if after is None or not line.isdecimal() or not 1 <= int(line) <= len(after.splitlines()):
        return "That line is not part of this pull request."
    if not body:
        return "A line comment needs some text."
    store.execute(
        "INSERT INTO line_comments(issue_id, path, line, author, body, created) "
        "VALUES (?,?,?,?,?,?)",
        (issue_id, path, int(line), ME.handle, body, at),
    )
    return None
