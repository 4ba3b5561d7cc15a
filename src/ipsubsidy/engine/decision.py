"""What a backend decides of one item for one profile: the truths, and the trace they were decided on."""

from __future__ import annotations

from typing import Any

from ipsubsidy.engine.logic import TV
from ipsubsidy.engine.trace import ItemTrace

__all__ = ["ItemDecision"]


class ItemDecision:
    """``profile`` is the truth of the item's ``qualifies`` condition; ``units`` holds one value per entry of
    the counted collection, in profile order (empty when the item counts nothing or the list is unknown);
    ``trace`` has every leaf behind them (engine/trace.py), or is None where the caller asked for none.

    Immutable by convention (``replace`` makes a changed copy); equal when the truths are, whatever the
    trace. A plain slotted class: a backend makes one per item per evaluation."""

    __slots__ = ("profile", "trace", "units")

    def __init__(self, profile: TV, units: tuple[TV, ...] = (), trace: ItemTrace | None = None) -> None:
        self.profile = profile
        self.units = units
        self.trace = trace

    def replace(self, *, units: tuple[TV, ...]) -> ItemDecision:
        """The same decision with other unit truths (the trace stays: it is what was seen)."""
        return ItemDecision(self.profile, units, self.trace)

    def __eq__(self, other: Any) -> bool:
        if not isinstance(other, ItemDecision):
            return NotImplemented
        return self.profile == other.profile and self.units == other.units

    def __hash__(self) -> int:
        return hash((self.profile, self.units))

    def __repr__(self) -> str:
        return f"ItemDecision(profile={self.profile!r}, units={self.units!r})"
