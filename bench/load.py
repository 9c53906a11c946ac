"""A bounded load generator for the intake API on 127.0.0.1 (threads, keep-alive HTTP/1.1).

Each appeal carries a unique external_id, so a retried or doubled submission can be told apart
from a new appeal. Closed loop (as fast as the server answers) or open loop at a fixed rate; one
appeal per request, or `batch` appeals per request to the batch endpoint (a partner's backlog).
"""
import http.client
import itertools
import json
import threading
import time
from dataclasses import dataclass

TEXTS = [
    "银行突然不给续贷了，厂子下个月工资都发不出来，请帮忙协调。",
    "办理食品经营许可证材料已交齐一个月了还没有结果。",
    "园区道路长期积水，货车进出困难，影响正常生产。",
    "申请的稳岗补贴迟迟没有到账，请帮忙查询进度。",
]


def appeal_body(external_id: str, n: int) -> dict:
    return {
        "city": "金昌", "channel": "partner", "external_id": external_id,
        "enterprise": {"name": f"金昌第{n % 997}材料有限公司"},
        "complainant": {"name": "张先生", "phone": f"138{n % 100000000:08d}"},
        "text": TEXTS[n % len(TEXTS)], "urgency": "normal",
    }


@dataclass
class Result:
    external_id: str
    status: int  # 0: no HTTP answer (connection refused or reset)
    sent_at: float  # wall clock, comparable with database timestamps
    latency: float  # seconds
    number: str | None = None
    message: str | None = None
    retry_after: str | None = None


class Load:
    """Post appeals until `total` were sent, `seconds` passed or stop() is called."""

    def __init__(self, port: int, token: str, *, rate: float | None = None, threads: int = 8,
                 prefix: str = "load", body=appeal_body, batch: int = 0):
        self.port, self.token, self.rate, self.threads = port, token, rate, threads
        self.prefix, self.body, self.batch = prefix, body, batch
        self.results: list[Result] = []
        self._counter = itertools.count()
        self._stop = threading.Event()
        self._workers: list[threading.Thread] = []

    def start(self, total: int | None = None, seconds: float = 120) -> "Load":
        self._total, self._started = total, time.monotonic()
        self._deadline = self._started + seconds
        self._workers = [threading.Thread(target=self._loop, daemon=True) for _ in range(self.threads)]
        for worker in self._workers:
            worker.start()
        return self

    def stop(self) -> list[Result]:
        self._stop.set()
        return self.wait()

    def wait(self) -> list[Result]:
        for worker in self._workers:
            worker.join()
        return self.results

    def run(self, total: int | None = None, seconds: float = 120) -> list[Result]:
        return self.start(total, seconds).wait()

    def resend(self, external_ids: list[str]) -> list[Result]:
        """Post again, one by one, the appeals with these ids (a client retrying after 503)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            return [self._post(conn, external_id, int(external_id.rsplit("-", 1)[1])) for external_id in external_ids]
        finally:
            conn.close()

    def _loop(self) -> None:
        conn = None
        while not self._stop.is_set():
            n = next(self._counter)
            if (self._total is not None and n >= self._total) or time.monotonic() >= self._deadline:
                break
            if self.rate:
                delay = self._started + n / self.rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            conn = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            if self.batch:
                results = self._post_batch(conn, n)
            else:
                results = [self._post(conn, f"{self.prefix}-{n}", n)]
            if results[0].status == 0:
                conn.close()
                conn = None
            self.results.extend(results)
        if conn:
            conn.close()

    def _send(self, conn, path: str, body) -> tuple[float, float, object, bytes | None]:
        """POST a JSON body: (sent_at, latency, response, data); response None when no answer came."""
        payload = json.dumps(body, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"}
        sent_at, started = time.time(), time.perf_counter()
        try:
            conn.request("POST", path, body=payload, headers=headers)
            response = conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            return sent_at, time.perf_counter() - started, None, None
        return sent_at, time.perf_counter() - started, response, data

    def _post(self, conn, external_id: str, n: int) -> Result:
        sent_at, latency, response, data = self._send(conn, "/api/v1/appeals", self.body(external_id, n))
        if response is None:
            return Result(external_id, 0, sent_at, latency)
        try:
            body = json.loads(data)
        except ValueError:
            body = {}
        return Result(external_id, response.status, sent_at, latency, body.get("number"),
                      body.get("message"), response.getheader("Retry-After"))

    def _post_batch(self, conn, n: int) -> list[Result]:
        """Request n carries appeals n*batch … n*batch+batch-1: one Result per appeal (201 created,
        200 seen before), each with the request's latency."""
        numbers = range(n * self.batch, (n + 1) * self.batch)
        ids = [f"{self.prefix}-{k}" for k in numbers]
        sent_at, latency, response, data = self._send(
            conn, "/api/v1/appeals/batch", {"appeals": [self.body(i, k) for i, k in zip(ids, numbers)]})
        if response is None or response.status != 200:
            return [Result(i, response.status if response else 0, sent_at, latency) for i in ids]
        return [Result(i, 201 if r["created"] else 200, sent_at, latency, r["appeal"]["number"])
                for i, r in zip(ids, json.loads(data)["results"])]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def corpus_texts(n: int) -> list[str]:
    """`n` appeal texts for a benchmark: the starter corpus's validation part, repeated (the dev set
    stays unread outside its one final check)."""
    from routing import corpus

    texts = [appeal.text for appeal in corpus.part("validation")]
    return [texts[i % len(texts)] for i in range(n)]
