"""The スキャン page: stored scan reports (``cmp scan``), their findings, and adopting a
catalogue proposal as a recipient with one action (a new policy version, as every new
recipient is published)."""

from __future__ import annotations

import json

from flask import Response, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from cmp import context
from cmp.admin import bp, scan_fields
from cmp.admin.audit import commit
from cmp.admin.editing import load_site
from cmp.admin.policies import audit_publish
from cmp.admin.recipients import _save
from cmp.scan import KINDS, catalogue
from cmp.scan.report import explain, subject


def _load(site: str, scan_id: str) -> dict:
    record = context.store().get_scan(site, scan_id)
    if record is None:
        abort(404)
    return record.report


@bp.route("/sites/<site>/scans")
def scans(site: str) -> str:
    """The site's stored reports, newest first, with their counts per kind."""
    return render_template(
        "admin/scans.html",
        site=load_site(site),
        tab="scans",
        scans=context.store().list_scans(site),
        kinds=KINDS,
    )


@bp.route("/sites/<site>/scans/<scan_id>")
def scan_report(site: str, scan_id: str) -> str:
    """One report: its findings by kind, each proposal with its adopt button."""
    current = load_site(site)
    report = _load(site, scan_id)
    keys = {r.key for r in context.store().get_recipients(site)}
    return render_template(
        "admin/scans_report.html",
        site=current,
        tab="scans",
        report=report,
        kinds=KINDS,
        subject=subject,
        explain=explain,
        declared=keys,
        adopted=request.args.get("adopted"),
        categories=[c.key for c in context.store().get_categories(site) if not c.required],
    )


@bp.route("/sites/<site>/scans/<scan_id>.json")
def scan_json(site: str, scan_id: str) -> Response:
    """The report as its ``cmp-scan/1`` JSON file."""
    load_site(site)
    body = json.dumps(_load(site, scan_id), ensure_ascii=False, indent=1)
    resp = Response(body, mimetype="application/json")
    resp.headers["Content-Disposition"] = f'attachment; filename="cmp-scan-{scan_id}.json"'
    return resp


@bp.route("/sites/<site>/scans/<scan_id>/adopt", methods=["POST"])
def adopt(site: str, scan_id: str) -> ResponseReturnValue:
    """Create the recipient a catalogue entry proposes (under the category chosen, the
    entry's own by default) and publish it as a new policy version."""
    store = context.store()
    current = load_site(site)
    report = _load(site, scan_id)
    entry = catalogue.load().by_key.get(request.form.get("vendor", ""))
    if entry is None:
        abort(400)
    category = request.form.get("category") or entry["category"]
    categories = {c.key for c in store.get_categories(site)}
    if category not in categories:
        abort(400)
    recipients = store.get_recipients(site)
    if any(r.key == entry["key"] for r in recipients):
        return redirect(url_for("admin.scan_report", site=site, scan_id=scan_id), code=303)
    # What this scan saw of the vendor beyond its entry (ytag.js's beacon host, the cookie
    # names Ptengine's tag wrote) is declared too, as far as the editor would accept it.
    seen = scan_fields.acceptable(catalogue.load().seen(report, entry["key"]))
    made = catalogue.recipient_of(entry, category, seen=seen)
    policy = _save(store, current, [*recipients, made], recipients, made.key, ["new"])
    commit(site, "recipient.create", made.key, None, {**made.to_dict(), "from_scan": scan_id})
    if policy is not None:
        audit_publish(site, policy, current.policy_version)
    target = url_for("admin.scan_report", site=site, scan_id=scan_id, adopted=made.key)
    return redirect(target, code=303)
