"""What a backend decides of one item for one profile: the truths, and the trace they were decided on."""

from __future__ import annotations

from dataclasses import dataclass, field

from ipsubsidy.engine.logic import TV
from ipsubsidy.engine.trace import ItemTrace

__all__ = ["ItemDecision"]


@dataclass(frozen=True, slots=True)
class ItemDecision:
    """``profile`` is the truth of the item's ``qualifies`` condition; ``units`` holds one value per entry of
    the counted collection, in profile order (empty when the item counts nothing or the list is unknown);
    ``trace`` has every leaf behind them (engine/trace.py)."""

    profile: TV
    units: tuple[TV, ...] = ()
    trace: ItemTrace | None = field(default=None, compare=False, repr=False)
