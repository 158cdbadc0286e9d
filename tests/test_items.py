"""The one rule for specific items (cmp/items.py), as a table of ja and en strings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmp import items

#: Items the rule refuses: every example of issue 11 gap 1, and the old rule's cases.
REFUSED = [
    "当社が保有する全ての情報",
    "閲覧履歴ほか",
    "各種行動履歴",
    "一切の情報",
    "閲覧履歴他",
    "関連する情報",
    "ｅｔｃ．",
    "閲覧履歴ｅｔｃ．",
    "and more",
    "Browsing history and more",
    "Everything we keep",
    "閲覧履歴等",
    "閲覧履歴等の情報",
    "その他の情報",
    "端末情報など",
    "閲覧履歴・購買履歴等",
    "ID等",
    "ＩＤ等",
    "他の情報",
    "あらゆるデータ",
    "すべての閲覧履歴",
    "情報",
    "個人情報",
    "Browsing history, etc.",
    "IDs etc",
    "Device data and so on",
    "Cookie ID and others",
    "Data such as IDs",
    "All data",
    "all information we hold",
    "Any information",
    "Various identifiers",
    "Related information",
    "Miscellaneous",
    "Information",
    "data",
    "Data we keep",
    "Cookie ID and the like",
    # issue 11, lawyer review finding 1: open-ended wording
    "閲覧履歴を含む情報",
    "閲覧履歴を始めとする情報",
    "閲覧履歴をはじめとする行動履歴",
    "閲覧履歴及びこれに類する情報",
    "閲覧履歴に類する情報",
    "閲覧履歴に準ずる情報",
    "当社が取得した情報",
    "当社が保存している全ての情報",
    "お客様に関する情報",
    "利用者の情報",
    "いろいろな情報",
    "様々な閲覧履歴",
    "閲覧履歴とか",
    "閲覧履歴とか購買履歴",
    "閲覧履歴…",
    "閲覧履歴・・・",
    "all personal data",
    "all of your data",
    "All the user info",
    "info we hold",
    "Data we collected",
    "Information about you",
    "including browsing history",
    "Browsing history, including page URLs",
    "Data that includes your IDs",
    "IDs, e.g. Cookie ID",
    "A variety of identifiers",
    "Browsing history...",
]
#: Items the rule accepts: specific names, including words that contain 「等」 or 「他」.
ACCEPTED = [
    "高等学校",
    "最終学歴（高等学校・大学）",
    "同等のプランの契約有無",
    "中等教育学校名",
    "閲覧履歴",
    "閲覧したページのURL",
    "Cookie ID",
    "購買履歴",
    "他社サイトでの閲覧履歴",
    "広告の表示・クリック履歴",
    "IPアドレス",
    "ＩＰアドレス",
    "端末の種類（OS・ブラウザ）",
    "位置情報（市区町村単位）",
    "Browsing history",
    "URLs of pages viewed",
    "Ad view and click history",
    "Time of viewing",
    "Browser type",
    "Hashed e-mail address (SHA-256)",
    "Purchase history",
    "Equal-plan flag",
    "閲覧履歴（検索語を含む）",
    "Browsing history (including search terms)",
    "はじめて訪問した日時",
    "あとから登録した住所",
    "当社サイトで取得した閲覧履歴",
    "会員番号",
    "Info banner clicks",
]


@pytest.mark.parametrize("item", REFUSED)
def test_refused(item: str) -> None:
    assert items.vague(item), item
    assert items.vague_word(item)


@pytest.mark.parametrize("item", ACCEPTED)
def test_accepted(item: str) -> None:
    assert items.vague_word(item) is None, item


def test_first_vague() -> None:
    assert items.first_vague(["閲覧履歴", "閲覧履歴ほか", "その他"]) == "閲覧履歴ほか"
    assert items.first_vague(["閲覧履歴", "Cookie ID"]) is None


@given(st.sampled_from(ACCEPTED), st.sampled_from(["等", "など", "その他", " etc.", " and more"]))
def test_a_vague_suffix_makes_any_item_vague(item: str, suffix: str) -> None:
    assert items.vague(item + suffix)


@given(st.text(max_size=40))
def test_never_raises_and_full_width_is_the_same(text: str) -> None:
    wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)
    assert items.vague(text) == items.vague(wide)
