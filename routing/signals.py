"""Two properties of an appeal learned from the starter corpus, whatever its department kind:
- life: life is in danger now (with the hazard cues of routing/safety.py it sets Decision.life_danger);
- conduct: a complaint about the conduct of a unit or its officials (kind jw): it goes to the city's
  纪委监委, or to manual dispatch, never to a unit the text names.
One linear SVM per property over the router's features; a property holds from its margin on.
"""
from __future__ import annotations

import numpy as np
from sklearn.svm import LinearSVC

# Decision values from which a property holds, chosen on the corpus's validation part: life leans to
# recall (a hand-over too many costs a call), conduct a little to recall too: at 0.0 one or two conduct
# complaints per city still reached the accused unit, at -0.2 none (top-1 +0.2, top-3 −0.3 points), at
# -0.4 none either but top-1 fell.
MARGINS = {"life": -0.4, "conduct": -0.2}
# From this decision value on a conduct complaint is sure enough to be auto-dispatched to the discipline
# body; below it (from MARGINS on) the named units are still left out, and a dispatcher decides. On the
# validation part (金昌) 55 of 65 auto-dispatched conduct choices were right, 45 of the 48 from 0.2 on.
CONDUCT_SURE = 0.2


class Signals:
    def __init__(self, clfs: dict[str, LinearSVC]):
        self.clfs = clfs

    def __call__(self, x) -> dict[str, float]:
        """The properties that hold, with their decision values (x: one row of the router's features)."""
        values = {name: float(clf.coef_[0, x.indices] @ x.data + clf.intercept_[0]) for name, clf in self.clfs.items()}
        return {name: value for name, value in values.items() if value >= MARGINS[name]}


def train_signals(x, labels: dict[str, list[bool]]) -> Signals:
    """labels: per property, one flag per row of x; a property without both values is left out."""
    clfs = {}
    for name, flags in labels.items():
        if len(set(flags)) == 2:
            clfs[name] = LinearSVC(C=0.5, class_weight="balanced", random_state=0).fit(x, np.array(flags))
            clfs[name].coef_ = clfs[name].coef_.astype(np.float32)
    return Signals(clfs)
