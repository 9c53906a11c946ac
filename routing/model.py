"""A router per city: train on the city's knowledge, predict a Decision for an appeal text."""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.isotonic import IsotonicRegression
from sklearn.svm import LinearSVC

from routing.catalogue import kinds_of
from routing.conduct import accused_units, mention_forms
from routing.duplicates import OpenAppeal, find_duplicate
from routing.features import Featurizer, tfidf_row
from routing.knowledge import KnowledgeBase
from routing.lexicon import user_words
from routing.normalize import normalize
from routing.safety import Safety, assess, handles
from routing.signals import CONDUCT_SURE, MARGINS, Signals, train_signals
from routing.training import MANUAL, Row, build_docs, label_arrays, phrase_map, resolve_matter_kinds, table_rows
from routing.urgency import UrgencyModel, classify_urgency, train_urgency

# Fusion of the three scorers (each z-scored over the city's labels) and the softmax temperature.
W_CLF, W_RETRIEVAL, W_LEXICON, TEMPERATURE = 1.0, 1.0, 1.0, 2.0
# With the starter corpus the classifier carries the decision: on the corpus's validation part, adding
# retrieval and lexicon at any weight lowered top-1 (1.0/0.1/0.1: −0.5 to −1.6 points; 1/1/1: −10), so
# they only explain the choice and count as votes for the confidence.
STARTER_FUSION = (0.0, 0.0)
C_TABLE, C_STARTER = 0.5, 1.0  # the classifier's C: the corpus's appeals are many and varied
CORRECTIONS_PER_CLF_WEIGHT = 50  # the classifier's weight grows by 1 for every 50 corrections
# Cold-start threshold on the top candidate's probability; replaced per city once corrections exist
# (see routing/threshold.py).
DEFAULT_THRESHOLD = 0.4
# With the starter corpus the confidence is calibrated: the threshold is the share of such decisions that
# are right. On the corpus's validation part (held out, also from the calibration) 0.8 auto-dispatched
# 38–65 % at 94–95 % right per city (b1fa9c2).
STARTER_THRESHOLD = 0.8
# Confidence = top probability × agreement factor, by how many of the three scorers (classifier,
# retrieval, lexicon) rank the chosen unit first: a choice only one scorer supports is often wrong.
AGREEMENT = (0.3, 0.5, 1.0, 1.0)
W_NAMED = 9.0  # lexicon vote for a unit the appeal names
# The lexicon is sparse: z-scored over the labels, one two-character word found for one unit would weigh
# as much as several long expressions found for another. Its spread is therefore taken as at least
# LEX_FLOOR (about the spread one three-to-four-character expression gives over ~50 labels), so that weak
# evidence stays weak.
LEX_FLOOR = 2.0
MIN_CONTENT_CHARS = 4
# A second unit is assigned as assisting only where a part of the appeal is a second matter of another
# department kind, classified with this margin; the table's other units of the matter are suggestions.
SECOND_MATTER = re.compile(r"[；;]|另外|此外|还有一个|还有一件|还有就是|同时还|二是|第二|二、|2、|（2）|\(2\)")
MIN_PART_CHARS, ASSIST_MARGIN = 8, 0.5
EXPLAIN_WORDS, TITLE_CHARS = 5, 40
MIN_CALIBRATION = 50
CALIBRATION_FOLDS = 5  # the confidence is calibrated on out-of-fold choices of the corpus's train part
TRAIN_STEPS = 2 + CALIBRATION_FOLDS  # progress steps of train(): classifier, urgency and signals, folds
# An emergency is auto-dispatched only this sure (calibrated), and only to a unit that handles its danger.
EMERGENCY_CONFIDENCE = 0.9
_DERIVED = ("_row_arrays", "_phrase_index")  # cached_property values of CityModel, rebuilt after unpickling


@dataclass
class Decision:
    lead: str | None  # None when the appeal goes to manual dispatch
    assisting: list[str]  # units of a second matter the appeal itself shows (assigned with the lead)
    candidates: list[tuple[str, float]]  # top 3 (unit, probability), best first
    manual: bool
    reason: str  # auto | below_threshold | no_content | not_routable | emergency_unsure
    explanation: dict = field(default_factory=dict)  # {"matter": the matter's title, "words": [...]}
    urgency: str = "normal"
    confidence: float = 0.0  # calibrated: the share of such decisions that are right (see threshold)
    duplicate_of: str | None = None  # id of a likely duplicate open appeal of the same enterprise
    suggested: list[str] = field(default_factory=list)  # other units of the matter: for the dispatcher only
    life_danger: bool = False  # life in danger now: also pass it to the emergency lines (三台联动)
    handover: list[str] = field(default_factory=list)  # those lines: "110", "119", "120"
    hazards: list[str] = field(default_factory=list)  # dangers shown (routing/data/hazards.tsv)

    @property
    def first_in_queue(self) -> bool:
        """An emergency the router did not dispatch goes to the head of the manual queue."""
        return self.manual and self.urgency == "emergency"


class CityModel:
    # versions stored before the starter corpus have neither: rules' urgency, uncalibrated confidence
    urgency_model: UrgencyModel | None = None
    calibration: tuple[np.ndarray, np.ndarray] | None = None  # raw confidence → share of right choices
    fusion: tuple[float, float] = (W_RETRIEVAL, W_LEXICON)  # weights of retrieval and lexicon
    signals: Signals | None = None
    margins = False  # the raw confidence is the lead over the runner-up (calibrated), not p × agreement
    conduct_unit: str | None = None

    def __init__(self, city: str, labels: list[str], featurizer: Featurizer, clf: LinearSVC,
                 rows: list[Row], phrases: dict[str, dict[str, float]], threshold: float,
                 n_corrections: int = 0, urgency: UrgencyModel | None = None, signals: Signals | None = None):
        self.city, self.labels, self.featurizer, self.clf = city, labels, featurizer, clf
        self.w_clf = W_CLF * (1 + n_corrections / CORRECTIONS_PER_CLF_WEIGHT)
        self.urgency_model, self.signals = urgency, signals
        self.conduct_unit = next((u for u in labels if "jw" in kinds_of(u)), None)  # the city's 纪委监委
        self.rows, self.phrases, self.threshold = rows, phrases, threshold
        # retrieval has its own character 2–3-gram space: single characters only add noise there
        self.row_vec = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True)
        self.row_matrix = self.row_vec.fit_transform([r.text for r in rows]) if rows else None
        self.index = {u: i for i, u in enumerate(labels)}
        self.forms = {u: mention_forms(u, broad=True) for u in labels if u != MANUAL}
        self.names = {u: mention_forms(u) for u in labels if u != MANUAL}

    def __getstate__(self):
        state = self.__dict__.copy()
        for name in _DERIVED:
            state.pop(name, None)
        return state

    @cached_property
    def _row_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Label index and weight of each retrieval row (derived on first use, never pickled: versions
        stored before it existed load as they are)."""
        return (np.array([self.index[r.lead] for r in self.rows], dtype=np.intp),
                np.array([r.weight for r in self.rows], dtype=np.float64))

    @cached_property
    def _phrase_index(self) -> tuple[set[str], dict[str, list[str]], dict[str, int]]:
        """Phrases of up to two characters; longer ones by their first two characters (one dict lookup
        per position of a text instead of a search of the text for each of ~3,000 phrases); rank of each."""
        by_start: dict[str, list[str]] = {}
        for p in self.phrases:
            if len(p) > 2:
                by_start.setdefault(p[:2], []).append(p)
        return {p for p in self.phrases if len(p) <= 2}, by_start, {p: i for i, p in enumerate(self.phrases)}

    @property
    def units(self) -> list[str]:
        return [u for u in self.labels if u != MANUAL]

    def scores(self, text: str) -> tuple[np.ndarray, dict]:
        """Fused score per label and the evidence behind it."""
        tokens = self.featurizer.tokens(text)
        x = self.featurizer.transform_one(text, tokens)
        clf = np.full(len(self.labels), -10.0)
        clf[[self.index[c] for c in self.clf.classes_]] = linear_scores(self.clf, x)
        retrieval, best_row = np.zeros(len(self.labels)), {}
        if self.row_matrix is not None:
            query = np.zeros(self.row_matrix.shape[1])
            idx, val = tfidf_row(self.row_vec, self.row_vec.build_analyzer()(text))
            query[idx] = val
            leads, weights = self._row_arrays
            sims = (self.row_matrix @ query) * weights
            np.maximum.at(retrieval, leads, sims)
            # a label's evidence is the first of its rows that reaches its best score
            for i in np.flatnonzero((sims > 0) & (sims == retrieval[leads])).tolist():
                best_row.setdefault(self.rows[i].lead, self.rows[i])
        lexicon, hits = np.zeros(len(self.labels)), self.phrase_hits(text, set(tokens))
        for p in hits:
            for u, w in self.phrases[p].items():
                lexicon[self.index[u]] += w * min(len(p), 6) ** 2
        for u, forms in self.names.items():
            if any(f in text for f in forms):
                lexicon[self.index[u]] += W_NAMED
        w_retrieval, w_lexicon = self.fusion
        fused = self.w_clf * _z(clf) + w_retrieval * _z(retrieval) + w_lexicon * _z(lexicon, LEX_FLOOR)
        top = int(np.argmax(fused))
        votes = sum(int(np.argmax(s)) == top for s in (clf, retrieval, lexicon) if s.max() > s.min())
        votes = min(votes, 1) if lexicon.max() <= 0 else votes  # no expression or unit name recognised
        return fused, {"rows": best_row, "hits": hits, "x": x, "votes": votes, "parts": (clf, retrieval, lexicon)}

    def phrase_hits(self, text: str, words: set[str]) -> list[str]:
        """Vocabulary phrases in the text: two-character ones only as whole words (安排水电 has no 排水),
        and none that is part of a longer phrase found. words: the text's tokens."""
        short, by_start, rank = self._phrase_index
        found = short & words
        for i in range(len(text) - 2):
            for p in by_start.get(text[i:i + 2], ()):
                if text.startswith(p, i):
                    found.add(p)
        found = sorted(found, key=rank.__getitem__)  # in vocabulary order, as the scores add them up
        return [p for p in found if not any(p != q and p in q for q in found)]

    def predict(self, text: str, enterprise: str | None = None, uscc: str | None = None,
                open_appeals: list[OpenAppeal] = (), exclude: tuple[str, ...] = ()) -> Decision:
        """exclude: units that must not handle it (e.g. one that returned it)."""
        decision = self._decide(text, exclude)
        decision.duplicate_of = find_duplicate(text, list(open_appeals), uscc, enterprise)
        return decision

    def calibrated(self, raw: float) -> float:
        if self.calibration is None:
            return raw
        return float(np.interp(raw, *self.calibration))

    def raw_decision(self, norm: str, exclude: tuple[str, ...] = ()) -> tuple[np.ndarray, dict, str, float]:
        """Probabilities per label, evidence, urgency and the uncalibrated confidence of the top label
        (norm: normalised text)."""
        fused, ev = self.scores(norm)
        urgency = self.urgency_model.predict(norm, ev["x"]) if self.urgency_model else classify_urgency(norm)
        ev["signals"] = self.signals(ev["x"]) if self.signals else {}
        for u in accused_units(norm, self.forms) | {u for u in exclude if u in self.index}:
            fused[self.index[u]] = -np.inf
        if "conduct" in ev["signals"]:  # only the discipline body (or a dispatcher) handles a conduct complaint
            for i, u in enumerate(self.labels):
                if u not in (self.conduct_unit, MANUAL):
                    fused[i] = -np.inf
        p = _softmax(fused / TEMPERATURE)
        top = int(np.argmax(p))
        if not self.margins:
            return p, ev, urgency, float(p[top]) * AGREEMENT[min(ev["votes"], 3)]
        # with the starter corpus: the lead over the runner-up, which separates right from wrong choices
        # better than the top probability (validation part, 金昌: 91 % against 89 % right at half of them)
        second = np.partition(fused[np.isfinite(fused)], -2)[-2] if np.isfinite(fused).sum() > 1 else fused[top] - 10
        return p, ev, urgency, float(fused[top] - second)

    def _decide(self, text: str, exclude: tuple[str, ...] = ()) -> Decision:
        norm = normalize(text)
        content = re.sub(r"[^\u4e00-\u9fffa-z0-9]", "", norm)
        if len(content) < MIN_CONTENT_CHARS:
            urgency = classify_urgency(norm)
            return Decision(None, [], [], True, "no_content", {}, urgency, **_safety_fields(assess(norm, urgency)))
        p, ev, urgency, raw = self.raw_decision(norm, exclude)
        danger = assess(norm, urgency, "life" in ev["signals"])
        safety = _safety_fields(danger)
        order = np.argsort(-p)
        candidates = [(self.labels[i], round(float(p[i]), 4)) for i in order if self.labels[i] != MANUAL][:3]
        top = self.labels[order[0]]
        if top == MANUAL:
            return Decision(None, [], candidates, True, "not_routable", self._explain(MANUAL, ev), urgency, **safety)
        row = ev["rows"].get(top)
        suggested = [u for u in (row.others if row else ()) if u in self.forms][:3]
        assisting = self._second_matter(top, norm)
        confidence = self.calibrated(raw)
        reason = "auto" if confidence >= self.threshold and ev["signals"].get("conduct", CONDUCT_SURE) >= CONDUCT_SURE \
            else "below_threshold"
        if reason == "auto" and urgency == "emergency" and (
                not handles(top, danger) or confidence < max(self.threshold, EMERGENCY_CONFIDENCE)):
            reason = "emergency_unsure"
        manual = reason != "auto"
        return Decision(None if manual else top, [] if manual else assisting, candidates, manual, reason,
                        self._explain(top, ev), urgency, round(confidence, 4),
                        suggested=[u for u in suggested if u not in assisting], **safety)

    def _second_matter(self, top: str, norm: str) -> list[str]:
        """Units of other department kinds that a part of the appeal (split where it turns to another
        problem: 另外, 二是, ；…) clearly belongs to. On the corpus's validation part (金昌) the runner-up of
        the whole text was the second matter's unit 5 times in 126; a part's own choice 6 times in 9."""
        parts = [part for part in SECOND_MATTER.split(norm) if len(part) >= MIN_PART_CHARS]
        found = []
        for part in parts if len(parts) > 1 else ():
            scores = linear_scores(self.clf, self.featurizer.transform_one(part, self.featurizer.tokens(part)))
            first, second = np.argsort(-scores)[:2]
            unit = str(self.clf.classes_[first])
            if (scores[first] - scores[second] >= ASSIST_MARGIN and unit not in (top, MANUAL, *found)
                    and unit in self.forms and not set(kinds_of(unit)) & set(kinds_of(top))):
                found.append(unit)
        return found[:2]

    def _explain(self, label: str, ev: dict) -> dict:
        """The matter's title and the few words that decided."""
        row = ev["rows"].get(label)
        words = [h for h in ev["hits"] if label in self.phrases[h]]
        if label in self.clf.classes_:
            k = list(self.clf.classes_).index(label)
            # a feature contributes only where the text has it: rank the text's features, not all of them
            # (equal contributions by column, so that the words do not depend on the sorting algorithm)
            x = ev["x"]
            contrib = x.data * self.clf.coef_[k, x.indices]
            names = self.featurizer.names()
            for i in np.lexsort((x.indices, -contrib))[:20].tolist():
                j = int(x.indices[i])
                if contrib[i] > 0 and j >= self.featurizer.n_char and len(names[j]) >= 2 and names[j] not in words:
                    words.append(str(names[j]))
        return {"matter": matter_title(row.matter) if row else "", "words": words[:EXPLAIN_WORDS]}


def linear_scores(clf, x) -> np.ndarray:
    """clf.decision_function for one sparse row, from the weights of the row's features only (a product
    with the whole weight matrix converted it at every call: 2 ms with the starter corpus's features)."""
    return clf.coef_[:, x.indices] @ x.data + clf.intercept_


def matter_title(matter: str) -> str:
    """The first sentence of a table matter, at most TITLE_CHARS characters."""
    first = re.split(r"[。；;！？\n]", matter.strip(), maxsplit=1)[0].strip()
    return first if len(first) <= TITLE_CHARS else first[:TITLE_CHARS - 1] + "…"


def _safety_fields(safety: Safety) -> dict:
    return {"life_danger": safety.life_danger, "handover": list(safety.handover), "hazards": list(safety.hazards)}


def train(kb: KnowledgeBase, threshold: float | None = None, starter: bool = True, progress=None) -> CityModel:
    """starter: learn from the starter corpus too and calibrate the confidence on out-of-fold choices of its
    train part (False: the table, catalogue, vocabulary and corrections only, as before the corpus existed).
    progress: anything with update(n) (a click progress bar), advanced TRAIN_STEPS in all."""
    units = kb.routable_units()
    rows = table_rows(kb, set(units))
    resolved = resolve_matter_kinds(kb, units, rows)
    docs = build_docs(kb, units, rows, resolved, starter)
    texts, y, w = label_arrays(docs)
    aliases = [a for u in kb.units for a in u.aliases]
    featurizer = Featurizer(user_words(units, aliases)).fit(texts)
    x = featurizer.transform(texts)
    clf = LinearSVC(C=C_STARTER if starter else C_TABLE, random_state=0)
    clf.fit(x, y, sample_weight=w)
    clf.coef_ = clf.coef_.astype(np.float32)  # half the stored size; scores differ below 1e-6
    _advance(progress)
    rated = [i for i, d in enumerate(docs) if d.urgency]
    urgency = train_urgency(x[rated], [texts[i] for i in rated], [docs[i].urgency for i in rated], w[rated])
    flagged = [i for i, d in enumerate(docs) if d.source == "corpus"]
    signals = train_signals(x[flagged], {name: [name in docs[i].flags for i in flagged] for name in MARGINS})
    _advance(progress)
    labels = sorted(set(units) | {MANUAL})
    margins = starter and any(d.source == "corpus" for d in docs)
    th = threshold if threshold is not None else STARTER_THRESHOLD if margins else DEFAULT_THRESHOLD
    model = CityModel(kb.city, labels, featurizer, clf, rows, phrase_map(resolved), th, len(kb.corrections),
                      urgency, signals)
    if margins:  # the classifier alone decides: its weight stays 1, so that margins keep their calibration
        model.fusion, model.margins, model.w_clf = STARTER_FUSION, True, W_CLF
        model.calibration = fit_calibration(*out_of_fold(model, docs, x, y, w, progress))
    else:
        _advance(progress, CALIBRATION_FOLDS)
    return model


def _advance(progress, steps: int = 1) -> None:
    if progress is not None:
        progress.update(steps)


def out_of_fold(model: CityModel, docs: list, x, y: np.ndarray, w: np.ndarray,
                progress=None) -> tuple[list[float], list[float]]:
    """Raw confidence and rightness (0/1) of the unit chosen for each corpus appeal of the training data
    by a classifier that did not see it (CALIBRATION_FOLDS folds of the corpus appeals; the table,
    catalogue, vocabulary and corrections stay in every fold). The corpus's validation part is left
    alone, so that the figures measured on it are truly held out."""
    held_all = np.array([i for i, d in enumerate(docs) if d.source == "corpus"])
    raw, right = [], []
    for k in range(CALIBRATION_FOLDS):
        held = held_all[k::CALIBRATION_FOLDS]  # the corpus is in kind order: every fold has every kind
        keep = np.ones(len(docs), dtype=bool)
        keep[held] = False
        fold = copy.copy(model)
        fold.clf = LinearSVC(C=C_STARTER, random_state=0).fit(x[keep], y[keep], sample_weight=w[keep])
        for i in held.tolist():
            p, _, _, conf = fold.raw_decision(docs[i].text)
            top = model.labels[int(np.argmax(p))]
            if top != MANUAL:
                raw.append(conf)
                right.append(float(top == y[i]))
        _advance(progress)
    return raw, right


def fit_calibration(raw: list[float], right: list[float]) -> tuple[np.ndarray, np.ndarray] | None:
    """Isotonic map from the raw confidence of a unit chosen to the share of such choices that are right,
    on labelled appeals the classifier did not train on (None with fewer than MIN_CALIBRATION of them)."""
    if len(raw) < MIN_CALIBRATION:
        return None
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(raw, right)
    return np.asarray(iso.X_thresholds_, dtype=float), np.asarray(iso.y_thresholds_, dtype=float)


def _z(v: np.ndarray, floor: float = 0.0) -> np.ndarray:
    sd = max(v.std(), floor)
    return (v - v.mean()) / sd if sd > 0 else np.zeros_like(v)


def _softmax(v: np.ndarray) -> np.ndarray:
    e = np.exp(v - v[np.isfinite(v)].max())
    e[~np.isfinite(v)] = 0.0
    return e / e.sum()
