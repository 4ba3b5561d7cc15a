"""A computed-once attribute with no lock: fork- and thread-safe where functools.cached_property is not.

On Python 3.11 ``functools.cached_property`` holds one lock per property for every instance while it
computes; a process forked at that moment inherits the lock held and deadlocks on first use. Here two
threads may both compute a value (the results are equal); nothing can be left held.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

__all__ = ["computed_once"]

T = TypeVar("T")


class computed_once(Generic[T]):
    """Like ``functools.cached_property`` (value stored in the instance's ``__dict__``) without its lock."""

    def __init__(self, func: Callable[[Any], T]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> computed_once[T]: ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...

    def __get__(self, instance: object | None, owner: type | None = None) -> T | computed_once[T]:
        if instance is None:
            return self
        cache = instance.__dict__
        try:
            value: T = cache[self.name]
        except KeyError:
            value = cache[self.name] = self.func(instance)
        return value
