from casino.cpf import is_valid_cpf, normalize_cpf


def test_a_known_valid_cpf_is_accepted_with_or_without_punctuation():
    assert is_valid_cpf("529.982.247-25")
    assert is_valid_cpf("52998224725")


def test_a_wrong_check_digit_is_refused():
    assert not is_valid_cpf("529.982.247-24")
    assert not is_valid_cpf("52998224715")


def test_repeated_digits_and_wrong_lengths_are_refused():
    assert not is_valid_cpf("111.111.111-11")
    assert not is_valid_cpf("00000000000")
    assert not is_valid_cpf("5299822472")
    assert not is_valid_cpf("529982247250")


def test_letters_are_refused_rather_than_stripped():
    assert not is_valid_cpf("529a982247-25")


def test_normalization_keeps_only_digits():
    assert normalize_cpf("529.982.247-25") == "52998224725"


def test_check_digits_of_generated_cpfs_round_trip():
    from casino.cpf import _check_digit

    for base in ("123456789", "987654321", "000000001", "314159265"):
        first = _check_digit(base)
        full = base + str(first) + str(_check_digit(base + str(first)))
        assert is_valid_cpf(full)
        assert not is_valid_cpf(full[:-1] + str((int(full[-1]) + 1) % 10))
