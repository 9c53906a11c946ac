import pytest

from tests.webhooks.receivers import Receiver


@pytest.fixture
def private_targets(app, monkeypatch):
    """Deliveries may go to the suite's receivers on 127.0.0.1 (refused by default: SSRF)."""
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE_TARGETS", True)


@pytest.fixture
def fast(app):
    """Quick retries and timeouts so the back-off and dead-letter paths run in seconds."""
    values = {"WEBHOOK_RETRY_BASE": 0.2, "WEBHOOK_RETRY_CAP": 0.5, "WEBHOOK_MAX_ATTEMPTS": 4,
              "WEBHOOK_READ_TIMEOUT": 0.5, "WEBHOOK_CONNECT_TIMEOUT": 0.5}
    saved = {k: app.config.get(k) for k in values}
    app.config.update(values)
    yield values
    for key, value in saved.items():
        if value is None:
            app.config.pop(key, None)
        else:
            app.config[key] = value


@pytest.fixture
def receiver():
    made = []

    def make(*script, **kwargs):
        made.append(Receiver(*script, **kwargs))
        return made[-1]

    yield make
    for r in made:
        r.stop()
