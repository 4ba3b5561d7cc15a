"""What an evaluation decided, before any text: per item its status, quantity and exact subtotal; the total.

``Evaluator.outcome(company, as_of)`` returns an ``Outcome``, for a caller that reads only statuses and totals
(免申即享 matching over a registry, a screening pass); ``evaluate`` renders the same outcome as a ``Result``
with titles, citations, units, reasons and questions. Each ``ItemOutcome`` also holds what it was decided on
(the item, the backend's decision, the count and the payment), which the rendering reads; nothing is decided
twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ipsubsidy.errors import UnknownItemError, suggest
from ipsubsidy.status import BenefitClass, Status

if TYPE_CHECKING:
    from ipsubsidy.amounts import Payment
    from ipsubsidy.engine.decision import ItemDecision
    from ipsubsidy.engine.logic import TV
    from ipsubsidy.policy.model import Item
    from ipsubsidy.result import Reason

__all__ = ["ItemOutcome", "Outcome"]

#: builds reasons a later rule (不重复享受, a cap over several items) adds to an item, when text is wanted
MoreReasons = Callable[[], "list[Reason]"]


class ItemOutcome:
    """One applicable item's decided outcome: ``status``, ``quantity`` (units paid, 1 for a claim; None while
    undecided), ``subtotal`` (exact yuan owed, None when not eligible or the source states no amount) and
    ``units`` (the units paid or counted: entry index and its yuan, None when paid per claim).

    Immutable by convention: ``replace`` returns a changed copy."""

    __slots__ = ("_count", "_decision", "_late", "_late_facts", "_more", "_payment", "_truth",
                 "applies", "assessed", "benefit_class", "id", "item", "quantity", "status", "subtotal", "units")

    id: str
    item: Item
    status: Status
    benefit_class: BenefitClass
    quantity: int | None
    subtotal: Decimal | None
    units: tuple[tuple[int, Decimal | None], ...]
    applies: TV
    assessed: Status          # the status the item's own rules gave, before 不重复享受 and caps
    _decision: ItemDecision | None  # as counted (units dated after as_of, ``_late``, set False); None when
                                    # the outcome is shared and counting changed nothing (assess.py)
    _count: Any               # assess._Count, or None for an item that counts nothing
    _late_facts: list[tuple[str, dt.date]]
    _late: list[int]
    _truth: TV
    _payment: Payment
    _more: tuple[MoreReasons, ...]

    def replace(self, **changes: Any) -> ItemOutcome:
        copy = ItemOutcome.__new__(ItemOutcome)
        for name in ItemOutcome.__slots__:
            setattr(copy, name, changes[name] if name in changes else getattr(self, name))
        return copy

    def with_more(self, more: MoreReasons, **changes: Any) -> ItemOutcome:
        """A copy with ``changes`` and ``more`` reasons after the item's own."""
        return self.replace(_more=(*self._more, more), **changes)

    def __repr__(self) -> str:
        return (f"ItemOutcome({self.id!r}, {self.status.value}, quantity={self.quantity}, "
                f"subtotal={None if self.subtotal is None else str(self.subtotal)})")


@dataclass(frozen=True, slots=True)
class Outcome:
    """One evaluation's decided outcome: ``items`` are the claimable items, ``other`` the rest (selections,
    services, encouragements...); ``total`` is the exact sum of the stated subtotals of eligible items and
    ``not_stated`` names the eligible items whose amount the source does not state."""

    as_of: dt.date
    items: tuple[ItemOutcome, ...]
    other: tuple[ItemOutcome, ...]
    total: Decimal
    not_stated: tuple[str, ...]

    def all_items(self) -> tuple[ItemOutcome, ...]:
        return (*self.items, *self.other)

    def item(self, item_id: str) -> ItemOutcome:
        """The item with this id; UnknownItemError (with a suggestion) when it does not apply."""
        for entry in self.all_items():
            if entry.id == item_id:
                return entry
        raise UnknownItemError(item_id, suggest(item_id, [e.id for e in self.all_items()]))

    def statuses(self) -> dict[str, Status]:
        """Every applicable item's status by id, claimable items first."""
        return {entry.id: entry.status for entry in self.all_items()}

    def eligible(self) -> list[str]:
        """The claimable items the claimant can apply for and get now."""
        return [entry.id for entry in self.items if entry.status == Status.eligible]
