"""The console's forms (flask-wtf: each carries a CSRF token).

Editors subclass :class:`Editor`: ``clean(...)`` checks every field with
:mod:`cmp.admin.validation`, attaches each message to its own field (so the page shows it
next to that field) and returns the model object, or None when anything is wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    PasswordField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from cmp.admin.i18n import t
from cmp.admin.validation import Invalid
from cmp.model import LANGS, SCOPES
from cmp.texts import DEFAULT_TEXTS

MAX_TEXT = 4000

try:  # WTForms 3.3 deprecates (value, label) tuples for SelectChoice
    from wtforms import SelectChoice
except ImportError:  # pragma: no cover - older WTForms
    SelectChoice = None


def choice(value: str, label: str) -> Any:
    """One option of a select field, in the form the installed WTForms prefers."""
    return SelectChoice(value, label) if SelectChoice is not None else (value, label)


def required(form: FlaskForm, field: Field) -> None:
    """WTForms validator: the field must not be blank (message in the console language)."""
    if not str(field.data or "").strip():
        raise StopValidation(t("err_required"))


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes for one list value; unknown values are reported by ``clean``."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form: FlaskForm) -> None:
        """Leave choice checks to the editor (messages in the console language)."""


class Editor(FlaskForm):
    """A form whose ``clean`` attaches errors to fields and builds a model object.

    ``base`` carries the fingerprint of what the page showed when it was opened
    (:func:`cmp.admin.editing.fingerprint`); ``conflict`` is set when the stored item
    changed since, so that a save never silently overwrites another admin's edit.
    """

    base = HiddenField()
    conflict = False

    def fail(self, field: Field, message: str, /, **params: Any) -> None:
        """Attach the message named ``message`` to ``field``."""
        field.errors = [*field.errors, t(message, **params)]

    def check(self, field: Field, rule: Callable[..., Any], *args: Any) -> Any:
        """Apply ``rule`` to the field's data; on :class:`Invalid` attach it, return None."""
        try:
            return rule(field.data, *args)
        except Invalid as exc:
            self.fail(field, exc.key, **exc.params)
            return None

    def text(self, name: str, *, need: bool = False, limit: int = MAX_TEXT) -> str:
        """Return a stripped text field, requiring it when ``need``."""
        field = self[name]
        value = str(field.data or "").strip()
        if need and not value:
            self.fail(field, "err_required")
        elif len(value) > limit:
            self.fail(field, "err_too_long", n=limit)
        return value

    def texts(self, prefix: str, langs: list[str], *, limit: int = MAX_TEXT) -> dict[str, str]:
        """Return ``{lang: text}`` from ``<prefix>_ja`` / ``<prefix>_en``; ``langs`` required."""
        out = {}
        for lang in LANGS:
            value = self.text(f"{prefix}_{lang}", need=lang in langs, limit=limit)
            if value:
                out[lang] = value
        return out

    def ok(self) -> bool:
        """True when no field has an error and nobody saved over the page meanwhile."""
        return not self.conflict and not any(field.errors for field in self)


class LoginForm(FlaskForm):
    """User name and password."""

    username = StringField(validators=[required])
    password = PasswordField(validators=[required])


class ActionForm(FlaskForm):
    """A button that changes something (delete, move, revoke, log out): the CSRF token only."""


class PublishForm(Editor):
    """Publishing a new policy version: what changed, and the acknowledgement of re-consent."""

    changes = TextAreaField()
    confirm = BooleanField()

    def clean(self) -> str | None:
        """Return the changelog text, or None."""
        changes = self.text("changes", need=True, limit=2000)
        if not self.confirm.data:
            self.fail(self.confirm, "err_confirm")
        return changes if self.ok() else None


class KeyForm(Editor):
    """A new API key: a name and its scopes."""

    name = StringField()
    scopes = MultiCheckboxField(choices=list(SCOPES))

    def clean(self) -> tuple[str, list[str]] | None:
        """Return ``(name, scopes)``, or None."""
        name = self.text("name", need=True, limit=100)
        scopes = list(self.scopes.data or [])
        if not scopes:
            self.fail(self.scopes, "err_scopes")
        elif any(s not in SCOPES for s in scopes):
            self.fail(self.scopes, "err_scopes")
        return (name, scopes) if self.ok() else None


#: Banner texts edited in one line (labels and buttons); the others get a text box.
SHORT_TEXTS = {
    "title",
    "accept_all",
    "reject_all",
    "settings",
    "save",
    "close",
    "essential_note",
    "linking_title",
    "recipients_label",
    "items_label",
    "purpose_label",
    "recipient_purpose_label",
    "country_label",
    "system_label",
    "measures_label",
    "privacy_policy",
    "external_transmission",
    "iframe_button",
}


def _texts_form() -> type[Editor]:
    """Build the banner-texts form: one field per built-in text key."""
    fields = {
        key: StringField() if key in SHORT_TEXTS else TextAreaField() for key in DEFAULT_TEXTS["ja"]
    }
    return type("TextsForm", (Editor,), fields)


TextsForm = _texts_form()


def clean_texts(form: Editor) -> dict[str, str] | None:
    """Return the non-empty texts of a :data:`TextsForm` (empty ones fall back to built-ins)."""
    out = {}
    for key in DEFAULT_TEXTS["ja"]:
        value = form.text(key, limit=MAX_TEXT)
        if value:
            out[key] = value
    return out if form.ok() else None
