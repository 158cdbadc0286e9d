"""The one error a store raises, and the decorator that turns a driver's errors into it.

Each backend turns its driver's errors into :class:`StorageError`, which the faces answer
with 503; nothing else escapes.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from typing import Any, TypeVar


class StorageError(Exception):
    """The store could not be reached or refused an operation (the API answers 503)."""


T = TypeVar("T")


def error_guard(
    errors: tuple[type[BaseException], ...], describe: Callable[[BaseException], str]
) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Return a decorator that turns ``errors`` into :class:`StorageError` (``describe``
    words the message), for a backend's methods, generators included."""

    def guard(method: Callable[..., T]) -> Callable[..., T]:
        if inspect.isgeneratorfunction(method):
            # A generator's body runs only when the caller iterates, after a plain wrapper
            # has returned, so the conversion must wrap the iteration itself.
            @functools.wraps(method)
            def generator(*args: Any, **kwargs: Any) -> Iterator[Any]:
                try:
                    return (yield from method(*args, **kwargs))
                except errors as exc:
                    raise StorageError(describe(exc)) from exc

            return generator  # type: ignore[return-value]

        @functools.wraps(method)
        def wrapper(*args: Any, **kwargs: Any) -> T:
            try:
                return method(*args, **kwargs)
            except errors as exc:
                raise StorageError(describe(exc)) from exc

        return wrapper

    return guard
