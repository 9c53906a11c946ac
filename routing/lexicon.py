"""Per-city jieba tokenizer with a user dictionary built from the unit register and the vocabulary."""
from __future__ import annotations

import logging
import re

import jieba

from routing.vocabulary import all_phrases

jieba.setLogLevel(logging.WARNING)

_CJK_OR_WORD = re.compile(r"[\u4e00-\u9fff]|[a-z0-9]")


def short_names(unit: str) -> set[str]:
    """Forms a unit is called by: 市税务局 → 税务局; 郑州市生态环境局新密分局 → 生态环境局."""
    names = {unit}
    core = re.sub(r"^(.{2,3}?市|市)", "", unit)
    if len(core) >= 2:
        names.add(core)
    m = re.match(r"^.*?市(.+?[局委办院])", unit)
    if m and len(m.group(1)) >= 2:
        names.add(m.group(1))
    return names


def user_words(unit_names: list[str], aliases: list[str] = ()) -> list[str]:
    words = set(all_phrases()) | set(aliases)
    for name in unit_names:
        words |= short_names(name)
    return sorted(w for w in words if len(w) >= 2)


def build_tokenizer(words: list[str]) -> jieba.Tokenizer:
    """A private tokenizer: cities never share (or pollute) jieba's global dictionary."""
    tok = jieba.Tokenizer()
    tok.initialize()
    for w in words:
        tok.add_word(w)  # jieba suggests a frequency that keeps the word whole without forcing it
    return tok


def tokenize(tok: jieba.Tokenizer, text: str) -> list[str]:
    """Content tokens of normalised text: words with at least one CJK character or alphanumeric."""
    return [w for w in tok.lcut(text, HMM=False) if w.strip() and _CJK_OR_WORD.search(w)]
