"""The Python half of what workerd does around a Python Worker, for the conformance harness.

- the top level: the main module is imported with entropy disabled except what the registered
  import patches allow (the gate counts in the harness; `_cloudflare` holds the patch manager),
  `os.urandom` raising and `random` blocked, as on the edge; then, before the first request,
  everything is restored and `random` is reseeded;
- calls into entrypoint classes the way workerd's `python-entrypoint-helper` and its
  `introspection.wrapper_func` make them: the class is constructed with the raw JS `(ctx, env)`
  (the SDK wraps them), `fetch` and RPC methods receive `python_from_rpc(arg)` and answer
  `python_to_rpc(result)`, `alarm` is called directly (relaxed);
- which edge functions ran: every handler (`fetch`, `scheduled`, `queue`, ...) of the main
  module's `WorkerEntrypoint` classes and every RPC command (`wallet_do.rpc.commands`) and
  `alarm` of its Durable Object classes, listed from the classes themselves, and which of them
  the calls above reached (`edge_functions`).
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from functools import wraps
from inspect import isawaitable
from typing import Any

from _cloudflare.allow_entropy import allow_bad_entropy_calls, raise_unless_entropy_allowed
from _cloudflare.import_patch_manager import (
    before_first_request_handlers,
    block_calls,
    install_import_patch_manager,
    register_exec_patch,
    remove_import_patch_manager,
    spec_after,
)
from _conformance_host import entropy  # type: ignore[import-not-found]
from pyodide.code import relaxed_call  # type: ignore[import-not-found]

_main: Any = None
# The modules the main module's top level loaded (beyond what the runtime had loaded before it).
top_level_modules: frozenset[str] = frozenset()
_ran: set[str] = set()
# The handlers workerd calls on a Worker's entrypoint class.
HANDLERS = ("fetch", "scheduled", "queue", "email", "tail", "trace")
_orig_urandom = os.urandom
_orig_seed: Any = None


# The top level ---------------------------------------------------------------------------------
class _AttributingLoader:
    """Records which module is executing, so an entropy call can be attributed to it."""

    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)

    def create_module(self, spec: Any) -> Any:
        entropy.modules.push(spec.name)
        try:
            return self._loader.create_module(spec)
        finally:
            entropy.modules.pop()

    def exec_module(self, module: Any) -> None:
        entropy.modules.push(module.__name__)
        try:
            self._loader.exec_module(module)
        finally:
            entropy.modules.pop()


class _AttributingFinder:
    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        spec = spec_after(self, fullname, path, target)
        if spec is None:
            return None
        if spec.loader is not None:
            spec.loader = _AttributingLoader(spec.loader)
        return spec


@wraps(_orig_urandom)
def _guarded_urandom(*args: Any) -> bytes:
    raise_unless_entropy_allowed()
    return _orig_urandom(*args)


def before_top_level() -> None:
    """What workerd sets up before it executes the Worker's top level."""
    global _orig_seed
    import _random
    import random

    os.urandom = _guarded_urandom
    _orig_seed = _random.Random.seed

    def seed(self: Any, value: Any = None) -> Any:
        if value is None:
            raise_unless_entropy_allowed()
        return _orig_seed(self, value)

    _random.Random.seed = seed  # type: ignore[method-assign]
    # `random` is imported by Pyodide's own start-up here, so it is blocked now rather than when
    # it is first imported; it is reseeded before the first request, as on the edge.
    block_calls(random, allowlist=("Random", "SystemRandom"))
    before_first_request_handlers.append(lambda: random.seed())

    @register_exec_patch("multiprocessing.process")
    def _multiprocessing(module: Any) -> Any:
        return allow_bad_entropy_calls(1)

    install_import_patch_manager()
    sys.meta_path.insert(0, _AttributingFinder())


def import_main(name: str) -> str | None:
    """Import the main module under the entropy gate; the traceback if it failed."""
    global _main, top_level_modules
    before = frozenset(sys.modules)
    entropy.active = True
    try:
        _main = importlib.import_module(name)
        top_level_modules = frozenset(sys.modules) - before
    except BaseException:  # noqa: BLE001 - reported by the harness
        return traceback.format_exc()
    finally:
        entropy.active = False
    return None


def before_first_request() -> None:
    import _random

    entropy.inRequest = True
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _AttributingFinder)]
    os.urandom = _orig_urandom
    if _orig_seed is not None:
        _random.Random.seed = _orig_seed  # type: ignore[method-assign]
    remove_import_patch_manager()
    for handler in before_first_request_handlers:
        handler()


def main_module() -> Any:
    if _main is None:
        raise RuntimeError("the main module was not imported")
    return _main


# Entrypoints ----------------------------------------------------------------------------------
def construct(class_name: str, ctx: Any, env: Any) -> Any:
    cls = getattr(main_module(), class_name, None)
    if not callable(cls):
        raise TypeError(
            f"There is no '{class_name}' class defined in the Python Worker's main module"
        )
    return cls(ctx, env)


async def call(relaxed: bool, instance: Any, name: str, *args: Any) -> Any:
    """An RPC method or `fetch`, as workerd's `wrapper_func` calls it."""
    from workers import python_from_rpc, python_to_rpc  # type: ignore[import-not-found]

    method = _edge_method(instance, name)
    py_args = [python_from_rpc(arg) for arg in args]
    result = relaxed_call(method, *py_args) if relaxed else method(*py_args)
    if isawaitable(result):
        result = await result
    return python_to_rpc(result)


async def call_handler(instance: Any, name: str, *args: Any) -> Any:
    """A Durable Object's `alarm` (and the like): called directly, relaxed, raw JS arguments."""
    method = _edge_method(instance, name)
    result = relaxed_call(method, *args)
    if isawaitable(result):
        result = await result
    return result


# Which edge functions ran ---------------------------------------------------------------------
def _edge_method(instance: Any, name: str) -> Any:
    """`instance.name`, recorded as run (as `Class.name`) when the edge can call it."""
    method = getattr(instance, name, None)
    if not callable(method):
        raise TypeError(f"Method {name} does not exist")
    _ran.add(f"{type(instance).__name__}.{name}")
    return method


def _entrypoint_classes() -> list[type]:
    """The main module's public Worker entrypoint and Durable Object classes."""
    from workers import DurableObject, WorkerEntrypoint  # type: ignore[import-not-found]

    bases = (DurableObject, WorkerEntrypoint)
    return [
        value
        for name, value in sorted(vars(main_module()).items())
        if isinstance(value, type)
        and not name.startswith("_")
        and value not in bases
        and issubclass(value, bases)
    ]


def _functions_of(cls: type) -> list[str]:
    """An entrypoint class's handlers, or a Durable Object's RPC commands and its alarm."""
    from wallet_do.rpc import commands  # type: ignore[import-not-found]
    from workers import DurableObject  # type: ignore[import-not-found]

    if not issubclass(cls, DurableObject):
        return [h for h in HANDLERS if callable(getattr(cls, h, None))]
    return [*commands(cls), *(["alarm"] if callable(getattr(cls, "alarm", None)) else [])]


def edge_functions() -> str:
    """JSON `{"functions": [...], "ran": [...]}`: every edge function (`Class.method`) of the
    main module, and those the harness's calls reached."""
    import json

    functions = [
        f"{cls.__name__}.{name}" for cls in _entrypoint_classes() for name in _functions_of(cls)
    ]
    return json.dumps({"functions": functions, "ran": sorted(_ran & set(functions))})
