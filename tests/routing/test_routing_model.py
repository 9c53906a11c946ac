import pickle

import numpy as np
import pytest

from routing.knowledge import KnowledgeBase, Matter, Unit
from routing.model import MANUAL, train
from routing.urgency import URGENCIES
from tests.routing.routing_cities import city_a


def test_routes_enterprise_language_to_table_unit(model_a):
    assert model_a.predict("出口退税款申请了三个月还没到账").candidates[0][0] == "市税务局"
    assert model_a.predict("银行突然抽贷，不给续贷了，资金链要断了").candidates[0][0] == "市政府金融办"
    assert model_a.predict("工地上几十个农民工的工资拖欠半年了").candidates[0][0] == "市人社局"


def test_decision_fields(model_a):
    d = model_a.predict("出口退税款申请了三个月还没到账")
    assert len(d.candidates) <= 3 and abs(sum(p for _, p in d.candidates)) <= 1.0001
    assert [p for _, p in d.candidates] == sorted((p for _, p in d.candidates), reverse=True)
    assert d.explanation["matter"] and d.explanation["words"]
    assert d.urgency in URGENCIES
    assert d.manual == (d.lead is None)


def test_threshold_sends_unsure_appeals_to_manual_with_suggestions():
    strict = train(city_a(), threshold=0.999)
    d = strict.predict("出口退税款申请了三个月还没到账")
    assert d.manual and d.lead is None and d.reason == "below_threshold"
    assert d.candidates and d.candidates[0][0] == "市税务局"
    lax = train(city_a(), threshold=0.0)
    d = lax.predict("出口退税款申请了三个月还没到账")
    assert not d.manual and d.lead == "市税务局" and d.reason == "auto"


def test_text_without_routable_content_goes_to_manual(model_a):
    for text in ("", "喂？喂？", "嗯……那个……"):
        d = model_a.predict(text)
        assert d.manual and d.lead is None and d.reason == "no_content"


def test_complaint_about_a_units_conduct_is_not_routed_to_it(model_a):
    text = "税务局的专管员每次都故意刁难我们，暗示要好处费才给办退税。"
    d = model_a.predict(text)
    assert "市税务局" not in [u for u, _ in d.candidates]
    assert d.lead != "市税务局"
    assert d.candidates[0][0] == "市纪委监委"


def test_model_never_routes_to_another_citys_unit(model_a, model_b):
    texts = ["出口退税一直没到账", "工人工资被拖欠", "项目立项备案办不下来", "营业执照变更登记", "银行抽贷"]
    for text in texts:
        for model, units in ((model_a, set(model_a.units)), (model_b, set(model_b.units))):
            d = model.predict(text)
            assert {u for u, _ in d.candidates} <= units
            assert d.lead is None or d.lead in units
            assert set(d.assisting) <= units
    assert not set(model_a.units) & set(model_b.units)


def test_placeholders_are_not_routing_targets(model_a):
    assert "各县区" not in model_a.labels
    assert MANUAL in model_a.labels


def test_model_is_picklable_and_deterministic(model_a):
    clone = pickle.loads(pickle.dumps(model_a))
    text = "银行突然抽贷，不给续贷了"
    assert clone.predict(text).candidates == model_a.predict(text).candidates
    again = train(city_a())
    assert again.predict(text).candidates == model_a.predict(text).candidates


def test_duplicate_flag_on_predict(model_a):
    from routing.duplicates import OpenAppeal
    open_appeals = [OpenAppeal("A1", "出口退税款申请了三个月还没到账，请帮忙催一下", uscc="91620300MA00000001")]
    d = model_a.predict("出口退税申请三个月了还没到账", uscc="91620300ma00000001", open_appeals=open_appeals)
    assert d.duplicate_of == "A1"


def test_confidence_never_exceeds_the_top_probability_without_the_starter_corpus(model_a_table):
    for text in ("出口退税款申请了三个月还没到账", "我们想问问这个事情到底归谁管", "银行抽贷"):
        d = model_a_table.predict(text)
        assert 0.0 <= d.confidence <= d.candidates[0][1] + 1e-9


def test_with_the_starter_corpus_confidence_is_a_calibrated_share(model_a):
    assert model_a.margins and model_a.calibration is not None
    xs, ys = model_a.calibration
    assert list(ys) == sorted(ys) and ys[0] >= 0.0 and ys[-1] <= 1.0  # isotonic: more lead, more often right
    for text in ("出口退税款申请了三个月还没到账", "我们想问问这个事情到底归谁管", "银行抽贷"):
        assert 0.0 <= model_a.predict(text).confidence <= 1.0


def test_training_and_calibration_never_read_the_corpus_validation_part(monkeypatch):
    """The validation part measures the router: the calibration comes from out-of-fold choices of the
    train part, so that the auto-dispatch precision measured on validation is held out."""
    from routing import corpus
    part = corpus.part

    def train_part_only(name, *args, **kwargs):
        assert name == "train", "training read the validation part"
        return part(name, *args, **kwargs)

    monkeypatch.setattr(corpus, "part", train_part_only)
    model = train(city_a())
    assert model.calibration is not None


def test_text_without_any_known_expression_is_less_confident(model_a):
    known = model_a.predict("出口退税款申请了三个月还没到账")
    vague = model_a.predict("我们公司的事情一直没有人给个说法，到底怎么弄")
    assert vague.confidence < known.confidence


def test_one_weak_lexicon_hit_is_not_strong_evidence():
    from routing.model import LEX_FLOOR, _z
    one_short_word = np.zeros(50)
    one_short_word[0] = 4.0  # a two-character expression
    assert _z(one_short_word)[0] > 6  # plain z-scoring would make it decisive
    assert _z(one_short_word, LEX_FLOOR)[0] < 2.5
    many_long = np.zeros(50)
    many_long[0] = 3 * 36.0  # three long expressions
    assert _z(many_long, LEX_FLOOR)[0] == pytest.approx(_z(many_long)[0])


def test_a_unit_accused_of_abusing_its_power_is_not_the_handler(model_a):
    d = model_a.predict("住建局滥用行政权力，要求工地必须从指定的两家搅拌站买混凝土")
    assert "市住建局" not in [u for u, _ in d.candidates]


def test_a_government_not_honouring_its_agreement_goes_to_the_development_and_reform_body():
    kb = KnowledgeBase("丙市", [Unit(n) for n in ("市发展改革委", "市招商局", "市财政局")], [
        Matter("加强招商引资，做好项目落地服务。", ("市招商局",)),
        Matter("推进社会信用体系建设，开展政务诚信建设。", ("市发展改革委",)),
        Matter("加强预算管理，及时拨付财政资金。", ("市财政局",)),
    ])
    d = train(kb).predict("区政府和我们签的投资协议不履行了，新官不理旧账，政府失信谁来管")
    assert d.candidates[0][0] == "市发展改革委"


# What versions stored before the router kept derived lookups hold (routing/store.py unpickles them).
STORED_BEFORE_DERIVED_LOOKUPS = ("city", "labels", "featurizer", "clf", "w_clf", "rows", "phrases", "threshold",
                                 "row_vec", "row_matrix", "index", "forms", "names")


def test_a_version_stored_by_an_older_release_predicts_the_same(model_a_table):
    """An old version has none of the starter corpus's parts (learned urgency, signals, calibration)."""
    from routing.model import CityModel
    texts = ["出口退税款申请了三个月还没到账", "税务局的专管员每次都故意刁难我们，暗示要好处费才给办退税。", "喂？喂？"]
    expected = [model_a_table.predict(t) for t in texts]
    old = CityModel.__new__(CityModel)
    old.__dict__.update({k: v for k, v in pickle.loads(pickle.dumps(model_a_table)).__dict__.items()
                         if k in STORED_BEFORE_DERIVED_LOOKUPS})
    assert [old.predict(t) for t in texts] == expected
    assert set(pickle.loads(pickle.dumps(old)).__dict__) == set(STORED_BEFORE_DERIVED_LOOKUPS)


def test_phrase_hits_are_those_of_a_scan_of_every_phrase(model_a):
    import random

    def scan(text, words):  # the definition: every phrase tested against the text, in vocabulary order
        found = [p for p in model_a.phrases if (p in words if len(p) <= 2 else p in text)]
        return [p for p in found if not any(p != q and p in q for q in found)]

    rnd = random.Random(0)
    phrases = list(model_a.phrases)
    texts = ["安排水电", "出口退税款申请了三个月还没到账", ""]
    texts += ["，".join(rnd.sample(phrases, rnd.randint(1, 6))) + "了" for _ in range(200)]
    texts += ["".join(p[rnd.randint(0, len(p) - 1):] for p in rnd.sample(phrases, 8)) for _ in range(200)]
    for text in texts:
        words = set(model_a.featurizer.tokens(text))
        assert model_a.phrase_hits(text, words) == scan(text, words)


def test_explanation_words_rank_every_feature_by_contribution(model_a):
    def reference(label, ev):  # over the whole feature vector, equal contributions by column
        words = [h for h in ev["hits"] if label in model_a.phrases[h]]
        k = list(model_a.clf.classes_).index(label)
        contrib = ev["x"].multiply(model_a.clf.coef_[k]).toarray().ravel()
        names = model_a.featurizer.names()
        for j in np.lexsort((np.arange(len(contrib)), -contrib))[:20]:
            if contrib[j] > 0 and j >= model_a.featurizer.n_char and len(names[j]) >= 2 and names[j] not in words:
                words.append(str(names[j]))
        return words[:8]

    for text in ("出口退税款申请了三个月还没到账", "银行突然抽贷，不给续贷了，资金链要断了", "营业执照变更登记办不下来"):
        fused, ev = model_a.scores(text)
        for label in model_a.clf.classes_:
            assert model_a._explain(label, ev)["words"] == reference(label, ev)
