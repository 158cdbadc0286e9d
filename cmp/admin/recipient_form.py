"""The recipient (third party) form, checked against the Telecommunications Business Act's
notice duty (Art. 27-12: what is sent, to whom, for what) and APPI Art. 31.

- the information sent is a list per language, each item specific (no 「等」「その他」,
  "etc."), the languages' lists parallel (same length, same order);
- recipient name, service name, the site's purpose and the recipient's are required;
- a recipient abroad takes one of the Art. 28 routes (:mod:`cmp.admin.recipient_law`): an
  equivalent country from a fixed list, a 基準適合体制, or consent with the country, its
  data-protection system and the recipient's measures (Rule 17(2)) in Japanese, and in
  English when the site offers English;
- a recipient that links data to personal data (Art. 31) needs its address and
  representative, which the confirmation record names (Rule 28);
- an exemption must fit the recipient (:mod:`cmp.exemptions`).
"""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, SelectField, StringField, TextAreaField

from cmp import joint_use
from cmp.admin import scan_fields
from cmp.admin import validation as v
from cmp.admin.editing import required_langs
from cmp.admin.forms import Editor
from cmp.admin.recipient_law import LawFields, clean_law, law_initial
from cmp.exemptions import EXEMPTIONS
from cmp.model import LANGS, Category, Recipient, Site

__all__ = ["EXEMPTIONS", "RecipientForm"]
_LANG_FIELDS = ("name", "service", "purpose", "recipient_purpose")


class RecipientForm(LawFields, Editor):
    """Add (with ``key``) or edit a recipient."""

    key = StringField()
    category = SelectField(validate_choice=False)
    name_ja, name_en = StringField(), StringField()
    service_ja, service_en = StringField(), StringField()
    address = StringField()
    representative = StringField()
    items_ja, items_en = TextAreaField(), TextAreaField()
    purpose_ja, purpose_en = TextAreaField(), TextAreaField()
    recipient_purpose_ja, recipient_purpose_en = TextAreaField(), TextAreaField()
    links_personal_data = BooleanField()
    policy_url = StringField()
    opt_out_url = StringField()
    publish = BooleanField()
    hosts, cookies, storage = TextAreaField(), TextAreaField(), TextAreaField()  # cmp.scan

    @staticmethod
    def initial(r: Recipient) -> dict[str, Any]:
        """The form's values for an existing recipient."""
        data: dict[str, Any] = {
            "key": r.key,
            "category": r.category,
            "address": r.address,
            "representative": r.representative,
            "links_personal_data": r.links_personal_data,
            "policy_url": r.policy_url,
            "opt_out_url": r.opt_out_url,
            "operator_itself": r.exemption == "first_party",
            **law_initial(r),
            **scan_fields.initial(r),
        }
        for lang in LANGS:
            for name in _LANG_FIELDS:
                data[f"{name}_{lang}"] = getattr(r, name).get(lang, "")
            data[f"items_{lang}"] = "\n".join(r.items.get(lang, []))
        return data

    def _items(self, langs: list[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for lang in LANGS:
            field = self[f"items_{lang}"]
            if lang in langs or v.lines(field.data):
                found = self.check(field, v.items, lang)
                if found is not None:
                    out[lang] = found
        ja, en = out.get("ja"), out.get("en")
        if ja is not None and en is not None and len(ja) != len(en):
            self.fail(self.items_en, "err_items_parallel", n=len(ja))
        return out

    def clean(
        self,
        site: Site,
        categories: list[Category],
        recipients: list[Recipient],
        existing: Recipient | None,
    ) -> Recipient | None:
        """Return the new or edited recipient, or None."""
        langs = required_langs(site)
        if existing is None:
            key = self.check(self.key, v.key)
            if key and any(r.key == key for r in recipients):
                self.fail(self.key, "err_key_taken")
        else:
            key = existing.key
        category = next((c for c in categories if c.key == self.category.data), None)
        if category is None:
            self.fail(self.category, "err_choice")
        links = bool(self.links_personal_data.data)
        values = {
            "name": self.texts("name", langs, limit=200),
            "service": self.texts("service", langs, limit=200),
            "purpose": self.texts("purpose", langs, limit=1000),
            "recipient_purpose": self.texts("recipient_purpose", langs, limit=1000),
        }
        law = clean_law(self, category, links, langs)
        if law["joint_user"] and not joint_use.lists(site, values["name"]):
            # The notice and the records call it a joint user only if the declaration does.
            self.fail(self.joint_user, "err_joint_user_not_listed")
        items = self._items(langs)
        address = self.text("address", need=links, limit=300)
        representative = self.text("representative", need=links, limit=200)
        policy = self.check(self.policy_url, v.http_url)
        opt_out = self.check(self.opt_out_url, v.http_url)
        declared = scan_fields.clean(self)
        if not self.ok() or key is None:
            return None
        return Recipient(
            key=key,
            category=self.category.data,
            address=address,
            representative=representative,
            items=items,
            links_personal_data=links,
            policy_url=policy or "",
            opt_out_url=opt_out or "",
            **law,
            **values,
            **declared,
        )
