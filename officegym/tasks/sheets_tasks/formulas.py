"""Sheets templates on formulas and formats: VLOOKUP a price, IF a quantity is low, copy a
formula down the list, show prices as currency.

Both evaluators recompute the user's formula on a changed copy of the sheet: a formula that
follows its inputs gives the new right value, a typed result or a formula over the wrong cells
does not.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from typing import Any

from officegym.tasks import Apps, Checkpoint, ClickOn, PlanStep, PressKey, Submit, norm
from officegym.tasks._registry import register
from officegym.tasks.apps.sheets import FORMATS, add_book, evaluate, number, parse_ref
from officegym.tasks.sheets_tasks.common import (
    OrderListTask,
    cells,
    only,
    open_book,
    select,
    type_into,
)


def _result(raw: str, grid: Mapping[tuple[int, int], str]) -> object:
    """The formula's value on `grid`, or None when it is not a formula or cannot be computed."""
    if not raw.startswith("="):
        return None
    try:
        return evaluate(raw, grid.get)
    except (ValueError, RecursionError, OverflowError):
        return None


@register
class VlookupPrice(OrderListTask):
    """The Orders sheet has a lookup box: E1 "Look up", E2 an item. F2 must find its price."""

    id = "sheets.vlookup-price"
    instruction = (
        "In the spreadsheet “{book}”, put a formula in F2 that looks up the price of the item "
        "named in E2 in the list (use VLOOKUP), so it follows when E2 changes."
    )
    tags = ("formulas", "cells", "reading", "medium")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        params = super().sample_params(rng, apps)
        n = len(params["rows"]) - 1
        other = rng.choice([i for i in range(1, n + 1) if i != params["pick"]])
        return {**params, "other": other, "table": f"A2:C{n + 1}"}

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        rows = [list(r) for r in params["rows"]]
        rows[0] += ["", "Look up", "Price"]
        rows[1] += ["", params["item"]]
        add_book(apps["sheets"], params["book"], {"Orders": rows, "Archive": []})

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        grid = cells(apps["sheets"], params["book"])
        raw = grid.get(parse_ref("F2"), "")
        moved = {**grid, parse_ref("E2"): params["rows"][params["other"]][0]}
        price, other_price = (
            number(params["rows"][i][2]) for i in (params["pick"], params["other"])
        )
        return [
            # One checkpoint: a typed price shows the right number now, and must still score 0.
            Checkpoint(
                f"F2 shows the price of {params['item']} and follows E2",
                _result(raw, grid) == price
                and _result(raw, moved) == other_price
                and "VLOOKUP" in raw.upper(),
                detail=raw,
            ),
            only(apps["sheets"], {f"set:Orders!F2={raw}"}),
        ]

    def formula(self, params: Mapping[str, Any], column: int) -> list[PlanStep]:
        raw = f"=VLOOKUP(E2, {params['table']}, {column}, FALSE)"
        return [*open_book(params["book"]), *type_into("F2", raw), Submit()]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.formula(params, 3)

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        price = params["rows"][params["pick"]][2]
        return {
            "typed the price": [*open_book(params["book"]), *type_into("F2", price), Submit()],
            "the quantity column": self.formula(params, 2),
        }


@register
class FlagLowStock(OrderListTask):
    """D{row} must say Reorder when the item's quantity is below the threshold, else OK."""

    id = "sheets.if-formula"
    instruction = (
        "In the spreadsheet “{book}”, put a formula in {ref} that shows “Reorder” when the "
        "quantity of {item} is below {threshold} and “OK” otherwise."
    )
    tags = ("formulas", "cells", "medium")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        params = super().sample_params(rng, apps)
        qty = int(params["rows"][params["pick"]][1])
        threshold = qty + rng.choice((-1, 1)) * rng.randint(1, 5)
        return {**params, "ref": f"D{params['pick'] + 1}", "threshold": max(threshold, 1)}

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        grid = cells(apps["sheets"], params["book"])
        raw = grid.get(parse_ref(params["ref"]), "")
        qty_cell, t = (params["pick"], 1), params["threshold"]

        def says(quantity: int) -> bool:
            want = "Reorder" if quantity < t else "OK"
            got = _result(raw, {**grid, qty_cell: str(quantity)})
            return isinstance(got, str) and norm(got) == norm(want)

        now = int(params["rows"][params["pick"]][1])
        return [
            Checkpoint(
                f"{params['ref']} is right now and follows the quantity on both sides of {t}",
                all(says(q) for q in (now, t - 1, t, t + 1, 0)),
                detail=raw,
            ),
            only(apps["sheets"], {f"set:Orders!{params['ref']}={raw}"}),
        ]

    def formula(self, params: Mapping[str, Any], test: str) -> list[PlanStep]:
        qty = f"B{params['pick'] + 1}"
        raw = f'=IF({qty} {test} {params["threshold"]}, "Reorder", "OK")'
        return [*open_book(params["book"]), *type_into(params["ref"], raw), Submit()]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.formula(params, "<")

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        now = int(params["rows"][params["pick"]][1])
        typed = "Reorder" if now < params["threshold"] else "OK"
        return {
            "typed the word": [
                *open_book(params["book"]),
                *type_into(params["ref"], typed),
                Submit(),
            ],
            "at or below instead of below": self.formula(params, "<="),
        }


@register
class CopyFormulaDown(OrderListTask):
    """D1 is "Total" and D2 multiplies the first row's quantity by its price; the other rows have
    no total yet."""

    id = "sheets.copy-formula-down"
    instruction = (
        "In the spreadsheet “{book}”, copy the formula in D2 to the cells below it, D3 to "
        "D{last}, so every row of the list shows its total."
    )
    tags = ("formulas", "shortcuts", "cells", "medium")
    max_steps = 60  # a select and a paste per row: with pixels and keys, about 40 steps

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        params = super().sample_params(rng, apps)
        return {**params, "last": len(params["rows"])}

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        rows = [list(r) for r in params["rows"]]
        rows[0].append("Total")
        rows[1].append("=B2*C2")
        add_book(apps["sheets"], params["book"], {"Orders": rows, "Archive": []})

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        grid = cells(apps["sheets"], params["book"])

        def changed(col: int, how: Callable[[float], float]) -> dict[tuple[int, int], str]:
            out = dict(grid)
            for (r, c), v in grid.items():
                if c == col and r > 0 and (n := number(v)) is not None:
                    out[(r, c)] = f"{how(n):g}"
            return out

        # The right formula follows both its quantity and its price: typed totals, or a price
        # typed into the formula, do not.
        worlds = [
            (grid, 1.0, 0.0),
            (changed(1, lambda q: 2 * q), 2.0, 0.0),
            (changed(2, lambda p: p + 1), 1.0, 1.0),
        ]
        wrong = []
        for r in range(2, params["last"]):  # zero-based rows of D3 … D{last}
            qty, price = int(params["rows"][r][1]), number(params["rows"][r][2]) or 0.0
            raw = grid.get((r, 3), "")
            ok = True
            for world, q_times, p_plus in worlds:
                got = _result(raw, world)
                want = qty * q_times * (price + p_plus)
                ok = ok and isinstance(got, float) and abs(got - want) < 1e-6
            if not ok:
                wrong.append(f"D{r + 1}={raw!r}")
        allowed = {f"set:Orders!D{r + 1}={grid.get((r, 3), '')}" for r in range(2, params["last"])}
        return [
            Checkpoint(
                "every row totals its own quantity and price with a formula",
                not wrong,
                detail=", ".join(wrong)[:200],
            ),
            only(apps["sheets"], allowed),
        ]

    def paste_down(self, params: Mapping[str, Any], last: int) -> list[PlanStep]:
        steps = [*open_book(params["book"]), *select("D2"), PressKey("Control+c")]
        for r in range(3, last + 1):
            steps += [*select(f"D{r}"), PressKey("Control+v")]
        return [*steps, Submit()]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.paste_down(params, params["last"])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        typed = [*open_book(params["book"])]
        for r in range(3, params["last"] + 1):
            qty, price = int(params["rows"][r - 1][1]), number(params["rows"][r - 1][2]) or 0.0
            typed += type_into(f"D{r}", f"{qty * price:g}")
        return {
            "typed the totals": [*typed, Submit()],
            "only the next row": self.paste_down(params, 3),
        }


@register
class CurrencyFormat(OrderListTask):
    id = "sheets.currency-format"
    instruction = "In the spreadsheet “{book}”, show the Price column as currency."
    tags = ("dropdown", "cells", "easy")

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["sheets"]
        formats = {
            (r["name"], r["col"]): r["fmt"]
            for r in store.query(
                "SELECT s.name, f.col, f.fmt FROM formats f JOIN sheets s ON s.id = f.sheet_id "
                "JOIN books b ON b.id = s.book_id WHERE b.title = ?",
                (params["book"],),
            )
        }
        return [
            Checkpoint(
                "the Price column is currency",
                formats == {("Orders", 2): "currency"},
                detail=str(formats),
            ),
            Checkpoint(
                "the cells are unchanged", self.rows_now(apps, params) == params["rows"], "guard"
            ),
            only(store, {"format"}),
        ]

    def format(self, params: Mapping[str, Any], ref: str, fmt: str) -> list[PlanStep]:
        return [
            *open_book(params["book"]),
            *select(ref),
            ClickOn("button", "Format", exact=True),
            ClickOn("menuitem", FORMATS[fmt].split(" (")[0]),
            Submit(),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.format(params, "C2", "currency")

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "percent instead": self.format(params, "C2", "percent"),
            "the quantity column": self.format(params, "B3", "currency"),
        }
