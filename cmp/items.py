"""Whether an item of information is named specifically (a vague 「等」 or
「その他」 does not say what is sent).

The Telecommunications Business Act's notice (外部送信), the Art. 31 consent screen and the
Rule 28 record all list the information concerned "specifically": 「閲覧履歴」「Cookie ID」,
never 「等」「その他」 or "all we hold" (the PPC guideline's own example of what does not
do is 「当社が保有する全ての情報」). This module is the one rule for that, used by every
place that takes items: the recipient editor, the received-provision API, joint use.

The rule works on the NFKC form of the text, so full-width 「ｅｔｃ．」 is "etc.", and it
applies the Japanese and the English words to every language (a Japanese list with
"etc." in it is as vague as an English one). A word that is only vague as a suffix
(「等」「他」「ほか」) is refused where it ends a phrase, not inside a word: 「高等学校」
「他社サイトでの閲覧履歴」 are specific.
"""

from __future__ import annotations

import re
import unicodedata

#: Refused wherever they appear: they name a class of things instead of the things.
_JA_ANYWHERE = (
    "その他",
    "そのほか",
    "など",
    "なんど",
    "等々",
    "全て",
    "すべて",
    "全部",
    "一切",
    "あらゆる",
    "各種",
    "諸々",
    "もろもろ",
    "一式",
    "全般",
    "関連する情報",
    "関連情報",
    "関連データ",
    "保有する情報",
    "保有情報",
    "付随する情報",
    "付随情報",
    "ほか",
)
#: Characters after which 「等」 or 「他」 is part of a word (高等, 平等, 他社 is handled by
#: what follows): 「高等学校」「同等」「中等教育」 are not the vague 「等」.
_TOU_WORDS = "高平均対同上初中劣優特一二三四五六七八九十何"
#: 「等」 or 「他」 ending a phrase: at the end, or before a particle or punctuation.
_SUFFIX = re.compile(r"(?P<word>[等他])(?=$|[のをにがはやとも、。，．,.・\s)）」』\]])")
#: English phrases refused wherever they stand as words (ASCII letters around them are
#: checked, not ``\\b``: in 「閲覧履歴etc.」 the kanji are word characters too).
_EN_PHRASES = (
    r"etc",
    r"and so on",
    r"and so forth",
    r"and the like",
    r"or the like",
    r"(?:and )?others?",
    r"(?:and|or) more",
    r"among others",
    r"such as",
    r"including but not limited",
    r"(?:and|or) similar",
    r"everything",
    r"anything",
    r"whatever",
    r"all (?:the )?(?:data|information|details)",
    r"all (?:that )?(?:we|you)",
    r"any (?:data|information|details)",
    r"various",
    r"misc(?:ellaneous)?",
    r"related (?:data|information|details)",
    r"(?:data|information) (?:that )?we (?:hold|keep|have|store|collect)",
)
_EN = re.compile(r"(?<![a-z0-9])(?:" + "|".join(_EN_PHRASES) + r")(?![a-z0-9])", re.IGNORECASE)
#: An item that is nothing but a generic noun names no information in particular.
_GENERIC = frozenset(
    {
        "情報",
        "データ",
        "個人情報",
        "利用者情報",
        "ユーザー情報",
        "お客様情報",
        "顧客情報",
        "履歴",
        "行動履歴",
        "information",
        "data",
        "personal data",
        "personal information",
        "user data",
        "user information",
        "customer data",
        "history",
    }
)


def normal(text: str) -> str:
    """Return ``text`` in NFKC form, trimmed (full-width letters become ASCII)."""
    return unicodedata.normalize("NFKC", text).strip()


def vague_word(item: str) -> str | None:
    """Return the word that makes ``item`` unspecific, or None when it is specific."""
    text = normal(item)
    lowered = text.lower()
    if lowered.rstrip(".").strip() in _GENERIC:
        return text
    for word in _JA_ANYWHERE:
        if word in text:
            return word
    for match in _SUFFIX.finditer(text):
        start = match.start("word")
        if match.group("word") == "等" and start > 0 and text[start - 1] in _TOU_WORDS:
            continue
        return match.group("word")
    found = _EN.search(text)
    if found:
        return found.group(0)
    return None


def vague(item: str) -> bool:
    """True if ``item`` does not name its information specifically."""
    return vague_word(item) is not None


def first_vague(items: list[str]) -> str | None:
    """Return the first item of ``items`` that is vague, or None."""
    return next((item for item in items if vague(item)), None)
