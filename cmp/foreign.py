"""Recipients abroad: the three routes of APPI Art. 28, applied to PRI by Art. 31(1)(ii)
(APPI Art. 28), and the periodic checks of a 基準適合体制 (Art. 28(3), Rule 18).

Pure rules: which route a recipient takes, whether its periodic checks are current, and
the fixed list of countries the PPC treats as equivalent. The list is code, not data an
operator edits: the console offers it as a choice, so no typing turns a country into an
equivalent one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

#: In Japan (Art. 28 does not apply).
DOMESTIC = "domestic"
#: A country the PPC designates as having an equivalent system (Rule 15): EEA and the UK.
EQUIVALENT = "equivalent"
#: The recipient has measures equivalent to the APPI's (Rule 16): contract, BCR, APEC CBPR.
SYSTEM = "system"
#: The person consented having been shown the Rule 17(2) information.
CONSENT = "consent"
#: Abroad with no route registered (a recipient entered before routes existed), or no
#: country entered at all (then where it is is unknown).
UNDETERMINED = "undetermined"
ROUTES = (DOMESTIC, EQUIVALENT, SYSTEM, CONSENT)

#: The EEA member states and the United Kingdom: code -> (ja, en).
EQUIVALENT_COUNTRIES: dict[str, tuple[str, str]] = {
    "AT": ("オーストリア", "Austria"),
    "BE": ("ベルギー", "Belgium"),
    "BG": ("ブルガリア", "Bulgaria"),
    "HR": ("クロアチア", "Croatia"),
    "CY": ("キプロス", "Cyprus"),
    "CZ": ("チェコ", "Czechia"),
    "DK": ("デンマーク", "Denmark"),
    "EE": ("エストニア", "Estonia"),
    "FI": ("フィンランド", "Finland"),
    "FR": ("フランス", "France"),
    "DE": ("ドイツ", "Germany"),
    "GR": ("ギリシャ", "Greece"),
    "HU": ("ハンガリー", "Hungary"),
    "IE": ("アイルランド", "Ireland"),
    "IT": ("イタリア", "Italy"),
    "LV": ("ラトビア", "Latvia"),
    "LT": ("リトアニア", "Lithuania"),
    "LU": ("ルクセンブルク", "Luxembourg"),
    "MT": ("マルタ", "Malta"),
    "NL": ("オランダ", "Netherlands"),
    "PL": ("ポーランド", "Poland"),
    "PT": ("ポルトガル", "Portugal"),
    "RO": ("ルーマニア", "Romania"),
    "SK": ("スロバキア", "Slovakia"),
    "SI": ("スロベニア", "Slovenia"),
    "ES": ("スペイン", "Spain"),
    "SE": ("スウェーデン", "Sweden"),
    "IS": ("アイスランド", "Iceland"),
    "LI": ("リヒテンシュタイン", "Liechtenstein"),
    "NO": ("ノルウェー", "Norway"),
    "GB": ("英国", "United Kingdom"),
}
#: What a 基準適合体制 rests on (Rule 16): code -> (ja, en).
SYSTEM_BASES: dict[str, tuple[str, str]] = {
    "contract": ("提供先との契約等による措置", "a contract or similar measures with the recipient"),
    "bcr": ("企業グループ内の規程（内部規程・BCR）", "group-internal rules (BCR)"),
    "cbpr": ("APEC越境プライバシールール（CBPR）の認証", "APEC CBPR certification"),
}
#: What each periodic check covers (Rule 18(1)): the recipient's implementation of the
#: measures, and foreign laws that may affect it.
CHECK_SUBJECTS = ("implementation", "foreign_law")
#: At least once a year (PPC guideline on foreign provision, 6-1).
CHECK_INTERVAL_DAYS = 365
_JAPAN = {"日本", "japan", "日本国", "jp"}


def entered(country: Mapping[str, str]) -> bool:
    """True if a country is entered in some language."""
    return any(value.strip() for value in country.values())


def in_japan(country: Mapping[str, str]) -> bool:
    """True if the country texts name Japan. An empty country is not Japan: it is unknown,
    and a record must say so rather than claim the recipient is in Japan."""
    named = [value.strip().lower() for value in country.values() if value.strip()]
    return bool(named) and all(value in _JAPAN for value in named)


def route(recipient: Any) -> str:
    """Return the Art. 28 route a recipient takes (one of :data:`ROUTES` or UNDETERMINED).

    ``recipient`` is a :class:`cmp.model.Recipient` or its dict (a policy snapshot's).
    """
    get = (
        recipient.get
        if isinstance(recipient, Mapping)
        else lambda k, d=None: getattr(recipient, k, d)
    )
    chosen = get("foreign_route", "") or ""
    if chosen == EQUIVALENT and get("country_code", "") in EQUIVALENT_COUNTRIES:
        return EQUIVALENT
    if chosen == SYSTEM and get("system_basis", "") in SYSTEM_BASES:
        return SYSTEM
    if get("foreign") is not None:
        return CONSENT
    if chosen in ("", DOMESTIC) and in_japan(get("country", {}) or {}):
        return DOMESTIC
    return UNDETERMINED


def country_texts(code: str) -> dict[str, str]:
    """The country names of an equivalent country, as the recipient's ``country``."""
    ja, en = EQUIVALENT_COUNTRIES[code]
    return {"ja": ja, "en": en}


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def check_status(checks: Sequence[Any], today: date) -> tuple[bool, str, Any]:
    """Return ``(current, reason, last)`` for a 基準適合体制's periodic checks.

    Current when, for each subject of :data:`CHECK_SUBJECTS`, the latest check covering it
    passed and is at most :data:`CHECK_INTERVAL_DAYS` old. ``reason`` is ``""``,
    ``never_checked``, ``check_failed`` or ``check_overdue``; ``last`` the latest check.
    """
    if not checks:
        return False, "never_checked", None
    last = max(checks, key=lambda c: (c.checked_on, c.created_at))
    for subject in CHECK_SUBJECTS:
        covering = [c for c in checks if subject in c.checked and _day(c.checked_on)]
        if not covering:
            return False, "never_checked", last
        latest = max(covering, key=lambda c: (c.checked_on, c.created_at))
        if latest.result != "ok":
            return False, "check_failed", latest
        if _day(latest.checked_on) < today - timedelta(days=CHECK_INTERVAL_DAYS):
            return False, "check_overdue", latest
    return True, "", last
