"""Every route of the app × every principal against the expected access kept here.

A row is "METHOD rule" -> eleven answers, one per principal, in the order of PRINCIPALS:
anonymous, expired (token past its expiry / session whose password stamp is stale), operator,
dispatcher, lead (handler of the unit the appeal is dispatched to), other_unit (handler of another
unit), supervisor, admin, partner, other_city (supervisor of another city), other_admin (admin of
another city: every object of this city is 404 to them, every list their own city's).
Answers: 2xx, 302 (a redirect, not to sign-in), login (redirect to the sign-in page), or a status.
The request bodies are valid for the schema, so a 400 is the view's own refusal after the access
check (an empty page form, a rule the view rejects), never argument parsing before it.
A new route without a row fails test_every_route_has_a_row.
"""
import re

import pytest

from tests.security.scene import PRINCIPALS, build_scene
from tests.webhooks.receivers import PARTNER_MAPPING

EXCLUDED_ENDPOINTS = {"static", "web_auth.static", "api-docs.openapi_json"}

# fmt: off
#                                                                 anon  expd  oper  disp  lead  othu  supv  admn  prtn  city  cadm
EXPECTED = {
    "GET /":                                                     "login login 302   302   302   302   302   302   403   302   302",
    "GET /admin/users":                                          "login login 403   403   403   403   403   2xx   403   403   2xx",
    "POST /admin/users":                                         "login login 403   403   403   403   403   400   403   403   400",
    "GET /admin/users/<int:user_id>":                            "login login 403   403   403   403   403   2xx   403   403   404",
    "POST /admin/users/<int:user_id>":                           "login login 403   403   403   403   403   302   403   403   404",
    "POST /admin/tokens/<int:token_id>/revoke":                  "login login 403   403   403   403   403   302   403   403   404",
    "GET /admin/sla/calendar":                                   "login login 403   403   403   403   403   2xx   403   403   2xx",
    "POST /admin/sla/calendar":                                  "login login 403   403   403   403   403   400   403   403   400",
    "POST /admin/sla/calendar/<day>/delete":                     "login login 403   403   403   403   403   302   403   403   302",
    "GET /admin/sla/rules":                                      "login login 403   403   403   403   403   2xx   403   403   2xx",
    "POST /admin/sla/rules":                                     "login login 403   403   403   403   403   400   403   403   400",
    "GET /admin/webhooks":                                       "login login 403   403   403   403   403   2xx   403   403   2xx",
    "GET /admin/webhooks/deliveries/<int:delivery_id>":          "login login 403   403   403   403   403   404   403   403   404",
    "POST /admin/webhooks/deliveries/<int:delivery_id>/redeliver": "login login 403   403   403   403   403   404   403   403   404",
    "POST /admin/webhooks/partners/<string:slug>/active":        "login login 403   403   403   403   403   302   403   403   404",
    "POST /admin/webhooks/partners/<string:slug>/secret":        "login login 403   403   403   403   403   2xx   403   403   404",
    "POST /admin/webhooks/partners":                             "login login 403   403   403   403   403   400   403   403   400",
    "POST /admin/webhooks/subscriptions":                        "login login 403   403   403   403   403   400   403   403   400",
    "POST /admin/webhooks/subscriptions/<int:subscription_id>/delete": "login login 403   403   403   403   403   302   403   403   404",
    "POST /admin/webhooks/subscriptions/<int:subscription_id>/active": "login login 403   403   403   403   403   302   403   403   404",
    "POST /admin/webhooks/subscriptions/<int:subscription_id>/secret": "login login 403   403   403   403   403   2xx   403   403   404",
    "GET /api/v1/admin/deliveries":                              "401   401   403   403   403   403   403   2xx   403   403   2xx",
    "GET /api/v1/admin/deliveries/<int:delivery_id>":            "401   401   403   403   403   403   403   404   403   403   404",
    "POST /api/v1/admin/deliveries/<int:delivery_id>/redeliver": "401   401   403   403   403   403   403   404   403   403   404",
    "GET /api/v1/admin/matters":                                 "401   401   403   403   403   403   404   404   403   404   404",
    "PATCH /api/v1/admin/matters/<int:matter_id>":               "401   401   403   403   403   403   403   404   403   403   404",
    "GET /api/v1/admin/partners":                                "401   401   403   403   403   403   403   2xx   403   403   2xx",
    "POST /api/v1/admin/partners":                               "401   401   403   403   403   403   403   2xx   403   403   2xx",
    "GET /api/v1/admin/partners/<string:slug>":                  "401   401   403   403   403   403   403   2xx   403   403   404",
    "PATCH /api/v1/admin/partners/<string:slug>":                "401   401   403   403   403   403   403   2xx   403   403   404",
    "POST /api/v1/admin/partners/<string:slug>/secret":          "401   401   403   403   403   403   403   2xx   403   403   404",
    "GET /api/v1/admin/subscriptions":                           "401   401   403   403   403   403   403   2xx   403   403   2xx",
    "POST /api/v1/admin/subscriptions":                          "401   401   403   403   403   403   403   2xx   403   403   2xx",
    "DELETE /api/v1/admin/subscriptions/<int:subscription_id>":  "401   401   403   403   403   403   403   2xx   403   403   404",
    "GET /api/v1/admin/subscriptions/<int:subscription_id>":     "401   401   403   403   403   403   403   2xx   403   403   404",
    "PATCH /api/v1/admin/subscriptions/<int:subscription_id>":   "401   401   403   403   403   403   403   2xx   403   403   404",
    "POST /api/v1/admin/subscriptions/<int:subscription_id>/secret": "401   401   403   403   403   403   403   2xx   403   403   404",
    "GET /api/v1/admin/tokens":                                  "401   401   403   403   403   403   403   2xx   403   403   2xx",
    "POST /api/v1/admin/tokens/<int:token_id>/revoke":           "401   401   403   403   403   403   403   2xx   403   403   404",
    "GET /api/v1/admin/units":                                   "401   401   403   403   403   403   2xx   2xx   403   2xx   2xx",
    "PATCH /api/v1/admin/units/<int:unit_id>":                   "401   401   403   403   403   403   403   2xx   403   403   404",
    "POST /api/v1/admin/units/<int:unit_id>/aliases":            "401   401   403   403   403   403   403   2xx   403   403   404",
    "DELETE /api/v1/admin/units/<int:unit_id>/aliases/<string:alias>": "401   401   403   403   403   403   403   2xx   403   403   404",
    "GET /api/v1/appeals":                                       "401   401   2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx",
    "POST /api/v1/appeals":                                      "401   401   2xx   403   403   403   403   2xx   2xx   403   400",
    "POST /api/v1/appeals/batch":                                "401   401   2xx   403   403   403   403   2xx   2xx   403   400",
    "GET /api/v1/appeals/<string:number>":                       "401   401   2xx   2xx   2xx   404   2xx   2xx   404   404   404",
    "POST /api/v1/appeals/<string:number>/accept":               "401   401   403   403   2xx   404   403   403   403   403   403",
    "POST /api/v1/appeals/<string:number>/assign":               "401   401   403   2xx   403   403   403   2xx   403   403   404",
    "POST /api/v1/appeals/<string:number>/close":                "401   401   403   403   409   404   403   403   403   403   403",
    "POST /api/v1/appeals/<string:number>/contact":              "401   401   403   403   409   404   403   403   403   403   403",
    "POST /api/v1/appeals/<string:number>/disclosures":          "401   401   403   2xx   2xx   404   403   403   403   403   403",
    "POST /api/v1/appeals/<string:number>/extension":            "401   401   403   403   409   404   403   403   403   403   403",
    "POST /api/v1/appeals/<string:number>/follow-up":            "401   401   409   403   403   403   403   409   404   403   404",
    "POST /api/v1/appeals/<string:number>/handover":             "401   401   2xx   2xx   403   403   2xx   2xx   403   404   404",
    "POST /api/v1/appeals/<string:number>/reply":                "401   401   403   403   409   404   403   403   403   403   403",
    "POST /api/v1/appeals/<string:number>/return":               "401   401   403   403   2xx   404   403   403   403   403   403",
    "POST /api/v1/appeals/<string:number>/territory":            "401   401   403   409   403   403   403   409   403   403   404",
    "POST /api/v1/appeals/<string:number>/urgency":              "401   401   403   2xx   403   403   2xx   2xx   403   404   404",
    "GET /api/v1/follow-ups":                                    "401   401   2xx   403   403   403   403   2xx   403   403   2xx",
    "GET /api/v1/routing/models":                                "401   401   403   403   403   403   2xx   2xx   403   2xx   2xx",
    "POST /api/v1/routing/models/retrain":                       "401   401   403   403   403   403   403   409   403   403   409",
    "POST /api/v1/routing/suggest":                              "401   401   409   409   403   403   403   409   403   403   409",
    "GET /api/v1/sla/calendar/overrides":                        "401   401   403   403   403   403   2xx   2xx   403   2xx   2xx",
    "PUT /api/v1/sla/calendar/overrides":                        "401   401   403   403   403   403   403   2xx   403   403   2xx",
    "DELETE /api/v1/sla/calendar/overrides/<string:day>":        "401   401   403   403   403   403   403   404   403   403   404",
    "GET /api/v1/sla/rules":                                     "401   401   403   2xx   403   403   2xx   2xx   403   2xx   2xx",
    "PUT /api/v1/sla/rules":                                     "401   401   403   403   403   403   403   400   403   403   400",
    "GET /api/v1/supervision/appeals":                           "401   401   403   403   403   403   2xx   2xx   403   403   403",
    "POST /api/v1/supervision/appeals/<string:number>/extension": "401   401   403   403   403   403   409   409   403   404   404",
    "GET /api/v1/supervision/appeals/<string:number>/history":   "401   401   403   403   403   403   2xx   2xx   403   403   403",
    "GET /api/v1/supervision/bulletin":                          "401   401   403   403   403   403   2xx   2xx   403   403   403",
    "GET /api/v1/supervision/bulletin.xlsx":                     "401   401   403   403   403   403   2xx   2xx   403   403   403",
    "GET /api/v1/supervision/extensions":                        "401   401   403   403   403   403   2xx   2xx   403   403   403",
    "GET /api/v1/supervision/measures":                          "401   401   403   403   403   403   2xx   2xx   403   403   403",
    "GET /api/v1/supervision/orders":                            "401   401   403   403   2xx   2xx   2xx   2xx   403   2xx   2xx",
    "POST /api/v1/supervision/orders":                           "401   401   403   403   403   403   2xx   2xx   403   404   404",
    "POST /api/v1/supervision/orders/<int:order_id>/close":      "401   401   403   403   403   403   2xx   2xx   403   404   404",
    "POST /api/v1/supervision/orders/<int:order_id>/respond":    "401   401   403   403   2xx   403   403   403   403   403   403",
    "GET /api/v1/units":                                         "401   401   2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx",
    "GET /appeals/<number>":                                     "login login 2xx   2xx   2xx   404   2xx   2xx   403   404   404",
    "POST /appeals/<number>/<action>":                           "login login 403   403   302   404   403   403   403   403   403",
    "POST /appeals/<number>/disclose":                           "login login 403   400   400   404   403   403   403   403   403",
    "POST /appeals/<number>/extension":                          "login login 403   403   400   404   403   403   403   403   403",
    "POST /appeals/<number>/handover":                           "login login 302   302   403   403   302   302   403   404   404",
    "POST /appeals/<number>/orders/<int:order_id>/respond":      "login login 403   403   400   404   403   403   403   403   403",
    "POST /appeals/<number>/urgency":                            "login login 403   400   403   403   400   400   403   404   404",
    "GET /dispatch":                                             "login login 403   2xx   403   403   403   2xx   403   403   2xx",
    "POST /dispatch/<number>/assign":                            "login login 403   400   403   403   403   400   403   403   404",
    "GET /login":                                                "2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx",
    "POST /login":                                               "400   400   400   400   400   400   400   400   400   400   400",
    "POST /logout":                                              "login login login login login login login login login login login",
    "GET /favicon.ico":                                          "2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx",
    "GET /healthz":                                              "2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx",
    "GET /readyz":                                               "503   503   503   503   503   503   503   503   503   503   503",
    # Loopback (the test client) sees the metrics; others need METRICS_TOKEN (tests/app/test_health.py).
    "GET /metrics":                                              "2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx",
    "GET /m/":                                                   "2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx",
    "POST /m/rate":                                              "400   400   400   400   400   400   400   400   400   400   400",
    "GET /m/submit":                                             "2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx",
    "POST /m/submit":                                            "400   400   400   400   400   400   400   400   400   400   400",
    "GET /m/track":                                              "2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx",
    "POST /m/track":                                             "400   400   400   400   400   400   400   400   400   400   400",
    "GET /open311/v2/discovery.<any(json, xml):format>":           "2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx",
    "GET /open311/v2/requests.<any(json, xml):format>":            "403   403   2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx",
    "POST /open311/v2/requests.<any(json, xml):format>":           "403   403   2xx   403   403   403   403   2xx   2xx   403   2xx",
    "GET /open311/v2/requests/<string:number>.<any(json, xml):format>": "403   403   2xx   2xx   2xx   404   2xx   2xx   404   404   404",
    "GET /open311/v2/services.<any(json, xml):format>":            "2xx   403   2xx   2xx   2xx   2xx   2xx   2xx   2xx   404   404",
    "GET /open311/v2/services/<string:code>.<any(json, xml):format>": "2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx   2xx",
    "GET /operator":                                             "login login 2xx   403   403   403   403   2xx   403   403   2xx",
    "POST /operator":                                            "login login 400   403   403   403   403   400   403   403   400",
    "GET /operator/follow-ups":                                  "login login 2xx   403   403   403   403   2xx   403   403   2xx",
    "GET /operator/follow-ups/<number>":                         "login login 302   403   403   403   403   302   403   403   404",
    "POST /operator/follow-ups/<number>":                        "login login 400   403   403   403   403   400   403   403   404",
    "POST /operator/follow-ups/<number>/phone":                  "login login 302   403   403   403   403   302   403   403   404",
    "GET /operator/saved/<number>":                              "login login 2xx   403   403   403   403   2xx   403   403   404",
    "GET /operator/search":                                      "login login 2xx   403   403   403   403   2xx   403   403   2xx",
    "POST /operator/search":                                     "login login 2xx   403   403   403   403   2xx   403   403   2xx",
    "POST /operator/suggest":                                    "login login 2xx   403   403   403   403   2xx   403   403   2xx",
    "GET /supervision":                                          "login login 403   403   403   403   2xx   2xx   403   2xx   2xx",
    "GET /supervision/bulletin":                                 "login login 403   403   403   403   2xx   2xx   403   2xx   2xx",
    "GET /supervision/dashboard":                                "login login 403   403   403   403   2xx   2xx   403   2xx   2xx",
    "POST /supervision/extensions/<number>":                     "login login 403   403   403   403   302   302   403   404   404",
    "POST /supervision/orders":                                  "login login 403   403   403   403   400   400   403   400   400",
    "POST /supervision/orders/<int:order_id>/close":             "login login 403   403   403   403   400   400   403   404   404",
    "GET /unit":                                                 "login login 403   403   2xx   2xx   403   403   403   403   403",
    "POST /webhooks/<string:partner>/appeals":                   "401   401   401   401   401   401   401   401   401   401   401",
}
# fmt: on

NOTE = {"note": "已联系企业"}
HOME = {"city": "金昌"}
REQUESTS = {
    "POST /api/v1/appeals": {"json": "appeal"},
    "POST /api/v1/appeals/batch": {"json": "batch"},
    "POST /api/v1/appeals/<string:number>/assign": {"json": {"lead_unit": "市人社局"}},
    "POST /api/v1/appeals/<string:number>/accept": {"json": NOTE},
    "POST /api/v1/appeals/<string:number>/contact": {"json": NOTE},
    "POST /api/v1/appeals/<string:number>/close": {"json": NOTE},
    "POST /api/v1/appeals/<string:number>/return": {"json": {"reason": "不属于本单位职责"}},
    "POST /api/v1/appeals/<string:number>/reply": {"json": {"text": "已协调银行续贷"}},
    "POST /api/v1/appeals/<string:number>/disclosures": {"json": {"reason": "需要回电核实"}},
    "POST /api/v1/appeals/<string:number>/extension": {"json": {"new_due": "2020-01-02", "reason": "需协调多个部门"}},
    "POST /api/v1/appeals/<string:number>/follow-up": {"json": {"solved": True, "rating": "satisfied"}},
    "POST /api/v1/appeals/<string:number>/urgency": {"json": {"urgency": "emergency", "reason": "企业停产在即"}},
    "POST /api/v1/appeals/<string:number>/handover": {"json": {"services": ["110", "120"]}},
    # no territory before and none after: 409 where the role may correct it
    "POST /api/v1/appeals/<string:number>/territory": {"json": {"unit": None, "reason": "企业不在本市县区"}},
    "PUT /api/v1/sla/rules": {"json": {"rules": {}}},
    "PUT /api/v1/sla/calendar/overrides": {"json": {"day": "2026-12-31", "working": False}},
    "POST /api/v1/supervision/appeals/<string:number>/extension": {"json": {"approve": True}},
    "POST /api/v1/supervision/orders": {"json": {"appeal": "{number}", "reason": "请加快办理"}},
    "POST /api/v1/supervision/orders/<int:order_id>/respond": {"json": {"text": "已约企业面谈"}},
    "POST /api/v1/supervision/orders/<int:order_id>/close": {"json": {"text": "督办完成"}},
    # The supervision reads name the scene's city (金昌): another city's supervisor and admin are refused.
    "GET /api/v1/supervision/appeals": {"query": HOME},
    "GET /api/v1/supervision/appeals/<string:number>/history": {"query": HOME},
    "GET /api/v1/supervision/extensions": {"query": HOME},
    "GET /api/v1/supervision/measures": {"query": {**HOME, "month": "2026-10"}},
    "GET /api/v1/supervision/bulletin": {"query": {**HOME, "month": "2026-10"}},
    "GET /api/v1/supervision/bulletin.xlsx": {"query": {**HOME, "month": "2026-10"}},
    "POST /api/v1/admin/partners": {"json": {"slug": "newcomer", "name": "新平台", "mapping": PARTNER_MAPPING}},
    "PATCH /api/v1/admin/partners/<string:slug>": {"json": {"name": "改名的平台"}},
    "POST /api/v1/admin/partners/<string:slug>/secret": {"json": {}},
    "POST /api/v1/admin/subscriptions": {"json": {"url": "https://r.example.org/h", "unit": "市工信局",
                                                             "event_types": ["appeal.dispatched"]}},
    "PATCH /api/v1/admin/subscriptions/<int:subscription_id>": {"json": {"active": False}},
    "POST /api/v1/admin/subscriptions/<int:subscription_id>/secret": {"json": {}},
    "PATCH /api/v1/admin/units/<int:unit_id>": {"json": {"routable": True}},
    "POST /api/v1/admin/units/<int:unit_id>/aliases": {"json": {"alias": "工信委"}},
    "PATCH /api/v1/admin/matters/<int:matter_id>": {"json": {"lead_units": ["市工信局"]}},
    "POST /api/v1/routing/suggest": {"json": {"text": "银行突然不给续贷了"}},
    "POST /open311/v2/requests.<any(json, xml):format>": {"data": {
        "service_code": "normal", "description": "银行突然不给续贷了，请帮忙协调。", "last_name": "张", "first_name": "先生",
        "phone": "13812341234", "attribute[enterprise_name]": "金昌某某材料有限公司"}},
    "GET /open311/v2/services.<any(json, xml):format>": {"query": {"jurisdiction_id": "JC"}},
    "GET /open311/v2/services/<string:code>.<any(json, xml):format>": {"query": {"jurisdiction_id": "JC"}},
    "POST /webhooks/<string:partner>/appeals": {"json": {"ticket": {"id": "1"}}},
    "POST /login": {"form": {}},
}


def routes(app) -> set[str]:
    return {f"{method} {rule.rule}" for rule in app.url_map.iter_rules() if rule.endpoint not in EXCLUDED_ENDPOINTS
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def is_page(route: str) -> bool:
    return not route.split(" ", 1)[1].startswith(("/api/", "/open311/", "/webhooks/"))


def request_for(route: str, path_values: dict) -> tuple[str, str, dict]:
    from tests.factories import appeal_body

    method, rule = route.split(" ", 1)
    url = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda variable: str(path_values[variable[1]]), rule)
    kwargs = dict(REQUESTS.get(route, {}))
    if kwargs.get("json") == "appeal":
        kwargs["json"] = appeal_body()
    elif kwargs.get("json") == "batch":
        kwargs["json"] = {"appeals": [appeal_body(), appeal_body()]}
    elif isinstance(kwargs.get("json"), dict):
        kwargs["json"] = {k: v.format(**path_values) if isinstance(v, str) else v for k, v in kwargs["json"].items()}
    if "query" in kwargs:
        kwargs["query_string"] = kwargs.pop("query")
    if method == "POST" and is_page(route) and "form" not in kwargs:
        kwargs["form"] = {}
    return method, url, kwargs


def answer(response) -> str:
    status = response.status_code
    if status in (301, 302, 303):
        return "login" if "/login" in response.headers.get("Location", "").split("?")[0] else "302"
    return "2xx" if 200 <= status < 300 else str(status)


def test_every_route_has_a_row(app):
    missing = sorted(routes(app) - EXPECTED.keys())
    stale = sorted(EXPECTED.keys() - routes(app))
    assert not missing, "routes without a row in EXPECTED:\n" + "\n".join(missing)
    assert not stale, "rows in EXPECTED for routes that no longer exist:\n" + "\n".join(stale)
    for route, row in EXPECTED.items():
        assert len(row.split()) == len(PRINCIPALS), f"{route}: {len(row.split())} answers"


@pytest.mark.parametrize("pages", [False, True], ids=["api", "pages"])
def test_access_matrix(app, database, redis_conn, pages):
    scene = build_scene(app)
    wrong = []
    for route in sorted(r for r in routes(app) & EXPECTED.keys() if is_page(r) == pages):
        method, url, kwargs = request_for(route, scene.path_values)
        for principal, expected in zip(PRINCIPALS, EXPECTED[route].split()):
            got = answer(scene.send(principal, method, url, **kwargs))
            if got != expected:
                wrong.append(f"{route:60} {principal:11} expected {expected}, got {got}")
        redis_conn.flushdb()  # rate-limit counters: each route starts afresh
    assert not wrong, "access differs from EXPECTED:\n" + "\n".join(wrong)


def test_a_repeated_channel_id_answers_only_its_own_sender(app, database, redis_conn):
    """Issue 21 #1: every principal repeats the scene appeal's (channel, external_id), one and in a
    batch. Only the city's staff, whose namespace it is (and who see it anyway), get it back."""
    from sqlalchemy import select

    from models import Appeal
    from tests.factories import appeal_body

    scene = build_scene(app)
    number = scene.path_values["number"]
    appeal = database.session.scalar(select(Appeal).where(Appeal.number == number))
    repeat = appeal_body(channel=appeal.channel, external_id=appeal.external_id)
    disclosed = {}
    for principal in PRINCIPALS:
        single = scene.send(principal, "POST", "/api/v1/appeals", json=repeat)
        batch = scene.send(principal, "POST", "/api/v1/appeals/batch", json={"appeals": [repeat]})
        disclosed[principal] = [number in r.get_data(as_text=True) for r in (single, batch)]
    assert {p for p, seen in disclosed.items() if any(seen)} == {"operator", "admin"}
    assert disclosed["operator"] == disclosed["admin"] == [True, True]
    redis_conn.flushdb()
