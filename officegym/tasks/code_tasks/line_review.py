"""A code-host template with many steps of real work: review a pull request line by line, flag
every debug print it adds in two files, and request changes."""

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
    norm,
)
from officegym.tasks._registry import register
from officegym.tasks.apps import StateStore
from officegym.tasks.apps.code import ORG, REPOS, add_issue, repo_id
from officegym.tasks.apps.people import colleagues
from officegym.tasks.code_tasks.common import issue, only, open_issue

NOTE = "Please remove this debug output before merging."
SUMMARIES = (
    "Debug output left in; please clean it up.",
    "Looks good apart from the debug prints.",
    "Please drop the debug lines, then I will approve.",
)
# The functions a pull request adds: name, and a line of its body in Python and in TypeScript.
FUNCTIONS = (
    ("load_rows", "rows = list(rows)", "rows = [...rows];"),
    ("clean_rows", "rows = [r for r in rows if r]", "rows = rows.filter(Boolean);"),
    ("total_of", "total = sum(r.amount for r in rows)", "const total = rows.length;"),
    ("group_rows", "teams = {r.team for r in rows}", "const teams = new Set(rows);"),
    ("write_csv", "text = ','.join(map(str, rows))", "const text = rows.join(',');"),
    ("send_report", "sent = len(rows)", "const sent = rows.length;"),
    ("check_rows", "bad = [r for r in rows if not r]", "const bad = rows.filter((r) => !r);"),
    ("merge_rows", "rows = rows + rows[:1]", "rows = rows.concat(rows.slice(0, 1));"),
    ("sort_rows", "rows = sorted(rows)", "rows = [...rows].sort();"),
    ("count_rows", "count = len(rows)", "const count = rows.length;"),
)
OLD_PRINT = "done"  # what the module's old main prints: a print the pull request does not add


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w.capitalize() for w in rest)


def _source(python: bool, module: str, funcs: list[tuple[int, bool]]) -> tuple[str, str]:
    """A module before and after the pull request: the pull request adds the functions
    `funcs` (an index into FUNCTIONS, and whether it has a debug print; each has a log line)
    below an old `main` that prints (so that print shows in the diff as an unchanged line)."""
    if python:
        head = [
            f'"""The {module} module."""',
            "",
            "import logging",
            "",
            "log = logging.getLogger()",
        ]
        head += ["", "", "def main() -> None:", f'    print("{module} {OLD_PRINT}")']
    else:
        head = [f"// The {module} module.", "import { log } from './log';", ""]
        head += ["export function main(): void {", f'  console.log("{module} {OLD_PRINT}");', "}"]
    added: list[str] = []
    for index, noisy in funcs:
        name, py, ts = FUNCTIONS[index]
        if python:
            added += ["", "", f"def {name}(rows: list) -> list:", f"    {py}"]
            added.append(f'    log.debug("{name} ran")')
            added += [f'    print("DEBUG {name}", rows)'] if noisy else []
            added.append("    return rows")
        else:
            fn = _camel(name)
            added += ["", f"export function {fn}(rows: any[]): any[] {{", f"  {ts}"]
            added.append(f'  log.debug("{fn} ran");')
            added += [f'  console.log("DEBUG {fn}", rows);'] if noisy else []
            added += ["  return rows;", "}"]
    return "\n".join(head) + "\n", "\n".join(head + added) + "\n"


@register
class ReviewDebugPrints(Task):
    """The pull request `title` adds functions to two modules; some of its new lines print debug
    output. A look-alike pull request by the same author (the decoy) does the same elsewhere."""

    id = "code.review-debug-prints"
    apps = ("code",)
    instruction = (
        "Review the pull request “{title}” in {org}/{repo}: comment “{note}” on every line it "
        "adds that calls {call}, in both files, and on no other line. Then submit a review that "
        "requests changes, with the summary “{summary}”."
    )
    tags = ("reading", "forms", "navigation", "long-horizon", "hard")
    max_steps = 90  # up to 31 plan steps; with pixels and keys, and a scroll per comment, ~70

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        store = apps["code"]
        repo = rng.choice(REPOS)[0]
        python = bool(
            store.scalar(
                "SELECT 1 FROM files WHERE repo_id = ? AND path = 'requirements.txt'",
                (repo_id(store, repo),),
            )
        )
        ext = "py" if python else "ts"
        noisy = rng.randint(6, 8)
        chosen = rng.sample(range(len(FUNCTIONS)), len(FUNCTIONS))
        flags = [True] * noisy + [False] * (len(chosen) - noisy)
        rng.shuffle(flags)
        funcs = list(zip(chosen, flags, strict=True))
        files = {}
        for path, part in ((f"src/report.{ext}", funcs[:5]), (f"src/export.{ext}", funcs[5:])):
            files[path] = _source(python, path.split("/")[1].split(".")[0], part)
        first, second = rng.sample(range(100, 999), 2)
        return {
            "org": ORG,
            "repo": repo,
            "call": "print(…)" if python else "console.log(…)",
            "author": rng.choice(sorted(p["handle"] for p in colleagues(store))),
            "title": f"Report export helpers (part {first})",
            "decoy": f"Report export helpers (part {second})",
            "files": files,
            "targets": _print_lines(files, python),
            "note": NOTE,
            "summary": rng.choice(SUMMARIES),
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        store, rid = apps["code"], repo_id(apps["code"], params["repo"])
        for key, minutes in (("decoy", 50), ("title", 40)):
            number = add_issue(
                store,
                rid,
                params[key],
                "New helpers for the report export.",
                params["author"],
                kind="pull",
                minutes_ago=minutes,
            )
            iid = store.scalar(
                "SELECT id FROM issues WHERE repo_id = ? AND number = ?", (rid, number)
            )
            # The decoy changes the same modules without the second one.
            files = list(params["files"].items())
            files = files if key == "title" else files[:1]
            with store.transaction() as db:
                db.executemany(
                    "INSERT INTO pull_files VALUES (?,?,?,?)",
                    [(iid, path, before, after) for path, (before, after) in files],
                )

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store: StateStore = apps["code"]
        pull = issue(store, params["repo"], params["title"])
        iid, number = (pull["id"], pull["number"]) if pull else (-1, -1)
        comments = store.query(
            "SELECT path, line, body FROM line_comments WHERE issue_id = ? ORDER BY id", (iid,)
        )
        where = sorted((c["path"], c["line"]) for c in comments)
        reviews = store.query("SELECT verdict, body FROM reviews WHERE issue_id = ?", (iid,))
        right = (
            pull is not None
            and pull["state"] == "open"
            and where == sorted(tuple(t) for t in params["targets"])
            and all(norm(c["body"]) == norm(params["note"]) for c in comments)
            and [r["verdict"] for r in reviews] == ["request_changes"]
            and norm(reviews[0]["body"]) == norm(params["summary"])
        )
        return [
            Checkpoint(
                "every added debug line has the comment, and changes are requested",
                right,
                detail=f"comments on {where}; reviews {reviews}"[:200],
            ),
            only(store, {("line-comment", number), ("review", number)}, params["repo"]),
        ]

    def review(
        self,
        params: Mapping[str, Any],
        lines: list[tuple[str, int]],
        verdict: str,
        key: str = "title",
    ) -> list[PlanStep]:
        steps: list[PlanStep] = [*open_issue(params["repo"], params[key], pulls=True)]
        for path, line in lines:
            steps += [
                ClickOn("button", f"Comment on {path} line {line}", exact=True),
                FillIn("textbox", "Line comment", params["note"]),
                ClickOn("button", "Add line comment"),
            ]
        return [
            *steps,
            FillIn("textbox", "Review summary", params["summary"]),
            ClickOn("radio", verdict, exact=True),
            ClickOn("button", "Submit review"),
            Submit(),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.review(params, [tuple(t) for t in params["targets"]], "Request changes")

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        targets = [tuple(t) for t in params["targets"]]
        path = targets[0][0]
        old_print = next(
            n
            for n, text in enumerate(params["files"][path][1].splitlines(), 1)
            if f'{OLD_PRINT}")' in text
        )
        return {
            "missed the last one": self.review(params, targets[:-1], "Request changes"),
            "the old print too": self.review(
                params, [*targets, (path, old_print)], "Request changes"
            ),
            "approved instead": self.review(params, targets, "Approve"),
        }


def _print_lines(files: Mapping[str, tuple[str, str]], python: bool) -> list[tuple[str, int]]:
    """The (path, line) of every debug print the pull request adds."""
    call = 'print("DEBUG' if python else 'console.log("DEBUG'
    return [
        (path, n)
        for path, (_, after) in files.items()
        for n, text in enumerate(after.splitlines(), 1)
        if text.strip().startswith(call)
    ]
