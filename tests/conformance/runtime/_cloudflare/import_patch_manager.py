"""Import patches for the top level: a context manager run around a module's creation or
execution when it is first imported, callbacks run before the first request, and modules whose
functions may not be called until then (`block_calls`). The interface the `workers` SDK's
`_workers_sdk_entropy_import_context` and `_workers_sdk_package_patches` register against."""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from functools import partial, wraps
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any


def spec_after(finder: object, fullname: str, path: Any, target: Any = None) -> ModuleSpec | None:
    """The spec the finders after `finder` on `sys.meta_path` give (another delegating finder
    may come before it)."""
    position = next(i for i, f in enumerate(sys.meta_path) if f is finder)
    for later in sys.meta_path[position + 1 :]:
        if hasattr(later, "find_spec"):
            spec = later.find_spec(fullname, path, target)
            if spec is not None:
                return spec  # type: ignore[no-any-return]
    return None


@dataclass
class _Patch:
    create: Callable[[ModuleSpec], AbstractContextManager[Any]] = nullcontext
    exec: Callable[[ModuleType], AbstractContextManager[Any]] = nullcontext
    after_snapshot: Callable[[ModuleType], None] | None = None
    before_first_request: Callable[[ModuleType], None] | None = None


patches: dict[str, _Patch] = {}
before_first_request_handlers: list[Callable[[], None]] = []
after_snapshot_handlers: list[Callable[[], None]] = []
IN_REQUEST_CONTEXT = False
_blocked: dict[str, ModuleType] = {}


def _register(field: str, name: str, value: Any = None) -> Any:
    if value is None:  # used as a decorator
        return partial(_register, field, name)
    setattr(patches.setdefault(name, _Patch()), field, value)
    return value


def register_create_patch(name: str, context_manager: Any = None) -> Any:
    return _register("create", name, context_manager)


def register_exec_patch(name: str, context_manager: Any = None) -> Any:
    return _register("exec", name, context_manager)


def register_after_snapshot(name: str, handler: Any = None) -> Any:
    return _register("after_snapshot", name, handler)


def register_before_first_request(name: str, handler: Any = None) -> Any:
    return _register("before_first_request", name, handler)


class _PatchedLoader:
    def __init__(self, loader: Any, patch: _Patch) -> None:
        self._loader, self._patch = loader, patch

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        with self._patch.create(spec):
            return self._loader.create_module(spec)  # type: ignore[no-any-return]

    def exec_module(self, module: ModuleType) -> None:
        if self._patch.after_snapshot:
            after_snapshot_handlers.append(partial(self._patch.after_snapshot, module))
        if self._patch.before_first_request:
            before_first_request_handlers.append(partial(self._patch.before_first_request, module))
        with self._patch.exec(module):
            self._loader.exec_module(module)


class PatchFinder:
    """First on sys.meta_path during the top level: wraps the loader of patched modules."""

    def invalidate_caches(self) -> None:
        pass

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> ModuleSpec | None:
        patch = patches.get(fullname)
        if patch is None:
            return None
        spec = spec_after(self, fullname, path, target)
        if spec is None:
            return None
        spec.loader = _PatchedLoader(spec.loader, patch)  # type: ignore[assignment]
        return spec


def install_import_patch_manager() -> None:
    sys.meta_path.insert(0, PatchFinder())


def remove_import_patch_manager() -> None:
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, PatchFinder)]
    unblock_calls()


class BlockedCallModule:
    """Stands in for a module at the top level: its callables fail until the first request
    (except those in `allowlist`)."""

    def __init__(self, module: ModuleType, allowlist: tuple[str, ...]) -> None:
        object.__setattr__(self, "_module", module)
        object.__setattr__(self, "_allowlist", allowlist)

    def __getattribute__(self, key: str) -> Any:
        module = object.__getattribute__(self, "_module")
        value = getattr(module, key)
        if IN_REQUEST_CONTEXT or not callable(value):
            return value
        if key in object.__getattribute__(self, "_allowlist"):
            return value

        @wraps(value)
        def blocked(*args: Any, **kwargs: Any) -> Any:
            if not IN_REQUEST_CONTEXT:
                raise RuntimeError(
                    f"Cannot use {module.__name__}.{key}() outside of request context"
                )
            return value(*args, **kwargs)

        return blocked

    def __setattr__(self, key: str, value: Any) -> None:
        setattr(object.__getattribute__(self, "_module"), key, value)

    def __dir__(self) -> list[str]:
        return dir(object.__getattribute__(self, "_module"))


def block_calls(module: ModuleType, *, allowlist: tuple[str, ...] = ()) -> None:
    sys.modules[module.__name__] = BlockedCallModule(module, allowlist)  # type: ignore[assignment]
    _blocked[module.__name__] = module


def unblock_calls() -> None:
    global IN_REQUEST_CONTEXT
    IN_REQUEST_CONTEXT = True
    for name, module in _blocked.items():
        sys.modules[name] = module
