"""Issue 21, finding 10 (SSRF): outbound deliveries go to public addresses only, checked when the
subscription is saved and again, on the resolved address, at every delivery; redirects are not
followed and nothing the receiver answers is kept."""
import socket

import pytest

from kernel.db import db
from models import Delivery
from tests.webhooks.receivers import dispatched, subscribe
from webhooks import targets
from webhooks.delivery import attempt

SUBSCRIPTIONS = "/api/v1/admin/subscriptions"
INSIDE = [
    "http://127.0.0.1:8080/h",
    "http://localhost/h",
    "http://[::1]/h",
    "http://0.0.0.0/h",
    "http://10.0.0.5/h",
    "http://172.16.3.4/h",
    "http://192.168.1.10/h",
    "http://100.64.0.1/h",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fe80::1]/h",
    "http://[fd00::1]/h",
]


@pytest.fixture
def resolve(monkeypatch):
    """`resolve(name, answer, …)`: each lookup of the name gets the next answer (a list of
    addresses), then none (not found), like a rebinding DNS server; addresses resolve as usual."""
    table = {}
    real = socket.getaddrinfo

    def fake(host, port, *args, **kwargs):
        if host in table:
            if not table[host]:
                raise socket.gaierror(socket.EAI_NONAME, "not found")
            return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                    for a in table[host].pop(0)]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return lambda name, *answers: table.setdefault(name, []).extend(answers)


def latest_delivery() -> Delivery:
    db.session.expire_all()
    return db.session.query(Delivery).order_by(Delivery.id.desc()).first()


@pytest.mark.parametrize("url", INSIDE)
def test_finding_10_subscription_to_an_inside_address_is_refused(client, world, url):
    _, admin = world.user("admin")
    created = client.post(SUBSCRIPTIONS, json={"url": url, "unit": "市工信局", "event_types": ["appeal.dispatched"]},
                          headers=admin)
    assert created.status_code == 400, created.get_json()
    assert "不允许推送" in created.get_json()["errors"]["url"][0]


def test_finding_10_changing_a_subscription_to_an_inside_address_is_refused(client, world, resolve):
    _, admin = world.user("admin")
    resolve("hooks.example.cn", ["1.2.3.10"])
    resolve("inside.example.cn", ["1.2.3.11", "10.1.2.3"])  # one inside address is enough
    created = client.post(SUBSCRIPTIONS, json={"url": "https://hooks.example.cn/h", "unit": "市工信局",
                                               "event_types": ["appeal.dispatched"]}, headers=admin)
    assert created.status_code == 201, created.get_json()
    moved = client.patch(f"{SUBSCRIPTIONS}/{created.get_json()['id']}", json={"url": "https://inside.example.cn/h"},
                         headers=admin)
    assert moved.status_code == 400 and "内网地址" in moved.get_json()["errors"]["url"][0]


@pytest.mark.parametrize("address", ["::ffff:127.0.0.1", "::ffff:169.254.169.254", "224.0.0.1", "::"])
def test_finding_10_mapped_multicast_and_unspecified_addresses_are_refused(app, address):
    with app.app_context(), pytest.raises(targets.TargetRefused):
        targets.check_address(address)


def test_finding_10_the_app_own_address_is_refused(client, world, monkeypatch):
    monkeypatch.setattr(targets, "own_addresses", lambda: frozenset({targets.ipaddress.ip_address("1.2.3.7")}))
    _, admin = world.user("admin")
    created = client.post(SUBSCRIPTIONS, json={"url": "http://1.2.3.7/h", "unit": "市工信局",
                                               "event_types": ["appeal.dispatched"]}, headers=admin)
    assert created.status_code == 400 and "本系统自己的地址" in created.get_json()["errors"]["url"][0]


@pytest.mark.parametrize("address, reason", [("127.0.0.1", "回环地址"), ("169.254.169.254", "链路本地地址"),
                                             ("10.0.0.8", "内网地址")])
def test_finding_10_delivery_to_an_inside_address_is_refused_without_connecting(
        world, database, receiver, resolve, address, reason):
    """A subscription saved before the check (or a name that resolved outside then): nothing is sent."""
    hook = receiver()
    port = hook.url.split(":")[2].split("/")[0]
    resolve("hooks.example.cn", [address], [address])
    subscribe(world, f"http://hooks.example.cn:{port}/hook", "appeal.dispatched", unit="市工信局")
    subscribe(world, hook.url.replace("127.0.0.1", address), "appeal.dispatched", unit="市工信局")
    dispatched(world)
    for delivery_id in [d.id for d in db.session.query(Delivery)]:
        attempt(delivery_id)
        [logged] = db.session.get(Delivery, delivery_id).attempt_log
        assert logged.status_code is None and reason in logged.error and "不允许推送" in logged.error
    assert hook.requests == []


def test_finding_10_dns_rebinding_every_address_is_checked_and_the_checked_one_connected(
        world, database, receiver, resolve, private_targets, app):
    """The connection goes to the address that was resolved and checked, with the name as Host:
    'receiver.example.cn' resolves once only, so a second lookup (after the check) would fail."""
    hook = receiver()
    port = hook.url.split(":")[2].split("/")[0]
    resolve("receiver.example.cn", ["127.0.0.1"])
    subscribe(world, f"http://receiver.example.cn:{port}/hook", "appeal.dispatched", unit="市工信局")
    dispatched(world)
    attempt(latest_delivery().id)
    assert latest_delivery().state == "delivered"
    assert [r["headers"]["Host"] for r in hook.requests] == [f"receiver.example.cn:{port}"]
    app.config["WEBHOOK_ALLOW_PRIVATE_TARGETS"] = False
    resolve("receiver.example.cn", ["1.2.3.9", "127.0.0.1"])  # a public answer with an inside one
    dispatched(world)
    attempt(latest_delivery().id)
    [logged] = latest_delivery().attempt_log
    assert "回环地址" in logged.error and len(hook.requests) == 1


def test_finding_10_redirects_are_not_followed(world, database, receiver, private_targets):
    hook = receiver(302)
    subscribe(world, hook.url, "appeal.dispatched", unit="市工信局")
    dispatched(world)
    attempt(latest_delivery().id)
    [logged] = latest_delivery().attempt_log
    assert logged.status_code == 302 and "不跟随重定向" in logged.error
    assert len(hook.requests) == 1 and latest_delivery().state == "pending"


def test_finding_10_the_receiver_answer_is_neither_kept_nor_shown(client, world, database, receiver,
                                                                  private_targets):
    hook = receiver(500)  # answers "ok" as its body
    subscribe(world, hook.url, "appeal.dispatched", unit="市工信局")
    dispatched(world)
    attempt(latest_delivery().id)
    [logged] = latest_delivery().attempt_log
    assert (logged.status_code, logged.error) == (500, "接收方返回 HTTP 500")
    _, admin = world.user("admin")
    shown = client.get(f"/api/v1/admin/deliveries/{latest_delivery().id}", headers=admin).get_json()
    assert shown["last_error"] == "接收方返回 HTTP 500"
    assert [a["error"] for a in shown["attempt_log"]] == ["接收方返回 HTTP 500"]


def test_finding_10_answers_kept_by_older_releases_are_removed_by_the_migration(world, database):
    import importlib.util

    from models import DeliveryAttempt
    from tests.conftest import ROOT

    subscribe(world, "http://127.0.0.1:9/old", "appeal.dispatched", unit="市工信局")
    dispatched(world)
    delivery = latest_delivery()
    for number, error in enumerate(["接收方返回 HTTP 500：{\"db_password\": \"s3cret\"}", "接收方返回 HTTP 404", "连接超时（2秒）"], 1):
        db.session.add(DeliveryAttempt(delivery=delivery, number=number, started_at=delivery.created_at,
                                       latency_ms=1, error=error))
    db.session.flush()
    spec = importlib.util.spec_from_file_location(
        "migration", ROOT / "migrations/versions/0007_input_attempt_errors.py")
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    migration.op = type("Op", (), {"execute": staticmethod(lambda sql: db.session.execute(db.text(sql)))})
    migration.upgrade()
    db.session.expire_all()
    assert [a.error for a in latest_delivery().attempt_log] == ["接收方返回 HTTP 500", "接收方返回 HTTP 404",
                                                                "连接超时（2秒）"]
