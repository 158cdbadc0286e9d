"""API keys of a site: create (the key is shown once), scopes, revoke, last use.

Only a key's hash is stored (:mod:`cmp.apikeys`); the page that shows a new key is never
cached, and the audit log records the key's id and scopes, never the key.
"""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from cmp import apikeys, context
from cmp.admin import bp
from cmp.admin.audit import commit
from cmp.admin.editing import load_site
from cmp.admin.forms import KeyForm
from cmp.model import ApiKey


def _public(key: ApiKey) -> dict:
    """A key as the audit log keeps it: everything but the hash of the secret."""
    data = key.to_dict()
    data.pop("secret_hash", None)
    return data


@bp.route("/sites/<site>/keys", methods=["GET", "POST"])
def keys(site: str) -> ResponseReturnValue:
    """The site's keys and the form for a new one."""
    store = context.store()
    current = load_site(site)
    form = KeyForm(data={"scopes": ["read"]})
    plain = ""
    status = 200
    if request.method == "POST":
        form.validate()
        cleaned = form.clean()
        if cleaned is None:
            status = 422
        else:
            name, scopes = cleaned
            record, plain = apikeys.issue(store, site, scopes, name)
            commit(site, "key.create", record.key_id, None, _public(record))
            form = KeyForm(formdata=None, data={"scopes": ["read"]})
    listed = sorted(store.list_api_keys(site), key=lambda k: k.created_at, reverse=True)
    return render_template(
        "admin/keys.html",
        site=current,
        tab="keys",
        form=form,
        keys=listed,
        plain=plain,
        revoked=request.args.get("revoked"),
    ), status


@bp.route("/sites/<site>/keys/<key_id>/revoke", methods=["POST"])
def revoke_key(site: str, key_id: str) -> ResponseReturnValue:
    """Revoke a key: it stops working at once and stays listed."""
    store = context.store()
    load_site(site)
    key = next((k for k in store.list_api_keys(site) if k.key_id == key_id), None)
    if key is None:
        abort(404)
    if not key.revoked_at:
        before = _public(key)
        apikeys.revoke(store, key)
        commit(site, "key.revoke", key_id, before, _public(key))
    return redirect(url_for("admin.keys", site=site, revoked=key_id), code=303)
