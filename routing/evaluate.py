"""Metrics of a router over labelled appeals (jsonl records), shared by the CLI and the benchmark."""
from __future__ import annotations

from sklearn.metrics import f1_score

from routing.catalogue import kinds_of
from routing.training import MANUAL


def prediction_record(appeal_id, decision) -> dict:
    """One output line of `flask routing predict`."""
    return {"id": appeal_id, "lead": decision.lead, "assisting": decision.assisting,
            "urgency": decision.urgency, "manual": decision.manual, "reason": decision.reason,
            "confidence": decision.confidence, "life_danger": decision.life_danger,
            "candidates": [{"unit": u, "p": p} for u, p in decision.candidates]}


def predict_records(model, records: list[dict]) -> list[dict]:
    return [prediction_record(r.get("id"), model.predict(r["text"], r.get("enterprise"))) for r in records]


def evaluate(records: list[dict], predictions: list[dict], names: dict[str, str] | None = None) -> dict:
    """records: `gold_lead` (or 人工分拨), `acceptable`, `urgency`; predictions: prediction_record()s.

    top1/top3: the gold unit is the first / among the first three candidates (for 人工分拨: the router
    chose manual dispatch itself, reason not_routable or no_content, not below its threshold).
    accuracy: the final decision is right (lead is the gold or an acceptable unit; or manual when the
    gold is 人工分拨). auto_precision: share of auto-dispatched appeals whose
    lead is acceptable. emergencies_missed: gold emergencies classed normal or consult.
    names: other spellings of unit names → the model's names (`KnowledgeBase.canonical()`), so that
    labels written as 市发改委 match 市发展改革委.
    """
    names = names or {}
    n = len(records)
    top1 = top3 = correct = manual = auto_ok = urgency_ok = missed = misrouted = 0
    life_missed = accused_auto = assisting = assisting_right = 0
    gold_labels, final_labels = [], []
    for r, p in zip(records, predictions):
        gold = names.get(r["gold_lead"], r["gold_lead"])
        ok = {gold, *(names.get(a, a) for a in r.get("acceptable", []))}
        units = [c["unit"] for c in p["candidates"]]
        final = MANUAL if p["manual"] else p["lead"]
        if gold == MANUAL:  # right when the router itself chose 人工分拨, not when merely unsure
            chose = p["manual"] if "reason" not in p else p["reason"] in ("not_routable", "no_content")
            top1 += chose
            top3 += chose
        else:
            top1 += units[:1] == [gold]
            top3 += gold in units[:3]
        correct += final == gold if gold == MANUAL else final in ok
        manual += p["manual"]
        auto_ok += (not p["manual"]) and p["lead"] in ok
        urgency_ok += p["urgency"] == r.get("urgency")
        missed += r.get("urgency") == "emergency" and p["urgency"] in ("normal", "consult")
        misrouted += r.get("urgency") == "emergency" and not p["manual"] and p["lead"] not in ok
        life_missed += bool(r.get("life")) and not p.get("life_danger")
        accused_auto += bool(r.get("accused")) and not p["manual"] and r["accused"] in kinds_of(p["lead"])
        assisting += len(p.get("assisting") or [])
        assisting_right += sum(a == r.get("second") for a in p.get("assisting") or [])
        gold_labels.append(gold)
        final_labels.append(gold if final in ok else final)  # an acceptable unit counts as the gold
    auto = n - manual
    return {
        "n": n, "top1": top1 / n if n else 0.0, "top3": top3 / n if n else 0.0,
        "accuracy": correct / n if n else 0.0,
        "macro_f1": float(f1_score(gold_labels, final_labels, labels=sorted(set(gold_labels)),
                                   average="macro", zero_division=0)) if n else 0.0,
        "manual_rate": manual / n if n else 0.0, "auto_rate": auto / n if n else 0.0,
        "auto_precision": auto_ok / auto if auto else 0.0,
        "urgency_accuracy": urgency_ok / n if n else 0.0, "emergencies_missed": missed,
        "emergencies_misrouted": misrouted, "life_missed": life_missed, "accused_auto": accused_auto,
        "assisting_assigned": assisting, "assisting_right": assisting_right,
    }


# The share of normal appeals a city receives: 72.7 % in issue 20's unseen appeals of 金昌. The
# starter corpus has about half, so its plain urgency accuracy weighs the rarer classes more than a city does.
CITY_NORMAL_SHARE = 0.727


def urgency_at_city_mix(golds: list[str], predicted: list[str], normal_share: float = CITY_NORMAL_SHARE) -> float:
    """Urgency accuracy as on a set with `normal_share` normal appeals: each class's recall weighted by
    its share there, the other classes keeping their proportions among themselves."""
    counts = {c: golds.count(c) for c in set(golds)}
    others = sum(n for c, n in counts.items() if c != "normal")
    if not others or "normal" not in counts:
        return sum(g == p for g, p in zip(golds, predicted)) / len(golds) if golds else 0.0
    share = {c: normal_share if c == "normal" else (1 - normal_share) * n / others for c, n in counts.items()}
    recall = {c: sum(g == p == c for g, p in zip(golds, predicted)) / n for c, n in counts.items()}
    return sum(share[c] * recall[c] for c in counts)
