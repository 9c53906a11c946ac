"""The router on the starter corpus's validation part, per seed city: the figures of routing/README.md.

    .venv/bin/python -m bench.routing_validation [--city 金昌 ...] [--threshold 0.8] [--dump DIR]

For each city the seed table is parsed (no database), the model trained on it and the corpus's train
part (routing.model.train, as `flask routing train` does), and the validation part, mapped to the
city's units (routing.corpus.city_records), scored with routing.evaluate — the same functions as
`flask routing evaluate --corpus validation`. --dump writes each city's records and predictions as
JSON lines for the analysis of confusions. The dev set is not read.
"""
import argparse
import json
import time
from pathlib import Path

from bench.routing_learning_curve import ROOT, SEEDS
from routing import corpus
from routing.evaluate import evaluate, predict_records, urgency_at_city_mix
from routing.knowledge import from_parsed
from routing.model import train
from tables import parse_file

COLUMNS = (("top-1", "top1"), ("top-3", "top3"), ("auto", "auto_rate"), ("auto prec.", "auto_precision"),
           ("urgency", "urgency_accuracy"), ("urgency at a city's mix", "urgency_city_mix"))
COUNTS = (("emerg. normal", "emergencies_missed"), ("emerg. misrouted", "emergencies_misrouted"),
          ("life missed", "life_missed"), ("conduct to accused", "accused_auto"),
          ("assisting (right)", "assisting_assigned"))


def city_figures(city: str, threshold: float | None, dump: Path | None) -> dict:
    kb = from_parsed(city, parse_file(ROOT.parent / "shared" / "seeds" / SEEDS[city]))
    started = time.monotonic()
    model = train(kb, threshold=threshold)
    trained = time.monotonic() - started
    records = corpus.city_records(kb, corpus.part("validation"))
    predictions = predict_records(model, records)
    if dump is not None:
        with open(dump / f"{city}.jsonl", "w", encoding="utf-8") as out:
            for r, p in zip(records, predictions):
                out.write(json.dumps({"record": r, "prediction": p}, ensure_ascii=False) + "\n")
    figures = evaluate(records, predictions, names=kb.canonical())
    figures["urgency_city_mix"] = urgency_at_city_mix([r["urgency"] for r in records], [p["urgency"] for p in predictions])
    figures["trained"] = trained
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--city", nargs="+", default=list(SEEDS), choices=sorted(SEEDS))
    parser.add_argument("--threshold", type=float, default=None, help="default: the model's own")
    parser.add_argument("--dump", type=Path, default=None, help="directory for records and predictions")
    args = parser.parse_args()
    if args.dump:
        args.dump.mkdir(parents=True, exist_ok=True)
    print(f"validation part: {len(corpus.part('validation'))} of {len(corpus.load())} corpus appeals")
    print("| city | " + " | ".join(name for name, _ in COLUMNS + COUNTS) + " | trained |")
    print("| --- |" + " ---: |" * (len(COLUMNS) + len(COUNTS) + 1))
    for city in args.city:
        f = city_figures(city, args.threshold, args.dump)
        cells = [f"{f[key] * 100:.1f} %" for _, key in COLUMNS]
        cells += [str(f[key]) for _, key in COUNTS[:-1]]
        cells.append(f"{f['assisting_assigned']} ({f['assisting_right']})")
        print(f"| {city} | " + " | ".join(cells) + f" | {f['trained']:.0f} s |", flush=True)


if __name__ == "__main__":
    main()
