"""Text normalisation: traditional → simplified, full-width → half-width, hotline filler removed."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

# Spoken filler of hotline transcripts. Only sequences that carry no content in an appeal.
_FILLERS = [
    "就是说", "怎么说呢", "你知道吧", "我跟你说", "我跟你讲", "跟你说", "那个什么", "这个这个", "那个那个",
    "然后呢", "对吧", "是吧", "嗯嗯", "呃", "嗯", "啊", "哎", "唉", "喂", "哦", "噢",
    "那个", "这个", "就是", "然后",
]
_FILLER_RE = re.compile("|".join(map(re.escape, _FILLERS)) + r"|[呢吧嘛呀](?=[，。！？,.!?\s]|$)")
_ELLIPSIS_RE = re.compile(r"[…]+|\.{2,}|。{2,}|-{2,}|—{2,}|~+")
# 我们我们 → 我们, 拖了拖了 → 拖了, 对对对 → 对 (a doubled single character such as 天天 is a word).
_REPEAT_RE = re.compile(r"([\u4e00-\u9fff]{2,4})\1+|([\u4e00-\u9fff])\2{2,}")
_SPACE_RE = re.compile(r"\s+")
_PUNCT_RUN_RE = re.compile(r"([，。！？；、,.!?;])[，。！？；、,.!?;\s]+")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_halfwidth(text: str) -> str:
    """Full-width ASCII and the ideographic space to half-width (Chinese punctuation is kept)."""
    out = []
    for ch in text:
        code = ord(ch)
        if code == 0x3000:
            out.append(" ")
        elif 0xFF01 <= code <= 0xFF5E and ch not in "，！？；：（）":
            out.append(chr(code - 0xFEE0))
        else:
            out.append(ch)
    return "".join(out)


def normalize(text: str) -> str:
    """Canonical form used for features, dictionaries and duplicate detection."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    text = to_halfwidth(_t2s().convert(text)).lower()
    text = _ELLIPSIS_RE.sub("，", text)
    text = _FILLER_RE.sub("", text)
    text = _REPEAT_RE.sub(lambda m: m.group(1) or m.group(2), text)
    text = _SPACE_RE.sub(" ", text)
    text = _PUNCT_RUN_RE.sub(r"\1", text)
    return text.strip(" ，,")
