"""Second lawyer review of issue 11, left open (docs/open-findings.md): 「すべて」 "all" in
front of a *specific* kind of information names that information completely, unlike
「当社が保有する全ての情報」; the rule refuses both. Fails today."""

from __future__ import annotations

import pytest

from cmp import items


@pytest.mark.parametrize("item", ["すべてのページの閲覧履歴", "All purchase records"])
def test_review2_open_all_of_a_specific_kind_is_specific(item: str) -> None:
    assert items.vague_word(item) is None
