"""Masked display of complainant data for units without a logged disclosure.

Phones: mobiles keep the first 3 and last 4 digits (138****1234), landlines keep the
area code and the last 4 digits (0935-***1234), anything else shows at most the last 4
digits and only when at least 8 digits are present. Names keep the first character.
"""

from privacy.lookup import MOBILE, normalise_phone


def mask_phone(value: str | None) -> str:
    """Masked phone for display; "" for None or empty input, never raises."""
    if not value:
        return ""
    number = normalise_phone(value)
    if number.startswith("+"):  # international, not +86: generic rule below
        number = number[1:]
    elif MOBILE.fullmatch(number):
        return f"{number[:3]}****{number[-4:]}"
    elif number.startswith("0"):
        # 010 and 02x are 3-digit area codes, every other one has 4 digits.
        area_length = 3 if number[1:2] in ("1", "2") else 4
        area, local = number[:area_length], number[area_length:]
        if 7 <= len(local) <= 8:
            return f"{area}-{'*' * (len(local) - 4)}{local[-4:]}"
    if len(number) >= 8:
        return "*" * (len(number) - 4) + number[-4:]
    return "*" * max(len(number), 3)


def mask_name(value: str | None) -> str:
    """张先生 -> 张**, 李 -> *; whitespace is dropped; "" for None or empty input."""
    name = "".join((value or "").split())
    if len(name) <= 1:
        return "*" * len(name)
    return name[0] + "*" * (len(name) - 1)
