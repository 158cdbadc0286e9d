"""The console's rules on typed input (pure functions), and its message catalog."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmp.admin import validation as v
from cmp.admin.messages import MESSAGES
from cmp.model import CONSENT_METHODS, ROLES
from cmp.texts import DEFAULT_TEXTS

ROOT = Path(__file__).resolve().parent.parent


def _invalid(rule, *args) -> str:
    with pytest.raises(v.Invalid) as caught:
        rule(*args)
    return caught.value.key


def test_keys() -> None:
    assert v.key(" demo-2 ") == "demo-2"
    for bad in ("", "Demo", "a_b", "a b", "x" * 64, "サイト", "a/b", "-a"):
        assert _invalid(v.key, bad) == "err_key", bad


@given(
    st.sampled_from(string.ascii_lowercase + string.digits),
    st.text(alphabet=string.ascii_lowercase + string.digits + "-", max_size=62),
)
def test_every_key_of_the_alphabet_is_accepted(first: str, rest: str) -> None:
    assert v.key(first + rest) == first + rest


@given(st.text(max_size=80))
def test_accepted_keys_match_the_pattern(text: str) -> None:
    try:
        key = v.key(text)
    except v.Invalid:
        return
    assert re.fullmatch(r"[a-z0-9][a-z0-9-]{0,62}", key)


def test_urls_are_http_or_https_only() -> None:
    assert v.http_url("") == ""
    assert v.http_url(" https://example.jp/privacy?x=1 ") == "https://example.jp/privacy?x=1"
    for bad in (
        "javascript:alert(1)",
        "data:text/html,x",
        "ftp://example.jp/",
        "//example.jp/",
        "https://",
        "https://exa mple.jp/",
        "example.jp",
        "https://example.jp/a\nb",
    ):
        assert _invalid(v.http_url, bad) == "err_url", bad


def test_origins() -> None:
    text = "https://WWW.example.jp/\nhttp://localhost:8000\n\nhttps://www.example.jp"
    assert v.origins(text) == ["https://www.example.jp", "http://localhost:8000"]
    for bad in ("https://example.jp/path", "example.jp", "ftp://example.jp", "https://a b"):
        assert _invalid(v.origins, bad) == "err_origin", bad


def test_cookie_patterns_and_names() -> None:
    assert v.cookie_patterns("_ga\n_ga_*\n_ga") == ["_ga", "_ga_*"]
    for bad in ("*", "**", "a b", "a;b", "a=b", "x" * 129):
        assert _invalid(v.cookie_patterns, bad) == "err_cookie_pattern", bad
    assert v.cookie_names("_ga\n_fbp") == ["_ga", "_fbp"]
    assert _invalid(v.cookie_names, "_ga_*") == "err_cookie_name"


def test_consent_mode_signals() -> None:
    assert v.gcm(["ad_storage", "analytics_storage"]) == ["ad_storage", "analytics_storage"]
    assert v.gcm(list(reversed(v.GCM_SIGNALS))) == list(v.GCM_SIGNALS)
    assert _invalid(v.gcm, ["ads_storage"]) == "err_gcm"


def test_items_are_specific() -> None:
    assert v.items("閲覧履歴\n Cookie ID \n\n購買履歴", "ja") == [
        "閲覧履歴",
        "Cookie ID",
        "購買履歴",
    ]
    for bad in ("閲覧履歴等", "その他の情報", "端末情報など", "Browsing history, etc.", "IDs etc"):
        assert _invalid(v.items, bad, "ja") == "err_item_vague", bad
    for bad in ("Device data and so on", "Cookie ID and others", "Data such as IDs"):
        assert _invalid(v.items, bad, "en") == "err_item_vague", bad
    assert _invalid(v.items, " \n ", "ja") == "err_items_empty"
    assert _invalid(v.items, "a\na", "en") == "err_items_repeat"
    assert _invalid(v.items, "x" * 201, "en") == "err_item_long"
    assert _invalid(v.items, "\n".join(f"item {i}" for i in range(51)), "en") == "err_items_many"


def test_lifetime_and_domain() -> None:
    assert v.lifetime("395") == 395
    for bad in ("0", "1096", "-1", "1.5", "", "forever"):
        assert _invalid(v.lifetime, bad) == "err_lifetime", bad
    assert v.cookie_domain(" .Example.JP ") == ".example.jp"
    for bad in ("exa mple.jp", "-bad.jp", "a..jp", "例え.jp"):
        assert _invalid(v.cookie_domain, bad) == "err_domain", bad


def _used_keys() -> set[str]:
    found: set[str] = set()
    sources = list((ROOT / "templates" / "admin").glob("*.html"))
    sources += list((ROOT / "cmp" / "admin").glob("*.py"))
    for path in sources:
        text = path.read_text()
        found |= set(re.findall(r"""\bt\(\s*["']([a-z0-9_-]+)["']""", text))
        found |= set(re.findall(r"""\bfail\([^,]+,\s*"([a-z0-9_]+)\"""", text))
        found |= set(re.findall(r"""Invalid\("([a-z0-9_]+)\"""", text))
        found |= set(re.findall(r'"(err_[0-9]{3}_(?:title|body))"', text))
    found |= {f"text_{k}" for k in DEFAULT_TEXTS["ja"]}
    found |= {f"method_{m}" for m in CONSENT_METHODS} | {f"role_{r}" for r in ROLES}
    found |= {f"area_{a}" for a in ("site", "texts", "categories", "recipients")}
    found |= {f"kind_{k}" for k in ("added", "removed", "changed", "reordered")}
    found |= {"exemption_none", "exemption_necessary", "exemption_first_party"}
    found |= {f"lang_{lang}" for lang in ("ja", "en")}
    found |= {f"tab_{t}" for t in ("settings", "categories", "recipients", "texts")}
    found |= {f"tab_{t}" for t in ("policies", "keys", "stats", "audit")}
    return found


def test_every_message_exists_in_both_languages() -> None:
    used = {
        key for key in _used_keys() if not key.endswith("_")
    }  # prefixed keys are added one by one
    missing = sorted(used - set(MESSAGES))
    assert missing == []
    for key, (ja, en) in MESSAGES.items():
        assert ja.strip() and en.strip(), key
        names = lambda text: sorted(re.findall(r"\{(\w+)\}", text))  # noqa: E731
        assert names(ja) == names(en), key
