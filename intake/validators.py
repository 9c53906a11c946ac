"""Validators for enterprise and complainant identifiers, with Chinese messages."""
import re

from marshmallow import ValidationError

from privacy.lookup import normalise_phone

# GB 32100-2015: 18 characters from this alphabet (no I, O, S, V, Z); the last is a check character.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_PATTERN = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")  # [0-9]: \d takes any script

MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{9,11}$")  # area code and number, dashes already removed
SERVICE_NUMBER = re.compile(r"^(95|96|400|800)\d{3,8}$")


def uscc_check_character(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def normalise_uscc(value: str) -> str:
    return value.strip().upper()


def validate_uscc(value: str) -> None:
    code = normalise_uscc(value)
    if len(code) != 18:
        raise ValidationError("统一社会信用代码应为18位")
    if not USCC_PATTERN.match(code):
        raise ValidationError("统一社会信用代码含有不允许的字符")
    if uscc_check_character(code[:17]) != code[17]:
        raise ValidationError("统一社会信用代码校验位不正确，请核对")


def validate_phone(value: str) -> None:
    phone = normalise_phone(value)
    if not (MOBILE.match(phone) or LANDLINE.match(phone) or SERVICE_NUMBER.match(phone)):
        raise ValidationError("联系电话格式不正确：请填写11位手机号或带区号的固定电话")
