"""Scale-out benchmark: 2 web processes and 3 workers on one PostgreSQL and Redis.

    .venv/bin/python -m bench.scale_out [--seconds 15] [--concurrency 16]

Two gunicorn masters on two ports (as behind a reverse proxy), three RQ workers competing for
the same queue, and the scheduler's sweep running meanwhile. The load is split over both ports.
Checks that every accepted appeal was stored once and dispatched exactly once (the dispatch job
locks the appeal row and the outbox row; a repeated job is a no-op), and prints throughput and
intake-to-dispatched latency against the same-run psycopg baseline.
"""
import argparse

from bench import harness
from bench.load import Load, percentile
from bench.stack import free_port


def split(ports: list[int], token: str, prefix: str, **options) -> list[Load]:
    return [Load(port, token, prefix=f"{prefix}{i}", **options) for i, port in enumerate(ports)]


def run_all(loads: list[Load], **options) -> list:
    for load in loads:
        load.start(**options)
    return [result for load in loads for result in load.wait()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers per web process")
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    ports = [free_port(), free_port()]
    bench = harness.start([(port, args.web_workers, args.threads) for port in ports], dispatch_workers=3)
    try:
        print(harness.machine())
        print(f"stack: 2 gunicorn processes x {args.web_workers} workers x {args.threads} threads, "
              "3 RQ workers, PostgreSQL 127.0.0.1:5432, private Redis")
        run_all(split(ports, bench.token, "warm", threads=2), total=100)

        half = max(1, args.concurrency // 2)
        with harness.Backends() as backends:
            results = run_all(split(ports, bench.token, "max", threads=half), seconds=args.seconds)
        rate = harness.throughput(results)
        accepted = [r for r in results if r.status == 201]
        waits, counts = harness.dispatch_latencies(accepted, timeout=180)
        base = harness.baseline(len(accepted), args.concurrency)
        print(f"\n[1] throughput over both web processes, {args.concurrency} concurrent clients")
        print(f"    accepted: {rate:.0f} appeals/s ({len(accepted)} accepted, {len(results) - len(accepted)} not 201)")
        print(f"    {harness.latency_line('latency under saturation', [r.latency for r in accepted])}")
        print(f"    baseline (psycopg, same rows, same concurrency): {base:.0f} appeals/s, "
              f"ratio app/baseline: {rate / base:.2f}")
        print(f"    {backends.line()}")
        print(f"    dispatched exactly once: {sum(1 for n in counts.values() if n == 1)}/{len(accepted)}, "
              f"twice or more: {sum(1 for n in counts.values() if n > 1)}, never: "
              f"{len(accepted) - sum(1 for n in counts.values() if n)}")

        flow = run_all(split(ports, bench.token, "r50", rate=25, threads=4), total=int(25 * args.seconds))
        waits, counts = harness.dispatch_latencies(flow)
        print(f"\n[2] steady 50 appeals/s (25/s per web process) for {args.seconds:.0f} s, intake → dispatched "
              f"({harness.throughput(flow):.0f}/s carried)")
        print(f"    {harness.latency_line('intake latency', [r.latency for r in flow if r.status == 201])}")
        print(f"    {harness.latency_line('intake-to-dispatched', waits)}   target p99 ≤ 1 s: "
              f"{'met' if percentile(waits, 0.99) <= 1 and harness.throughput(flow) >= 47.5 else 'MISSED'}")
        print(f"    dispatched exactly once: {sum(1 for n in counts.values() if n == 1)}/{len(counts)}")
    finally:
        bench.close()


if __name__ == "__main__":
    main()
