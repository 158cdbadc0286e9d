"""The live preview: the real banner script, fed a config holding the texts being edited.

The preview page loads the same ``/cmp.js`` a site embeds. Before it, the small harness
``static/admin/preview.js`` answers the banner's two requests inside the page: the config
request gets the site's config as it would be with the draft texts (embedded in the page as
JSON data, never executed), and a decision gets a 201 without reaching the server, so a
preview records nothing. The config's policy version is set out of reach, so the banner
always opens as for a first visit, even in a browser that decided on the demo page.
"""

from __future__ import annotations

from flask import render_template, request, url_for

from cmp import context
from cmp.admin import bp
from cmp.admin.editing import load_site
from cmp.admin.forms import TextsForm, clean_texts
from cmp.admin.texts import banner_lang
from cmp.model import Site
from cmp.siteconfig import public_config

#: Larger than any real version: a stored choice is never "fresh" against the preview.
PREVIEW_VERSION = 2**31 - 1


def preview_config(site: Site, lang: str, draft: dict[str, str] | None) -> dict:
    """Return the site's public config in ``lang`` with ``draft`` as that language's texts."""
    store = context.store()
    shown = Site.from_dict(site.to_dict())
    if draft is not None:
        shown.texts = {**shown.texts, lang: draft}
    notice = url_for("notice.notice", site=site.key, lang=lang, _external=True)
    doc = public_config(
        shown, store.get_categories(site.key), store.get_recipients(site.key), lang, notice
    )
    doc["policy_version"] = PREVIEW_VERSION
    return doc


@bp.route("/sites/<site>/preview", methods=["GET", "POST"])
def preview(site: str) -> str:
    """The banner preview page (framed by the texts page); POST previews unsaved texts."""
    current = load_site(site)
    lang = banner_lang(current)
    draft = None
    if request.method == "POST":
        form = TextsForm()
        form.validate()
        draft = clean_texts(form)
    return render_template(
        "admin/preview.html",
        site=current,
        lang=lang,
        config=preview_config(current, lang, draft),
        draft=request.method == "POST",
    )
