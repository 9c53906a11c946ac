"""The signed partner webhook, past its signature check: schemathesis cannot sign, so hypothesis
sends correctly signed pushes with arbitrary JSON in the partner's fields, and arbitrary bytes."""
import itertools
import json
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.webhooks.receivers import make_partner
from webhooks.signing import sign

SIGNED = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                    max_leaves=8)
TICKET_FIELDS = ("id", "company", "contact", "content", "level")
# What a partner may legitimately be answered: accepted, seen before, refused for its content.
ANSWERS = {200, 201, 400}
_slugs = itertools.count(1)


def push(client, partner, body: bytes):
    timestamp = int(time.time())
    return client.post(f"/webhooks/{partner.slug}/appeals", data=body, content_type="application/json",
                       headers={"X-Webhook-Timestamp": str(timestamp),
                                "X-Webhook-Signature": "sha256=" + sign(partner.secret, timestamp, body)})


def answered(response) -> int:
    assert response.status_code in ANSWERS, response.get_data(as_text=True)[:300]
    assert response.is_json
    return response.status_code


@SIGNED
@given(st.dictionaries(st.sampled_from(TICKET_FIELDS), JSON, max_size=5))
def test_any_json_in_the_partner_fields_is_answered_never_a_500(client, world, redis_conn, fields):
    partner = make_partner(world, slug=f"fuzz{next(_slugs)}")
    payload = {"ticket": {"id": partner.slug, **fields}}
    answered(push(client, partner, json.dumps(payload, ensure_ascii=False).encode()))


@SIGNED
@given(JSON, st.binary(max_size=100))
def test_any_body_that_is_not_a_ticket_is_a_400(client, world, redis_conn, value, raw):
    partner = make_partner(world, slug=f"fuzz{next(_slugs)}")
    assert answered(push(client, partner, json.dumps(value).encode())) == 400
    assert answered(push(client, partner, raw + b"\xff")) == 400
