"""The dealer's cmp site, put into cmp through its own storage contract and policy publishing.

``seed_dealer`` creates one site (the tests that publish or opt out get a site of their own,
so they cannot disturb the others): categories analytics / targeting, the recipients behind
the page's tags (a linking DMP, the Meta pixel, YouTube, ...), ``cookie_domain``
``.dealer.example`` and the alias cookie ``_ga``. Storage keys per category (issue 10) are
passed as ``storage``; a model without that field ignores it (``from_dict``).
"""

from __future__ import annotations

from typing import Any

from cmp.model import Category, Recipient, Site
from cmp.siteconfig import publish_policy
from cmp.storage import Storage

US_SYSTEM = {
    "ja": "米国には連邦レベルの包括的な個人情報保護法はなく、州法と分野別の法律があります。",
    "en": "The United States has no comprehensive federal privacy law.",
}
US_MEASURES = {
    "ja": "提供先は、OECDプライバシーガイドラインの8原則に沿った措置を講じています。",
    "en": "The recipient applies measures in line with the OECD principles.",
}


def _category(**fields: Any) -> Category:
    return Category.from_dict(fields)


def _recipient(key: str, category: str, name: str, service: str, **extra: Any) -> Recipient:
    us = extra.pop("us", False)
    fields: dict[str, Any] = {
        "key": key,
        "category": category,
        "name": {"ja": name, "en": name},
        "service": {"ja": service, "en": service},
        "address": "東京都港区六本木一丁目1番1号" if not us else "1600 Amphitheatre Pkwy, CA, USA",
        "representative": "代表取締役 山田太郎",
        "country": {"ja": "アメリカ合衆国", "en": "United States"} if us else {"ja": "日本"},
        "foreign": {"system": US_SYSTEM, "measures": US_MEASURES} if us else None,
        "items": {"ja": ["閲覧履歴", "Cookie ID"], "en": ["Browsing history", "Cookie ID"]},
        "purpose": {"ja": "広告配信と効果測定", "en": "Ads and their measurement"},
        "recipient_purpose": {"ja": "サービスの提供", "en": "Providing its service"},
        "policy_url": f"https://{key}.example.com/privacy",
        "opt_out_url": f"https://{key}.example.com/opt-out",
        **extra,
    }
    return Recipient.from_dict(fields)


def dealer_categories() -> list[Category]:
    """Essential, analytics (GA4, the heat map) and targeting (ads, the DMP, video)."""
    return [
        _category(key="essential", name={"ja": "必須"}, required=True, default=True,
                  description={"ja": "サイトの動作に必要な機能です。"}),
        _category(key="analytics", name={"ja": "アクセス解析"}, gpc=True,
                  description={"ja": "閲覧状況を集計し、サイトの改善に役立てます。"},
                  gcm=["analytics_storage"], cookies=["_ga", "_ga_*"], storage=["_pt_*"]),
        _category(key="targeting", name={"ja": "広告・DMP"}, gpc=True,
                  description={"ja": "興味・関心に応じた広告の配信に使います。"},
                  gcm=["ad_storage", "ad_user_data", "ad_personalization"],
                  cookies=["_fbp", "_td"]),
    ]  # fmt: skip


def dealer_recipients() -> list[Recipient]:
    """The recipients behind the page's tags."""
    return [
        _recipient("google-analytics", "analytics", "Google LLC", "Google アナリティクス", us=True),
        _recipient("ptengine", "analytics", "株式会社Ptmind", "Ptengine ヒートマップ",
                   storage=["_pt_*"]),
        _recipient("meta", "targeting", "Meta Platforms, Inc.", "Meta ピクセル", us=True,
                   links_personal_data=True),
        _recipient("td-dmp", "targeting", "トレジャーデータ株式会社", "会員データ連携DMP",
                   links_personal_data=True),
        _recipient("yahoo-ads", "targeting", "LINEヤフー株式会社", "Yahoo!広告"),
        _recipient("youtube", "targeting", "Google LLC (YouTube)", "YouTube", us=True),
        _recipient("a8", "targeting", "株式会社ファンコミュニケーションズ", "A8.net"),
    ]  # fmt: skip


def line_recipient() -> Recipient:
    """A recipient published later (policy bump): the LINE Tag."""
    return _recipient("line", "targeting", "LINEヤフー株式会社 (LINE)", "LINE Tag")


def seed_dealer(store: Storage, key: str, origins: list[str]) -> Site:
    """Create the dealer site ``key`` with its first policy version published."""
    site = Site(
        key=key,
        name="ディーラー東京",
        origins=list(origins),
        languages=["ja", "en"],
        privacy_policy_url="https://www.dealer.example/privacy",
        consent_lifetime_days=395,
        cookie_domain=".dealer.example",
        alias_cookies=["_ga"],
        texts={},
    )
    store.put_site(site)
    store.put_categories(key, dealer_categories())
    store.put_recipients(key, dealer_recipients())
    publish_policy(store, key, "初版", bump=False)
    return site


def add_recipient(store: Storage, key: str, recipient: Recipient) -> int:
    """Publish a new policy version that adds ``recipient``; return the new version."""
    listed = [*store.get_recipients(key), recipient]
    policy = publish_policy(
        store,
        key,
        f"新しい提供先: {recipient.key}",
        bump=True,
        recipients=listed,
        apply=lambda: store.put_recipients(key, listed),
    )
    return policy.version
