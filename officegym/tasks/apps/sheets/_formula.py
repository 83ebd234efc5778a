"""Cell references and a small, safe formula language, parsed by hand and never eval-ed.

Values are numbers, text ("…" with "" for a quote) and TRUE/FALSE. Operators: + - * / on
numbers, & joins text, = <> < > <= >= compare (text case-insensitively, as spreadsheets do).
Functions: SUM, AVERAGE, MIN, MAX, COUNT over ranges and values; IF, AND, OR, NOT, ROUND, ABS;
VLOOKUP(key, range, column, [sorted]) — sorted defaults to TRUE, as in every spreadsheet, so an
exact lookup says FALSE. References are A1 … Z999; a `$` fixes a column or row when a formula is
copied (`$A$1`).

>>> cells = {(1, 0): "4", (2, 0): "6", (1, 1): "=A2*2"}
>>> evaluate("=SUM(A2:A3) + B2", cells.get)
18.0
>>> evaluate('=IF(A2 >= 5, "big", "small") & "!"', cells.get)
'small!'
>>> table = {(0, 0): "Pen", (0, 1): "2.5", (1, 0): "Ink", (1, 1): "9"}
>>> evaluate('=VLOOKUP("ink", A1:B2, 2, FALSE)', table.get)
9.0
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

REF = re.compile(r"^\$?([A-Z])\$?([1-9][0-9]{0,2})$")
_TOKEN = re.compile(
    r"""\s*(?:
      (?P<num>\d+(?:\.\d+)?)
    | "(?P<text>(?:[^"]|"")*)"
    | (?P<ref>\$?[A-Za-z]\$?[0-9]+(?::\$?[A-Za-z]\$?[0-9]+)?)(?![A-Za-z0-9(])
    | (?P<func>[A-Za-z]+)(?=\s*\()
    | (?P<bool>TRUE|FALSE)(?![A-Za-z0-9])
    | (?P<op><>|<=|>=|\S)
    )""",
    re.VERBOSE | re.IGNORECASE,
)
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
Value = float | str | bool
Lookup = Callable[[tuple[int, int]], str | None]
_COMPARE: dict[str, Callable[[int], bool]] = {
    "=": lambda c: c == 0,
    "<>": lambda c: c != 0,
    "<": lambda c: c < 0,
    ">": lambda c: c > 0,
    "<=": lambda c: c <= 0,
    ">=": lambda c: c >= 0,
}


class FormulaError(ValueError):
    """A formula that cannot be computed (shown in its cell as #ERROR!)."""


class NotFound(FormulaError):
    """A lookup that found nothing (shown as #N/A)."""


class _Range(NamedTuple):
    cells: list[tuple[int, int]]
    width: int


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


def _num(v: Value | None) -> float:
    if v is None or v == "":
        return 0.0
    if isinstance(v, bool):
        return float(v)
    if isinstance(v, str):
        n = number(v)
        if n is None:
            raise FormulaError(f"“{v[:20]}” is text, not a number")
        return n
    return v


def _text(v: Value | None) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    return format_number(v) if isinstance(v, float) else v


def _order(v: Value | None) -> tuple[int, float | str]:
    """Spreadsheet ordering: numbers before text before booleans; text ignores case."""
    if isinstance(v, bool):
        return (2, float(v))
    if isinstance(v, str) and v != "":
        return (1, v.casefold())
    return (0, _num(v))


def _compare(a: Value | None, b: Value | None) -> int:
    x, y = _order(a), _order(b)
    return (x > y) - (x < y)


def _scalar(arg: Value | _Range | None) -> Value | None:
    if isinstance(arg, _Range):
        raise FormulaError("a range where a single value is needed")
    return arg


def _vlookup(
    args: list[Value | _Range | None], cell: Callable[[tuple[int, int]], Value | None]
) -> Value:
    table = args[1] if len(args) in (3, 4) else None
    if not isinstance(table, _Range):
        raise FormulaError("VLOOKUP takes a value, a range, a column number and TRUE/FALSE")
    key, column = _scalar(args[0]), int(_num(_scalar(args[2])))
    exact = len(args) == 4 and not _num(_scalar(args[3]))
    if not 1 <= column <= table.width:
        raise FormulaError(f"VLOOKUP column {column} is outside the range")
    rows = [table.cells[i : i + table.width] for i in range(0, len(table.cells), table.width)]
    hit = None
    for row in rows:
        c = _compare(cell(row[0]), key)
        if c == 0:
            hit = row
            break
        if not exact:
            if c > 0:
                break
            hit = row  # sorted: the last row whose key is not above the one looked for
    if hit is None:
        raise NotFound(f"VLOOKUP found no {_text(key)!r}")
    found = cell(hit[column - 1])
    return "" if found is None else found


def _round(value: float, places: int) -> float:
    """Half away from zero, as spreadsheets round (Python's round() goes to even).

    >>> _round(2.5, 0), _round(0.125, 2), _round(-1.5, 0), _round(1234, -2)
    (3.0, 0.13, -2.0, 1200.0)
    """
    exp = Decimal(1).scaleb(-max(min(places, 15), -15))
    return (
        float(Decimal(str(value)).quantize(exp, ROUND_HALF_UP))
        if places >= 0
        else float((Decimal(str(value)) / exp).quantize(Decimal(1), ROUND_HALF_UP) * exp)
    )


def _aggregate(fn: Callable[[list[float]], Value]) -> Callable[..., Value]:
    def run(
        args: list[Value | _Range | None], cell: Callable[[tuple[int, int]], Value | None]
    ) -> Value:
        values: list[float] = []
        for a in args:
            if isinstance(a, _Range):  # in a range, text and empty cells are skipped
                values += [float(v) for c in a.cells if isinstance(v := cell(c), float | bool)]
            else:
                values.append(_num(a))
        return fn(values)

    return run


def _plain(fn: Callable[..., Value], arity: tuple[int, ...]) -> Callable[..., Value]:
    def run(
        args: list[Value | _Range | None], cell: Callable[[tuple[int, int]], Value | None]
    ) -> Value:
        if len(args) not in arity or any(isinstance(a, _Range) for a in args):
            raise FormulaError("wrong arguments")
        return fn(*args)

    return run


FUNCTIONS: dict[str, Callable[..., Value]] = {
    "SUM": _aggregate(lambda xs: float(sum(xs))),
    "AVERAGE": _aggregate(lambda xs: sum(xs) / len(xs) if xs else 0.0),
    "MIN": _aggregate(lambda xs: min(xs) if xs else 0.0),
    "MAX": _aggregate(lambda xs: max(xs) if xs else 0.0),
    "COUNT": _aggregate(lambda xs: float(len(xs))),
    "AND": _aggregate(lambda xs: all(xs)),
    "OR": _aggregate(lambda xs: any(xs)),
    "NOT": _plain(lambda v: not _num(v), (1,)),
    "ABS": _plain(lambda v: abs(_num(v)), (1,)),
    "ROUND": _plain(lambda v, n=0.0: _round(_num(v), int(_num(n))), (1, 2)),
    "VLOOKUP": _vlookup,
}


_Thunk = Callable[[], Value | None]


def evaluate(raw: str, lookup: Lookup, _seen: frozenset[tuple[int, int]] = frozenset()) -> Value:
    """The value of a formula (`=…`); `lookup(cell)` gives a cell's raw text or None.

    Raises:
        FormulaError: a syntax error, a circular reference, an unknown function, a lookup that
            found nothing (NotFound) or text where a number is needed.
    """
    parser = _Parser(raw, lookup, _seen)
    formula = parser.compare()
    if parser.pos != len(parser.tokens):
        raise FormulaError("unexpected text after the formula")
    result = formula()
    return 0.0 if result is None else result


def _cells(token: str) -> _Range:
    a, _, b = token.partition(":")
    (r1, c1), (r2, c2) = parse_ref(a), parse_ref(b or a)
    cols = range(min(c1, c2), max(c1, c2) + 1)
    return _Range([(r, c) for r in range(min(r1, r2), max(r1, r2) + 1) for c in cols], len(cols))


class _Parser:
    """Recursive descent, loosest binding first: compare, concat (&), additive, term, factor.

    It builds thunks rather than values: the whole formula is read before any cell is, so a
    syntax error wins over a computing one, and IF computes only the branch it takes.
    """

    def __init__(self, raw: str, lookup: Lookup, seen: frozenset[tuple[int, int]]) -> None:
        self.tokens = [
            (m.lastgroup or "op", m.group(m.lastgroup or "op")) for m in _scan(raw.lstrip("="))
        ]
        self.pos = 0
        self.lookup = lookup
        self.seen = seen

    def peek(self) -> str:
        """The next operator, or '' (at the end, or when a value comes next)."""
        tokens, pos = self.tokens, self.pos
        return tokens[pos][1] if pos < len(tokens) and tokens[pos][0] == "op" else ""

    def take(self) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise FormulaError("the formula ends too soon")
        self.pos += 1
        return self.tokens[self.pos - 1]

    def cell(self, at: tuple[int, int]) -> Value | None:
        if at in self.seen:
            raise FormulaError("a circular reference")
        text = self.lookup(at)
        if not text:
            return None
        if text.startswith("="):
            return evaluate(text, self.lookup, self.seen | {at})
        n = number(text)
        return text if n is None else n

    def compare(self) -> _Thunk:
        left = self.concat()
        if self.peek() in _COMPARE:
            test, right = _COMPARE[self.take()[1]], self.concat()
            return lambda: test(_compare(left(), right()))
        return left

    def concat(self) -> _Thunk:
        left = self.additive()
        while self.peek() == "&":
            self.take()
            left = _join(left, self.additive())
        return left

    def additive(self) -> _Thunk:
        left = self.term()
        while self.peek() in ("+", "-"):
            op, right = self.take()[1], self.term()
            left = _arith(op, left, right)
        return left

    def term(self) -> _Thunk:
        left = self.factor()
        while self.peek() in ("*", "/"):
            op, right = self.take()[1], self.factor()
            left = _arith(op, left, right)
        return left

    def factor(self) -> _Thunk:
        kind, text = self.take()
        if kind == "num":
            return lambda: float(text)
        if kind == "text":
            return lambda: text.replace('""', '"')
        if kind == "bool":
            return lambda: text.upper() == "TRUE"
        if kind == "ref":
            return self.reference(text)
        if kind == "func" and text.upper() == "IF":
            return self.conditional()
        if kind == "func":
            return self.call(text)
        if text == "(":
            inner = self.compare()
            if self.take()[1] != ")":
                raise FormulaError("a ( is not closed")
            return inner
        if text == "-":
            inner = self.factor()
            return lambda: -_num(inner())
        raise FormulaError(f"unexpected {text!r}")

    def reference(self, text: str) -> _Thunk:
        if ":" in text:
            raise FormulaError("a range needs a function, like SUM(A1:A3)")
        at = parse_ref(text)
        return lambda: self.cell(at)

    def conditional(self) -> _Thunk:
        """IF(test, then, [else]): only the branch taken is computed, so IF(B2=0, 0, A2/B2)
        works."""
        self.take()  # (
        parts = [self.compare()]
        while (sep := self.take()[1]) == ",":
            parts.append(self.compare())
        if sep != ")" or len(parts) not in (2, 3):
            raise FormulaError("IF takes a test, a value if true and a value if false")
        test, yes, no = parts[0], parts[1], parts[2] if len(parts) == 3 else (lambda: False)
        return lambda: yes() if _num(test()) else no()

    def call(self, name: str) -> _Thunk:
        fn = FUNCTIONS.get(name.upper())
        if fn is None:
            raise FormulaError(f"unknown function {name.upper()}")
        self.take()  # (
        args = self.arguments()
        return lambda: fn([a if isinstance(a, _Range) else a() for a in args], self.cell)

    def arguments(self) -> list[_Thunk | _Range]:
        """A function's arguments up to its `)`; a bare range (A1:B3) is passed as cells."""
        args: list[_Thunk | _Range] = []
        if self.peek() == ")":
            self.take()
            return args
        while True:
            kind, text = self.tokens[self.pos] if self.pos < len(self.tokens) else ("", "")
            if kind == "ref" and ":" in text:
                self.take()
                args.append(_cells(text))
            else:
                args.append(self.compare())
            sep = self.take()[1]
            if sep == ")":
                return args
            if sep != ",":
                raise FormulaError("expected , or )")


def _scan(text: str) -> list[re.Match[str]]:
    out, at = [], 0
    while text[at:].strip():
        m = _TOKEN.match(text, at)
        if m is None or m.end() == at:
            raise FormulaError(f"cannot read the formula at “{text[at : at + 10]}”")
        out.append(m)
        at = m.end()
    return out


def _arith(
    op: str, left: Callable[[], Value | None], right: Callable[[], Value | None]
) -> Callable[[], Value | None]:
    def run() -> Value | None:
        a, b = _num(left()), _num(right())
        if op == "/" and b == 0:
            raise FormulaError("division by zero")
        return {"+": a + b, "-": a - b, "*": a * b}[op] if op != "/" else a / b

    return run


def _join(
    left: Callable[[], Value | None], right: Callable[[], Value | None]
) -> Callable[[], Value]:
    return lambda: _text(left()) + _text(right())


_REF_OR_TEXT = re.compile(
    r'"(?:[^"]|"")*"|(?<![A-Za-z0-9$])(\$?)([A-Za-z])(\$?)([0-9]+)(?![A-Za-z0-9(])'
)


def shift_formula(raw: str, rows: int, cols: int) -> str:
    """A formula copied `rows` down and `cols` right: its cell references move with it (text in
    quotes does not). A reference pushed off the sheet becomes #REF!, which cannot compute.

    >>> shift_formula('=B2*C2 & "C2"', 1, 0)
    '=B3*C3 & "C2"'
    >>> shift_formula("=SUM(A1:A9)", 0, 1)
    '=SUM(B1:B9)'
    >>> shift_formula("=B2*$E$1 + C$1", 2, 1)
    '=C4*$E$1 + D$1'
    """
    if not raw.startswith("="):
        return raw

    def move(m: re.Match[str]) -> str:
        if not m.group(2):
            return m.group(0)  # a string literal
        fixed_col, letter, fixed_row, digits = m.groups()
        col = ord(letter.upper()) - ord("A") + (0 if fixed_col else cols)
        row = int(digits) + (0 if fixed_row else rows)
        if not (0 <= col < 26 and 1 <= row <= 999):
            return "#REF!"
        return f"{fixed_col}{chr(ord('A') + col)}{fixed_row}{row}"

    return "=" + _REF_OR_TEXT.sub(move, raw[1:])


FORMATS = {
    "plain": "Plain",
    "currency": "Currency ($1,234.50)",
    "percent": "Percent (12%)",
    "decimal": "Two decimals (1,234.50)",
}


def formatted(text: str, fmt: str) -> str:
    """A cell's shown text in its column's number format.

    >>> formatted("1234.5", "currency"), formatted("0.125", "percent"), formatted("Pen", "percent")
    ('$1,234.50', '12.5%', 'Pen')
    """
    n = number(text)
    if n is None or fmt not in FORMATS or fmt == "plain":
        return text
    if fmt == "currency":
        return f"-${-n:,.2f}" if n < 0 else f"${n:,.2f}"
    if fmt == "percent":
        return f"{n * 100:g}%"
    return f"{n:,.2f}"


def format_number(value: float) -> str:
    return str(int(value)) if value.is_integer() else f"{round(value, 4):g}"


def shown(raw: str | None, lookup: Lookup) -> str:
    """What a cell shows: its text, or its formula's value (`#N/A` when a lookup found nothing,
    `#ERROR!` for any other failure)."""
    if not raw:
        return ""
    if not raw.startswith("="):
        return raw
    try:
        value = evaluate(raw, lookup)
    except NotFound:
        return "#N/A"
    except (FormulaError, ValueError, RecursionError, OverflowError):
        return "#ERROR!"
    return _text(value)
