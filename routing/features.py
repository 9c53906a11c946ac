"""Text features: character n-grams and jieba words over normalised text, both TF-IDF."""
from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from routing.lexicon import build_tokenizer, tokenize


class Featurizer:
    """Fit on training texts; picklable (the jieba tokenizer is rebuilt from its word list on load)."""

    def __init__(self, words: list[str]):
        self.words = words
        self._tok = None
        self._names = None
        self.char = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=1)
        self.word = TfidfVectorizer(analyzer=self.tokens, sublinear_tf=True, min_df=1)

    def tokens(self, text: str) -> list[str]:
        if self._tok is None:
            self._tok = build_tokenizer(self.words)
        return tokenize(self._tok, text)

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_tok"] = state["_names"] = None
        return state

    def fit(self, texts: list[str]) -> "Featurizer":
        self.char.fit(texts)
        self.word.fit(texts)
        self.n_char = len(self.char.vocabulary_)
        return self

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        x = sparse.hstack([self.char.transform(texts), self.word.transform(texts)]).tocsr()
        norms = np.sqrt(x.multiply(x).sum(axis=1)).A1
        norms[norms == 0] = 1.0
        return sparse.diags(1.0 / norms) @ x

    def names(self) -> np.ndarray:
        if self._names is None:
            self._names = np.concatenate([self.char.get_feature_names_out(), self.word.get_feature_names_out()])
        return self._names
