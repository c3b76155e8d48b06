import json
from pathlib import Path

import pytest

from casino.jurisdictions import BRAZIL, PROFILES, from_dict, to_dict

KV = Path(__file__).resolve().parents[2] / "kv" / "jurisdictions"


def test_the_kv_seed_files_are_the_built_in_profiles():
    for code, profile in PROFILES.items():
        assert json.loads((KV / f"{code}.json").read_text()) == json.loads(
            json.dumps(to_dict(profile))
        )


def test_a_profile_round_trips_through_its_kv_form():
    assert from_dict(json.loads(json.dumps(to_dict(BRAZIL)))) == BRAZIL


@pytest.mark.parametrize(
    "change",
    [{"rtp_min_bps": 7000}, {"min_age": 16}, {"payment_methods": "pix"}, {"cpf_required": 1},
     {"unknown": 1}],
)  # fmt: skip
def test_invalid_profiles_are_refused(change):
    with pytest.raises(ValueError):
        from_dict(to_dict(BRAZIL) | change)


def test_brazil_allows_only_pix_and_ted_and_no_bonuses():
    assert BRAZIL.payment_methods == {"pix", "ted"} and not BRAZIL.bonuses_allowed
    assert BRAZIL.rtp_min_bps == 8500 and BRAZIL.idle_timeout_minutes == 30
