"""Real HTTP receivers on 127.0.0.1 and helpers to run the RQ jobs of a test for real."""
import json
import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from rq import SimpleWorker
from werkzeug.serving import make_server

from accounts.users import create_user
from intake import service
from intake.schemas import AppealInSchema
from jobs.connection import queue, redis_connection
from kernel.db import db
from models import Partner, Subscription
from tests.conftest import ROOT
from tests.factories import appeal_body
from webhooks.delivery import webhook_queue
from webhooks.signing import new_secret, verify
from workflow.transitions import dispatch, to_manual

PARTNER_MAPPING = {
    "fields": {"external_id": "ticket.id", "enterprise.name": "ticket.company.name",
               "enterprise.uscc": "ticket.company.credit_code", "complainant.name": "ticket.contact.name",
               "complainant.phone": "ticket.contact.mobile", "text": "ticket.content", "urgency": "ticket.level"},
    "values": {"urgency": {"1": "emergency", "2": "urgent", "3": "normal"}},
}


class Receiver:
    """Answers each request with the next scripted behaviour (then `default`): a status code,
    ("slow", seconds, status) or ("hang",) — never answers until stopped. Deduplicates on
    X-Delivery-Id like a careful receiver: `events` holds each delivery it processed once."""

    def __init__(self, *script, default=200, secret=None):
        self.script, self.default, self.secret = list(script), default, secret
        self.requests, self.events = [], []
        self.lock, self.stopping = threading.Lock(), threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                receiver.handle(self)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def handle(self, request):
        body = request.rfile.read(int(request.headers["Content-Length"]))
        headers = dict(request.headers)
        signed = self.secret and verify(headers.get("X-Webhook-Signature", ""), [self.secret],
                                        headers.get("X-Webhook-Timestamp", ""), body)
        with self.lock:
            behaviour = self.script.pop(0) if self.script else self.default
            self.requests.append({"headers": headers, "body": body, "signed": bool(signed), "at": time.monotonic()})
            key = headers.get("X-Delivery-Id")
            fresh = key not in {e["id"] for e in self.events}
            processes = isinstance(behaviour, tuple) and behaviour[0] == "slow" or behaviour == 200
            if processes and fresh:
                self.events.append(json.loads(body))
        if behaviour == ("hang",):
            self.stopping.wait(60)
            return
        if isinstance(behaviour, tuple):
            self.stopping.wait(behaviour[1])
            behaviour = behaviour[2]
        try:
            request.send_response(behaviour)
            request.send_header("Content-Length", "2")
            request.end_headers()
            request.wfile.write(b"ok")
        except OSError:
            pass  # we gave up waiting and closed the connection

    def stop(self):
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()


def run_jobs(until, timeout: float = 20):
    """Work the main and webhook queues in this process (RQ's scheduler included) until `until()`."""
    deadline = time.monotonic() + timeout
    while True:
        SimpleWorker([queue(), webhook_queue()], connection=redis_connection()).work(
            burst=True, with_scheduler=True, logging_level="WARNING")
        db.session.remove()
        if until():
            return
        if time.monotonic() > deadline:
            raise AssertionError("condition not met before the timeout")
        time.sleep(0.05)


def make_partner(world, slug="hotline12345", mapping=None) -> Partner:
    user = create_user(f"partner-{slug}", "partner", world.city, display_name=slug)
    partner = Partner(city=world.city, user=user, slug=slug, name=f"平台{slug}", secret=new_secret(),
                      mapping=mapping or PARTNER_MAPPING)
    db.session.add(partner)
    db.session.commit()
    return partner


def subscribe(world, url, *event_types, unit=None, partner=None) -> Subscription:
    subscription = Subscription(city_id=world.city.id, url=url, secret=new_secret(),
                                event_types=list(event_types) or ["appeal.dispatched"],
                                unit=world.units[unit] if unit else None, partner=partner)
    db.session.add(subscription)
    db.session.commit()
    return subscription


def submitted(world, creator=None, **changes):
    creator = creator or world.user("operator")[0]
    appeal, _ = service.submit(AppealInSchema().load(appeal_body(**changes)), creator)
    return appeal


def dispatched(world, unit="市工信局", creator=None, assisting=(), **changes):
    """An appeal taken through intake and the manual queue and assigned to `unit`, committed."""
    appeal = submitted(world, creator, **changes)
    dispatcher = world.user("dispatcher")[0]
    to_manual(appeal, "测试")
    dispatch(appeal, world.units[unit], [world.units[u] for u in assisting], dispatcher)
    db.session.commit()
    return appeal


@contextmanager
def serve(app):
    """The app on a real HTTP server on 127.0.0.1 (threaded); yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@contextmanager
def worker_processes(*commands, env=None):
    """`flask <command> worker` processes, each in its own process group, stopped on exit."""
    processes = [subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", command, "worker"], cwd=ROOT,
                                  env={**os.environ, **(env or {})}, start_new_session=True,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                 for command in commands]
    try:
        yield processes
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)


def wait_until(predicate, timeout: float = 20, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met before the timeout")
        time.sleep(interval)
