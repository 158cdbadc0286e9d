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

Open-ended wording is refused too: an inclusion (「閲覧履歴を含む情報」, "including browsing
history") says what the list contains, not what it is limited to; 「…を始めとする」「…に類する」
「…とか」 and a trailing 「…」 leave it open; and an item whose head is a bare 「情報」 described
only by who holds it or whom it concerns (「当社が取得した情報」「お客様に関する情報」, "info we
hold", "all of your data") names no information at all. An inclusion inside brackets after
a named item (「閲覧履歴（検索語を含む）」) narrows that item and is accepted. So is a bare
「情報」 defined by the company, by need, by an indefinite or a cross-reference (「当社所定の
情報」「サービスに必要な情報」「任意の情報」「上記以外の情報」, "necessary data", "some
information"): they name nothing. 「他の」 "other" naming other places (「他のサイトでの閲覧履歴」,
"pages visited on other sites") is specific and accepted; 「その他の…」 "other data" is not.
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
    "類する",
    "類似の",
    "準ずる",
    "準じる",
    "いろいろ",
    "色々",
    "様々",
    "さまざま",
    "種々",
    "多様な",
    # second lawyer review: "for example", "not limited to"
    "例えば",
    "たとえば",
    "に限らず",
    "に限らない",
    "に限られない",
)
#: Open-ended Japanese wording found by pattern, not by a fixed word.
_JA_OPEN = (
    # 「閲覧履歴を始めとする」「…をはじめ」 (not 「はじめて訪問した日時」)
    re.compile(r"を(?:始|はじ)め|(?:始|はじ)めと(?:する|して|した)"),
    # 「閲覧履歴とか」 (not 「あとから」: とか followed by hiragana is inside a word)
    re.compile(r"とか(?![ぁ-ゖ])"),
    # a trailing or inner ellipsis: 「…」 (NFKC "...") 「‥」 「・・・」
    re.compile(r"\.{2,}|・{2,}"),
    # a bare 情報/データ described by provenance: 「当社が取得した情報」「保存している全データ」
    re.compile(
        r"(?:取得|収集|保有|保存|記録|管理|把握|入手|蓄積|受領|利用)"
        r"(?:した|する|している|された|される|できる|可能な)"
        r"(?:全ての|すべての|全)?(?:情報|データ|もの|内容)$"
    ),
    # a bare 情報/データ defined by the company, by need, by an indefinite or a cross-reference:
    # 「当社所定の情報」「サービスに必要な情報」「任意の情報」「上記以外の情報」 (not 「必要な商品の
    # 在庫数」: the head is named there)
    re.compile(
        r"(?:定める|定めた|所定の|指定する|指定した|必要な|必要とする|必要と(?:判断|認め)(?:する|た)"
        r"|任意の|何らかの|いずれかの|ある種の|一部の|特定の|上記の|前記の|下記の|以下の|以外の"
        r"|適切な|所要の)(?:全ての|すべての)?(?:情報|データ|もの|内容|事項)$"
    ),
    # add-on information: 「付帯情報」「追加情報」 (「付随情報」 is refused above)
    re.compile(r"(?:付帯|付加|追加|補足|周辺|派生|付属)(?:する|的な|の)?(?:情報|データ)$"),
    # 「閲覧履歴を中心とした情報」; 「その外」 (=その他; not 「その外部…」)
    re.compile(r"を中心と(?:する|した|して)|を中心に|その外(?!部)"),
    # a bare 情報/データ described only by whom it concerns: 「お客様に関する情報」
    re.compile(
        r"(?:お客様|お客さま|利用者|ユーザー?|本人|会員|顧客|あなた|閲覧者|訪問者|個人|皆様)"
        r"(?:様)?(?:に関する|についての|に係る|にかかる|に関わる|にかかわる|に関連する|の)"
        r"(?:全ての|すべての|各種の)?(?:情報|データ)$"
    ),
)
#: An inclusion names part of a list, not the list: refused outside brackets.
_INCLUDE = re.compile(
    r"含(?:む|め|みます|まれる)"
    r"|(?<![a-z0-9])(?:includ(?:e|es|ing)|incl\.?|inclusive of)(?![a-z0-9])",
    re.IGNORECASE,
)
#: 「他の」「ほかの」 naming other *places* (「他のサイトでの閲覧履歴」 is as specific as
#: 「他社サイトでの閲覧履歴」); 「その他の…」 stays refused.
_OTHER_PLACE = re.compile(
    r"(?<!その)(?:他|ほか)の(?=(?:ウェブ|web|Web|WEB)?(?:サイト|ページ|アプリ|サービス|事業者|会社|企業"
    r"|ドメイン|端末|デバイス|ブラウザ))"
)
#: English nouns of places and parties that "other" may name specifically ("pages visited on
#: other sites"), unlike "other data".
_PLACES = (
    r"(?:web ?)?(?:sites?|websites?|pages?|apps?|applications?|services?|companies|domains?"
    r"|devices?|browsers?)"
)
#: A bracketed remark after a named item: 「閲覧履歴（検索語を含む）」 narrows 閲覧履歴.
_REMARK = re.compile(r"(?<=\S)\s*[(（\[【][^()（）\[\]【】]*[)）\]】]")
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
    r"(?:and )?others",
    r"other(?! " + _PLACES + r"(?![a-z0-9]))",
    r"(?:and|or) more",
    r"among others",
    r"such as",
    r"including but not limited",
    r"(?:and|or) similar",
    r"everything",
    r"anything",
    r"whatever",
    r"all (?:of )?(?:(?:the|your|our|my|their|its) )?(?:[a-z-]+ )?"
    r"(?:data|information|info|details|records)",
    r"all (?:that )?(?:we|you)",
    r"any (?:data|information|info|details)",
    r"various",
    r"misc(?:ellaneous)?",
    r"related (?:data|information|info|details)",
    r"(?:data|information|info|details) (?:that |which )?(?:we|you|the company) (?:hold|keep|have|"
    r"store|collect|collected|obtain|obtained|gather|gathered|receive|received|process)",
    r"(?:data|information|info|details) (?:about|on|relating to|related to|concerning|regarding)"
    r" (?:you|yourself|the user|users?|customers?|visitors?|members?)",
    r"(?:a )?variety of",
    r"(?:all )?kinds of",
    r"for (?:example|instance)",
    r"e\.g",
    # second lawyer review
    r"&\s?c",
    r"et\s?cetera",
    r"et al",
    r"and (?:whatnot|stuff|the rest)",
    r"(?:&|\+|plus) ?more",
    r"(?:additional|associated|relevant|pertinent|certain|some|necessary|required|needed|extra"
    r"|further|supplementary|applicable|such) (?:data|information|info|details)",
    r"(?:data|information|info|details) (?:that is |which is )?(?:necessary|needed|required)",
    r"what (?:we|you|the company)",
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
        "info",
        "data",
        "personal data",
        "personal information",
        "user data",
        "user information",
        "customer data",
        "history",
        # second lawyer review
        "記録",
        "内容",
        "もの",
        "事項",
        "personal info",
        "personal details",
        "user info",
        "user details",
        "customer info",
        "customer information",
        "customer details",
        "pii",
        "personally identifiable information",
    }
)


def normal(text: str) -> str:
    """Return ``text`` in NFKC form, trimmed (full-width letters become ASCII)."""
    return unicodedata.normalize("NFKC", text).strip()


def vague_word(item: str) -> str | None:
    """Return the word that makes ``item`` unspecific, or None when it is specific."""
    # 「他のサイト」 names other places, not other information: out of the way of 「他」「ほか」.
    text = _OTHER_PLACE.sub("□", normal(item))
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
    for pattern in _JA_OPEN:
        found = pattern.search(text)
        if found:
            return found.group(0)
    found = _INCLUDE.search(_REMARK.sub("", text))
    if found:
        return found.group(0)
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
