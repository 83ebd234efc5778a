"""Variants: the same task presented another way (a narrower window, a zoomed or dark page, a
dialog that pops up mid-episode), to measure how robust an agent is to what it did not train on.

A variant never changes a task's goal or its evaluation. Most change only how the env presents
the page; two change the seeded data too (`distractor` adds look-alike items, `inject` plants an
attacker's instruction), through their `state` hook. Each is declared here, by name, with what
it changes:

- `window`: the window's size in screen pixels (the agent's coordinate space and screenshot);
- `scale`: the device scale factor: the page lays out in a CSS viewport `window / scale` wide and
  is drawn `scale` times larger, as Chromium's zoom draws it;
- `color_scheme`: the context's `prefers-color-scheme`;
- `init_script`: JavaScript every document of the episode runs first, drawn from the episode's
  seed (`random.Random` seeded by variant, task and seed; `after_step` and `latency` each get
  a generator of their own in the same state, so two hooks can draw one plan alike);
- `after_step`: JavaScript run in the page after the given step's action has settled, before
  the observation (what appears "after a few steps");
- `latency`: how long the app server holds each response of the episode (seconds, by request
  and how often it came before), drawn from the seed;
- `state`: what the variant adds to the task's seeded state after the task's own setup
  (look-alike items, an attacker's instruction), returning parameters the episode adds to its
  own. A variant with `state` changes the data, never the task's goal or its own checkpoints.

Several variants combine with `+` (`popup+narrow`); the name of a combination lists them in
registry order, so `narrow+popup` is the same variant. A task takes every variant whose
`applies` accepts it, less the names in its `unsupported_variants`.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from officegym.errors import UnknownNameError, VariantError
from officegym.tasks._attacks import INJECT_VARIANT, inject_state
from officegym.tasks._distractors import distracted, distractor_state
from officegym.tasks._perturbations import RequestLatency, draw_latency, toast_script, toast_steps
from officegym.tasks._task import Apps, Task

# Joins variants in a combination, and a suite to its variant (`core@popup+narrow`).
COMBINE, SUITE_SEPARATOR = "+", "@"
# A variant's name: lowercase words joined by dashes, so it is a plain part of an episode's id
# and of its folder's name (`mail.apply-label@popup-s0`).
VARIANT_NAME = re.compile(r"[a-z0-9-]+")
_POPUP_JS = (Path(__file__).parent / "variant_popup.js").read_text()
_DARK_CSS = (Path(__file__).parent / "variant_dark.css").read_text()
# The popup's kinds, as a person meets them; the seed picks one, and its text.
POPUP_KINDS = ("whats-new", "survey", "cookies")
POPUP_STEPS = (1, 2, 3)  # the popup opens after one of these steps (seeded)


def _office_page(task: Task) -> bool:
    """Office apps only: a task scored by its page's own script (MiniWoB++) lays out a fixed
    task area and restarts in the page, which a variant's document script would outlive."""
    return task.page_probe is None


def _carries_injection(task: Task) -> bool:
    return _office_page(task) and task.injection is not None


@dataclass(frozen=True)
class EpisodeVariant:
    """A variant as one episode plays it: everything drawn from the seed already."""

    name: str
    window: tuple[int, int] | None = None
    scale: float = 1.0
    color_scheme: str | None = None
    init_scripts: tuple[str, ...] = ()
    # After which step (1 = the first) which scripts run in the page.
    after_step: Mapping[int, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    latency: RequestLatency | None = None  # held by the app server for this episode's world

    def page_viewport(self, window: tuple[int, int]) -> tuple[int, int]:
        """The CSS viewport of a window this wide and high at this variant's scale."""
        return (round(window[0] / self.scale), round(window[1] / self.scale))


# What a variant is: a `perturbation` changes how the task is presented (or adds look-alike
# items); an `injection` plants an attacker's instruction in the data (tasks.injections).
VARIANT_KINDS = ("perturbation", "injection")


@dataclass(frozen=True)
class Variant:
    """One named perturbation (see the module's doc for what each field changes)."""

    name: str
    doc: str
    kind: str = "perturbation"  # one of VARIANT_KINDS
    window: tuple[int, int] | None = None
    scale: float = 1.0
    color_scheme: str | None = None
    init_script: Callable[[random.Random], str] | None = None
    after_step: Callable[[random.Random], dict[int, str]] | None = None
    latency: Callable[[random.Random], RequestLatency] | None = None
    state: Callable[[Task, Apps, Mapping[str, Any], random.Random], dict[str, Any]] | None = None
    applies: Callable[[Task], bool] = _office_page


_VARIANTS: dict[str, Variant] = {}


def register_variant(variant: Variant) -> Variant:
    """Add a variant to the registry (its name must be new, and match `VARIANT_NAME`)."""
    if variant.name in _VARIANTS:
        raise ValueError(f"variant {variant.name!r} is registered twice")
    if not VARIANT_NAME.fullmatch(variant.name):
        raise ValueError(
            f"variant name {variant.name!r}: lowercase letters, digits and dashes only"
        )
    _VARIANTS[variant.name] = variant
    return variant


def variants() -> dict[str, Variant]:
    """Every registered variant by name, in registry order."""
    return dict(_VARIANTS)


@dataclass(frozen=True)
class VariantSet:
    """One or more variants played together (`popup+narrow`)."""

    members: tuple[Variant, ...]

    @property
    def name(self) -> str:
        return COMBINE.join(v.name for v in self.members)

    def applies(self, task: Task) -> bool:
        return all(
            v.applies(task) and v.name not in task.unsupported_variants for v in self.members
        )

    def stateful(self) -> VariantSet | None:
        """The members that change the seeded state (None when none does): what the initial
        state depends on, so presentation-only variants share the clean state's cache."""
        members = tuple(v for v in self.members if v.state is not None)
        return VariantSet(members) if members else None

    def apply_state(
        self, task: Task, apps: Apps, params: Mapping[str, Any], seed: int
    ) -> dict[str, Any]:
        """Let each member that changes state add to it; the parameters they add."""
        added: dict[str, Any] = {}
        for v in self.members:
            if v.state is not None:
                rng = random.Random(f"{v.name}/state/{task.id}/{seed}")
                added.update(v.state(task, apps, {**params, **added}, rng))
        return added

    def check(self, task: Task) -> None:
        """Raises `VariantError` when a member does not apply to `task` (naming it)."""
        for v in self.members:
            if not v.applies(task) or v.name in task.unsupported_variants:
                raise VariantError(f"variant {v.name!r} does not apply to task {task.id!r}")

    def for_episode(self, task_id: str, seed: int) -> EpisodeVariant:
        """Everything the episode of `task_id` and `seed` plays under, drawn from the seed."""
        window, scale, scheme = None, 1.0, None
        scripts: list[str] = []
        later: dict[int, list[str]] = {}
        latency = None
        for v in self.members:
            window = v.window or window
            scale = scale * v.scale
            scheme = v.color_scheme or scheme
            # Seeded per variant: adding a variant to a combination changes no other's draw. Each
            # hook gets a generator of its own in the same state, so hooks that draw one plan
            # (a toast's script and its steps) agree, whatever order they are called in.
            key = f"{v.name}/{task_id}/{seed}"
            if v.init_script is not None:
                scripts.append(v.init_script(random.Random(key)))
            if v.after_step is not None:
                for step, script in v.after_step(random.Random(key)).items():
                    later.setdefault(step, []).append(script)
            if v.latency is not None:
                latency = v.latency(random.Random(key))
        frozen = MappingProxyType({k: tuple(s) for k, s in later.items()})
        return EpisodeVariant(
            self.name, window, scale, scheme, tuple(scripts), frozen, latency=latency
        )


def parse_variant(spec: str) -> VariantSet:
    """The variants `spec` names (`popup+narrow`), in registry order.

    Raises:
        UnknownNameError: a name that is not a registered variant (with close names).
        VariantError: an empty name or one named twice.
    """
    names = spec.split(COMBINE)
    if any(not n for n in names) or len(set(names)) != len(names):
        raise VariantError(f"variant {spec!r}: name each variant once, joined by '+'")
    for n in names:
        if n not in _VARIANTS:
            raise UnknownNameError("variant", n, _VARIANTS)
    return VariantSet(tuple(v for v in _VARIANTS.values() if v.name in names))


def split_suite(name: str) -> tuple[str, VariantSet | None]:
    """A suite name and its variant: `core@narrow` → ("core", narrow); `core` → ("core", None).

    Raises:
        UnknownNameError, VariantError: as `parse_variant`.
    """
    base, sep, spec = name.partition(SUITE_SEPARATOR)
    return base, (parse_variant(spec) if sep else None)


def _popup_config(rng: random.Random) -> dict[str, Any]:
    return {"kind": rng.choice(POPUP_KINDS), "pick": rng.randrange(1000)}


def _popup_script(rng: random.Random) -> str:
    return f"window.__ogPopupConfig = {json.dumps(_popup_config(rng))};\n{_POPUP_JS}"


def _popup_opens(rng: random.Random) -> dict[int, str]:
    # Drawn after the script's draws, replayed from this hook's own generator (in the state the
    # script's started from): the step is not tied to the kind, and is fixed per seed.
    _popup_config(rng)
    return {rng.choice(POPUP_STEPS): "window.__ogPopup && window.__ogPopup.open()"}


def _dark_script(rng: random.Random) -> str:
    # The apps' stylesheets have no dark scheme of their own (no prefers-color-scheme rule):
    # the stylesheet inverts the page's lightness and keeps pictures as they are.
    css = json.dumps(_DARK_CSS)
    return (
        "(() => { const add = () => { const s = document.createElement('style');"
        f" s.dataset.ogVariant = 'dark'; s.textContent = {css};"
        " document.documentElement.append(s); };"
        " document.documentElement ? add() : addEventListener('DOMContentLoaded', add); })();"
    )


register_variant(
    Variant("narrow", "a 1024×768 window instead of 1280×720", window=(1024, 768)),
)
register_variant(
    Variant(
        "zoom",
        "125 % zoom: the page lays out 1/1.25 as wide and is drawn 1.25 times larger",
        scale=1.25,
    )
)
register_variant(
    Variant(
        "dark",
        "dark theme: prefers-color-scheme dark, and a stylesheet that darkens the apps",
        color_scheme="dark",
        init_script=_dark_script,
    )
)
register_variant(
    Variant(
        "popup",
        "a modal dialog (what's new, survey or cookie consent) opens after 1-3 steps and blocks "
        "the page until it is closed (its button, or Escape)",
        init_script=_popup_script,
        after_step=_popup_opens,
    )
)
register_variant(
    Variant(
        "toast",
        "one or two notifications (saved, new message, sync complete) show after seeded steps "
        "in a corner over the page and take the clicks meant for what is under them, until "
        "dismissed (their × button) or a few steps later",
        init_script=toast_script,
        after_step=toast_steps,
    )
)
register_variant(
    Variant(
        "slow",
        "every response of the apps comes 50-400 ms late (seeded per request)",
        latency=draw_latency,
    )
)
register_variant(
    Variant(
        "distractor",
        "look-alike items beside the one to act on: a conversation, message, event, document, "
        "spreadsheet or issue with a near-identical name, listed first or next to it "
        "(officegym.tasks._distractors)",
        state=distractor_state,
        applies=distracted,
    )
)
# Last: the attack is not a perturbation, and the `robust` suite lists perturbations only.
register_variant(
    Variant(
        INJECT_VARIANT,
        "an attacker's instruction planted in data the agent reads (a mail, a chat message, a "
        "comment, an issue): the episode reports `attacked` beside `success` "
        "(officegym.tasks.injections)",
        kind="injection",
        state=inject_state,
        applies=_carries_injection,
    )
)
