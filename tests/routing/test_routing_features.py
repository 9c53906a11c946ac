"""The router's fast single-text paths compute exactly what scikit-learn computes."""
import numpy as np
import pytest

from routing.features import tfidf_row
from routing.model import linear_scores
from routing.normalize import normalize

TEXTS = ["出口退税款申请了三个月还没到账", "银行突然抽贷，不给续贷了，资金链要断了", "工地上几十个农民工的工资拖欠半年了",
         "abc  def\n\tg 税务", "税", "", "   ", "zzz 完全没见过的字词组合"]


@pytest.mark.parametrize("text", TEXTS + [normalize(t) for t in TEXTS])
def test_transform_one_is_transform_bit_for_bit(model_a, text):
    f = model_a.featurizer
    slow, fast = f.transform([text]), f.transform_one(text, f.tokens(text))
    assert fast.shape == slow.shape
    assert fast.indices.tolist() == slow.indices.tolist()  # same order: the classifier sums in that order
    assert fast.data.tobytes() == slow.data.tobytes()
    # the router's scores from the row's features only; the weights are stored as float32
    assert np.allclose(linear_scores(model_a.clf, fast), model_a.clf.decision_function(slow)[0], atol=1e-5)


@pytest.mark.parametrize("text", TEXTS)
def test_tfidf_row_is_the_vectorizers_transform(model_a, text):
    vec = model_a.row_vec
    slow = vec.transform([text])
    idx, val = tfidf_row(vec, vec.build_analyzer()(text))
    assert idx.tolist() == slow.indices.tolist() and val.tobytes() == slow.data.tobytes()
    dense = np.zeros(slow.shape[1])
    dense[idx] = val
    assert (model_a.row_matrix @ dense).tobytes() == (model_a.row_matrix @ slow.T).toarray().ravel().tobytes()
