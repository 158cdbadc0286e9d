"""The periodic-check log of a recipient with a 基準適合体制 (Art. 28(3), Rule 18).

At least once a year the operator checks how the recipient applies the measures and
whether foreign laws may affect them, and records it here. Provision checks for the
recipient are refused while the latest check is older than a year or failed
(:func:`cmp.gate.legal_gate`). Entries are appended, never edited.
"""

from __future__ import annotations

from datetime import date

from flask import abort, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from wtforms import SelectField, StringField, TextAreaField

from cmp import clock, context, foreign, jst
from cmp.admin import bp
from cmp.admin.audit import commit
from cmp.admin.editing import find, load_site
from cmp.admin.forms import Editor, MultiCheckboxField, choice
from cmp.admin.i18n import t
from cmp.model import TransferCheck


class CheckForm(Editor):
    """One periodic check: its JST day, what was checked, the result, notes."""

    checked_on = StringField()
    checked = MultiCheckboxField()
    result = SelectField(validate_choice=False)
    note = TextAreaField()

    def clean(self, site: str, recipient: str, actor: str) -> TransferCheck | None:
        """Return the check, or None with errors on the fields."""
        when = str(self.checked_on.data or "").strip()
        try:
            if date.fromisoformat(when) > jst.today():
                self.fail(self.checked_on, "err_declaration_date")
        except ValueError:
            self.fail(self.checked_on, "err_declaration_date")
        checked = [c for c in (self.checked.data or []) if c in foreign.CHECK_SUBJECTS]
        if not checked or len(checked) != len(self.checked.data or []):
            self.fail(self.checked, "err_checked_what")
        if self.result.data not in ("ok", "failed"):
            self.fail(self.result, "err_choice")
        note = self.text("note", need=True, limit=2000)
        if not self.ok():
            return None
        return TransferCheck(
            site=site,
            recipient=recipient,
            checked_on=when,
            checked=checked,
            result=self.result.data,
            note=note,
            actor=actor,
            created_at=clock.iso(clock.now()),
        )


def _form() -> CheckForm:
    form = CheckForm(data={"checked_on": jst.today().isoformat()})
    form.checked.choices = [choice(s, t(f"check_{s}")) for s in foreign.CHECK_SUBJECTS]
    form.result.choices = [choice(r, t(f"result_{r}")) for r in ("ok", "failed")]
    return form


@bp.route("/sites/<site>/recipients/<key>/checks", methods=["GET", "POST"])
def transfer_checks(site: str, key: str) -> ResponseReturnValue:
    """The recipient's check log, its status, and the form for a new check."""
    store = context.store()
    current = load_site(site)
    recipient = find(store.get_recipients(site), key)
    if foreign.route(recipient) != foreign.SYSTEM:
        abort(404)
    form = _form()
    status = 200
    if request.method == "POST":
        form.validate()
        user = g.get("admin_user")
        made = form.clean(site, key, user.username if user is not None else "?")
        if made is not None:
            store.append_transfer_check(made)
            commit(site, "recipient.transfer_check", key, None, made.to_dict())
            return redirect(url_for("admin.transfer_checks", site=site, key=key), code=303)
        status = 422
    checks = store.list_transfer_checks(site, key)
    current_ok, reason, _ = foreign.check_status(checks, jst.today())
    return render_template(
        "admin/transfer_checks.html",
        site=current,
        tab="recipients",
        recipient=recipient,
        form=form,
        checks=list(reversed(checks)),
        current_ok=current_ok,
        reason=t(f"reason_{reason}") if reason else "",
    ), status
