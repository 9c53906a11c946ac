"""The OpenAPI document says which operations need the bearer token: exactly those that refuse a
request without one (the role guard documents itself, so the two cannot drift apart)."""
import re


def _anonymous(client, path: str, method: str):
    url = re.sub(r"\{format\}", "json", path)
    url = re.sub(r"\{[^}]+\}", "1", url)
    return getattr(client, method)(url, json={})


def test_documented_bearer_security_is_exactly_where_a_token_is_required(client):
    spec = client.get("/api/openapi.json").get_json()
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    secured, refused = set(), set()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            if operation.get("security") == [{"bearerAuth": []}]:
                secured.add((method, path))
                assert {"401", "403"} <= operation["responses"].keys()
            response = _anonymous(client, path, method)
            if response.status_code == 401 and response.headers.get("WWW-Authenticate") == "Bearer":
                refused.add((method, path))
    assert secured == refused
    assert len(secured) > 50
