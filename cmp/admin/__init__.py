"""The admin console under ``/admin``: one blueprint, its security headers and error pages.

Views live in the modules named for what they edit (sites, categories, recipients, texts,
policies, keys, stats, audit); :mod:`cmp.admin.auth` guards every request. Admin pages are
served under a strict Content Security Policy: no inline script or style anywhere.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Request, Response, render_template, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from werkzeug.exceptions import HTTPException

from cmp.storage import StorageError

bp = Blueprint("admin", __name__, url_prefix="/admin")

#: The policy of every admin page; the banner preview may be framed by the texts page.
CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
PREVIEW_CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'self'"
)


class AdminSessionInterface(SecureCookieSessionInterface):
    """The signed-cookie session, marked Secure whenever the request came over https.

    Only the console and its sign-in use a session: an API request gets Flask's null
    session (never read, never saved, a write raises), so the decision write and the
    lookup no longer build a cookie signer and look for a cookie on every request.
    """

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """None (Flask's null session) under ``/api/``; else the signed cookie's session."""
        if request.path.startswith("/api/"):
            return None
        return super().open_session(app, request)

    def get_cookie_secure(self, app: Flask) -> bool:
        """Secure when configured so, or when this request is https (behind TRUST_PROXY too)."""
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


@bp.after_request
def _headers(resp: Response) -> Response:
    """Security and caching headers on every admin response."""
    framed = request.endpoint == "admin.preview"
    resp.headers.setdefault("Content-Security-Policy", PREVIEW_CSP if framed else CSP)
    resp.headers.setdefault("X-Frame-Options", "SAMEORIGIN" if framed else "DENY")
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    resp.headers.setdefault("Referrer-Policy", "same-origin")
    resp.headers.setdefault("Cache-Control", "no-store")
    return resp


def _error_page(status: int, title_key: str, body_key: str) -> tuple[str, int]:
    return render_template(
        "admin/error.html", status=status, title_key=title_key, body_key=body_key
    ), status


@bp.errorhandler(StorageError)
def _store_down(exc: StorageError) -> tuple[str, int]:
    from flask import current_app

    current_app.logger.warning("admin: store unavailable: %s", exc)
    return _error_page(503, "err_503_title", "err_503_body")


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Response | tuple[str, int] | HTTPException:
    pages = {
        400: ("err_400_title", "err_400_body"),
        403: ("err_403_title", "err_403_body"),
        404: ("err_404_title", "err_404_body"),
        405: ("err_405_title", "err_405_body"),
    }
    if exc.code not in pages:
        return exc
    return _error_page(exc.code, *pages[exc.code])


def init_app(app: Flask) -> None:
    """Register the admin blueprint and its session interface."""
    from cmp.admin import (  # noqa: F401 - each module registers its routes on ``bp``
        audit,
        auth,
        categories,
        i18n,
        joint_use,
        keys,
        policies,
        preview,
        recipients,
        scans,
        sites,
        stats,
        texts,
        transfer_checks,
    )

    app.session_interface = AdminSessionInterface()
    app.config.setdefault("ADMIN_SESSION_HOURS", 12)
    app.config.setdefault("ADMIN_MAX_FAILURES", 5)
    app.config.setdefault("ADMIN_LOCK_MINUTES", 15)
    app.register_blueprint(bp)
