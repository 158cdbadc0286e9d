"""What a provision check refuses as a whole, once per call, before any verdict: a
recipient whose legal basis is incomplete (docs/provision.md, "Routes a check may refuse").

A record must state truthfully which rule applied; where the registry cannot support such a
statement (a linking recipient abroad or of unknown country with no Art. 28 route, a
recipient that does not link with no stated reason, a declaration without its document, a
基準適合体制 whose periodic checks are not current), the check is refused instead.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cmp import confirmation, foreign, jst
from cmp.model import Recipient, Site, TransferCheck
from cmp.storage import Storage


class ProvisionError(ValueError):
    """The check itself is malformed (unknown recipient or item); ``code`` for the API."""

    def __init__(self, code: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.code, self.detail, self.extra = code, detail, extra


def legal_gate(
    store: Storage, site: Site, recipient: Recipient, moment: datetime
) -> TransferCheck | None:
    """Refuse a check whose recipient's legal basis is incomplete; once per call, not per id.

    A linking recipient abroad needs a registered route; a 基準適合体制 needs current
    periodic checks (Rule 18); a declaration needs its document and date. Return the
    latest periodic check for the record (None when not a 基準適合体制).
    """
    route = foreign.route(recipient)
    if recipient.links_personal_data and route == foreign.UNDETERMINED:
        where = "has no country entered" if not foreign.entered(recipient.country) else "is abroad"
        raise ProvisionError(
            "foreign_route_missing",
            f"{recipient.key} {where} and no Art. 28 route registered: complete it in the admin",
        )
    abroad = route in (foreign.SYSTEM, foreign.CONSENT)
    if abroad and foreign.in_japan(recipient.country):
        # Saved before the console refused it: a record would call Japan a foreign country.
        raise ProvisionError(
            "foreign_route_in_japan",
            f"{recipient.key} is in Japan but registered on a route for a third party abroad:"
            " correct it in the admin",
        )
    if confirmation.no_link_reason_missing(recipient):
        raise ProvisionError(
            "no_link_reason_missing",
            f"{recipient.key} does not link, but no reason why Art. 31 does not apply is"
            " registered: state it in the admin",
        )
    if recipient.consent_method == confirmation.DECLARATION and not (
        confirmation.declaration_complete(recipient)
    ):
        raise ProvisionError(
            "declaration_missing", f"{recipient.key}: the declaration's document and date"
        )
    if route != foreign.SYSTEM:
        return None
    checks = store.list_transfer_checks(site.key, recipient.key)
    current, reason, last = foreign.check_status(checks, jst.today(moment))
    if not current:
        raise ProvisionError(
            "transfer_check_due",
            f"{recipient.key}: the periodic check of its set-up (Rule 18) is {reason}",
            reason=reason,
        )
    return last
