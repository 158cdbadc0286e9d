"""Sites: the list, creating a site, and editing its settings."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from cmp import context
from cmp.admin import bp
from cmp.admin.audit import commit
from cmp.admin.editing import changed_since, load_site, opened_on
from cmp.admin.site_form import SiteForm
from cmp.seed import demo_categories
from cmp.siteconfig import publish_policy


@bp.route("/")
def index() -> str:
    """Every site, with its policy version and links to its editors."""
    return render_template("admin/index.html", sites=context.store().list_sites())


@bp.route("/sites/new", methods=["GET", "POST"])
def new_site() -> ResponseReturnValue:
    """Create a site with the essential category and policy version 1."""
    store = context.store()
    form = SiteForm(data={"english": True, "consent_lifetime_days": "395"})
    if request.method == "POST":
        form.validate()
        site = form.clean(None, {s.key for s in store.list_sites()})
        if site is not None:
            store.put_site(site)
            store.put_categories(site.key, [demo_categories()[0]])
            publish_policy(store, site.key, "初版 / first version", bump=False)
            commit(site.key, "site.create", site.key, None, site.to_dict())
            return redirect(url_for("admin.site_settings", site=site.key, saved=1), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("admin/site_form.html", form=form, site=None, tab="settings"), status


@bp.route("/sites/<site>", methods=["GET", "POST"])
def site_settings(site: str) -> ResponseReturnValue:
    """Edit a site's settings (its key never changes: receipts refer to it)."""
    store = context.store()
    current = load_site(site)
    form = SiteForm() if request.method == "POST" else SiteForm(data=SiteForm.initial(current))
    if request.method == "GET":
        opened_on(form, SiteForm.initial(current))
    if request.method == "POST":
        form.validate()
        updated = form.clean(current, set())
        # Re-read so that a policy published meanwhile keeps its version number, and so
        # that settings another admin saved meanwhile are not overwritten unseen.
        latest = load_site(site)
        if updated is not None and not changed_since(form, SiteForm.initial(latest)):
            updated.policy_version = latest.policy_version
            updated.texts = latest.texts
            updated.joint_use = latest.joint_use  # edited on its own page (joint_use.py)
            store.put_site(updated)
            commit(site, "site.update", site, latest.to_dict(), updated.to_dict())
            return redirect(url_for("admin.site_settings", site=site, saved=1), code=303)
    status = (409 if form.conflict else 422) if request.method == "POST" else 200
    return render_template(
        "admin/site_form.html",
        form=form,
        site=current,
        tab="settings",
        saved=request.args.get("saved"),
    ), status
