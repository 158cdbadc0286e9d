"""The public site configuration the banner reads, its ETag, and policy publishing.

Building the document is pure (:func:`public_config`); :mod:`cmp.configcache` keeps built
documents per process for ``CONFIG_CACHE_SECONDS``, each serialised and gzip-compressed
once (:func:`render`), so the hottest endpoint costs one dict lookup, while an edit made on
any host is served everywhere within that time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cmp import clock, personal
from cmp.configview import Encoded, banner_view, encode
from cmp.decisions import provision_rule
from cmp.joint_use import view as joint_use_view
from cmp.model import Category, PolicyVersion, Recipient, Site
from cmp.receipts import digest
from cmp.storage import Storage
from cmp.texts import texts_for


def _lang(values: dict[str, str], lang: str) -> str:
    return values.get(lang) or values.get("ja") or next(iter(values.values()), "")


def recipient_view(recipient: Recipient, lang: str) -> dict[str, Any]:
    """Return one recipient as the banner and the notice page show it."""
    foreign = None
    if recipient.foreign:
        foreign = {
            "system": _lang(recipient.foreign.get("system", {}), lang),
            "measures": _lang(recipient.foreign.get("measures", {}), lang),
        }
    return {
        "key": recipient.key,
        "name": _lang(recipient.name, lang),
        "service": _lang(recipient.service, lang),
        "category": recipient.category,
        "items": personal.shown_items(recipient, lang),
        "purpose": _lang(recipient.purpose, lang),
        "recipient_purpose": _lang(recipient.recipient_purpose, lang),
        # A recipient that obtains the linking consent itself (Rule 26(1)) gets no toggle.
        "links_personal_data": (
            recipient.links_personal_data and recipient.consent_method != "declaration"
        )
        or recipient.receives_personal_data,
        "receives_personal_data": recipient.receives_personal_data,
        "consent_by_recipient": recipient.links_personal_data
        and recipient.consent_method == "declaration",
        "country": _lang(recipient.country, lang),
        "foreign": foreign,
        "policy_url": recipient.policy_url,
        "opt_out_url": recipient.opt_out_url,
    }


def public_config(
    site: Site,
    categories: list[Category],
    recipients: list[Recipient],
    lang: str,
    notice_url: str,
    *,
    since: dict[str, int] | None = None,
    sync: int = 0,
) -> dict[str, Any]:
    """Return the config document (docs/banner.md, docs/api.md) for one language.

    ``since`` maps recipient keys to the first policy version of their unchanged run (see
    :func:`recipient_since`; a recipient missing from it is new: the current version);
    ``sync`` is the site's counter of server-side state changes.
    """
    if lang not in site.languages:
        lang = site.languages[0] if site.languages else "ja"
    since = since or {}
    return {
        "site": site.key,
        "policy_version": site.policy_version,
        "lang": lang,
        "categories": [
            {
                "key": c.key,
                "name": _lang(c.name, lang),
                "description": _lang(c.description, lang),
                "required": c.required,
                "default": c.default,
                "gpc": c.gpc,
                "gcm": list(c.gcm),
                "cookies": list(c.cookies),
                "storage": list(c.storage),
            }
            for c in categories
        ],
        "recipients": [
            {**recipient_view(r, lang), "since": since.get(r.key, site.policy_version)}
            for r in recipients
        ],
        "texts": texts_for(site.texts, lang),
        "consent_lifetime_days": site.consent_lifetime_days,
        "alias_cookies": list(site.alias_cookies),
        "cookie_domain": site.cookie_domain or None,
        "links": {"privacy_policy": site.privacy_policy_url, "external_transmission": notice_url},
        "sync": sync,
        # 共同利用 as the banner's details show it, or null (law stream, cmp.joint_use).
        "joint_use": joint_use_view(site, lang),
    }


def recipient_since(
    recipients: list[Recipient], policies: list[PolicyVersion], current: int
) -> dict[str, int]:
    """Return, per recipient, the lowest published version V such that every published
    version from V up to ``current`` lists it with today's material fields.

    The same notion as :attr:`cmp.decisions.ProvisionRule.unchanged_versions`: a recipient
    that is new or materially changed in the current version gets ``current``.
    """
    snapshots = {p.version: p.snapshot for p in policies if p.version <= current}
    published = sorted(snapshots, reverse=True)
    out: dict[str, int] = {}
    for recipient in recipients:
        unchanged = provision_rule(recipient, snapshots).unchanged_versions
        since = current
        for version in published:
            if version not in unchanged:
                break
            since = min(since, version)
        out[recipient.key] = since
    return out


@dataclass
class BuiltConfig:
    """A config document, serialised once, plain and gzip-compressed, with an ETag each;
    ``banner`` is its first-layer view (:mod:`cmp.configview`), encoded the same way."""

    site: Site
    categories: list[Category]
    recipients: list[Recipient]
    body: bytes
    gzipped: bytes
    etag: str
    texts_hash: str
    sync: int
    banner: Encoded

    @property
    def etag_gzip(self) -> str:
        """The ETag of the gzip body: another representation, so another strong tag."""
        return f"{self.etag}-gz"


@dataclass
class SiteData:
    """What the store holds for one site's config, read once per cache period."""

    site: Site
    categories: list[Category]
    recipients: list[Recipient]
    since: dict[str, int]
    sync: int


def load(store: Storage, site_key: str) -> SiteData | None:
    """Read what a site's config needs from the store (None for an unknown site).

    The ``sync`` counter is read first: a state change landing during the reads then shows
    in the next document, never in this one under a counter that claims it.
    """
    sync = store.get_sync(site_key)
    site = store.get_site(site_key)
    if site is None:
        return None
    recipients = store.get_recipients(site_key)
    since = recipient_since(recipients, store.list_policies(site_key), site.policy_version)
    return SiteData(site, store.get_categories(site_key), recipients, since, sync)


def render(data: SiteData, lang: str, notice_url: str) -> BuiltConfig:
    """Build, serialise and compress one config document (once per cache entry)."""
    doc = public_config(
        data.site,
        data.categories,
        data.recipients,
        lang,
        notice_url,
        since=data.since,
        sync=data.sync,
    )
    full = encode(doc)
    # What the visitor was shown: not the links (they name cmp's host) nor the counter. The
    # full document: the first layer's view is part of it, the settings show the rest.
    shown = {k: v for k, v in doc.items() if k not in ("links", "sync")}
    return BuiltConfig(
        data.site,
        data.categories,
        data.recipients,
        full.body,
        full.gzipped,
        full.etag,
        digest(shown),
        data.sync,
        encode(banner_view(doc), "-b", with_brotli=True),
    )


def build(store: Storage, site_key: str, lang: str, notice_url: str) -> BuiltConfig | None:
    """Read a site from the store and build its config document (no cache)."""
    data = load(store, site_key)
    return None if data is None else render(data, lang, notice_url)


def snapshot(site: Site, categories: list[Category], recipients: list[Recipient]) -> dict[str, Any]:
    """Return everything a policy version fixes: settings, categories, recipients, texts."""
    return {
        "site": site.to_dict(),
        "categories": [c.to_dict() for c in categories],
        "recipients": [r.to_dict() for r in recipients],
    }


def publish_policy(
    store: Storage,
    site_key: str,
    changes: str,
    *,
    bump: bool,
    recipients: list[Recipient] | None = None,
    apply: Callable[[], None] | None = None,
    site_fields: dict[str, Any] | None = None,
) -> PolicyVersion:
    """Publish the site's configuration as a policy version.

    With ``bump`` the version number goes up, so every earlier decision becomes
    ``outdated`` and the banner asks again; without it the current version is (re)stored,
    which only happens once per version since policy versions are write-once.

    ``recipients`` publishes a recipient list that is not live yet, and ``apply`` makes it
    live. The order makes every step safe to fail: the snapshot is stored first (alone it
    changes nothing visitors see), then ``apply`` runs, and only then does the site's version
    go up, so no visitor ever decides under the new number while the old content is shown.
    A number whose snapshot was stored by an attempt that failed later is never used again.

    ``site_fields`` publishes site settings that are not live yet (the joint-use
    declaration): they go live with the version number, in the same write of the site.
    """
    site = store.get_site(site_key)
    if site is None:
        raise KeyError(site_key)
    if site_fields:
        if not bump:
            raise ValueError("site_fields go live only with a new version (bump)")
        for name, value in site_fields.items():
            setattr(site, name, value)
    if bump:
        stored = max((p.version for p in store.list_policies(site_key)), default=0)
        site.policy_version = max(site.policy_version, stored) + 1
    listed = recipients if recipients is not None else store.get_recipients(site_key)
    snap = snapshot(site, store.get_categories(site_key), listed)
    policy = PolicyVersion(
        site=site_key,
        version=site.policy_version,
        published_at=clock.iso(clock.now()),
        texts_hash=digest(snap),
        changes=changes,
        snapshot=snap,
    )
    store.put_policy(policy)
    if apply is not None:
        apply()
    if bump:
        store.put_site(site)
    return policy
