"""Reading an agent's action text and values within bounds, before anything parses them.

An action comes from a model the env does not trust. Python's own parser, `json` and the
validators recurse as deep as their input nests and allocate as much as it asks for: 200,000 signs
in front of a number exhaust the parser's stack, a deeply nested JSON array its recursion, an
unhashable dict key in a literal raises `TypeError`. So the text is first measured with a flat
scan (no recursion) and only then parsed, and a value given as objects is copied into plain data
with the same bounds. Whatever is out of bounds is an `ActionError`, which the env makes the
step's `last_action_error`. The limits are documented in docs/agents.md ("Limits").

What goes back to the agent is bounded too: each text field of an observation has a length
limit and a character set, defined here once; its Gymnasium `Text` space is made from them
(`officegym.envs._spaces`) and `bound_observation` keeps every observation inside them
(docs/agents.md, "Observations").
"""

from __future__ import annotations

import ast
import functools
import io
import json
import numbers
import re
import tokenize
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from officegym.errors import ActionError

# Room for the longest text below with every character escaped (JSON spells an emoji in 12).
MAX_ACTION_CHARS = 200_000
MAX_DEPTH = 4  # the deepest real action, hotkey(['Control', 'a']) or {"keys": [...]}, is 2
MAX_VALUES = 1_000  # tokens of a call string, values of an object
# A literal argument needs no name but True/False/None and a keyword's, and no operator but a
# sign: a few dozen bound how deep the parser can be made to recurse.
MAX_OPERATORS = 32
# fill inserts its text at once. type presses a key per character (5 ms each on an idle machine,
# 14 ms measured on a loaded one), so its limit keeps it well inside a step's time.
MAX_TEXT_CHARS = 10_000
MAX_TYPE_CHARS = 2_000
MAX_STRING_CHARS = 2_048  # element ids, key names, options, URLs (a URL's practical maximum)
MAX_HOTKEY_KEYS = 8
# Chromium takes positions as 32-bit floats and stalls for good on one past 3.4e38; no screen is
# a million pixels wide.
MAX_COORD = 1_000_000.0
VIEWPORT_MARGIN = 100.0  # a drag or a wheel may start or end a little beyond the page
MAX_SCROLL = 10_000.0

_OPEN, _CLOSE = frozenset("([{"), frozenset(")]}")
_PUNCTUATION = frozenset({",", ":", "="})
_LAYOUT = frozenset({tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER})
# In JSON text: an escape pair (so an escaped quote is no quote), a quote, or a bracket.
_JSON_MARKS = re.compile(r'\\.|["\[\]{}]', re.S)


def short(value: Any, limit: int = 80) -> str:
    """What a message quotes of a value the agent sent: never all of a long one, and never by a
    `repr` that could itself recurse or fail (a nested container, a 5,000-digit integer)."""
    if isinstance(value, str):
        return repr(value[:limit]) + ("…" if len(value) > limit else "")
    if value is None or isinstance(value, bool | float):
        return repr(value)
    if isinstance(value, int):
        return repr(value) if abs(value) < 10**20 else "a very large integer"
    return f"a {type(value).__name__}"


def check_length(text: str) -> None:
    """Raises: ActionError: `text` is longer than `MAX_ACTION_CHARS`."""
    if len(text) > MAX_ACTION_CHARS:
        raise ActionError(
            f"the action is {len(text):,} characters long; at most {MAX_ACTION_CHARS:,} are read"
        )


def read_json(text: str) -> Any:
    """The value of a JSON action, its nesting measured before `json` parses it.

    Raises:
        ActionError: too long, nested too deep, or not JSON.
    """
    check_length(text)
    depth, in_string = 0, False
    for mark in _JSON_MARKS.finditer(text):
        char = mark.group()
        if char == '"':
            in_string = not in_string
        elif in_string or char[0] == "\\":
            continue
        elif char in _OPEN:
            depth += 1
            if depth > MAX_DEPTH:
                raise ActionError(f"the JSON action nests deeper than {MAX_DEPTH} levels")
        else:
            depth -= 1
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ActionError(f"invalid JSON action: {exc.msg} at column {exc.colno}") from None
    except ValueError as exc:  # a number of more than 4,300 digits
        raise ActionError(f"invalid JSON action: {str(exc).split(':')[0]}") from None


def read_call(text: str, models: Mapping[str, type[BaseModel]], mode: str) -> dict[str, Any]:
    """The action object of a call string (`click(1, 2)`: `{"action": "click", "x": 1, "y": 2}`),
    its tokens measured before `ast` parses it; `models` are the `mode`'s actions by name.

    Raises:
        ActionError: too long, nested too deep, too many tokens or operators, not one call of a
            known action with literal arguments.
    """
    tree = _expression(text, "click(100, 200)" if mode == "computer" else "click('12')")
    if not isinstance(tree, ast.Call) or not isinstance(tree.func, ast.Name):
        raise ActionError(f"an action is one call like click(...), got {short(text)}")
    name = tree.func.id
    model = models.get(name)
    if model is None:
        raise ActionError(
            f"unknown {mode} action {short(name)}; valid: {', '.join(sorted(models))}"
        )
    fields = [f for f in model.model_fields if f != "action"]
    args = [_literal(a, name) for a in tree.args]
    kwargs = {k.arg: _literal(k.value, name) for k in tree.keywords if k.arg}
    if name == "hotkey" and args:  # hotkey('Control', 'a'), hotkey('Control+a'), hotkey([...])
        if len(args) == 1:
            keys = args[0] if isinstance(args[0], list) else str(args[0]).split("+")
        else:
            keys = args
        return {"action": name, "keys": keys, **kwargs}
    if name == "press" and len(args) == 1:  # press('Enter') presses on the focused element
        return {"action": name, "key": args[0], **kwargs}
    if len(args) > len(fields):
        raise ActionError(f"{name} takes at most {len(fields)} arguments ({', '.join(fields)})")
    data = dict(zip(fields, args, strict=False))
    data.update(kwargs)
    for key in ("element", "to"):  # click(12) means element "12"
        if isinstance(data.get(key), int) and not isinstance(data[key], bool):
            data[key] = str(data[key])
    return {"action": name, **data}


def _expression(text: str, example: str) -> ast.expr:
    """The parsed expression of a call string, measured token by token first."""
    check_length(text)
    depth = count = operators = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            count += 1
            if token.type == tokenize.OP and token.string in _OPEN:
                depth += 1
            elif token.type == tokenize.OP and token.string in _CLOSE:
                depth -= 1
            elif token.type == tokenize.STRING and "f" in _prefix(token.string).lower():
                # an f-string's fields are expressions the parser parses: not a literal
                raise ActionError(f"arguments must be literals, not f-strings: {short(text)}")
            elif token.type not in (tokenize.NUMBER, tokenize.STRING, *_LAYOUT) and (
                token.string not in _PUNCTUATION
            ):
                operators += 1  # a name, a sign, any other operator or a stray character
            if depth > MAX_DEPTH:
                raise ActionError(f"the action nests brackets deeper than {MAX_DEPTH} levels")
            if count > MAX_VALUES or operators > MAX_OPERATORS:
                raise ActionError(
                    f"an action is one call with literal arguments; {short(text)} holds more "
                    f"than {MAX_VALUES} tokens or {MAX_OPERATORS} names and operators"
                )
    except tokenize.TokenError:
        pass  # it ends inside brackets or a string (every token was measured): ast words it
    except SyntaxError as exc:  # an indentation the tokenizer refuses
        raise ActionError(f"cannot parse action {short(text)}: {exc.msg}") from None
    try:
        return ast.parse(text, mode="eval").body
    except (SyntaxError, ValueError) as exc:  # ValueError: a null character
        problem = exc.msg if isinstance(exc, SyntaxError) else str(exc)
        raise ActionError(
            f"cannot parse action {short(text)}: {problem} (write e.g. {example})"
        ) from None


def _prefix(string: str) -> str:
    """A string literal's prefix (`r`, `b`, `f`, …)."""
    return string[: len(string) - len(string.lstrip("rRbBuUfF"))]


def _literal(node: ast.expr, name: str) -> Any:
    """The value of a literal argument (its size is bounded by `read_call`).

    Raises:
        ActionError: the argument is not a literal, or a set or dict that cannot be built.
    """
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError):  # TypeError: {[]: 1}, an unhashable key
        raise ActionError(f"{name}: arguments must be literals (numbers, strings)") from None


def plain(value: Any, depth: int = 0, counted: list[int] | None = None) -> Any:
    """A copy of an action given as objects, in plain types, nesting and size bounded: dicts with
    string keys, lists (from lists or tuples), strings, numbers, booleans and None.

    Raises:
        ActionError: too deep, too many values, a key that is not a short string, or a value of
            another type.
    """
    counted = counted if counted is not None else [0]
    counted[0] += 1
    if counted[0] > MAX_VALUES:
        raise ActionError(f"the action holds more than {MAX_VALUES} values")
    if isinstance(value, dict | list | tuple) and depth >= MAX_DEPTH:
        raise ActionError(f"the action nests objects and lists deeper than {MAX_DEPTH} levels")
    if isinstance(value, dict):
        copy = {}
        for key, item in dict.items(value):
            if not isinstance(key, str) or len(key) > MAX_STRING_CHARS:
                raise ActionError(f"an action's keys are field names, not {short(key)}")
            copy[str.__str__(key)] = plain(item, depth + 1, counted)
        return copy
    if isinstance(value, list | tuple):
        return [plain(item, depth + 1, counted) for item in value]
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return str.__str__(value)  # a str subclass's own methods are not run later
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):  # numpy's numbers too
        return float(value)
    raise ActionError(
        "an action holds strings, numbers, booleans, null, lists and objects; "
        f"not {type(value).__name__}"
    )


# The position fields of the pointer actions, and the viewport axis each is on (0: x, 1: y).
_AXES = {"x": 0, "x1": 0, "x2": 0, "y": 1, "y1": 1, "y2": 1}


def check_position(action: BaseModel, viewport: tuple[int, int], margin: float) -> None:
    """Raises: ActionError: a position of `action` is more than `margin` px off the viewport."""
    for name, axis in _AXES.items():
        value = getattr(action, name, None)
        if value is not None and not -margin <= value <= viewport[axis] + margin:
            width, height = viewport
            beyond = f", or up to {margin:g} px beyond it" if margin else ""
            raise ActionError(
                f"{getattr(action, 'action', '')}: {name}={value:g} is off the page: positions are "
                f"within the {width}x{height} viewport (x 0-{width}, y 0-{height}){beyond}"
            )


# ---- what the env gives back ---------------------------------------------------------------------
# The longest first page of any task's tree is 12,114 characters (mail, measured over every task of
# core and miniwob); a page eight times that is cut, with a note. A longer limit costs every step of
# a vector env: Gymnasium copies a text through shared memory one character slot at a time.
MAX_AXTREE_CHARS = 100_000
MAX_GOAL_CHARS = 4_096  # the longest goal of a task is 209 characters
# An action's error, and what the page tried to reach (10 attempts of 200 characters at most).
MAX_ERROR_CHARS = 4_096
MAX_TABS_CHARS = 8_192  # "0: URL (active)" a line; a page can open any number of tabs
# Each text field of an observation and its length limit; a URL is bounded as a `goto`'s is.
OBSERVATION_TEXT_LIMITS = {
    "goal": MAX_GOAL_CHARS,
    "url": MAX_STRING_CHARS,
    "axtree": MAX_AXTREE_CHARS,
    "last_action_error": MAX_ERROR_CHARS,
    "tabs": MAX_TABS_CHARS,
}
# The characters an observation shows as they are (first and last code point of each range): what
# the apps show and everyday European text, symbols and emoji. Everything else is written as an
# escape: controls, invisible marks (soft hyphen, zero-width space and joiners, direction
# overrides), lone surrogates, and the scripts beyond, CJK among them (its 21,000 ideographs would
# make each `Text` space several times as costly to build, copy and compare). Code points, not
# Unicode categories: the set is the same under every Python (a sandbox's and the host's).
OBSERVATION_CHARSET_RANGES = (
    (0x09, 0x0A),  # tab, newline
    (0x20, 0x7E),  # ASCII
    (0xA0, 0xAC),  # Latin-1 (without its controls and the soft hyphen)
    (0xAE, 0x52F),  # Latin-1, Latin Extended, IPA, combining accents, Greek, Cyrillic
    (0x1E00, 0x1FFF),  # Latin Extended Additional (Vietnamese), Greek Extended
    (0x2010, 0x2027),  # dashes, quotes, daggers, bullets, ellipsis
    (0x202F, 0x205E),  # narrow no-break space, per mille, primes, more punctuation
    (0x2070, 0x2BFF),  # super- and subscripts, currency, arrows, maths, shapes, symbols, dingbats
    (0xFE0F, 0xFE0F),  # "as an emoji" (☀️)
    (0xFFFD, 0xFFFD),  # the replacement character
    (0x1F1E6, 0x1F1FF),  # flags' letters
    (0x1F300, 0x1F64F),  # pictographs (📌, 🔒) and faces
    (0x1F680, 0x1F6FF),  # transport and map symbols
    (0x1F900, 0x1F9FF),  # more pictographs
)
# The tree writes every name, description and value as a JSON string, so there an escape is JSON's
# (`\ud83e\udd80`, a pair, beyond U+FFFF) and a backslash in the page's text is already `\\`:
# `json.loads` of a name gives the page's own text. The other fields are plain text: a backslash is
# written `\\` too, so that a page's literal `\u786e` (`\\u786e`) and 确定 (`\u786e`) differ, and
# a character beyond U+FFFF is one `\U0001f700`, so that it and the two surrogates of its JSON
# pair (which a Python string, an agent's echoed action, can hold apart) differ too.
_PLAIN_ESCAPE = re.compile(r"\\(?:(\\)|u([0-9a-fA-F]{4})|U(0010[0-9a-fA-F]{4}|000[0-9a-fA-F]{5}))")
# A cut's end: a run of backslashes and what may follow the run's last one. An odd run's last
# backslash starts an escape the cut broke off (or a `\\` cut in half), which would read as
# something else; an even run is whole `\\`s.
_ESCAPE_AT_END = re.compile(r"(\\+)(u[0-9a-fA-F]{0,3}|U[0-9a-fA-F]{0,7})?$")
# In the tree, a high surrogate's escape there may be the first half of a JSON pair.
_HIGH_SURROGATE_AT_END = re.compile(r"(\\+)u[dD][89abAB][0-9a-fA-F]{2}$")


@functools.cache
def observation_charset() -> str:
    """Every character an observation's text shows as it is (`OBSERVATION_CHARSET_RANGES`)."""
    return "".join(
        chr(c) for first, last in OBSERVATION_CHARSET_RANGES for c in range(first, last + 1)
    )


@functools.cache
def _charset_set() -> frozenset[str]:
    return frozenset(observation_charset())


@functools.cache
def _escaped(tree: bool) -> re.Pattern[str]:
    """The characters written as escapes: those outside the charset, and in plain text `\\`."""
    ranges = "".join(f"\\U{first:08x}-\\U{last:08x}" for first, last in OBSERVATION_CHARSET_RANGES)
    return re.compile(f"[^{ranges}]" if tree else f"[^{ranges}]|\\\\")


def _json_escape(match: re.Match[str]) -> str:
    return json.dumps(match.group())[1:-1]  # ASCII: "\ud83d\ude00" for one character beyond U+FFFF


def _plain_escape(match: re.Match[str]) -> str:
    point = ord(match.group())
    if point == 0x5C:
        return "\\\\"
    return f"\\u{point:04x}" if point <= 0xFFFF else f"\\U{point:08x}"


def observation_text(text: str, limit: int, *, tree: bool = False) -> str:
    r"""`text` as an observation shows it: each character outside `observation_charset()` as an
    escape, and at most `limit` characters, a longer text cut (at a line's end if it has lines,
    never inside an escape) and ended with a note of its full length.

    Plain text (every field but the tree) writes a backslash as `\\`, a character up to U+FFFF as
    `\uXXXX` and one beyond as `\UXXXXXXXX`; `page_text` reads them back. The tree (`tree=True`)
    is the env's accessibility-tree text, whose names are JSON strings: there a character is
    written as its JSON escape and backslashes are left as they are, JSON's own.

    >>> observation_text("Zoë \u200b🙂 确定 \\u786e", 100)
    'Zoë \\u200b🙂 \\u786e\\u5b9a \\\\u786e'
    >>> observation_text('[1] button "确定 \\\\"', 100, tree=True)
    '[1] button "\\u786e\\u5b9a \\\\"'
    >>> observation_text("x" * 100, 50)
    'xxxxxxxxx…[cut short: the text has 100 characters]'
    """
    escape = _json_escape if tree else _plain_escape
    shown = _escaped(tree).sub(escape, text[:limit])  # an escape is longer, never shorter
    if len(text) <= limit and len(shown) <= limit:
        return shown
    lines = "\n" in shown
    note = ("\n" if lines else "") + f"…[cut short: the text has {len(text):,} characters]"
    head = shown[: max(limit - len(note), 0)]
    end = head.rfind("\n")
    if lines and end > 0:
        head = head[:end]  # no line shown in part (a name's JSON string cut open)
    return _whole_escapes(head, tree) + note


def _whole_escapes(head: str, tree: bool) -> str:
    """`head` without an escape the cut broke off at its end."""
    for end in (_ESCAPE_AT_END, _HIGH_SURROGATE_AT_END) if tree else (_ESCAPE_AT_END,):
        broken = end.search(head)
        if broken and len(broken[1]) % 2:
            head = head[: broken.end(1) - 1]
    return head


def page_text(shown: str) -> str:
    r"""The text a plain observation field (`goal`, `url`, `last_action_error`, `tabs`) shows, as
    it was: `observation_text`'s escapes read back. A cut text reads back as the part shown and
    the note. The tree's names are JSON strings: `officegym.agents.axtree.parse_axtree` reads them.

    >>> page_text("\\u786e\\u5b9a \\\\u786e \\U0001f700")
    '确定 \\u786e \U0001f700'
    """
    return _PLAIN_ESCAPE.sub(_unescape, shown)


def _unescape(match: re.Match[str]) -> str:
    if match[1]:
        return "\\"
    return chr(int(match[2] or match[3], 16))


def bound_observation(obs: dict[str, Any], *, already_shown: bool = False) -> dict[str, Any]:
    """`obs` with each text field within its space (`OBSERVATION_TEXT_LIMITS`, the charset).

    `already_shown`: `obs` is another env's observation (a sandbox's), so a text already in its
    space is kept as it is: escaping it again would double its backslashes.
    """
    charset = _charset_set()

    def bound(name: str, value: str) -> str:
        limit = OBSERVATION_TEXT_LIMITS[name]
        if already_shown and len(value) <= limit and charset.issuperset(value):
            return value
        return observation_text(value, limit, tree=name == "axtree")

    return {
        name: bound(name, value)
        if name in OBSERVATION_TEXT_LIMITS and isinstance(value, str)
        else value
        for name, value in obs.items()
    }
