from routing.evaluate import evaluate, urgency_at_city_mix
from routing.threshold import choose_threshold

RECORDS = [
    {"gold_lead": "A", "acceptable": ["B"], "urgency": "urgent"},
    {"gold_lead": "B", "acceptable": [], "urgency": "emergency"},
    {"gold_lead": "人工分拨", "acceptable": [], "urgency": "normal"},
    {"gold_lead": "C", "acceptable": [], "urgency": "consult"},
]


def pred(lead, cands, manual=False, urgency="normal"):
    return {"id": None, "lead": None if manual else lead, "assisting": [], "urgency": urgency,
            "manual": manual, "candidates": [{"unit": u, "p": p} for u, p in cands]}


def test_metrics():
    preds = [
        pred("B", [("B", .6), ("A", .3)], urgency="urgent"),  # acceptable, top-1 wrong, top-3 right
        pred("B", [("B", .9)], urgency="normal"),  # right; an emergency classed normal
        pred(None, [("A", .2)], manual=True),  # manual as it should
        pred(None, [("C", .4)], manual=True, urgency="consult"),  # unsure
    ]
    m = evaluate(RECORDS, preds)
    assert m["top1"] == 0.75 and m["top3"] == 1.0
    assert m["accuracy"] == 0.75
    assert m["manual_rate"] == 0.5 and m["auto_precision"] == 1.0
    assert m["urgency_accuracy"] == 0.75 and m["emergencies_missed"] == 1


def test_urgency_at_a_city_mix_weighs_each_class_by_its_share_there():
    golds = ["normal", "normal", "urgent", "urgent", "consult", "consult"]
    predicted = ["normal", "urgent", "urgent", "urgent", "consult", "normal"]
    # recall: normal 1/2, urgent 1, consult 1/2; shares 0.7, 0.15, 0.15
    assert abs(urgency_at_city_mix(golds, predicted, normal_share=0.7) - (0.35 + 0.15 + 0.075)) < 1e-9
    assert urgency_at_city_mix(["urgent", "consult"], ["urgent", "normal"]) == 0.5  # no normal: plain accuracy


def test_threshold_reaches_target_precision_on_labelled_data():
    conf = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4] * 10
    ok = [True, True, True, True, False, False] * 10
    t = choose_threshold(conf, ok, default=0.5, target=0.95)
    assert t == 0.6
    assert choose_threshold(conf[:5], ok[:5], default=0.42) == 0.42  # too few labels: default


def test_gold_labels_in_other_spellings_are_mapped_to_unit_names():
    records = [{"gold_lead": "市发改委", "acceptable": [], "urgency": "normal"}]
    preds = [pred("市发展改革委", [("市发展改革委", .9)])]
    assert evaluate(records, preds)["top1"] == 0.0
    assert evaluate(records, preds, names={"市发改委": "市发展改革委"})["top1"] == 1.0
