"""The recipient editor's legal part: the Art. 28 route of a recipient abroad, how consent
is confirmed (Rule 26(1)), why Art. 31 does not apply, and the 外部送信 exemption.

:class:`LawFields` is mixed into :class:`cmp.admin.recipient_form.RecipientForm`;
:func:`clean_law` checks those fields and returns the recipient's legal fields.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from wtforms import BooleanField, SelectField, StringField, TextAreaField

from cmp import confirmation, exemptions, foreign, jst
from cmp.admin.forms import choice
from cmp.admin.i18n import t, ui_lang
from cmp.model import LANGS, Category, Recipient

_ROUTES = ("", foreign.EQUIVALENT, foreign.SYSTEM, foreign.CONSENT)


class LawFields:
    """Form fields of the legal part (a mixin for the recipient form)."""

    foreign = BooleanField()
    foreign_route = SelectField(validate_choice=False)
    country_code = SelectField(validate_choice=False)
    system_basis = SelectField(validate_choice=False)
    country_ja, country_en = StringField(), StringField()
    system_ja, system_en = TextAreaField(), TextAreaField()
    measures_ja, measures_en = TextAreaField(), TextAreaField()
    consent_method = SelectField(validate_choice=False)
    declaration_document = StringField()
    declaration_date = StringField()
    no_link_basis = SelectField(validate_choice=False)
    no_link_note_ja, no_link_note_en = TextAreaField(), TextAreaField()
    exemption = SelectField(validate_choice=False)
    operator_itself = BooleanField()
    receives_personal_data = BooleanField()
    joint_user = BooleanField()


def set_choices(form: Any) -> None:
    """Fill the select boxes in the console's language."""
    en = ui_lang() == "en"
    form.foreign_route.choices = [choice(r, t(f"route_{r or 'domestic'}")) for r in _ROUTES]
    form.country_code.choices = [choice("", "—")] + [
        choice(code, f"{names[1] if en else names[0]} ({code})")
        for code, names in foreign.EQUIVALENT_COUNTRIES.items()
    ]
    form.system_basis.choices = [choice("", "—")] + [
        choice(code, names[1] if en else names[0]) for code, names in foreign.SYSTEM_BASES.items()
    ]
    form.consent_method.choices = [
        choice(m, t(f"consent_method_{m or 'proxy'}")) for m in confirmation.CONSENT_METHODS
    ]
    form.no_link_basis.choices = [choice("", "—")] + [
        choice(code, t(f"no_link_{code}")) for code in confirmation.NO_LINK_BASES
    ]
    form.exemption.choices = [
        choice(code, t(f"exemption_{code or 'none'}")) for code in exemptions.EXEMPTIONS
    ]


def law_initial(r: Recipient) -> dict[str, Any]:
    """The legal part's form values for an existing recipient."""
    route = foreign.route(r)
    data: dict[str, Any] = {
        "foreign": r.foreign is not None,
        "foreign_route": route if route in _ROUTES else "",
        "country_code": r.country_code,
        "system_basis": r.system_basis,
        "consent_method": r.consent_method,
        "declaration_document": r.declaration.get("document", ""),
        "declaration_date": r.declaration.get("date", ""),
        "no_link_basis": r.no_link_basis,
        "exemption": r.exemption,
        "receives_personal_data": r.receives_personal_data,
        "joint_user": r.joint_user,
    }
    for lang in LANGS:
        data[f"country_{lang}"] = r.country.get(lang, "")
        data[f"system_{lang}"] = (r.foreign or {}).get("system", {}).get(lang, "")
        data[f"measures_{lang}"] = (r.foreign or {}).get("measures", {}).get(lang, "")
        data[f"no_link_note_{lang}"] = r.no_link_note.get(lang, "")
    return data


def _route(form: Any, langs: list[str]) -> dict[str, Any]:
    route = form.foreign_route.data or ""
    if route not in _ROUTES:
        form.fail(form.foreign_route, "err_choice")
        route = ""
    if route == "" and form.foreign.data:
        route = foreign.CONSENT  # the older form's "abroad" box: the consent route
    out: dict[str, Any] = {"foreign": None, "foreign_route": "", "country_code": ""}
    out["system_basis"] = ""
    if route == foreign.EQUIVALENT:
        code = form.country_code.data or ""
        if code not in foreign.EQUIVALENT_COUNTRIES:
            form.fail(form.country_code, "err_equivalent_country")
            return {**out, "country": {}}
        return {**out, "foreign_route": route, "country_code": code,
                "country": foreign.country_texts(code)}  # fmt: skip
    abroad = route in (foreign.SYSTEM, foreign.CONSENT)
    country = form.texts("country", langs if abroad else [], limit=100)
    if abroad and foreign.in_japan(country):
        form.fail(form.foreign_route, "err_route_abroad_in_japan")
    if route == foreign.SYSTEM:
        basis = form.system_basis.data or ""
        if basis not in foreign.SYSTEM_BASES:
            form.fail(form.system_basis, "err_choice")
        return {**out, "foreign_route": route, "system_basis": basis, "country": country}
    if route == foreign.CONSENT:
        system = form.texts("system", langs, limit=2000)
        measures = form.texts("measures", langs, limit=2000)
        return {**out, "foreign": {"system": system, "measures": measures}, "country": country}
    if not foreign.entered(country):
        # Where the recipient is decides Art. 28: unknown is never recorded as Japan.
        form.fail(form.country_ja, "err_country_needed")
    elif not foreign.in_japan(country):
        form.fail(form.foreign_route, "err_route_needed", country=country.get("ja", ""))
    return {**out, "country": country}


def _declaration(form: Any, links: bool) -> tuple[str, dict[str, str]]:
    method = form.consent_method.data or ""
    if method not in confirmation.CONSENT_METHODS:
        form.fail(form.consent_method, "err_choice")
        return "", {}
    if method != confirmation.DECLARATION:
        return "", {}
    if not links:
        form.fail(form.consent_method, "err_declaration_not_linking")
    document = form.text("declaration_document", need=True, limit=300)
    when = str(form.declaration_date.data or "").strip()
    try:
        if date.fromisoformat(when) > jst.today():
            form.fail(form.declaration_date, "err_declaration_date")
    except ValueError:
        form.fail(form.declaration_date, "err_declaration_date")
    return method, {"document": document, "date": when}


def clean_law(
    form: Any, category: Category | None, links: bool, langs: list[str]
) -> dict[str, Any]:
    """Check the legal part; return the recipient's legal fields (errors on ``form``)."""
    out = _route(form, langs)
    out["consent_method"], out["declaration"] = _declaration(form, links)
    basis = form.no_link_basis.data or ""
    if basis and basis not in confirmation.NO_LINK_BASES:
        form.fail(form.no_link_basis, "err_choice")
    if not links and not basis:
        # Records say why Art. 31 consent is not needed: never without a stated reason.
        form.fail(form.no_link_basis, "err_no_link_reason")
    note = form.texts("no_link_note", ["ja"] if basis == "other" and not links else [], limit=500)
    out["no_link_basis"], out["no_link_note"] = ("", {}) if links else (basis, note)
    exemption = form.exemption.data or ""
    found = exemptions.problem(
        exemption,
        links_personal_data=links,
        category=category,
        operator_itself=bool(form.operator_itself.data),
        third_party=bool(out["foreign_route"] or out["foreign"]) or bool(form.joint_user.data),
    )
    if found:
        form.fail(form.exemption, found)
    out["exemption"] = exemption if exemption in exemptions.EXEMPTIONS else ""
    out["receives_personal_data"] = bool(form.receives_personal_data.data)
    out["joint_user"] = bool(form.joint_user.data)
    if out["receives_personal_data"] and out["exemption"]:
        form.fail(form.exemption, "err_exempt_linking")
    return out
