from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from models.base import utcnow
from webhooks.signing import new_secret, parse_header, rotate, sign, signature_header, valid_secrets, verify

DOC = (Path(__file__).resolve().parents[2] / "docs" / "webhooks.md").read_text(encoding="utf-8")
EXAMPLE_SECRET = "whsec_example-secret-do-not-use"
EXAMPLE_TIMESTAMP = 1795334400
EXAMPLE_BODY = ('{"ticket":{"id":"T-1001","company":{"name":"金昌某某材料有限公司"},"contact":{"name":"张先生",'
                '"mobile":"13812341234"},"content":"银行突然不给续贷了，请帮忙协调。","level":"2"}}')


def test_worked_example_in_the_docs_is_what_the_code_computes():
    signature = sign(EXAMPLE_SECRET, EXAMPLE_TIMESTAMP, EXAMPLE_BODY.encode())
    assert signature == "beaf0e5e15ae8c82a41f949f2dcc9556f0c6f31ecf5c6e82373c8c8358df5c61"
    assert f"sha256={signature}" in DOC and EXAMPLE_BODY in DOC
    assert f"body ({len(EXAMPLE_BODY.encode())} bytes" in DOC


def test_signature_covers_timestamp_and_every_byte_of_the_body():
    base = sign("s", 100, b"{}")
    assert base != sign("s", 101, b"{}") and base != sign("s", 100, b"{} ") and base != sign("t", 100, b"{}")


def test_header_may_carry_several_signatures_and_any_valid_one_verifies():
    header = signature_header(["new", "old"], 100, b"{}")
    assert parse_header(header) == [sign("new", 100, b"{}"), sign("old", 100, b"{}")]
    assert verify(header, ["old"], "100", b"{}") == sign("old", 100, b"{}")
    assert verify(header, ["other"], "100", b"{}") is None
    assert verify("md5=" + sign("new", 100, b"{}"), ["new"], "100", b"{}") is None
    assert verify("", ["new"], "100", b"{}") is None


def test_rotation_overlap_window():
    holder = SimpleNamespace(secret=new_secret(), previous_secret=None, previous_valid_until=None)
    first = holder.secret
    second = rotate(holder, timedelta(hours=1))
    assert second != first and second.startswith("whsec_")
    assert valid_secrets(holder) == [second, first]
    assert valid_secrets(holder, utcnow() + timedelta(hours=2)) == [second]
