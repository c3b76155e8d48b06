"""Which jurisdiction a request is under: the deployment's when it fixes one (`JURISDICTION`),
else the network's: a `.bet.br` host, or a Cloudflare country (`request.cf.country`, which the
edge entry writes into `CF-IPCountry`; locally the header stands in for it) whose market has a
profile. Never what a player types: a declared country only chooses among the rest."""

from __future__ import annotations

from dataclasses import replace

from .services import Services

HOST_SUFFIXES = {".bet.br": "BR"}
NETWORK_COUNTRIES = {"BR": "BR"}  # Cloudflare's country code -> the profile it puts a request under


def request_jurisdiction(fixed: str | None, host: str, country: str | None) -> str | None:
    if fixed:
        return fixed
    hostname = host.rsplit(":", 1)[0].lower().rstrip(".")
    for suffix, code in HOST_SUFFIXES.items():
        if hostname.endswith(suffix):
            return code
    return NETWORK_COUNTRIES.get((country or "").strip().upper())


def for_request(services: Services, host: str, country: str | None) -> Services:
    """The services as this request sees them: under the network's profile when the deployment
    fixes none and the network does."""
    if services.settings.jurisdiction:
        return services
    code = request_jurisdiction(None, host, country)
    if code is None:
        return services
    return replace(services, settings=replace(services.settings, network_jurisdiction=code))
