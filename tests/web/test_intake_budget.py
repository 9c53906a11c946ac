"""Issue 21, finding 16: the operator console's form draws on the same intake budget as the API."""
from tests.factories import appeal_body
from tests.web.conftest import CALL


def test_issue21_16_the_console_form_shares_the_senders_intake_budget(app, client, browser, staff, low_limits,
                                                                       redis_conn):
    from accounts.tokens import issue_token
    from kernel.db import db

    user = staff("operator")
    headers = {"Authorization": f"Bearer {issue_token(user)}"}
    db.session.commit()
    assert client.post("/api/v1/appeals/batch", json={"appeals": [appeal_body(), appeal_body()]},
                       headers=headers).status_code == 200
    logged = browser.post_form("/operator", "/operator", {**CALL, "external_id": "form-1"})
    assert logged.status_code == 429
    redis_conn.flushdb()
