"""Three-valued logic: True, False, or None for "unknown".

Kleene's rules: a false child settles ``all`` even when others are unknown; a true child settles ``any``.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["TV", "all3", "any3", "not3"]

TV = bool | None


def all3(values: Iterable[TV]) -> TV:
    unknown = False
    for value in values:
        if value is False:
            return False
        if value is None:
            unknown = True
    return None if unknown else True


def any3(values: Iterable[TV]) -> TV:
    unknown = False
    for value in values:
        if value is True:
            return True
        if value is None:
            unknown = True
    return None if unknown else False


def not3(value: TV) -> TV:
    return None if value is None else not value
