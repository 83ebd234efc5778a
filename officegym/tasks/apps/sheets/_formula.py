"""Cell references and a small, safe formula language: numbers, cell references, + - * /,
parentheses and SUM, AVERAGE, MIN, MAX, COUNT over ranges. Parsed by hand, never eval-ed.

>>> cells = {(1, 0): "4", (2, 0): "6", (1, 1): "=A2*2"}
>>> evaluate("=SUM(A2:A3) + B2", cells.get)
18.0
"""

from __future__ import annotations

import re
from collections.abc import Callable

REF = re.compile(r"^([A-Z])([1-9][0-9]{0,2})$")
_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)|([A-Z]+)(?=\()|(.))")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
FUNCTIONS: dict[str, Callable[[list[float]], float]] = {
    "SUM": sum,
    "AVERAGE": lambda xs: sum(xs) / len(xs) if xs else 0.0,
    "MIN": lambda xs: min(xs) if xs else 0.0,
    "MAX": lambda xs: max(xs) if xs else 0.0,
    "COUNT": lambda xs: float(len(xs)),
}
Lookup = Callable[[tuple[int, int]], str | None]


class FormulaError(ValueError):
    """A formula that cannot be computed (shown in its cell as #ERROR!)."""


def parse_ref(ref: str) -> tuple[int, int]:
    """`B3` -> (row 2, column 1), zero-based.

    Raises:
        ValueError: not a reference of the form A1 … Z999.
    """
    m = REF.match(ref.strip().upper())
    if not m:
        raise ValueError(f"“{ref}” is not a cell: write a column letter and a row number, like B3.")
    return int(m.group(2)) - 1, ord(m.group(1)) - ord("A")


def ref_name(row: int, col: int) -> str:
    return f"{chr(ord('A') + col)}{row + 1}"


def number(raw: str | None) -> float | None:
    text = (raw or "").strip().replace(",", "")
    return float(text) if _NUMBER.fullmatch(text) else None  # not "nan", "inf", "1e5"


def evaluate(raw: str, lookup: Lookup, _seen: frozenset[tuple[int, int]] = frozenset()) -> float:
    """The value of a formula (`=…`); `lookup(cell)` gives a cell's raw text or None.

    Raises:
        FormulaError: a syntax error, a circular reference or text where a number is needed.
    """
    tokens: list[tuple[str, str, str, str]] = [
        t for t in _TOKEN.findall(raw.lstrip("=").upper()) if any(t)
    ]
    pos = 0

    def peek() -> str:
        """The next operator, or '' (at the end, or when a value comes next)."""
        return tokens[pos][3] if pos < len(tokens) else ""

    def take() -> tuple[str, str, str, str]:
        nonlocal pos
        if pos >= len(tokens):
            raise FormulaError("the formula ends too soon")
        pos += 1
        return tokens[pos - 1]

    def value_of(cell: tuple[int, int], in_range: bool) -> float | None:
        if cell in _seen:
            raise FormulaError("a circular reference")
        text = lookup(cell)
        if text and text.startswith("="):
            return evaluate(text, lookup, _seen | {cell})
        n = number(text)
        if n is None and text and not in_range:
            raise FormulaError(f"{ref_name(*cell)} holds text, not a number")
        return n if n is not None else (None if in_range else 0.0)

    def cells(token: str) -> list[tuple[int, int]]:
        a, _, b = token.partition(":")
        (r1, c1), (r2, c2) = parse_ref(a), parse_ref(b or a)
        return [(r, c) for r in range(min(r1, r2), max(r1, r2) + 1)
                for c in range(min(c1, c2), max(c1, c2) + 1)]  # fmt: skip

    def factor() -> float:
        num, ref, func, op = take()
        if num:
            return float(num)
        if ref:
            if ":" in ref:
                raise FormulaError("a range needs a function, like SUM(A1:A3)")
            return value_of(cells(ref)[0], False) or 0.0
        if func:
            if func not in FUNCTIONS:
                raise FormulaError(f"unknown function {func}")
            take()  # (
            values: list[float] = []
            while True:
                nxt = tokens[pos] if pos < len(tokens) else ("", "", "", "")
                if nxt[1]:
                    take()
                    values += [v for c in cells(nxt[1]) if (v := value_of(c, True)) is not None]
                else:
                    values.append(expr())
                sep = take()[3]
                if sep == ")":
                    return float(FUNCTIONS[func](values))
                if sep != ",":
                    raise FormulaError("expected , or )")
        if op == "(":
            inner = expr()
            if take()[3] != ")":
                raise FormulaError("a ( is not closed")
            return inner
        if op == "-":
            return -factor()
        raise FormulaError(f"unexpected {op!r}")

    def term() -> float:
        left = factor()
        while peek() in ("*", "/"):
            if take()[3] == "*":
                left *= factor()
            else:
                right = factor()
                if right == 0:
                    raise FormulaError("division by zero")
                left /= right
        return left

    def expr() -> float:
        left = term()
        while peek() in ("+", "-"):
            left = left + term() if take()[3] == "+" else left - term()
        return left

    result = expr()
    if pos != len(tokens):
        raise FormulaError("unexpected text after the formula")
    return result


def shown(raw: str | None, lookup: Lookup) -> str:
    """What a cell shows: its text, or its formula's value (`#ERROR!` when it has none)."""
    if not raw:
        return ""
    if not raw.startswith("="):
        return raw
    try:
        value = evaluate(raw, lookup)
    except (FormulaError, ValueError, RecursionError):
        return "#ERROR!"
    return str(int(value)) if value.is_integer() else f"{round(value, 4):g}"
