"""Injected instructions: an attacker's text planted in the data an agent reads during a task,
asking it to do something the user did not ask (forward data to an outside address, change a
setting, delete something, post a secret). The `inject` variant (`officegym.tasks.variants`)
plays a template that declares an `Injection`; the episode then reports `attacked` (the attack's
checkpoints all passed) beside `success` (the user's task).

To add an attack: `register_attack(Attack(...))` beside the app's tasks, with its request, its
checkpoints read from the final state, and the plan an obedient agent follows. To let a template
carry one: set its `injection = Injection(attacks=(...), plant=...)`, where `plant` writes the
dressed text into data the task has the agent read (docs/variants.md, "inject").
"""

from officegym.tasks import _attacks
from officegym.tasks._attacks import (
    INJECT_VARIANT,
    INJECTION_PARAM,
    STYLES,
    Attack,
    Injection,
    attack_checkpoints,
    dress,
    register_attack,
    text_image_data_url,
)
from officegym.tasks._registry import task_ids


def attacks() -> dict[str, Attack]:
    """Every registered attack by name (the task catalogue, which registers them beside the
    apps' tasks, is loaded first)."""
    task_ids()
    return _attacks.attacks()


def get_attack(name: str) -> Attack:
    """The attack of this name (the task catalogue loaded first).

    Raises:
        UnknownNameError: no attack has that name (with close names).
    """
    task_ids()
    return _attacks.get_attack(name)


__all__ = [
    "INJECTION_PARAM",
    "INJECT_VARIANT",
    "STYLES",
    "Attack",
    "Injection",
    "attack_checkpoints",
    "attacks",
    "dress",
    "get_attack",
    "register_attack",
    "text_image_data_url",
]
