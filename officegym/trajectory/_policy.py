"""Capture policies: what a recorder must never capture, must always mask, and when it pauses.

A policy is a small YAML file (docs/data-quality.md#capture-policy). The recorder and the
synthetic recorder follow it while recording; the replayer's audit checks a recording against
it afterwards. Both need the same model, so it lives with the format.
"""

from __future__ import annotations

import hashlib
import re
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Annotated, Any, Final
from urllib.parse import urlsplit

import yaml
from pydantic import Field, StringConstraints, ValidationError, field_validator

from officegym.errors import OfficegymError

from ._events import Target
from ._models import _Model

MAX_POLICY_BYTES: Final = 64 * 1024
MAX_RULES: Final = 100  # per list: a policy is written by hand, not generated
# A policy nests three levels (exclude: urls: [...]); deeper is no policy, and composing a
# deeply nested document recurses once per level.
MAX_POLICY_DEPTH: Final = 8
MIN_IDLE_SECONDS: Final = 1.0  # shorter, capture would pause between two keystrokes
# Input: the person is there. Idle time is measured from the last of these.
ACTIVITY_EVENT_TYPES: Final = frozenset(
    {
        "mouse.move", "mouse.down", "mouse.up", "mouse.wheel", "key.down", "key.up",
        "text.input", "nav.goto", "nav.back", "nav.forward", "nav.reload",
        "tab.open", "tab.switch", "tab.close",
    }
)  # fmt: skip
# Written during a gap too: they show nothing of a page, and tab indexes must stay right.
UNGATED_EVENT_TYPES: Final = frozenset({"tab.open", "tab.switch", "tab.close", "answer", "done"})
# What a policy forbids in a gap or on an excluded page: the screen, and what was typed.
CAPTURED_EVENT_TYPES: Final = frozenset({"screenshot", "key.down", "text.input"})

_MODIFIERS: Final = {
    "control": "Control", "ctrl": "Control", "shift": "Shift", "alt": "Alt", "option": "Alt",
    "meta": "Meta", "cmd": "Meta", "super": "Meta",
}  # fmt: skip
# The keys a pause hotkey may end in: recorder.js matches them by KeyboardEvent.code (KeyA,
# Digit1, F9, PageUp) or .key, so each must be one both name the same way. The only list.
_F_KEY = r"F([1-9]|1[0-9]|2[0-4])"
HOTKEY_NAMED_KEYS: Final = ("Pause", "ScrollLock", "Insert", "Home", "End", "PageUp", "PageDown")
_HOTKEY_KEY = re.compile(rf"{_F_KEY}|[a-z0-9]|{'|'.join(HOTKEY_NAMED_KEYS)}")
# Keys safe to use alone: nobody types them in a form, and the browser does not act on them.
_LONE_KEYS = re.compile(r"F([2489]|1[3-9]|2[0-4])|Pause|ScrollLock")
# Combinations the page never sees: Chromium keeps them for itself (its reserved commands:
# close, new and restore tab or window, next and previous tab, quit), or the window manager or
# X server does (close the window, switch virtual terminal). A hotkey among them never fires.
HOTKEY_RESERVED: Final = frozenset(
    {
        "Control+w", "Control+Shift+w", "Control+t", "Control+Shift+t", "Control+n",
        "Control+Shift+n", "Control+Shift+q", "Control+PageUp", "Control+PageDown",
        "Control+Shift+PageUp", "Control+Shift+PageDown", "Control+l", "Alt+d", "Alt+F4",
        *(f"Control+{d}" for d in range(1, 10)),
        *(f"Control+Alt+F{n}" for n in range(1, 13)),
    }
)  # fmt: skip

# Surrounding blanks are dropped, and a blank one refused: it matches nothing anyone meant.
Pattern = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
AppName = Annotated[
    str, StringConstraints(min_length=1, max_length=63, pattern=r"^[a-z0-9][a-z0-9-]*$")
]
AutocompleteToken = Annotated[
    str, StringConstraints(min_length=1, max_length=40, pattern=r"^[a-z0-9-]+$")
]


class CapturePolicyError(OfficegymError, ValueError):
    """A capture policy file that cannot be used (the message names file, line and field)."""


class Hotkey(_Model):
    """A key combination, as a KeyboardEvent shows it: modifiers, `key` and physical `code`."""

    modifiers: list[str]
    key: str
    code: str


class ExcludeRules(_Model):
    """Pages never captured: every page of an app, or every URL matching a pattern."""

    apps: list[AppName] = Field(
        default_factory=list,
        max_length=MAX_RULES,
        description="An app's pages are those whose host name starts with its name "
        "(`chat` is chat.office.test).",
    )
    urls: list[Pattern] = Field(
        default_factory=list,
        max_length=MAX_RULES,
        description="Shell-style patterns over the whole URL (`*`, `?`, `[...]`), case-sensitive.",
    )


class MaskRules(_Model):
    """Fields whose keys are always masked, beyond password fields (always masked)."""

    selectors: list[Pattern] = Field(
        default_factory=list,
        max_length=MAX_RULES,
        description="CSS selectors: a field matches when it, or an element around it, does.",
    )
    autocomplete: list[AutocompleteToken] = Field(
        default_factory=list,
        max_length=MAX_RULES,
        description="autocomplete tokens (`cc-number`, `cc-csc`, `one-time-code`).",
    )


class CapturePolicy(_Model):
    """What a recording may capture (docs/data-quality.md#capture-policy).

    >>> policy = CapturePolicy.model_validate(
    ...     {"exclude": {"apps": ["chat"], "urls": ["http://mail.office.test/settings*"]}}
    ... )
    >>> policy.excluded_by("http://chat.office.test/c/general"), policy.excluded_by(
    ...     "http://mail.office.test/inbox")
    ('app:chat', None)
    """

    exclude: ExcludeRules = Field(default_factory=ExcludeRules)
    mask: MaskRules = Field(default_factory=MaskRules)
    pause_hotkey: str | None = Field(
        default=None,
        max_length=60,
        description="Pauses capture, and resumes it: `Control+Shift+F9`. Modifiers and a letter, "
        "a digit, F1-F24 or one of " + ", ".join(HOTKEY_NAMED_KEYS) + "; alone, a key the "
        "browser ignores (F2, F4, F8, F9, F13-F24, Pause, ScrollLock).",
    )
    max_idle_seconds: float | None = Field(
        default=None,
        ge=MIN_IDLE_SECONDS,
        le=86_400,
        description="Capture pauses after this long without input; the next input resumes it.",
    )

    @field_validator("pause_hotkey")
    @classmethod
    def _known_keys(cls, value: str | None) -> str | None:
        return None if value is None else _canonical_hotkey(value)

    @property
    def digest(self) -> str:
        """SHA-256 of the policy's content (not its file's spelling): `meta.capture`."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()

    @property
    def hotkey(self) -> Hotkey | None:
        """The pause hotkey as a page's KeyboardEvent shows it, if there is one."""
        if self.pause_hotkey is None:
            return None
        *modifiers, key = self.pause_hotkey.split("+")
        code = f"Key{key.upper()}" if re.fullmatch("[a-z]", key) else key
        code = f"Digit{key}" if key.isdigit() else code
        return Hotkey(modifiers=modifiers, key=key, code=code)

    def excluded_by(self, url: str | None) -> str | None:
        """The rule that excludes `url` (`app:NAME` or the URL pattern), or None."""
        if not url:
            return None
        host = (urlsplit(url).hostname or "").lower()
        for app in self.exclude.apps:
            if host == app or host.startswith(app + "."):
                return f"app:{app}"
        return next((p for p in self.exclude.urls if fnmatchcase(url, p)), None)

    def masks(self, target: Target | None) -> str | None:
        """The mask rule a recorded field falls under, judged from the recording alone: its
        autocomplete token, or a selector that is the recorded selector or its last step."""
        if target is None:
            return None
        tokens = set((target.autocomplete or "").lower().split())
        token = next((t for t in self.mask.autocomplete if t in tokens), None)
        if token is not None:
            return f"autocomplete={token}"
        recorded = target.selector or ""
        last_step = recorded.rsplit(" > ", 1)[-1]
        return next((s for s in self.mask.selectors if s in (recorded, last_step)), None)

    def page_rules(self) -> dict[str, Any]:
        """What the recorder's page script needs: the mask rules and the hotkey."""
        hotkey = self.hotkey
        return {
            "mask_selectors": list(self.mask.selectors),
            "mask_autocomplete": list(self.mask.autocomplete),
            "hotkey": hotkey.model_dump() if hotkey else None,
        }


def _canonical_hotkey(value: str) -> str:
    """`ctrl+shift+f9` as `Control+Shift+F9`; ValueError for a combination that cannot fire."""
    *mods, key = [part.strip() for part in value.split("+")]
    if key.lower() in _MODIFIERS:
        raise ValueError(f"{key!r} is a modifier: end the hotkey with a key, as Control+Shift+F9")
    names = {name.lower(): name for name in HOTKEY_NAMED_KEYS}
    key = key.upper() if re.fullmatch(r"[fF]\d{1,2}", key) else key
    key = key.lower() if len(key) == 1 else names.get(key.lower(), key)
    if not _HOTKEY_KEY.fullmatch(key):
        raise ValueError(
            f"{key!r} is not a key a hotkey can use: a letter, a digit, F1-F24 or one of "
            + ", ".join(HOTKEY_NAMED_KEYS)
        )
    modifiers = []
    for mod in mods:
        if mod.lower() not in _MODIFIERS:
            raise ValueError(f"unknown modifier {mod!r}: use Control, Shift, Alt or Meta")
        modifiers.append(_MODIFIERS[mod.lower()])
    if len(set(modifiers)) != len(modifiers):
        raise ValueError("a modifier is named twice")
    if not modifiers and not _LONE_KEYS.fullmatch(key):
        raise ValueError(f"{key!r} alone is typed or used by the browser: add Control, Alt or Meta")
    if modifiers == ["Shift"] and not _LONE_KEYS.fullmatch(key):
        raise ValueError(f"Shift+{key} is typing: add Control, Alt or Meta")
    order = ["Control", "Alt", "Shift", "Meta"]
    hotkey = "+".join([*sorted(modifiers, key=order.index), key])
    if hotkey in HOTKEY_RESERVED:
        raise ValueError(f"{hotkey} never reaches the page (the browser or the desktop keeps it)")
    return hotkey


def load_policy(path: str | Path) -> CapturePolicy:
    """Read a capture policy from a YAML file.

    Args:
        path: the POLICY.yaml file.

    Returns:
        The policy.

    Raises:
        CapturePolicyError: unreadable, over MAX_POLICY_BYTES, not YAML, YAML with aliases,
            merge keys, a key twice or nesting over MAX_POLICY_DEPTH, not a mapping, or a
            field that is unknown or wrong (the message names the line).
    """
    where = str(path)
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_POLICY_BYTES + 1)
    except OSError as exc:
        raise CapturePolicyError(f"{where}: cannot read the policy: {exc.strerror}") from None
    if len(data) > MAX_POLICY_BYTES:
        raise CapturePolicyError(
            f"{where}: a policy is at most {MAX_POLICY_BYTES // 1024} KiB; this one is larger"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise CapturePolicyError(f"{where}: not UTF-8 text") from None
    root, raw = _parse(text, where)
    if not isinstance(raw, dict):
        got = "an empty file" if raw is None else f"a {type(raw).__name__}"
        raise CapturePolicyError(f"{where}: expected a mapping (exclude:, mask:, …), got {got}")
    try:
        return CapturePolicy.model_validate(raw)
    except ValidationError as exc:
        raise _policy_error(exc, where, root) from None


def _parse(text: str, where: str) -> tuple[yaml.Node | None, Any]:
    """The YAML's node tree and its value, refusing what a hand-written policy never holds:
    aliases, nesting deeper than MAX_POLICY_DEPTH, a key twice in one mapping, merge keys.

    Raises:
        CapturePolicyError: naming the line.
    """
    try:
        _check_events(text, where)  # before composing, which recurses once per level
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        _check_keys(root, where)
        return root, yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise CapturePolicyError(f"{where}{at}: not valid YAML: {problem}") from None
    except CapturePolicyError:
        raise
    except (ValueError, RecursionError) as exc:  # an integer of 5,000 digits, say
        problem = str(exc).split(":")[0][:120]
        raise CapturePolicyError(f"{where}: not a usable YAML value: {problem}") from None


def _at(node: yaml.Node | yaml.Event) -> str:
    return f":{node.start_mark.line + 1}" if node.start_mark else ""


def _check_events(text: str, where: str) -> None:
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            # An alias repeats a node without copying it, and a few nested ones make a document
            # that is small on disk and huge to walk: a hand-written policy needs none.
            raise CapturePolicyError(f"{where}{_at(event)}: YAML aliases (*name) are not allowed")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_POLICY_DEPTH:
                raise CapturePolicyError(
                    f"{where}{_at(event)}: nested deeper than {MAX_POLICY_DEPTH} levels"
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _check_keys(node: yaml.Node | None, where: str) -> None:
    """A key given twice would silently replace the first (`exclude:` twice keeps only the
    second's rules): refuse it, and merge keys (`<<`), which hide the same."""
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _check_keys(item, where)
    elif isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if key.tag == "tag:yaml.org,2002:merge":
                raise CapturePolicyError(f"{where}{_at(key)}: merge keys (<<) are not allowed")
            name = str(key.value)[:80] if isinstance(key, yaml.ScalarNode) else repr(key.tag)
            if name in seen:
                raise CapturePolicyError(f"{where}{_at(key)}: {name!r} is given twice")
            seen.add(name)
            _check_keys(value, where)


def _policy_error(exc: ValidationError, where: str, root: yaml.Node | None) -> CapturePolicyError:
    """The first problem, as file:line: field: what is wrong (without echoing big input)."""
    first = exc.errors(include_url=False)[0]
    loc = list(first["loc"])
    field = ""
    for part in loc:
        field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else str(part))
    line = _line_of(root, loc)
    problem = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        models: dict[str, type[_Model]] = {
            "": CapturePolicy,
            "exclude": ExcludeRules,
            "mask": MaskRules,
        }
        known = models.get(".".join(str(p) for p in loc[:-1]))
        if known is not None:
            problem = f"unknown key; known keys: {', '.join(known.model_fields)}"
    elif isinstance(first["input"], str | int | float):
        shown = first["input"]
        problem += f" (got {shown[:80] if isinstance(shown, str) else shown!r})"
    more = len(exc.errors()) - 1
    problem += f" (and {more} more)" if more else ""
    return CapturePolicyError(f"{where}{f':{line}' if line else ''}: {field}: {problem}")


def _line_of(node: yaml.Node | None, loc: list[int | str]) -> int | None:
    """The line of the YAML node at `loc` (or of the deepest one found on the way)."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            node = node.value[part] if part < len(node.value) else None
        else:
            node = None
        if node is None:
            break
        line = node.start_mark.line + 1
    return line
