"""Sheets templates on cells: type a value, total a column with a formula, add a row, change a
quantity, look up a price (and one that is not there)."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any, ClassVar

from officegym.tasks import (
    Apps,
    Checkpoint,
    PlanStep,
    Submit,
    norm,
    says_infeasible,
)
from officegym.tasks._registry import register
from officegym.tasks.apps.sheets import evaluate, number, parse_ref
from officegym.tasks.sheets_tasks.common import (
    OrderListTask,
    cells,
    only,
    open_book,
    type_into,
)


@register
class EnterValue(OrderListTask):
    id = "sheets.enter-value"
    instruction = "In the spreadsheet “{book}”, type “{value}” into cell {ref} of the sheet Orders."
    tags = ("cells", "easy")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        params = super().sample_params(rng, apps)
        return {
            **params,
            "ref": f"D{params['pick'] + 1}",
            "value": rng.choice(("Reorder", "Checked", "On hold")),
        }

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        grid = cells(apps["sheets"], params["book"])
        got = grid.get(parse_ref(params["ref"]), "")
        return [
            Checkpoint(
                f"{params['ref']} is “{params['value']}”",
                norm(got) == norm(params["value"]),
                detail=got,
            ),
            only(apps["sheets"], {f"set:Orders!{params['ref']}={got}"}),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return [*open_book(params["book"]), *type_into(params["ref"], params["value"]), Submit()]

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        below = f"D{params['pick'] + 2}"
        return {
            "the cell below": [
                *open_book(params["book"]),
                *type_into(below, params["value"]),
                Submit(),
            ],
            "other text": [*open_book(params["book"]), *type_into(params["ref"], "Done"), Submit()],
        }


@register
class SumColumn(OrderListTask):
    id = "sheets.sum-column"
    instruction = (
        "In the spreadsheet “{book}”, put a formula in {ref} that adds up the quantities in "
        "{range}."
    )
    tags = ("formulas", "cells", "medium")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        params = super().sample_params(rng, apps)
        last = len(params["rows"])
        return {**params, "ref": f"B{last + 1}", "range": f"B2:B{last}"}

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        grid = cells(apps["sheets"], params["book"])
        raw = grid.get(parse_ref(params["ref"]), "")
        quantities = [int(r[1]) for r in params["rows"][1:]]
        # Doubling every quantity must double the result: a typed number, or a formula over
        # other cells, does not.
        doubled = {
            k: (str(2 * int(v)) if k[1] == 1 and k[0] > 0 and v.isdigit() else v)
            for k, v in grid.items()
        }
        try:
            right = (
                raw.startswith("=")
                and evaluate(raw, grid.get) == sum(quantities)
                and evaluate(raw, doubled.get) == 2 * sum(quantities)
            )
        except ValueError:
            right = False
        return [
            Checkpoint(
                f"{params['ref']} totals {params['range']} with a formula", right, detail=raw
            ),
            only(apps["sheets"], {f"set:Orders!{params['ref']}={raw}"}),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return [
            *open_book(params["book"]),
            *type_into(params["ref"], f"=SUM({params['range']})"),
            Submit(),
        ]

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        total = str(sum(int(r[1]) for r in params["rows"][1:]))
        short = params["range"][:-1] + str(int(params["range"][-1]) - 1)
        return {
            "typed the number": [
                *open_book(params["book"]),
                *type_into(params["ref"], total),
                Submit(),
            ],
            "one row short": [
                *open_book(params["book"]),
                *type_into(params["ref"], f"=SUM({short})"),
                Submit(),
            ],
        }


@register
class AddRow(OrderListTask):
    id = "sheets.add-row"
    instruction = (
        "Add {missing} at the bottom of the list in “{book}”: quantity {qty}, price {price}."
    )
    tags = ("cells", "forms", "medium")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        params = super().sample_params(rng, apps)
        return {**params, "qty": str(rng.randint(2, 40)), "price": f"{rng.randint(3, 90)}.50"}

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        rows, before = self.rows_now(apps, params), params["rows"]
        new = [params["missing"], params["qty"], params["price"]]
        return [
            Checkpoint(
                "the new row is at the bottom",
                len(rows) == len(before) + 1 and rows[-1][:3] == new,
                detail=str(rows[-1:]),
            ),
            Checkpoint(
                "the other rows are unchanged",
                [r[:3] for r in rows[: len(before)]] == before,
                "guard",
            ),
            only(apps["sheets"], {"set"}),
        ]

    def write_row(self, params: Mapping[str, Any], row: int, values: list[str]) -> list[PlanStep]:
        steps = open_book(params["book"])
        for col, value in zip("ABC", values, strict=True):
            steps += type_into(f"{col}{row}", value)
        return [*steps, Submit()]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.write_row(
            params, len(params["rows"]) + 1, [params["missing"], params["qty"], params["price"]]
        )

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        n = len(params["rows"])
        wrong_qty = str(int(params["qty"]) + 1)
        return {
            "wrong quantity": self.write_row(
                params, n + 1, [params["missing"], wrong_qty, params["price"]]
            ),
            "over the last row": self.write_row(
                params, n, [params["missing"], params["qty"], params["price"]]
            ),
        }


@register
class UpdateQuantity(OrderListTask):
    id = "sheets.update-quantity"
    instruction = "In the spreadsheet “{book}”, change the quantity of {item} to {qty}."
    tags = ("cells", "reading", "easy")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        params = super().sample_params(rng, apps)
        return {**params, "qty": str(int(params["rows"][params["pick"]][1]) + rng.randint(5, 20))}

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        rows = self.rows_now(apps, params)
        wanted = [list(r) for r in params["rows"]]
        wanted[params["pick"]][1] = params["qty"]
        return [
            Checkpoint(
                f"{params['item']} has quantity {params['qty']}",
                len(rows) > params["pick"] and rows[params["pick"]][1] == params["qty"],
            ),
            Checkpoint(
                "nothing else in the list changed", [r[:3] for r in rows] == wanted, "guard"
            ),
        ]

    def change(self, params: Mapping[str, Any], ref: str) -> list[PlanStep]:
        return [*open_book(params["book"]), *type_into(ref, params["qty"]), Submit()]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.change(params, f"B{params['pick'] + 1}")

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        other = (
            params["pick"] + 1 if params["pick"] + 1 < len(params["rows"]) else params["pick"] - 1
        )
        return {
            "another item": self.change(params, f"B{other + 1}"),
            "the price instead": self.change(params, f"C{params['pick'] + 1}"),
        }


@register
class LookUpPrice(OrderListTask):
    id = "sheets.look-up-price"
    instruction = (
        "In the spreadsheet “{book}”, what is the price of {item}? Answer with the number only."
    )
    tags: ClassVar[tuple[str, ...]] = ("reading", "answer", "easy")

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        said = number((answer or "").strip().lstrip("$"))
        return [
            Checkpoint(
                "the price",
                said == number(params["rows"][params["pick"]][2]),
                detail=f"answer {answer!r}",
            ),
            only(apps["sheets"], set()),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return [*open_book(params["book"]), Submit(params["rows"][params["pick"]][2])]

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        other = (
            params["pick"] + 1 if params["pick"] + 1 < len(params["rows"]) else params["pick"] - 1
        )
        return {
            "another item's price": [Submit(params["rows"][other][2])],
            "the quantity": [Submit(params["rows"][params["pick"]][1])],
        }


@register
class LookUpMissingPrice(LookUpPrice):
    """The item is not in the list: the right answer says so."""

    id = "sheets.look-up-missing-price"
    tags = ("reading", "answer", "infeasible", "easy")
    infeasible = True

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        params = super().sample_params(rng, apps)
        return {**params, "item": params["missing"]}

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        return [
            Checkpoint("answered that it cannot be done", says_infeasible(answer)),
            only(apps["sheets"], set()),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return [
            *open_book(params["book"]),
            Submit(f"There is no {params['item']} in the list, so it has no price."),
        ]

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "a made-up price": [Submit(params["rows"][1][2])],
            "adds the item": [
                *open_book(params["book"]),
                *type_into(f"A{len(params['rows']) + 1}", params["item"]),
                Submit("It was missing, so I added it; there is no price yet."),
            ],
        }
