"""`casino ops providers ...`: the registry of external game providers on a local state.

casino ops providers add --id acme-rgs --name "Acme RGS" --game blackjack:9900[:MIN:MAX] \\
    --launch-url 'https://rgs.example/launch?token={token}' [--currency BRL]
casino ops providers list
casino ops providers set-status --id acme-rgs --status suspended|active
casino ops providers rotate-secret --id acme-rgs
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from api.services import Services


def _games(specs: list[str]) -> dict[str, dict[str, Any]]:
    games = {}
    for spec in specs:
        name, _, rest = spec.partition(":")
        parts = rest.split(":") if rest else []
        if not parts or not all(p.isdigit() for p in parts):
            raise argparse.ArgumentTypeError(f"--game NAME:RTP_BPS[:MIN:MAX], not {spec!r}")
        game: dict[str, Any] = {"rtp_bps": int(parts[0])}
        if len(parts) == 3:
            game |= {"min_stake": int(parts[1]), "max_stake": int(parts[2])}
        games[name] = game
    return games


def cmd_providers(args: argparse.Namespace) -> int:
    from api import providers
    from api.staff import CLI_ACTOR
    from casino.errors import DomainError

    from .cli import _on_state, _refused

    async def run(services: Services) -> Any:
        if args.providers_command == "add":
            return await providers.create(services, CLI_ACTOR, {
                "provider_id": args.id, "name": args.name, "currency": args.currency,
                "games": _games(args.game), "launch_url": args.launch_url})  # fmt: skip
        if args.providers_command == "set-status":
            return await providers.update(services, CLI_ACTOR, args.id, {"status": args.status})
        if args.providers_command == "rotate-secret":
            return await providers.rotate_secret(services, CLI_ACTOR, args.id)
        return await providers.listing(services)

    try:
        result = _on_state(args, run)
    except (DomainError, argparse.ArgumentTypeError) as error:
        if isinstance(error, DomainError):
            return _refused(error)
        print(f"casino: {error}")
        return 2
    if isinstance(result, dict) and "secret" in result:
        print(f"provider {result['provider_id']}: HMAC secret (shown once, keep it safe):")
        print(result["secret"])
    print(json.dumps({k: v for k, v in result.items() if k != "secret"}, indent=2)
          if isinstance(result, dict) else json.dumps(result, indent=2))  # fmt: skip
    return 0


def add_parser(ops_sub: Any, state_option: Any) -> None:
    prov = ops_sub.add_parser("providers", help="external game providers (seamless wallet)")
    prov_sub = prov.add_subparsers(dest="providers_command", required=True)
    add = prov_sub.add_parser("add", help="register a provider; prints its HMAC secret once")
    add.add_argument("--id", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--game", action="append", required=True, metavar="NAME:RTP_BPS[:MIN:MAX]")
    add.add_argument("--launch-url", required=True, help="with a {token} placeholder")
    add.add_argument("--currency", default="BRL")
    status = prov_sub.add_parser("set-status", help="suspend or reactivate a provider")
    status.add_argument("--id", required=True)
    status.add_argument("--status", choices=["active", "suspended"], required=True)
    rotate = prov_sub.add_parser("rotate-secret", help="a new HMAC secret; the old one stops")
    rotate.add_argument("--id", required=True)
    listing = prov_sub.add_parser("list", help="every provider")
    for command in (add, status, rotate, listing):
        state_option(command)
        command.set_defaults(run=cmd_providers)
