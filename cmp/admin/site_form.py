"""The site settings form: name, origins, languages, policy URL, lifetime, cookie domain."""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, StringField, TextAreaField

from cmp.admin import validation as v
from cmp.admin.forms import Editor
from cmp.model import LANGS, Site


class SiteForm(Editor):
    """Create (with ``key``) or edit a site's settings."""

    key = StringField()
    name = StringField()
    origins = TextAreaField()
    english = BooleanField()
    privacy_policy_url = StringField()
    consent_lifetime_days = StringField(default="395")
    cookie_domain = StringField()
    alias_cookies = TextAreaField()

    @staticmethod
    def initial(site: Site) -> dict[str, Any]:
        """The form's values for an existing site."""
        return {
            "key": site.key,
            "name": site.name,
            "origins": "\n".join(site.origins),
            "english": "en" in site.languages,
            "privacy_policy_url": site.privacy_policy_url,
            "consent_lifetime_days": str(site.consent_lifetime_days),
            "cookie_domain": site.cookie_domain,
            "alias_cookies": "\n".join(site.alias_cookies),
        }

    def clean(self, existing: Site | None, taken: set[str]) -> Site | None:
        """Return the new or updated site, or None; ``taken`` are the keys already in use."""
        if existing is None:
            key = self.check(self.key, v.key)
            if key and key in taken:
                self.fail(self.key, "err_key_taken")
        else:
            key = existing.key
        name = self.text("name", need=True, limit=200)
        origins = self.check(self.origins, v.origins)
        policy = self.check(self.privacy_policy_url, v.http_url)
        days = self.check(self.consent_lifetime_days, v.lifetime)
        domain = self.check(self.cookie_domain, v.cookie_domain)
        aliases = self.check(self.alias_cookies, v.cookie_names)
        if not self.ok() or key is None:
            return None
        site = Site(key=key, name=name) if existing is None else Site.from_dict(existing.to_dict())
        site.name = name
        site.origins = origins or []
        site.languages = list(LANGS) if self.english.data else ["ja"]
        site.privacy_policy_url = policy or ""
        site.consent_lifetime_days = int(days or 395)
        site.cookie_domain = domain or ""
        site.alias_cookies = aliases or []
        return site
