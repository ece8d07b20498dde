import pytest

from kiosk.companies.validation import (
    InvalidCreditCode,
    credit_code_check_char,
    normalise_credit_code,
    normalise_mobile,
)
from tests.factories import CODE_A, CODE_B


@pytest.mark.parametrize("code", [CODE_A, CODE_B,
                                  "91370900MA3C4KTP0N"[:17] + credit_code_check_char("91370900MA3C4KTP0")])
def test_valid_credit_codes_pass(code):
    assert normalise_credit_code(code) == code


def test_lower_case_and_spaces_are_normalised():
    assert normalise_credit_code(" 91350100m000100y43 ") == CODE_A
    assert normalise_credit_code("913501 00M000 100Y43") == CODE_A


@pytest.mark.parametrize("code,reason", [
    ("91350100M000100Y44", "check"),      # one wrong check character
    ("91350100M000100Y4", "length"),      # 17 characters
    ("91350100M000100Y433", "length"),    # 19 characters
    ("", "length"),
    ("91350100M000100I43", "characters"),  # I is not in the code's alphabet
    ("9135010OM000100Y43", "characters"),  # the letter O, not zero
])
def test_invalid_credit_codes_say_why(code, reason):
    with pytest.raises(InvalidCreditCode) as raised:
        normalise_credit_code(code)
    assert raised.value.reason == reason


def test_a_single_changed_character_is_caught():
    body = CODE_A[:17]
    for position in range(17):
        changed = body[:position] + ("1" if body[position] != "1" else "2") + body[position + 1:]
        with pytest.raises(InvalidCreditCode):
            normalise_credit_code(changed + CODE_A[17])


@pytest.mark.parametrize("raw,expected", [
    ("13912345678", "13912345678"),
    ("139 1234 5678", "13912345678"),
    ("139-1234-5678", "13912345678"),
    ("+86 139 1234 5678", "13912345678"),
    ("8613912345678", "13912345678"),
    ("1391234567", None),      # 10 digits
    ("139123456789", None),    # 12 digits
    ("12912345678", None),     # no mainland mobile starts 12
    ("0538-1234567", None),    # a landline
    ("abc", None),
])
def test_mobile_numbers(raw, expected):
    assert normalise_mobile(raw) == expected
