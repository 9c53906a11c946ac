"""How fast dispatcher corrections teach the router: 金昌's dev appeals fed as corrections.

    .venv/bin/python -m bench.routing_learning_curve [--orders 5] [--steps 0 20 40 60]

For each of several random orders of the dev set's 金昌 appeals (those whose gold is a unit of the
table; the 人工分拨 ones are never a dispatcher's assignment), the first k become corrections
(routing.knowledge.Correction, as a dispatcher's assignment would) and top-1 is measured on the
rest of them, the held-out appeals. This is the one place where the dev set is used as training
data. Same-run baselines on the same held-out appeals: the table-only model (k = 0; the difference
is paired, so it is not blurred by which appeals happen to be held out) and always naming the unit
most often corrected to. No database is used: the table is parsed from the seed file.
"""
import argparse
import json
import random
import statistics
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

from routing.evaluate import evaluate, predict_records
from routing.knowledge import Correction, from_parsed
from routing.model import train
from tables import parse_file

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seeds" / "000_e8af529a3e52d661.txt"
DEV = SHARED / "data" / "dev_appeals.jsonl"
CITY = "金昌"


def _spread(values: list[float]) -> str:
    mean = statistics.mean(values)
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{mean * 100:5.1f}% ± {sd * 100:4.1f} (min {min(values) * 100:.1f}, max {max(values) * 100:.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=5, help="random orders of the corrections")
    parser.add_argument("--steps", type=int, nargs="+", default=[0, 20, 40, 60])
    args = parser.parse_args()

    kb = from_parsed(CITY, parse_file(SEED))
    names = kb.canonical()
    routable = set(kb.routable_units())
    records = [r for r in map(json.loads, DEV.read_text(encoding="utf-8").splitlines()) if r["city"] == CITY]
    usable = [r for r in records if names.get(r["gold_lead"]) in routable]
    steps = [k for k in args.steps if k < len(usable)]
    print(f"{CITY}: {len(records)} dev appeals, {len(usable)} with a unit of the table as gold "
          f"(the others go to 人工分拨 and are not corrections); {args.orders} random orders")

    started = time.monotonic()
    base = train(kb)
    base_predictions = dict(zip((r["id"] for r in usable), predict_records(base, usable)))
    learned, table_only, majority = ({k: [] for k in steps} for _ in range(3))
    for seed in range(args.orders):
        order = usable[:]
        random.Random(seed).shuffle(order)
        for k in steps:
            fed, rest = order[:k], order[k:]
            corrections = [Correction(r["text"], names[r["gold_lead"]]) for r in fed]
            model = base if k == 0 else train(replace(kb, corrections=corrections))
            learned[k].append(evaluate(rest, predict_records(model, rest), names=names)["top1"])
            table_only[k].append(evaluate(rest, [base_predictions[r["id"]] for r in rest], names=names)["top1"])
            top = Counter(c.lead for c in corrections).most_common(1)
            guess = top[0][0] if top else None
            majority[k].append(sum(names.get(r["gold_lead"]) == guess for r in rest) / len(rest))
    print("top-1 on the held-out rest, mean ± sd over the orders; same-run baselines on the same appeals:")
    print(f"{'corrections':>11}  {'held out':>8}  {'router with the corrections':<44}  {'table only (k=0)':<16}"
          f"  {'difference':<10}  most corrected unit")
    for k in steps:
        diff = [a - b for a, b in zip(learned[k], table_only[k])]
        print(f"{k:>11}  {len(usable) - k:>8}  {_spread(learned[k]):<44}  {statistics.mean(table_only[k]) * 100:15.1f}%"
              f"  {statistics.mean(diff) * 100:+9.1f}   {statistics.mean(majority[k]) * 100:5.1f}%")
    print(f"{time.monotonic() - started:.0f} s in all")


if __name__ == "__main__":
    main()
