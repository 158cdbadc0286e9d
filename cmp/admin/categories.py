"""Category editor: list, add, edit, reorder, remove (a required category cannot be removed)."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from cmp import context
from cmp.admin import bp
from cmp.admin.audit import commit
from cmp.admin.category_form import CategoryForm
from cmp.admin.editing import (
    changed_since,
    dict_of,
    find,
    load_site,
    opened_on,
    reordered,
    upserted,
)


def _list_page(site: str, error: str = "", status: int = 200) -> ResponseReturnValue:
    store = context.store()
    return render_template(
        "admin/categories.html",
        site=load_site(site),
        tab="categories",
        categories=store.get_categories(site),
        recipients=store.get_recipients(site),
        error=error,
        saved=request.args.get("saved"),
    ), status


@bp.route("/sites/<site>/categories")
def categories(site: str) -> ResponseReturnValue:
    """The site's categories in banner order."""
    return _list_page(site)


@bp.route("/sites/<site>/categories/new", methods=["GET", "POST"])
@bp.route("/sites/<site>/categories/<key>", methods=["GET", "POST"])
def category(site: str, key: str | None = None) -> ResponseReturnValue:
    """Add a category (no ``key``) or edit one."""
    store = context.store()
    current = load_site(site)
    cats = store.get_categories(site)
    existing = find(cats, key) if key else None
    initial = CategoryForm.initial(existing) if existing and request.method == "GET" else {}
    form = CategoryForm(data=initial)
    if existing and request.method == "GET":
        opened_on(form, existing.to_dict())
    if request.method == "POST":
        form.validate()
        made = form.clean(current, cats, existing)
        latest = store.get_categories(site)
        if made is not None and not (existing and changed_since(form, dict_of(latest, key))):
            updated, old = upserted(latest, made, existing)
            store.put_categories(site, updated)
            action = "category.create" if existing is None else "category.update"
            commit(site, action, made.key, old, made.to_dict())
            return redirect(url_for("admin.categories", site=site, saved=1), code=303)
    status = (409 if form.conflict else 422) if request.method == "POST" else 200
    return render_template(
        "admin/category_form.html",
        site=current,
        tab="categories",
        form=form,
        existing=existing,
    ), status


@bp.route("/sites/<site>/categories/<key>/move", methods=["POST"])
def move_category(site: str, key: str) -> ResponseReturnValue:
    """Move a category one place up or down in the banner."""
    store = context.store()
    load_site(site)
    cats = store.get_categories(site)
    updated = reordered(cats, key)
    store.put_categories(site, updated)
    commit(
        site,
        "category.move",
        key,
        [c.key for c in cats],
        [c.key for c in updated],
    )
    return redirect(url_for("admin.categories", site=site), code=303)


@bp.route("/sites/<site>/categories/<key>/delete", methods=["POST"])
def delete_category(site: str, key: str) -> ResponseReturnValue:
    """Remove a category unless it is required or recipients still belong to it."""
    store = context.store()
    load_site(site)
    cats = store.get_categories(site)
    target = find(cats, key)
    if target.required:
        return _list_page(site, "err_delete_required", 409)
    users = [r.key for r in store.get_recipients(site) if r.category == key]
    if users:
        return _list_page(site, "err_delete_in_use", 409)
    store.put_categories(site, [c for c in cats if c.key != key])
    commit(site, "category.delete", key, target.to_dict(), None)
    return redirect(url_for("admin.categories", site=site, saved=1), code=303)
