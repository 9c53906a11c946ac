"""The urgency part of the router alone, for one city: seconds instead of minutes per try.

    .venv/bin/python -m bench.routing_urgency [--city 金昌] [--oof FILE]

Builds the city's training documents and features as routing.model.train does (seed table parsed, the
corpus's train part), trains only the urgency model (routing.urgency.train_urgency) and prints its
accuracy on the corpus's validation part, the errors by (gold, predicted) and the accuracy per gold class.
--oof FILE writes the train-part appeals whose label an urgency model trained without them (5 folds)
disagrees with, as JSON lines (id, label, predicted, the rules' verdict, text): the list to read when
looking for labels that break the written rules. The dev set is not read.
"""
import argparse
import json
from collections import Counter

import numpy as np

from bench.routing_learning_curve import ROOT, SEEDS
from routing import corpus
from routing.evaluate import urgency_at_city_mix
from routing.features import Featurizer
from routing.knowledge import from_parsed
from routing.lexicon import user_words
from routing.normalize import normalize
from routing.training import build_docs, label_arrays, resolve_matter_kinds, table_rows
from routing.urgency import classify_urgency, train_urgency
from tables import parse_file

FOLDS = 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--city", default="金昌", choices=sorted(SEEDS))
    parser.add_argument("--oof", default=None, help="write the train part's out-of-fold disagreements here")
    args = parser.parse_args()
    kb = from_parsed(args.city, parse_file(ROOT.parent / "shared" / "seeds" / SEEDS[args.city]))
    units = kb.routable_units()
    rows = table_rows(kb, set(units))
    docs = build_docs(kb, units, rows, resolve_matter_kinds(kb, units, rows))
    texts, _, w = label_arrays(docs)
    featurizer = Featurizer(user_words(units, [a for u in kb.units for a in u.aliases])).fit(texts)
    x = featurizer.transform(texts)
    rated = np.array([i for i, d in enumerate(docs) if d.urgency])
    labels = [docs[i].urgency for i in rated]

    validation = corpus.part("validation")
    vtexts = [normalize(a.text) for a in validation]
    xv = featurizer.transform(vtexts)
    model = train_urgency(x[rated], [texts[i] for i in rated], labels, w[rated])
    predicted = [model.predict(t, xv[i]) for i, t in enumerate(vtexts)]
    gold = [a.urgency for a in validation]
    right = [p == g for p, g in zip(predicted, gold)]
    missed = sum(g == "emergency" and p in ("normal", "consult") for p, g in zip(predicted, gold))
    print(f"{args.city}: urgency {np.mean(right) * 100:.1f} % of {len(gold)} validation appeals, "
          f"{urgency_at_city_mix(gold, predicted) * 100:.1f} % at a city's mix, emergencies classed normal/consult {missed}")
    print("errors (gold → predicted):", ", ".join(f"{g} → {p} {n}" for (g, p), n in
                                                Counter((g, p) for p, g in zip(predicted, gold) if p != g).most_common()))
    print("right per gold class:", ", ".join(f"{c} {np.mean([r for r, g in zip(right, gold) if g == c]) * 100:.1f} %"
                                             f" of {gold.count(c)}" for c in sorted(set(gold))))
    if args.oof:
        train_part = corpus.part("train")
        with open(args.oof, "w", encoding="utf-8") as out:
            for k in range(FOLDS):
                held = np.arange(len(rated))[k::FOLDS]
                keep = np.setdiff1d(np.arange(len(rated)), held)
                fold = train_urgency(x[rated[keep]], [texts[i] for i in rated[keep]], [labels[j] for j in keep],
                                     w[rated[keep]])
                for j in held.tolist():
                    text = texts[rated[j]]
                    p = fold.predict(text, x[rated[j]])
                    if p != labels[j]:
                        a = train_part[j]
                        out.write(json.dumps({"id": a.id, "label": labels[j], "predicted": str(p),
                                              "rules": classify_urgency(text), "text": a.text}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
