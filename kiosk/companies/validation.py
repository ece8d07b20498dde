"""The unified social credit code (统一社会信用代码, GB 32100-2015) and mainland mobile numbers."""
import re

#: the 31 characters a credit code may use: digits and capitals without I, O, Z, S, V
CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_MOBILE = re.compile(r"1[3-9]\d{9}")


class InvalidCreditCode(ValueError):
    """reason is one of: length, characters, check."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def credit_code_check_char(first17: str) -> str:
    total = sum(CREDIT_CODE_CHARS.index(c) * w for c, w in zip(first17, _WEIGHTS, strict=False))
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def normalise_credit_code(raw: str) -> str:
    """Return the code in capitals without spaces, or raise InvalidCreditCode."""
    code = re.sub(r"[\s-]", "", raw or "").upper()
    if len(code) != 18:
        raise InvalidCreditCode("length")
    if any(c not in CREDIT_CODE_CHARS for c in code):
        raise InvalidCreditCode("characters")
    if credit_code_check_char(code[:17]) != code[17]:
        raise InvalidCreditCode("check")
    return code


def normalise_mobile(raw: str) -> str | None:
    """An 11-digit mainland mobile number, tolerating spaces, dashes and a +86 prefix; else None."""
    digits = re.sub(r"[\s()-]", "", raw or "")
    digits = re.sub(r"^(\+?86)(?=1\d{10}$)", "", digits)
    return digits if _MOBILE.fullmatch(digits) else None
