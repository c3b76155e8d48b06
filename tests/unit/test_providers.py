import pytest

from casino.errors import InvalidSignature, RefundExceedsBet, RtpOutOfRange, ValidationFailed
from casino.providers import (
    ProviderBet,
    check_refund,
    check_signature,
    provider_from_dict,
    sign,
    split_game_id,
)

SECRET = b"s3cret"
BODY = b'{"amount": 100}'


def test_a_signature_over_timestamp_method_path_and_body_verifies():
    signature = sign(SECRET, "1700000000", "POST", "/v1/providers/p/wallet/bet", BODY)
    check_signature(SECRET, "1700000000", signature, "POST", "/v1/providers/p/wallet/bet", BODY,
                    1700000100)  # fmt: skip


@pytest.mark.parametrize(
    "change",
    [{"body": b'{"amount": 900}'}, {"path": "/v1/providers/p/wallet/win"}, {"method": "PUT"},
     {"secret": b"other"}, {"now": 1700000000 + 301}, {"now": 1700000000 - 301},
     {"timestamp": "17e8"}, {"signature": ""}],
)  # fmt: skip
def test_anything_changed_or_stale_is_refused(change):
    args = {"secret": SECRET, "timestamp": "1700000000", "method": "POST",
            "path": "/v1/providers/p/wallet/bet", "body": BODY, "now": 1700000000}  # fmt: skip
    signature = sign(SECRET, "1700000000", "POST", "/v1/providers/p/wallet/bet", BODY)
    signature = change.pop("signature", signature)
    args |= change
    with pytest.raises(InvalidSignature):
        check_signature(args["secret"], args["timestamp"], signature, args["method"],
                        args["path"], args["body"], args["now"])  # fmt: skip


def test_a_provider_lists_games_with_a_certified_rtp_in_range():
    provider = provider_from_dict({"provider_id": "acme-rgs", "games": {"bj": {"rtp_bps": 9900}}})
    assert provider.games["bj"].rtp_bps == 9900 and provider.active
    for bad in ({"provider_id": "Bad!", "games": {"bj": {"rtp_bps": 9900}}},
                {"provider_id": "acme", "games": {}},
                {"provider_id": "acme", "games": {"bj": {"rtp_bps": 7000}}},
                {"provider_id": "acme", "games": {"bj": {"rtp_bps": 9000, "min_stake": 0}}}):  # fmt: skip
        with pytest.raises((ValidationFailed, RtpOutOfRange)):
            provider_from_dict(bad)


def test_refunds_never_exceed_the_stake():
    bet = ProviderBet("b", 100, refunded=60)
    check_refund(bet, 40)
    with pytest.raises(RefundExceedsBet):
        check_refund(bet, 41)
    with pytest.raises(RefundExceedsBet):
        check_refund(ProviderBet("b", 100, rolled_back=True), 1)


def test_provider_game_ids_name_their_provider():
    assert split_game_id("acme-rgs:blackjack") == ("acme-rgs", "blackjack")
    assert split_game_id("dice") is None and split_game_id("Bad:x") is None
