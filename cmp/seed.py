"""The demo site ``demo``: what `cmp seed-demo` and `make run` put in an empty store.

Three categories and three recipients that between them show every case the law treats
differently: a domestic analytics tag that does not link data to personal data, a domestic
DMP that does (APPI Art. 31), and an ad platform in the United States that does and needs
the foreign-country information (Rule 17(2)).
"""

from __future__ import annotations

from cmp.model import LANGS, Category, Recipient, Site
from cmp.siteconfig import publish_policy
from cmp.storage import Storage

DEMO_ORIGINS = ["http://127.0.0.1:8000", "http://localhost:8000"]


def demo_site(origins: list[str] | None = None) -> Site:
    """Return the demo site's settings."""
    return Site(
        key="demo",
        name="cmp デモサイト",
        origins=list(origins or DEMO_ORIGINS),
        languages=list(LANGS),
        privacy_policy_url="https://example.jp/privacy",
        consent_lifetime_days=395,
        alias_cookies=["_ga"],
        texts={},
    )


def demo_categories() -> list[Category]:
    """Return essential, analytics and targeting."""
    return [
        Category(
            key="essential",
            name={"ja": "必須", "en": "Essential"},
            description={
                "ja": "ログイン、カート、セキュリティなどサイトの動作に必要な機能です。",
                "en": "What the site needs to work: login, cart, security.",
            },
            required=True,
            default=True,
        ),
        Category(
            key="analytics",
            name={"ja": "アクセス解析", "en": "Analytics"},
            description={
                "ja": "閲覧状況を集計し、サイトの改善に役立てます。",
                "en": "Counts how the site is used so we can improve it.",
            },
            gpc=True,
            gcm=["analytics_storage"],
            cookies=["_ga", "_ga_*", "demo_analytics"],
            storage=["demo_analytics_*"],
        ),
        Category(
            key="targeting",
            name={"ja": "広告・DMP", "en": "Advertising and DMP"},
            description={
                "ja": "興味・関心に応じた広告の配信と、広告効果の測定に使います。",
                "en": "Shows ads that match your interests and measures them.",
            },
            gpc=True,
            gcm=["ad_storage", "ad_user_data", "ad_personalization"],
            cookies=["demo_targeting", "_fbp"],
        ),
    ]


def demo_recipients() -> list[Recipient]:
    """Return analytics-co, dmp-partner and ad-global."""
    return [
        Recipient(
            key="analytics-co",
            category="analytics",
            name={"ja": "アナリティクス株式会社", "en": "Analytics Co., Ltd."},
            service={"ja": "アクセス解析サービス", "en": "Web analytics service"},
            address="東京都千代田区丸の内一丁目1番1号",
            representative="代表取締役 山田太郎",
            country={"ja": "日本", "en": "Japan"},
            items={
                "ja": ["閲覧したページのURL", "Cookie ID", "閲覧日時", "ブラウザの種類"],
                "en": ["URLs of pages viewed", "Cookie ID", "Time of viewing", "Browser type"],
            },
            purpose={
                "ja": "サイトの利用状況の分析と改善",
                "en": "Analysing and improving how the site is used",
            },
            recipient_purpose={
                "ja": "統計情報の作成とサービスの提供",
                "en": "Producing statistics and providing its service",
            },
            links_personal_data=False,
            # Why Art. 31 does not apply: the record states it (cmp.confirmation).
            no_link_basis="contract",
            policy_url="https://analytics.example.jp/privacy",
            opt_out_url="https://analytics.example.jp/opt-out",
        ),
        Recipient(
            key="dmp-partner",
            category="targeting",
            name={"ja": "株式会社DMPパートナー", "en": "DMP Partner K.K."},
            service={"ja": "オーディエンスデータ基盤", "en": "Audience data platform"},
            address="大阪府大阪市北区梅田二丁目2番2号",
            representative="代表取締役 佐藤花子",
            country={"ja": "日本", "en": "Japan"},
            items={
                "ja": ["閲覧履歴", "Cookie ID", "購買履歴"],
                "en": ["Browsing history", "Cookie ID", "Purchase history"],
            },
            purpose={
                "ja": "興味・関心に応じた広告の配信",
                "en": "Showing ads that match your interests",
            },
            recipient_purpose={
                "ja": "提供先が保有する会員情報と結び付けた広告配信と分析",
                "en": "Ad delivery and analysis linked to the member data it holds",
            },
            links_personal_data=True,
            policy_url="https://dmp.example.jp/privacy",
            opt_out_url="https://dmp.example.jp/opt-out",
        ),
        Recipient(
            key="ad-global",
            category="targeting",
            name={"ja": "Ad Global, Inc.", "en": "Ad Global, Inc."},
            service={"ja": "グローバル広告ネットワーク", "en": "Global ad network"},
            address="100 Market Street, San Francisco, CA, USA",
            representative="CEO Jane Smith",
            country={"ja": "アメリカ合衆国", "en": "United States"},
            foreign={
                "system": {
                    "ja": (
                        "米国には連邦レベルの包括的な個人情報保護法はなく、州法"
                        "（カリフォルニア州消費者プライバシー法等）と分野別の法律があります。"
                    ),
                    "en": (
                        "The United States has no comprehensive federal privacy law; state "
                        "laws (such as the California Consumer Privacy Act) and sectoral laws "
                        "apply."
                    ),
                },
                "measures": {
                    "ja": (
                        "提供先は、OECDプライバシーガイドラインの8原則に沿った社内規程を定め、"
                        "安全管理措置を講じています。"
                    ),
                    "en": (
                        "The recipient follows internal rules in line with the eight OECD "
                        "privacy principles and applies security safeguards."
                    ),
                },
            },
            items={
                "ja": ["閲覧履歴", "Cookie ID", "広告の表示・クリック履歴"],
                "en": ["Browsing history", "Cookie ID", "Ad view and click history"],
            },
            purpose={"ja": "広告の配信と効果測定", "en": "Ad delivery and measurement"},
            recipient_purpose={
                "ja": "提供先が保有する利用者情報と結び付けた広告配信",
                "en": "Ad delivery linked to user data it holds",
            },
            links_personal_data=True,
            policy_url="https://adglobal.example.com/privacy",
            opt_out_url="https://adglobal.example.com/opt-out",
        ),
    ]


def seed_demo(store: Storage, origins: list[str] | None = None) -> bool:
    """Create the demo site unless it exists; return True if it was created (idempotent)."""
    if store.get_site("demo") is not None:
        return False
    site = demo_site(origins)
    store.put_site(site)
    store.put_categories(site.key, demo_categories())
    store.put_recipients(site.key, demo_recipients())
    publish_policy(store, site.key, "初版 / first version", bump=False)
    return True
