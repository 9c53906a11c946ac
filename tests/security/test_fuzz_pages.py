"""The server-rendered pages are not in the OpenAPI document, so hypothesis fuzzes them here:
every page route (FUZZ_EXAMPLES examples each), signed in as a role the access matrix lets through (with the form's CSRF
token), with arbitrary values for every field name the pages read or render. A page may refuse
(400, 404, a redirect), never fail: its error handler turns a crash into a 500 page.
"""
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import web
from tests.security.scene import PRINCIPALS, build_scene
from tests.security.test_access_matrix import EXPECTED, is_page, request_for
from tests.security.test_fuzz_api import EXAMPLES

READS = re.compile(r'request\.(?:args|form)\.get(?:list)?\(\s*"([^"]+)"')
RENDERS = re.compile(r'name="([^"{}]+)"')
PREFERENCE = ("admin", "lead", "operator", "dispatcher", "supervisor", "anonymous")


def field_names() -> list[str]:
    root = Path(web.__file__).parent
    names = set()
    for source in root.glob("*.py"):
        names |= set(READS.findall(source.read_text()))
    for template in root.rglob("*.html"):
        names |= set(RENDERS.findall(template.read_text()))
    return sorted(names - {"csrf_token"})


VALUES = st.one_of(
    st.text(max_size=40),
    st.from_regex(r"-?[0-9]{1,12}", fullmatch=True),
    st.from_regex(r"[0-9]{4}-[0-9]{2}(-[0-9]{2})?", fullmatch=True),
    st.sampled_from(["", "red", "yellow", "pending", "on", "1", "0", "true", "handler", "admin", "市工信局", "JC",
                     "金昌", "normal", "emergency", "satisfied", "13812341234", "91620300MA71K2Q8LL", "/", "//evil"]),
)


def signed_in_as(route: str) -> str:
    answers = dict(zip(PRINCIPALS, EXPECTED[route].split()))
    return next((p for p in PREFERENCE if answers[p] not in ("login", "403")), "admin")


@pytest.fixture
def scene(app, database):
    return build_scene(app)


# /readyz reads no field and answers 503 by design while no worker beats (the scene runs none).
@pytest.mark.parametrize("route", sorted(r for r in EXPECTED if is_page(r) and r != "GET /readyz"))
def test_no_page_fails_on_any_field_values(scene, redis_conn, route):
    method, url, kwargs = request_for(route, scene.path_values)
    who = signed_in_as(route)
    fields = st.dictionaries(st.sampled_from(field_names()), VALUES, max_size=8)

    @given(values=fields)
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(values):
        sent = {**kwargs, "form": values} if method == "POST" else {**kwargs, "query_string": values}
        response = scene.send(who, method, url, **sent)
        assert response.status_code < 500, f"{who} {method} {url} {values}: {response.status_code}"
        redis_conn.flushdb()  # the public pages' per-address limit

    run()
