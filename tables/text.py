"""Text clean-up shared by the parsers: traditional→simplified, HTML, brackets."""
from __future__ import annotations

import html
import re

import opencc

_T2S = opencc.OpenCC("t2s")
_S2T = opencc.OpenCC("s2t")

_TAG = re.compile(r"</?[A-Za-z][^<>]*>")  # 县<市、区> is not a tag
_TYPESET = re.compile(r"〖[^〗]*〗")  # typesetting codes such as 〖JP2〗
_SPACES = re.compile(r"[ \t\u3000\xa0]+")
_OPEN = str.maketrans({"<": "（", "〈": "（", "＜": "（", "(": "（",
                       ">": "）", "〉": "）", "＞": "）", ")": "）"})

SECTION = re.compile(r"^[一二三四五六七八九十]{1,3}、\S")
SUBSECTION = re.compile(r"^[(（][一二三四五六七八九十]{1,3}[)）]\S")


def simplified(text: str) -> str:
    return _T2S.convert(text)


def traditional(text: str) -> str:
    return _S2T.convert(text)


def strip_markup(text: str) -> str:
    """Remove HTML tags and typesetting codes; collapse runs of spaces."""
    text = html.unescape(_TAG.sub(" ", _TYPESET.sub("", text)))
    return _SPACES.sub(" ", text).strip()


def unify_brackets(text: str) -> str:
    """Map every bracket variant (县<市、区>, 县(市、区)) to full-width （）."""
    return text.translate(_OPEN)


def join_wrapped(parts: list[str]) -> str:
    """Join lines of one wrapped cell: Chinese text continues without a space."""
    out = ""
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if out and out[-1].isascii() and out[-1].isalnum() and part[0].isascii() and part[0].isalnum():
            out += " "
        out += part
    return strip_markup(out)


def is_section(text: str) -> bool:
    text = strip_markup(text)
    return bool(SECTION.match(text) or SUBSECTION.match(text))
