"""No complainant name or phone, and no API key, in any log of a full run, with every logger at its
most verbose.

SQLAlchemy's engine logger at INFO echoes every statement's parameters: the complainant columns
must already be ciphertext at bind time, and lookups must bind the keyed hash, not the phone.
Request lines reach the logs of werkzeug's server and gunicorn's access log: sensitive query
parameters (Open311's api_key, an old search link's phone) are masked there (kernel.logs).
"""
import logging
import threading
from datetime import timedelta
from types import SimpleNamespace

import pytest
import requests
from gunicorn.config import Config
from rq import Queue
from werkzeug.serving import make_server

from jobs.worker import AppWorker
from kernel.db import db
from kernel.logs import GunicornLogger
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


def test_api_keys_and_search_terms_in_urls_never_reach_a_log_line(logs, capfd, app, live_world):
    """Issues 26.3 and 21.7: werkzeug's request log and the app's own log lines, on a real server."""
    _, operator = live_world.user("operator")
    db.session.remove()
    secret = operator["Authorization"].split(" ", 1)[1]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        read = requests.get(f"{base}/open311/v2/requests.xml", params={"api_key": secret}, timeout=5)
        assert read.status_code == 200
        old_link = requests.get(f"{base}/operator/search", params={"q": PHONE}, allow_redirects=False, timeout=5)
        assert old_link.status_code == 302 and PHONE[-8:] in old_link.headers["Location"]  # the URL did carry it
    finally:
        server.shutdown()
    app.logger.warning("slow request %s", f"/open311/v2/requests.json?jurisdiction_id=JC&api_key={secret}")

    out, err = capfd.readouterr()
    text = "\n".join(logs.lines) + out + err
    assert "GET /open311/v2/requests.xml?api_key=[REDACTED]" in text  # the capture saw werkzeug's request line
    assert "jurisdiction_id=JC&api_key=[REDACTED]" in text
    assert secret not in text and PHONE[-8:] not in text


def test_gunicorn_access_log_masks_keys_search_terms_and_credentials(capsys):
    """The access log of scripts/run.sh (`--logger-class kernel.logs.GunicornLogger`), called as gunicorn calls it."""
    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", '%(h)s "%(r)s" %(s)s %(q)s "%(f)s" %({authorization}i)s %({query_string}e)s')
    logger = GunicornLogger(config)
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/open311/v2/requests.json?api_key=SECRET1&status=open",
               "PATH_INFO": "/open311/v2/requests.json", "QUERY_STRING": "api_key=SECRET1&status=open",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.0.0.9",
               "HTTP_REFERER": "http://x/operator/search?q=13900001234"}
    request = SimpleNamespace(headers=[("AUTHORIZATION", "Bearer SECRET2")])
    response = SimpleNamespace(status="200 OK", sent=12, headers=[])
    logger.access(response, request, environ, timedelta(milliseconds=3))
    line = capsys.readouterr().out
    assert '"GET /open311/v2/requests.json?api_key=[REDACTED]&status=open HTTP/1.1" 200' in line
    assert "SECRET" not in line and "13900001234" not in line
