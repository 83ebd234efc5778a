"""A small, safe filter language over the rows of a table: `verdict == 'valid' and errors == 0`.

The expression comes from a command line or a config file, so it is untrusted: it is parsed by
the grammar below and evaluated by walking the parsed tree, never by `eval`. Every column it
names must exist and be compared with a value of its own type; anything else is a `WhereError`
naming the column or the position.

    expression := or
    or         := and ("or" and)*
    and        := not ("and" not)*
    not        := "not" not | "(" expression ")" | comparison
    comparison := operand ("==" | "!=" | "<" | "<=" | ">" | ">=") operand
                | operand ["not"] "in" "(" literal ("," literal)* ")"
    operand    := column | literal
    literal    := 'string' | "string" | number | null

Nulls (empty cells) follow SQL's three-valued logic: a comparison with a null is unknown, `not`
of unknown is unknown, `false and unknown` is false, `true or unknown` is true, and a row is
kept only when the whole expression is true. So `reward < 0.5` and `not reward >= 0.5` both
leave out a row with no reward. `== null` and `!= null` are the tests for null (SQL's `is null`
and `is not null`): they are true or false, never unknown; `in (..., null)` holds for a null.
"""

from __future__ import annotations

import difflib
import math
import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from officegym.errors import OfficegymError

# What a column holds: text or a number (ints and floats compare with each other).
ColumnKind = Literal["text", "number"]
MAX_EXPRESSION_CHARS = 4_000
MAX_NUMBER_CHARS = 30  # a number literal longer than this is no count or score of a manifest
MAX_DEPTH = 64  # nested parentheses and `not`s: far beyond any real filter, well within the stack
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt,
    "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}  # fmt: skip
_KEYWORDS = {"and", "or", "not", "in", "null"}
_TOKEN = re.compile(
    r"""\s*(?:
      (?P<number>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
    | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<op>==|!=|<=|>=|<|>|\(|\)|,)
    )""",
    re.VERBOSE,
)


class WhereError(OfficegymError, ValueError):
    """A filter expression that cannot be used: bad syntax (with the position), an unknown
    column (with the closest names), or a comparison of text with a number."""


@dataclass(frozen=True)
class _Token:
    kind: str  # number, string, name, op, keyword, end
    value: Any
    at: int  # character offset in the expression, for messages


@dataclass(frozen=True)
class _Operand:
    column: str | None  # a column's name, or None for a literal
    value: Any  # the literal (None: null)
    kind: ColumnKind | None  # None: null, which compares with either


Row = Mapping[str, Any]
# True, False, or None for unknown (a comparison with a null): see the module's docstring.
Truth = bool | None
Predicate = Callable[[Row], Truth]


def _tokens(expression: str) -> list[_Token]:
    out, at = [], 0
    while at < len(expression):
        if expression[at:].strip() == "":
            break
        match = _TOKEN.match(expression, at)
        if match is None or match.end() == at:
            start = len(expression) - len(expression[at:].lstrip())
            hint = " (use == to compare)" if expression[start] == "=" else ""
            raise WhereError(
                f"unexpected {expression[start]!r} at character {start + 1}{hint}: "
                f"in {expression!r}"
            )
        kind = match.lastgroup or "op"
        text = match.group(kind)
        start = match.start(kind)
        value: Any = text
        if kind == "number":
            value = _number(text, start)
        elif kind == "string":
            value = re.sub(r"\\(.)", r"\1", text[1:-1])
        elif kind == "name" and text in _KEYWORDS:
            kind = "keyword"
        out.append(_Token(kind, value, start))
        at = match.end()
    out.append(_Token("end", None, len(expression)))
    return out


def _number(text: str, start: int) -> int | float:
    """A number literal's value; a long one or one past a float's range is a `WhereError`."""
    problem = f"number {text[:MAX_NUMBER_CHARS]!r}"
    if len(text) > MAX_NUMBER_CHARS:
        raise WhereError(
            f"{problem}... at character {start + 1} is longer than {MAX_NUMBER_CHARS} characters"
        )
    try:
        value = float(text) if any(c in text for c in ".eE") else int(text)
        finite = math.isfinite(value)  # an int past a float's range raises OverflowError
    except OverflowError:
        finite = False
    if not finite:
        raise WhereError(f"{problem} at character {start + 1} is out of range")
    return value


def _any(truths: Iterable[Truth]) -> Truth:
    """SQL's `or`: true if any is true, else unknown if any is unknown."""
    unknown = False
    for truth in truths:
        if truth:
            return True
        unknown = unknown or truth is None
    return None if unknown else False


def _all(truths: Iterable[Truth]) -> Truth:
    """SQL's `and`: false if any is false, else unknown if any is unknown."""
    unknown = False
    for truth in truths:
        if truth is False:
            return False
        unknown = unknown or truth is None
    return None if unknown else True


def _not(truth: Truth) -> Truth:
    return None if truth is None else not truth


class _Parser:
    """Recursive descent over the tokens; each rule returns a predicate on a row."""

    def __init__(self, expression: str, columns: Mapping[str, ColumnKind]) -> None:
        self.expression, self.columns = expression, columns
        self.tokens = _tokens(expression)
        self.pos = 0
        self.depth = 0

    def fail(self, problem: str, token: _Token | None = None) -> WhereError:
        token = token or self.tokens[self.pos]
        where = "the end" if token.kind == "end" else f"character {token.at + 1}"
        return WhereError(f"{problem} at {where}: in {self.expression!r}")

    def peek(self, kind: str, value: Any = None) -> bool:
        token = self.tokens[self.pos]
        return token.kind == kind and (value is None or token.value == value)

    def take(self, kind: str, value: Any = None) -> _Token:
        if not self.peek(kind, value):
            raise self.fail(f"expected {value or kind}{self.got()}")
        self.pos += 1
        return self.tokens[self.pos - 1]

    def got(self) -> str:
        """What stands where something else was expected (nothing to add at the end)."""
        token = self.tokens[self.pos]
        return "" if token.kind == "end" else f", got {str(token.value)!r}"

    def parse(self) -> Predicate:
        predicate = self.or_()
        if not self.peek("end"):
            raise self.fail(f"unexpected {str(self.tokens[self.pos].value)!r}")
        return predicate

    def or_(self) -> Predicate:
        parts = [self.and_()]
        while self.peek("keyword", "or"):
            self.pos += 1
            parts.append(self.and_())
        return parts[0] if len(parts) == 1 else lambda row: _any(p(row) for p in parts)

    def and_(self) -> Predicate:
        parts = [self.not_()]
        while self.peek("keyword", "and"):
            self.pos += 1
            parts.append(self.not_())
        return parts[0] if len(parts) == 1 else lambda row: _all(p(row) for p in parts)

    def not_(self) -> Predicate:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(f"nested more than {MAX_DEPTH} deep")
        try:
            if self.peek("keyword", "not"):
                self.pos += 1
                inner = self.not_()
                return lambda row: _not(inner(row))
            if self.peek("op", "("):
                self.pos += 1
                inner = self.or_()
                self.take("op", ")")
                return inner
            return self.comparison()
        finally:
            self.depth -= 1

    def comparison(self) -> Predicate:
        left = self.operand()
        negate = self.peek("keyword", "not")
        if negate or self.peek("keyword", "in"):
            self.pos += negate
            self.take("keyword", "in")
            return self.membership(left, negate)
        token = self.tokens[self.pos]
        if token.kind != "op" or token.value not in _COMPARE:
            raise self.fail(f"expected a comparison (==, !=, <, <=, >, >=, in){self.got()}")
        self.pos += 1
        right = self.operand()
        self.check_kinds(left, right, token)
        return _compare(left, str(token.value), right)

    def membership(self, left: _Operand, negate: bool) -> Predicate:
        self.take("op", "(")
        values = [self.literal()]
        while self.peek("op", ","):
            self.pos += 1
            values.append(self.literal())
        close = self.take("op", ")")
        for value in values:
            self.check_kinds(left, value, close)
        # `x in (a, b)` is `x == a or x == b`, with `== null` the test for null
        tests = [_compare(left, "==", value) for value in values]

        def member(row: Row) -> Truth:
            found = _any(test(row) for test in tests)
            return _not(found) if negate else found

        return member

    def operand(self) -> _Operand:
        token = self.tokens[self.pos]
        if token.kind != "name":
            return self.literal()
        self.pos += 1
        if token.value not in self.columns:
            close = difflib.get_close_matches(token.value, list(self.columns), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise self.fail(
                f"unknown column {token.value!r}{hint}; columns: {', '.join(self.columns)}",
                token,
            )
        return _Operand(token.value, None, self.columns[token.value])

    def literal(self) -> _Operand:
        token = self.tokens[self.pos]
        if token.kind == "keyword" and token.value == "null":
            self.pos += 1
            return _Operand(None, None, None)
        if token.kind == "number":
            self.pos += 1
            return _Operand(None, token.value, "number")
        if token.kind == "string":
            self.pos += 1
            return _Operand(None, token.value, "text")
        raise self.fail(f"expected a column, a 'string', a number or null{self.got()}")

    def check_kinds(self, left: _Operand, right: _Operand, at: _Token) -> None:
        if left.kind is not None and right.kind is not None and left.kind != right.kind:
            names = " and ".join(
                repr(o.column) if o.column else f"{o.kind} {o.value!r}" for o in (left, right)
            )
            raise self.fail(f"{names} cannot be compared (text with a number)", at)


def _value(operand: _Operand, row: Row) -> Any:
    return row.get(operand.column) if operand.column is not None else operand.value


def _compare(left: _Operand, op: str, right: _Operand) -> Predicate:
    compare = _COMPARE[op]
    # `== null` and `!= null` (the literal) test for null; null anywhere else is unknown
    null_test = op in ("==", "!=") and (_is_null(left) or _is_null(right))

    def test(row: Row) -> Truth:
        a, b = _value(left, row), _value(right, row)
        if null_test:
            return (a is None and b is None) == (op == "==")
        if a is None or b is None:
            return None
        return bool(compare(a, b))

    return test


def _is_null(operand: _Operand) -> bool:
    return operand.column is None and operand.value is None


def compile_where(expression: str, columns: Mapping[str, ColumnKind]) -> Callable[[Row], bool]:
    """Parse a filter expression into a predicate over rows (mappings of column to value).

    Args:
        expression: the filter, e.g. ``"verdict == 'valid' and errors == 0"``.
        columns: every column a row has, with the kind of value it holds.

    Returns:
        A function that tells whether a row matches (the expression is true for it, not false
        or unknown); a row's missing or None cell is null.

    Raises:
        WhereError: bad syntax, an unknown column, text compared with a number, or an
            expression longer than MAX_EXPRESSION_CHARS.

    >>> keep = compile_where("verdict in ('valid', 'task_failed') and not errors > 0",
    ...                      {"verdict": "text", "errors": "number"})
    >>> keep({"verdict": "valid", "errors": 0}), keep({"verdict": "valid", "errors": 2})
    (True, False)
    >>> compile_where("verdit == 'valid'", {"verdict": "text"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    officegym.replayer._where.WhereError: unknown column 'verdit' (did you mean 'verdict'?)...
    """
    if len(expression) > MAX_EXPRESSION_CHARS:
        raise WhereError(f"the expression is longer than {MAX_EXPRESSION_CHARS} characters")
    if not expression.strip():
        raise WhereError('the expression is empty: give a condition such as "errors == 0"')
    predicate = _Parser(expression, columns).parse()
    return lambda row: predicate(row) is True
