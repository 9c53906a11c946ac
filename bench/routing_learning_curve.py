"""How fast a city's own labelled appeals teach the router: the team's starter corpus, mapped to a city's
units, fed as corrections (as dispatchers' assignments or imported work orders would be).

    .venv/bin/python -m bench.routing_learning_curve [--city 金昌] [--orders 3] [--steps 0 100 500]

1. Table only + k examples: for each random order of the corpus's appeals that have a unit in the city
   (those of kinds the city has no unit for go to 人工分拨 and are never an assignment), the first k
   become corrections (routing.examples.examples_to_corrections, as `import-history` would store them) of
   a model trained without the starter corpus, and top-1 is measured on the rest (at most --rest of
   them, the same appeals for every k of an order). The difference to the table-only model (k = 0) is
   paired: the same held-out appeals.
2. Starter model + k examples: the shipped model (table and the corpus's train part) with k examples of
   the validation part, measured on the rest of the validation part (the examples never overlap the
   appeals the model trained on).
No database is used: the table is parsed from the seed file. The dev set is not read.
"""
import argparse
import random
import statistics
import time
from dataclasses import replace
from pathlib import Path

from routing import corpus
from routing.evaluate import evaluate, predict_records
from routing.examples import examples_to_corrections
from routing.knowledge import from_parsed
from routing.model import MANUAL, train
from tables import parse_file

ROOT = Path(__file__).resolve().parent.parent
SEEDS = {"金昌": "000_e8af529a3e52d661.txt", "新密": "001_3157cc40575f03a0.txt",
         "朔州": "002_0bc76a5a651969c0.txt", "赣州": "003_708032cc1c019027.txt"}


def _spread(values: list[float]) -> str:
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values) * 100:5.1f}% ± {sd * 100:4.1f}"


def _top1(model, records, names) -> float:
    return evaluate(records, predict_records(model, records), names=names)["top1"]


def curve(kb, records: list[dict], steps: list[int], orders: int, rest_size: int, starter: bool) -> dict:
    """k → list of (top-1 with k examples, top-1 of the model without examples) over the orders."""
    names = kb.canonical()
    base = train(kb, starter=starter)
    out = {k: [] for k in steps}
    for seed in range(orders):
        order = records[:]
        random.Random(seed).shuffle(order)
        rest = order[max(steps):][:rest_size]
        base_top1 = _top1(base, rest, names)
        for k in steps:
            fed = [(i, {"text": r["text"], "unit": r["gold_lead"], "urgency": r["urgency"]})
                   for i, r in enumerate(order[:k], 1)]
            examples, bad = examples_to_corrections(kb, fed)
            assert not bad, bad
            model = base if k == 0 else train(replace(kb, corrections=examples), starter=starter)
            out[k].append((_top1(model, rest, names), base_top1))
    return out


def _print(title: str, results: dict, held_out: int) -> None:
    print(title)
    print(f"{'examples':>8}  {'held out':>8}  {'top-1 with the examples':<24}  {'without':>8}  difference")
    for k, pairs in results.items():
        learned = [a for a, _ in pairs]
        diff = [a - b for a, b in pairs]
        print(f"{k:>8}  {held_out:>8}  {_spread(learned):<24}  {statistics.mean(b for _, b in pairs) * 100:7.1f}%"
              f"  {statistics.mean(diff) * 100:+6.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--city", default="金昌", choices=sorted(SEEDS))
    parser.add_argument("--orders", type=int, default=3, help="random orders of the examples")
    parser.add_argument("--steps", type=int, nargs="+", default=[0, 100, 500])
    parser.add_argument("--rest", type=int, default=600, help="held-out appeals measured per order")
    args = parser.parse_args()
    started = time.monotonic()
    kb = from_parsed(args.city, parse_file(ROOT.parent / "shared" / "seeds" / SEEDS[args.city]))
    routed = [r for r in corpus.city_records(kb, list(corpus.load())) if r["gold_lead"] != MANUAL]
    steps = sorted(k for k in set(args.steps) | {0} if k < len(routed))
    print(f"{args.city}: {len(corpus.load())} corpus appeals, {len(routed)} with a unit of the city; "
          f"{args.orders} random orders")
    held = min(args.rest, len(routed) - max(steps))
    _print("1. table only + k examples (top-1 on the rest, mean ± sd over the orders):",
           curve(kb, routed, steps, args.orders, args.rest, starter=False), held)
    validation = [r for r in routed if corpus.split_of(r["id"]) == "validation"]
    small = [k for k in steps if k <= len(validation) // 2]
    held = min(args.rest, len(validation) - max(small))
    _print("2. starter model (table + corpus train part) + k examples of the validation part:",
           curve(kb, validation, small, args.orders, args.rest, starter=True), held)
    print(f"{time.monotonic() - started:.0f} s in all")


if __name__ == "__main__":
    main()
