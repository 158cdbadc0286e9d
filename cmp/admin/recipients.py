"""Recipient (third party) editor: list, add, edit, reorder, remove."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from cmp import context, exemptions
from cmp.admin import bp
from cmp.admin.audit import commit
from cmp.admin.changes import RECONSENT_RECIPIENT_FIELDS, normal_recipient
from cmp.admin.editing import (
    changed_since,
    dict_of,
    find,
    load_site,
    opened_on,
    reordered,
    upserted,
)
from cmp.admin.forms import choice
from cmp.admin.i18n import t, ui_lang
from cmp.admin.policies import audit_publish
from cmp.admin.recipient_form import RecipientForm
from cmp.admin.recipient_law import set_choices
from cmp.model import Category, PolicyVersion, Recipient, Site
from cmp.siteconfig import publish_policy
from cmp.storage import Storage, StorageError


def unpublished_changes(store: Storage, site: Site, made: Recipient) -> list[str]:
    """The fields of ``made`` that visitors consented to and that differ from the current
    policy version (``["new"]`` for a recipient that version does not list).

    Provision checks take a visitor's consent under a version as consent to what that
    version's snapshot lists. A change to these fields that went live without a new version
    would be shown to visitors who then count as consenting to the snapshot, and reverting
    it later would make their consent cover something they never saw. So such a change
    only goes live together with a new version.
    """
    then = _published(store, site, made.key)
    if then is None:
        return ["new"]
    then, now = normal_recipient(then), made.to_dict()
    return sorted(f for f in RECONSENT_RECIPIENT_FIELDS if then.get(f) != now.get(f))


def _published(store: Storage, site: Site, key: str) -> dict[str, Any] | None:
    """The recipient ``key`` as the site's current policy version lists it, or None."""
    policy = store.get_policy(site.key, site.policy_version)
    listed = policy.snapshot.get("recipients", []) if policy else []
    return next((r for r in listed if r.get("key") == key), None)


def _save(
    store: Storage,
    site: Site,
    updated: list[Recipient],
    latest: list[Recipient],
    key: str,
    material: list[str],
) -> PolicyVersion | None:
    """Make ``updated`` live: as it is, or, when ``material`` names changes visitors
    consented to, as a new version (snapshot, recipients, then version number). If a step
    of that fails, leave the live recipients matching whatever version is then current
    before answering 503."""
    if not material:
        store.put_recipients(site.key, updated)
        return None
    note = t("auto_publish_note", key=key, fields=", ".join(material))
    try:
        return publish_policy(
            store, site.key, note, bump=True, recipients=updated,
            apply=lambda: store.put_recipients(site.key, updated),
        )  # fmt: skip
    except StorageError:
        try:
            # The version write may have landed although it reported a failure (a lost
            # reply): then the new version is current and its recipients must stay live.
            bumped = store.get_site(site.key).policy_version != site.policy_version
            store.put_recipients(site.key, updated if bumped else latest)
        except StorageError:
            # Still safe for provision checks: a live recipient that differs from every
            # published snapshot counts as consented under no version, and the policies
            # page lists it as a change waiting to be published.
            pass
        raise


def _choices(form: RecipientForm, categories: list[Category]) -> None:
    lang = ui_lang()
    form.category.choices = [
        choice(c.key, f"{c.name.get(lang) or c.name.get('ja') or c.key} ({c.key})")
        for c in categories
    ]
    set_choices(form)


@bp.route("/sites/<site>/recipients")
def recipients(site: str) -> str:
    """The site's recipients, with what each receives and why."""
    store = context.store()
    listed = store.get_recipients(site)
    categories = {c.key: c for c in store.get_categories(site)}
    return render_template(
        "admin/recipients.html",
        site=load_site(site),
        tab="recipients",
        recipients=listed,
        categories=categories,
        saved=request.args.get("saved"),
        exemption_reasons={
            r.key: exemptions.reason(r, categories.get(r.category), ui_lang()) for r in listed
        },
    )


@bp.route("/sites/<site>/recipients/new", methods=["GET", "POST"])
@bp.route("/sites/<site>/recipients/<key>", methods=["GET", "POST"])
def recipient(site: str, key: str | None = None) -> ResponseReturnValue:
    """Add a recipient (no ``key``) or edit one."""
    store = context.store()
    current = load_site(site)
    cats = store.get_categories(site)
    recs = store.get_recipients(site)
    existing = find(recs, key) if key else None
    initial = RecipientForm.initial(existing) if existing and request.method == "GET" else {}
    form = RecipientForm(data=initial)
    _choices(form, cats)
    if existing and request.method == "GET":
        opened_on(form, existing.to_dict())
    if request.method == "POST":
        form.validate()
        made = form.clean(current, cats, recs, existing)
        latest = store.get_recipients(site)
        if made is not None and not (existing and changed_since(form, dict_of(latest, key))):
            material = unpublished_changes(store, current, made)
            if material and not form.publish.data:
                form.fail(form.publish, "err_publish_needed", fields=", ".join(material))
            else:
                updated, old = upserted(latest, made, existing)
                policy = _save(store, current, updated, latest, made.key, material)
                action = "recipient.create" if existing is None else "recipient.update"
                commit(site, action, made.key, old, made.to_dict())
                if policy is not None:
                    audit_publish(site, policy, current.policy_version)
                return redirect(url_for("admin.recipients", site=site, saved=1), code=303)
    status = (409 if form.conflict else 422) if request.method == "POST" else 200
    return render_template(
        "admin/recipient_form.html",
        site=current,
        tab="recipients",
        form=form,
        existing=existing,
    ), status


@bp.route("/sites/<site>/recipients/<key>/move", methods=["POST"])
def move_recipient(site: str, key: str) -> ResponseReturnValue:
    """Move a recipient one place up or down."""
    store = context.store()
    load_site(site)
    recs = store.get_recipients(site)
    updated = reordered(recs, key)
    store.put_recipients(site, updated)
    commit(site, "recipient.move", key, [r.key for r in recs], [r.key for r in updated])
    return redirect(url_for("admin.recipients", site=site), code=303)


@bp.route("/sites/<site>/recipients/<key>/delete", methods=["POST"])
def delete_recipient(site: str, key: str) -> ResponseReturnValue:
    """Remove a recipient (published policy versions keep it in their snapshots)."""
    store = context.store()
    current = load_site(site)
    recs = store.get_recipients(site)
    target = find(recs, key)
    remaining = [r for r in recs if r.key != key]
    # Visitors deciding after the removal are not shown the recipient; if it came back
    # unchanged under the same version, their consent would count for it. So a removal of
    # a published recipient goes live as a new version too.
    material = ["removed"] if _published(store, current, key) else []
    policy = _save(store, current, remaining, recs, key, material)
    commit(site, "recipient.delete", key, target.to_dict(), None)
    if policy is not None:
        audit_publish(site, policy, current.policy_version)
    return redirect(url_for("admin.recipients", site=site, saved=1), code=303)
