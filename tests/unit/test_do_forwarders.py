"""The Durable Object classes of the edge entry forward exactly the commands of the objects they
host: one `async def name(self, payload)` returning `await self._call("name", payload)` per
public async method of `Wallet` / `GameSession` (the alarm is the runtime's, forwarded apart).

`api/entry.py` imports Cloudflare's `js` and `workers`, so it is read with `ast`, not imported.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from dataclasses import dataclass
from pathlib import Path

import pytest

ENTRY = Path(__file__).resolve().parents[2] / "workers" / "api" / "entry.py"
HOSTED = {"WalletDO": "Wallet", "SessionDO": "GameSession"}


@dataclass(frozen=True)
class DurableObjectClass:
    name: str
    target: str  # the class built as `self.target` in `__init__`
    forwarders: frozenset[str]  # methods that are `return await self._call(<own name>, payload)`
    others: frozenset[str]  # any other method but `__init__` and `alarm`
    forwards_alarm: bool  # `async def alarm(self, *_)` awaiting `self.target.alarm()`


def _forwarded(method: ast.AsyncFunctionDef) -> str | None:
    """The command a method forwards, if it is exactly a forwarder of its own name."""
    args = [a.arg for a in method.args.args]
    if args != ["self", "payload"] or len(method.body) != 1:
        return None
    [statement] = method.body
    if not (isinstance(statement, ast.Return) and isinstance(statement.value, ast.Await)):
        return None
    call = statement.value.value
    if not (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr == "_call"
        and isinstance(call.func.value, ast.Name)
        and call.func.value.id == "self"
        and len(call.args) == 2
        and isinstance(call.args[0], ast.Constant)
        and isinstance(call.args[1], ast.Name)
        and call.args[1].id == "payload"
    ):
        return None
    name = call.args[0].value
    return name if name == method.name else None


def _awaits_target_alarm(method: ast.AsyncFunctionDef) -> bool:
    return any(
        isinstance(node, ast.Await)
        and isinstance(node.value, ast.Call)
        and ast.unparse(node.value.func) == "self.target.alarm"
        for node in ast.walk(method)
    )


def _target(init: ast.FunctionDef) -> str:
    for node in ast.walk(init):
        if (
            isinstance(node, ast.Assign)
            and [ast.unparse(t) for t in node.targets] == ["self.target"]
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name)
        ):
            return node.value.func.id
    raise AssertionError(f"{init.name} builds no self.target")


def durable_objects(source: str) -> dict[str, DurableObjectClass]:
    found = {}
    for node in ast.parse(source).body:
        if not isinstance(node, ast.ClassDef) or node.name not in HOSTED:
            continue
        forwarders, others, alarm, target = set(), set(), False, ""
        for item in node.body:
            if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                target = _target(item)
            elif isinstance(item, ast.AsyncFunctionDef) and item.name == "alarm":
                alarm = _awaits_target_alarm(item)
            elif isinstance(item, ast.AsyncFunctionDef) and _forwarded(item) is not None:
                forwarders.add(item.name)
            elif isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                others.add(item.name)
        found[node.name] = DurableObjectClass(
            node.name, target, frozenset(forwarders), frozenset(others), alarm
        )
    return found


def imported_from(source: str) -> dict[str, str]:
    """Each name imported by `from module import name` at the top of `source`: its module."""
    return {
        alias.asname or alias.name: node.module
        for node in ast.parse(source).body
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
        for alias in node.names
    }


def public_async_methods(cls: type) -> set[str]:
    return {
        name
        for name, member in inspect.getmembers(cls, inspect.iscoroutinefunction)
        if not name.startswith("_")
    }


def mismatches(do: DurableObjectClass, hosted: type) -> dict[str, set[str]]:
    """What differs between a Durable Object class's forwarders and its hosted class's commands."""
    commands = public_async_methods(hosted) - {"alarm"}
    return {
        "missing": commands - do.forwarders,
        "extra": set(do.forwarders - commands) | set(do.others),
        "alarm": set() if do.forwards_alarm == ("alarm" in public_async_methods(hosted))
        else {"alarm"},
    }  # fmt: skip


def hosted_class(source: str, do: DurableObjectClass) -> type:
    module = importlib.import_module(imported_from(source)[do.target])
    hosted: type = getattr(module, do.target)
    return hosted


SOURCE = ENTRY.read_text(encoding="utf-8")
OBJECTS = durable_objects(SOURCE)
NO_MISMATCH = {"missing": set(), "extra": set(), "alarm": set()}


def test_the_entry_defines_both_durable_object_classes() -> None:
    assert set(OBJECTS) == set(HOSTED)


@pytest.mark.parametrize("name", sorted(HOSTED))
def test_each_durable_object_hosts_its_application_class(name: str) -> None:
    """WalletDO hosts a `Wallet` (its subclass that checks addresses), SessionDO a GameSession."""
    hosted = hosted_class(SOURCE, OBJECTS[name])
    assert HOSTED[name] in [base.__name__ for base in hosted.__mro__]


@pytest.mark.parametrize("name", sorted(HOSTED))
def test_the_forwarders_are_exactly_the_hosted_objects_commands(name: str) -> None:
    do = OBJECTS[name]
    assert mismatches(do, hosted_class(SOURCE, do)) == NO_MISMATCH


# The check itself sees a forwarder missing, one too many, a misnamed one and a lost alarm.
class Hosted:
    async def deposit(self, payload: dict[str, object]) -> dict[str, object]:
        return payload

    async def balance(self, payload: dict[str, object]) -> dict[str, object]:
        return payload

    async def alarm(self) -> None:
        return None

    async def _private(self, payload: dict[str, object]) -> None:
        return None

    def helper(self) -> None:
        return None


def _entry(methods: str) -> DurableObjectClass:
    source = (
        "class WalletDO(_Actor):\n"
        "    def __init__(self, ctx, env):\n"
        "        self.target = Hosted(ctx.storage)\n" + methods
    )
    return durable_objects(source)["WalletDO"]


def forwarder(name: str, command: str | None = None) -> str:
    return (
        f"    async def {name}(self, payload):\n"
        f"        return await self._call({command or name!r}, payload)\n"
    )


DEPOSIT, BALANCE = forwarder("deposit"), forwarder("balance")
ALARM = "    async def alarm(self, *_):\n        await self.target.alarm()\n"


def test_complete_forwarders_pass_the_check() -> None:
    do = _entry(DEPOSIT + BALANCE + ALARM)
    assert do.target == "Hosted"
    assert mismatches(do, Hosted) == NO_MISMATCH


def test_a_missing_forwarder_fails_the_check() -> None:
    assert mismatches(_entry(DEPOSIT + ALARM), Hosted)["missing"] == {"balance"}


def test_an_extra_forwarder_fails_the_check() -> None:
    extra = forwarder("refund")
    assert mismatches(_entry(DEPOSIT + BALANCE + extra + ALARM), Hosted)["extra"] == {"refund"}


def test_a_forwarder_calling_another_command_fails_the_check() -> None:
    misnamed = forwarder("balance", "deposit")
    result = mismatches(_entry(DEPOSIT + misnamed + ALARM), Hosted)
    assert result["missing"] == {"balance"} and result["extra"] == {"balance"}


def test_a_missing_alarm_fails_the_check() -> None:
    assert mismatches(_entry(DEPOSIT + BALANCE), Hosted)["alarm"] == {"alarm"}
