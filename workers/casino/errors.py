"""Domain errors: one small hierarchy, each with a stable machine-readable code.

The HTTP layer maps them, in one place, to RFC 9457 problem details; the status lives
here so that the mapping is data, not a chain of ifs.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused a command. `code` is part of the HTTP contract."""

    code: str = "domain_error"
    status: int = 422
    title: str = "Request refused"

    def __init__(self, detail: str | None = None, **extra: object) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra


def _error(name: str, code: str, status: int, title: str) -> type[DomainError]:
    return type(name, (DomainError,), {"code": code, "status": status, "title": title})


# Accounts
InvalidCpf = _error("InvalidCpf", "invalid_cpf", 422, "The CPF is not valid")
Underage = _error("Underage", "underage", 422, "The player is under the minimum age")
WeakPassword = _error("WeakPassword", "weak_password", 422, "The password is too weak")
EmailTaken = _error("EmailTaken", "email_taken", 409, "The email is already registered")
CpfTaken = _error("CpfTaken", "cpf_taken", 409, "The CPF is already registered")
InvalidCredentials = _error(
    "InvalidCredentials", "invalid_credentials", 401, "Invalid email or password"
)
InvalidToken = _error("InvalidToken", "invalid_token", 401, "The token is invalid")
TokenExpired = _error("TokenExpired", "token_expired", 401, "The token has expired")
RefreshTokenReused = _error(
    "RefreshTokenReused", "refresh_token_reused", 401, "The refresh token was already used"
)
RateLimited = _error("RateLimited", "rate_limited", 429, "Too many attempts")
Forbidden = _error("Forbidden", "forbidden", 403, "Forbidden")
NotFound = _error("NotFound", "not_found", 404, "Not found")
RegistrationRefused = _error(
    "RegistrationRefused", "registration_refused", 403, "The account could not be opened"
)
ValidationFailed = _error("ValidationFailed", "validation_error", 422, "Invalid request")

# Wallet
InsufficientFunds = _error("InsufficientFunds", "insufficient_funds", 409, "Insufficient funds")
KycRequired = _error("KycRequired", "kyc_required", 403, "Identity verification required")
SelfExcluded = _error("SelfExcluded", "self_excluded", 403, "The player is excluded from play")
# An account frozen for review: money neither comes in nor goes out, nothing says why.
AccountRestricted = _error(
    "AccountRestricted", "account_restricted", 403,
    "This account is restricted; please contact support",
)  # fmt: skip
DepositLimitExceeded = _error(
    "DepositLimitExceeded", "deposit_limit_exceeded", 403, "The deposit would exceed a limit"
)
PaymentMethodNotAllowed = _error(
    "PaymentMethodNotAllowed",
    "payment_method_not_allowed",
    422,
    "The payment method is not allowed in this jurisdiction",
)
PayerMismatch = _error(
    "PayerMismatch", "payer_mismatch", 422, "The payer document is not the player's own"
)
PayoutAccountMismatch = _error(
    "PayoutAccountMismatch", "payout_account_mismatch", 422,
    "The payout account is not in the player's own CPF",
)  # fmt: skip
ProfileIncomplete = _error(
    "ProfileIncomplete", "profile_incomplete", 403, "The profile lacks what this payment needs"
)
IdempotencyKeyRequired = _error(
    "IdempotencyKeyRequired", "idempotency_key_required", 400, "Idempotency-Key header required"
)
IdempotencyKeyInvalid = _error(
    "IdempotencyKeyInvalid",
    "idempotency_key_invalid",
    400,
    "Idempotency-Key must be 1-255 printable ASCII characters",
)
IdempotencyKeyReused = _error(
    "IdempotencyKeyReused",
    "idempotency_key_reused",
    422,
    "The Idempotency-Key was used with a different request",
)
InvalidAmount = _error("InvalidAmount", "invalid_amount", 422, "Invalid amount")
BonusTooLarge = _error(
    "BonusTooLarge", "bonus_too_large", 422, "The bonus exceeds the jurisdiction's maximum grant"
)
BonusNotAllowed = _error(
    "BonusNotAllowed", "bonus_not_allowed", 403, "Bonuses are not allowed in this jurisdiction"
)

# Games
InvalidStake = _error("InvalidStake", "invalid_stake", 422, "The stake is out of range")
InvalidParams = _error("InvalidParams", "invalid_params", 422, "Invalid game parameters")
RtpOutOfRange = _error("RtpOutOfRange", "rtp_out_of_range", 422, "RTP out of the allowed range")
SessionClosed = _error("SessionClosed", "session_closed", 409, "The game session is closed")
SessionTimeLimitReached = _error(
    "SessionTimeLimitReached", "session_time_limit_reached", 403, "Session time limit reached"
)
LossLimitReached = _error("LossLimitReached", "loss_limit_reached", 403, "Loss limit reached")
InvalidLimit = _error("InvalidLimit", "invalid_limit", 422, "Invalid limit")
LimitRequired = _error(
    "LimitRequired", "limit_required", 422, "This limit is mandatory in your jurisdiction"
)
RoundsPending = _error(
    "RoundsPending", "rounds_pending", 409, "Rounds of this seed are still being settled"
)
RoundVoid = _error("RoundVoid", "round_void", 409, "The round was void; no money moved")

# External game providers
InvalidSignature = _error(
    "InvalidSignature", "invalid_signature", 401, "The callback signature is not valid"
)
InvalidSessionToken = _error(
    "InvalidSessionToken", "invalid_session_token", 401, "The game session token is not valid"
)
ProviderUnavailable = _error(
    "ProviderUnavailable", "provider_unavailable", 403, "The provider or game is not available"
)
UnknownBet = _error("UnknownBet", "unknown_bet", 409, "No such bet of this provider")
RefundExceedsBet = _error(
    "RefundExceedsBet", "refund_exceeds_bet", 409, "The refund exceeds what the bet staked"
)
CurrencyMismatch = _error(
    "CurrencyMismatch", "currency_mismatch", 422, "The currency is not the wallet's"
)

# National exclusion list
InvalidList = _error("InvalidList", "invalid_list", 422, "The list was not imported")

# Regulatory reports
InvalidDate = _error("InvalidDate", "invalid_date", 422, "Invalid report date")

# KYC
DocumentsMissing = _error(
    "DocumentsMissing", "documents_missing", 409, "The documents a decision needs are missing"
)
InvalidDocument = _error("InvalidDocument", "invalid_document", 422, "Unsupported document")

# Staff security and second factors
MfaRequired = _error(
    "MfaRequired", "mfa_required", 401, "A one-time code from the authenticator app is required"
)
InvalidOtp = _error("InvalidOtp", "invalid_otp", 401, "The one-time code is not valid")
MfaAlreadyEnabled = _error(
    "MfaAlreadyEnabled", "mfa_already_enabled", 409, "A second factor is already enabled"
)
MfaNotPending = _error(
    "MfaNotPending", "mfa_not_pending", 409, "No second factor is waiting for confirmation"
)

# AML alerts
IllegalTransition = _error(
    "IllegalTransition", "illegal_transition", 409, "The alert cannot move to that status"
)
