"""Second lawyer review of issue 11, finding 1: the vagueness rule (cmp/items.py).

Open-ended items that still passed: a reference to what the company decides or needs
(「当社所定の情報」「サービスに必要な情報」), an indefinite determiner (「任意の情報」「一部の
情報」), a cross-reference (「上記以外の情報」), add-on nouns (「付帯情報」 beside the refused
「付随情報」), 「例えば」「に限らず」「を中心とした」, and their English faces. And the
commonest specific item of ad-tech notices, browsing on *other* sites, was refused.
"""

from __future__ import annotations

import pytest

from cmp import items

REFUSED = [
    "例えば閲覧履歴",
    "閲覧履歴に限らず",
    "閲覧履歴を中心とした情報",
    "当社が定める情報",
    "当社所定の情報",
    "当社が指定する情報",
    "別途定める情報",
    "必要な情報",
    "サービスに必要な情報",
    "当社が必要と判断する情報",
    "任意の情報",
    "何らかの情報",
    "いずれかの情報",
    "一部の情報",
    "上記以外の情報",
    "上記の情報",
    "付帯情報",
    "付加情報",
    "追加情報",
    "閲覧履歴&c.",
    "その外",
    "ｅｔ　ｃｅｔｅｒａ",
    "browsing history et cetera",
    "browsing history and whatnot",
    "browsing history & more",
    "browsing history + more",
    "additional information",
    "associated data",
    "relevant data",
    "certain data",
    "some information",
    "such information as we need",
    "information necessary for the service",
    "necessary data",
    "what we collect",
    "personal info",
    "user details",
    "other information",
    "and other data",
]
ACCEPTED = [
    "他のサイトでの閲覧履歴",
    "ほかのサイトでの閲覧履歴",
    "他のウェブサイトでの広告の表示履歴",
    "Pages visited on other sites",
    "Browsing history on other websites",
    "Other sites visited",
    "高等学校",
    "会員等級",
    "必要な商品の在庫数",
    "任意で回答したアンケートの回答",
    "上記サイトでの購買履歴",
]


@pytest.mark.parametrize("item", REFUSED)
def test_review2_vague_items_are_refused(item: str) -> None:
    assert items.vague_word(item), item


@pytest.mark.parametrize("item", ACCEPTED)
def test_review2_specific_items_are_accepted(item: str) -> None:
    assert items.vague_word(item) is None, item
