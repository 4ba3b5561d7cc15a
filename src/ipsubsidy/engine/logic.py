"""Three-valued logic: True, False, or None for "unknown", and what a backend decides of an item.

Kleene's rules: a false child settles ``all`` even when others are unknown; a true child settles ``any``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["TV", "ItemDecision", "all3", "any3", "not3"]

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


@dataclass(frozen=True)
class ItemDecision:
    """What a backend decided of one item for one profile.

    ``profile`` is the truth of the item's ``qualifies`` condition; ``units`` holds one value per entry of
    the counted collection, in profile order (empty when the item counts nothing or the list is unknown).
    """

    profile: TV
    units: tuple[TV, ...] = ()
