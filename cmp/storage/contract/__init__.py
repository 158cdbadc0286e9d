"""The storage contract by concern: one small abstract class per kind of data.

:class:`cmp.storage.base.Storage` combines them all; that is what callers hold. A backend
module implements one or more of these (its class names the concerns as bases), so a
newcomer reads a concern here, then its ``sqlite_*.py`` and ``redis_*.py`` beside it.
"""
