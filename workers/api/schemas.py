"""Request and response models: the HTTP contract in pydantic. Converted to core values at once.

No `from __future__ import annotations` here: with it every field's annotation is a string that
pydantic evaluates (`eval`, a compile each) when it builds the model, at import; as objects they
cost nothing more (the classes are defined in dependency order, no forward reference).
"""

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from casino.ledger import MAX_AMOUNT

Money = Annotated[
    int, Field(strict=True, ge=1, le=MAX_AMOUNT, description="Minor units (centavos)")
]
MoneyOrZero = Annotated[int, Field(strict=True, ge=0, le=MAX_AMOUNT)]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=254,
                      pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
]  # fmt: skip


class Strict(BaseModel):
    model_config = ConfigDict(extra="ignore")


class AddressIn(Strict):
    street: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] = ""
    complement: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""
    district: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""
    city: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    state: Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)] = ""
    postal_code: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] = ""
    country: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")] = "BR"


class PayoutAccountIn(Strict):
    """A PIX key (`type: pix`, `pix_key_type` cpf/email/phone/random) or a bank account (`type:
    bank`, `bank_code`, `branch`, `account`, `account_type`, `holder_document`: the holder's
    CPF). It must be in the player's own CPF."""

    type: Literal["pix", "bank"]
    pix_key_type: Literal["cpf", "email", "phone", "random"] | None = None
    pix_key: Annotated[str, Field(max_length=100)] | None = None
    bank_code: Annotated[str, Field(max_length=10)] | None = None
    branch: Annotated[str, Field(max_length=10)] | None = None
    account: Annotated[str, Field(max_length=30)] | None = None
    account_type: Literal["checking", "savings", "payment"] = "checking"
    holder_document: Annotated[str, Field(max_length=32)] | None = None


Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9 ()-]{8,20}$")]


class RegisterIn(Strict):
    email: Email
    password: Annotated[str, Field(min_length=1, max_length=1024)]
    full_name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
    ]
    birth_date: date
    country: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")]
    cpf: Annotated[str, Field(max_length=32)] | None = None
    limits: dict[str, object] | None = None
    address: AddressIn | None = None
    phone: Phone | None = None
    payout_account: PayoutAccountIn | None = None
    gender: Annotated[str, Field(max_length=30)] | None = None


class PlayerUpdateIn(Strict):
    """Only the fields given change (address, phone, payout account)."""

    address: AddressIn | None = None
    phone: Phone | None = None
    payout_account: PayoutAccountIn | None = None


class PlayerIdOut(BaseModel):
    player_id: str


class LoginIn(Strict):
    email: Annotated[str, Field(min_length=1, max_length=254)]
    password: Annotated[str, Field(min_length=1, max_length=1024)]
    otp: Annotated[
        str | None,
        Field(max_length=16, description="TOTP code (RFC 6238, 6 digits): staff always, players "
              "who turned two-step login on; without it such a login is 401 `mfa_required`"),
    ] = None  # fmt: skip
    recovery_code: Annotated[
        str | None, Field(max_length=64, description="A single-use recovery code instead of `otp`")
    ] = None


class PasswordChangeIn(Strict):
    current_password: Annotated[str, Field(min_length=1, max_length=1024)]
    new_password: Annotated[str, Field(min_length=1, max_length=1024)]


class OtpIn(Strict):
    otp: Annotated[str, Field(min_length=1, max_length=16)]


class TotpEnrollmentOut(BaseModel):
    otpauth_uri: str
    secret: str = Field(description="The base32 secret of the URI, for manual entry")


class RecoveryCodesOut(BaseModel):
    recovery_codes: list[str] = Field(description="Single-use codes, shown this once")


StaffRole = Literal["kyc_reviewer", "compliance", "operator", "admin"]


class StaffIn(Strict):
    email: Email
    password: Annotated[str, Field(min_length=1, max_length=1024)]
    role: StaffRole


class StaffOut(BaseModel):
    staff_id: str
    email: str
    role: str
    status: str


class StaffListEntry(StaffOut):
    created_at: str
    password_changed_at: str | None
    mfa_status: str | None


class StaffListOut(BaseModel):
    staff: list[StaffListEntry]


class StaffCreatedOut(BaseModel):
    staff_id: str
    email: str
    role: str
    otpauth_uri: str = Field(description="The TOTP secret as an otpauth URI, shown this once")
    recovery_codes: list[str]


class StaffUpdateIn(Strict):
    role: StaffRole | None = None
    status: Literal["active", "disabled"] | None = None


class StaffResetIn(Strict):
    reset_mfa: bool = False


class StaffResetOut(BaseModel):
    staff_id: str
    temporary_password: str
    otpauth_uri: str | None = None
    recovery_codes: list[str] | None = None


class TokenPairOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class RefreshIn(Strict):
    refresh_token: Annotated[str, Field(min_length=1, max_length=512)]


class PlayerSummaryOut(BaseModel):
    player_id: str
    email: str
    full_name: str
    kyc_status: str
    account_status: str
    jurisdiction: str
    created_at: str


class PlayerSearchOut(BaseModel):
    players: list[PlayerSummaryOut]


class PlayerOut(BaseModel):
    player_id: str
    email: str
    full_name: str
    country: str
    kyc_status: Literal["none", "pending", "verified", "rejected"]
    vip_tier: str
    created_at: str
    jurisdiction: str | None = None
    account_status: str | None = None
    address: dict[str, Any] | None = None
    phone: str | None = None
    payout_account: dict[str, Any] | None = None
    missing_fields: list[str] = Field(
        default_factory=list, description="What the jurisdiction asks of the profile and is missing"
    )
    kyc_reason: str | None = Field(
        default=None, description="Why the identity documents were rejected (when rejected)"
    )


class HealthOut(BaseModel):
    status: Literal["ok"]


class LiveStatsOut(BaseModel):
    """Aggregate, non-personal figures."""

    players: int
    rounds_24h: int
    wallet_events: int
    fraud_alerts: int = Field(description="AML, responsible-gaming and operator alerts raised")
    games: int


class WalletOut(BaseModel):
    balance: int
    currency: str
    last_seq: int


class PaymentIn(Strict):
    amount: Money
    method: Annotated[str, Field(min_length=1, max_length=32)]
    payer_document: Annotated[str, Field(min_length=1, max_length=32)] | None = None


class EventOut(BaseModel):
    seq: int
    type: Literal["DEPOSIT", "WITHDRAWAL", "BET", "WIN", "BONUS_CREDIT", "BONUS_DEBIT"]
    amount: int
    balance_after: int
    created_at: str
    ref: str


class WithdrawalOut(BaseModel):
    withdrawal_id: str
    amount: int
    method: str
    destination: dict[str, Any] | None = Field(description="Where it is paid (masked)")
    status: Literal["requested", "paid"]
    requested_at: str
    due_by: str | None = Field(description="By when the jurisdiction wants it paid")
    paid_at: str | None
    age_minutes: int
    overdue: bool


class WithdrawalsOut(BaseModel):
    withdrawals: list[WithdrawalOut]


class InterventionOut(BaseModel):
    """What the behaviour watch shows the player after a deposit or a round (README, Responsible
    gaming): a message, a suggested loss limit, or an enforced break."""

    rule: str = Field(
        description="loss_chasing, rising_stakes, long_session, night_play or declined_deposits"
    )
    level: int = Field(description="1 to 4: the player's alerts within a week, escalating")
    intervention: str = Field(
        description="message, suggested_limit, enforced_break or operator_review"
    )
    message: str
    suggested_daily_loss_limit: int | None = Field(
        default=None, description="With `suggested_limit`: the daily loss limit suggested"
    )
    break_until: str | None = Field(
        default=None, description="With `enforced_break`: when the break ends"
    )


class MoneyMovementOut(BaseModel):
    event: EventOut
    balance: int
    withdrawal: WithdrawalOut | None = None
    interventions: list[InterventionOut] = Field(
        default_factory=list, description="Deposits: what the behaviour watch shows the player"
    )


class EventPageOut(BaseModel):
    events: list[EventOut]
    next_after_seq: int | None


DocType = Literal["id_front", "id_back", "selfie", "proof_of_address"]


class KycDocumentIn(Strict):
    doc_type: DocType
    filename: Annotated[str, Field(min_length=1, max_length=255)]
    content_type: Annotated[str, Field(min_length=1, max_length=100)]
    content_base64: Annotated[str, Field(min_length=1)]


class KycDocumentOut(BaseModel):
    document_id: str
    kyc_status: Literal["none", "pending", "verified", "rejected"]


class KycDecisionIn(Strict):
    decision: Literal["approve", "reject"]
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] = ""


class KycStatusOut(BaseModel):
    player_id: str
    kyc_status: Literal["none", "pending", "verified", "rejected"]


class DocumentMeta(BaseModel):
    document_id: str
    doc_type: str
    filename: str
    content_type: str
    size: int
    created_at: str


class KycQueueEntry(BaseModel):
    player_id: str
    email: str
    full_name: str
    kyc_status: str
    submitted_at: str | None
    documents: list[DocumentMeta]


class KycQueueOut(BaseModel):
    players: list[KycQueueEntry]


class WalletAuditOut(BaseModel):
    player_id: str
    events: int = Field(description="Number of events in the ledger")
    replayed_balance: int
    stored_balance: int
    consistent: bool
    last_seq: int
    d1_projected_seq: int
    first_error: str | None = None


ClientSeed = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[\x20-\x7e]+$")
]


class GameOut(BaseModel):
    game_id: str
    jurisdiction: str = Field(description="The market whose RTP and stakes these are")
    name: str
    kind: str
    rtp_bps: int
    min_stake: int
    max_stake: int
    paytable: dict[str, Any]
    provider_id: str | None = Field(
        default=None, description="The external provider of the game (kind `provider`)"
    )


class GamesOut(BaseModel):
    games: list[GameOut]


class SessionIn(Strict):
    client_seed: ClientSeed | None = None


class SessionOut(BaseModel):
    session_id: str
    game_id: str
    rtp_bps: int
    server_seed_hash: str
    client_seed: str
    nonce: int
    min_stake: int
    max_stake: int
    opened_at: str


class ProviderSessionOut(BaseModel):
    """A session of an external provider's game: the provider plays it, through the wallet
    callbacks, with the opaque `session_token` it receives in `launch_url`."""

    session_id: str
    game_id: str
    provider_id: str
    rtp_bps: int = Field(description="The provider's certified RTP")
    min_stake: int
    max_stake: int
    opened_at: str
    session_token: str
    launch_url: str
    server_seed_hash: None = None
    client_seed: None = None
    nonce: None = None


class RoundIn(Strict):
    stake: Money
    params: dict[str, Any] = Field(default_factory=dict)


class RoundRealityCheckOut(BaseModel):
    due: bool = Field(description="Whether the periodic reality check is due: show it now")
    session_started_at: str
    elapsed_minutes: int
    rounds: int
    net_position: int = Field(description="Won minus staked in this play session")


class RoundOut(BaseModel):
    round_id: str
    nonce: int
    outcome: dict[str, Any]
    payout: int
    stake: int
    balance: int
    server_seed_hash: str
    client_seed: str
    rtp_bps: int
    game_id: str
    params: dict[str, Any]
    reality_check: RoundRealityCheckOut | None = Field(
        default=None, description="The play session so far, for the reality check"
    )
    interventions: list[InterventionOut] = Field(
        default_factory=list, description="What the behaviour watch shows the player"
    )


class RoundRecordOut(BaseModel):
    round_id: str
    nonce: int
    server_seed_hash: str
    client_seed: str
    rtp_bps: int
    stake: int
    params: dict[str, Any]
    outcome: dict[str, Any]
    payout: int
    game_id: str


class VoidRoundOut(BaseModel):
    nonce: int
    server_seed_hash: str


class PendingRoundOut(BaseModel):
    round_id: str
    nonce: int
    server_seed_hash: str
    created_at: str


class RevealedSeedOut(BaseModel):
    server_seed_hash: str
    revealed_server_seed: str
    client_seed: str
    final_nonce: int
    revealed_at: str


class RoundsOut(BaseModel):
    rounds: list[RoundRecordOut]
    void_rounds: list[VoidRoundOut] = Field(
        description="Nonces reserved by rounds that the wallet refused (no money moved)"
    )
    pending_rounds: list[PendingRoundOut] = Field(
        description="Rounds whose outcome is fixed and whose settlement the platform is still "
        "completing; each becomes settled or void without any action of the player"
    )
    revealed_seeds: list[RevealedSeedOut] = Field(
        description="Every server seed of this session revealed so far, to verify the rounds"
    )


class RotationIn(Strict):
    client_seed: ClientSeed | None = None


class RotationOut(BaseModel):
    revealed_server_seed: str
    revealed_server_seed_hash: str
    previous_client_seed: str
    final_nonce: int = Field(description="Nonces used under the revealed seed (0..final_nonce-1)")
    client_seed: str = Field(description="The client seed of the new commitment")
    server_seed_hash: str = Field(description="The new commitment")
    nonce: int


class RtpIn(Strict):
    rtp_bps: Annotated[int, Field(strict=True)]
    jurisdiction: Annotated[str, Field(pattern=r"^[A-Za-z]{2}$|^generic$")] | None = None


class GameConfigOut(BaseModel):
    game_id: str
    jurisdiction: str
    rtp_bps: int
    min_stake: int
    max_stake: int


class GameStatsOut(BaseModel):
    game_id: str
    rounds: int
    total_staked: int
    total_paid: int
    target_rtp_bps: int
    actual_rtp_bps: int | None
    deviation_bps: int | None
    expected_rtp_bps: int | None = Field(
        description="The RTP the rounds played should give, from each round's exact expectation"
    )
    z_score: float | None = Field(description="(paid - expected) / sd over the rounds played")
    flagged: bool = Field(description="|z| > 2.576: the deviation is unlikely to be chance (99%)")
    ci99_low_bps: int | None = Field(
        default=None, description="The 99% band of the RTP the rounds played should give"
    )
    ci99_high_bps: int | None = None


class RtpChange(BaseModel):
    change_id: str
    game_id: str
    jurisdiction: str
    old_rtp_bps: int | None
    new_rtp_bps: int
    changed_by: str
    changed_at: str
    source: str


class RtpHistoryOut(BaseModel):
    changes: list[RtpChange]


class OperatorAlert(BaseModel):
    alert_id: str
    kind: str
    subject: str
    detail: str
    created_at: str
    status: str


class OperatorAlertsOut(BaseModel):
    alerts: list[OperatorAlert]


class RgAlert(BaseModel):
    alert_id: str
    player_id: str
    rule: str = Field(
        description="loss_chasing, rising_stakes, long_session, night_play or declined_deposits"
    )
    level: int = Field(description="1 to 4: the player's alerts within a week, escalating")
    intervention: str = Field(
        description="message, suggested_limit, enforced_break or operator_review"
    )
    created_at: str


class RgAlertsOut(BaseModel):
    alerts: list[RgAlert]


class ExclusionImportOut(BaseModel):
    import_id: str
    entries: int = Field(description="Distinct CPFs on the list imported")
    added: int = Field(description="CPFs not on the list in force before")
    removed: int = Field(description="CPFs of the list in force that the new one drops")
    invalid_rows: int
    rows: int
    dry_run: bool
    closed_accounts: int


class BonusIn(Strict):
    amount: Money
    wagering_multiplier: Annotated[
        int, Field(strict=True, ge=1, le=100, description="Stake amount x this before it unlocks")
    ]


class BonusStatusOut(BaseModel):
    locked: int
    wagering_remaining: int


class BonusGrantOut(BaseModel):
    event: EventOut
    balance: int
    bonus: BonusStatusOut


class AuditEntryOut(BaseModel):
    audit_id: str
    actor_id: str
    actor_role: str
    action: str
    subject: str
    details: dict[str, Any]
    at: str


class AuditLogOut(BaseModel):
    entries: list[AuditEntryOut]


# External game providers -----------------------------------------------------------------------
ProviderRef = Annotated[
    str, StringConstraints(min_length=1, max_length=100, pattern=r"^[\x21-\x7e]+$")
]


class ProviderGameIn(Strict):
    name: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    rtp_bps: Annotated[int, Field(strict=True)]
    min_stake: Money = 10
    max_stake: Money = 1_000_000


class ProviderIn(Strict):
    provider_id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,30}[a-z0-9]$")]
    name: Annotated[str, Field(min_length=1, max_length=100)]
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "BRL"
    status: Literal["active", "suspended"] = "active"
    games: dict[str, ProviderGameIn]
    launch_url: Annotated[str, Field(min_length=10, max_length=500)]


class ProviderUpdateIn(Strict):
    name: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    status: Literal["active", "suspended"] | None = None
    games: dict[str, ProviderGameIn] | None = None
    launch_url: Annotated[str, Field(min_length=10, max_length=500)] | None = None


class ProviderOut(BaseModel):
    provider_id: str
    name: str
    status: str
    currency: str
    games: dict[str, dict[str, Any]]
    launch_url: str


class ProviderCreatedOut(ProviderOut):
    secret: str = Field(description="The HMAC secret, shown this once")


class ProvidersOut(BaseModel):
    providers: list[ProviderOut]


class ProviderSecretOut(BaseModel):
    provider_id: str
    secret: str = Field(description="The new HMAC secret, shown this once; the old one stops")


class ProviderBalanceIn(Strict):
    session_token: Annotated[str, Field(min_length=1, max_length=2000)]


class ProviderBetIn(ProviderBalanceIn):
    transaction_id: ProviderRef
    round_id: ProviderRef
    amount: Money
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] | None = None


class ProviderWinIn(ProviderBalanceIn):
    transaction_id: ProviderRef
    round_id: ProviderRef
    bet_transaction_id: ProviderRef
    amount: MoneyOrZero
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] | None = None


class ProviderRefundIn(ProviderWinIn):
    amount: Money


class ProviderRollbackIn(ProviderBalanceIn):
    transaction_id: ProviderRef
    round_id: ProviderRef
    bet_transaction_id: ProviderRef


class ProviderBalanceOut(BaseModel):
    player_id: str
    currency: str
    balance: int


class ProviderTransactionOut(BaseModel):
    transaction_id: str
    kind: Literal["bet", "win", "refund", "rollback"]
    amount: int
    balance: int
    event: EventOut | None
    currency: str


# AML ---------------------------------------------------------------------------------------
AmlRisk = Literal["low", "medium", "high", "critical"]
AmlStatus = Literal["open", "under_review", "closed", "reported"]


class AmlAlertOut(BaseModel):
    alert_id: str
    player_id: str
    rule: str
    score: int
    risk: AmlRisk
    created_at: str = Field(description="When the event that raised it happened")
    status: AmlStatus


class AmlAlertsOut(BaseModel):
    alerts: list[AmlAlertOut]


class AmlAlertEventOut(BaseModel):
    event_id: str
    seq: int
    type: str
    amount: int
    balance_after: int
    at: str
    created_at: str
    ref: str


class AmlAlertHistoryOut(BaseModel):
    at: str
    status: AmlStatus
    reason: str | None
    actor_id: str | None


class AmlCosOut(BaseModel):
    """The suspicious-activity report (COAF's COS) drafted for a critical alert."""

    status: Literal["draft", "filed"]
    due_by: str
    created_at: str
    filed_at: str | None


class AmlAlertDetailOut(AmlAlertOut):
    reason: str = Field(description="The engine's sentence, in English")
    facts: dict[str, int | str] = Field(
        description="The figures behind the reason (money in centavos, windows in seconds), for "
        "a reader's own language"
    )
    status_reason: str | None
    updated_at: str
    action: Literal["hold", "freeze"] | None = Field(
        description="What the alert did to the account: withdrawals held, or the account frozen"
    )
    events: list[AmlAlertEventOut]
    history: list[AmlAlertHistoryOut]
    cos: AmlCosOut | None


class AmlStatusIn(Strict):
    status: Literal["under_review", "closed", "reported"]
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None


class PepIn(Strict):
    pep: bool
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class PepOut(BaseModel):
    player_id: str
    pep: bool
