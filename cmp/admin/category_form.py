"""The category form: names and descriptions per language, default, GPC, Consent Mode, cookies."""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, StringField, TextAreaField

from cmp.admin import validation as v
from cmp.admin.editing import required_langs
from cmp.admin.forms import Editor, MultiCheckboxField
from cmp.model import Category, Site


class CategoryForm(Editor):
    """Add (with ``key``) or edit a consent category."""

    key = StringField()
    name_ja = StringField()
    name_en = StringField()
    description_ja = TextAreaField()
    description_en = TextAreaField()
    default = BooleanField()
    gpc = BooleanField()
    gcm = MultiCheckboxField(choices=list(v.GCM_SIGNALS))
    cookies = TextAreaField()

    @staticmethod
    def initial(category: Category) -> dict[str, Any]:
        """The form's values for an existing category."""
        return {
            "key": category.key,
            "name_ja": category.name.get("ja", ""),
            "name_en": category.name.get("en", ""),
            "description_ja": category.description.get("ja", ""),
            "description_en": category.description.get("en", ""),
            "default": category.default,
            "gpc": category.gpc,
            "gcm": list(category.gcm),
            "cookies": "\n".join(category.cookies),
        }

    def clean(
        self, site: Site, categories: list[Category], existing: Category | None
    ) -> Category | None:
        """Return the new or edited category, or None.

        A required category (essential) stays required, on by default and outside GPC.
        """
        langs = required_langs(site)
        if existing is None:
            key = self.check(self.key, v.key)
            if key and any(c.key == key for c in categories):
                self.fail(self.key, "err_key_taken")
        else:
            key = existing.key
        name = self.texts("name", langs, limit=100)
        description = self.texts("description", langs, limit=1000)
        gcm = self.check(self.gcm, lambda data: v.gcm(list(data or [])))
        cookies = self.check(self.cookies, v.cookie_patterns)
        if not self.ok() or key is None:
            return None
        required = existing.required if existing else False
        return Category(
            key=key,
            name=name,
            description=description,
            required=required,
            default=True if required else bool(self.default.data),
            gpc=False if required else bool(self.gpc.data),
            gcm=gcm or [],
            cookies=cookies or [],
        )
