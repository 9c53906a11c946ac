"""Intake benchmark: appeals accepted per second through gunicorn, PostgreSQL and Redis.

    .venv/bin/python -m bench.intake [--seconds 15] [--concurrency 16]

1. throughput: a closed loop of --concurrency clients posting appeals as fast as answered;
   baseline: the same rows written straight through psycopg at the same concurrency; ratio.
   Then the same with the dispatch workers stopped (the web machine's part alone).
2. intake latency at a steady 100 appeals/s.
3. intake-to-dispatched latency at a steady 50 appeals/s (sent → dispatch event committed).
4. throughput of a partner's backlog: --batch appeals per request to the batch endpoint, for
   --batch-total appeals; baseline: the same rows through psycopg, as many per commit.
Targets (2-core machine): ≥ 500 accepted/s, intake p99 ≤ 100 ms at 100/s, dispatched p99 ≤ 1 s at 50/s.
"""
import argparse
import signal

from bench import harness
from bench.load import Load, percentile
from bench.stack import free_port


def verdict(ok: bool, achieved: float = 0, target_rate: float = 0) -> str:
    """A latency target only counts when the stack actually carried the target rate."""
    if achieved < 0.95 * target_rate:
        return f"MISSED (only {achieved:.0f}/s of the {target_rate:.0f}/s carried)"
    return "met" if ok else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--dispatch-workers", type=int, default=2)
    parser.add_argument("--intake-rate", type=float, default=100, help="steady rate of phase 2 (target: 100)")
    parser.add_argument("--dispatch-rate", type=float, default=50, help="steady rate of phase 3 (target: 50)")
    parser.add_argument("--batch", type=int, default=50, help="appeals per request in phase 4")
    parser.add_argument("--batch-total", type=int, default=6000, help="appeals sent in phase 4")
    args = parser.parse_args()

    port = free_port()
    bench = harness.start([(port, args.web_workers, args.threads)], args.dispatch_workers)
    try:
        print(harness.machine())
        print(f"stack: gunicorn {args.web_workers} workers x {args.threads} threads, "
              f"{args.dispatch_workers} RQ workers, PostgreSQL 127.0.0.1:5432, private Redis")
        Load(port, bench.token, threads=4, prefix="warm").run(total=200)

        cpu_before = harness.cpu_by_role(bench)
        with harness.Backends() as backends:
            results = Load(port, bench.token, threads=args.concurrency, prefix="max").run(seconds=args.seconds)
        accepted = [r for r in results if r.status == 201]
        harness.dispatch_latencies(accepted, timeout=300)
        drained = harness.last_dispatch_at(accepted) - max(r.sent_at + r.latency for r in accepted)
        cpu = {role: spent - cpu_before[role] for role, spent in harness.cpu_by_role(bench).items()}
        rate = harness.throughput(results)
        errors = len([r for r in results if r.status != 201])
        ok = [r.latency for r in results if r.status == 201]
        base = harness.baseline(len(ok), args.concurrency)
        print(f"\n[1] throughput, {args.concurrency} concurrent clients, {args.seconds:.0f} s")
        print(f"    accepted: {rate:.0f} appeals/s ({len(ok)} accepted, {errors} not 201)")
        print(f"    {harness.latency_line('latency under saturation', ok)}")
        print(f"    baseline (psycopg, same rows, same concurrency): {base:.0f} appeals/s")
        print(f"    ratio app/baseline: {rate / base:.2f}   target ≥ 500/s: {verdict(rate >= 500)}")
        print(f"    dispatch (workers at lower CPU priority) caught up {max(0.0, drained):.1f} s after the burst")
        print("    CPU per accepted appeal: " + ", ".join(f"{role} {seconds / len(ok) * 1000:.1f} ms"
                                                       for role, seconds in cpu.items()))
        print(f"    {backends.line()}")

        # The same burst with the workers stopped: the web machine's share of the stack alone, as
        # where workers run on other machines (docs/operations.md); they dispatch the backlog after.
        bench.apps.signal_workers(signal.SIGSTOP)
        cpu_before = harness.cpu_by_role(bench)
        with harness.Backends() as backends:
            alone = Load(port, bench.token, threads=args.concurrency, prefix="alone").run(seconds=args.seconds)
        cpu = {role: spent - cpu_before[role] for role, spent in harness.cpu_by_role(bench).items()}
        bench.apps.signal_workers(signal.SIGCONT)
        accepted = [r for r in alone if r.status == 201]
        print("\n[1b] the same with the dispatch workers stopped during the burst")
        print(f"    accepted: {harness.throughput(alone):.0f} appeals/s ({len(accepted)} accepted, "
              f"{len(alone) - len(accepted)} not 201)   target ≥ 500/s: {verdict(harness.throughput(alone) >= 500)}")
        print(f"    {harness.latency_line('latency under saturation', [r.latency for r in accepted])}")
        print("    CPU per accepted appeal: " + ", ".join(f"{role} {cpu[role] / len(accepted) * 1000:.1f} ms"
                                                       for role in ("web", "PostgreSQL", "Redis")))
        print(f"    {backends.line()}")
        harness.dispatch_latencies(accepted, timeout=300)

        steady = Load(port, bench.token, rate=args.intake_rate, threads=args.concurrency, prefix="steady").run(
            total=int(args.intake_rate * args.seconds))
        latencies = [r.latency for r in steady if r.status == 201]
        p99 = percentile(latencies, 0.99)
        print(f"\n[2] steady {args.intake_rate:.0f} appeals/s for {args.seconds:.0f} s "
              f"({len(latencies)} accepted, {len(steady) - len(latencies)} not 201, "
              f"{harness.throughput(steady):.0f}/s achieved)")
        print(f"    {harness.latency_line('intake latency', latencies)}   target p99 ≤ 100 ms: "
              f"{verdict(p99 <= 0.1, min(args.intake_rate, harness.throughput(steady)), 100)}")

        harness.dispatch_latencies([r for r in steady if r.status == 201], timeout=120)
        flow = Load(port, bench.token, rate=args.dispatch_rate, threads=8, prefix="flow").run(
            total=int(args.dispatch_rate * args.seconds))
        waits, counts = harness.dispatch_latencies(flow)
        p99 = percentile(waits, 0.99)
        print(f"\n[3] steady {args.dispatch_rate:.0f} appeals/s for {args.seconds:.0f} s, intake → dispatched "
              f"({harness.throughput(flow):.0f}/s achieved)")
        print(f"    {harness.latency_line('intake-to-dispatched', waits)}   target p99 ≤ 1 s: "
              f"{verdict(p99 <= 1, min(args.dispatch_rate, harness.throughput(flow)), 50)}")
        print(f"    dispatched exactly once: {sum(1 for n in counts.values() if n == 1)}/{len(counts)}")

        # Last: the backlog it leaves for dispatch would delay the phases above.
        clients = 4
        cpu_before = harness.cpu_by_role(bench)
        batched = Load(port, bench.token, threads=clients, prefix="batch", batch=args.batch).run(
            total=args.batch_total // args.batch)
        cpu = {role: spent - cpu_before[role] for role, spent in harness.cpu_by_role(bench).items()}
        accepted = [r for r in batched if r.status == 201]
        rate = harness.throughput(batched)
        base = harness.baseline(len(accepted), clients, batch=args.batch)
        print(f"\n[4] partner backlog: {args.batch} appeals per request, {clients} concurrent clients")
        print(f"    accepted: {rate:.0f} appeals/s ({len(accepted)} accepted, {len(batched) - len(accepted)} not 201)")
        print(f"    {harness.latency_line('request latency', [r.latency for r in accepted[::args.batch]])}")
        print(f"    baseline (psycopg, same rows, {args.batch} per commit): {base:.0f} appeals/s, "
              f"ratio app/baseline: {rate / base:.2f}   target ≥ 500/s: {verdict(rate >= 500)}")
        print("    CPU per accepted appeal: " + ", ".join(f"{role} {cpu[role] / len(accepted) * 1000:.1f} ms"
                                                       for role in ("web", "PostgreSQL")))
    finally:
        bench.close()


if __name__ == "__main__":
    main()
