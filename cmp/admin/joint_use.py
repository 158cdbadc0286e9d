"""The site's 共同利用 (joint use) declaration: joint users, scope, items, purpose and the
party responsible (APPI Art. 27(5)(iii); :mod:`cmp.joint_use`). Shown on the notice page
and in the banner config; recipients that are joint users are marked in their editor.

The declaration is what people are told before joint use, so a change of it goes live only
with a new policy version (the box ``publish``), like a material recipient change."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from wtforms import BooleanField, StringField, TextAreaField

from cmp import context
from cmp import joint_use as joint_rule
from cmp.admin import bp
from cmp.admin import validation as v
from cmp.admin.audit import commit
from cmp.admin.editing import load_site, required_langs
from cmp.admin.forms import Editor
from cmp.admin.i18n import t
from cmp.admin.policies import audit_publish
from cmp.model import LANGS
from cmp.siteconfig import publish_policy


class JointUseForm(Editor):
    """Every item of a joint-use notice; ``enabled`` off removes it."""

    enabled = BooleanField()
    users = TextAreaField()
    scope_ja, scope_en = TextAreaField(), TextAreaField()
    items_ja, items_en = TextAreaField(), TextAreaField()
    purpose_ja, purpose_en = TextAreaField(), TextAreaField()
    responsible_name = StringField()
    responsible_address = StringField()
    responsible_representative = StringField()
    publish = BooleanField()

    @staticmethod
    def initial(joint: dict[str, Any]) -> dict[str, Any]:
        """The form's values for a stored declaration."""
        data: dict[str, Any] = {"enabled": bool(joint), "users": "\n".join(joint.get("users", []))}
        for lang in LANGS:
            for part in ("scope", "purpose"):
                data[f"{part}_{lang}"] = (joint.get(part) or {}).get(lang, "")
            data[f"items_{lang}"] = "\n".join((joint.get("items") or {}).get(lang, []))
        for part in ("name", "address", "representative"):
            data[f"responsible_{part}"] = (joint.get("responsible") or {}).get(part, "")
        return data

    def clean(self, langs: list[str]) -> dict[str, Any] | None:
        """Return the declaration ({} when disabled), or None with errors on the fields."""
        if not self.enabled.data:
            return {}
        users = v.lines(self.users.data)
        if not users:
            self.fail(self.users, "err_required")
        found_items = {}
        for lang in LANGS:
            field = self[f"items_{lang}"]
            if lang in langs or v.lines(field.data):
                listed = self.check(field, v.items, lang)
                if listed is not None:
                    found_items[lang] = listed
        out = {
            "users": users,
            "scope": self.texts("scope", langs, limit=1000),
            "items": found_items,
            "purpose": self.texts("purpose", langs, limit=1000),
            "responsible": {
                part: self.text(f"responsible_{part}", need=True, limit=300)
                for part in ("name", "address", "representative")
            },
        }
        return out if self.ok() else None


@bp.route("/sites/<site>/joint-use", methods=["GET", "POST"])
def joint_use(site: str) -> ResponseReturnValue:
    """Edit the site's joint-use declaration."""
    store = context.store()
    current = load_site(site)
    status = 200
    if request.method == "POST":
        form = JointUseForm()
        form.validate()
        made = form.clean(required_langs(current))
        if made is not None:
            latest = load_site(site)
            policy = store.get_policy(site, latest.policy_version)
            published = policy.snapshot.get("site") if policy else None
            material = joint_rule.changed_since_published(published, made)
            if material and not form.publish.data:
                form.fail(form.publish, "err_publish_needed", fields="joint_use")
            else:
                before = latest.joint_use
                if material:
                    made_policy = publish_policy(
                        store, site, t("joint_publish_note"), bump=True,
                        site_fields={"joint_use": made},
                    )  # fmt: skip
                else:
                    latest.joint_use = made
                    store.put_site(latest)
                commit(site, "site.joint_use", site, before, made)
                if material:
                    audit_publish(site, made_policy, latest.policy_version)
                return redirect(url_for("admin.joint_use", site=site, saved=1), code=303)
        status = 422
    else:
        form = JointUseForm(data=JointUseForm.initial(current.joint_use))
    return render_template(
        "admin/joint_use.html",
        site=current,
        tab="recipients",
        form=form,
        saved=request.args.get("saved"),
    ), status
