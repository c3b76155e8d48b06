"""/v1/auth: registration, login (with a second factor), password change, two-step login for
players, refresh, logout."""

from fastapi import APIRouter, Request, Response

from casino.accounts import Registration
from casino.errors import Forbidden, InvalidOtp

from .. import accounts, exclusions, mfa, players
from ..schemas import (
    LoginIn,
    OtpIn,
    PasswordChangeIn,
    PlayerIdOut,
    RecoveryCodesOut,
    RefreshIn,
    RegisterIn,
    TokenPairOut,
    TotpEnrollmentOut,
)
from ..security import CallerDep, PlayerDep, ServicesDep

router = APIRouter(prefix="/v1/auth", tags=["accounts"])


def client_address(request: Request, trust_forwarded: bool) -> str:
    if trust_forwarded and (forwarded := request.headers.get("cf-connecting-ip")):
        return forwarded
    return request.client.host if request.client else "unknown"


@router.post("/register", status_code=201, response_model=PlayerIdOut)
async def register(body: RegisterIn, request: Request, services: ServicesDep) -> PlayerIdOut:
    address = client_address(request, services.settings.trust_forwarded_ip)
    await accounts.charge_registration(services, address)
    reg = Registration(
        email=body.email,
        password=body.password,
        full_name=body.full_name,
        birth_date=body.birth_date,
        country=body.country,
        cpf=body.cpf,
    )
    await exclusions.refuse_if_listed(services, body.cpf, body.email)
    extras = body.model_dump(include={"address", "phone", "payout_account", "gender"})
    player_id = await accounts.register(services, reg, body.limits, extras | {"signup_ip": address})
    return PlayerIdOut(player_id=player_id)


@router.post("/login", response_model=TokenPairOut)
async def login(body: LoginIn, request: Request, services: ServicesDep) -> TokenPairOut:
    address = client_address(request, services.settings.trust_forwarded_ip)
    pair = await accounts.login(
        services, body.email, body.password, address, body.otp, body.recovery_code
    )
    if pair["role"] == "player":
        await exclusions.check_on_login(services, pair["subject"])
    return TokenPairOut(**pair)


@router.post("/refresh", response_model=TokenPairOut)
async def refresh(body: RefreshIn, services: ServicesDep) -> TokenPairOut:
    return TokenPairOut(**await accounts.refresh(services, body.refresh_token))


@router.post("/logout", status_code=204, response_class=Response)
async def logout(body: RefreshIn, services: ServicesDep) -> Response:
    await accounts.logout(services, body.refresh_token)
    return Response(status_code=204)


@router.post("/password", status_code=204, response_class=Response)
async def change_password(
    body: PasswordChangeIn, caller: CallerDep, services: ServicesDep
) -> Response:
    """Change the password (players and staff); every other login of the account ends."""
    await accounts.change_password(services, caller, body.current_password, body.new_password)
    return Response(status_code=204)


@router.post("/mfa/totp", status_code=201, response_model=TotpEnrollmentOut)
async def start_totp(caller: PlayerDep, services: ServicesDep) -> TotpEnrollmentOut:
    """Turn on two-step login: a TOTP secret to add to an authenticator app, confirmed by its
    first code (`/mfa/totp/confirm`). Staff always have one (given by an admin)."""
    email = await players.email_of(services, caller.subject)
    return TotpEnrollmentOut(**await mfa.start_player_enrollment(services, caller.subject, email))


@router.post("/mfa/totp/confirm", response_model=RecoveryCodesOut)
async def confirm_totp(body: OtpIn, caller: PlayerDep, services: ServicesDep) -> RecoveryCodesOut:
    codes = await mfa.confirm_enrollment(services, caller.subject, body.otp)
    if codes is None:
        raise InvalidOtp("The code is wrong or expired")
    return RecoveryCodesOut(recovery_codes=codes)


@router.post("/mfa/totp/disable", status_code=204, response_class=Response)
async def disable_totp(body: OtpIn, caller: CallerDep, services: ServicesDep) -> Response:
    """Turn two-step login off again, with a current code. Staff cannot turn it off."""
    if caller.role != "player":
        raise Forbidden("Staff logins always need a second factor")
    if not await mfa.verify_totp(services, caller.subject, body.otp):
        raise InvalidOtp("The code is wrong, expired or already used")
    await mfa.remove(services, caller.subject)
    return Response(status_code=204)
