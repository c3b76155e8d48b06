"""RTP configuration rules: the operator's lever on house edge, inside the law's range."""

from __future__ import annotations

import json
from dataclasses import dataclass

from .errors import RtpOutOfRange

RTP_MIN_BPS = 8000
RTP_MAX_BPS = 9900


@dataclass(frozen=True)
class GameConfig:
    game_id: str
    rtp_bps: int
    min_stake: int
    max_stake: int


def check_rtp(rtp_bps: object, low: int = RTP_MIN_BPS, high: int = RTP_MAX_BPS) -> int:
    if isinstance(rtp_bps, bool) or not isinstance(rtp_bps, int) or not low <= rtp_bps <= high:
        raise RtpOutOfRange(f"rtp_bps must be an integer from {low} to {high}")
    return rtp_bps


def parse_config(game_id: str, raw: str, low: int, high: int) -> GameConfig:
    """A config value as written in KV (by the API or by `wrangler kv key put`), validated."""
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise RtpOutOfRange("The configuration is not valid JSON") from exc
    if not isinstance(data, dict):
        raise RtpOutOfRange("The configuration must be a JSON object")
    rtp = check_rtp(data.get("rtp_bps"), low, high)
    min_stake, max_stake = data.get("min_stake"), data.get("max_stake")
    for value in (min_stake, max_stake):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise RtpOutOfRange("min_stake and max_stake must be positive integers")
    assert isinstance(min_stake, int) and isinstance(max_stake, int)
    if min_stake > max_stake:
        raise RtpOutOfRange("min_stake must not exceed max_stake")
    return GameConfig(game_id, rtp, min_stake, max_stake)


def config_json(config: GameConfig) -> str:
    return json.dumps(
        {"rtp_bps": config.rtp_bps, "min_stake": config.min_stake, "max_stake": config.max_stake},
        sort_keys=True,
    )
