"""Hypothesis on the validators and on what reaches them: USCC check character, phone numbers
in every shape callers type them, payload sizes around the limit, and body encodings."""
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from intake.validators import USCC_ALPHABET, uscc_check_character, validate_phone, validate_uscc
from privacy.lookup import normalise_phone
from tests.factories import appeal_body
from tests.webhooks.receivers import make_partner

FAST = settings(max_examples=300, deadline=None, derandomize=True)
REQUESTS = settings(max_examples=12, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
ASCII_DIGITS = "0123456789"
FULL_WIDTH = {c: chr(ord(c) + 0xFEE0) for c in ASCII_DIGITS + "+-"}


@st.composite
def valid_uscc(draw) -> str:
    head = draw(st.text(USCC_ALPHABET, min_size=2, max_size=2))
    region = draw(st.text(ASCII_DIGITS, min_size=6, max_size=6))
    body = draw(st.text(USCC_ALPHABET, min_size=9, max_size=9))
    first17 = head + region + body
    return first17 + uscc_check_character(first17)


def outcome(validator, value) -> bool:
    """True when valid, False when refused; anything but ValidationError escapes and fails the test."""
    try:
        validator(value)
    except ValidationError:
        return False
    return True


@FAST
@given(valid_uscc())
def test_a_valid_uscc_passes_in_any_case_and_with_surrounding_spaces(code):
    assert outcome(validate_uscc, code)
    assert outcome(validate_uscc, f"  {code.lower()} ")


@FAST
@given(valid_uscc(), st.integers(0, 17), st.characters(codec="utf-8"))
def test_a_uscc_with_any_one_character_changed_is_refused(code, position, replacement):
    if replacement.strip().upper() == code[position]:
        replacement = "0" if code[position] != "0" else "1"
    changed = code[:position] + replacement + code[position + 1:]
    assert not outcome(validate_uscc, changed)


# Characters a USCC field sees in the wild: its alphabet, lower case, digits of other scripts
# (full-width, Arabic-Indic, Devanagari: all "digits" to a Unicode-aware regex), letters it excludes.
USCC_LIKE = st.one_of(st.sampled_from(USCC_ALPHABET + "iozsv IOZSV"), st.characters(categories=["Nd"]),
                      st.sampled_from(list(FULL_WIDTH.values())))


@FAST
@given(st.one_of(st.text(USCC_LIKE, min_size=16, max_size=20), st.text(max_size=40)))
def test_uscc_validation_never_crashes(value):
    outcome(validate_uscc, value)


@FAST
@given(valid_uscc(), st.lists(st.integers(2, 7), min_size=1, max_size=6, unique=True),
       st.characters(categories=["Nd"]).filter(lambda c: c not in ASCII_DIGITS))
def test_digits_of_other_scripts_in_a_uscc_are_refused(code, positions, digit):
    changed = "".join(digit if i in positions else c for i, c in enumerate(code))
    assert not outcome(validate_uscc, changed)


@st.composite
def typed_mobile(draw) -> tuple[str, str]:
    """A mobile number and the way someone typed it: country code, separators, full-width digits."""
    number = "1" + draw(st.sampled_from("3456789")) + draw(st.text(ASCII_DIGITS, min_size=9, max_size=9))
    prefix = draw(st.sampled_from(["", "+86", "+86 ", "0086", "86", "＋86 ", "(+86)"]))
    separator = draw(st.sampled_from(["", " ", "-", "　", " - "]))
    typed = prefix + separator.join([number[:3], number[3:7], number[7:]])
    if draw(st.booleans()):
        typed = "".join(FULL_WIDTH.get(c, c) for c in typed)
    return number, f"{' ' * draw(st.integers(0, 2))}{typed}{' ' * draw(st.integers(0, 2))}"


@FAST
@given(typed_mobile())
def test_a_mobile_number_typed_any_usual_way_normalises_to_its_eleven_digits(pair):
    number, typed = pair
    assert normalise_phone(typed) == number
    assert outcome(validate_phone, typed)


@FAST
@given(st.text(st.one_of(st.characters(), st.sampled_from(ASCII_DIGITS + "+- ")), max_size=40))
def test_phone_normalisation_and_validation_never_crash(value):
    normalised = normalise_phone(value)
    assert normalised in ("", "+") or normalised.lstrip("+").isdigit() and normalised.isascii()
    outcome(validate_phone, value)


@pytest.fixture
def operator(world):
    return world.user("operator")[1]


@REQUESTS
@given(st.integers(-2048, 4096))
def test_a_body_over_the_limit_is_413_and_one_under_it_is_read(app, client, operator, margin):
    limit = app.config["MAX_CONTENT_LENGTH"]
    body = json.dumps(appeal_body(), ensure_ascii=False).encode()
    body = body[:-1] + b" " * (limit + margin - len(body)) + b"}"
    response = client.post("/api/v1/appeals", data=body, headers={**operator, "Content-Type": "application/json"})
    if margin > 0:
        assert response.status_code == 413
        assert response.get_json()["code"] == 413
    else:
        assert response.status_code in (200, 201), response.get_json()


@pytest.mark.parametrize("url, content_type", [
    ("/api/v1/appeals", "application/json"), ("/webhooks/doors/appeals", "application/json"),
    ("/open311/v2/requests.json", "application/x-www-form-urlencoded"),
    ("/m/submit", "application/x-www-form-urlencoded"), ("/login", "application/x-www-form-urlencoded"),
])
def test_every_door_refuses_an_oversized_body_with_413(app, client, world, operator, url, content_type):
    make_partner(world, slug="doors")
    body = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post(url, data=body, headers={**operator, "Content-Type": content_type})
    assert response.status_code == 413


@REQUESTS
@given(st.binary(min_size=1, max_size=200))
def test_any_bytes_as_a_json_body_are_refused_with_400_not_500(client, operator, raw):
    try:
        json.loads(raw.decode("utf-8"))
        return  # valid UTF-8 JSON by chance: the schema decides, not this test
    except (UnicodeDecodeError, ValueError):
        pass
    response = client.post("/api/v1/appeals", data=raw, headers={**operator, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["message"]


def test_invalid_utf8_is_named_as_an_encoding_problem(client, operator):
    raw = json.dumps(appeal_body(), ensure_ascii=False).encode("gb18030")
    response = client.post("/api/v1/appeals", data=raw, headers={**operator, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert "编码" in response.get_json()["message"]


@pytest.mark.parametrize("charset", ["gb18030", "GBK", "gb2312", "utf-8"])
def test_a_body_declared_in_a_chinese_charset_is_read_in_it(client, operator, charset):
    body = appeal_body(text="企业反映：厂房租金补贴迟迟未到位，请协调落实。")
    raw = json.dumps(body, ensure_ascii=False).encode(charset)
    response = client.post("/api/v1/appeals", data=raw,
                           headers={**operator, "Content-Type": f"application/json; charset={charset}"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["enterprise"]["name"] == body["enterprise"]["name"]


def test_an_unsupported_charset_is_415(client, operator):
    raw = json.dumps(appeal_body()).encode()
    response = client.post("/api/v1/appeals", data=raw,
                           headers={**operator, "Content-Type": "application/json; charset=latin9"})
    assert response.status_code == 415
    assert "UTF-8" in response.get_json()["message"]
