"""The console's two languages: Japanese by default, English on request.

The language is kept in the session (``/admin/lang/en``) or asked per page with ``?ui=``;
every string a template or a validator shows comes from :data:`MESSAGES` through :func:`t`.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from flask import redirect, request, session
from werkzeug.wrappers import Response

from cmp import jst
from cmp.admin import bp
from cmp.admin.messages import MESSAGES

UI_LANGS = ("ja", "en")
#: Characters no redirect target may hold: C0 controls, DEL and the C1 controls.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def ui_lang() -> str:
    """Return the console language of this request: ``?ui=``, then the session, then ja."""
    asked = request.args.get("ui")
    if asked in UI_LANGS:
        return asked
    chosen = session.get("ui_lang")
    return chosen if chosen in UI_LANGS else "ja"


def t(name: str, /, **params: Any) -> str:
    """Return the message ``name`` in the console language, formatted with ``params``."""
    pair = MESSAGES.get(name)
    if pair is None:
        return name
    text = pair[1] if ui_lang() == "en" else pair[0]
    return text.format(**params) if params else text


def safe_next(target: str | None, default: str) -> str:
    """Return ``target`` if it is a path on this server under /admin, else ``default``.

    A control character (CR, LF, NUL, ...) can never be part of a safe target: in a
    ``Location`` header it would split the response, and werkzeug refuses it with an error.
    """
    if not target or _CONTROL.search(target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/admin") or "\\" in target:
        return default
    return target


@bp.route("/lang/<lang>")
def lang(lang: str) -> Response:
    """Switch the console language and return to the page the switch was pressed on."""
    if lang in UI_LANGS:
        session["ui_lang"] = lang
    return redirect(safe_next(request.args.get("next"), "/admin/"))


@bp.app_template_filter("when")
def when(value: str) -> str:
    """Show a stored ISO time in Japan time, ``YYYY-MM-DD HH:MM JST`` (a dash when empty)."""
    if not value:
        return "—"
    try:
        return jst.iso_jst(value).replace("T", " ")[:16] + " JST"
    except ValueError:
        return value


@bp.context_processor
def _inject() -> dict[str, Any]:
    return {"t": t, "ui": ui_lang()}
