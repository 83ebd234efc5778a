"""The agent protocol, the agent registry, and making an agent from its spec.

An agent is what docs/agents.md says it is: a class with `act(observation)` and `reset(info)`, an
object of one, or a plain function `act(observation) -> action`. `load_agent` finds it (an
installed module, a `module.py` in the current folder, or a file by its path), makes it with the
arguments its constructor takes, and checks its shape: each mistake is an `AgentError` that says
what is missing and how to put it right, before any browser starts.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import importlib
import importlib.util
import inspect
import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol, TypeVar, runtime_checkable

from officegym.errors import AgentError, UnknownNameError

AGENTS = {
    "oracle": "officegym.agents.oracle:OracleAgent",
    "obedient": "officegym.agents.obedient:ObedientAgent",
    "random": "officegym.agents.random_agent:RandomAgent",
}
# Where docs/agents.md describes the contract, for the messages that send people there.
CONTRACT = 'docs/agents.md, "Your own agent"'
_MISSING = object()
_Made = TypeVar("_Made")
_NOT_IN_NAME = re.compile(r"\W")  # what a file's name may hold that a module's may not


@runtime_checkable
class Agent(Protocol):
    """What an agent implements.

    `reset(info)` is called as each episode starts, with the env's reset info (task_id, seed,
    params, action_mode, viewport); `act(observation)` returns the next action: an action
    model, a dict, or a call string such as ``"click(120, 48)"`` / ``"click('12')"``.

    An agent may also have a `name` (one without gets its class's name from `load_agent`) and a
    `usage` dict (stored with each episode).
    """

    def reset(self, info: dict[str, Any]) -> None: ...

    def act(self, observation: dict[str, Any]) -> Any: ...


class FunctionAgent:
    """A plain function `act(observation) -> action` as an agent: it keeps nothing between
    episodes, so its `reset` does nothing."""

    def __init__(self, act: Callable[[dict[str, Any]], Any], name: str) -> None:
        self._act, self.name = act, name

    def reset(self, info: dict[str, Any]) -> None:
        return None

    def act(self, observation: dict[str, Any]) -> Any:
        return self._act(observation)


def load_agent(spec: str, seed: int | None = None, **options: Any) -> Agent:
    """Make an agent from its spec.

    Specs: a registered name (`oracle`, `random`); `module:Name` (an installed module, or
    `module.py` in the current folder); `path/to/file.py:Name`; `http://HOST:PORT/PATH` (an agent
    server); `openai-compatible:MODEL@URL` (a model behind a chat-completions API). `Name` is a
    class with `act(observation)` and `reset(info)`, an object of one, or a function
    `act(observation) -> action`; a dotted `Name` reaches inside the module (`Outer.Inner`).

    A class is made with `seed` only if its constructor takes a `seed` (or `**kwargs`), and with
    every one of `options` (`--agent-option`): an option it does not take is an error, not
    dropped. An agent without a `name` gets its class's name.

    Raises:
        UnknownNameError: no agent by that name (and the spec names no module or file).
        AgentError: the module, file or name is not found or fails to import; the constructor
            needs arguments officegym does not give, or fails; or what the spec names is not an
            agent. The message says what is missing and how to fix it.
    """
    if spec.startswith(("http://", "https://")):
        from officegym.agents.remote import HttpAgent, check_agent_url

        check_agent_url(spec)  # first: construct's own errors quote the spec
        return construct(HttpAgent, spec, seed, options, spec)
    if spec.startswith("openai-compatible:"):
        from officegym.agents.remote import ChatCompletionsAgent, parse_chat_spec

        return construct(ChatCompletionsAgent, spec, seed, options, *parse_chat_spec(spec))
    target = AGENTS.get(spec, spec)
    source, _, attribute = target.rpartition(":")
    if not source:
        if _is_path(target):
            raise AgentError(
                f"cannot load agent {spec!r}: it names a file but not the agent in it: "
                f"write {spec}:ClassName (or :function_name)"
            )
        raise UnknownNameError("agent", spec, AGENTS)
    if not attribute:
        raise AgentError(
            f"cannot load agent {spec!r}: it names no agent after the colon: write {spec}ClassName"
        )
    return as_agent(_attribute(_module(source, spec), attribute, spec), spec, seed, options)


def as_agent(obj: Any, spec: str, seed: int | None, options: Mapping[str, Any]) -> Agent:
    """`obj` (a class, an agent object, or a function) as an agent, checked for its shape.

    Raises:
        AgentError: as `load_agent` says.
    """
    agent: Any
    if isinstance(obj, type):
        agent = construct(obj, spec, seed, options)
    elif getattr(obj, "act", _MISSING) is not _MISSING:
        if options:  # an object is already made: there is no constructor to give them to
            raise AgentError(
                f"cannot load agent {spec!r}: it is an object, made already: it cannot "
                f"take the options {', '.join(sorted(options))}; name its class instead"
            )
        agent = obj
    elif callable(obj):
        if options:
            raise AgentError(
                f"cannot load agent {spec!r}: it is a function: it takes no options "
                f"({', '.join(sorted(options))}); make it a class whose constructor takes them"
            )
        name = str(getattr(obj, "__name__", type(obj).__name__))
        _check_one_argument(obj, spec, f"the function {name}", "observation")
        return FunctionAgent(obj, name)
    else:
        raise AgentError(
            f"agent {spec!r} is a {type(obj).__name__}, not an agent: name a class with "
            f"act(observation) and reset(info), or a function act(observation) that returns "
            f"the action ({CONTRACT})"
        )
    check_shape(agent, spec)
    if not isinstance(getattr(agent, "name", None), str):
        with contextlib.suppress(AttributeError, TypeError):  # slots, a frozen dataclass
            agent.name = type(agent).__name__
    return agent  # type: ignore[no-any-return]


def construct(
    cls: type[_Made], spec: str, seed: int | None, options: Mapping[str, Any], *args: Any
) -> _Made:
    """`cls(*args, **options)`, with `seed` too if its constructor takes one.

    Raises:
        AgentError: it does not take an option, needs an argument not given, or raises.
    """
    name = cls.__name__
    kwargs = dict(options)
    try:
        signature: inspect.Signature | None = inspect.signature(cls)
    except (TypeError, ValueError):  # a class implemented in C shows none: call it as it is
        signature = None
    if signature is not None:
        params = signature.parameters
        any_keyword = any(p.kind is p.VAR_KEYWORD for p in params.values())
        keywords = [
            n for n, p in params.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        ]
        unknown = sorted(k for k in options if k not in keywords and not any_keyword)
        if unknown:
            raise AgentError(
                f"cannot load agent {spec!r}: {name}() takes no option {', '.join(unknown)}; "
                + (f"its arguments are {', '.join(keywords)}" if keywords else "it takes none")
            )
        if seed is not None and ("seed" in keywords or any_keyword):
            kwargs.setdefault("seed", seed)
        missing = _missing(signature, args, kwargs)
        if missing:
            given = ", ".join(["seed", *options]) if seed is not None else ", ".join(options)
            raise AgentError(
                f"cannot load agent {spec!r}: {name}() needs {', '.join(missing)}, which "
                f"officegym does not give (it gives {given or 'nothing'}): give "
                f"{'it a default' if len(missing) == 1 else 'them defaults'}, or pass "
                f"--agent-option {missing[0]}=VALUE"
            )
    try:
        return cls(*args, **kwargs)
    except AgentError:
        raise  # the adapters check their own options and say so
    except Exception as exc:
        raise AgentError(f"cannot load agent {spec!r}: making {name} failed: {_said(exc)}") from exc


def check_shape(agent: Any, spec: str) -> None:
    """Raises: AgentError: `agent` lacks `act(observation)` or `reset(info)`, or has one that is
    not a method taking that one argument."""
    what = type(agent).__name__
    for method, argument, purpose in (
        ("act", "observation", "it returns the next action"),
        ("reset", "info", "called as each episode starts; `pass` if it keeps nothing"),
    ):
        found = getattr(agent, method, _MISSING)
        if found is _MISSING:
            fix = f"add def {method}(self, {argument}): ... ({purpose})"
            if method == "reset":
                fix += ", or name a plain function act(observation) instead of a class"
            raise AgentError(
                f"agent {spec!r} is not an agent: {what} has no {method}({argument}) method; "
                f"{fix} ({CONTRACT})"
            )
        if not callable(found):
            raise AgentError(
                f"agent {spec!r} is not an agent: {what}.{method} is not a method (its type "
                f"is {type(found).__name__}); define def {method}(self, {argument})"
            )
        _check_one_argument(found, spec, f"{what}.{method}", argument)


def _said(exc: BaseException) -> str:
    """What an exception of the user's code said, on one line (the cause stays chained)."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__


def _check_one_argument(function: Any, spec: str, label: str, argument: str) -> None:
    """Raises: AgentError: `function` cannot be called with one positional argument."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return  # implemented in C: nothing to read
    try:
        signature.bind(None)
    except TypeError:
        raise AgentError(
            f"agent {spec!r} is not an agent: {label}{signature} cannot be called with one "
            f"argument, the {argument}; define it to take exactly that one"
        ) from None


def _missing(
    signature: inspect.Signature, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> list[str]:
    """The required parameters of `signature` that neither `args` nor `kwargs` fill."""
    missing = []
    for position, (name, param) in enumerate(signature.parameters.items()):
        if param.default is not param.empty or param.kind in (
            param.VAR_POSITIONAL,
            param.VAR_KEYWORD,
        ):
            continue
        if param.kind is not param.KEYWORD_ONLY and position < len(args):
            continue
        if name in kwargs and param.kind is not param.POSITIONAL_ONLY:
            continue
        missing.append(name)
    return missing


# ---- finding the module -------------------------------------------------------------------------
def _is_path(source: str) -> bool:
    return source.endswith(".py") or "/" in source or os.sep in source


def _module(source: str, spec: str) -> ModuleType:
    """The module of `source`: a file by its path, else a module by its name."""
    return _load_file(Path(source), spec) if _is_path(source) else _import(source, spec)


@contextlib.contextmanager
def _on_import_path(folder: str) -> Iterator[None]:
    """`folder` first on the import path for this block only (unless it is there already)."""
    added = folder not in sys.path
    if added:
        sys.path.insert(0, folder)
    try:
        yield
    finally:
        if added:
            with contextlib.suppress(ValueError):
                sys.path.remove(folder)


def _import(name: str, spec: str) -> ModuleType:
    """The module `name`, installed or a `name.py` (or package) in the current folder: that
    folder is on the import path while the module loads, as `python -m` has it, not after."""
    folder = os.getcwd()
    importlib.invalidate_caches()  # a file written since the folder was last listed
    try:
        with _on_import_path(folder):
            return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and (name == exc.name or name.startswith(exc.name + ".")):
            file = name.replace(".", os.sep) + ".py"
            raise AgentError(
                f"cannot load agent {spec!r}: no module {name!r}: no {file} in the current folder "
                f"({folder}) and none installed; run from the folder that holds it, or give "
                f"its path: path/to/{file}:{spec.rpartition(':')[2]}"
            ) from None
        raise AgentError(
            f"cannot load agent {spec!r}: module {name!r} failed to import: it needs {exc.name!r}, "
            "which is not installed"
        ) from exc
    except Exception as exc:  # its own code failed as it ran (a SyntaxError, a NameError)
        raise AgentError(
            f"cannot load agent {spec!r}: importing {name!r} failed: {_said(exc)}"
        ) from exc


def _load_file(path: Path, spec: str) -> ModuleType:
    """The module of a `.py` file, under a private name of its own (so two files called
    `agent.py` do not meet); the file's folder is on the import path while it loads, so it can
    import the modules beside it, as `python path/to/agent.py` could."""
    file = path.expanduser().resolve()
    if not file.is_file():
        raise AgentError(
            f"cannot load agent {spec!r}: no file {str(path)!r} ({file} is not a file); give "
            f"the path of the .py file that defines the agent, absolute or from {os.getcwd()}"
        )
    digest = hashlib.sha256(str(file).encode()).hexdigest()[:12]
    name = f"_officegym_agent_{_NOT_IN_NAME.sub('_', file.stem)}_{digest}"
    found = importlib.util.spec_from_file_location(name, file)
    if found is None or found.loader is None:
        raise AgentError(
            f"cannot load agent {spec!r}: {file} is not a Python file: name a .py file"
        )
    module = importlib.util.module_from_spec(found)
    sys.modules[name] = module  # dataclasses and pickle look a class's module up by its name
    try:
        with _on_import_path(str(file.parent)):
            found.loader.exec_module(module)
    except Exception as exc:
        sys.modules.pop(name, None)
        raise AgentError(
            f"cannot load agent {spec!r}: loading {file} failed: {_said(exc)}"
        ) from exc
    return module


def _attribute(module: ModuleType, attribute: str, spec: str) -> Any:
    """`module.attribute` (dotted: `Outer.Inner`).

    Raises:
        AgentError: there is no such name, with the classes and functions it does define.
    """
    found: Any = module
    for part in attribute.split("."):
        found = getattr(found, part, _MISSING)
        if found is _MISSING:
            defined = sorted(
                n
                for n, v in vars(module).items()
                if not n.startswith("_")
                and (inspect.isclass(v) or inspect.isfunction(v))
                and v.__module__ == module.__name__
            )
            close = difflib.get_close_matches(part, defined, n=3, cutoff=0.5)
            hint = f" Did you mean: {', '.join(repr(c) for c in close)}?" if close else ""
            where = getattr(module, "__file__", None) or module.__name__
            listing = (
                f" It defines: {', '.join(defined[:12])}."
                if defined
                else " It defines no class or function."
            )
            raise AgentError(
                f"cannot load agent {spec!r}: {where} has no {attribute!r}.{hint}{listing}"
            )
    return found
