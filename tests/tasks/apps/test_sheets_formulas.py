"""The Sheets formula language: what each formula gives, and how each failure is shown."""

from __future__ import annotations

import pytest

from officegym.tasks.apps.sheets import evaluate, shown
from officegym.tasks.apps.sheets._formula import FormulaError, NotFound, formatted, shift_formula

# A1:C4 is a price list (Item, Quantity, Price); E1 holds a formula that refers to itself.
GRID = {
    (0, 0): "Item", (0, 1): "Quantity", (0, 2): "Price",
    (1, 0): "Headset", (1, 1): "4", (1, 2): "19.50",
    (2, 0): "Stapler", (2, 1): "12", (2, 2): "3",
    (3, 0): "Toner", (3, 1): "0", (3, 2): "=C2*2",
    (0, 4): "=E1+1",
}  # fmt: skip


@pytest.mark.parametrize(
    ("formula", "value"),
    [
        ("=SUM(B2:B4)", 16.0),
        ("=average(b2:b4)", 16 / 3),
        ("=MAX(C2:C4) - MIN(C2:C4)", 36.0),
        ("=COUNT(A1:C4)", 6.0),  # text and empty cells are not counted
        ('=IF(B2 < 5, "Reorder", "OK")', "Reorder"),
        ('=IF(B3 < 5, "Reorder", "OK")', "OK"),
        ("=IF(B4 = 0, 0, C2 / B4)", 0.0),  # only the branch taken is computed
        ('=VLOOKUP("stapler", A2:C4, 3, FALSE)', 3.0),
        ("=VLOOKUP(A4, A2:C4, 3, FALSE)", 39.0),  # the value of a formula cell
        ('=VLOOKUP("Pen", A2:C4, 2)', 4.0),  # sorted lookup: the last key not above "Pen"
        ('=A2 & " x" & B2', "Headset x4"),
        ("=ROUND(C2 / 3, 1)", 6.5),
        ("=ABS(-B3)", 12.0),
        ("=AND(B2 > 1, B3 > 1)", True),
        ("=OR(B4 > 1, NOT(B2 > 1))", False),
        ('="say ""hi"""', 'say "hi"'),
        ("=B2 <> 4", False),
        ('=A2 = "HEADSET"', True),  # text compares without case
        ("=-(1 + 2) * 3", -9.0),
        ("=Z99", 0.0),
        ("=ROUND(2.5)", 3.0),  # half away from zero, as spreadsheets round
        ("=ROUND(0.125, 2)", 0.13),
        ("=$B$2 + B$3", 16.0),  # $ fixes a reference when copied; the value is the same
        ('=VLOOKUP("Toner", A2:C4, 2, FALSE)', 0.0),  # a found 0 is 0, not empty text
    ],
)
def test_formula_values(formula: str, value: object) -> None:
    assert evaluate(formula, GRID.get) == pytest.approx(value)


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ('=VLOOKUP("Pen", A2:C4, 3, FALSE)', "found no 'Pen'"),
        ("=VLOOKUP(A2, A2:C4, 4, FALSE)", "column 4 is outside the range"),
        ("=A2 + 1", "“Headset” is text, not a number"),
        ("=E1", "circular reference"),
        ("=C2 / B4", "division by zero"),
        ("=SUM(B2:B4", "ends too soon"),
        ("=PMT(1, 2)", "unknown function PMT"),
        ("=B2:B4", "a range needs a function"),
        ("=1 2", "unexpected text after the formula"),
        ("=ABS(B2:B4)", "wrong arguments"),
    ],
)
def test_formula_errors_say_what_is_wrong(formula: str, message: str) -> None:
    with pytest.raises(FormulaError, match=message):
        evaluate(formula, GRID.get)


def test_cells_show_values_and_errors() -> None:
    assert shown("=SUM(B2:B3)", GRID.get) == "16"
    assert shown("=C2 / 4", GRID.get) == "4.875"
    assert shown("=B2 > 1", GRID.get) == "TRUE"
    assert shown('=VLOOKUP("Pen", A2:C4, 3, FALSE)', GRID.get) == "#N/A"
    assert shown("=E1", GRID.get) == "#ERROR!"
    assert shown("plain text", GRID.get) == "plain text"
    with pytest.raises(NotFound):
        evaluate('=VLOOKUP("Pen", A2:C4, 3, FALSE)', GRID.get)


@pytest.mark.parametrize(
    ("raw", "rows", "cols", "moved"),
    [
        ("=B2*C2", 3, 0, "=B5*C5"),
        ('=IF(A2 > 1, "A2", A3)', 1, 1, '=IF(B3 > 1, "A2", B4)'),  # text in quotes stays
        ("=VLOOKUP(E2, A2:C9, 3, FALSE)", 0, 1, "=VLOOKUP(F2, B2:D9, 3, FALSE)"),
        ("=LOG10(A1)", 1, 0, "=LOG10(A2)"),  # a function name with digits is not a reference
        ("=B2*$E$1 + C$1 + $A2", 2, 1, "=C4*$E$1 + D$1 + $A4"),
        ("=A1+1", -1, 0, "=#REF!+1"),  # pushed off the sheet
        ("plain 12", 5, 5, "plain 12"),
    ],
)
def test_copied_formulas_move_their_references(raw: str, rows: int, cols: int, moved: str) -> None:
    assert shift_formula(raw, rows, cols) == moved
    if moved.startswith("=#REF!"):
        assert shown(moved, GRID.get) == "#ERROR!"


@pytest.mark.parametrize(
    ("text", "fmt", "out"),
    [
        ("1234.5", "currency", "$1,234.50"),
        ("-3", "currency", "-$3.00"),
        ("0.25", "percent", "25%"),
        ("7", "decimal", "7.00"),
        ("7", "plain", "7"),
        ("Stapler", "currency", "Stapler"),  # text shows as typed
    ],
)
def test_number_formats(text: str, fmt: str, out: str) -> None:
    assert formatted(text, fmt) == out
