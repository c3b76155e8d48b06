"""/v1/providers/{provider_id}/wallet: the seamless-wallet callbacks of external game providers,
each signed by the provider (`X-Provider-Timestamp`, `X-Provider-Signature`), and /v1/ops/providers:
the registry, for operators."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ValidationError

from casino.errors import ValidationFailed
from casino.providers import Provider

from .. import providers
from ..answers import unwrap
from ..permissions import Permission, require
from ..schemas import (
    ProviderBalanceIn,
    ProviderBalanceOut,
    ProviderBetIn,
    ProviderCreatedOut,
    ProviderIn,
    ProviderOut,
    ProviderRefundIn,
    ProviderRollbackIn,
    ProviderSecretOut,
    ProvidersOut,
    ProviderTransactionOut,
    ProviderUpdateIn,
    ProviderWinIn,
)
from ..security import Caller, ServicesDep
from ..services import Services
from .shaping import shaped

router = APIRouter(tags=["providers"])
ProvidersStaff = Annotated[Caller, Depends(require(Permission.PROVIDERS))]
SIGNED = {
    "parameters": [
        {"name": "X-Provider-Timestamp", "in": "header", "required": True,
         "schema": {"type": "string"}, "description": "Unix seconds"},
        {"name": "X-Provider-Signature", "in": "header", "required": True,
         "schema": {"type": "string"},
         "description": "hex HMAC-SHA256(secret, timestamp\\nMETHOD\\npath\\nsha256(body))"},
    ]
}  # fmt: skip


async def _signed(
    request: Request, services: Services, provider_id: str, model: type[BaseModel]
) -> tuple[Provider, dict[str, Any]]:
    body = await request.body()
    provider = await providers.authenticate(
        services, provider_id, request.headers, request.method, request.url.path, body
    )
    try:
        data = model.model_validate_json(body or b"{}").model_dump()
    except ValidationError as exc:
        fields = ", ".join(".".join(str(p) for p in e["loc"]) or "body" for e in exc.errors())
        raise ValidationFailed(f"Invalid or missing fields: {fields}") from exc
    return provider, data


def _answer(provider: Provider, result: dict[str, Any]) -> dict[str, Any]:
    """A transaction's answer, always 200 to the provider, in the provider's currency."""
    return unwrap(result).body | {"currency": provider.currency}


def _callback(kind: str, model: type[BaseModel], doc: str) -> Any:
    async def handler(provider_id: str, request: Request, services: ServicesDep) -> dict[str, Any]:
        provider, data = await _signed(request, services, provider_id, model)
        return _answer(provider, await providers.transaction(services, provider, kind, data))

    handler.__doc__ = doc
    handler.__name__ = f"provider_{kind}"
    return handler


@router.post(
    "/v1/providers/{provider_id}/wallet/balance", response_model=ProviderBalanceOut,
    response_model_exclude_unset=True, openapi_extra=SIGNED | {"requestBody": {"content": {"application/json": {
        "schema": ProviderBalanceIn.model_json_schema()}}}},
)  # fmt: skip
async def provider_balance(
    provider_id: str, request: Request, services: ServicesDep, response: Response
) -> dict[str, Any]:
    """The player's balance for a session token."""
    provider, data = await _signed(request, services, provider_id, ProviderBalanceIn)
    return shaped(await providers.balance(services, provider, data), response)


for _kind, _model, _doc in (
    ("bet", ProviderBetIn, "A bet: the stake leaves the balance (limits, exclusion, KYC apply)."),
    ("win", ProviderWinIn, "A win of a known bet (0 allowed: a lost round closed)."),
    ("refund", ProviderRefundIn, "Part or all of a known bet's stake returned."),
    ("rollback", ProviderRollbackIn, "A known bet undone: what is left of its stake returned."),
):
    router.add_api_route(
        f"/v1/providers/{{provider_id}}/wallet/{_kind}", _callback(_kind, _model, _doc),
        methods=["POST"], response_model=ProviderTransactionOut,
        response_model_exclude_unset=True, openapi_extra=SIGNED | {"requestBody": {"content": {"application/json": {
            "schema": _model.model_json_schema()}}}},
    )  # fmt: skip


@router.get("/v1/ops/providers", response_model=ProvidersOut)
async def list_providers(staff: ProvidersStaff, services: ServicesDep) -> ProvidersOut:
    return ProvidersOut(providers=[ProviderOut(**p) for p in await providers.listing(services)])


@router.post("/v1/ops/providers", status_code=201, response_model=ProviderCreatedOut)
async def create_provider(
    body: ProviderIn, staff: ProvidersStaff, services: ServicesDep
) -> ProviderCreatedOut:
    """Register a provider with its allowed games (their certified RTP); its HMAC secret is in
    the answer, this once."""
    return ProviderCreatedOut(**await providers.create(services, staff, body.model_dump()))


@router.patch("/v1/ops/providers/{provider_id}", response_model=ProviderOut)
async def update_provider(
    provider_id: str, body: ProviderUpdateIn, staff: ProvidersStaff, services: ServicesDep
) -> ProviderOut:
    """Suspend or reactivate a provider, change its games or launch URL."""
    changes = body.model_dump(exclude_unset=True)
    return ProviderOut(**await providers.update(services, staff, provider_id, changes))


@router.post("/v1/ops/providers/{provider_id}/secret", response_model=ProviderSecretOut)
async def rotate_provider_secret(
    provider_id: str, staff: ProvidersStaff, services: ServicesDep
) -> ProviderSecretOut:
    return ProviderSecretOut(**await providers.rotate_secret(services, staff, provider_id))
