"""No complainant name or phone in any log of a full run, with every logger at its most verbose.

SQLAlchemy's engine logger at INFO echoes every statement's parameters: the complainant columns
must already be ciphertext at bind time, and lookups must bind the keyed hash, not the phone.
"""
import logging

import pytest
from rq import Queue

from jobs.worker import AppWorker
from tests.factories import appeal_body

NAME, PHONE = "欧阳测试", "13900001234"
LOGGERS = {"": logging.DEBUG, "app": logging.DEBUG, "flask.app": logging.DEBUG, "werkzeug": logging.DEBUG,
           "rq": logging.DEBUG, "rq.worker": logging.DEBUG, "sqlalchemy.engine": logging.INFO,
           "flask-limiter": logging.DEBUG}


class Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def logs(app):
    """Set before the test's database connection exists, so SQLAlchemy decides to echo on it."""
    capture = Capture()
    saved = {name: logging.getLogger(name).level for name in LOGGERS}
    app.logger.setLevel(logging.DEBUG)
    for name, level in LOGGERS.items():
        logging.getLogger(name).setLevel(level)
    logging.getLogger().addHandler(capture)
    yield capture
    logging.getLogger().removeHandler(capture)
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


def test_full_run_logs_no_complainant_data(logs, capfd, app, client, world, database, redis_conn):
    _, operator = world.user("operator")
    _, dispatcher = world.user("dispatcher")
    _, handler = world.user("handler", unit="市工信局")
    body = appeal_body(complainant={"name": NAME, "phone": PHONE})

    created = client.post("/api/v1/appeals", json=body, headers=operator)
    assert created.status_code == 201
    number = created.get_json()["number"]
    assert client.post("/api/v1/appeals", json=body, headers=operator).status_code == 200
    assert client.post("/api/v1/appeals", json={**body, "urgency": "x"}, headers=operator).status_code == 400

    AppWorker([Queue(app.config["RQ_QUEUE"], connection=redis_conn)], connection=redis_conn).work(burst=True)
    url = f"/api/v1/appeals/{number}"
    assert client.post(f"{url}/assign", json={"lead_unit": "市工信局"}, headers=dispatcher).status_code == 200
    for action, payload in [("accept", {}), ("contact", {"note": "已电话联系"}),
                            ("disclosures", {"reason": "需要回电核实情况"}),
                            ("reply", {"text": "已协调银行续贷。"}), ("close", {})]:
        answer = client.post(f"{url}/{action}", json=payload, headers=handler)
        assert answer.status_code == 200, (action, answer.get_json())
    assert client.get(url, headers=operator).get_json()["complainant"]["phone"] == PHONE
    assert client.get("/api/v1/appeals", headers=operator).status_code == 200
    assert app.test_cli_runner().invoke(args=["audit", "verify", "--appeal", number]).exit_code == 0

    out, err = capfd.readouterr()
    text = "\n".join(logs.lines) + out + err
    # The capture really saw the SQL with its parameters and the worker's job.
    assert "INSERT INTO appeals" in text and "gAAAA" in text and "outbox" in text
    assert number in text
    assert PHONE not in text and PHONE[-8:] not in text
    assert NAME not in text
