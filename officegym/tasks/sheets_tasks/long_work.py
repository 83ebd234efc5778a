"""Sheets templates with many steps of real work: fill a month's expense sheet from receipts and
total it, correct every price that differs from the supplier's list; and one that cannot be
done: sort by a column the sheet does not have."""

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
    PressKey,
    Submit,
    Task,
    mentions,
    norm,
    says_infeasible,
)
from officegym.tasks._registry import register
from officegym.tasks.apps import StateStore
from officegym.tasks.apps.sheets import ITEMS, add_book, evaluate, number
from officegym.tasks.sheets_tasks.common import (
    PROJECTS,
    OrderListTask,
    activity,
    cells,
    only,
    open_book,
    select,
    table,
    type_into,
)

MONTHS = ("March", "April", "May", "June", "July", "August", "September", "October")
RECEIPTS = (
    "Taxi to the airport", "Team lunch", "Hotel night", "Train ticket", "Conference fee",
    "Printer ink", "Client dinner", "Parking", "Workshop coffee", "Courier", "Office plants",
    "Phone charger",
)  # fmt: skip
CENTS = ("00", "25", "50", "90")


def _amount(rng: random.Random, low: int, high: int) -> str:
    return f"{rng.randint(low, high)}.{rng.choice(CENTS)}"


def _same_number(raw: str | None, wanted: str) -> bool:
    got, want = number(raw), number(wanted)
    return got is not None and want is not None and abs(got - want) < 1e-9


def _sets_only(store: StateStore, sheet: str, refs: set[str]) -> Checkpoint:
    """A guard: every change is a cell typed or pasted on `sheet`, into one of `refs`."""
    other = [
        a
        for a in activity(store)
        if a["verb"] != "set"
        or not a["detail"].startswith(f"{sheet}!")
        or a["detail"][len(sheet) + 1 :].split("=", 1)[0] not in refs
    ]
    return Checkpoint("nothing else changed", not other, "guard", detail=str(other)[:200])


def _value(raw: str, grid: Mapping[tuple[int, int], str]) -> object:
    """The formula's value on `grid`, or None when it is not a formula or cannot be computed."""
    if not raw.startswith("="):
        return None
    try:
        return evaluate(raw, grid.get)
    except (ValueError, RecursionError, OverflowError):
        return None


def _totals_amounts(raw: str, grid: Mapping[tuple[int, int], str], amounts: list[float]) -> bool:
    """Whether `raw` is a formula giving the sum of the amounts in C2:C7, and twice that when
    every amount doubles (a typed total, or a formula over other cells, does not follow)."""
    doubled = dict(grid)
    for r in range(1, 7):
        if (n := number(grid.get((r, 2)))) is not None:
            doubled[(r, 2)] = f"{2 * n:g}"
    for world, want in ((grid, sum(amounts)), (doubled, 2 * sum(amounts))):
        got = _value(raw, world)
        if not isinstance(got, float) or abs(got - want) > 1e-6:
            return False
    return True


def _fill_down(top: str, values: list[str]) -> list[PlanStep]:
    """Type `values` into `top` and the cells below it: after Enter the selection moves down."""
    steps = select(top)
    for value in values:
        steps += [FillIn("textbox", "Formula", value), PressKey("Enter")]
    return steps


@register
class FillExpenseSheet(Task):
    """The book has a filled-in sheet for last month (the decoy, first) and this month's sheet
    with six dates in column A; the receipts say what goes beside each date."""

    id = "sheets.fill-expense-sheet"
    apps = ("sheets",)
    instruction = (
        "In the spreadsheet “{book}”, fill in the sheet {month} from these receipts: "
        "{receipts}. Put each receipt's description in column B and its amount in column C, on "
        "the row of its date; then put a formula in C8 that adds up C2:C7."
    )
    tags = ("cells", "formulas", "reading", "long-horizon", "hard")
    max_steps = 90  # 35 plan steps; with pixels and keys every field is a click, Control+A, type

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        m = rng.randrange(1, len(MONTHS))
        month, last = MONTHS[m], MONTHS[m - 1]
        days = sorted(rng.sample(range(1, 29), 6))
        rows = [
            [f"{month[:3]} {d}", what, _amount(rng, 6, 420)]
            for d, what in zip(days, rng.sample(RECEIPTS, 6), strict=True)
        ]
        told = rng.sample(rows, 6)  # the receipts come in any order
        decoy = [
            [f"{last[:3]} {d}", what, _amount(rng, 6, 420)]
            for d, what in zip(
                sorted(rng.sample(range(1, 29), 6)), rng.sample(RECEIPTS, 6), strict=True
            )
        ]
        return {
            "book": f"{rng.choice(PROJECTS)} expenses {rng.randint(10, 99)}",
            "month": month,
            "last": last,
            "rows": rows,
            "decoy": decoy,
            "receipts": "; ".join(f"{what} on {date}, {amount}" for date, what, amount in told),
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        header = ["Date", "Description", "Amount"]
        filled = [header, *params["decoy"], ["Total", "", "=SUM(C2:C7)"]]
        empty = [header, *([r[0]] for r in params["rows"]), ["Total"]]
        add_book(apps["sheets"], params["book"], {params["last"]: filled, params["month"]: empty})

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["sheets"]
        grid = cells(store, params["book"], params["month"])
        wrong = []
        for r, (date, what, amount) in enumerate(params["rows"], 1):
            got = [grid.get((r, c), "") for c in range(3)]
            if got[0] != date or norm(got[1]) != norm(what) or not _same_number(got[2], amount):
                wrong.append(f"row {r + 1}: {got}")
        total = grid.get((7, 2), "")
        if not _totals_amounts(total, grid, [number(a) or 0.0 for _, _, a in params["rows"]]):
            wrong.append(f"C8: {total!r}")
        refs = {f"{col}{r}" for col in "BC" for r in range(2, 8)} | {"C8"}
        return [
            Checkpoint(
                f"the six receipts are on their rows of {params['month']} and C8 totals them",
                not wrong,
                detail="; ".join(wrong)[:200],
            ),
            _sets_only(store, params["month"], refs),
        ]

    def fill(
        self, params: Mapping[str, Any], rows: list[list[str]], total: str, switch: bool = True
    ) -> list[PlanStep]:
        tab = [ClickOn("link", params["month"], exact=True)] if switch else []
        return [
            *open_book(params["book"]),
            *tab,
            *_fill_down("B2", [r[1] for r in rows]),
            *_fill_down("C2", [r[2] for r in rows]),
            *type_into("C8", total),
            Submit(),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.fill(params, params["rows"], "=SUM(C2:C7)")

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        rows = params["rows"]
        swapped = [list(r) for r in rows]
        swapped[0][2], swapped[1][2] = rows[1][2], rows[0][2]
        total = f"{sum(number(r[2]) or 0.0 for r in rows):.2f}"
        return {
            "two amounts swapped": self.fill(params, swapped, "=SUM(C2:C7)"),
            "typed the total": self.fill(params, rows, total),
            "on last month's sheet": self.fill(params, rows, "=SUM(C2:C7)", switch=False),
        }


@register
class FixPrices(Task):
    """Sheet Prices (Item, Stock, Price; ten items) and sheet Supplier (Item, Price: nine of them,
    most with a new price, and one item the list does not have)."""

    id = "sheets.fix-prices"
    apps = ("sheets",)
    instruction = (
        "In the spreadsheet “{book}”, the sheet Supplier has the supplier's current prices. "
        "Correct every price on the sheet Prices that differs from the supplier's, and change "
        "nothing else."
    )
    tags = ("cells", "reading", "long-horizon", "hard")
    max_steps = 90  # up to 34 plan steps; with pixels and keys about 60

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        items = rng.sample(ITEMS, 11)
        listed, extra = items[:10], items[10]
        old = {i: _amount(rng, 2, 160) for i in listed}
        unlisted = rng.choice(listed)
        quoted = [i for i in listed if i != unlisted]
        changed = rng.sample(quoted, rng.randint(6, 8))
        new = {
            i: (f"{(number(old[i]) or 0.0) + rng.choice((-3, -1, 1, 2, 4, 7)) * 0.5 + 1:.2f}")
            if i in changed
            else old[i]
            for i in quoted
        }
        new[extra] = _amount(rng, 2, 160)
        rows = [["Item", "Stock", "Price"]] + [
            [i, str(s), old[i]] for i, s in zip(listed, rng.sample(range(1, 90), 10), strict=True)
        ]
        supplier = [["Item", "Price"]] + [[i, new[i]] for i in sorted(new)]
        return {
            "book": f"{rng.choice(PROJECTS)} price list {rng.randint(10, 99)}",
            "rows": rows,
            "supplier": supplier,
            "fixes": {i: new[i] for i in listed if i in changed},  # in the sheet's order
            "unlisted": unlisted,
            "extra": extra,
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        add_book(
            apps["sheets"],
            params["book"],
            {"Prices": params["rows"], "Supplier": params["supplier"]},
        )

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["sheets"]
        now = table(store, params["book"], "Prices")
        before = params["rows"]
        wanted = {**{r[0]: r[2] for r in before[1:]}, **params["fixes"]}
        wrong = [
            f"{r[0]}: {r[2]!r}"
            for r in now[1:]
            if len(r) > 2 and r[0] in wanted and not _same_number(r[2], wanted[r[0]])
        ]
        shape = [r[:2] for r in now] == [r[:2] for r in before] and all(len(r) <= 3 for r in now)
        rows = {f"C{n}" for n in range(2, len(before) + 1)}
        return [
            Checkpoint(
                "every price matches the supplier's", shape and not wrong, detail=", ".join(wrong)
            ),
            Checkpoint(
                "the items and their stock are as they were",
                shape,
                "guard",
                detail=str(now)[:200],
            ),
            _sets_only(store, "Prices", rows),
        ]

    def correct(self, params: Mapping[str, Any], typed: list[tuple[str, str]]) -> list[PlanStep]:
        steps = open_book(params["book"])
        for ref, price in typed:
            steps += type_into(ref, price)
        return [*steps, Submit()]

    def fixes(self, params: Mapping[str, Any]) -> list[tuple[str, str]]:
        """The cells to correct, top to bottom, and their prices."""
        row_of = {r[0]: n for n, r in enumerate(params["rows"][1:], 2)}
        return [(f"C{row_of[item]}", price) for item, price in params["fixes"].items()]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.correct(params, self.fixes(params))

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        fixes = self.fixes(params)
        (last_ref, last_price), extra_row = fixes[-1], len(params["rows"]) + 1
        return {
            "one price left": self.correct(params, fixes[:-1]),
            "the last one in the Stock column": self.correct(
                params, [*fixes[:-1], ("B" + last_ref[1:], last_price)]
            ),
            "added the supplier's extra item": self.correct(
                params, [*fixes, (f"A{extra_row}", params["extra"])]
            ),
        }


COLUMNS_NOT_THERE = ("Supplier", "Discount", "Due date", "Weight", "Category")


@register
class SortByMissingColumn(OrderListTask):
    """The sheet Orders has Item, Quantity and Price only; the Archive sheet (the decoy) does
    have the column asked for."""

    id = "sheets.sort-by-missing-column"
    instruction = (
        "Sort the list on the sheet Orders of the spreadsheet “{book}” by its {column} column, "
        "A to Z."
    )
    tags = ("menus", "reading", "answer", "infeasible", "medium")
    infeasible = True

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        params = super().sample_params(rng, apps)
        column = rng.choice(COLUMNS_NOT_THERE)
        archive = [[*params["rows"][0], column]] + [
            [*r, f"{column} {rng.randint(1, 9)}"] for r in params["rows"][1:4]
        ]
        return {**params, "column": column, "archive": archive}

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        add_book(
            apps["sheets"], params["book"], {"Orders": params["rows"], "Archive": params["archive"]}
        )

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        return [
            Checkpoint(
                f"answered that it cannot be done: Orders has no {params['column']} column",
                says_infeasible(answer) and mentions(answer, params["column"]),
                detail=f"answer {answer!r}",
            ),
            only(apps["sheets"], set()),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return [
            *open_book(params["book"]),
            Submit(
                f"I cannot: the sheet Orders has no {params['column']} column, only Item, "
                "Quantity and Price."
            ),
        ]

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        def sort(sheet: list[PlanStep], col: str, answer: str) -> list[PlanStep]:
            return [
                *open_book(params["book"]),
                *sheet,
                *select(f"{col}2"),
                ClickOn("button", "Data"),
                ClickOn("menuitem", "A → Z"),
                Submit(answer),
            ]

        column = params["column"]
        return {
            "sorted the Archive sheet": sort(
                [ClickOn("link", "Archive", exact=True)], "D", f"Sorted by {column}."
            ),
            "sorted by another column": sort(
                [], "A", f"There is no {column} column, so I sorted by Item instead."
            ),
            "cannot, without saying why": [*open_book(params["book"]), Submit("I cannot do that.")],
        }
