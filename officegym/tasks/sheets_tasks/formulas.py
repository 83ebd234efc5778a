"""Sheets templates on formulas that decide and look up: VLOOKUP a price, IF a quantity is low.

Both evaluators recompute the user's formula on a changed copy of the sheet: a formula that
follows its inputs gives the new right value, a typed result or a formula over the wrong cells
does not.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from officegym.tasks._registry import register
from officegym.tasks._task import Apps, Checkpoint, PlanStep, Submit, norm
from officegym.tasks.apps.sheets import add_book, evaluate, number, parse_ref
from officegym.tasks.sheets_tasks._common import OrderListTask, cells, only, open_book, type_into


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
