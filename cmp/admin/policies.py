"""Policy versions: the changelog, the changes not yet published, and publishing.

Most edits are live at once; a visitor's earlier decision stays valid for wording changes.
A recipient change that alters what visitors agreed to (a new recipient, other information
sent, another purpose) goes live only as a new version: the recipient editor publishes it in
the same step (:func:`publish`). Otherwise the operator publishes a new version here: the
number goes up, every earlier decision becomes ``outdated`` and the banner asks again. Each
version keeps a snapshot of everything shown, and the changelog lists each version with its
note and what changed.
"""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from cmp import context
from cmp.admin import bp
from cmp.admin.audit import commit
from cmp.admin.changes import diff, needs_reconsent
from cmp.admin.editing import load_site
from cmp.admin.forms import PublishForm
from cmp.model import PolicyVersion
from cmp.siteconfig import publish_policy, snapshot


def publish(site: str, changes: str) -> PolicyVersion:
    """Publish the live configuration as the next version, with its audit entry."""
    before = load_site(site).policy_version
    policy = publish_policy(context.store(), site, changes, bump=True)
    audit_publish(site, policy, before)
    return policy


def audit_publish(site: str, policy: PolicyVersion, before: int) -> None:
    """The audit entry of a published version (``before``: the version it replaced)."""
    commit(
        site,
        "policy.publish",
        str(policy.version),
        {"policy_version": before},
        {
            "policy_version": policy.version,
            "changes": policy.changes,
            "texts_hash": policy.texts_hash,
        },
    )


@bp.route("/sites/<site>/policies", methods=["GET", "POST"])
def policies(site: str) -> ResponseReturnValue:
    """The changelog and the publish form."""
    store = context.store()
    current = load_site(site)
    form = PublishForm()
    if request.method == "POST":
        form.validate()
        changes = form.clean()
        if changes is not None:
            publish(site, changes)
            return redirect(url_for("admin.policies", site=site, saved=1), code=303)
    versions = store.list_policies(site)
    live = snapshot(current, store.get_categories(site), store.get_recipients(site))
    published = next((p for p in versions if p.version == current.policy_version), None)
    pending = diff(published.snapshot if published else None, live)
    log = []
    previous = None
    for version in versions:
        log.append((version, diff(previous, version.snapshot) if previous else []))
        previous = version.snapshot
    status = 422 if request.method == "POST" else 200
    return render_template(
        "admin/policies.html",
        site=current,
        tab="policies",
        form=form,
        pending=pending,
        suggest=needs_reconsent(pending),
        log=list(reversed(log)),
        saved=request.args.get("saved"),
    ), status
