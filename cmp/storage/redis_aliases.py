"""Redis backend: aliases, one string key per ``(site, type, value)``.

A key holds the raw visitor id (a banner claim), :data:`API_LINK` + id (a keyed-API link)
or the conflict marker :data:`~.base.ALIAS_CONFLICT` followed by the first holder, if known.
Values from before provenance was kept are plain ids: banner claims. A decision claims its
aliases inside the decision script on one node (``lua/decide.lua``) and with
``lua/claim_alias.lua`` on a cluster; both follow ``lua/alias_rule.lua``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from cmp.model import Alias
from cmp.storage import keys
from cmp.storage.contract.aliases import ALIAS_CONFLICT, AliasLink, AliasStorage
from cmp.storage.lua import source
from cmp.storage.redis_conn import guard

#: Prefix of an alias value linked through the keyed API ('=' is not in base64url).
API_LINK = "="


class AliasesMixin(AliasStorage):
    """Keyed-API links and alias lookups; mixed into ``RedisStorage``."""

    client: Any
    _get_many: Callable[[Sequence[str]], list[bytes | None]]

    def _init_aliases(self) -> None:
        self._link = self.client.register_script(source("link_alias"))

    @guard
    def put_aliases(self, aliases: Iterable[Alias]) -> list[Alias]:
        """Link aliases to visitors (origin ``api``) where the contract allows, one script
        per alias (each alias key is in its own slot on a cluster); return those refused."""
        refused: list[Alias] = []
        for a in aliases:
            name = keys.alias(a.site, a.type, a.value)
            if not self._link(keys=[name], args=[a.visitor_id, ALIAS_CONFLICT, API_LINK]):
                refused.append(a)
        return refused

    @guard
    def resolve_alias_links(
        self, site: str, pairs: Sequence[tuple[str, str]]
    ) -> list[AliasLink | None]:
        """Resolve many aliases with one pipeline per node."""
        found = self._get_many([keys.alias(site, kind, value) for kind, value in pairs])
        conflict, api = ALIAS_CONFLICT.encode(), API_LINK.encode()
        out: list[AliasLink | None] = []
        for v in found:
            if v is None or v.startswith(conflict):
                out.append(None)
            elif v.startswith(api):
                out.append(AliasLink(v[1:].decode(), "api"))
            else:
                out.append(AliasLink(v.decode(), "banner"))
        return out
