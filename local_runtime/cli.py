"""The `casino` command: serve the platform locally and operate it.

casino dev [--host 127.0.0.1] [--port 8787] [--state .wrangler/state] [--jurisdiction BR]
           [--faults RATE --fault-seed N]
casino migrate [--state DIR]
casino ops create-user --state DIR --email E --password P --role admin|operator|kyc_reviewer|compliance
casino ops create-user --emit-sql FILE --email E --password P --role admin   (for the edge's D1)
casino ops reset-user --state DIR --email E [--reset-mfa]
casino ops exclusions import FILE.csv [--state DIR]
casino ops rtp show|set --game G [--rtp-bps R] [--state DIR]
casino ops providers add|list|set-status|rotate-secret ...   external game providers
casino ops run-job NAME [--state DIR]      run one scheduled job now, print its result as JSON
casino ops run-job --list                  the scheduled jobs and their crons
casino ops fraud-queue status|dead-letters|redrive [--state DIR]   the local fraud queue
casino verify --seed SEED rounds.json       recompute a session's rounds (stdlib only)
casino simulate --game G --rounds N [--rtp-bps R] [--stake S] [--params JSON]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from casino.errors import DomainError

from . import providers_cli, queue_cli

if TYPE_CHECKING:
    from api.services import Services

    from .paths import WranglerConfig
    from .runtime import LocalRuntime

    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]  # add_subparsers()'s answer

T = TypeVar("T")

DEFAULT_STATE = ".wrangler/state"


def _state(value: str) -> Path:
    return Path(value).resolve()


def _probability(value: str) -> float:
    rate = float(value)
    if not 0.0 <= rate <= 1.0:
        raise argparse.ArgumentTypeError("RATE is a probability from 0 to 1")
    return rate


def cmd_dev(args: argparse.Namespace) -> int:
    from .faults import FaultPlan
    from .paths import WranglerConfig
    from .runtime import apply_migrations, build
    from .server import serve

    config = WranglerConfig.load()
    args.state.mkdir(parents=True, exist_ok=True)
    print(f"casino: applying D1 migrations to {args.state} ...", flush=True)
    apply_migrations(args.state, config)
    faults = FaultPlan(args.faults, args.fault_seed)
    runtime = build(args.state, config, faults=faults, jurisdiction=args.jurisdiction)
    if args.faults:
        print(
            f"casino: injecting faults into {args.faults:.0%} of Durable Object calls and D1 "
            f"batches (seed {args.fault_seed})",
            flush=True,
        )
    print(f"casino: serving http://{args.host}:{args.port} (state {args.state})", flush=True)
    try:
        serve(runtime, args.host, args.port)
    finally:
        runtime.close()
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from .paths import WranglerConfig
    from .runtime import apply_migrations

    args.state.mkdir(parents=True, exist_ok=True)
    apply_migrations(args.state, WranglerConfig.load())
    print("migrations applied")
    return 0


def _on_state(args: argparse.Namespace, work: Callable[[Services], Coroutine[Any, Any, T]]) -> T:
    """Migrate the local state, then run one operator task against its bindings. Tasks never
    open a player's Durable Object: a running server is their single writer."""
    from .paths import WranglerConfig
    from .runtime import apply_migrations, build

    config = WranglerConfig.load()
    args.state.mkdir(parents=True, exist_ok=True)
    apply_migrations(args.state, config)
    runtime = build(args.state, config)
    try:
        return asyncio.run(work(runtime.services))
    finally:
        runtime.close()


def _refused(error: DomainError) -> int:
    print(f"casino: {error.code}: {error.detail}", file=sys.stderr)
    return 1


def _print_factor(answer: dict[str, object]) -> None:
    """The second factor, shown this once: the otpauth URI alone on its line (test suites and
    authenticator apps read it), then the recovery codes."""
    print("TOTP secret (add it to an authenticator app; shown only now):")
    print(answer["otpauth_uri"])
    print("recovery codes (each works once; shown only now):")
    for code in answer["recovery_codes"]:  # type: ignore[attr-defined]
        print(f"  {code}")


STAFF_TABLES = ("staff", "mfa_totp", "recovery_codes", "audit_log")


def _sql_literal(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


async def _staff_sql(services: Services) -> list[str]:
    """The rows of the staff tables as INSERT statements."""
    lines = []
    for table in STAFF_TABLES:
        for row in await services.db.prepare(f"SELECT * FROM {table}").all():
            columns = ", ".join(row)
            values = ", ".join(_sql_literal(v) for v in row.values())
            lines.append(f"INSERT INTO {table} ({columns}) VALUES ({values});")
    return lines


def _deployment_runtime(state: Path, config: WranglerConfig) -> LocalRuntime:
    """A migrated runtime on `state` with the deployment's pepper and MFA key."""
    import dataclasses
    import os

    from .runtime import apply_migrations, build

    apply_migrations(state, config)
    runtime = build(state, config)
    runtime.services.settings = dataclasses.replace(
        runtime.services.settings,
        password_pepper=os.environ["PASSWORD_PEPPER"].encode(),
        mfa_key=os.environ["MFA_ENCRYPTION_KEY"].encode(),
    )
    return runtime


def _emit_sql(args: argparse.Namespace) -> dict[str, object]:
    """Create the account on a scratch state with the deployment's own secrets (from the
    environment, as put with `wrangler secret put`) and write its rows as SQL for
    `wrangler d1 execute casino --remote --file FILE`: the first admin of a deployment."""
    import os
    import tempfile

    from api.staff import CLI_ACTOR, create_staff

    from .paths import WranglerConfig

    missing = [n for n in ("PASSWORD_PEPPER", "MFA_ENCRYPTION_KEY") if not os.environ.get(n)]
    if missing:
        raise SystemExit(f"casino: set {' and '.join(missing)} to the deployment's secrets")
    config = WranglerConfig.load()
    with tempfile.TemporaryDirectory(prefix="casino-staff-") as scratch:
        runtime = _deployment_runtime(Path(scratch), config)
        try:

            async def run() -> tuple[dict[str, object], list[str]]:
                services = runtime.services
                created = await create_staff(
                    services, CLI_ACTOR, args.email, args.password, args.role
                )
                return created, await _staff_sql(services)

            created, lines = asyncio.run(run())
        finally:
            runtime.close()
    Path(args.emit_sql).write_text("\n".join(lines) + "\n")
    os.chmod(args.emit_sql, 0o600)
    return created


def cmd_create_user(args: argparse.Namespace) -> int:
    from api.staff import CLI_ACTOR, create_staff

    if args.emit_sql:
        try:
            created = _emit_sql(args)
        except DomainError as error:
            return _refused(error)
        print(f"wrote {args.emit_sql}: apply it with "
              f"`npx wrangler d1 execute casino --remote --file {args.emit_sql}`, then delete it")  # fmt: skip
        print(f"created {args.role} {created['email']} ({created['staff_id']})")
        _print_factor(created)
        return 0
    try:
        created = _on_state(
            args,
            lambda services: create_staff(
                services, CLI_ACTOR, args.email, args.password, args.role
            ),
        )
    except DomainError as error:
        return _refused(error)
    print(f"created {args.role} {created['email']} ({created['staff_id']})")
    _print_factor(created)
    return 0


def cmd_reset_user(args: argparse.Namespace) -> int:
    """A staff member who lost their password or authenticator (the admin API does the same)."""
    from api.staff import CLI_ACTOR, reset_staff

    async def run(services: Services) -> dict[str, object]:
        email = args.email.strip().lower()
        row = (
            await services.db.prepare("SELECT staff_id FROM staff WHERE email = ?")
            .bind(email)
            .first()
        )
        if row is None:
            from casino.errors import NotFound

            raise NotFound(f"No staff account with the email {email}")
        return await reset_staff(services, CLI_ACTOR, row["staff_id"], args.reset_mfa)

    try:
        answer = _on_state(args, run)
    except DomainError as error:
        return _refused(error)
    print(f"reset {args.email.strip().lower()}; every login ended")
    print(f"temporary password: {answer['temporary_password']}")
    if "otpauth_uri" in answer:
        _print_factor(answer)
    return 0


def cmd_import_exclusions(args: argparse.Namespace) -> int:
    from api import exclusions

    path = Path(args.file)

    async def chunks() -> AsyncIterator[bytes]:
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                yield block

    async def run(services: Services) -> dict[str, Any]:
        summary = await exclusions.import_list(services, ("cli", "admin"), chunks(), args.dry_run)
        if not args.dry_run:
            # Listed players are closed by the server's next cron run (within five minutes),
            # in their own Durable Objects (this command never opens one).
            await services.db.prepare(
                "UPDATE players SET exclusion_checked_at = NULL WHERE account_status = 'active'"
            ).run()
        return summary

    try:
        summary = _on_state(args, run)
    except DomainError as error:
        return _refused(error)
    verb = "would import" if args.dry_run else "imported"
    print(
        f"{verb} {summary['entries']} CPFs from {summary['rows']} rows (added "
        f"{summary['added']}, removed {summary['removed']}, invalid rows "
        f"{summary['invalid_rows']})"
        + ("" if args.dry_run else "; listed players are closed by the server's next cron run")
    )
    return 0


def cmd_rtp(args: argparse.Namespace) -> int:
    from api import game_config
    from api.security import Caller
    from casino.games import GAMES

    async def run(services: Services) -> list[str]:
        if args.rtp_bps is not None:
            await game_config.set_rtp(
                services, Caller("cli", "admin", ""), args.game, args.rtp_bps, args.jurisdiction
            )
        lines = []
        for game_id in [args.game] if args.game else sorted(GAMES):
            for code, profile in sorted(services.profiles.items()):
                c = await game_config.load_config(services, game_id, profile)
                lines.append(
                    f"{game_id} [{code}]: rtp {c.rtp_bps} bps, stakes {c.min_stake}-{c.max_stake}"
                )
        return lines

    try:
        lines = _on_state(args, run)
    except DomainError as error:
        return _refused(error)
    print("\n".join(lines))
    return 0


def cmd_run_job(args: argparse.Namespace) -> int:
    """One scheduled job (`api.scheduled.JOBS`) now, against the local state; its result as
    JSON on stdout. Jobs that visit a player's WalletDO (exclusion_recheck, limit_activations)
    open it in this process: its state is all in its SQLite file, written in transactions, so a
    server running on the same state meanwhile is safe."""
    import json

    from api import scheduled

    if args.list:
        jobs = [{"name": j.name, "cron": j.cron, "summary": j.summary}
                for j in scheduled.JOBS.values()]  # fmt: skip
        print(json.dumps({"jobs": jobs}, indent=2))
        return 0
    if args.name not in scheduled.JOBS:
        known = ", ".join(scheduled.JOBS)
        what = f"unknown job {args.name!r}" if args.name else "name a job to run"
        print(f"casino: {what} (jobs: {known}; see --list)", file=sys.stderr)
        return 2

    async def run(services: Services) -> dict[str, Any]:
        return await scheduled.run_job(services, args.name)

    try:
        result = _on_state(args, run)
    except DomainError as error:
        return _refused(error)
    print(json.dumps({"job": args.name, "result": result}, indent=2, sort_keys=True))
    return 0


def _state_option(command: argparse.ArgumentParser) -> None:
    command.add_argument("--state", type=_state, default=_state(DEFAULT_STATE))


def _add_dev(sub: Subparsers) -> None:
    dev = sub.add_parser("dev", help="apply migrations and serve the platform locally")
    dev.add_argument("--host", default="127.0.0.1")
    dev.add_argument("--port", type=int, default=8787)
    _state_option(dev)
    dev.add_argument(
        "--jurisdiction", type=str.upper, choices=["BR"], default=None,
        help="fix the deployment's jurisdiction, as JURISDICTION does on the edge",
    )  # fmt: skip
    dev.add_argument(
        "--faults", type=_probability, default=0.0, metavar="RATE",
        help="fail this share of Durable Object calls and D1 batches (0 to 1)",
    )  # fmt: skip
    dev.add_argument("--fault-seed", type=int, default=0, metavar="N")
    dev.set_defaults(run=cmd_dev)


def _add_migrate(sub: Subparsers) -> None:
    migrate = sub.add_parser("migrate", help="apply pending D1 migrations to the local state")
    _state_option(migrate)
    migrate.set_defaults(run=cmd_migrate)


def _add_create_user(ops_sub: Subparsers) -> None:
    create = ops_sub.add_parser("create-user", help="create a staff account")
    _state_option(create)
    create.add_argument("--email", required=True)
    create.add_argument("--password", required=True)
    create.add_argument(
        "--role", choices=["admin", "operator", "kyc_reviewer", "compliance"], required=True
    )
    create.add_argument(
        "--emit-sql", metavar="FILE",
        help="write the account as SQL for the edge's D1 instead (secrets from the environment)",
    )  # fmt: skip
    create.set_defaults(run=cmd_create_user)


def _add_reset_user(ops_sub: Subparsers) -> None:
    reset = ops_sub.add_parser(
        "reset-user", help="a staff member's temporary password (and new TOTP with --reset-mfa)"
    )
    _state_option(reset)
    reset.add_argument("--email", required=True)
    reset.add_argument("--reset-mfa", action="store_true")
    reset.set_defaults(run=cmd_reset_user)


def _add_rtp(ops_sub: Subparsers) -> None:
    rtp = ops_sub.add_parser("rtp", help="show or set a game's RTP (audited, as the API does)")
    rtp_sub = rtp.add_subparsers(dest="rtp_command", required=True)
    show = rtp_sub.add_parser("show", help="every game's configuration")
    show.add_argument("--game")
    _state_option(show)
    show.set_defaults(run=cmd_rtp, rtp_bps=None)
    set_ = rtp_sub.add_parser("set", help="set a game's RTP in basis points")
    set_.add_argument("--game", required=True)
    set_.add_argument("--rtp-bps", type=int, required=True)
    set_.add_argument("--jurisdiction", help="one market (e.g. BR); default: every market")
    _state_option(set_)
    set_.set_defaults(run=cmd_rtp)


def _add_exclusions(ops_sub: Subparsers) -> None:
    excl = ops_sub.add_parser("exclusions", help="the national exclusion list")
    excl_sub = excl.add_subparsers(dest="exclusions_command", required=True)
    imp = excl_sub.add_parser("import", help="import the regulator's CSV of CPFs (keyed hashes)")
    imp.add_argument("file")
    imp.add_argument("--dry-run", action="store_true", help="show the difference; change nothing")
    _state_option(imp)
    imp.set_defaults(run=cmd_import_exclusions)


def _add_run_job(ops_sub: Subparsers) -> None:
    job = ops_sub.add_parser("run-job", help="run one scheduled job now (--list: every job)")
    job.add_argument("name", nargs="?", help="the job's name (see --list)")
    job.add_argument("--list", action="store_true", help="list the jobs and their crons")
    _state_option(job)
    job.set_defaults(run=cmd_run_job)


def _add_ops(sub: Subparsers) -> None:
    ops = sub.add_parser("ops", help="operator tasks on a local state")
    ops_sub = ops.add_subparsers(dest="ops_command", required=True)
    _add_create_user(ops_sub)
    _add_reset_user(ops_sub)
    _add_rtp(ops_sub)
    _add_exclusions(ops_sub)
    _add_run_job(ops_sub)
    providers_cli.add_parser(ops_sub, _state_option)
    queue_cli.add_parser(ops_sub, _state_option)


def parser() -> argparse.ArgumentParser:
    """The `casino` command's arguments (`verify` and `simulate` parse their own)."""
    root = argparse.ArgumentParser(prog="casino", description=__doc__.split("\n")[0])
    sub = root.add_subparsers(dest="command", required=True)
    _add_dev(sub)
    _add_migrate(sub)
    sub.add_parser("verify", help="recompute a session's rounds from its revealed seed")
    sub.add_parser("simulate", help="play N rounds through the core and compare RTPs")
    _add_ops(sub)
    return root


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["verify"]:
        from .verify_cli import main as verify_main

        return verify_main(argv[1:])
    if argv[:1] == ["simulate"]:
        from .simulate_cli import main as simulate_main

        return simulate_main(argv[1:])
    args = parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    raise SystemExit(main())
