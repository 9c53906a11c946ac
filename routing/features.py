"""Text features: character n-grams and jieba words over normalised text, both TF-IDF."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from math import sqrt

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from routing.lexicon import build_tokenizer, tokenize

MAX_CHAR_FEATURES = 60000


class Featurizer:
    """Fit on training texts; picklable (the jieba tokenizer is rebuilt from its word list on load)."""

    def __init__(self, words: list[str]):
        self.words = words
        self._tok = None
        self._names = None
        # the most frequent n-grams only: with the starter corpus there are ~130,000, and the classifier keeps
        # a dense weight per n-gram and label (on the validation part 55,000 lost 0.5 point of top-1)
        self.char = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=1,
                                    max_features=MAX_CHAR_FEATURES)
        self.word = TfidfVectorizer(analyzer=self.tokens, sublinear_tf=True, min_df=1)

    def tokens(self, text: str) -> list[str]:
        if self._tok is None:
            self._tok = build_tokenizer(self.words)
        return tokenize(self._tok, text)

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_tok"] = state["_names"] = None
        return state

    def fit(self, texts: list[str]) -> Featurizer:
        self.char.fit(texts)
        self.word.fit(texts)
        self.n_char = len(self.char.vocabulary_)
        return self

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        x = sparse.hstack([self.char.transform(texts), self.word.transform(texts)]).tocsr()
        norms = np.sqrt(x.multiply(x).sum(axis=1)).A1
        norms[norms == 0] = 1.0
        return sparse.diags(1.0 / norms) @ x

    def transform_one(self, text: str, tokens: list[str]) -> sparse.csr_matrix:
        """transform([text]) for one text whose tokens are known, bit for bit (the same values, in the
        same order of non-zeros, so that the classifier sums them in the same order), in a fraction of
        the time: scikit-learn validates its input at every step, about 1 ms per call."""
        char_idx, char_val = tfidf_row(self.char, self.char.build_analyzer()(text))
        word_idx, word_val = tfidf_row(self.word, tokens)
        idx = np.concatenate([char_idx, word_idx + np.int32(self.n_char)])
        val = np.concatenate([char_val, word_val])
        if len(val):
            # as transform(): the row's norm by numpy's reduction, applied as a product with its inverse
            val = val * (1.0 / np.sqrt(np.add.reduceat(val * val, [0])))
        # transform()'s final sparse product lists the non-zeros by decreasing column
        return sparse.csr_matrix((val[::-1], idx[::-1], np.array([0, len(idx)], dtype=np.int32)),
                                 shape=(1, self.n_char + len(self.word.vocabulary_)))

    def names(self) -> np.ndarray:
        if self._names is None:
            self._names = np.concatenate([self.char.get_feature_names_out(), self.word.get_feature_names_out()])
        return self._names


def tfidf_row(vec: TfidfVectorizer, terms: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
    """Columns (increasing) and values of `vec.transform([doc])` given the document's terms, computed
    as scikit-learn does for a fitted sublinear, l2-normalised TfidfVectorizer (the same operations in
    the same order, so the same floats)."""
    vocabulary, counts = vec.vocabulary_, {}
    for term, n in Counter(terms).items():
        j = vocabulary.get(term)
        if j is not None:
            counts[j] = n
    idx = np.array(sorted(counts), dtype=np.int32)
    val = np.array([counts[j] for j in idx.tolist()], dtype=np.float64)
    np.log(val, val)
    val += 1.0
    val *= vec.idf_[idx]
    total = 0.0
    for v in val.tolist():  # scikit-learn sums the squares one by one, in column order
        total += v * v
    if total:
        val /= sqrt(total)
    return idx, val
