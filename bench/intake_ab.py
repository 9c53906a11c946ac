"""Single-appeal intake of several web variants on one stack, with the dispatch workers running.

    .venv/bin/python -m bench.intake_ab NAME=DIR[:WORKERS:THREADS] ... [--seconds 6] [--rounds 4]

The machine is shared and its speed drifts within minutes, so separate runs of bench/intake.py
cannot tell a 20 % change from the drift. Here every variant (a checkout in DIR, e.g. another
commit's `git archive` with a .venv link, or a gunicorn layout) is served on the same database,
Redis and RQ workers, and the bursts alternate (A B C, C B A, …). The workers are not waited for
between bursts: they keep a backlog, as in a long burst. The psycopg baseline of bench/intake.py is
measured before and after the bursts.
"""
import argparse
from pathlib import Path

from bench import harness
from bench.load import Load
from bench.stack import free_port


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variants", nargs="+", metavar="NAME=DIR[:WORKERS:THREADS]")
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--dispatch-workers", type=int, default=2)
    args = parser.parse_args()

    bench = harness.start([], args.dispatch_workers)
    try:
        print(harness.machine())
        webs = []
        for variant in args.variants:
            name, _, spec = variant.partition("=")
            root, workers, threads = (spec.split(":") + ["4", "4"])[:3]
            port = free_port()
            bench.apps.web(port, int(workers), int(threads), name=name, cwd=Path(root).resolve())
            Load(port, bench.token, threads=4, prefix=f"warm-{name}").run(total=200)
            webs.append((name, port, f"{root} {workers}x{threads}"))
        before = harness.baseline(1000, args.concurrency, tag="-before")
        rates = {name: [] for name, _, _ in webs}
        for r in range(args.rounds):
            for name, port, _ in (webs if r % 2 == 0 else webs[::-1]):
                cpu = harness.cpu_by_role(bench)
                with harness.Backends() as backends:
                    results = Load(port, bench.token, threads=args.concurrency, prefix=f"{name}-{r}").run(
                        seconds=args.seconds)
                cpu = {role: spent - cpu[role] for role, spent in harness.cpu_by_role(bench).items()}
                accepted = max(1, sum(1 for x in results if x.status == 201))
                rates[name].append(harness.throughput(results))
                print(f"round {r} {name}: {rates[name][-1]:.0f} appeals/s, {len(results) - accepted} not 201; "
                      "CPU in the burst: " + ", ".join(f"{role} {s:.1f} s" for role, s in cpu.items())
                      + f" (web {cpu['web'] / accepted * 1000:.1f} ms per appeal); {backends.line()}", flush=True)
        after = harness.baseline(1000, args.concurrency, tag="-after")
        base = (before + after) / 2
        print(f"\nbaseline (psycopg, same rows, same concurrency): {before:.0f}/s before, {after:.0f}/s after")
        for name, _, spec in webs:
            mean = sum(rates[name]) / len(rates[name])
            print(f"{name} ({spec}): " + ", ".join(f"{x:.0f}" for x in rates[name])
                  + f" appeals/s, mean {mean:.0f}/s, ratio to the mean baseline {mean / base:.2f}")
    finally:
        bench.close()


if __name__ == "__main__":
    main()
