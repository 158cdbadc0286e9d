"""Banner texts per language, edited beside a live preview of the real banner.

A site's own texts override the built-in ones key by key (:mod:`cmp.texts`); a text left
empty falls back to the built-in one, shown as the field's placeholder. Saved texts are live
at once: wording changes do not ask visitors again (publish a policy version for that).
"""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from cmp import context
from cmp.admin import bp
from cmp.admin.audit import commit
from cmp.admin.editing import changed_since, load_site, opened_on
from cmp.admin.forms import SHORT_TEXTS, TextsForm, clean_texts
from cmp.model import Site
from cmp.texts import DEFAULT_TEXTS


def banner_lang(site: Site) -> str:
    """The banner language asked for with ``?lang=`` (one the site offers), default ja."""
    lang = request.args.get("lang", "ja")
    if lang not in ("ja", "en"):
        abort(404)
    if lang not in site.languages and lang != "ja":
        abort(404)
    return lang


@bp.route("/sites/<site>/texts", methods=["GET", "POST"])
def texts(site: str) -> ResponseReturnValue:
    """Edit the banner texts of one language; the preview beside shows them in the banner."""
    store = context.store()
    current = load_site(site)
    lang = banner_lang(current)
    form = TextsForm(data=dict(current.texts.get(lang, {})) if request.method == "GET" else {})
    if request.method == "GET":
        opened_on(form, current.texts.get(lang, {}))
    if request.method == "POST":
        form.validate()
        values = clean_texts(form)
        latest = load_site(site)
        before = dict(latest.texts.get(lang, {}))
        if values is not None and not changed_since(form, before):
            latest.texts = {**latest.texts, lang: values}
            store.put_site(latest)
            commit(site, "texts.update", lang, before, values)
            return redirect(url_for("admin.texts", site=site, lang=lang, saved=1), code=303)
    status = (409 if form.conflict else 422) if request.method == "POST" else 200
    return render_template(
        "admin/texts.html",
        site=current,
        tab="texts",
        form=form,
        lang=lang,
        keys=list(DEFAULT_TEXTS["ja"]),
        defaults=DEFAULT_TEXTS[lang],
        short=SHORT_TEXTS,
        saved=request.args.get("saved"),
    ), status
